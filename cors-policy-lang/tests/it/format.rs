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

// ---- properties --------------------------------------------------------------

mod properties {
    use super::*;
    use crate::support::set_strategy;
    use cors_policy_lang::lexer::lex;
    use cors_policy_lang::model::{HeaderNames, Origins, Policy, PolicySet};
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(128)
    }

    /// What may stand between two tokens: whitespace, line breaks, blank
    /// lines, comments trailing or on their own line, CRLF, tabs.
    const SEPARATORS: &[&str] = &[
        " ",
        " ",
        " ",
        "  ",
        "\t",
        "\n",
        "\n    ",
        "\n\n\n",
        " # trailing\n",
        "\t\t# tabbed;{}\"\n",
        "\n  # own line\n    ",
        "\r\n",
        "\n# at column 0\n\n",
        "                                        # far right\n",
    ];

    /// Directives that draw diagnostics (errors or warnings) from the
    /// validator, so the codes compared are not always none.
    const EXTRAS: &[&str] = &[
        "",
        "",
        "",
        "bogus 1;",
        "methods get;",
        "origins https://X.example.com:443;",
        "max-age 2d;",
        "credentials maybe;",
        "paths nope;",
    ];

    fn header_args(names: &HeaderNames) -> Vec<String> {
        let mut args: Vec<String> = names.names.clone();
        if names.any {
            args.insert(0, "*".to_string());
        }
        args
    }

    fn directives(policy: &Policy) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut push = |name: &str, args: Vec<String>| {
            let mut directive = vec![name.to_string()];
            directive.extend(args);
            out.push(directive);
        };
        if !policy.paths.is_empty() {
            push("paths", policy.paths.clone());
        }
        match &policy.origins {
            Origins::Any => push("origins", vec!["*".to_string()]),
            Origins::List(list) => push("origins", list.iter().map(ToString::to_string).collect()),
        }
        if !policy.methods.is_empty() {
            push("methods", policy.methods.clone());
        }
        for (name, names) in [
            ("allow-headers", &policy.allow_headers),
            ("expose-headers", &policy.expose_headers),
        ] {
            if names.any || !names.names.is_empty() {
                push(name, header_args(names));
            }
        }
        let on = || vec!["on".to_string()];
        if policy.credentials {
            push("credentials", on());
        }
        if let Some(max_age) = policy.max_age {
            push("max-age", vec![max_age.to_string()]);
        }
        if policy.private_network {
            push("private-network", on());
        }
        if policy.preflight_status != 204 {
            push(
                "preflight-status",
                vec![policy.preflight_status.to_string()],
            );
        }
        if policy.allow_insecure_origins {
            push("allow-insecure-origins", on());
        }
        out
    }

    /// The set as source, directives in an order drawn from `seed`.
    fn render(set: &PolicySet, seed: u64, extra: &str) -> String {
        let mut text = String::new();
        for (index, policy) in set.policies.iter().enumerate() {
            let mut list = directives(policy);
            let len = list.len();
            for i in (1..len).rev() {
                let j = (seed.wrapping_mul(i as u64 + 7).rotate_left(i as u32) % (i as u64 + 1))
                    as usize;
                list.swap(i, j);
            }
            text.push_str(&format!("policy {} {{\n", policy.name));
            for directive in list {
                text.push_str(&format!("    {};\n", directive.join(" ")));
            }
            if index == 0 {
                text.push_str(extra);
            }
            text.push_str("}\n");
        }
        text
    }

    /// The same tokens with `separators` (indices into SEPARATORS, reused
    /// in turn) between them.
    fn scramble(source: &str, separators: &[usize]) -> String {
        let mut out = String::new();
        for (n, token) in lex(source).iter().enumerate() {
            if n > 0 {
                let pick = separators
                    .get(n % separators.len().max(1))
                    .copied()
                    .unwrap_or(0);
                out.push_str(SEPARATORS[pick % SEPARATORS.len()]);
            }
            out.push_str(&source[token.span.clone()]);
        }
        out.push('\n');
        out
    }

    fn tokens(source: &str) -> Vec<String> {
        lex(source)
            .iter()
            .map(|t| source[t.span.clone()].to_string())
            .collect()
    }

    fn codes(source: &str) -> (Option<Vec<u8>>, Vec<Code>) {
        let checked = check(source);
        let codes = checked.diagnostics.iter().map(|d| d.code).collect();
        (checked.table, codes)
    }

    proptest! {
        #![proptest_config(Config { cases: cases(), ..Config::default() })]

        /// Formatting never changes the compiled table nor the codes of
        /// the diagnostics, keeps every token in order, and is idempotent.
        #[test]
        fn formatting_keeps_the_meaning(
            set in set_strategy(),
            seed in any::<u64>(),
            extra in prop::sample::select(EXTRAS),
            separators in prop::collection::vec(0..SEPARATORS.len(), 1..64),
        ) {
            let source = scramble(&render(&set, seed, extra), &separators);
            let formatted = format_source(&source)
                .unwrap_or_else(|e| panic!("{e}: {e:?}\n{source}"));
            prop_assert_eq!(codes(&formatted), codes(&source), "{}\n---\n{}", source, formatted);
            prop_assert_eq!(tokens(&formatted), tokens(&source));
            prop_assert_eq!(format_source(&formatted), Ok(formatted.clone()));
            if extra.is_empty() {
                prop_assert!(check(&source).table.is_some() || !check(&source).diagnostics.is_empty());
            }
        }

        /// Any text over the language's special characters: the formatter
        /// never panics; what it formats keeps its tokens and is a fixed
        /// point.
        #[test]
        fn any_text_is_formatted_or_refused(
            pieces in prop::collection::vec(
                prop::sample::select(&[
                    "a", "bb", "{", "}", ";", "\"s\"", "\"open", "~\"r\"", "~", "#c", "# c;{\n",
                    " ", "\n", "\r\n", "\t", "\u{feff}", "é", "\u{a0}", "\\",
                ][..]),
                0..80,
            ),
        ) {
            let source: String = pieces.concat();
            if let Ok(formatted) = format_generic(&source) {
                prop_assert_eq!(tokens(&formatted), tokens(&source));
                prop_assert_eq!(format_generic(&formatted), Ok(formatted.clone()));
            }
            if let Ok(formatted) = format_source(&source) {
                prop_assert_eq!(codes(&formatted), codes(&source));
            }
        }
    }
}

