//! Untrusted table bytes: the loader never panics, and when it accepts a
//! table, eval never panics and never puts CR, LF or NUL into a header
//! value or the policy name, and every outcome keeps the invariants.
//!
//! The table comes from [`cors_fuzz::table_input`]: a compiled table
//! (the seeds) as libFuzzer mutates it, arbitrary bytes behind a repaired
//! header, or a compiled table with input-chosen mutations; the checksum
//! is usually recomputed so that the mutations reach the section, state,
//! transition and policy checks and eval.
#![no_main]

use arbitrary::Unstructured;
use cors_fuzz::{
    assert_no_line_breaks, base_tables, check_invariants, owned, requests, table_input, Hints,
    TableInput,
};
use cors_match_core::Table;
use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| {
    let Ok(TableInput { table, rest, base }) = table_input(data) else {
        return;
    };
    let Ok(policy) = Table::from_bytes(&table) else {
        return;
    };
    for index in 0..policy.policy_count() {
        assert!(
            policy.policy_name(index).is_some(),
            "policy {index} has no name"
        );
    }
    let hints: &Hints = &base_tables()[base].2;
    let mut u = Unstructured::new(rest);
    for request in requests(&mut u, hints) {
        let outcome = policy.eval(&request.as_request());
        assert_no_line_breaks(&outcome, &request);
        if let Err(message) = check_invariants(&owned(&outcome)) {
            panic!("{message} on {request:?}");
        }
    }
});
