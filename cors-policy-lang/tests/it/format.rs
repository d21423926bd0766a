//! `format_source`: golden files, idempotence, and properties.
//!
//! Each `tests/format/NAME.corspolicy` is formatted and compared with
//! `tests/format/NAME.formatted`; run with `BLESS=1` to rewrite the
//! expected files after a deliberate change, then review the diff. Files
//! named `generic_*` hold items the parser may not know yet (a `test`
//! block) and go through [`format_generic`] only; every other golden is
//! also formatted by [`format_source`], which must agree.

use std::fs;
use std::path::{Path, PathBuf};

use cors_policy_lang::format_source::{format_generic, format_source, FormatError};
use cors_policy_lang::{check, compile, Code};

fn format_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("format")
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(format_dir())
        .expect("tests/format exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "corspolicy"))
        .collect();
    cases.sort();
    cases
}

/// Formats `source`, checking that formatting the result changes nothing.
fn formatted(source: &str) -> String {
    let once = format_generic(source).unwrap_or_else(|e| panic!("{e}: {e:?}"));
    let twice = format_generic(&once).unwrap_or_else(|e| panic!("second pass: {e}: {e:?}"));
    assert_eq!(twice, once, "formatting is not idempotent on:\n{source}");
    once
}

#[test]
fn golden_files_match() {
    let bless = std::env::var_os("BLESS").is_some_and(|value| value == "1");
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 12, "the goldens are missing");
    for case in cases {
        let source = fs::read_to_string(&case).expect("readable case");
        let actual = formatted(&source);
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("generic_") {
            assert_eq!(
                format_source(&source).as_ref(),
                Ok(&actual),
                "{name}: format_source disagrees"
            );
        }
        let expected_path = case.with_extension("formatted");
        if bless {
            fs::write(&expected_path, &actual).expect("writable expected file");
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "--- {}\n--- expected\n{expected}--- actual\n{actual}",
                case.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ (run with BLESS=1 to update):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The formatted goldens are fixed points too, and compile to the same
/// table as their sources.
#[test]
fn goldens_keep_their_meaning() {
    for case in cases() {
        let source = fs::read_to_string(&case).expect("readable case");
        let output = formatted(&source);
        let (before, after) = (check(&source), check(&output));
        assert_eq!(before.table, after.table, "{}", case.display());
        let codes = |c: &cors_policy_lang::Checked| {
            c.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        };
        assert_eq!(codes(&before), codes(&after), "{}", case.display());
    }
}

#[test]
fn examples_are_fixed_points_or_idempotent() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut seen = 0;
    for entry in fs::read_dir(&examples).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|ext| ext != "corspolicy") {
            continue;
        }
        seen += 1;
        let source = fs::read_to_string(&path).expect("readable example");
        let output = format_source(&source).expect("the examples have no syntax errors");
        assert_eq!(
            format_source(&output).as_ref(),
            Ok(&output),
            "{}",
            path.display()
        );
        assert_eq!(
            compile(&source).expect("compiles").table,
            compile(&output).expect("formatted compiles").table,
            "{}",
            path.display()
        );
        if path.ends_with("api.corspolicy") {
            assert_eq!(
                output, source,
                "the README's example is in the canonical layout"
            );
        }
    }
    assert!(seen >= 2);
}

#[test]
fn syntax_errors_are_not_formatted() {
    for source in [
        "policy a { origins *\n}",
        "policy a { origins \"open; }",
        "policy a { origins *; ",
        "origins *;",
        "policy a { origins \"bad\\q\"; }",
        "}",
    ] {
        match format_source(source) {
            Err(FormatError::Syntax(diagnostics)) => {
                assert!(diagnostics.has_errors(), "{source:?}");
                let codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
                assert!(
                    codes.iter().all(|c| c.number() < 10),
                    "{source:?}: only syntax codes, got {codes:?}"
                );
            }
            other => panic!("{source:?}: {other:?}"),
        }
    }
    // Errors of meaning do not stop the formatter.
    assert_eq!(
        format_source("policy a{origins ftp://x:21;methods get;bogus 1;}").as_deref(),
        Ok("policy a {\n    origins ftp://x:21;\n    methods get;\n    bogus 1;\n}\n")
    );
}

#[test]
fn the_generic_grammar_refuses_what_it_cannot_lay_out() {
    for (source, message) in [
        ("}", "unexpected `}`"),
        ("a {", "unclosed block"),
        ("a b", "expected `;` or `{`"),
        ("; a;", "expected a directive"),
        ("\"a\" { }", "expected a directive"),
        ("a \"open\n;", "expected `;` or `{`"),
    ] {
        match format_generic(source) {
            Err(FormatError::Syntax(diagnostics)) => {
                let first = diagnostics.iter().next().expect("one diagnostic");
                assert!(first.message.contains(message), "{source:?}: {first:?}");
            }
            other => panic!("{source:?}: {other:?}"),
        }
    }
    let deep = format!("{}{}", "a {".repeat(9), "}".repeat(9));
    assert!(matches!(format_generic(&deep), Err(FormatError::Syntax(_))));
    let deep_enough = format!("{}{}", "a {".repeat(8), "}".repeat(8));
    assert!(format_generic(&deep_enough).is_ok());
}
