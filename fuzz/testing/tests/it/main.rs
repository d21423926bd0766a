//! The integration tests of `cors-testing`, one binary (as in every crate
//! of the workspace).

mod fuzz_seeds;
