//! What the layer does around the core's outcome: preflights answered,
//! owned headers replaced, `Vary` merged, repeated request headers joined,
//! one table shared, and every configuration mistake an `Err`.

use std::time::Duration;

use corsc_tower::{AllowOrigin, Any, CorsLayer, ErrorKind};
use http::header::{self, HeaderValue};
use http::{Method, StatusCode};
use tower_layer::Layer;

use crate::support::{call, get, header_list, request, Inner};

pub const POLICY: &str = r#"
policy api {
    paths /api/;
    origins https://app.example.com https://*.example.com;
    methods GET POST PUT DELETE;
    allow-headers Content-Type Authorization;
    expose-headers X-Request-Id;
    credentials on;
    max-age 10m;
}

policy assets {
    paths /static/;
    origins *;
    methods GET HEAD;
}
"#;

const APP: (&str, &str) = ("origin", "https://app.example.com");
const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

fn layer() -> CorsLayer {
    CorsLayer::from_source(POLICY).expect("the policy compiles")
}

#[test]
fn an_allowed_preflight_is_answered_without_the_inner_service() {
    let inner = Inner::ok();
    let mut service = layer().layer(inner.clone());
    let response = call(
        &mut service,
        request(
            "OPTIONS",
            "/api/users?x=1",
            &[
                APP,
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
            ],
        ),
    );
    assert_eq!(inner.calls(), 0);
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.body(), "");
    assert_eq!(
        header_list(response.headers()),
        [
            ("access-control-allow-origin", "https://app.example.com"),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
            (
                "access-control-allow-headers",
                "content-type, authorization"
            ),
            ("access-control-max-age", "600"),
            ("vary", PREFLIGHT_VARY),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
}

#[test]
fn a_denied_preflight_is_a_403_without_the_inner_service() {
    let inner = Inner::ok();
    let mut service = layer().layer(inner.clone());
    let response = call(
        &mut service,
        request(
            "OPTIONS",
            "/api/users",
            &[
                ("origin", "https://evil.test"),
                ("access-control-request-method", "PUT"),
            ],
        ),
    );
    assert_eq!(inner.calls(), 0);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        header_list(response.headers()),
        [("vary".to_owned(), PREFLIGHT_VARY.to_owned())]
    );
}

/// A preflight's answer is built in the request's own header map (its
/// storage reused): none of the request's lines may be left in it, repeated
/// lines included, and an answer with more headers than the request had
/// room for still gets them all.
#[test]
fn a_preflight_answer_carries_none_of_the_request_lines() {
    let mut service = layer().layer(Inner::ok());
    let mut lines = vec![
        ("accept", "*/*"),
        ("cookie", "a=1"),
        ("cookie", "b=2"),
        ("x-custom", "1"),
        ("x-custom", "2"),
        ("access-control-allow-origin", "https://forged.test"),
        ("vary", "Cookie"),
    ];
    lines.extend([
        APP,
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "content-type"),
    ]);
    let response = call(&mut service, request("OPTIONS", "/api/users", &lines));
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let expected = [
        ("access-control-allow-origin", "https://app.example.com"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
        (
            "access-control-allow-headers",
            "content-type, authorization",
        ),
        ("access-control-max-age", "600"),
        ("vary", PREFLIGHT_VARY),
    ]
    .map(|(n, v)| (n.to_owned(), v.to_owned()));
    assert_eq!(header_list(response.headers()), expected);
    // The fewest lines a preflight has: a map with little room.
    let response = call(
        &mut service,
        request(
            "OPTIONS",
            "/api/users",
            &[APP, ("access-control-request-method", "PUT")],
        ),
    );
    assert_eq!(header_list(response.headers()), expected);
    // Denied (a repeated Origin is malformed): only `Vary`.
    lines.push(("origin", "https://app.example.com"));
    let response = call(&mut service, request("OPTIONS", "/api/users", &lines));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        header_list(response.headers()),
        [("vary".to_owned(), PREFLIGHT_VARY.to_owned())]
    );
}

#[test]
fn options_without_a_request_method_goes_to_the_inner_service() {
    let inner = Inner::ok();
    let mut service = layer().layer(inner.clone());
    let response = call(&mut service, request("OPTIONS", "/api/users", &[APP]));
    assert_eq!(inner.calls(), 1);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "inner");
    // An actual request with the method OPTIONS, not listed: denied.
    assert_eq!(get(response.headers(), "access-control-allow-origin"), None);
    assert_eq!(get(response.headers(), "vary"), Some("Origin"));
}

