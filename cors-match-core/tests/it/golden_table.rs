//! The committed table compiled from `examples/api.corspolicy`, read by the
//! core alone: a format change shows up as a diff of this fixture, and the
//! core is tested without the compiler. `cors-policy-lang`'s
//! `tests/it/golden_table.rs` checks the compiler still writes these bytes.

use cors_match_core::{Decision, LoadError, Reason, Request, Table};

const TABLE: &[u8] = include_bytes!("../fixtures/api.cors");

fn preflight<'a>(origin: &'a [u8], method: &'a [u8], headers: &'a [u8]) -> Request<'a> {
    Request {
        method: b"OPTIONS",
        path: b"/api/users",
        origin: Some(origin),
        request_method: Some(method),
        request_headers: Some(headers),
        request_private_network: None,
    }
}

#[test]
fn golden_table_loads_and_lists_its_policies() {
    let policy = Table::from_bytes(TABLE).expect("the golden table loads");
    assert_eq!(policy.policy_count(), 2);
    assert_eq!(policy.policy_name(0), Some(&b"api"[..]));
    assert_eq!(policy.policy_name(1), Some(&b"assets"[..]));
    assert_eq!(policy.policy_name(2), None);
}

#[test]
fn golden_table_answers_a_preflight() {
    let policy = Table::from_bytes(TABLE).expect("loads");
    let outcome = policy.eval(&preflight(
        b"https://app.example.com",
        b"PUT",
        b"Content-Type, Authorization",
    ));
    assert_eq!(outcome.decision, Decision::PreflightAllowed);
    assert_eq!(outcome.reason, None);
    assert_eq!(outcome.status, Some(204));
    let headers: Vec<(&str, &[u8])> = outcome.headers.iter().map(|h| (h.name, h.value)).collect();
    assert_eq!(
        headers,
        [
            (
                "access-control-allow-origin",
                &b"https://app.example.com"[..]
            ),
            ("access-control-allow-credentials", b"true"),
            ("access-control-allow-methods", b"GET, POST, PUT, DELETE"),
            (
                "access-control-allow-headers",
                b"content-type, authorization, x-requested-with"
            ),
            ("access-control-max-age", b"600"),
            (
                "vary",
                b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
            ),
        ]
    );
}

#[test]
fn golden_table_denies_with_reasons() {
    let policy = Table::from_bytes(TABLE).expect("loads");
    type Case = (&'static [u8], &'static [u8], &'static [u8], Reason);
    let cases: [Case; 5] = [
        (
            b"https://evilexample.com",
            b"PUT",
            b"",
            Reason::OriginNotAllowed,
        ),
        (
            b"https://example.com",
            b"PUT",
            b"",
            Reason::OriginNotAllowed,
        ),
        (
            b"https://app.example.com",
            b"PATCH",
            b"",
            Reason::MethodNotAllowed,
        ),
        (
            b"https://app.example.com",
            b"PUT",
            b"x-secret",
            Reason::HeaderNotAllowed,
        ),
        (
            b"https://app.example.com\r\nx: y",
            b"PUT",
            b"",
            Reason::MalformedOrigin,
        ),
    ];
    for (origin, method, headers, reason) in cases {
        let outcome = policy.eval(&preflight(origin, method, headers));
        assert_eq!(outcome.decision, Decision::PreflightDenied, "{origin:?}");
        assert_eq!(outcome.reason, Some(reason), "{origin:?}");
        assert_eq!(outcome.status, Some(403));
        assert_eq!(outcome.headers.len(), 1);
        assert_eq!(outcome.headers[0].name, "vary");
    }
    // The example has no (legacy) `private-network on`.
    let outcome = policy.eval(&Request {
        request_private_network: Some(b"true"),
        ..preflight(b"https://app.example.com", b"PUT", b"")
    });
    assert_eq!(outcome.decision, Decision::PreflightDenied);
    assert_eq!(outcome.reason, Some(Reason::PrivateNetworkNotAllowed));
}

#[test]
fn golden_table_handles_actual_and_non_cors_requests() {
    let policy = Table::from_bytes(TABLE).expect("loads");
    let mut request = Request::new(b"GET", b"/v2/items?page=2");
    let outcome = policy.eval(&request);
    assert_eq!(outcome.decision, Decision::Pass);
    assert_eq!(outcome.reason, Some(Reason::NotCors));
    assert_eq!(outcome.header("vary"), Some(&b"Origin"[..]));

    request.origin = Some(b"http://localhost:5173");
    let outcome = policy.eval(&request);
    assert_eq!(outcome.decision, Decision::ActualAllowed);
    assert_eq!(
        outcome.header("access-control-expose-headers"),
        Some(&b"x-request-id"[..])
    );

    request.path = b"/static/logo.png";
    request.origin = Some(b"https://anyone.example.net");
    let outcome = policy.eval(&request);
    assert_eq!(outcome.policy, Some(&b"assets"[..]));
    assert_eq!(
        outcome.header("access-control-allow-origin"),
        Some(&b"*"[..])
    );
    assert_eq!(
        outcome.header("vary"),
        None,
        "origins * does not vary on Origin"
    );

    request.path = b"/apix";
    assert_eq!(policy.eval(&request).reason, Some(Reason::NoPolicy));
}

#[test]
fn golden_table_rejects_damage() {
    assert_eq!(
        Table::from_bytes(&TABLE[..TABLE.len() - 1]).err(),
        Some(LoadError::LengthMismatch {
            declared: TABLE.len() as u32,
            actual: TABLE.len() - 1,
        })
    );
    let mut flipped = TABLE.to_vec();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    assert!(matches!(
        Table::from_bytes(&flipped),
        Err(LoadError::ChecksumMismatch { .. })
    ));
}
