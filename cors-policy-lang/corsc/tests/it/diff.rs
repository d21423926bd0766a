//! `corsc diff OLD NEW` run as a process on pairs of real policy files:
//! the lines it prints, its JSON, and its exit status (0 same meaning,
//! 1 narrowed or neutral, 3 widened, 2 errors).

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

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("diff-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `corsc diff` on two files with these contents (plus `extra`
/// arguments); the output.
fn diff(test: &str, old: &str, new: &str, extra: &[&str]) -> Output {
    let dir = scratch(test);
    let (old_path, new_path) = (dir.join("old.corspolicy"), dir.join("new.corspolicy"));
    fs::write(&old_path, old).expect("write old");
    fs::write(&new_path, new).expect("write new");
    let (old_path, new_path) = (
        old_path.display().to_string(),
        new_path.display().to_string(),
    );
    let mut args = vec!["diff", old_path.as_str(), new_path.as_str()];
    args.extend_from_slice(extra);
    let output = corsc(&args);
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    output
}

/// The lines of the report between the file names and the summary.
fn body(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .skip(2)
        .filter(|line| line.starts_with(' ') || line.starts_with("policy "))
        .map(str::to_string)
        .collect()
}

const API: &str = "\
policy api {
    paths /api/;
    origins https://app.example.com
            https://*.a.example.com
            http://localhost:3000;
    methods GET POST PUT;
    allow-headers Content-Type;
    expose-headers X-Request-Id;
    max-age 10m;
}

policy assets {
    paths /static/;
    origins *;
    methods GET HEAD;
}
";

