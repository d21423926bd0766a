//! The committed fuzz seeds (`fuzz/seeds/TARGET/`) replayed through the
//! fuzz target bodies ([`cors_testing::targets`]) as ordinary tests, on
//! stable and without a fuzzing run: a seed that panics, or breaks an
//! invariant the target checks, fails `cargo test`. The fuzz smoke
//! (`scripts/fuzz-smoke`) replays the same seeds under AddressSanitizer
//! and libFuzzer's timeout, then goes on from them.

use std::collections::BTreeSet;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use cors_testing::targets;

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds")
}

/// A fuzz target's body.
type Body = fn(&[u8]);

/// The targets replayed here, each with its body. Every target of
/// `fuzz/fuzz_targets/` must be one (see the test below).
const TARGETS: &[(&str, Body)] = &[
    ("compile", |data| {
        targets::compile(data);
    }),
    ("differential", targets::differential),
    ("load_eval", targets::load_eval),
    ("ffi", targets::ffi),
    ("format", targets::format),
];

/// Runs `target`'s body on each of its seeds, in name order (as the fuzz
/// smoke does); panics naming every seed that failed.
fn replay(target: &str) {
    let body = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, body)| *body)
        .expect("a known target");
    let dir = seeds_dir().join(target);
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "{} has no seeds", dir.display());
    let mut failures = Vec::new();
    for seed in &seeds {
        let data =
            std::fs::read(seed).unwrap_or_else(|error| panic!("{}: {error}", seed.display()));
        // The panic message is printed as it happens; collect the names so
        // that one failing seed does not hide the others.
        if panic::catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failures.push(seed.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "the `{target}` fuzz target fails on {} of its {} seeds (reproduce with \
         `cargo +nightly fuzz run {target} SEED` from the repository root):\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n")
    );
}

#[test]
fn compile_seeds_pass() {
    replay("compile");
}

#[test]
fn differential_seeds_pass() {
    replay("differential");
}

#[test]
fn load_eval_seeds_pass() {
    replay("load_eval");
}

#[test]
fn ffi_seeds_pass() {
    replay("ffi");
}

#[test]
fn format_seeds_pass() {
    replay("format");
}

/// Every fuzz target has seeds and is replayed here, and every seed
/// directory belongs to a target: a new target cannot skip the replay.
#[test]
fn every_fuzz_target_is_replayed() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let names = |dir: PathBuf, strip: &str| -> BTreeSet<String> {
        std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| entry.expect("a directory entry").file_name())
            .map(|name| name.to_string_lossy().trim_end_matches(strip).to_string())
            .collect()
    };
    let fuzz_targets = names(fuzz.join("fuzz_targets"), ".rs");
    let seeded = names(seeds_dir(), "");
    let replayed: BTreeSet<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(
        fuzz_targets, replayed,
        "fuzz/fuzz_targets/ (left), replayed here (right)"
    );
    assert_eq!(
        seeded, replayed,
        "fuzz/seeds/ (left), replayed here (right)"
    );
}
