//! `corsc test` run as a process on real files: passing tests, each kind of
//! failed expectation, invalid test blocks, exit codes, the JSON lines, the
//! example's own tests, and the proof that test blocks never change the
//! compiled table.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsc"))
        .args(args)
        .output()
        .expect("corsc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("policy-tests-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, contents).expect("write test file");
    path.display().to_string()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/api.corspolicy")
}

const POLICY: &str = "\
policy api {
    paths /api/;
    origins https://app.example.com;
    methods GET PUT;
    allow-headers content-type;
    credentials on;
    max-age 10m;
}
";

#[test]
fn passing_tests_exit_0_with_a_summary() {
    let dir = scratch("pass");
    let file = write(
        &dir,
        "api.corspolicy",
        &format!(
            "{POLICY}
test \"preflight from the app\" {{
    request OPTIONS /api/users?page=2;
    origin https://app.example.com;
    request-method PUT;
    request-headers content-type;
    expect preflight-allowed;
    expect-status 204;
    expect-header access-control-allow-origin https://app.example.com;
    expect-header Access-Control-Max-Age 600;
    expect-header vary \"Origin, Access-Control-Request-Method, Access-Control-Request-Headers\";
}}

test no-origin {{
    request GET /api/users;
    expect pass;
    expect-reason not-cors;
    expect-header vary Origin;
    expect-no-header access-control-allow-origin;
}}

test elsewhere {{
    request GET /other;
    origin https://app.example.com;
    expect pass;
    expect-reason no-policy;
}}
"
        ),
    );
    let output = corsc(&["test", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!("{file}: 3 passed, 0 failed\n"),
        "only the summary"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn each_failed_expectation_is_reported_at_its_block() {
    let dir = scratch("fail");
    let source = format!(
        "{POLICY}
test decision {{
    request OPTIONS /api/users;
    origin https://app.example.com;
    request-method PUT;
    request-headers content-type authorization;
    expect preflight-allowed;
}}

test reason {{
    request GET /api/users;
    origin https://evil.example;
    expect actual-denied;
    expect-reason method-not-allowed;
}}

test status {{
    request OPTIONS /api/users;
    origin https://app.example.com;
    request-method PUT;
    expect preflight-allowed;
    expect-status 200;
}}

test header-value {{
    request GET /api/users;
    origin https://app.example.com;
    expect actual-allowed;
    expect-header access-control-allow-origin *;
}}

test header-missing {{
    request GET /api/users;
    origin https://app.example.com;
    expect actual-allowed;
    expect-header access-control-expose-headers x-request-id;
}}

test header-present {{
    request GET /api/users;
    origin https://app.example.com;
    expect actual-allowed;
    expect-no-header access-control-allow-credentials;
}}

test passes {{
    request GET /api/users;
    origin https://app.example.com;
    expect actual-allowed;
}}
"
    );
    let file = write(&dir, "api.corspolicy", &source);
    let output = corsc(&["test", &file]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let line_of = |name: &str| {
        source
            .lines()
            .position(|line| line == format!("test {name} {{"))
            .expect("the test is in the source")
            + 1
    };
    for (name, message) in [
        (
            "decision",
            "expected preflight-allowed, got preflight-denied (header-not-allowed)",
        ),
        (
            "reason",
            "expected reason method-not-allowed, got origin-not-allowed",
        ),
        ("status", "expected status 200, got 204"),
        (
            "header-value",
            "expected header `access-control-allow-origin: *`, got `access-control-allow-origin: https://app.example.com`",
        ),
        (
            "header-missing",
            "expected header `access-control-expose-headers: x-request-id`, got no `access-control-expose-headers`",
        ),
        (
            "header-present",
            "expected no `access-control-allow-credentials` header, got `access-control-allow-credentials: true`",
        ),
    ] {
        let headline = format!(
            "{file}:{}:1: error[CORS0109]: test \"{name}\" failed: {message}\n",
            line_of(name)
        );
        assert!(err.contains(&headline), "missing {headline:?} in\n{err}");
    }
    assert!(!err.contains("\"passes\""), "{err}");
    // The actual outcome follows as notes.
    assert!(
        err.contains(
            "test \"decision\" failed: expected preflight-allowed, got preflight-denied (header-not-allowed)\n\
             \x20 = note: got preflight-denied (header-not-allowed), policy `api`, status 403\n\
             \x20 = note: header vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "  = note: header access-control-allow-origin: https://app.example.com\n\
             \x20 = note: header access-control-allow-credentials: true\n\
             \x20 = note: header vary: Origin\n"
        ),
        "{err}"
    );
    assert!(
        err.ends_with(&format!("{file}: 1 passed, 6 failed\n")),
        "{err}"
    );
}

#[test]
fn several_mismatches_are_one_report_with_notes() {
    let dir = scratch("several");
    let file = write(
        &dir,
        "p.corspolicy",
        &format!(
            "{POLICY}test \"two things wrong\" {{
    request OPTIONS /api/x;
    origin https://evil.example;
    request-method PUT;
    expect preflight-allowed;
    expect-status 204;
}}
"
        ),
    );
    let output = corsc(&["test", &file]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "{file}:9:1: error[CORS0109]: test \"two things wrong\" failed: expected preflight-allowed, got preflight-denied (origin-not-allowed)\n\
             \x20 = note: also expected status 204, got 403\n\
             \x20 = note: got preflight-denied (origin-not-allowed), policy `api`, status 403\n\
             \x20 = note: header vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n\
             {file}: 0 passed, 1 failed\n"
        )
    );
}

