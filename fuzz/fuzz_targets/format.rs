//! Arbitrary bytes as `.corspolicy` source through the formatter
//! (`format_source`, `format_generic`): neither panics, and what they
//! format keeps its tokens, its table and its diagnostics' codes and is
//! a fixed point (`cors_testing::targets::format`).
#![no_main]

use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| {
    cors_testing::targets::format(data);
});
