//! The integration tests of `cors-match-core`, one binary: each former
//! `tests/NAME.rs` is a module here. Fixtures (committed tables) are in
//! `tests/fixtures/`.

mod golden_table;
