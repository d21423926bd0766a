//! `corsc explain --console` and `--har` run as a process on real inputs:
//! the console messages a real Chromium printed and the HAR it saved
//! (`tests/chromium/`, made by `record.mjs`), Firefox's and Safari's
//! wordings from their sources (`tests/console/*.txt`), against
//! `tests/chromium/api.corspolicy`. Goldens in `tests/console/*.golden`
//! and `tests/chromium/*.golden`; `CORSC_BLESS=1` rewrites them.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// The policy, relative to the directory [`corsc`] runs in (`tests/`), so
/// that the places explain prints (`chromium/api.corspolicy:13:5`) do not
/// depend on where the repository is.
fn policy() -> String {
    "chromium/api.corspolicy".to_string()
}

fn corsc(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsc"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("corsc runs");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("corsc ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Compares `actual` with the golden file, or rewrites it under `CORSC_BLESS=1`.
fn golden(path: &Path, actual: &str) {
    if std::env::var_os("CORSC_BLESS").is_some() {
        fs::write(path, actual).expect("write golden");
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs (CORSC_BLESS=1 rewrites it):\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// One message of a fixture: its name, its lines, extra arguments.
struct Block {
    name: String,
    message: String,
    args: Vec<String>,
}

/// Blocks separated by blank lines; `# args:` adds arguments, the first
/// other `#` line names the block; a file's leading comment block is skipped.
fn blocks(file: &Path) -> Vec<Block> {
    let source = fs::read_to_string(file).expect("fixture");
    let mut out = Vec::new();
    for chunk in source.split("\n\n") {
        let mut block = Block {
            name: String::new(),
            message: String::new(),
            args: Vec::new(),
        };
        for line in chunk.lines() {
            if let Some(args) = line.strip_prefix("# args:") {
                block.args = args.split_whitespace().map(str::to_string).collect();
            } else if let Some(name) = line.strip_prefix("# ") {
                if block.name.is_empty() {
                    block.name = name.to_string();
                }
            } else if !line.is_empty() {
                block.message += line;
                block.message += "\n";
            }
        }
        if !block.message.is_empty() {
            out.push(block);
        }
    }
    out
}

/// Runs every block through `corsc explain --console` and renders the
/// transcript: the message, the exit status, stdout (and stderr if any).
fn transcript(blocks: &[Block]) -> String {
    let policy = policy();
    let mut out = String::new();
    for block in blocks {
        let mut args = vec!["explain", "--console", block.message.trim_end()];
        args.extend(block.args.iter().map(String::as_str));
        args.push(&policy);
        let output = corsc(&args, None);
        out += &format!("== {}\n{}", block.name, block.message);
        if !block.args.is_empty() {
            out += &format!("(args: {})\n", block.args.join(" "));
        }
        out += &format!("-- exit {}\n", output.status.code().unwrap_or(-1));
        out += &text(&output.stdout);
        let err = text(&output.stderr);
        if !err.is_empty() {
            out += &format!("stderr: {err}");
        }
        out += "\n";
    }
    out
}

fn recorded() -> serde_json::Value {
    let source = fs::read_to_string(dir("chromium").join("console.json")).expect("console.json");
    serde_json::from_str(&source).expect("console.json is JSON")
}

#[test]
fn chromium_recorded_messages() {
    let recorded = recorded();
    let messages = recorded["messages"].as_object().expect("messages");
    let blocks: Vec<Block> = messages
        .iter()
        .filter(|(_, lines)| !lines.as_array().is_some_and(Vec::is_empty))
        .map(|(name, lines)| Block {
            name: name.clone(),
            message: lines
                .as_array()
                .expect("lines")
                .iter()
                .map(|l| format!("{}\n", l.as_str().expect("a line")))
                .collect(),
            args: Vec::new(),
        })
        .collect();
    assert!(blocks.len() >= 15, "{}", blocks.len());
    golden(
        &dir("console").join("chromium.golden"),
        &transcript(&blocks),
    );
}

#[test]
fn chromium_source_messages() {
    let blocks = blocks(&dir("console").join("chromium-source.txt"));
    golden(
        &dir("console").join("chromium-source.golden"),
        &transcript(&blocks),
    );
}

#[test]
fn firefox_messages() {
    let blocks = blocks(&dir("console").join("firefox.txt"));
    assert!(blocks.len() >= 18, "{}", blocks.len());
    golden(&dir("console").join("firefox.golden"), &transcript(&blocks));
}

#[test]
fn safari_messages() {
    let blocks = blocks(&dir("console").join("safari.txt"));
    golden(&dir("console").join("safari.golden"), &transcript(&blocks));
}

fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\nstderr: {}",
            text(&output.stdout),
            text(&output.stderr)
        )
    })
}