#[test]
fn the_inner_services_cors_headers_are_replaced_on_every_status() {
    for status in [
        StatusCode::OK,
        StatusCode::NOT_FOUND,
        StatusCode::BAD_GATEWAY,
    ] {
        let inner = Inner::with(
            status,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-private-network", "true"),
                ("access-control-allow-x-anything", "1"),
                ("access-control-expose-headers", "x-secret"),
                ("access-control-max-age", "1"),
                ("access-control-request-method", "kept"),
                ("x-request-id", "7"),
            ],
        );
        let mut service = layer().layer(inner.clone());
        // Allowed: the outcome's headers replace them.
        let response = call(&mut service, request("GET", "/api/users", &[APP]));
        assert_eq!(response.status(), status);
        let mut headers = header_list(response.headers());
        headers.sort();
        assert_eq!(
            headers,
            [
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-expose-headers", "x-request-id"),
                ("access-control-request-method", "kept"),
                ("vary", "Origin"),
                ("x-request-id", "7"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        // Denied, and outside every policy: none of them is left.
        for (uri, origin) in [
            ("/api/users", ("origin", "https://evil.test")),
            ("/elsewhere", APP),
        ] {
            let response = call(&mut service, request("GET", uri, &[origin]));
            let names: Vec<String> = header_list(response.headers())
                .into_iter()
                .map(|(name, _)| name)
                .filter(|name| name.starts_with("access-control-"))
                .collect();
            assert_eq!(names, ["access-control-request-method"], "{uri}");
        }
    }
}

#[test]
fn vary_is_merged_with_the_inner_services() {
    type Case = (
        &'static [(&'static str, &'static str)],
        &'static [&'static str],
    );
    let cases: [Case; 5] = [
        (&[("vary", "Accept-Encoding")], &["Accept-Encoding, Origin"]),
        (
            &[("vary", "accept-encoding, origin")],
            &["accept-encoding, origin"],
        ),
        (
            &[("vary", "Accept-Encoding"), ("vary", "Cookie")],
            &["Accept-Encoding, Cookie, Origin"],
        ),
        (&[("vary", "*")], &["*"]),
        (&[], &["Origin"]),
    ];
    for (inner_headers, expected) in cases {
        let inner = Inner::with(StatusCode::OK, inner_headers);
        let mut service = layer().layer(inner);
        let response = call(&mut service, request("GET", "/api/users", &[APP]));
        let vary: Vec<&str> = response
            .headers()
            .get_all(header::VARY)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(vary, expected, "{inner_headers:?}");
    }
}

#[test]
fn a_wildcard_policy_sends_star_and_no_vary() {
    let mut service = layer().layer(Inner::ok());
    let response = call(&mut service, request("GET", "/static/a.css", &[APP]));
    assert_eq!(
        header_list(response.headers()),
        [("access-control-allow-origin".to_owned(), "*".to_owned())]
    );
}

#[test]
fn repeated_request_header_lines_are_joined() {
    let mut service = layer().layer(Inner::ok());
    // Two Origin lines: `a, b` is no origin, the request is denied.
    let response = call(
        &mut service,
        request(
            "GET",
            "/api/users",
            &[APP, ("origin", "https://app.example.com")],
        ),
    );
    assert_eq!(get(response.headers(), "access-control-allow-origin"), None);
    assert_eq!(get(response.headers(), "vary"), Some("Origin"));
    // Two Access-Control-Request-Headers lines: one list.
    let response = call(
        &mut service,
        request(
            "OPTIONS",
            "/api/users",
            &[
                APP,
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
                ("access-control-request-headers", "authorization"),
            ],
        ),
    );
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = call(
        &mut service,
        request(
            "OPTIONS",
            "/api/users",
            &[
                APP,
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
                ("access-control-request-headers", "x-other"),
            ],
        ),
    );
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[test]
fn the_path_is_the_uri_path_as_received() {
    let mut service = layer().layer(Inner::ok());
    for (uri, allow_origin) in [
        ("/api/users?x=/static/", Some("https://app.example.com")),
        (
            "http://host.example/api/users",
            Some("https://app.example.com"),
        ),
        ("/static/../api/x", Some("*")), // not normalized: under /static/
        ("/%61pi/users", None),          // percent-encoded: not /api/
    ] {
        let response = call(&mut service, request("GET", uri, &[APP]));
        let acao = get(response.headers(), "access-control-allow-origin");
        assert_eq!(acao, allow_origin, "{uri}");
    }
}

#[test]
fn clones_share_one_table() {
    let layer = layer();
    let clone = layer.clone();
    assert_eq!(layer.table_bytes().as_ptr(), clone.table_bytes().as_ptr());
    // The services answer from the same table: the header value is a slice
    // of it, so its bytes lie inside the layer's table.
    let table = layer.table_bytes().as_ptr_range();
    for mut service in [layer.layer(Inner::ok()), clone.layer(Inner::ok()).clone()] {
        let response = call(
            &mut service,
            request(
                "OPTIONS",
                "/api/x",
                &[APP, ("access-control-request-method", "PUT")],
            ),
        );
        let methods = response.headers()["access-control-allow-methods"].as_bytes();
        assert!(
            table.contains(&methods.as_ptr()),
            "a slice of the shared table"
        );
    }
}

#[test]
fn invalid_source_is_an_error_with_the_diagnostics() {
    let error = CorsLayer::from_source("policy p {\n    origins https://a.example:443;\n}\n")
        .expect_err("a default port is refused");
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert!(error.message().contains("error[CORS0033]"), "{error}");
    assert!(error.to_string().contains("<source>:2:13"), "{error}");

    let error = CorsLayer::from_table(b"not a table".to_vec()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Table);
    assert!(error.message().contains("bad magic"), "{error}");

    let error = CorsLayer::from_file("/nonexistent/api.corspolicy").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io);
}

#[test]
fn from_file_reads_source_or_a_compiled_table() {
    let dir = std::env::temp_dir().join(format!("corsc-tower-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("api.corspolicy");
    std::fs::write(&source, POLICY).unwrap();
    let table = dir.join("api.corstable");
    std::fs::write(&table, layer().table_bytes()).unwrap();
    let from_source = CorsLayer::from_file(&source).unwrap();
    let from_table = CorsLayer::from_file(&table).unwrap();
    assert_eq!(from_source.table_bytes(), from_table.table_bytes());
    std::fs::write(
        &source,
        "policy p {\n    origins *;\n    credentials on;\n}\n",
    )
    .unwrap();
    let error = CorsLayer::from_file(&source).unwrap_err();
    assert!(error.message().contains("api.corspolicy:"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_builder_writes_a_checked_policy() {
    let builder = CorsLayer::new()
        .allow_origin([
            HeaderValue::from_static("https://app.example.com"),
            HeaderValue::from_static("http://localhost:3000"),
        ])
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .expose_headers([header::HeaderName::from_static("x-request-id")])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600));
    assert_eq!(
        builder.to_source(),
        "policy tower {\n    origins \"https://app.example.com\" \"http://localhost:3000\";\n    \
         methods \"GET\" \"PUT\";\n    allow-headers \"content-type\" \"authorization\";\n    \
         expose-headers \"x-request-id\";\n    credentials on;\n    max-age 600;\n}\n"
    );
    let layer = builder.build().expect("a valid policy");
    assert_eq!(layer.warnings(), None);
    let mut service = layer.layer(Inner::ok());
    let response = call(
        &mut service,
        request(
            "OPTIONS",
            "/anything",
            &[
                ("origin", "http://localhost:3000"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "authorization"),
            ],
        ),
    );
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(response.headers(), "access-control-max-age"),
        Some("600")
    );

    // A builder without origins allows nothing: corsc says so.
    let error = CorsLayer::new().build().unwrap_err();
    assert!(error.message().contains("CORS0016"), "{error}");
    // `methods *` is refused by corsc (list the methods).
    let error = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .build()
        .unwrap_err();
    assert!(error.message().contains("CORS0054"), "{error}");
    // Warnings are kept.
    let layer = CorsLayer::new()
        .allow_origin(AllowOrigin::exact(HeaderValue::from_static(
            "https://app.example.com",
        )))
        .allow_private_network(true)
        .build()
        .unwrap();
    assert!(layer.warnings().unwrap().contains("CORS0075"));
}

#[test]
fn builder_values_cannot_inject_directives() {
    let hostile = HeaderValue::from_static("https://a.example\"; } policy x { origins *; \"");
    let error = CorsLayer::new()
        .allow_origin(AllowOrigin::list([hostile]))
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert!(
        error.message().contains("CORS0030") || error.message().contains("CORS0031"),
        "{error}"
    );
}

#[test]
fn star_with_credentials_is_an_error_not_a_panic() {
    let error = CorsLayer::new()
        .allow_origin(Any)
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert!(error.message().contains("error[CORS0041]"), "{error}");
}

/// An endless file is refused at a bound, not read until memory runs out.
#[test]
fn an_endless_file_is_an_error() {
    let error = CorsLayer::from_file("/dev/zero").expect_err("not a policy");
    assert!(error.to_string().contains("larger than 64 MiB"), "{error}");
}
