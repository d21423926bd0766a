//! Golden-file tests for diagnostics: each `tests/ui/NAME.corspolicy` is
//! checked and its rich rendering compared with `tests/ui/NAME.stderr`.
//! Run with `BLESS=1` to rewrite the expected files after a deliberate
//! change, then review the diff.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use cors_policy_lang::{check, Code, RenderStyle};

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("ui")
}

/// Every `.corspolicy` file under `tests/ui`, sorted.
fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(ui_dir())
        .expect("tests/ui exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "corspolicy"))
        .collect();
    cases.sort();
    cases
}

fn render(path: &Path) -> String {
    let source = fs::read_to_string(path).expect("readable case");
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .expect("UTF-8 file name");
    check(&source)
        .diagnostics
        .render(name, &source, RenderStyle::Rich)
}

#[test]
fn golden_files_match() {
    let bless = std::env::var_os("BLESS").is_some_and(|value| value == "1");
    let mut failures = Vec::new();
    for case in cases() {
        let actual = render(&case);
        let expected_path = case.with_extension("stderr");
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

#[test]
fn every_code_has_a_golden_file() {
    let mut covered = BTreeSet::new();
    for case in cases() {
        let expected = fs::read_to_string(case.with_extension("stderr")).unwrap_or_default();
        for code in Code::ALL {
            if expected.contains(&format!("[{}]", code.as_str())) {
                covered.insert(*code);
            }
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !covered.contains(code))
        // Import codes are about settings files: corsc's import goldens.
        .filter(|code| !code.is_import())
        // A failed test is reported by `corsc test`, never by `check`:
        // corsc's `policy_tests` suite covers it.
        .filter(|code| **code != Code::TestFailed)
        .map(|code| code.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a golden file in tests/ui: {missing:?}"
    );
}

#[test]
fn short_style_is_one_line_per_diagnostic() {
    let source = "policy api {\n    orgins https://x.com;\n    methods get;\n}\n";
    let checked = check(source);
    let short = checked
        .diagnostics
        .render("api.corspolicy", source, RenderStyle::Short);
    // No "policy `api` has no `origins`" (CORS0016): `orgins` is that
    // directive misspelled, and CORS0010 already says "did you mean".
    assert_eq!(
        short,
        "api.corspolicy:2:5: error[CORS0010]: unknown directive `orgins`\n\
         api.corspolicy:3:13: error[CORS0051]: method `get` would never match\n"
    );
}

/// Each common slip (`tests/ui/slip_*.corspolicy`: a missing `;` or `}`,
/// `origin` for `origins`, `=` or `:` after a name, a comma, quoted or
/// bracketed list, `True`/`false` for `on`/`off`) gets exactly one
/// diagnostic, never a cascade; its golden file pins the text.
#[test]
fn each_slip_gets_exactly_one_diagnostic() {
    let slips: Vec<PathBuf> = cases()
        .into_iter()
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("slip_"))
        })
        .collect();
    assert!(slips.len() >= 12, "{slips:?}");
    for path in slips {
        let source = fs::read_to_string(&path).expect("readable case");
        let checked = check(&source);
        assert_eq!(
            checked.diagnostics.len(),
            1,
            "{}: {}",
            path.display(),
            render(&path)
        );
        let help = checked
            .diagnostics
            .iter()
            .next()
            .and_then(|d| d.help.clone());
        assert!(help.is_some(), "{}: no help", path.display());
    }
}

#[test]
fn valid_files_have_no_golden_errors() {
    // The README's example policy compiles without a diagnostic (the legacy
    // `private-network on` warning has its own case, private_network_on).
    let source = include_str!("../ui/valid_design_example.corspolicy");
    let checked = check(source);
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [], "{:?}", checked.diagnostics);
    assert!(checked.model.is_some());
}

