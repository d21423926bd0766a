//! Every input a fuzz target ever failed on, kept as a test of the normal
//! suite (`hostile/fuzz-regressions/`): the input as the fuzzer wrote it,
//! in a directory named after the target, and a row of `cases.txt` with the
//! outcome it must have. The checks are the fuzz target's own (its body,
//! `cors_testing::targets::compile_source`), so a regression fails here
//! without a nightly toolchain or a fuzzing run.
//!
//! Only wall-clock-free outcomes are asserted: a slow input is kept for its
//! answer (and the fuzz smoke replays it from `fuzz/seeds/` under
//! libFuzzer's per-input timeout).

use std::collections::BTreeSet;
use std::path::Path;

use cors_testing::targets::{compile_source, CompileOutcome as Outcome};

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
        let outcome = compile_source(source);
        let ok = match &case.expected {
            Expected::Compiles => outcome == Outcome::Compiled,
            Expected::Refused(codes) => outcome == Outcome::Refused(codes.clone()),
            // compile_source has checked that check and compile agree; a
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
