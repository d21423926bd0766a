//! Untrusted table bytes: the loader never panics, and when it accepts a
//! table, eval never panics and never puts CR, LF or NUL into a header
//! value or the policy name, and every outcome keeps the invariants
//! (`cors_testing::targets::load_eval`).
#![no_main]

use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| cors_testing::targets::load_eval(data));
