//! Builds the C tests in `tests/c/` against `include/cors.h` and the
//! staticlib with `-Wall -Wextra -Werror -pedantic`, and runs them: directly,
//! and under valgrind (errors and leaks fail) when valgrind is installed.
//! Set `CORS_REQUIRE_VALGRIND=1` (as `.ci/run` does) to fail instead of
//! skipping the valgrind run when it is missing.
//!
//! The C API tests run against the staticlib of the profile this test was
//! built with, and against the release staticlib too (built here with
//! `cargo build --release`, which cargo caches): optimised code is what
//! hosts link, and valgrind judges it differently. Valgrind runs with
//! `tests/valgrind.supp`, whose every entry is a documented false positive.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>/deps`, where `cargo test` builds every crate type of
/// the library, this test included (only `cargo build` copies them up a
/// level, so the copy there may be stale).
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.parent()
        .expect("tests run from target/<profile>/deps")
        .to_path_buf()
}

/// The target directory this test was built in (`target`, or
/// `target/<triple>` under `--target`).
fn target_dir() -> PathBuf {
    let deps = deps_dir();
    deps.parent()
        .and_then(Path::parent)
        .expect("tests run from <target>/<profile>/deps")
        .to_path_buf()
}

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cors-ffi is in the workspace")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("cors-ffi-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir is writable");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn valgrind_available() -> bool {
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("CORS_REQUIRE_VALGRIND").is_none(),
            "CORS_REQUIRE_VALGRIND is set but valgrind is not installed"
        );
        eprintln!("valgrind not installed: C tests run without it");
    }
    found
}

/// Runs `binary` with `args` under valgrind: any error not suppressed by
/// `tests/valgrind.supp`, and any definite or indirect leak, fails.
fn valgrind(binary: &Path, args: &[&Path]) {
    let suppressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/valgrind.supp");
    run(Command::new("valgrind")
        .args(["--error-exitcode=1", "--leak-check=full", "-q"])
        // A failure then prints the entry to judge (never to paste blindly:
        // see the file's header).
        .arg("--gen-suppressions=all")
        .arg(format!("--suppressions={}", suppressions.display()))
        .arg(binary)
        .args(args));
}

/// The staticlib `cargo test` built for this test's profile.
fn test_library() -> PathBuf {
    deps_dir().join("libcors_ffi.a")
}

/// The release staticlib: this test's own when it was built with
/// `--release`, else built now with `cargo build --release` into the same
/// target directory (cargo caches it; the first time takes about half a
/// minute on 2 cores).
fn release_library() -> PathBuf {
    let deps = deps_dir();
    if deps.parent().and_then(Path::file_name) == Some("release".as_ref()) {
        return test_library();
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = target_dir();
    run(Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--quiet",
            "-p",
            "cors-ffi",
            "--lib",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(workspace_root()));
    target_dir.join("release/libcors_ffi.a")
}

/// Compiles a C file of this crate (`tests/c/api_test.c`...) against the
/// header and the staticlib `library`, into `dir`.
fn build_c(relative: &str, library: &Path, dir: &Path) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(library.exists(), "{} was not built", library.display());
    let source = crate_dir.join(relative);
    let binary = dir.join(source.file_stem().expect("a C file name"));
    run(Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg(source)
        .arg(library)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&binary));
    binary
}

/// The example policy's source path, and its table written into `dir`.
fn example_policy(dir: &Path) -> (PathBuf, PathBuf) {
    let source_path = workspace_root().join("examples/api.corspolicy");
    let source = std::fs::read_to_string(&source_path).expect("the example policy is readable");
    let compiled = cors_policy_lang::compile(&source).expect("the example policy compiles");
    let table_path = dir.join("api.cors");
    std::fs::write(&table_path, &compiled.table).expect("temp dir is writable");
    (source_path, table_path)
}

/// The example plus the legacy `private-network on`, for the tests of
/// `Access-Control-Allow-Private-Network` (the example no longer has it).
fn private_network_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/private_network.corspolicy")
}

