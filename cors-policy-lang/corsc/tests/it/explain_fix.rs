//! `corsc explain` on refused requests, run as a process on real policy
//! files: the deciding policy's place, the fix (applied to the file and
//! checked: the request is then allowed and `corsc check` accepts the
//! file), the unsafe fix with its code, the near misses, and the same
//! property over every row of the conformance table.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use serde_json::Value;

fn corsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsc"))
        .args(args)
        .output()
        .expect("corsc runs")
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("explain-fix-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    fs::write(&path, contents).expect("write test file");
    path.display().to_string()
}

/// The policy most tests use; the line numbers below refer to it.
const API: &str = "# api.corspolicy
policy api {
    paths /api/;
    origins https://app.example.com
            http://127.0.0.1:5000
            https://*.example.org;
    methods GET POST PUT;
    allow-headers Authorization;
    credentials on;
}

policy public {
    paths /public/;
    origins https://www.partner.test https://partner.test:8443;
    methods GET;
    allow-headers *;
}
";

fn api(test: &str) -> (PathBuf, String) {
    let dir = scratch(test);
    let file = write(&dir, "api.corspolicy", API);
    (dir, file)
}

/// `explain --json` with `args`; the object, after checking the run.
fn explain_json(policy: &str, args: &[&str]) -> Value {
    let mut all = vec!["explain", policy];
    all.extend_from_slice(args);
    all.push("--json");
    let output = corsc(&all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

fn explain_text(policy: &str, args: &[&str]) -> String {
    let mut all = vec!["explain", policy];
    all.extend_from_slice(args);
    let output = corsc(&all);
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn preflight<'a>(
    path: &'a str,
    origin: &'a str,
    method: &'a str,
    headers: &'a str,
) -> Vec<&'a str> {
    vec![
        "--method",
        "OPTIONS",
        "--path",
        path,
        "--origin",
        origin,
        "--request-method",
        method,
        "--request-headers",
        headers,
    ]
}

fn actual<'a>(method: &'a str, path: &'a str, origin: &'a str) -> Vec<&'a str> {
    vec!["--method", method, "--path", path, "--origin", origin]
}

fn allowed(answer: &Value) -> bool {
    matches!(
        answer["decision"].as_str(),
        Some("actual-allowed" | "preflight-allowed")
    )
}

/// Applies `answer["fix"]` to the file `policy` (bytes START..END replaced
/// by the replacement), writes the result beside it and returns its path;
/// asserts that the request is then allowed and `corsc check` accepts it.
fn apply_fix(policy: &str, answer: &Value, args: &[&str]) -> String {
    apply_fix_as(policy, &format!("{policy}.fixed"), answer, args, true)
}

