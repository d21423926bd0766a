//! `corsc` run as a process: every subcommand, every exit code, the JSON shape.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsc"))
        .args(args)
        .output()
        .expect("corsc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
        .display()
        .to_string()
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    fs::write(&path, contents).expect("write test file");
    path.display().to_string()
}

fn assert_no_panic(output: &Output) {
    let err = stderr(output);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

const PREFLIGHT: &[&str] = &[
    "--method",
    "OPTIONS",
    "--path",
    "/api/users",
    "--origin",
    "https://app.example.com",
    "--request-method",
    "PUT",
    "--request-headers",
    "content-type,authorization",
];

fn explain(policy: &str, extra: &[&str]) -> Output {
    let mut args = vec!["explain", policy];
    args.extend_from_slice(extra);
    corsc(&args)
}

#[test]
fn check_accepts_the_examples() {
    let output = corsc(&[
        "check",
        &example("api.corspolicy"),
        &example("large.corspolicy"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("api.corspolicy: 0 errors, 0 warnings"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_reports_errors_with_location_and_exits_1() {
    let dir = scratch("check-errors");
    let file = write(
        &dir,
        "bad.corspolicy",
        "policy api {\n    origins https://example.com:443;\n    methods get;\n}\n",
    );
    let output = corsc(&["check", &file]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("bad.corspolicy:2:"), "{err}");
    assert!(err.contains("bad.corspolicy:3:"), "{err}");
    assert!(err.contains("error[CORS"), "{err}");
    assert!(err.contains("2 errors"), "{err}");
    assert_no_panic(&output);
}

#[test]
fn check_with_only_warnings_exits_0() {
    let dir = scratch("check-warnings");
    let file = write(
        &dir,
        "warn.corspolicy",
        "policy api { origins https://App.example.com; methods PATCH; }\n",
    );
    let output = corsc(&["check", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("warning"), "{}", stderr(&output));
}

#[test]
fn check_missing_file_exits_2_with_one_line() {
    let output = corsc(&["check", "/nonexistent/policy.corspolicy"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/policy.corspolicy"), "{err}");
    assert!(err.contains("no such file"), "{err}");
}

#[test]
fn check_directory_and_invalid_utf8_are_clear_errors() {
    let dir = scratch("check-odd-inputs");
    let output = corsc(&["check", &dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert_no_panic(&output);
    let binary = write(&dir, "latin1.corspolicy", b"policy caf\xe9 { origins *; }");
    let output = corsc(&["check", &binary]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not valid UTF-8"),
        "{}",
        stderr(&output)
    );
    assert_no_panic(&output);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(corsc(&[]).status.code(), Some(2));
    assert_eq!(corsc(&["check"]).status.code(), Some(2));
    assert_eq!(corsc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        corsc(&["explain", &example("api.corspolicy")])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        corsc(&["compile", &example("api.corspolicy")])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn compile_writes_a_table_that_explain_reads() {
    let dir = scratch("compile");
    let table = dir.join("api.cors").display().to_string();
    let output = corsc(&["compile", &example("api.corspolicy"), "-o", &table]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bytes = fs::read(&table).expect("table written");
    assert!(bytes.starts_with(b"CORSTBL\0"));
    let from_table = explain(&table, &[PREFLIGHT, &["--json"]].concat());
    let from_source = explain(
        &example("api.corspolicy"),
        &[PREFLIGHT, &["--json"]].concat(),
    );
    assert_eq!(from_table.status.code(), Some(0));
    assert_eq!(stdout(&from_table), stdout(&from_source));
}

#[test]
fn compile_refuses_to_write_when_there_are_errors() {
    let dir = scratch("compile-errors");
    let file = write(
        &dir,
        "bad.corspolicy",
        "policy api { origins *; credentials on; }\n",
    );
    let out = dir.join("bad.cors");
    let output = corsc(&["compile", &file, "-o", &out.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        !out.exists(),
        "no table may be written for a policy with errors"
    );
    assert!(
        stderr(&output).contains("error[CORS"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn compile_keeps_the_old_table_when_it_cannot_write() {
    let dir = scratch("compile-unwritable");
    let output = corsc(&[
        "compile",
        &example("api.corspolicy"),
        "-o",
        &dir.join("missing-dir/api.cors").display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot write"),
        "{}",
        stderr(&output)
    );
    assert_no_panic(&output);
}

#[test]
fn explain_json_has_the_documented_shape() {
    let output = explain(
        &example("api.corspolicy"),
        &[PREFLIGHT, &["--json"]].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "exactly one object: {text}");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let object = value.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["decision", "headers", "policy", "reason", "status"]);
    assert_eq!(value["decision"], "preflight-allowed");
    assert_eq!(value["reason"], serde_json::Value::Null);
    assert_eq!(value["policy"], "api");
    assert_eq!(value["status"], 204);
    let headers: Vec<(String, String)> = value["headers"]
        .as_array()
        .expect("headers array")
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("name").to_string(),
                pair[1].as_str().expect("value").to_string(),
            )
        })
        .collect();
    let expected = [
        ("access-control-allow-origin", "https://app.example.com"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
        (
            "access-control-allow-headers",
            "content-type, authorization, x-requested-with",
        ),
        ("access-control-max-age", "600"),
        (
            "vary",
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    assert_eq!(headers, expected);
}

#[test]
fn explain_json_reports_denials_and_passes() {
    let denied = explain(
        &example("api.corspolicy"),
        &[
            "--method",
            "OPTIONS",
            "--path",
            "/api/users",
            "--origin",
            "https://evilexample.com",
            "--request-method",
            "PUT",
            "--json",
        ],
    );
    let value: serde_json::Value = serde_json::from_slice(&denied.stdout).expect("JSON");
    assert_eq!(value["decision"], "preflight-denied");
    assert_eq!(value["reason"], "origin-not-allowed");
    assert_eq!(value["status"], 403);

    let no_policy = explain(
        &example("api.corspolicy"),
        &[
            "--method",
            "GET",
            "--path",
            "/other",
            "--origin",
            "https://app.example.com",
            "--json",
        ],
    );
    let value: serde_json::Value = serde_json::from_slice(&no_policy.stdout).expect("JSON");
    assert_eq!(value["decision"], "pass");
    assert_eq!(value["reason"], "no-policy");
    assert_eq!(value["policy"], serde_json::Value::Null);
    assert_eq!(value["status"], serde_json::Value::Null);
    assert_eq!(value["headers"], serde_json::json!([]));

    let actual = explain(
        &example("api.corspolicy"),
        &[
            "--method",
            "GET",
            "--path",
            "/static/app.js",
            "--origin",
            "https://any.site",
            "--json",
        ],
    );
    let value: serde_json::Value = serde_json::from_slice(&actual.stdout).expect("JSON");
    assert_eq!(value["decision"], "actual-allowed");
    assert_eq!(value["policy"], "assets");
    assert_eq!(
        value["headers"],
        serde_json::json!([["access-control-allow-origin", "*"]])
    );
}

/// `examples/api.corspolicy` plus the legacy `private-network on` (the
/// fixture the C API and nginx tests use for the same header).
fn private_network_fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../cors-ffi/tests/fixtures/private_network.corspolicy")
        .display()
        .to_string()
}

#[test]
fn explain_private_network_flag_is_sent() {
    // The example does not allow private network access: the flag denies.
    let output = explain(
        &example("api.corspolicy"),
        &[PREFLIGHT, &["--private-network", "--json"]].concat(),
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["decision"], "preflight-denied");
    assert_eq!(value["reason"], "private-network-not-allowed");

    let output = explain(
        &private_network_fixture(),
        &[PREFLIGHT, &["--private-network", "--json"]].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["decision"], "preflight-allowed");
    let names: Vec<&str> = value["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter_map(|pair| pair[0].as_str())
        .collect();
    assert!(
        names.contains(&"access-control-allow-private-network"),
        "{names:?}"
    );
}

#[test]
fn explain_human_output_names_decision_reason_policy_status_headers() {
    let output = explain(&example("api.corspolicy"), PREFLIGHT);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("decision: preflight-allowed"), "{text}");
    assert!(text.contains("policy:   api"), "{text}");
    assert!(text.contains("status:   204"), "{text}");
    assert!(
        text.contains("  access-control-allow-origin: https://app.example.com"),
        "{text}"
    );
}

#[test]
fn explain_rejects_corrupted_and_truncated_tables() {
    let dir = scratch("explain-corrupt");
    let table = dir.join("api.cors").display().to_string();
    assert_eq!(
        corsc(&["compile", &example("api.corspolicy"), "-o", &table])
            .status
            .code(),
        Some(0)
    );
    let mut bytes = fs::read(&table).expect("table");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    let corrupted = write(&dir, "corrupted.cors", &bytes);
    let output = explain(&corrupted, PREFLIGHT);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("corrupted"), "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));

    let truncated = write(&dir, "truncated.cors", &bytes[..40]);
    let output = explain(&truncated, PREFLIGHT);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("truncated"), "{}", stderr(&output));
    assert_no_panic(&output);
}

#[test]
fn explain_source_with_errors_exits_1_with_diagnostics() {
    let dir = scratch("explain-bad-source");
    let file = write(
        &dir,
        "bad.corspolicy",
        "policy api { origins https://x.com/; }\n",
    );
    let output = explain(&file, PREFLIGHT);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("bad.corspolicy:1:"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn large_policy_compiles_and_answers() {
    let output = explain(
        &example("large.corspolicy"),
        &[
            "--method",
            "OPTIONS",
            "--path",
            "/api/x",
            "--origin",
            "https://tenant-10000.example.com",
            "--request-method",
            "PUT",
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["decision"], "preflight-allowed");
}

#[test]
fn compile_refuses_to_overwrite_its_source() {
    let dir = scratch("compile-onto-source");
    let source = "policy api { origins https://app.example.com; }\n";
    let file = write(&dir, "api.corspolicy", source);
    let output = corsc(&["compile", &file, "-o", &file]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("refusing"), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(&file).expect("source"), source);
}

#[test]
fn compile_replaces_a_table_and_leaves_no_temporary_files() {
    let dir = scratch("compile-replace");
    let table = dir.join("api.cors");
    fs::write(&table, b"old").expect("old table");
    // A file at the name an older version used for its temporary file is
    // left alone.
    let bystander = write(&dir, "api.cors.tmp", b"mine");
    let output = corsc(&[
        "compile",
        &example("api.corspolicy"),
        "-o",
        &table.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fs::read(&table).expect("table").starts_with(b"CORSTBL\0"));
    assert_eq!(fs::read(&bystander).expect("bystander"), b"mine");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["api.cors", "api.cors.tmp"]);
}

#[test]
fn a_closed_stderr_does_not_change_the_exit_code() {
    let dir = scratch("closed-stderr");
    let bad = write(
        &dir,
        "bad.corspolicy",
        "policy api { origins *; credentials on; }\n",
    );
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let status = Command::new(env!("CARGO_BIN_EXE_corsc"))
        .args(["check", &bad])
        .stderr(writer)
        .status()
        .expect("corsc runs");
    assert_eq!(status.code(), Some(1));
}

/// Parses the `0x..` items of an emitted C or Rust array back to bytes.
fn array_bytes(code: &str) -> Vec<u8> {
    let start = code
        .find("= {")
        .or_else(|| code.find("= ["))
        .expect("array");
    let end = start + code[start..].find(['}', ']']).expect("array end");
    code[start..end]
        .split("0x")
        .skip(1)
        .map(|item| u8::from_str_radix(&item[..2], 16).expect("hex byte"))
        .collect()
}

#[test]
fn compile_emits_a_c_array_of_the_same_bytes_that_compiles() {
    let dir = scratch("emit-c");
    let table = dir.join("api.cors").display().to_string();
    let c = dir.join("api_table.c").display().to_string();
    assert_eq!(
        corsc(&["compile", &example("api.corspolicy"), "-o", &table])
            .status
            .code(),
        Some(0)
    );
    let output = corsc(&[
        "compile",
        &example("api.corspolicy"),
        "--emit",
        "c",
        "--name",
        "api_table",
        "-o",
        &c,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("to C array `api_table`"),
        "{}",
        stderr(&output)
    );
    let code = fs::read_to_string(&c).expect("C written");
    assert!(code.contains("const uint8_t api_table[] = {"), "{code}");
    assert!(code.contains("const size_t api_table_len = sizeof api_table;"));
    assert_eq!(array_bytes(&code), fs::read(&table).unwrap());

    // It is a valid, warning-free C99 translation unit, and the length is right.
    let main = write(
        &dir,
        "main.c",
        "#include <stddef.h>\n#include <stdint.h>\n#include <stdio.h>\n\
         extern const uint8_t api_table[];\nextern const size_t api_table_len;\n\
         int main(void) {\n  printf(\"%zu %02x%02x\\n\", api_table_len, api_table[0], \
         api_table[api_table_len - 1]);\n  return 0;\n}\n",
    );
    let binary = dir.join("main").display().to_string();
    let cc = Command::new("cc")
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            &c,
            &main,
            "-o",
            &binary,
        ])
        .output()
        .expect("cc runs");
    assert!(cc.status.success(), "{}", stderr(&cc));
    let run = Command::new(&binary).output().expect("program runs");
    let bytes = fs::read(&table).unwrap();
    assert_eq!(
        stdout(&run),
        format!(
            "{} {:02x}{:02x}\n",
            bytes.len(),
            bytes[0],
            bytes[bytes.len() - 1]
        )
    );
}

#[test]
fn compile_emits_rust_and_names_default_to_the_output_file() {
    let dir = scratch("emit-rust");
    let rust = dir.join("edge-policy.rs").display().to_string();
    let output = corsc(&[
        "compile",
        &example("api.corspolicy"),
        "--emit",
        "rust",
        "-o",
        &rust,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let code = fs::read_to_string(&rust).expect("Rust written");
    assert!(code.contains("pub static EDGE_POLICY: [u8; "), "{code}");
    assert!(code.contains("pub fn edge_policy_policy("), "{code}");

    let c = dir.join("2024 table.c").display().to_string();
    let output = corsc(&[
        "compile",
        &example("api.corspolicy"),
        "--emit",
        "c",
        "-o",
        &c,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let code = fs::read_to_string(&c).unwrap();
    assert!(code.contains("const uint8_t table_2024_table[]"), "{code}");
}

#[test]
fn compile_rejects_an_invalid_name_and_writes_nothing() {
    let dir = scratch("emit-bad-name");
    let out = dir.join("api.c");
    for name in ["api-table", "2fa", "static", "", "__x"] {
        let output = corsc(&[
            "compile",
            &example("api.corspolicy"),
            "--emit",
            "c",
            "--name",
            name,
            "-o",
            &out.display().to_string(),
        ]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(
            stderr(&output).starts_with("corsc: invalid --name: "),
            "{}",
            stderr(&output)
        );
        assert!(!out.exists(), "nothing may be written for {name:?}");
    }
    let output = corsc(&[
        "compile",
        &example("api.corspolicy"),
        "--emit",
        "java",
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn compile_emits_nothing_for_a_policy_with_errors() {
    let dir = scratch("emit-errors");
    let file = write(
        &dir,
        "bad.corspolicy",
        "policy api { origins *; credentials on; }\n",
    );
    for (emit, name) in [("c", "bad.c"), ("rust", "bad.rs")] {
        let out = dir.join(name);
        let output = corsc(&[
            "compile",
            &file,
            "--emit",
            emit,
            "-o",
            &out.display().to_string(),
        ]);
        assert_eq!(output.status.code(), Some(1));
        assert!(!out.exists(), "{emit}");
    }
}

/// An endless file is refused at a bound, not read until memory runs out.
#[test]
fn an_endless_input_is_refused_at_64_mib() {
    let output = corsc(&["check", "/dev/zero"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("/dev/zero: larger than 64 MiB; not a policy file"),
        "{}",
        stderr(&output)
    );
}