/// Builds `tests/c/api_test.c` against `library` and runs it on the
/// example policy (source and table) and the legacy fixture: directly, and
/// under valgrind when it is installed.
fn c_api_tests(name: &str, library: &Path) {
    let dir = TempDir::new(name);
    let (source_path, table_path) = example_policy(&dir.0);
    let legacy_path = private_network_policy();
    let binary = build_c("tests/c/api_test.c", library, &dir.0);
    let args = [source_path.as_path(), &table_path, &legacy_path];
    let output = run(Command::new(&binary).args(args));
    assert!(String::from_utf8_lossy(&output.stdout).contains("all checks passed"));
    if valgrind_available() {
        valgrind(&binary, &args);
    }
}

#[test]
fn c_api_tests_pass_directly_and_under_valgrind() {
    c_api_tests("api", &test_library());
}

/// The same against the optimised library. Skipped, like the valgrind runs,
/// when valgrind is missing: the direct run adds nothing the test above
/// does not check.
#[test]
fn c_api_tests_pass_under_valgrind_against_the_release_library() {
    if valgrind_available() {
        c_api_tests("api-release", &release_library());
    }
}

const PREFLIGHT: [&str; 10] = [
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

#[test]
fn example_host_answers_from_source_and_from_table() {
    let dir = TempDir::new("example");
    let (source_path, table_path) = example_policy(&dir.0);
    let binary = build_c("examples/eval.c", &test_library(), &dir.0);
    let expected = "decision: preflight-allowed\n\
        policy: api\n\
        status: 204\n\
        access-control-allow-origin: https://app.example.com\n\
        access-control-allow-credentials: true\n\
        access-control-allow-methods: GET, POST, PUT, DELETE\n\
        access-control-allow-headers: content-type, authorization, x-requested-with\n\
        access-control-max-age: 600\n\
        vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n";
    for policy in [&source_path, &table_path] {
        let output = run(Command::new(&binary).arg(policy).args(PREFLIGHT));
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    }
    // --private-network: denied by the example, answered by the legacy policy.
    let output = run(Command::new(&binary)
        .arg(&table_path)
        .args(PREFLIGHT)
        .arg("--private-network"));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "decision: preflight-denied\nreason: private-network-not-allowed\npolicy: api\n\
         status: 403\nvary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n"
    );
    let output = run(Command::new(&binary)
        .arg(private_network_policy())
        .args(PREFLIGHT)
        .arg("--private-network"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("decision: preflight-allowed\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("access-control-allow-private-network: true\n"),
        "{stdout}"
    );
    let denied = run(Command::new(&binary).arg(&table_path).args([
        "--method",
        "GET",
        "--path",
        "/api/users",
        "--origin",
        "https://evilexample.com",
    ]));
    assert_eq!(
        String::from_utf8_lossy(&denied.stdout),
        "decision: actual-denied\nreason: origin-not-allowed\npolicy: api\nvary: Origin\n"
    );
    if valgrind_available() {
        let mut args = vec![source_path.as_path()];
        args.extend(PREFLIGHT.iter().map(Path::new));
        valgrind(&binary, &args);
    }
}

#[test]
fn example_host_reports_bad_policies_and_usage() {
    let dir = TempDir::new("example-errors");
    let binary = build_c("examples/eval.c", &test_library(), &dir.0);
    let bad = dir.0.join("bad.corspolicy");
    std::fs::write(
        &bad,
        "policy a {\n  origins https://x.com;\n  methods get;\n}\n",
    )
    .expect("temp dir is writable");
    let output = Command::new(&binary)
        .arg(&bad)
        .args(["--method", "GET", "--path", "/"])
        .output()
        .expect("the example runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[CORS0051]"), "{stderr}");
    assert!(stderr.contains("bad.corspolicy:3:11"), "{stderr}");
    assert!(output.stdout.is_empty());

    let mut corrupted = std::fs::read(example_policy(&dir.0).1).expect("table readable");
    let last = corrupted.len() - 1;
    corrupted[last] ^= 1;
    let corrupted_path = dir.0.join("corrupted.cors");
    std::fs::write(&corrupted_path, corrupted).expect("temp dir is writable");
    let output = Command::new(&binary)
        .arg(&corrupted_path)
        .args(["--method", "GET", "--path", "/"])
        .output()
        .expect("the example runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("checksum"));

    for args in [
        &["--method", "GET"][..],
        &["--path"][..],
        &["--bogus", "x"][..],
    ] {
        let output = Command::new(&binary)
            .arg(&bad)
            .args(args)
            .output()
            .expect("the example runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage:"));
    }
}