#[test]
fn invalid_test_blocks_are_check_errors_and_nothing_runs() {
    let dir = scratch("invalid");
    let file = write(
        &dir,
        "bad.corspolicy",
        &format!(
            "{POLICY}
test unknown {{ request GET /api/; expect pass; expect-stauts 204; }}
test missing {{ origin https://app.example.com; expect actual-allowed; }}
test decision {{ request GET /api/; expect actual-alowed; }}
test origin {{ request GET /api/; origin https://app.example.com/; expect actual-allowed; }}
test impossible {{ request GET /api/; expect actual-allowed; }}
"
        ),
    );
    let check = corsc(&["check", &file]);
    assert_eq!(check.status.code(), Some(1));
    let err = stderr(&check);
    for (line, code) in [
        (10, "CORS0100"),
        (11, "CORS0102"),
        (12, "CORS0106"),
        (13, "CORS0105"),
        (14, "CORS0107"),
    ] {
        assert!(err.contains(&format!("error[{code}]")), "{code}: {err}");
        assert!(
            err.contains(&format!("bad.corspolicy:{line}:")),
            "{line}: {err}"
        );
    }
    assert!(err.contains("did you mean `expect-status`?"), "{err}");
    assert!(err.contains("did you mean `actual-allowed`?"), "{err}");
    assert!(
        err.contains("did you mean `https://app.example.com`?"),
        "{err}"
    );
    assert!(err.contains("5 errors, 0 warnings"), "{err}");

    let test = corsc(&["test", &file]);
    assert_eq!(test.status.code(), Some(1));
    let err = stderr(&test);
    assert!(err.contains("error[CORS0100]"), "{err}");
    assert!(
        err.ends_with(&format!("{file}: 5 errors, 0 warnings; tests not run\n")),
        "{err}"
    );
    assert!(!err.contains("CORS0109"), "{err}");

    // check and compile agree: the file does not compile either.
    let out = dir.join("bad.cors");
    let compile = corsc(&["compile", &file, "-o", &out.display().to_string()]);
    assert_eq!(compile.status.code(), Some(1));
    assert!(!out.exists());
}

#[test]
fn a_syntax_error_in_a_test_block_points_at_it() {
    let dir = scratch("syntax");
    let file = write(
        &dir,
        "s.corspolicy",
        &format!("{POLICY}test t {{ request GET /api/; expect pass;\n"),
    );
    let output = corsc(&["check", &file]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("error[CORS0004]: unclosed test block"),
        "{err}"
    );
}

#[test]
fn exit_codes_across_files() {
    let dir = scratch("exit");
    let pass = write(
        &dir,
        "pass.corspolicy",
        &format!("{POLICY}test t {{ request GET /api/; origin https://app.example.com; expect actual-allowed; }}\n"),
    );
    let fail = write(
        &dir,
        "fail.corspolicy",
        &format!("{POLICY}test t {{ request GET /api/; origin https://app.example.com; expect actual-denied; }}\n"),
    );
    let none = write(&dir, "none.corspolicy", POLICY);
    let output = corsc(&["test", &pass, &none]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("{none}: 0 passed, 0 failed\n")));
    let output = corsc(&["test", &pass, &fail]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{pass}: 1 passed, 0 failed\n")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{fail}: 0 passed, 1 failed\n")),
        "{err}"
    );
    let missing = dir.join("missing.corspolicy").display().to_string();
    let output = corsc(&["test", &fail, &missing, &pass]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("cannot read"), "{err}");
    assert!(
        err.contains(&format!("{pass}: 1 passed, 0 failed\n")),
        "the next file still runs: {err}"
    );
}

#[test]
fn json_lines_per_test_and_file() {
    let dir = scratch("json");
    let file = write(
        &dir,
        "j.corspolicy",
        &format!(
            "{POLICY}test ok {{ request GET /api/; origin https://app.example.com; expect actual-allowed; }}\n\
             test \"not ok\" {{ request GET /api/; origin https://app.example.com; expect actual-denied; }}\n"
        ),
    );
    let output = corsc(&["test", "--message-format", "json", &file]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["type"], "test");
    assert_eq!(lines[0]["name"], "ok");
    assert_eq!(lines[0]["passed"], true);
    assert_eq!(lines[0]["line"], 9);
    assert_eq!(lines[0]["column"], 1);
    assert_eq!(lines[1]["name"], "not ok");
    assert_eq!(lines[1]["passed"], false);
    assert_eq!(lines[1]["line"], 10);
    assert_eq!(
        lines[1]["mismatches"],
        serde_json::json!(["expected actual-denied, got actual-allowed"])
    );
    assert_eq!(lines[1]["actual"]["decision"], "actual-allowed");
    assert_eq!(lines[1]["actual"]["policy"], "api");
    assert_eq!(
        lines[1]["actual"]["headers"][0],
        serde_json::json!(["access-control-allow-origin", "https://app.example.com"])
    );
    assert_eq!(
        lines[2],
        serde_json::json!({"type": "file", "file": file, "errors": 0, "passed": 1, "failed": 1})
    );
    // The human report still goes to stderr.
    assert!(stderr(&output).contains("error[CORS0109]"));
}

#[test]
fn the_example_tests_itself() {
    let example = example().display().to_string();
    let output = corsc(&["test", &example]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).ends_with("api.corspolicy: 4 passed, 0 failed\n"),
        "{}",
        stderr(&output)
    );
    // The tests can fail: the same file with one expectation flipped.
    let source = fs::read_to_string(example).expect("example");
    let flipped = source.replacen("expect-status 403;", "expect-status 204;", 1);
    assert_ne!(flipped, source);
    let dir = scratch("example");
    let file = write(&dir, "api.corspolicy", &flipped);
    let output = corsc(&["test", &file]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "error[CORS0109]: test \"a header the policy does not list\" failed: expected status 204, got 403"
        ),
        "{}",
        stderr(&output)
    );
}

