//! The integration tests of `cors-match-core`, one binary: each former
//! `tests/NAME.rs` is a module here. They read committed tables,
//! `tests/fixtures/` (written by `cors-policy-lang`'s
//! `tests/it/golden_table.rs`, which checks they are current), so the core
//! is tested without the compiler.

mod golden_table;
mod header_forms;
mod loader;
