//! The integration tests of `corsc`, one binary: each former
//! `tests/NAME.rs` is a module here. Run one suite with a filter:
//! `cargo test -p corsc --test it import_django::` (add `CORSC_BLESS=1` to
//! rewrite that suite's golden files). Fixtures stay in `tests/import/`
//! and `tests/emit_fixtures/`.

mod check_json;
mod cli;
mod console;
mod diff;
mod emit_rust;
mod explain_fix;
mod fmt;
mod import_django;
mod policy_tests;
