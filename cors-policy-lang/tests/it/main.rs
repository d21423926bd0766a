//! The integration tests of `cors-policy-lang`, one binary (as
//! regex-automata does): each former `tests/NAME.rs` is a module here, so
//! the crate and its dependencies are linked once rather than per file.
//! Run one suite with a filter: `cargo test -p cors-policy-lang --test it
//! differential::`.
//!
//! Fixtures stay beside this directory (`tests/ui/`, `tests/conformance/`,
//! `tests/hostile/`). proptest keeps the failures it found in
//! `tests/proptest-regressions/MODULE.txt` and replays them first: its
//! default persistence (`SourceParallel`) climbs from a test's source file
//! to the directory holding `main.rs`, this one, and files the seeds under
//! a `proptest-regressions/` sibling of it.
//!
//! `no_alloc` installs a counting global allocator for the whole binary; it
//! counts only on a thread that armed it, so the other suites running
//! beside it neither disturb its counts nor are affected.

mod advice;
mod conformance;
mod diagnostics;
mod diff;
mod differential;
mod format;
mod golden_table;
mod hostile;
mod hostile_table;
mod no_alloc;
mod policy_tests;
mod properties;
mod regex_origins;
mod support;
