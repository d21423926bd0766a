//! The C ABI, called as a C host would, on source, tables and requests
//! from the input: every result equals the Rust crates' answer, no call
//! reports `CORS_RESULT_PANIC`, and AddressSanitizer and LeakSanitizer
//! watch every pointer and allocation (`cors_testing::targets::ffi`).
#![no_main]

use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| cors_testing::targets::ffi(data));
