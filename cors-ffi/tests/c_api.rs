//! Builds the C tests in `tests/c/` against `include/cors.h` and the
//! staticlib with `-Wall -Wextra -Werror -pedantic`, and runs them: directly,
//! and under valgrind (errors and leaks fail) when valgrind is installed.
//! Set `CORS_REQUIRE_VALGRIND=1` (as `.ci/run` does) to fail instead of
//! skipping the valgrind run when it is missing.

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

/// Compiles `tests/c/<name>.c` against the header and the staticlib.
fn build_c_test(name: &str, dir: &Path) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let library = deps_dir().join("libcors_ffi.a");
    assert!(library.exists(), "{} was not built", library.display());
    let binary = dir.join(name);
    run(Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg(crate_dir.join("tests/c").join(format!("{name}.c")))
        .arg(&library)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&binary));
    binary
}

#[test]
fn c_api_tests_pass_directly_and_under_valgrind() {
    let dir = TempDir::new("api");
    let source_path = workspace_root().join("examples/api.corspolicy");
    let source = std::fs::read_to_string(&source_path).expect("the example policy is readable");
    let compiled = cors_policy_lang::compile(&source).expect("the example policy compiles");
    let table_path = dir.0.join("api.cors");
    std::fs::write(&table_path, &compiled.table).expect("temp dir is writable");

    let binary = build_c_test("api_test", &dir.0);
    let output = run(Command::new(&binary).arg(&source_path).arg(&table_path));
    assert!(String::from_utf8_lossy(&output.stdout).contains("all checks passed"));

    if valgrind_available() {
        run(Command::new("valgrind")
            .args(["--error-exitcode=1", "--leak-check=full", "-q"])
            .arg(&binary)
            .arg(&source_path)
            .arg(&table_path));
    }
}