// ---- hostile inputs ----------------------------------------------------------

/// Inputs built to be slow or to blow up the output: each finishes within
/// seconds (in a debug build) with a result or a refusal.
#[test]
fn hostile_inputs_finish_fast() {
    const MIB: usize = 1 << 20;
    let cases: Vec<(&str, String)> = vec![
        (
            "half a million one-letter values",
            format!("policy p {{ a {}; }}", "a ".repeat(MIB / 2)),
        ),
        (
            "a long name over many values",
            format!(
                "policy p {{ {} {}; }}",
                "n".repeat(100_000),
                "a ".repeat(100_000)
            ),
        ),
        ("a million nested braces", "{".repeat(MIB)),
        ("nested blocks", "a {".repeat(MIB / 3)),
        ("closing braces", "}".repeat(MIB)),
        ("a million comment lines", "# c\n".repeat(MIB / 4)),
        (
            "a million blank lines",
            format!("{}policy p {{}}", "\n".repeat(MIB)),
        ),
        (
            "one huge comment",
            format!("policy p {{ #{}\n}}", "c".repeat(4 * MIB)),
        ),
        (
            "one huge word",
            format!("policy p {{ origins {}; }}", "w".repeat(4 * MIB)),
        ),
        (
            "many policies",
            "policy p { origins *; } # c\n".repeat(50_000),
        ),
        (
            "trailing comments in many columns",
            (0..20_000)
                .map(|n| format!("a{}; {:n$}# c\n", "", "", n = n % 300))
                .collect::<String>(),
        ),
        ("semicolons", ";".repeat(MIB)),
        ("unterminated strings", "a \"x\n".repeat(MIB / 8)),
    ];
    for (what, source) in cases {
        let started = std::time::Instant::now();
        let generic = format_generic(&source);
        let checked = format_source(&source);
        if let Ok(output) = &generic {
            assert!(output.len() <= 4 * source.len() + (1 << 20), "{what}");
        }
        if let Ok(output) = &checked {
            assert_eq!(Ok(output), generic.as_ref(), "{what}");
        }
        let elapsed = started.elapsed();
        assert!(elapsed.as_secs() < 20, "{what}: {elapsed:?}");
    }
    // The long name over many values is refused for its size.
    let source = format!(
        "policy p {{ {} {}; }}",
        "n".repeat(100_000),
        "a ".repeat(100_000)
    );
    assert!(matches!(
        format_source(&source),
        Err(FormatError::TooLarge { .. })
    ));
}
