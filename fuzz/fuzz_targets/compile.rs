//! Arbitrary bytes as `.corspolicy` source: checking, rendering the
//! diagnostics in both styles and compiling never panic; a source that
//! compiles gives a table the loader accepts, whose answers to a few
//! requests derived from the model equal the reference evaluator's
//! (`cors_testing::targets::compile`).
#![no_main]

use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| {
    cors_testing::targets::compile(data);
});
