//! The compiler still writes the committed golden tables: for
//! `examples/api.corspolicy` (read by `cors-match-core/tests/it/golden_table.rs`)
//! and for a one-prefix policy (read by `cors-match-core`'s loader tests).
//! A deliberate format change: rerun with `BLESS=1` and commit the new bytes.

use std::path::Path;

/// A policy with one path prefix: its path automaton starts with a literal
/// run (`cors-match-core`'s loader unit tests read it).
const ONE_PREFIX: &str =
    "policy api {\n    paths /api/;\n    origins https://app.example.com;\n}\n";

#[test]
fn compiler_output_matches_the_golden_tables() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = std::fs::read_to_string(root.join("examples/api.corspolicy")).expect("example");
    for (source, golden) in [
        (example.as_str(), "api.cors"),
        (ONE_PREFIX, "one_prefix.cors"),
    ] {
        let table = cors_policy_lang::compile(source)
            .unwrap_or_else(|failure| panic!("{golden}: the source compiles: {failure}"))
            .table;
        let golden_path = root.join("cors-match-core/tests/fixtures").join(golden);
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&golden_path, &table).expect("write golden table");
        }
        let golden = std::fs::read(&golden_path).expect("golden table");
        assert!(
            table == golden,
            "compiled table differs from {} ({} vs {} bytes); if the format changed on purpose, \
             bump format::VERSION and rerun with BLESS=1",
            golden_path.display(),
            table.len(),
            golden.len()
        );
    }
}