/// [`apply_fix`], writing the fixed file to `path`; runs `corsc check` on
/// it only when `check` (a successful `explain` already proves it has no
/// errors: `check` is then a second opinion).
fn apply_fix_as(policy: &str, path: &str, answer: &Value, args: &[&str], check: bool) -> String {
    let fix = &answer["fix"];
    assert!(fix.is_object(), "a fix: {answer}");
    let source = fs::read(policy).expect("policy");
    let span = fix["span"].as_array().expect("span");
    let (start, end) = (
        span[0].as_u64().expect("start") as usize,
        span[1].as_u64().expect("end") as usize,
    );
    let mut fixed = source[..start].to_vec();
    fixed.extend_from_slice(fix["replacement"].as_str().expect("replacement").as_bytes());
    fixed.extend_from_slice(&source[end..]);
    fs::write(path, &fixed).expect("write the fixed file");
    let after = explain_json(path, args);
    assert!(
        allowed(&after),
        "still refused after the fix:\n{}\n{after}",
        String::from_utf8_lossy(&fixed)
    );
    if !check {
        return String::from_utf8(fixed).expect("UTF-8");
    }
    let check = corsc(&["check", path]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    String::from_utf8(fixed).expect("UTF-8")
}

#[test]
fn a_header_not_allowed_is_added_to_allow_headers() {
    let (_dir, file) = api("header");
    let args = preflight(
        "/api/users",
        "https://app.example.com",
        "PUT",
        "content-type",
    );
    let answer = explain_json(&file, &args);
    assert_eq!(answer["reason"], "header-not-allowed");
    assert_eq!(
        answer["policy_location"],
        serde_json::json!({"file": file, "line": 2, "column": 1})
    );
    let fix = &answer["fix"];
    assert_eq!(
        fix["message"],
        format!("add \"Content-Type\" to allow-headers at {file}:8:5")
    );
    assert_eq!(
        (fix["line"].as_u64(), fix["column"].as_u64()),
        (Some(8), Some(5))
    );
    assert_eq!(fix["file"], file.as_str());
    assert_eq!(answer["unsafe_fix"], Value::Null);
    assert_eq!(answer["did_you_mean"], serde_json::json!([]));
    let fixed = apply_fix(&file, &answer, &args);
    assert!(
        fixed.contains("allow-headers Authorization Content-Type;"),
        "{fixed}"
    );

    // The text form: the existing lines, then the new ones.
    let text = explain_text(&file, &args);
    assert!(
        text.starts_with("decision: preflight-denied\nreason:   header-not-allowed\n"),
        "{text}"
    );
    assert!(text.contains(&format!("location: {file}:2:1\n")), "{text}");
    assert!(
        text.contains(&format!(
            "fix:      add \"Content-Type\" to allow-headers at {file}:8:5\n"
        )),
        "{text}"
    );
}

#[test]
fn a_method_not_allowed_is_added_to_methods() {
    let (_dir, file) = api("method");
    let args = preflight("/api/users", "https://app.example.com", "DELETE", "");
    let answer = explain_json(&file, &args);
    assert_eq!(answer["reason"], "method-not-allowed");
    assert_eq!(
        answer["fix"]["message"],
        format!("add \"DELETE\" to methods at {file}:7:5")
    );
    let fixed = apply_fix(&file, &answer, &args);
    assert!(fixed.contains("methods GET POST PUT DELETE;"), "{fixed}");

    // An actual request with a method the policy lacks.
    let args = actual("PATCH", "/public/x", "https://www.partner.test");
    let answer = explain_json(&file, &args);
    assert_eq!(
        answer["fix"]["message"],
        format!("add \"PATCH\" to methods at {file}:15:5")
    );
    apply_fix(&file, &answer, &args);
}

#[test]
fn an_origin_not_allowed_is_added_when_it_is_safe() {
    let (_dir, file) = api("origin");
    let args = actual("GET", "/public/a", "https://new.test");
    let answer = explain_json(&file, &args);
    assert_eq!(answer["reason"], "origin-not-allowed");
    assert_eq!(
        answer["fix"]["message"],
        format!("add \"https://new.test\" to origins at {file}:14:5")
    );
    assert_eq!(answer["did_you_mean"], serde_json::json!([]));
    apply_fix(&file, &answer, &args);

    // With credentials, an https origin is still safe; the list is written
    // one per line, so the new one gets a line of its own.
    let args = actual("GET", "/api/a", "https://admin.example.com");
    let answer = explain_json(&file, &args);
    let fixed = apply_fix(&file, &answer, &args);
    assert!(
        fixed.contains("https://*.example.org\n            https://admin.example.com;"),
        "{fixed}"
    );
}

#[test]
fn an_http_origin_with_credentials_is_refused_with_the_reason() {
    let (_dir, file) = api("insecure");
    let args = actual("GET", "/api/a", "http://app.example.com");
    let answer = explain_json(&file, &args);
    assert_eq!(answer["fix"], Value::Null);
    let refusal = &answer["unsafe_fix"];
    assert_eq!(refusal["code"], "CORS0042");
    let message = refusal["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "add \"http://app.example.com\" to origins at {file}:4:5 is refused: insecure origin"
        )),
        "{message}"
    );
    let instead = refusal["instead"].as_str().unwrap();
    assert!(
        instead.contains("serve the page over HTTPS: `https://app.example.com` is already allowed"),
        "{instead}"
    );
    assert!(instead.contains("allow-insecure-origins on;"), "{instead}");
    assert_eq!(
        answer["did_you_mean"][0]["origin"],
        "https://app.example.com"
    );
    assert_eq!(answer["did_you_mean"][0]["kind"], "scheme");

    let text = explain_text(&file, &args);
    assert!(
        text.contains("fix:      none that is safe: add \"http://app.example.com\""),
        "{text}"
    );
    assert!(
        text.contains("(CORS0042)\ninstead:  serve the page over HTTPS"),
        "{text}"
    );

    // `null` with credentials: CORS0040.
    let answer = explain_json(&file, &actual("GET", "/api/a", "null"));
    assert_eq!(answer["unsafe_fix"]["code"], "CORS0040");
    assert!(answer["unsafe_fix"]["instead"]
        .as_str()
        .unwrap()
        .contains("real origin"));
}

