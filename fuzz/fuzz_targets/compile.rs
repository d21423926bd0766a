//! Arbitrary bytes as `.corspolicy` source: checking, rendering the
//! diagnostics in both styles and compiling never panic; a source that
//! compiles gives a table the loader accepts, whose answers to a few
//! requests derived from the model equal the reference evaluator's.
#![no_main]

use cors_fuzz::{assert_matches_reference, model_requests, MAX_SOURCE_LEN};
use cors_match_core::Table;
use cors_policy_lang::{CompileFailure, RenderStyle};
use libfuzzer_sys::fuzz_target;

cors_fuzz::fixed_hash_keys!();

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_SOURCE_LEN {
        return;
    }
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let checked = cors_policy_lang::check(source);
    for style in [RenderStyle::Rich, RenderStyle::Short] {
        let text = checked.diagnostics.render("fuzz.corspolicy", source, style);
        assert_eq!(
            text.is_empty(),
            checked.diagnostics.is_empty(),
            "{style:?} rendering of {:?}",
            checked.diagnostics
        );
    }
    match cors_policy_lang::compile(source) {
        Ok(compiled) => {
            assert!(!compiled.diagnostics.has_errors());
            assert_eq!(checked.model.as_ref(), Some(&compiled.model));
            let table = match Table::from_bytes(&compiled.table) {
                Ok(table) => table,
                Err(error) => panic!("a compiled table does not load: {error}"),
            };
            assert_eq!(table.policy_count(), compiled.model.policies.len());
            for request in model_requests(&compiled.model) {
                assert_matches_reference(&compiled.model, &table, &request);
            }
        }
        Err(CompileFailure::Invalid(diagnostics)) => {
            assert!(diagnostics.has_errors());
            assert!(checked.model.is_none());
        }
        Err(CompileFailure::Table(_)) => assert!(checked.model.is_some()),
    }
});