/// The source without its `test` blocks, cut out by the parser's spans.
fn without_tests(source: &str) -> String {
    let (file, diagnostics) = cors_policy_lang::parser::parse(source);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(!file.tests.is_empty(), "the source has tests to remove");
    let mut out = String::new();
    let mut at = 0;
    for test in &file.tests {
        out += &source[at..test.span.start];
        at = test.span.end;
    }
    out += &source[at..];
    assert!(!out.contains("test \""), "{out}");
    out
}

#[test]
fn test_blocks_never_change_the_compiled_table() {
    let dir = scratch("identity");
    let example = fs::read_to_string(example()).expect("example");
    let other = format!(
        "{POLICY}test a {{ request GET /api/; origin https://app.example.com; expect actual-allowed; }}\n\
         test \"b\" {{ request OPTIONS /api/; origin null; request-method PUT; private-network;\n\
         request-headers \"x, y\"; expect preflight-denied; expect-no-header vary; expect-header vary x; }}\n"
    );
    // The second test contradicts itself: an invalid test is an error, so
    // only valid ones belong in this proof.
    let other = other.replace(" expect-no-header vary;", "");
    for (name, source) in [("example", example), ("other", other)] {
        let with = write(&dir, &format!("{name}-with.corspolicy"), &source);
        let without = write(
            &dir,
            &format!("{name}-without.corspolicy"),
            &without_tests(&source),
        );
        let mut tables = Vec::new();
        for (input, suffix) in [(&with, "with"), (&without, "without")] {
            let out = dir.join(format!("{name}-{suffix}.cors"));
            let output = corsc(&["compile", input, "-o", &out.display().to_string()]);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            tables.push(fs::read(&out).expect("table written"));
        }
        assert!(!tables[0].is_empty());
        assert!(
            tables[0] == tables[1],
            "{name}: the table with tests differs from the table without"
        );
    }
    // And the example's table is still the committed golden one.
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cors-match-core/tests/fixtures/api.cors");
    let with = dir.join("example-with.cors");
    assert!(
        fs::read(with).expect("table") == fs::read(golden).expect("golden"),
        "examples/api.corspolicy no longer compiles to the golden table"
    );
}