fn recorded_line(name: &str) -> String {
    recorded()["messages"][name][0]
        .as_str()
        .expect("a recorded line")
        .to_string()
}

#[test]
fn a_denied_header_as_json() {
    let output = corsc(
        &[
            "explain",
            "--json",
            "--console",
            &recorded_line("header-not-allowed"),
            &policy(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json = json_of(&output);
    assert_eq!(json["attributable"], true);
    assert_eq!(json["decision"], "preflight-denied");
    assert_eq!(json["reason"], "header-not-allowed");
    assert_eq!(json["policy"], "api");
    assert_eq!(json["console"]["browser"], "chromium");
    assert_eq!(json["console"]["failed"], "header-not-allowed");
    assert_eq!(json["request"]["method"], "OPTIONS");
    assert_eq!(json["request"]["path"], "/header");
    assert_eq!(json["request"]["origin"], "http://localhost:5000");
    assert_eq!(json["request"]["request_headers"], "x-api-key");
    // The message names no method: the assumption is said.
    assert_eq!(json["request"]["request_method"], "GET");
    assert!(json["assumed"][0]
        .as_str()
        .is_some_and(|a| a.starts_with("the method")));
}

#[test]
fn flags_override_what_the_message_says() {
    let output = corsc(
        &[
            "explain",
            "--json",
            "--console",
            &recorded_line("header-not-allowed"),
            "--method",
            "PUT",
            &policy(),
        ],
        None,
    );
    let json = json_of(&output);
    assert_eq!(json["request"]["request_method"], "PUT");
    assert_eq!(json["assumed"], serde_json::json!([]));
}

#[test]
fn not_the_policy_exits_3_with_json() {
    for (name, kind) in [
        ("mixed-content", "mixed-content"),
        ("local-network-access", "local-network-access"),
        ("redirect", "redirect"),
        ("connection-refused", "network-error"),
        ("file-scheme", "scheme"),
    ] {
        let line = recorded_line(name);
        let output = corsc(&["explain", "--json", "--console", &line, &policy()], None);
        assert_eq!(output.status.code(), Some(3), "{name}");
        let json = json_of(&output);
        assert_eq!(json["attributable"], false, "{name}");
        assert_eq!(json["kind"], kind, "{name}");
        assert!(json["why"].as_str().is_some_and(|w| !w.is_empty()));
    }
    // Chromium's net::ERR_FAILED line alone is not the CORS line.
    let output = corsc(
        &[
            "explain",
            "--console",
            "Failed to load resource: net::ERR_FAILED",
            &policy(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output.stdout).contains("paste the `Access to ... has been blocked"));
}

#[test]
fn stdin_and_file_give_the_same_answer() {
    let line = recorded_line("no-allow-origin");
    let from_arg = corsc(&["explain", "--console", &line, &policy()], None);
    let from_stdin = corsc(&["explain", "--console", "-", &policy()], Some(&line));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-file");
    fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("message.txt");
    fs::write(&file, &line).expect("write");
    let from_file = corsc(
        &[
            "explain",
            "--console-file",
            &file.display().to_string(),
            &policy(),
        ],
        None,
    );
    assert_eq!(from_arg.status.code(), Some(0));
    assert!(text(&from_arg.stdout).contains("reason:   origin-not-allowed"));
    assert_eq!(from_arg.stdout, from_stdin.stdout);
    assert_eq!(from_arg.stdout, from_file.stdout);
}

#[test]
fn a_message_without_the_origin_asks_for_it() {
    let output = corsc(
        &[
            "explain",
            "--console",
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
             resource at http://127.0.0.1:8000/allowed. (Reason: CORS header \
             ‘Access-Control-Allow-Origin’ missing). Status code: 200.",
            &policy(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr)
            .contains("Firefox's message does not name the page's origin; pass --origin"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn console_and_har_exclude_each_other() {
    let output = corsc(
        &["explain", "--console", "x", "--har", "y.har", &policy()],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("cannot be used with"));
}

fn har() -> String {
    dir("chromium").join("chromium.har").display().to_string()
}

#[test]
fn chromium_har_text_and_json() {
    let output = corsc(&["explain", "--har", &har(), &policy()], None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    golden(&dir("chromium").join("har.golden"), &text(&output.stdout));

    let output = corsc(&["explain", "--json", "--har", &har(), &policy()], None);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    let items = json.as_array().expect("a JSON array");
    // The denied header's inferred preflight, with the request Chromium
    // recorded without its Origin header.
    let header = items
        .iter()
        .find(|i| i["har"]["url"] == "http://127.0.0.1:8000/header")
        .expect("the /header request");
    assert_eq!(header["har"]["kind"], "inferred-preflight");
    assert_eq!(header["har"]["request_headers"], "x-api-key");
    assert_eq!(header["har"]["origin_from"], "page");
    assert_eq!(header["decision"], "preflight-denied");
    assert_eq!(header["reason"], "header-not-allowed");
    // The request that worked: Chromium recorded its Origin header.
    let allowed: Vec<_> = items
        .iter()
        .filter(|i| i["har"]["url"] == "http://127.0.0.1:8000/allowed")
        .collect();
    assert_eq!(allowed.len(), 2);
    assert_eq!(allowed[1]["har"]["origin_from"], "header");
    assert_eq!(allowed[1]["har"]["browser_status"], 200);
    assert_eq!(allowed[1]["decision"], "actual-allowed");
    golden(
        &dir("chromium").join("har-json.golden"),
        &format!("{:#}\n", json),
    );
}

#[test]
fn a_bad_har_names_the_json_path() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-har");
    fs::create_dir_all(&dir).expect("dir");
    let cases = [
        ("not-json.har", "{\"log\":", "not a HAR file: $: not JSON"),
        ("no-log.har", "{}", "not a HAR file: $: missing `log`"),
        (
            "bad-header.har",
            r#"{"log":{"entries":[{"request":{"method":"GET","url":"http://a.test/","headers":[{"name":"Origin"}]}}]}}"#,
            "not a HAR file: log.entries[0].request.headers[0]: missing `value`",
        ),
    ];
    for (name, contents, expected) in cases {
        let path = dir.join(name);
        fs::write(&path, contents).expect("write");
        let output = corsc(
            &["explain", "--har", &path.display().to_string(), &policy()],
            None,
        );
        assert_eq!(output.status.code(), Some(1), "{name}");
        assert!(
            text(&output.stderr).contains(expected),
            "{name}: {}",
            text(&output.stderr)
        );
    }
    // More entries than the cap.
    let entry = r#"{"request":{"method":"GET","url":"http://a.test/","headers":[]}}"#;
    let many = format!(
        r#"{{"log":{{"entries":[{}]}}}}"#,
        vec![entry; corsc::har::MAX_ENTRIES + 1].join(",")
    );
    let path = dir.join("many.har");
    fs::write(&path, many).expect("write");
    let output = corsc(
        &["explain", "--har", &path.display().to_string(), &policy()],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("at most 10000 are read"));
}

proptest::proptest! {
    // A fixed seed: the same 2,000 inputs every run.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 2000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(21),
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Any text, however mangled a pasted console is, reads without a panic;
    /// the recorded lines with bytes cut off or inserted too.
    #[test]
    fn reading_never_panics(text in "\\PC{0,300}", cut in 0usize..400, extra in "\\PC{0,8}") {
        let _ = corsc::console::parse(&text);
        let _ = corsc::har::requests(&text);
        let line = "Access to fetch at 'http://127.0.0.1:8000/x' (redirected from 'http://a.test/') from origin 'http://localhost:5000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: Request header field x-api-key is not allowed by Access-Control-Allow-Headers in preflight response.";
        let cut = line.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(line.len());
        let _ = corsc::console::parse(&format!("{}{extra}{}", &line[..cut], &line[cut..]));
        let _ = corsc::console::parse(&line[..cut]);
    }
}