#[test]
fn the_same_file_has_no_difference() {
    let output = diff("same", API, API, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(body(&output).is_empty(), "{}", stdout(&output));
    assert!(stdout(&output).ends_with("no semantic difference\n"));
}

#[test]
fn a_reformatted_and_reordered_file_means_the_same() {
    let reordered = "\
# assets first, directives and lists reordered, other spellings
policy assets { methods HEAD GET; origins *; paths /static/; }
policy api {
  max-age 600;
  expose-headers x-request-id;
  allow-headers content-type Content-Type;
  methods PUT;                       # GET and POST are always allowed
  origins http://localhost:3000 ~\"^https://app\\.example\\.com$\"
          https://*.a.example.com;
  paths /api/;
}
";
    let output = diff("reordered", API, reordered, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(body(&output).is_empty(), "{}", stdout(&output));
}

#[test]
fn each_kind_of_widening_exits_3() {
    let cases = [
        (
            "https://app.example.com",
            "https://app.example.com https://new.example.com",
            "  + origin https://new.example.com",
        ),
        (
            "methods GET POST PUT;",
            "methods PUT PATCH;",
            "  + method PATCH",
        ),
        (
            "allow-headers Content-Type;",
            "allow-headers Content-Type X-Token;",
            "  + allow-header x-token",
        ),
        (
            "allow-headers Content-Type;",
            "allow-headers *;",
            "  + allow-header * (any name but authorization)",
        ),
        (
            "expose-headers X-Request-Id;",
            "expose-headers X-Request-Id X-Total;",
            "  + expose-header x-total",
        ),
        (
            "max-age 10m;",
            "max-age 10m; private-network on;",
            "  + private-network on (was off)",
        ),
        (
            "http://localhost:3000;",
            "http://localhost:3000;\n credentials on;",
            "  + credentials on (was off)",
        ),
    ];
    for (index, (from, to, line)) in cases.into_iter().enumerate() {
        let new = API.replacen(from, to, 1);
        assert_ne!(new, API, "{from}");
        let output = diff(&format!("widen-{index}"), API, &new, &[]);
        assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
        assert_eq!(body(&output), ["policy api", line], "{}", stdout(&output));
        assert!(
            stdout(&output).contains("review required"),
            "{}",
            stdout(&output)
        );
        // The other way round narrows, with the same line signed `-`
        // (flags say what they are now).
        let back = diff(&format!("narrow-{index}"), &new, API, &[]);
        assert_eq!(back.status.code(), Some(1), "{}", stdout(&back));
        let narrowed = line
            .replacen("+ ", "- ", 1)
            .replace("on (was off)", "off (was on)");
        assert_eq!(body(&back), ["policy api", &narrowed], "{}", stdout(&back));
    }
}

#[test]
fn origins_star_is_a_widening_and_a_list_a_narrowing() {
    let new = API.replacen(
        "origins https://app.example.com\n            https://*.a.example.com\n            http://localhost:3000;",
        "origins *;",
        1,
    );
    let output = diff("any-origin", API, &new, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert_eq!(
        body(&output),
        ["policy api", "  + origins * (every origin)"]
    );
    let back = diff("any-origin-back", &new, API, &[]);
    assert_eq!(back.status.code(), Some(1));
    assert_eq!(
        body(&back),
        ["policy api", "  - origins * (no longer every origin)"]
    );
}

#[test]
fn a_widened_wildcard_shows_an_origin_it_newly_admits() {
    let new = API.replace("https://*.a.example.com", "https://*.example.com");
    let output = diff("wildcard", API, &new, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert_eq!(
        body(&output),
        [
            "policy api",
            "  + origin https://*.example.com (newly admits https://a.example.com)"
        ]
    );
    let ports = API.replace("http://localhost:3000", "http://localhost:*");
    let output = diff("port-wildcard", API, &ports, &[]);
    assert_eq!(
        body(&output),
        [
            "policy api",
            "  + origin http://localhost:* (newly admits http://localhost)"
        ]
    );
}

#[test]
fn different_spellings_of_the_same_origins_are_no_difference() {
    let listed = "policy p { paths /; origins https://a.x.com https://b.x.com https://x.com; }";
    let regex = r#"policy p { paths /; origins ~"^https://((a|b)\.)?x\.com$"; }"#;
    let output = diff("spellings", listed, regex, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // One letter more in the class admits one origin more.
    let wider = r#"policy p { paths /; origins ~"^https://([a-c]\.)?x\.com$"; }"#;
    let output = diff("spellings-wider", listed, wider, &[]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        body(&output),
        [
            "policy p",
            r#"  + origin ~"^https://([a-c]\.)?x\.com$" (newly admits https://c.x.com)"#
        ]
    );
}

#[test]
fn a_path_moved_to_another_policy_reports_what_its_requests_get() {
    let old = "\
policy api {
    paths /api/ /admin/;
    origins https://app.example.com;
    methods PUT;
    max-age 600;
}
";
    let new = "\
policy api {
    paths /api/;
    origins https://app.example.com;
    methods PUT;
    max-age 600;
}
policy admin {
    paths /admin/;
    origins https://admin.example.com;
    credentials on;
}
";
    let output = diff("moved", old, new, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert_eq!(
        body(&output),
        [
            "policy api",
            "  ~ paths removed: /admin/",
            "policy admin (added)",
            "  requests to /admin/ (served by policy api before):",
            "    + origin https://admin.example.com",
            "    - origin https://app.example.com",
            "    - method PUT",
            "    + credentials on (was off)",
            "    ~ max-age none (5 s default) (was 600 s)",
        ],
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("(policy api: 600 s)"));
}

#[test]
fn narrowing_notes_the_old_max_age() {
    let new = API.replacen("methods GET POST PUT;", "methods GET;", 1);
    let new = new.replacen("max-age 10m;", "max-age 30;", 1);
    let output = diff("max-age-note", API, &new, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(
        body(&output),
        [
            "policy api",
            "  - method PUT",
            "  ~ max-age 30 s (was 600 s)"
        ]
    );
    let text = stdout(&output);
    assert!(
        text.contains("note: browsers keep a cached preflight until its max-age runs out")
            && text.contains("only after the old max-age (policy api: 600 s)"),
        "{text}"
    );
    // A neutral change alone: exit 1, no note.
    let neutral = diff(
        "max-age-only",
        API,
        &API.replacen("max-age 10m;", "max-age 2h;", 1),
        &[],
    );
    assert_eq!(neutral.status.code(), Some(1));
    assert!(!stdout(&neutral).contains("note:"), "{}", stdout(&neutral));
    assert!(stdout(&neutral).contains("every request gets the same access"));
}

#[test]
fn preflight_status_is_neutral() {
    let new = API.replacen("max-age 10m;", "max-age 10m; preflight-status 200;", 1);
    let output = diff("preflight-status", API, &new, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(
        body(&output),
        ["policy api", "  ~ preflight-status 200 (was 204)"]
    );
}

#[test]
fn a_removed_policy_leaves_its_paths_without_cors() {
    let new = &API[..API.find("policy assets").expect("assets")];
    let output = diff("removed", API, new, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(
        body(&output),
        [
            "policy assets (removed)",
            "  requests to /static/ (served by no policy now: no CORS headers):",
            "    - origins * (no longer every origin)",
        ]
    );
    // Removing `origins *` narrows: the note names the policy's default.
    assert!(
        stdout(&output).contains("(policy assets: none (5 s default))"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn renames_are_found_by_paths() {
    let new = API.replacen("policy api", "policy rest", 1);
    let output = diff("rename", API, &new, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(body(&output), ["policy rest (renamed from api)"]);
}

#[test]
fn json_carries_the_same() {
    let new = API.replace("https://*.a.example.com", "https://*.example.com");
    let output = diff("json", API, &new, &["--json"]);
    assert_eq!(output.status.code(), Some(3));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(value["verdict"], "widened");
    assert_eq!(value["exit_status"], 3);
    assert_eq!(value["widened"], true);
    assert_eq!(value["narrowed"], false);
    assert_eq!(value["policies"][0]["name"], "api");
    assert_eq!(value["policies"][0]["status"], "kept");
    let change = &value["policies"][0]["changes"][0];
    assert_eq!(change["direction"], "widened");
    assert_eq!(change["kind"], "origin");
    assert_eq!(change["pattern"], "https://*.example.com");
    assert_eq!(change["exact"], false);
    assert_eq!(change["example"], "https://a.example.com");
    assert_eq!(value["routes"], serde_json::json!([]));
}

#[test]
fn invalid_or_unreadable_input_exits_2_with_diagnostics() {
    // `origins *` with credentials is an error.
    let broken = API.replacen("methods GET HEAD;", "methods GET HEAD; credentials on;", 1);
    let output = diff("invalid", API, &broken, &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("error["), "{err}");
    assert!(err.contains("new.corspolicy"), "{err}");
    assert!(err.contains("cannot compare an invalid policy"), "{err}");
    assert!(stdout(&output).is_empty());

    let dir = scratch("missing");
    let missing = dir.join("missing.corspolicy").display().to_string();
    let output = corsc(&["diff", &missing, &missing]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read"),
        "{}",
        stderr(&output)
    );
}

/// The example of the README's CLI reference is what `corsc diff` prints.
#[test]
fn the_readme_example_is_real() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let section = readme
        .split_once("With `examples/api.corspolicy` as OLD")
        .expect("the example")
        .1;
    let mut blocks = section.split("```").skip(1).step_by(2);
    let policy = blocks.next().expect("NEW").trim_start_matches('\n');
    let shown = blocks.next().expect("output").trim_start_matches('\n');
    let (command, expected) = shown.split_once('\n').expect("command line");
    assert_eq!(
        command,
        "$ corsc diff examples/api.corspolicy api-new.corspolicy; echo \"exit $?\""
    );
    let dir = scratch("readme");
    fs::create_dir_all(dir.join("examples")).expect("examples dir");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/api.corspolicy"),
        dir.join("examples/api.corspolicy"),
    )
    .expect("copy the example");
    fs::write(dir.join("api-new.corspolicy"), policy).expect("write NEW");
    let output = Command::new(env!("CARGO_BIN_EXE_corsc"))
        .args(["diff", "examples/api.corspolicy", "api-new.corspolicy"])
        .current_dir(&dir)
        .output()
        .expect("corsc runs");
    let code = output.status.code().expect("an exit status");
    assert_eq!(format!("{}exit {code}\n", stdout(&output)), expected);
}
