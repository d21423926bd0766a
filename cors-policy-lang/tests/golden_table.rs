//! The compiler still writes the committed golden table for
//! `examples/api.corspolicy` (read by `cors-match-core/tests/golden_table.rs`).
//! A deliberate format change: rerun with `BLESS=1` and commit the new bytes.

use std::path::Path;

#[test]
fn compiler_output_matches_the_golden_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let source = std::fs::read_to_string(root.join("examples/api.corspolicy")).expect("example");
    let table = cors_policy_lang::compile(&source)
        .unwrap_or_else(|failure| panic!("example compiles: {failure}"))
        .table;
    let golden_path = root.join("cors-match-core/tests/fixtures/api.cors");
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
