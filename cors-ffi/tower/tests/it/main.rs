//! The integration tests of `corsc-tower`, one binary: each suite is a
//! module. Run one with a filter: `cargo test -p corsc-tower --test it
//! conformance::`.
//!
//! `no_alloc` installs a counting global allocator for the whole binary; it
//! counts only on a thread that armed it, so the other suites running
//! beside it neither disturb its counts nor are affected.

mod behaviour;
mod conformance;
mod differences;
mod no_alloc;
mod readme;
mod server;
mod support;
