//! A policy built from fuzzer choices, rendered to `.corspolicy` source and
//! compiled; when it compiles, the table evaluator's answer to each request
//! (drawn near the policy's own values) must equal the reference
//! evaluator's exactly (`cors_testing::targets::differential`).
#![no_main]

use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| cors_testing::targets::differential(data));
