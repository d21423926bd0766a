//! `corsc import django`: golden files, the CLI as a process, the outputs
//! checked by corsc, django's origin decisions compared with corsc's, and
//! the Python reader fed arbitrary and mutated input.
//!
//! Golden files live in `tests/import/`: `NAME.py` is imported, and the
//! output must equal `NAME.corspolicy` (stdout) and `NAME.stderr`
//! (diagnostics). `CORSC_BLESS=1 cargo test -p corsc --test import_django` rewrites
//! them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use cors_match_core::{Request, Table};
use corsc::import::{django, python};
use proptest::prelude::*;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import")
}

/// Every `NAME.py` in `tests/import/`, sorted.
fn cases() -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = fs::read_dir(dir())
        .expect("tests/import exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? != "py" {
                return None;
            }
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            let source = fs::read_to_string(&path).ok()?;
            Some((stem, source))
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "golden cases are missing");
    cases
}

fn import(stem: &str, source: &str) -> (String, String, bool) {
    let import = django::import(source, stem);
    (
        import.policy.clone(),
        import.render_diagnostics(&format!("{stem}.py"), source),
        import.is_complete(),
    )
}

#[test]
fn golden() {
    let bless = std::env::var_os("CORSC_BLESS").is_some();
    let mut failures = Vec::new();
    for (stem, source) in cases() {
        let (policy, stderr, _) = import(&stem, &source);
        for (ext, actual) in [("corspolicy", &policy), ("stderr", &stderr)] {
            let path = dir().join(format!("{stem}.{ext}"));
            if bless {
                fs::write(&path, actual).expect("write golden file");
                continue;
            }
            let expected = fs::read_to_string(&path).unwrap_or_default();
            if &expected != actual {
                failures.push(format!(
                    "{} differs (CORSC_BLESS=1 to accept):\n--- expected\n{expected}\n--- actual\n{actual}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Which imports are complete (exit 0) and which are not (exit 1).
#[test]
fn completeness() {
    let incomplete = [
        "allow_all_credentials",
        "computed",
        "headers_plus",
        "null_credentials",
        "odd_values",
        // The lookaround and `re.IGNORECASE` patterns, which corsc refuses.
        "unanchored_regex",
        "urls_non_prefix",
    ];
    for (stem, source) in cases() {
        let (_, stderr, complete) = import(&stem, &source);
        assert_eq!(
            complete,
            !incomplete.contains(&stem.as_str()),
            "{stem}: {stderr}"
        );
    }
}

/// Every import code (CORS0090...) is reported by some golden case (or one
/// of the few below), and the importer reports no other code.
#[test]
fn every_import_code_has_a_case() {
    let more = [
        // CORS0091: a value of the wrong type.
        "CORS_PREFLIGHT_MAX_AGE = \"600\"\nCORS_ALLOW_HEADERS = [\"x-a\", 1]\n",
    ];
    let more = more
        .iter()
        .map(|source| ("more".to_string(), source.to_string()));
    let mut seen = std::collections::BTreeSet::new();
    for (stem, source) in cases().into_iter().chain(more) {
        for d in &django::import(&source, &stem).diagnostics {
            assert!(d.code.is_import(), "{stem}: {d:?}");
            seen.insert(d.code);
        }
    }
    let missing: Vec<&str> = cors_policy_lang::Code::ALL
        .iter()
        .filter(|code| code.is_import() && !seen.contains(*code))
        .map(|code| code.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "import codes without a case: {missing:?}"
    );
}

/// The errors `corsc check` reports on a golden output, where a refusal is
/// intended; every other output without regexes must have none.
fn intended_errors(stem: &str) -> &'static [&'static str] {
    match stem {
        // `origins *` with credentials is commented out: no origins left.
        "allow_all_credentials" => &["CORS0016"],
        // `null` with credentials is kept, for the user to decide.
        "null_credentials" => &["CORS0040"],
        // Nothing imported for the origins.
        "computed" => &["CORS0016"],
        _ => &[],
    }
}

#[test]
fn golden_outputs_without_regexes_pass_check() {
    for (stem, source) in cases() {
        let (policy, _, _) = import(&stem, &source);
        if policy.contains("~\"") {
            continue;
        }
        let checked = cors_policy_lang::check(&policy);
        let errors: Vec<&str> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == cors_policy_lang::Severity::Error)
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(
            errors,
            intended_errors(&stem),
            "{stem}:\n{}",
            checked.diagnostics.render(
                &format!("{stem}.corspolicy"),
                &policy,
                cors_policy_lang::RenderStyle::Short
            )
        );
    }
}

#[test]
fn golden_outputs_with_regexes_pass_check_needs_regex_origins() {
    for (stem, source) in cases() {
        let (policy, _, _) = import(&stem, &source);
        if !policy.contains("~\"") {
            continue;
        }
        let checked = cors_policy_lang::check(&policy);
        // The refusals meant: the lookaround and the case-insensitive
        // pattern in `unanchored_regex.py`, which the importer warns about.
        let refused_lines: Vec<usize> = policy
            .lines()
            .enumerate()
            .filter(|(_, line)| line.contains("~\"(?i)") || line.contains("(?!"))
            .map(|(i, _)| i + 1)
            .collect();
        for d in checked.diagnostics.iter() {
            if d.severity != cors_policy_lang::Severity::Error {
                continue;
            }
            let line = policy[..d.span.start.min(policy.len())]
                .matches('\n')
                .count()
                + 1;
            assert!(
                refused_lines.contains(&line),
                "{stem}:{line}: unexpected {}: {}",
                d.code.as_str(),
                d.message
            );
        }
        if stem == "unanchored_regex" {
            assert!(
                checked.diagnostics.has_errors(),
                "the lookaround must be refused"
            );
        }
    }
}

fn corsc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_corsc"))
        .args(args)
        .output()
        .expect("corsc runs")
}

#[test]
fn cli_prints_the_policy_and_the_diagnostics() {
    let file = dir().join("odd_values.py");
    let file = file.to_str().expect("UTF-8 path");
    let output = corsc(&["import", "django", file]);
    let expected = fs::read_to_string(dir().join("odd_values.corspolicy")).expect("golden");
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected_stderr = fs::read_to_string(dir().join("odd_values.stderr"))
        .expect("golden")
        .replace("odd_values.py:", &format!("{file}:"));
    assert_eq!(stderr, expected_stderr);
    assert!(stderr.contains(&format!(
        "{file}:3:5: error: cannot import CORS_ALLOW_ALL_ORIGINS"
    )));
    assert_eq!(output.status.code(), Some(1));

    // Complete: exit 0; `-o` writes the file and nothing to stdout.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-defaults.corspolicy");
    let _ = fs::remove_file(&out);
    let file = dir().join("defaults.py");
    let output = corsc(&[
        "import",
        "django",
        file.to_str().expect("UTF-8 path"),
        "-o",
        out.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stdout.is_empty());
    assert_eq!(
        fs::read_to_string(&out).expect("written"),
        fs::read_to_string(dir().join("defaults.corspolicy")).expect("golden")
    );
    // The written policy compiles.
    let checked = corsc(&["check", out.to_str().expect("UTF-8 path")]);
    assert_eq!(checked.status.code(), Some(0), "{checked:?}");

    // Refused: exit 1, the policy is still printed.
    let file = dir().join("allow_all_credentials.py");
    let output = corsc(&["import", "django", file.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("# origins *;"));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains(":1:1: error: refusing CORS_ALLOW_ALL_ORIGINS = True"));

    // Unreadable: exit 2.
    let output = corsc(&["import", "django", "/nonexistent/settings.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no such file"));
}

// ---------------------------------------------------------------------
// The importer never emits what `check` refuses.

/// The import is refused (not complete), or its output passes `corsc check`
/// with no error and compiles.
fn refused_or_clean(settings: &str) -> Result<(), String> {
    let import = django::import(settings, "p");
    let checked = cors_policy_lang::check(&import.policy);
    if import.is_complete() {
        if checked.diagnostics.has_errors() {
            return Err(format!(
                "complete import refused by check:\n{settings}\n{}\n{}",
                import.policy,
                checked.diagnostics.render(
                    "p",
                    &import.policy,
                    cors_policy_lang::RenderStyle::Short
                )
            ));
        }
        cors_policy_lang::compile(&import.policy).map_err(|e| format!("{e}: {settings}"))?;
    }
    // The import's own copy of check's diagnostics is the same.
    if checked.diagnostics != import.checked {
        return Err(format!("import.checked differs from check: {settings}"));
    }
    Ok(())
}

#[test]
fn known_values_are_translated_or_refused() {
    let cases: &[(&str, Option<&str>)] = &[
        // urlsplit strips leading C0 controls and spaces (not trailing).
        (r#"[" https://b.test"]"#, Some("https://b.test")),
        (r#"["\x00\x1f https://b.test"]"#, Some("https://b.test")),
        (r#"["\thttps://b.test"]"#, Some("https://b.test")),
        (r#"["https://b.\ntest"]"#, Some("https://b.test")),
        (r#"["https://b.test "]"#, None),
        (r#"["https://"]"#, None),
        (r#"["https:///x"]"#, None),
        (r#"[""]"#, None),
        (r#"["b.test"]"#, None),
        (r#"["localhost:3000"]"#, None),
        (r#"["https://*.b.test"]"#, None),
        (r#"["https://u@b.test"]"#, None),
        (r#"["https://[::1"]"#, None),
        (r#"["https://bücher.test"]"#, None),
        (r#"["HTTPS://B.test:443/?q#f"]"#, Some("https://b.test")),
        (r#"["http://b.test:8080"]"#, Some("http://b.test:8080")),
    ];
    for (value, expected) in cases {
        let settings = format!("CORS_ALLOWED_ORIGINS = {value}\n");
        let import = django::import(&settings, "p");
        refused_or_clean(&settings).unwrap();
        match expected {
            Some(origin) => {
                assert!(import.is_complete(), "{value}: {:?}", import.diagnostics);
                assert!(
                    import.policy.contains(&format!("    origins {origin};")),
                    "{value}:\n{}",
                    import.policy
                );
            }
            None => {
                assert!(!import.is_complete(), "{value}:\n{}", import.policy);
                // An error names the setting and the value.
                assert!(
                    import.diagnostics.iter().any(|d| {
                        d.severity == cors_policy_lang::Severity::Error
                            && d.message.starts_with("cannot import \"")
                            && d.message.contains(" from CORS_ALLOWED_ORIGINS: ")
                    }),
                    "{value}: {:?}",
                    import.diagnostics
                );
            }
        }
    }
}

#[test]
fn cli_refuses_origins_django_never_matched_and_strips_leading_space() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-refused");
    fs::create_dir_all(&dir).expect("scratch directory");
    let settings = dir.join("settings.py");
    fs::write(
        &settings,
        "CORS_ALLOWED_ORIGINS = [\" https://b.test\", \"https://\"]\n",
    )
    .expect("write settings");
    let output = corsc(&["import", "django", settings.to_str().expect("UTF-8 path")]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stdout.contains("    origins https://b.test;"), "{stdout}");
    assert!(
        stderr.contains("error: cannot import \"https://\" from CORS_ALLOWED_ORIGINS"),
        "{stderr}"
    );
    assert!(stderr.contains("corsheaders.E013"), "{stderr}");
    // What was written passes check.
    let out = dir.join("p.corspolicy");
    fs::write(&out, stdout.as_bytes()).expect("write policy");
    let checked = corsc(&["check", out.to_str().expect("UTF-8 path")]);
    assert_eq!(checked.status.code(), Some(0), "{checked:?}");

    // A translation corsc refuses (a lookaround) exits 1 and shows check's
    // error rendered against the generated text.
    fs::write(
        &settings,
        "CORS_ALLOWED_ORIGIN_REGEXES = [r\"^https://(?!x)a\\.com$\"]\n",
    )
    .expect("write settings");
    let output = corsc(&["import", "django", settings.to_str().expect("UTF-8 path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused by `corsc check`"), "{stderr}");
    assert!(
        stderr.contains("(from CORS_ALLOWED_ORIGIN_REGEXES)"),
        "{stderr}"
    );
    assert!(stderr.contains("--> <generated policy>:"), "{stderr}");
    assert!(stderr.contains("error[CORS0045]"), "{stderr}");
}

/// One generated settings value: mostly origin-shaped strings with odd
/// parts (whitespace and controls around them, upper case, ports, paths,
/// schemes without hosts), else free mixes of the pieces that trip
/// translations (empty parts, wildcards, userinfo, brackets, quotes).
fn origin_text() -> impl Strategy<Value = String> {
    let around = prop_oneof![
        12 => Just(""), 1 => Just(" "), 1 => Just("\t"), 1 => Just("\u{0}"), 1 => Just("\n"),
    ];
    let shaped = (
        around.clone(),
        prop_oneof![
            4 => Just("https"), 3 => Just("http"), 1 => Just("HTTPS"), 1 => Just("ftp"), 1 => Just(""),
        ],
        prop_oneof![10 => Just("://"), 1 => Just(":/"), 1 => Just("")],
        prop_oneof![
            3 => Just("a.test"), 2 => Just("App.Example.com"), 2 => Just("localhost"),
            2 => Just("127.0.0.1"), 2 => Just("[::1]"), 2 => Just("xn--bcher-kva.test"),
            1 => Just(""), 1 => Just("a..test"),
        ],
        prop_oneof![
            6 => Just(""), 1 => Just(":443"), 1 => Just(":80"), 2 => Just(":8080"), 1 => Just(":"),
        ],
        prop_oneof![6 => Just(""), 1 => Just("/"), 1 => Just("/path"), 1 => Just("?q"), 1 => Just("#f")],
        around,
    )
        .prop_map(|(a, s, sep, h, port, path, b)| format!("{a}{s}{sep}{h}{port}{path}{b}"));
    prop_oneof![3 => shaped, 1 => free_origin_text()]
}

fn free_origin_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(""),
            Just(" "),
            Just("\t"),
            Just("\n"),
            Just("\u{1}"),
            Just("https"),
            Just("HTTP"),
            Just("http"),
            Just("ftp"),
            Just("://"),
            Just(":"),
            Just("//"),
            Just("a.test"),
            Just("B.Test"),
            Just("localhost"),
            Just("127.0.0.1"),
            Just("[::1]"),
            Just("["),
            Just("]"),
            Just("*."),
            Just("*"),
            Just(":443"),
            Just(":80"),
            Just(":8080"),
            Just(":0"),
            Just(":99999"),
            Just("/"),
            Just("/path"),
            Just("?q"),
            Just("#f"),
            Just("@"),
            Just("user@"),
            Just("."),
            Just("-"),
            Just("é"),
            Just("null"),
            Just("file://"),
            Just("\""),
            Just("\\"),
            Just(";"),
            Just("~"),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn python_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn origin_lists_are_refused_or_pass_check(
        origins in proptest::collection::vec(origin_text(), 1..4),
        credentials in proptest::bool::weighted(0.3),
    ) {
        let settings = format!(
            "CORS_ALLOWED_ORIGINS = [{}]\nCORS_ALLOW_CREDENTIALS = {}\n",
            origins.iter().map(|o| python_string(o)).collect::<Vec<_>>().join(", "),
            if credentials { "True" } else { "False" },
        );
        prop_assert!(refused_or_clean(&settings).is_ok(), "{}", refused_or_clean(&settings).unwrap_err());
    }

    #[test]
    fn imports_are_refused_or_pass_check(
        origins in proptest::collection::vec(origin_text(), 0..3),
        regexes in proptest::collection::vec(
            prop_oneof![
                origin_text().prop_map(|t| regex_syntax::escape(&t)),
                Just(r"^https://\w+\.example\.com$".to_string()),
                Just(r"^https://a\.test".to_string()),
                Just(r"^https://(?!x)a\.test$".to_string()),
                Just(r"^https://.*$".to_string()),
                Just("(?i)^https://a\\.test$".to_string()),
            ],
            0..2,
        ),
        credentials in proptest::bool::weighted(0.3),
        allow_all in prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
        methods in proptest::collection::vec(
            prop_oneof![
                4 => Just("GET"), 2 => Just("get"), 2 => Just("PATCH"), 1 => Just("TRACE"),
                1 => Just(""), 1 => Just("X Y"), 1 => Just(" POST"),
            ],
            0..3,
        ),
        headers in proptest::collection::vec(
            prop_oneof![
                4 => Just("x-a"), 2 => Just("X-A"), 1 => Just(""), 1 => Just("a b"),
                1 => Just("*"), 1 => Just("cookie"), 1 => Just("x-a "),
            ],
            0..3,
        ),
        max_age in prop_oneof![Just(None), Just(Some(-1i64)), Just(Some(0)), Just(Some(7201)), Just(Some(100_000))],
        urls in prop_oneof![
            4 => Just(None), 2 => Just(Some("^/api/.*$")), 1 => Just(Some("^/a b/")), 1 => Just(Some("^/x$")),
        ],
    ) {
        let list = |items: Vec<String>| format!("[{}]", items.join(", "));
        let mut settings = format!(
            "CORS_ALLOWED_ORIGINS = {}\nCORS_ALLOW_CREDENTIALS = {}\n",
            list(origins.iter().map(|o| python_string(o)).collect()),
            if credentials { "True" } else { "False" },
        );
        if !regexes.is_empty() {
            settings += &format!(
                "CORS_ALLOWED_ORIGIN_REGEXES = {}\n",
                list(regexes.iter().map(|r| python_string(r)).collect())
            );
        }
        if let Some(all) = allow_all {
            settings += &format!("CORS_ALLOW_ALL_ORIGINS = {}\n", if all { "True" } else { "False" });
        }
        if !methods.is_empty() {
            settings += &format!("CORS_ALLOW_METHODS = {}\n", list(methods.iter().map(|m| python_string(m)).collect()));
        }
        if !headers.is_empty() {
            settings += &format!("CORS_ALLOW_HEADERS = {}\n", list(headers.iter().map(|h| python_string(h)).collect()));
        }
        if let Some(age) = max_age {
            settings += &format!("CORS_PREFLIGHT_MAX_AGE = {age}\n");
        }
        if let Some(urls) = urls {
            settings += &format!("CORS_URLS_REGEX = r\"{urls}\"\n");
        }
        prop_assert!(refused_or_clean(&settings).is_ok(), "{}", refused_or_clean(&settings).unwrap_err());
    }
}

// ---------------------------------------------------------------------
// django's decision, emulated, against corsc's.

/// `urlsplit(origin)`'s scheme (lower-cased, as Python does) and netloc.
fn urlsplit(origin: &str) -> (String, String) {
    match origin.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            (scheme.to_ascii_lowercase(), rest[..end].to_string())
        }
        _ => (String::new(), String::new()),
    }
}

/// django-cors-headers 4's `origin_found_in_white_lists` (plus allow-all).
fn django_allows(allow_all: bool, origins: &[&str], regexes: &[&str], origin: &str) -> bool {
    if origin.is_empty() {
        // `if not origin: return response`
        return false;
    }
    if allow_all {
        return true;
    }
    if origin == "null" && origins.contains(&"null") {
        return true;
    }
    let url = urlsplit(origin);
    if origins.iter().any(|o| urlsplit(o) == url) {
        return true;
    }
    regexes.iter().any(|pattern| {
        regex::Regex::new(&format!("^(?:{pattern})"))
            .expect("valid regex")
            .is_match(origin)
    })
}

/// corsc's decision on an actual GET with this Origin.
fn corsc_allows(policy: &Table<'_>, origin: &str) -> bool {
    let outcome = policy.eval(&Request {
        origin: Some(origin.as_bytes()),
        ..Request::new(b"GET", b"/api/x")
    });
    outcome.header("access-control-allow-origin").is_some()
}

/// Whether a browser could send this `Origin` (the serialized form).
fn browser_form(origin: &str) -> bool {
    if origin == "null" {
        return true;
    }
    let Some((scheme, host)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !host.is_empty()
        && !host.contains(['/', '?', '#', '@', ' '])
        && !host.chars().any(|c| c.is_ascii_uppercase())
        && !host.ends_with('.')
        && !host.ends_with(if scheme == "https" { ":443" } else { ":80" })
}

const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://admin.example.com",
    "http://localhost:3000",
    "http://localhost:3001",
    "https://api.example.com:8443",
    "https://api.example.com",
    "null",
    // suffix and prefix tricks
    "https://app.example.com.evil.net",
    "https://evilapp.example.com",
    "https://app.example.comm",
    "https://xapp.example.com",
    "https://app.example.co",
    "https://sub.app.example.com",
    "http://app.example.com",
    "https://app.example.com:8443",
    "https://app.example.com:443",
    // not what a browser sends
    "https://APP.example.com",
    "HTTPS://app.example.com",
    "https://app.example.com/",
    "https://app.example.com/path",
    "https://app.example.com?",
    "https://app.example.com.",
    "https://user@app.example.com",
    " https://app.example.com",
    "https://app.example.com ",
    "https://app.example.com, https://evil.net",
    "Null",
    "",
    "file://",
    "https://evil.net",
    "https://pr-12.preview.example.com",
    "https://pr-12.preview.example.com.evil.net",
    "https://pr-.preview.example.com",
    "https://x.example.com",
    "https://X.example.com",
];

#[test]
fn literal_origins_are_decided_as_django_did() {
    let listed = [
        "https://app.example.com",
        "http://localhost:3000",
        "https://api.example.com:8443",
        "https://Admin.Example.com/",
        "null",
    ];
    let settings = format!(
        "CORS_ALLOWED_ORIGINS = [{}]\n",
        listed
            .iter()
            .map(|o| format!("{o:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for allow_all in [false, true] {
        let settings = if allow_all {
            format!("{settings}CORS_ALLOW_ALL_ORIGINS = True\n")
        } else {
            settings.clone()
        };
        let import = django::import(&settings, "equivalence");
        let compiled = cors_policy_lang::compile(&import.policy)
            .unwrap_or_else(|e| panic!("{e}: {:?}\n{}", e, import.policy));
        let policy = Table::from_bytes(&compiled.table).expect("table loads");
        for origin in ORIGINS {
            let django = django_allows(allow_all, &listed, &[], origin);
            let corsc = corsc_allows(&policy, origin);
            if allow_all {
                // `origins *` sends its headers to every request, with an
                // Origin or without (cors-policy-lang/README.md, "Evaluation in brief").
                assert_eq!(django || origin.is_empty(), corsc, "{origin} (allow-all)");
            } else if browser_form(origin) {
                if *origin == "https://admin.example.com" {
                    // Documented: django compared "Admin.Example.com" with
                    // the browser's lower-case host and never matched;
                    // corsc lower-cases the listed origin.
                    assert!(!django && corsc, "{origin}");
                } else {
                    assert_eq!(django, corsc, "{origin}");
                }
            } else if django != corsc {
                // Documented: django compared urlsplit() scheme and netloc,
                // so a trailing slash, a path, a query or an upper-case
                // scheme still matched; corsc compares the serialized form.
                assert!(django && !corsc, "{origin}: corsc must not allow more");
            }
        }
    }
}

#[test]
fn regex_origins_are_decided_as_django_did_needs_regex_origins() {
    let regexes = [
        r"^https://\w+\.example\.com$",
        r"^https://pr-\d+\.preview\.example\.com",
        r"^http://localhost:\d+$",
    ];
    let settings = format!(
        "CORS_ALLOWED_ORIGIN_REGEXES = [{}]\n",
        regexes
            .iter()
            .map(|o| format!("r\"{o}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let import = django::import(&settings, "equivalence");
    let compiled = cors_policy_lang::compile(&import.policy)
        .unwrap_or_else(|e| panic!("{e}: {:?}\n{}", e, import.policy));
    let policy = Table::from_bytes(&compiled.table).expect("table loads");
    for origin in ORIGINS {
        let django = django_allows(false, &[], &regexes, origin);
        let corsc = corsc_allows(&policy, origin);
        if django == corsc {
            continue;
        }
        // corsc never allows what django did not.
        assert!(django && !corsc, "{origin}");
        // Documented: django matched at the start only (an unanchored
        // pattern accepts longer origins), and `\w` matched upper case that
        // browsers never send.
        let prefix_only = regexes.iter().any(|p| {
            regex::Regex::new(&format!("^(?:{p})"))
                .expect("regex")
                .is_match(origin)
                && !regex::Regex::new(&format!("^(?:{p})$"))
                    .expect("regex")
                    .is_match(origin)
        });
        assert!(prefix_only || !browser_form(origin), "{origin}");
    }
}

#[test]
fn settings_text_cannot_inject_directives() {
    let settings = r#"
CORS_ALLOWED_ORIGINS = ['https://a.example.com', 'https://b.example.com\n}\npolicy evil { origins *; }']
CORS_ALLOWED_ORIGIN_REGEXES = [r'''^https://a\.com$
}
policy evil2 { origins *; }''']
CORS_URLS_REGEX = '''^/api/
}
policy evil3 { origins *; }'''
CORS_ALLOW_HEADERS = ['x-a; } policy evil4 { origins *; } #']
CORS_EXPOSE_HEADERS = ['x-b\n}']
CORS_PREFLIGHT_MAX_AGE = -------------------------------------1
"#;
    let import = django::import(settings, "x");
    for line in import.policy.lines() {
        assert!(
            !line.trim_start().starts_with("policy evil") && !line.starts_with('}') || line == "}",
            "{}",
            import.policy
        );
    }
    let (file, _) = cors_policy_lang::parser::parse(&import.policy);
    assert_eq!(file.policies.len(), 1, "{}", import.policy);
    assert!(!import.is_complete());
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    for value in [
        "[".repeat(100_000),
        "-".repeat(100_000) + "1",
        "(".repeat(100_000),
        "list(".repeat(100_000),
    ] {
        let import = django::import(&format!("CORS_ALLOW_HEADERS = {value}\n"), "x");
        assert!(!import.is_complete());
    }
}

// ---------------------------------------------------------------------
// The Python reader never panics.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_reader_never_panics(source in "\\PC*") {
        let _ = python::parse(&source);
        let _ = django::import(&source, "x");
    }

    #[test]
    fn the_reader_never_panics_on_python_like_text(
        source in proptest::collection::vec(
            prop_oneof![
                Just("CORS_ALLOWED_ORIGINS"), Just("CORS_URLS_REGEX"), Just(" = "), Just("["),
                Just("]"), Just("("), Just(")"), Just(","), Just("\""), Just("'"), Just("'''"),
                Just("r\""), Just("\\"), Just("\n"), Just("    "), Just("*default_headers"),
                Just("re.compile("), Just("re.I"), Just("+"), Just("#"), Just("f'"), Just("1_0"),
                Just("0x"), Just("True"), Just("https://a.com"), Just("^.*$"), Just(":"),
            ],
            0..60,
        )
    ) {
        let source: String = source.concat();
        let _ = django::import(&source, "x");
    }

    #[test]
    fn the_reader_never_panics_on_mutated_settings(
        case in 0usize..64,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let cases = cases();
        let (_, source) = &cases[case % cases.len()];
        let mut bytes = source.clone().into_bytes();
        for (at, byte, kind) in edits {
            let at = if bytes.is_empty() { 0 } else { at % bytes.len() };
            match kind {
                0 if !bytes.is_empty() => { bytes.remove(at); }
                1 => bytes.insert(at, byte),
                _ => bytes.truncate(at),
            }
        }
        let source = String::from_utf8_lossy(&bytes);
        let import = django::import(&source, "x");
        // Whatever the input, the output is a policy file corsc can lex
        // and parse without panicking.
        let _ = cors_policy_lang::check(&import.policy);
    }
}
