//! A policy built from fuzzer choices (origins from small pools with `*.`
//! wildcards, ports, `:*`, `*` and `null`; paths, methods, headers,
//! credentials, max-age, private network...), rendered to `.corspolicy`
//! source and compiled; when it compiles, the table evaluator's answer to
//! each request (drawn near the policy's own values) must equal the
//! reference evaluator's exactly, as in tests/differential.rs.
#![no_main]

use arbitrary::Unstructured;
use cors_fuzz::{assert_matches_reference, policy_source, requests, Hints};
use cors_match_core::Table;
use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(generated) = policy_source(&mut u) else {
        return;
    };
    let Ok(compiled) = cors_policy_lang::compile(&generated.text) else {
        return;
    };
    let table = match Table::from_bytes(&compiled.table) {
        Ok(table) => table,
        Err(error) => panic!(
            "a compiled table does not load: {error}\n{}",
            generated.text
        ),
    };
    // The model's values (normalized: lower-case hosts, punycode) besides
    // the ones written in the source.
    let mut hints = Hints::from_model(&compiled.model);
    hints.origins.extend(generated.hints.origins);
    hints.methods.extend(generated.hints.methods);
    hints.headers.extend(generated.hints.headers);
    for request in requests(&mut u, &hints) {
        assert_matches_reference(&compiled.model, &table, &request);
    }
});
