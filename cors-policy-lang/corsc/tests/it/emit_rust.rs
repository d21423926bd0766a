//! `corsc compile --emit rust` output, used the way firmware uses it: the
//! committed file for `examples/api.corspolicy` is `include!`d, loaded in
//! place and evaluated; and the emitter still writes exactly that file.
//! After a deliberate change, rerun with `BLESS=1` and commit the new file.

use std::path::Path;

use cors_match_core::{Decision, Request};

include!("../emit_fixtures/api_table.rs");

#[test]
fn the_included_table_loads_in_place_and_answers_a_preflight() {
    let policy = api_table_policy().expect("the committed table loads");
    let request = Request {
        origin: Some(b"https://app.example.com"),
        request_method: Some(b"PUT"),
        request_headers: Some(b"content-type,authorization"),
        ..Request::new(b"OPTIONS", b"/api/users")
    };
    let outcome = policy.eval(&request);
    assert_eq!(outcome.decision, Decision::PreflightAllowed);
    assert_eq!(
        outcome.header("access-control-allow-origin"),
        Some(b"https://app.example.com".as_slice())
    );

    let denied = Request {
        origin: Some(b"https://evil.example"),
        ..request
    };
    assert_eq!(policy.eval(&denied).decision, Decision::PreflightDenied);
}

#[test]
fn the_emitter_still_writes_the_committed_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source =
        std::fs::read_to_string(root.join("../../examples/api.corspolicy")).expect("example");
    let table = cors_policy_lang::compile(&source)
        .unwrap_or_else(|failure| panic!("example compiles: {failure}"))
        .table;
    let fresh = corsc::emit::to_rust(&table, "api_table", "api.corspolicy");
    let path = root.join("tests/emit_fixtures/api_table.rs");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write fixture");
    }
    let committed = std::fs::read_to_string(&path).expect("committed fixture");
    assert!(
        fresh == committed,
        "{} is stale; if the change is deliberate, rerun with BLESS=1",
        path.display()
    );
    assert_eq!(API_TABLE.as_slice(), table.as_slice());
}
