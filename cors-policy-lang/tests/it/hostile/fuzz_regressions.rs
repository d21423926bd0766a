//! Every input a fuzz target ever failed on, kept as a test of the normal
//! suite (`hostile/fuzz-regressions/`): the input as the fuzzer wrote it,
//! in a directory named after the target, and a row of `cases.txt` with the
//! outcome it must have. The checks are the fuzz target's own, so a
//! regression fails here without a nightly toolchain or a fuzzing run.
//!
//! Only wall-clock-free outcomes are asserted: a slow input is kept for its
//! answer (and the fuzz smoke replays it from `fuzz/seeds/` under
//! libFuzzer's per-input timeout).

use std::collections::BTreeSet;
use std::path::Path;

use cors_match_core::Table;
use cors_policy_lang::model::{OriginPattern, Origins, PolicySet, PortPattern};
use cors_policy_lang::{reference, CompileFailure, RenderStyle};

use crate::support::{owned, OwnedRequest};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/hostile/fuzz-regressions"
);

/// What a regression input must give.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    /// `compile` succeeds.
    Compiles,
    /// `compile` refuses it with errors of exactly these codes.
    Refused(BTreeSet<String>),
    /// Whatever the answer, `check` and `compile` agree on it (check passes
    /// exactly when compile succeeds): for inputs whose answer is not
    /// settled yet.
    Agree,
}

/// What the `compile` target's checks saw.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Compiled,
    /// Refused with errors of these codes.
    Refused(BTreeSet<String>),
    /// Valid, but the table is over the format's limits.
    TableTooLarge,
}

struct Case {
    line: usize,
    /// `TARGET/FILE`, relative to `DIR`.
    path: String,
    expected: Expected,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(Path::new(DIR).join("cases.txt")).expect("cases.txt");
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        let [path, expected, _found] = fields[..] else {
            panic!("cases.txt:{line_number}: expected `target/file | outcome | what it found`");
        };
        let expected = match expected.split_whitespace().collect::<Vec<_>>()[..] {
            ["compiles"] => Expected::Compiles,
            ["agree"] => Expected::Agree,
            ["refused", ref codes @ ..] if !codes.is_empty() => {
                Expected::Refused(codes.iter().map(|code| code.to_string()).collect())
            }
            _ => panic!(
                "cases.txt:{line_number}: outcome `{expected}` is not `compiles`, `agree` \
                 or `refused CODE...`"
            ),
        };
        cases.push(Case {
            line: line_number,
            path: path.to_string(),
            expected,
        });
    }
    cases
}

/// An origin `pattern` matches, as the fuzz targets' `sample_origin` makes
/// it (a subdomain for `*.`, port 8080 for `:*`; `null` for the rest).
fn sample_origin(pattern: &OriginPattern) -> Vec<u8> {
    let OriginPattern::Tuple(tuple) = pattern else {
        return b"null".to_vec();
    };
    let mut origin = format!("{}://", tuple.scheme);
    if tuple.any_subdomain {
        origin.push_str("q.");
    }
    origin.push_str(&tuple.host.to_string());
    match tuple.port {
        PortPattern::Default => {}
        PortPattern::Any => origin.push_str(":8080"),
        PortPattern::Exact(port) => origin.push_str(&format!(":{port}")),
    }
    origin.into_bytes()
}

/// The requests the `compile` target asks a compiled table (the fuzz
/// crate's `model_requests`): for each of the first four policies, a
/// request without `Origin`, and a preflight and an actual request from
/// each of its first three origin patterns, on its first path.
fn model_requests(set: &PolicySet) -> Vec<OwnedRequest> {
    let mut all = Vec::new();
    for policy in set.policies.iter().take(4) {
        let path = policy
            .paths
            .first()
            .map_or_else(|| b"/zz".to_vec(), |p| p.as_bytes().to_vec());
        let origins: Vec<Vec<u8>> = match &policy.origins {
            Origins::Any => vec![b"https://a.com".to_vec()],
            Origins::List(list) => list.iter().take(3).map(sample_origin).collect(),
        };
        let method = policy
            .methods
            .first()
            .map_or_else(|| b"PUT".to_vec(), |m| m.as_bytes().to_vec());
        let headers = policy.allow_headers.names.join(",").into_bytes();
        let request = |method: &[u8]| OwnedRequest {
            method: method.to_vec(),
            path: path.clone(),
            origin: None,
            request_method: None,
            request_headers: None,
            request_private_network: None,
        };
        all.push(request(b"GET"));
        for origin in origins {
            all.push(OwnedRequest {
                origin: Some(origin.clone()),
                request_method: Some(method.clone()),
                request_headers: Some(headers.clone()),
                request_private_network: Some(b"true".to_vec()),
                ..request(b"OPTIONS")
            });
            all.push(OwnedRequest {
                origin: Some(origin),
                ..request(&method)
            });
        }
    }
    all
}

