//! The fuzz target bodies. Each `fuzz_target!` in `fuzz/fuzz_targets/`
//! calls one with libFuzzer's input; `tests/it/fuzz_seeds.rs` calls them
//! with every committed seed, and cors-policy-lang's
//! `tests/it/hostile/fuzz_regressions.rs` calls [`compile_source`] with
//! every input a target failed on. A body panics where the target must
//! fail: a panic in the code under test, or a broken invariant.

use std::collections::BTreeSet;

use arbitrary::Unstructured;
use cors_match_core::Table;
use cors_policy_lang::{CompileFailure, RenderStyle};

use crate::{
    assert_matches_reference, assert_no_line_breaks, base_tables, check_invariants, model_requests,
    owned, policy_source, requests, table_input, Hints, TableInput, MAX_SOURCE_LEN,
};

mod ffi;

pub use ffi::ffi;

/// The `format` target: arbitrary bytes as `.corspolicy` source (at most
/// [`MAX_SOURCE_LEN`], UTF-8, else skipped) through
/// [`format_source`](cors_policy_lang::format_source::format_source) and
/// [`format_generic`](cors_policy_lang::format_source::format_generic).
/// Neither panics; what either formats has the same tokens in the same
/// order and formats to itself; what `format_source` formats checks to the
/// same table and the same diagnostics' codes.
pub fn format(data: &[u8]) {
    use cors_policy_lang::format_source::{format_generic, format_source};
    if data.len() > MAX_SOURCE_LEN {
        return;
    }
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let tokens = |text: &str| -> Vec<(cors_policy_lang::lexer::TokenKind, String)> {
        cors_policy_lang::lexer::lex(text)
            .into_iter()
            .map(|token| (token.kind, text[token.span].to_string()))
            .collect()
    };
    if let Ok(formatted) = format_generic(source) {
        assert_eq!(tokens(&formatted), tokens(source), "tokens changed");
        assert_eq!(
            format_generic(&formatted).as_ref(),
            Ok(&formatted),
            "not idempotent"
        );
    }
    if let Ok(formatted) = format_source(source) {
        let (before, after) = (
            cors_policy_lang::check(source),
            cors_policy_lang::check(&formatted),
        );
        assert_eq!(after.table, before.table, "the table changed");
        let codes = |checked: &cors_policy_lang::Checked| {
            checked
                .diagnostics
                .iter()
                .map(|d| d.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&after), codes(&before), "the diagnostics changed");
    }
}

/// What the `compile` target's checks saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileOutcome {
    /// `compile` succeeded.
    Compiled,
    /// `compile` refused it, with errors of these codes.
    Refused(BTreeSet<String>),
    /// Valid, but the table is over the format's limits.
    TableTooLarge,
}

/// The `compile` target: arbitrary bytes as `.corspolicy` source.
/// Sources over [`MAX_SOURCE_LEN`] and bytes that are not UTF-8 are
/// skipped (`None`); the rest go through [`compile_source`].
pub fn compile(data: &[u8]) -> Option<CompileOutcome> {
    if data.len() > MAX_SOURCE_LEN {
        return None;
    }
    let source = std::str::from_utf8(data).ok()?;
    Some(compile_source(source))
}

/// Checking, rendering the diagnostics in both styles and compiling never
/// panic, and check and compile agree; a source that compiles gives a
/// table the loader accepts, whose answers to a few requests derived from
/// the model ([`model_requests`]) equal the reference evaluator's, with no
/// CR, LF or NUL in a header value or the policy name, and keep the
/// invariants ([`assert_matches_reference`]). Its `test` blocks are
/// checked with the same diagnostics, and run when it compiles, each
/// result's report built ([`check_policy_tests`]).
pub fn compile_source(source: &str) -> CompileOutcome {
    let checked = cors_policy_lang::check(source);
    check_policy_tests(source, &checked);
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
            CompileOutcome::Compiled
        }
        Err(CompileFailure::Invalid(diagnostics)) => {
            assert!(diagnostics.has_errors());
            assert!(checked.model.is_none());
            CompileOutcome::Refused(
                diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.code.as_str().to_string())
                    .collect(),
            )
        }
        Err(CompileFailure::Table(_)) => {
            assert!(checked.model.is_some());
            CompileOutcome::TableTooLarge
        }
    }
}

/// `policy_tests::load` reports what `check` reports and has a table
/// exactly when `check` does; when there is one, every valid test runs and
/// each failure's diagnostic is built without panicking.
fn check_policy_tests(source: &str, checked: &cors_policy_lang::Checked) {
    use cors_policy_lang::policy_tests::{self, Suite};
    let suite = policy_tests::load(source);
    assert_eq!(suite.checked.diagnostics, checked.diagnostics);
    assert_eq!(suite.checked.table, checked.table);
    match suite.run() {
        Some(results) => {
            assert_eq!(results.len(), suite.cases.len());
            for result in &results {
                assert_eq!(
                    Suite::failure_diagnostic(result).is_some(),
                    !result.passed()
                );
            }
        }
        None => assert!(checked.table.is_none()),
    }
}

/// The `differential` target: a policy built from fuzzer choices (origins
/// from small pools with `*.` wildcards, ports, `:*`, `*` and `null`;
/// paths, methods, headers, credentials, max-age, private network...),
/// rendered to `.corspolicy` source and compiled; when it compiles, the
/// table evaluator's answer to each request (drawn near the policy's own
/// values) must equal the reference evaluator's exactly, as in
/// cors-policy-lang's `tests/it/differential.rs`.
pub fn differential(data: &[u8]) {
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
}

/// The `load_eval` target: untrusted table bytes. The loader never panics,
/// and when it accepts a table, eval never panics and never puts CR, LF or
/// NUL into a header value or the policy name, and every outcome keeps the
/// invariants.
///
/// The table comes from [`table_input`]: a compiled table (the seeds) as
/// libFuzzer mutates it, arbitrary bytes behind a repaired header, or a
/// compiled table with input-chosen mutations; the checksum is usually
/// recomputed so that the mutations reach the section, state, transition
/// and policy checks and eval.
pub fn load_eval(data: &[u8]) {
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
}