#[test]
fn authorization_is_not_covered_by_a_star() {
    let (_dir, file) = api("star");
    let args = preflight(
        "/public/x",
        "https://www.partner.test",
        "GET",
        "x-any, authorization",
    );
    let answer = explain_json(&file, &args);
    assert_eq!(answer["reason"], "header-not-allowed");
    let message = answer["fix"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "add \"Authorization\" to allow-headers (`*` does not cover Authorization"
        ),
        "{message}"
    );
    apply_fix(&file, &answer, &args);
}

/// The near misses of `origin` under policy `api` or `public`: (origin,
/// line, column, kind).
fn near_misses(file: &str, path: &str, origin: &str) -> Vec<(String, u64, u64, String)> {
    let answer = explain_json(file, &actual("GET", path, origin));
    answer["did_you_mean"]
        .as_array()
        .expect("did_you_mean")
        .iter()
        .map(|miss| {
            assert_eq!(miss["file"], file);
            assert!(!miss["difference"].as_str().unwrap().is_empty());
            (
                miss["origin"].as_str().unwrap().to_string(),
                miss["line"].as_u64().unwrap(),
                miss["column"].as_u64().unwrap(),
                miss["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn near_misses_of_each_kind() {
    let (_dir, file) = api("near");
    let miss = |origin: &str, line, column, kind: &str| {
        (origin.to_string(), line, column, kind.to_string())
    };
    // The browser sends localhost, the policy lists 127.0.0.1.
    assert_eq!(
        near_misses(&file, "/api/x", "http://localhost:5000"),
        [miss("http://127.0.0.1:5000", 5, 13, "loopback")]
    );
    assert_eq!(
        near_misses(&file, "/api/x", "http://[::1]:5000"),
        [miss("http://127.0.0.1:5000", 5, 13, "loopback")]
    );
    assert_eq!(
        near_misses(&file, "/api/x", "https://127.0.0.1:5000"),
        [miss("http://127.0.0.1:5000", 5, 13, "scheme")]
    );
    assert_eq!(
        near_misses(&file, "/api/x", "http://127.0.0.1:3000"),
        [miss("http://127.0.0.1:5000", 5, 13, "port")]
    );
    assert_eq!(
        near_misses(&file, "/api/x", "https://www.app.example.com"),
        [miss("https://app.example.com", 4, 13, "www")]
    );
    assert_eq!(
        near_misses(&file, "/api/x", "https://example.org"),
        [miss("https://*.example.org", 6, 13, "apex")]
    );
    assert_eq!(
        near_misses(&file, "/api/x", "https://app.example.com/"),
        [miss("https://app.example.com", 4, 13, "trailing-slash")]
    );
    assert_eq!(
        near_misses(&file, "/api/x", "https://App.Example.com"),
        [miss("https://app.example.com", 4, 13, "case")]
    );
    // Two listed origins, each one difference away.
    assert_eq!(
        near_misses(&file, "/public/x", "https://partner.test"),
        [
            miss("https://www.partner.test", 14, 13, "www"),
            miss("https://partner.test:8443", 14, 38, "port"),
        ]
    );
    assert_eq!(near_misses(&file, "/api/x", "https://unrelated.test"), []);

    // The text says it in words.
    let text = explain_text(&file, &actual("GET", "/api/x", "http://localhost:5000"));
    assert!(
        text.contains(&format!(
            "did you mean: http://127.0.0.1:5000 at {file}:5:13: `localhost` and `127.0.0.1` are different origins"
        )),
        "{text}"
    );
}

#[test]
fn origins_no_browser_sends_get_no_fix_but_a_reason() {
    let (_dir, file) = api("not-browser");
    // A trailing slash: adding it is refused (an origin has no path).
    let answer = explain_json(&file, &actual("GET", "/api/x", "https://app.example.com/"));
    assert_eq!(answer["fix"], Value::Null);
    assert_eq!(answer["unsafe_fix"]["code"], "CORS0031");
    assert!(
        answer["unsafe_fix"]["instead"]
            .as_str()
            .unwrap()
            .starts_with("no browser sends `https://app.example.com/` as its Origin"),
        "{answer}"
    );
    // Upper case: adding it would not help (origins are matched lower-cased).
    let answer = explain_json(&file, &actual("GET", "/api/x", "https://App.Example.com"));
    assert_eq!(answer["fix"], Value::Null);
    assert_eq!(answer["unsafe_fix"], Value::Null);
    assert!(
        answer["no_fix"]
            .as_str()
            .unwrap()
            .contains("no browser sends it"),
        "{answer}"
    );
    // A malformed method: nothing in the policy can help.
    let answer = explain_json(&file, &actual("G(T", "/api/x", "https://app.example.com"));
    assert_eq!(answer["reason"], "malformed-request");
    assert!(answer["no_fix"]
        .as_str()
        .unwrap()
        .contains("fix the client"));
}

#[test]
fn no_policy_for_the_path() {
    let (_dir, file) = api("no-policy");
    // A policy that already allows the request: add the path to it.
    let args = actual("GET", "/v3/items?x=1", "https://app.example.com");
    let answer = explain_json(&file, &args);
    assert_eq!(answer["decision"], "pass");
    assert_eq!(answer["reason"], "no-policy");
    assert_eq!(answer["policy_location"], Value::Null);
    assert_eq!(
        answer["fix"]["message"],
        format!("add \"/v3/\" to the paths of policy `api` at {file}:3:5")
    );
    let fixed = apply_fix(&file, &answer, &args);
    assert!(fixed.contains("paths /api/ /v3/;"), "{fixed}");

    // None does without more changes: a policy of its own.
    let args = preflight("/uploads", "https://files.test", "DELETE", "x-upload-id");
    let answer = explain_json(&file, &args);
    assert!(
        answer["fix"]["message"]
            .as_str()
            .unwrap()
            .starts_with("add policy `uploads` for \"/uploads\""),
        "{answer}"
    );
    let fixed = apply_fix(&file, &answer, &args);
    assert!(
        fixed.ends_with("policy uploads {\n    paths /uploads;\n    origins https://files.test;\n    methods DELETE;\n    allow-headers X-Upload-Id;\n}\n"),
        "{fixed}"
    );

    // Not a CORS request: nothing to fix, and nothing added to the answer.
    let answer = explain_json(&file, &["--method", "GET", "--path", "/v3/x"]);
    assert!(answer.get("fix").is_none(), "{answer}");
}

#[test]
fn a_compiled_table_says_fixes_need_the_source() {
    let (dir, file) = api("table");
    let table = dir.join("api.cors").display().to_string();
    let output = corsc(&["compile", &file, "-o", &table]);
    assert_eq!(output.status.code(), Some(0));
    let args = preflight(
        "/api/users",
        "https://app.example.com",
        "PUT",
        "content-type",
    );
    let answer = explain_json(&table, &args);
    assert_eq!(answer["reason"], "header-not-allowed");
    assert_eq!(answer["fix"], Value::Null);
    assert_eq!(answer["policy_location"], Value::Null);
    assert!(answer["no_fix"]
        .as_str()
        .unwrap()
        .contains("need the policy source"));
    let text = explain_text(&table, &args);
    assert!(
        text.contains("fix:      none: fixes need the policy source"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Every row of the conformance table
// ---------------------------------------------------------------------------

const CASES: &str = include_str!("../../../tests/conformance/cases.txt");
const SOURCES_RS: &str = include_str!("../../../tests/it/conformance.rs");

/// The `("name", r#"..."#)` pairs of `const SOURCES` in the library's
/// conformance test.
fn sources() -> HashMap<String, String> {
    let start = SOURCES_RS.find("const SOURCES").expect("const SOURCES");
    let block = &SOURCES_RS[start..];
    let block = &block[..block.find("\n];").expect("the end of SOURCES")];
    let mut sources = HashMap::new();
    let mut rest = block;
    while let Some(open) = rest.find("r#\"") {
        let before = &rest[..open];
        let name_end = before.rfind('"').expect("a name");
        let name_start = before[..name_end].rfind('"').expect("a quoted name") + 1;
        let name = before[name_start..name_end].to_string();
        let body = &rest[open + 3..];
        let close = body.find("\"#").expect("the end of a raw string");
        sources.insert(name, body[..close].to_string());
        rest = &body[close + 2..];
    }
    assert!(sources.len() >= 6, "{} sources", sources.len());
    sources
}

/// The row escapes: `\xNN`, `\\`, `\t`, `\r`, `\n`, `\[N*text]`; `None`
/// for anything else (the conformance test itself checks the table).
fn unescape(field: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = field;
    while let Some(at) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let after = &rest[at + 1..];
        let (bytes, used) = match after.chars().next()? {
            '\\' => (b"\\".to_vec(), 1),
            't' => (b"\t".to_vec(), 1),
            'r' => (b"\r".to_vec(), 1),
            'n' => (b"\n".to_vec(), 1),
            'x' => (vec![u8::from_str_radix(after.get(1..3)?, 16).ok()?], 3),
            '[' => {
                let end = after.find(']')?;
                let (count, text) = after[1..end].split_once('*')?;
                (text.repeat(count.parse().ok()?).into_bytes(), end + 1)
            }
            _ => return None,
        };
        out.extend_from_slice(&bytes);
        rest = &after[used..];
    }
    out.extend_from_slice(rest.as_bytes());
    Some(out)
}

/// A row field as a command-line value: `None` when absent (`~`), and
/// `Some(None)` when argv cannot carry it (not UTF-8, or a NUL).
fn field(text: &str) -> Option<Option<String>> {
    if text == "~" {
        return None;
    }
    Some(
        unescape(text)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|value| !value.contains('\0')),
    )
}

/// Runs one conformance row's request through `explain`; counts it in
/// `counts` (refused, fixed, unsafe) and applies its fix.
fn run_row(
    line: &str,
    files: &HashMap<String, String>,
    worker: usize,
    checked: &Mutex<HashSet<Vec<u8>>>,
    counts: &mut (usize, usize, usize),
) {
    let fields: Vec<&str> = line.split('|').map(str::trim).collect();
    let [name, set, method, path, origin, acrm, acrh, pna, decision, reason, ..] = fields[..]
    else {
        panic!("a row: {line}");
    };
    // Allowed and non-CORS requests have nothing to fix (and `explain`
    // adds nothing to them: `cli::` checks that output), so only the
    // refusals are run: each run costs a process.
    if decision.ends_with("-allowed") || reason == "not-cors" {
        return;
    }
    let mut args: Vec<String> = Vec::new();
    for (flag, value) in [
        ("--method", method),
        ("--path", path),
        ("--origin", origin),
        ("--request-method", acrm),
        ("--request-headers", acrh),
    ] {
        match field(value) {
            None => {}
            Some(Some(value)) => args.push(format!("{flag}={value}")),
            // argv cannot carry it: not a request this test can send.
            Some(None) => return,
        }
    }
    let wants_pna = field(pna)
        .flatten()
        .is_some_and(|v| v.trim_matches([' ', '\t']).eq_ignore_ascii_case("true"));
    if wants_pna {
        args.push("--private-network".to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let file = &files[set];
    let answer = explain_json(file, &args);
    let Some(fix) = answer.get("fix") else {
        // Only a request argv changed (a `true, true` private network
        // value sent as `true`) may be allowed here.
        assert!(
            allowed(&answer),
            "{name}: a refusal without advice: {answer}"
        );
        return;
    };
    counts.0 += 1;
    // Exactly one of: a fix, an unsafe fix, a reason there is none.
    let given = [fix, &answer["unsafe_fix"], &answer["no_fix"]]
        .iter()
        .filter(|v| !v.is_null())
        .count();
    assert_eq!(given, 1, "{name}: {answer}");
    if answer["unsafe_fix"].is_object() {
        counts.2 += 1;
        let code = answer["unsafe_fix"]["code"].as_str().unwrap_or_default();
        assert!(code.starts_with("CORS"), "{name}: {answer}");
    }
    if fix.is_object() {
        counts.1 += 1;
        let out = format!("{file}.{worker}.fixed");
        let fixed = apply_fix_as(file, &out, &answer, &args, false);
        let first = checked
            .lock()
            .expect("no poisoned lock")
            .insert(fixed.into_bytes());
        if first {
            let check = corsc(&["check", &out]);
            assert_eq!(check.status.code(), Some(0), "{name}");
        }
    }
}

#[test]
fn every_fix_of_a_conformance_row_makes_it_allowed() {
    let dir = scratch("conformance");
    let files: HashMap<String, String> = sources()
        .into_iter()
        .map(|(name, source)| {
            let file = write(&dir, &format!("{name}.corspolicy"), source);
            (name, file)
        })
        .collect();
    let rows: Vec<&str> = CASES
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    // Two workers (the machine's cores); each distinct fixed file is
    // checked once.
    let checked = Mutex::new(HashSet::new());
    let counts: Vec<(usize, usize, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = rows
            .chunks(rows.len().div_ceil(2))
            .enumerate()
            .map(|(worker, chunk)| {
                let (files, checked) = (&files, &checked);
                scope.spawn(move || {
                    let mut counts = (0, 0, 0);
                    for line in chunk {
                        run_row(line, files, worker, checked, &mut counts);
                    }
                    counts
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker failed"))
            .collect()
    });
    let (refused, fixed, unsafe_fixes) = counts
        .iter()
        .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    // The table has refusals of every kind; most have a fix.
    eprintln!("{refused} refused rows: {fixed} fixed, {unsafe_fixes} unsafe");
    assert!(refused >= 80, "{refused} refused rows");
    assert!(fixed >= 40, "{fixed} of {refused} refused rows fixed");
    assert!(unsafe_fixes >= 1, "{unsafe_fixes} unsafe fixes");
}

/// The README's examples are what `corsc` prints, run from the
/// repository's root as the README says.
#[test]
fn the_readme_examples_are_real() {
    let readme = include_str!("../../README.md");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_corsc"))
            .args(args)
            .current_dir(&root)
            .output()
            .expect("corsc runs");
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let first = [
        "explain",
        "examples/api.corspolicy",
        "--method",
        "OPTIONS",
        "--path",
        "/api/users",
        "--origin",
        "https://app.example.com",
        "--request-method",
        "PATCH",
        "--request-headers",
        "content-type,x-trace-id",
    ];
    let text = run(&first);
    assert!(readme.contains(&text), "README lacks:\n{text}");
    let second = [
        "explain",
        "examples/api.corspolicy",
        "--method",
        "GET",
        "--path",
        "/api/users",
        "--origin",
        "http://app.example.com",
    ];
    let text = run(&second);
    assert!(readme.contains(&text), "README lacks:\n{text}");

    let answer: Value = serde_json::from_str(&run(&[&first[..], &["--json"]].concat())).unwrap();
    let fix = &answer["fix"];
    for needle in [
        format!("\"span\": [{}, {}]", fix["span"][0], fix["span"][1]),
        format!("\"replacement\": {}", fix["replacement"]),
        format!("\"message\": {}", fix["message"]),
    ] {
        assert!(readme.contains(&needle), "README lacks {needle}");
    }
}
