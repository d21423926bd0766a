//! Where tower-http's `CorsLayer` and corsc's differ, on purpose: each case
//! runs both layers, configured the same way with the same builder calls,
//! and asserts what each does (the README's "Differences from tower-http").

use corsc_tower::Any;
use http::header::{self, HeaderValue};
use http::{Method, StatusCode};
use tower_layer::Layer;

use crate::support::{call, get, request, Inner};

const APP: &str = "https://app.example.com";

fn corsc() -> corsc_tower::CorsLayer {
    corsc_tower::CorsLayer::new()
        .allow_origin([HeaderValue::from_static(APP)])
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([header::CONTENT_TYPE])
        .allow_credentials(true)
        .build()
        .expect("a valid policy")
}

fn tower_http() -> tower_http::cors::CorsLayer {
    tower_http::cors::CorsLayer::new()
        .allow_origin([HeaderValue::from_static(APP)])
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([header::CONTENT_TYPE])
        .allow_credentials(true)
}

/// tower-http answers every `OPTIONS` as a preflight, so an `OPTIONS`
/// handler of the application (WebDAV, an API's own `OPTIONS`) is never
/// reached; corsc answers only a preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) and forwards the rest.
#[test]
fn options_without_access_control_request_method() {
    let options = || request("OPTIONS", "/api/x", &[("origin", APP)]);

    let inner = Inner::ok();
    let response = call(&mut tower_http().layer(inner.clone()), options());
    assert_eq!(inner.calls(), 0, "tower-http: answered as a preflight");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "");

    let inner = Inner::ok();
    let response = call(&mut corsc().layer(inner.clone()), options());
    assert_eq!(inner.calls(), 1, "corsc: forwarded");
    assert_eq!(response.body(), "inner");
    // An actual request with the method OPTIONS, which the policy does not
    // list: denied, as `corsc explain` says.
    assert_eq!(get(response.headers(), "access-control-allow-origin"), None);
    assert_eq!(get(response.headers(), "vary"), Some("Origin"));
}

/// `allow_origin(HeaderValue)`: tower-http sends that origin to every
/// request, whatever its `Origin` (the browser then refuses the others);
/// corsc allows that one origin and answers the others as denied.
#[test]
fn one_origin() {
    let evil = || request("GET", "/api/x", &[("origin", "https://evil.test")]);
    let layer = tower_http::cors::CorsLayer::new().allow_origin(HeaderValue::from_static(APP));
    let response = call(&mut layer.layer(Inner::ok()), evil());
    assert_eq!(
        get(response.headers(), "access-control-allow-origin"),
        Some(APP)
    );
    assert_eq!(get(response.headers(), "vary"), None);

    let layer = corsc_tower::CorsLayer::new()
        .allow_origin(HeaderValue::from_static(APP))
        .build()
        .unwrap();
    let response = call(&mut layer.layer(Inner::ok()), evil());
    assert_eq!(get(response.headers(), "access-control-allow-origin"), None);
    assert_eq!(get(response.headers(), "vary"), Some("Origin"));
}

/// tower-http answers a preflight it denies with `200` and no
/// `Access-Control-Allow-Origin` (the browser still blocks it); corsc
/// answers `403`, which logs and monitors as a refusal.
#[test]
fn denied_preflight_status() {
    let denied = || {
        request(
            "OPTIONS",
            "/api/x",
            &[
                ("origin", "https://evil.test"),
                ("access-control-request-method", "PUT"),
            ],
        )
    };

    let response = call(&mut tower_http().layer(Inner::ok()), denied());
    assert_eq!(response.status(), StatusCode::OK, "tower-http");
    assert_eq!(get(response.headers(), "access-control-allow-origin"), None);
    // tower-http still sends the policy's methods and headers to anyone.
    assert_eq!(
        get(response.headers(), "access-control-allow-methods"),
        Some("GET,PUT")
    );

    let response = call(&mut corsc().layer(Inner::ok()), denied());
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "corsc");
    assert_eq!(get(response.headers(), "access-control-allow-origin"), None);
    assert_eq!(
        get(response.headers(), "access-control-allow-methods"),
        None
    );
}

/// `*` with credentials: tower-http panics when the service is first used;
/// corsc's builder returns the compiler's diagnostic.
#[test]
fn star_with_credentials() {
    let layer = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_credentials(true);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut service = layer.layer(Inner::ok());
        call(&mut service, request("GET", "/", &[("origin", APP)]))
    }));
    let message = panicked.expect_err("tower-http panics");
    let message = message
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| message.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(message.contains("Invalid CORS configuration"), "{message}");

    let error = corsc_tower::CorsLayer::new()
        .allow_origin(Any)
        .allow_credentials(true)
        .build()
        .expect_err("corsc refuses the policy");
    assert!(error.message().contains("error[CORS0041]"), "{error}");
}

/// The inner service's CORS headers and `Vary`: tower-http overwrites the
/// names it sets and appends a second `Vary` line, leaving e.g. an
/// `Access-Control-Max-Age` or a second `Vary` from the application;
/// corsc removes every header it owns and merges `Vary` into one line.
#[test]
fn the_inner_services_headers() {
    let inner = || {
        Inner::with(
            StatusCode::OK,
            &[
                ("access-control-max-age", "86400"),
                ("access-control-expose-headers", "x-secret"),
                ("vary", "Accept-Encoding"),
            ],
        )
    };
    let get_request = || request("GET", "/api/x", &[("origin", APP)]);

    let response = call(&mut tower_http().layer(inner()), get_request());
    assert_eq!(
        get(response.headers(), "access-control-expose-headers"),
        Some("x-secret"),
        "tower-http leaves it"
    );
    assert_eq!(response.headers().get_all(header::VARY).iter().count(), 2);

    let response = call(&mut corsc().layer(inner()), get_request());
    assert_eq!(
        get(response.headers(), "access-control-expose-headers"),
        None
    );
    assert_eq!(get(response.headers(), "access-control-max-age"), None);
    assert_eq!(
        get(response.headers(), "vary"),
        Some("Accept-Encoding, Origin")
    );
}
