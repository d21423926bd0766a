//! `corsc fmt` run as a process: in place, `--check`, stdin, syntax
//! errors, several files, exit codes.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MESSY: &str = "policy api{paths /api/;origins https://a.example.com   https://b.example.com;\n# why\nmethods PUT ;}\n";
const TIDY: &str = "policy api {\n    paths /api/;\n    origins https://a.example.com https://b.example.com;\n    # why\n    methods PUT;\n}\n";

fn corsc(args: &[&str]) -> Output {
    corsc_with_stdin(args, None)
}

fn corsc_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsc"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("corsc runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(bytes).expect("write stdin");
    }
    child.wait_with_output().expect("corsc finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fmt-{test}"));
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
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
}

#[test]
fn rewrites_a_file_in_place_and_leaves_a_tidy_one_alone() {
    let dir = scratch("in-place");
    let messy = write(&dir, "messy.corspolicy", MESSY);
    let tidy = write(&dir, "tidy.corspolicy", TIDY);
    let tidy_inode = fs::metadata(&tidy).unwrap().ino();
    let output = corsc(&["fmt", &messy, &tidy]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(fs::read_to_string(&messy).unwrap(), TIDY);
    assert_eq!(fs::read_to_string(&tidy).unwrap(), TIDY);
    // Unchanged files are not rewritten (a rewrite is a rename: a new inode).
    assert_eq!(fs::metadata(&tidy).unwrap().ino(), tidy_inode);
    // No temporary file is left behind.
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn check_prints_a_diff_writes_nothing_and_exits_1() {
    let dir = scratch("check");
    let messy = write(&dir, "messy.corspolicy", MESSY);
    let tidy = write(&dir, "tidy.corspolicy", TIDY);
    let output = corsc(&["fmt", "--check", &messy, &tidy]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let diff = stdout(&output);
    assert!(
        diff.starts_with(&format!(
            "--- {messy}\n+++ {messy} (formatted)\n@@ -1,3 +1,6 @@\n"
        )),
        "{diff}"
    );
    assert!(diff.contains("\n-methods PUT ;}\n"), "{diff}");
    assert!(diff.contains("\n+    methods PUT;\n+}\n"), "{diff}");
    assert!(!diff.contains("tidy.corspolicy"), "{diff}");
    assert!(
        stderr(&output).contains("1 file would be reformatted"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&messy).unwrap(), MESSY);

    let output = corsc(&["fmt", "--check", &tidy]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
}

#[test]
fn the_readme_example_is_already_formatted() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/api.corspolicy");
    let output = corsc(&["fmt", "--check", &example.display().to_string()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}

#[test]
fn syntax_errors_are_reported_and_nothing_is_written() {
    let dir = scratch("syntax");
    // The block is never closed.
    let source = "policy api {\n    origins https://a.example.com;\n    methods PUT;\n";
    let bad = write(&dir, "bad.corspolicy", source);
    let good = write(&dir, "good.corspolicy", MESSY);
    for check in [false, true] {
        let mut args = vec!["fmt"];
        if check {
            args.push("--check");
        }
        args.extend([bad.as_str(), good.as_str()]);
        let output = corsc(&args);
        assert_eq!(output.status.code(), Some(1));
        let err = stderr(&output);
        assert!(err.contains("error[CORS0004]"), "{err}");
        assert!(err.contains("bad.corspolicy:3:"), "{err}");
        assert!(
            err.contains("bad.corspolicy: not formatted: 1 syntax error"),
            "{err}"
        );
        assert!(
            !stdout(&output).contains("bad.corspolicy"),
            "{}",
            stdout(&output)
        );
        assert_no_panic(&output);
        assert_eq!(fs::read_to_string(&bad).unwrap(), source);
    }
    // The good file beside it was still formatted (by the run without --check).
    assert_eq!(fs::read_to_string(&good).unwrap(), TIDY);
}

#[test]
fn stdin_to_stdout() {
    for args in [&["fmt"][..], &["fmt", "-"][..]] {
        let output = corsc_with_stdin(args, Some(MESSY.as_bytes()));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), TIDY);
    }
    let output = corsc_with_stdin(&["fmt", "--check"], Some(MESSY.as_bytes()));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).starts_with("--- <stdin>\n+++ <stdin> (formatted)\n"),
        "{}",
        stdout(&output)
    );
    let output = corsc_with_stdin(&["fmt", "--check", "-"], Some(TIDY.as_bytes()));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");

    let output = corsc_with_stdin(&["fmt"], Some(b"policy a { origins *\n"));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "", "nothing is written on syntax errors");
    assert!(
        stderr(&output).contains("<stdin>:1:"),
        "{}",
        stderr(&output)
    );

    let output = corsc_with_stdin(&["fmt"], Some(b"policy a { origins \xff; }"));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not valid UTF-8"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn crlf_permissions_and_symlinks_are_kept() {
    let dir = scratch("keep");
    let crlf = write(&dir, "crlf.corspolicy", MESSY.replace('\n', "\r\n"));
    fs::set_permissions(&crlf, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("link.corspolicy");
    std::os::unix::fs::symlink("crlf.corspolicy", &link).unwrap();
    let output = corsc(&["fmt", &link.display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(&crlf).unwrap(),
        TIDY.replace('\n', "\r\n")
    );
    assert_eq!(
        fs::metadata(&crlf).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn unreadable_files_exit_2_and_hostile_ones_end_cleanly() {
    let output = corsc(&["fmt", "/nonexistent/x.corspolicy"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read /nonexistent/x.corspolicy"),
        "{}",
        stderr(&output)
    );

    let dir = scratch("hostile");
    for (name, contents) in [
        ("braces", "{".repeat(1 << 20)),
        (
            "long-name",
            format!(
                "policy p {{ {} {}; }}",
                "n".repeat(100_000),
                "a ".repeat(100_000)
            ),
        ),
        ("binary", "\0\u{1}\u{7f}".repeat(1000)),
    ] {
        let file = write(&dir, name, &contents);
        let output = corsc(&["fmt", &file]);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        assert_no_panic(&output);
        assert_eq!(fs::read_to_string(&file).unwrap(), contents, "{name}");
    }
}

/// The README's before/after example is what `corsc fmt` does.
#[test]
fn the_readme_example_is_real() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let block_after = |marker: &str| -> String {
        let start = readme
            .find(marker)
            .unwrap_or_else(|| panic!("{marker:?} in README"));
        let rest = &readme[start + marker.len()..];
        let rest = &rest[rest.find("```\n").expect("a code block") + 4..];
        rest[..rest.find("```\n").expect("its end")].to_string()
    };
    let before = block_after("Before:\n");
    let after = block_after("After `corsc fmt`:\n");
    assert_ne!(before, after);
    let output = corsc_with_stdin(&["fmt"], Some(before.as_bytes()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), after);
}
