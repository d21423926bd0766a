//! `corsc check --message-format json` run as a process: one JSON object
//! per diagnostic on stdout, with spans, then a summary; the default
//! (`human`) output unchanged.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// Runs corsc in `dir`, so file names in the output are the relative ones
/// given.
fn corsc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsc"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("corsc runs")
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("check-json-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Every stdout line as JSON (each must be one complete object).
fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

const MISSING_SEMICOLON: &str = "\
policy api {
    paths /api/;
    origins https://app.example.com https://admin.example.com
    methods GET POST PUT;
    credentials on;
}
";

#[test]
fn a_missing_semicolon_is_one_object_with_spans_then_a_summary() {
    let dir = scratch("semicolon");
    fs::write(dir.join("api.corspolicy"), MISSING_SEMICOLON).expect("write");
    let output = corsc_in(
        &dir,
        &["check", "--message-format", "json", "api.corspolicy"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let lines = json_lines(&output);
    let rendered = "\
error[CORS0003]: expected `;`, found `methods`
  --> api.corspolicy:3:62
  |
3 |     origins https://app.example.com https://admin.example.com
  |                                                              ^ expected `;` here
4 |     methods GET POST PUT;
  |     ------- `methods` starts the next directive
  |
  = help: end the `origins` directive with `;`: `origins https://app.example.com https://admin.example.com;`

";
    assert_eq!(
        lines,
        [
            json!({
                "type": "diagnostic",
                "file": "api.corspolicy",
                "code": "CORS0003",
                "severity": "error",
                "message": "expected `;`, found `methods`",
                "help": "end the `origins` directive with `;`: `origins https://app.example.com https://admin.example.com;`",
                "spans": [
                    {
                        "byte_start": 91, "byte_end": 91,
                        "line_start": 3, "line_end": 3,
                        "column_start": 62, "column_end": 62,
                        "is_primary": true, "label": "expected `;` here",
                    },
                    {
                        "byte_start": 96, "byte_end": 103,
                        "line_start": 4, "line_end": 4,
                        "column_start": 5, "column_end": 12,
                        "is_primary": false, "label": "`methods` starts the next directive",
                    },
                ],
                "rendered": rendered,
            }),
            json!({"type": "summary", "files": 1, "errors": 1, "warnings": 0, "unreadable": 0}),
        ]
    );
    // `type` first, the keys in the documented order, one line each.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("{\"type\":\"diagnostic\",\"file\":\"api.corspolicy\",\"code\":\"CORS0003\",\"severity\":\"error\",\"message\":"),
        "{stdout}"
    );
    assert!(
        stdout.contains(",\"spans\":[{\"byte_start\":91,\"byte_end\":91,\"line_start\":3,\"line_end\":3,\"column_start\":62,\"column_end\":62,\"is_primary\":true,\"label\":"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "\n{\"type\":\"summary\",\"files\":1,\"errors\":1,\"warnings\":0,\"unreadable\":0}\n"
        ),
        "{stdout}"
    );
    // The byte offsets are the source's.
    assert_eq!(&MISSING_SEMICOLON[96..103], "methods");
    assert_eq!(
        &MISSING_SEMICOLON[..91].lines().last(),
        &Some("    origins https://app.example.com https://admin.example.com")
    );
}

#[test]
fn columns_count_characters_and_every_file_and_problem_is_reported() {
    let dir = scratch("many");
    // `é` is two bytes: the column counts it once, the byte offset twice.
    fs::write(
        dir.join("warn.corspolicy"),
        "policy café {\n    origins https://App.example.com;\n}\n",
    )
    .expect("write");
    fs::write(dir.join("ok.corspolicy"), "policy a { origins *; }\n").expect("write");
    let output = corsc_in(
        &dir,
        &[
            "check",
            "--message-format",
            "json",
            "warn.corspolicy",
            "missing.corspolicy",
            "ok.corspolicy",
        ],
    );
    // An unreadable file: exit 2, as in the human format.
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let lines = json_lines(&output);
    let kinds: Vec<(&str, &str)> = lines
        .iter()
        .map(|line| {
            (
                line["type"].as_str().unwrap_or(""),
                line["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("diagnostic", "CORS0014"),
            ("diagnostic", "CORS0039"),
            ("file-error", ""),
            ("summary", ""),
        ]
    );
    let name = &lines[0]["spans"][0];
    assert_eq!(
        (
            &name["byte_start"],
            &name["byte_end"],
            &name["column_start"],
            &name["column_end"]
        ),
        (&json!(7), &json!(12), &json!(8), &json!(12))
    );
    assert_eq!(lines[1]["severity"], "warning");
    assert_eq!(lines[1]["spans"][0]["line_start"], 2);
    assert_eq!(
        lines[2],
        json!({
            "type": "file-error",
            "file": "missing.corspolicy",
            "message": "cannot read missing.corspolicy: no such file or directory",
        })
    );
    assert_eq!(
        lines[3],
        json!({"type": "summary", "files": 3, "errors": 1, "warnings": 1, "unreadable": 1})
    );
}

#[test]
fn human_is_the_default_and_unchanged() {
    let dir = scratch("human");
    fs::write(dir.join("api.corspolicy"), MISSING_SEMICOLON).expect("write");
    let default = corsc_in(&dir, &["check", "api.corspolicy"]);
    let human = corsc_in(
        &dir,
        &["check", "--message-format", "human", "api.corspolicy"],
    );
    assert_eq!(default.status.code(), Some(1));
    assert_eq!(human.status.code(), Some(1));
    assert_eq!(default.stdout, b"");
    assert_eq!(default.stderr, human.stderr);
    let err = String::from_utf8_lossy(&default.stderr);
    assert!(
        err.starts_with(
            "error[CORS0003]: expected `;`, found `methods`\n  --> api.corspolicy:3:62\n"
        ),
        "{err}"
    );
    assert!(
        err.ends_with("\napi.corspolicy: 1 error, 0 warnings\n"),
        "{err}"
    );
    let bad = corsc_in(
        &dir,
        &["check", "--message-format", "xml", "api.corspolicy"],
    );
    assert_eq!(bad.status.code(), Some(2));
}

/// Thousands of diagnostics on one long line: every one is its own object
/// (no grouping, unlike the human output), and the output stays linear.
#[test]
fn every_diagnostic_is_an_object_even_when_the_human_output_groups_them() {
    let dir = scratch("grouped");
    let origins = "https://a.test ".repeat(3001);
    fs::write(
        dir.join("dup.corspolicy"),
        format!("policy a {{ origins {origins}; }}\n"),
    )
    .expect("write");
    let output = corsc_in(
        &dir,
        &["check", "--message-format", "json", "dup.corspolicy"],
    );
    assert_eq!(output.status.code(), Some(0));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 3001);
    assert!(lines[..3000].iter().all(|line| line["code"] == "CORS0043"));
    assert!(
        output.stdout.len() < 3001 * 1500,
        "{} bytes",
        output.stdout.len()
    );
    assert_eq!(
        lines[3000],
        json!({"type": "summary", "files": 1, "errors": 0, "warnings": 3000, "unreadable": 0})
    );
}

/// The README's example is the real output for the README's policy.
#[test]
fn the_readme_example_is_what_corsc_prints() {
    let readme =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
    let section = &readme[readme
        .find("## Machine-readable diagnostics")
        .expect("the section")..];
    let block = |opening: &str| {
        let start = section.find(opening).expect("a code block") + opening.len();
        let end = start + section[start..].find("```").expect("its end");
        section[start..end].to_string()
    };
    let policy = block("For this `api.corspolicy`:\n\n```\n");
    let expected = block("```json\n");
    let dir = scratch("readme");
    fs::write(dir.join("api.corspolicy"), &policy).expect("write");
    let output = corsc_in(
        &dir,
        &["check", "--message-format", "json", "api.corspolicy"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
}

/// `corsc check --message-format json ... | head -1`: the closed pipe
/// ends the output quietly, every file is still checked, and the exit
/// status says so (1: the second file has errors).
#[test]
fn a_closed_stdout_still_checks_every_file() {
    let dir = scratch("closed-stdout");
    // About 1.5 MB of JSON, far more than a pipe buffer.
    let origins = "https://a.test ".repeat(3001);
    fs::write(
        dir.join("dup.corspolicy"),
        format!("policy a {{ origins {origins}; }}\n"),
    )
    .expect("write");
    fs::write(dir.join("bad.corspolicy"), MISSING_SEMICOLON).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsc"))
        .current_dir(&dir)
        .args([
            "check",
            "--message-format",
            "json",
            "dup.corspolicy",
            "bad.corspolicy",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("corsc runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("corsc ends");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
