//! The integration tests of `cors-ffi`, one binary: each former
//! `tests/NAME.rs` is a module here. Run one suite with a filter:
//! `cargo test -p cors-ffi --test it nginx::` (the nginx module),
//! `c_api::` (the C tests, under valgrind too) or `header::`
//! (`BLESS=1` regenerates `include/cors.h`).

mod c_api;
mod header;
mod nginx;
