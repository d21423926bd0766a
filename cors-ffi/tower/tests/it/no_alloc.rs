//! The layer allocates nothing per request beyond what `http` needs for
//! the response headers: a counting global allocator counts the
//! allocations of a whole service call (`poll_ready`, `call`, the response
//! future) and compares them with `http` alone building the same headers.
//!
//! Only allocations (not frees: dropping the request frees its header map)
//! made by the measuring thread while its measurement is armed are counted,
//! so the other suites, running on other threads, neither add to a
//! measurement nor are counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::support::{call, request};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<Option<usize>> = const { Cell::new(None) };
}

fn note() {
    let _ = ALLOCATIONS.try_with(|count| {
        if let Some(n) = count.get() {
            count.set(Some(n + 1));
        }
    });
}

// SAFETY: every method forwards to `System`, which upholds the contract; the
// counter only observes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f`; returns its result and the allocations it made on this thread.
fn counting<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATIONS.with(|count| count.set(Some(0)));
    let value = std::hint::black_box(f());
    let count = ALLOCATIONS.with(|count| count.replace(None));
    (value, count.expect("armed above"))
}

/// An inner service that allocates nothing: an empty `200`.
#[derive(Clone, Copy)]
struct Noop;

impl<B> Service<Request<B>> for Noop {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: Request<B>) -> Self::Future {
        ready(Ok(Response::new(())))
    }
}

/// What `http` alone allocates to put `headers` on a response: a map with
/// room for them (a preflight's answer), or inserts into the empty map of
/// an inner service's response.
fn http_alone(headers: &HeaderMap, with_capacity: bool) -> usize {
    let pairs: Vec<(HeaderName, HeaderValue)> = headers
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let (_, count) = counting(move || {
        let mut response = Response::new(());
        let mut map = if with_capacity {
            HeaderMap::with_capacity(pairs.len())
        } else {
            HeaderMap::new()
        };
        for (name, value) in pairs {
            map.insert(name, value);
        }
        *response.headers_mut() = map;
        response
    });
    count
}

const APP: (&str, &str) = ("origin", "https://app.example.com");

#[test]
fn a_request_allocates_only_what_http_needs_for_the_headers() {
    let layer = corsc_tower::CorsLayer::from_source(crate::behaviour::POLICY).unwrap();
    let peer = tower_http::cors::CorsLayer::new()
        .allow_origin(HeaderValue::from_static("https://app.example.com"))
        .allow_methods([http::Method::GET, http::Method::PUT])
        .allow_headers([http::header::CONTENT_TYPE, http::header::AUTHORIZATION])
        .allow_credentials(true);
    let cases = [
        (
            "allowed preflight",
            true,
            [APP, ("access-control-request-method", "PUT")].as_slice(),
            "OPTIONS",
        ),
        (
            "denied preflight",
            true,
            &[
                ("origin", "https://evil.test"),
                ("access-control-request-method", "PUT"),
            ],
            "OPTIONS",
        ),
        ("allowed GET", false, &[APP], "GET"),
        (
            "denied GET",
            false,
            &[("origin", "https://evil.test")],
            "GET",
        ),
        ("GET without Origin", false, &[], "GET"),
    ];
    let mut report = Vec::new();
    for (name, preflight, headers, method) in cases {
        let mut service = layer.layer(Noop);
        // A first call, uncounted: nothing lazily initialized is counted.
        call(&mut service, request(method, "/api/users", headers));
        let input = request(method, "/api/users", headers);
        let (response, corsc) = counting(|| call(&mut service, input));
        let baseline = http_alone(response.headers(), preflight);
        assert!(
            corsc <= baseline,
            "{name}: the layer made {corsc} allocations, http alone {baseline} for the same headers"
        );
        // A preflight is answered in the request's own header map, which
        // has room for these headers: nothing at all is allocated.
        if preflight {
            assert_eq!(corsc, 0, "{name}");
        }
        let mut tower = peer.layer(Noop);
        let input = request(method, "/api/users", headers);
        let (_, tower) = counting(|| call(&mut tower, input));
        report.push(format!(
            "{name}: corsc-tower {corsc}, http alone {baseline}, tower-http {tower}"
        ));
    }
    eprintln!("allocations per call:\n  {}", report.join("\n  "));
}

/// A repeated header line is joined into one buffer: the one allocation
/// the request side may make.
#[test]
fn only_repeated_lines_allocate_on_the_request_side() {
    let layer = corsc_tower::CorsLayer::from_source(crate::behaviour::POLICY).unwrap();
    let mut service = layer.layer(Noop);
    let headers = [
        APP,
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "content-type"),
    ];
    let (_, one_line) = counting(|| call(&mut service, request("OPTIONS", "/api/x", &headers)));
    let input = request("OPTIONS", "/api/x", &headers);
    let (_, single) = counting(|| call(&mut service, input));
    let mut repeated = headers.to_vec();
    repeated.push(("access-control-request-headers", "authorization"));
    let input = request("OPTIONS", "/api/x", &repeated);
    let (_, joined) = counting(|| call(&mut service, input));
    assert!(one_line > single, "building the request is counted there");
    assert!(joined <= single + 1, "{joined} vs {single}");
}