/// 8,001 copies of one origin on one line: 8,000 identical warnings, two
/// rendered in full, the rest counted exactly in one line; the output is
/// a few KiB, not (as it was) 8,000 renders of a 120 KiB line.
#[test]
fn identical_diagnostics_on_one_line_are_grouped_and_bounded() {
    let source = format!(
        "policy a {{ origins {}; }}\n",
        vec!["https://a.test"; 8001].join(" ")
    );
    let checked = check(&source);
    assert_eq!(checked.diagnostics.warning_count(), 8000);
    assert_eq!(
        checked.diagnostics.iter().count(),
        8000,
        "iter() keeps every one"
    );

    let rich = checked
        .diagnostics
        .render("dup.corspolicy", &source, RenderStyle::Rich);
    assert!(rich.len() < 4096, "{} bytes:\n{rich}", rich.len());
    assert_eq!(rich.matches("warning[CORS0043]").count(), 3, "{rich}");
    assert_eq!(rich.matches("--> dup.corspolicy:1:").count(), 2, "{rich}");
    assert!(
        rich.contains(
            "warning[CORS0043]: origin `https://a.test` is listed twice ... and 7,998 more like this\n"
        ),
        "{rich}"
    );

    let short = checked
        .diagnostics
        .render("dup.corspolicy", &source, RenderStyle::Short);
    let lines: Vec<&str> = short.lines().collect();
    assert_eq!(lines.len(), 3, "{short}");
    // The summary is located at the first duplicate left out (the third).
    let third = 19 + 3 * 15 + 1;
    assert_eq!(
        lines[2],
        format!("dup.corspolicy:1:{third}: warning[CORS0043]: origin `https://a.test` is listed twice ... and 7,998 more like this")
    );
}

/// Distinct diagnostics on one long line are each rendered, with a window
/// of the line: the output grows with their number, not with the line.
#[test]
fn long_lines_are_windowed_with_true_columns() {
    // 8,000 different invalid methods, after a valid 1 MiB path prefix of
    // multi-byte text, all on one line.
    let filler = "é".repeat(512 * 1024);
    let methods: Vec<String> = (0..8000).map(|i| format!("g@{i}")).collect();
    let source = format!(
        "policy a {{ origins https://a.test; paths \"/{filler}\"; methods {}; }}\n",
        methods.join(" ")
    );
    assert_eq!(check(&source).diagnostics.error_count(), 8000);
    let checked = check(&source);
    let rich = checked
        .diagnostics
        .render("long.corspolicy", &source, RenderStyle::Rich);
    assert!(
        rich.len() < 8000 * 1024,
        "{} bytes for {} diagnostics",
        rich.len(),
        checked.diagnostics.len()
    );
    assert!(!rich.contains(&"é".repeat(200)), "the long line is cut");
    // Every location is the real column, in characters.
    for d in checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "CORS0050")
        .take(50)
    {
        let column = source[..d.span.start].chars().count() + 1;
        assert!(
            rich.contains(&format!("--> long.corspolicy:1:{column}\n")),
            "column {column} missing"
        );
    }
    let one = &rich[..rich.find("\n\n").expect("a blank line")];
    assert!(one.len() < 1024, "one diagnostic is small:\n{one}");
    assert!(one.contains("..."), "{one}");
}

mod never_panics {
    use cors_policy_lang::{check, RenderStyle};
    use proptest::prelude::*;

    /// Fragments that steer random input towards the interesting paths.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("policy ".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(";".to_string()),
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("\n".to_string()),
            Just(" origins ".to_string()),
            Just(" credentials on;".to_string()),
            Just("https://*.".to_string()),
            Just("[::1]".to_string()),
            Just(":*".to_string()),
            Just("é".to_string()),
            Just("#".to_string()),
            "[a-z0-9.:/*-]{0,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn check_and_render_never_panic(parts in proptest::collection::vec(fragment(), 0..24)) {
            let source: String = parts.concat();
            let checked = check(&source);
            let _ = checked.diagnostics.render("fuzz.corspolicy", &source, RenderStyle::Rich);
            let _ = checked.diagnostics.render("fuzz.corspolicy", &source, RenderStyle::Short);
        }
    }
}