/// The `compile` fuzz target (fuzz/fuzz_targets/compile.rs), as a test:
/// check, both renderings of its diagnostics, compile; check and compile
/// agree; a compiled table loads and answers the model's requests as the
/// reference evaluator does, with no CR, LF or NUL in a header value.
/// Panics where the target would.
fn compile_target(source: &str) -> Outcome {
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
            let table = Table::from_bytes(&compiled.table)
                .unwrap_or_else(|error| panic!("a compiled table does not load: {error}"));
            assert_eq!(table.policy_count(), compiled.model.policies.len());
            for request in model_requests(&compiled.model) {
                let outcome = table.eval(&request.as_request());
                for header in &outcome.headers {
                    assert!(
                        !header.value.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)),
                        "{}: {:?} on {request:?}",
                        header.name,
                        header.value.escape_ascii().to_string()
                    );
                }
                let slow = reference::evaluate(&compiled.model, &request.as_request());
                assert_eq!(
                    owned(&outcome),
                    slow,
                    "table (left) and reference (right) disagree on {request:?}"
                );
            }
            Outcome::Compiled
        }
        Err(CompileFailure::Invalid(diagnostics)) => {
            assert!(diagnostics.has_errors());
            assert!(checked.model.is_none());
            Outcome::Refused(
                diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.code.as_str().to_string())
                    .collect(),
            )
        }
        Err(CompileFailure::Table(_)) => {
            assert!(checked.model.is_some());
            Outcome::TableTooLarge
        }
    }
}

/// Every file under `fuzz-regressions/TARGET/` has a row, and every row a
/// file: an artifact cannot be dropped in without its expected outcome.
#[test]
fn every_fuzz_regression_file_has_a_case() {
    let listed: BTreeSet<String> = cases().into_iter().map(|case| case.path).collect();
    let mut found = BTreeSet::new();
    for target in std::fs::read_dir(DIR).expect("fuzz-regressions/").flatten() {
        if !target.path().is_dir() {
            continue;
        }
        let name = target.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(target.path()).expect("a target directory") {
            let file = file.expect("a directory entry").file_name();
            found.insert(format!("{name}/{}", file.to_string_lossy()));
        }
    }
    assert_eq!(found, listed, "files (left) and cases.txt rows (right)");
    assert!(!listed.is_empty());
}

#[test]
fn fuzz_regressions_keep_their_outcome() {
    let mut failures = Vec::new();
    for case in cases() {
        let bytes = std::fs::read(Path::new(DIR).join(&case.path))
            .unwrap_or_else(|error| panic!("cases.txt:{}: {}: {error}", case.line, case.path));
        let Some(("compile", _)) = case.path.split_once('/') else {
            panic!(
                "cases.txt:{}: {}: only `compile` inputs are replayed here; make an \
                 input of another target a case of the test its target mirrors",
                case.line, case.path
            );
        };
        let source = std::str::from_utf8(&bytes).unwrap_or_else(|_| {
            panic!(
                "cases.txt:{}: {}: the compile target skips non-UTF-8 input",
                case.line, case.path
            )
        });
        let outcome = compile_target(source);
        let ok = match &case.expected {
            Expected::Compiles => outcome == Outcome::Compiled,
            Expected::Refused(codes) => outcome == Outcome::Refused(codes.clone()),
            // compile_target has checked that check and compile agree; a
            // table over the limits is the one answer where they differ.
            Expected::Agree => outcome != Outcome::TableTooLarge,
        };
        if !ok {
            failures.push(format!(
                "cases.txt:{}: {}: expected {:?}, got {outcome:?}",
                case.line, case.path, case.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
