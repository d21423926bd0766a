//! Eval allocates nothing: a counting global allocator watches every
//! evaluation, over requests that reach every decision and every reason,
//! including megabyte-sized header values.
//!
//! Only allocations made by the measuring thread while its measurement is
//! armed are counted, and the count is that thread's own: the allocator is
//! global to the whole test binary (every suite of `tests/it/`), so the
//! other tests, running on other threads at the same time, neither add to
//! a measurement nor are counted themselves.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cors_match_core::{Decision, Outcome, Reason, Request, Table};

struct Counting;

thread_local! {
    /// This thread's allocator calls since it armed a measurement; `None`
    /// when none is armed. `const`-initialized with no destructor, so the
    /// allocator can use it without allocating.
    static ALLOCATIONS: Cell<Option<usize>> = const { Cell::new(None) };
}

fn note() {
    // `try_with`: the thread-local may already be gone while a thread exits.
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
        note();
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result with the number of allocator calls
/// (allocations, reallocations and frees) it made on this thread.
fn counting<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATIONS.with(|count| count.set(Some(0)));
    let value = std::hint::black_box(f());
    let count = ALLOCATIONS.with(|count| count.replace(None));
    (value, count.expect("armed above"))
}

const SOURCE: &str = r#"
policy api {
    paths /api/ /v2/;
    origins https://app.example.com
            https://*.example.com
            http://localhost:*;
    methods GET POST PUT DELETE;
    allow-headers Content-Type Authorization X-Requested-With;
    expose-headers X-Request-Id;
    credentials on;
    max-age 10m;
    private-network on;
    preflight-status 204;
}

policy assets {
    paths /static/;
    origins *;
    methods GET HEAD;
    allow-headers *;
}
"#;

/// The table, compiled from source.
fn table_bytes() -> Vec<u8> {
    cors_policy_lang::compile(SOURCE)
        .unwrap_or_else(|failure| panic!("the test policy compiles: {failure:?}"))
        .table
}

struct Case<'a> {
    name: &'static str,
    request: Request<'a>,
    decision: Decision,
    reason: Option<Reason>,
}

fn case<'a>(
    name: &'static str,
    request: Request<'a>,
    decision: Decision,
    reason: Option<Reason>,
) -> Case<'a> {
    Case {
        name,
        request,
        decision,
        reason,
    }
}

fn preflight<'a>(path: &'a [u8], origin: &'a [u8], method: &'a [u8]) -> Request<'a> {
    Request {
        origin: Some(origin),
        request_method: Some(method),
        ..Request::new(b"OPTIONS", path)
    }
}

fn actual<'a>(method: &'a [u8], path: &'a [u8], origin: &'a [u8]) -> Request<'a> {
    Request {
        origin: Some(origin),
        ..Request::new(method, path)
    }
}

#[test]
fn eval_never_allocates() {
    const MIB: usize = 1 << 20;
    let bytes = table_bytes();
    // Built before any measurement.
    let commas: Vec<u8> = b", ".iter().copied().cycle().take(MIB).collect();
    let item = b"content-type,";
    let mut long_list: Vec<u8> = item
        .iter()
        .copied()
        .cycle()
        .take(MIB / item.len() * item.len())
        .collect();
    long_list.extend_from_slice(b"x-requested-with");
    let long_origin: Vec<u8> = b"https://"
        .iter()
        .chain([b'a'; MIB].iter())
        .copied()
        .collect();
    let mut long_subdomain: Vec<u8> = b"https://".to_vec();
    long_subdomain.extend(b"a.".iter().copied().cycle().take(MIB));
    long_subdomain.extend_from_slice(b"example.com");
    let long_path: Vec<u8> = b"/api/".iter().chain([b'x'; MIB].iter()).copied().collect();

    let ((), load_allocations) = counting(|| {
        Table::from_bytes(&bytes).expect("loads");
    });
    assert_eq!(load_allocations, 0, "loading allocated");
    let table = Table::from_bytes(&bytes).expect("loads");

    use Decision::*;
    let app: &[u8] = b"https://app.example.com";
    let cases = [
        case(
            "no policy",
            actual(b"GET", b"/nothing", b"https://app.example.com"),
            Pass,
            Some(Reason::NoPolicy),
        ),
        case(
            "not cors",
            Request::new(b"GET", b"/api/x"),
            Pass,
            Some(Reason::NotCors),
        ),
        case(
            "preflight allowed",
            Request {
                request_headers: Some(b"Content-Type, x-requested-with"),
                request_private_network: Some(b"true"),
                ..preflight(b"/api/users?id=1", app, b"PUT")
            },
            PreflightAllowed,
            None,
        ),
        case(
            "preflight allowed, any origin, any header",
            Request {
                request_headers: Some(b"x-anything"),
                ..preflight(b"/static/app.js", b"https://anyone.test", b"HEAD")
            },
            PreflightAllowed,
            None,
        ),
        case(
            "preflight, origin not allowed",
            preflight(b"/api/x", b"https://evil.test", b"PUT"),
            PreflightDenied,
            Some(Reason::OriginNotAllowed),
        ),
        case(
            "preflight, malformed origin",
            preflight(b"/api/x", b"https://app.example.com\r\n", b"PUT"),
            PreflightDenied,
            Some(Reason::MalformedOrigin),
        ),
        case(
            "preflight, method not allowed",
            preflight(b"/api/x", app, b"PATCH"),
            PreflightDenied,
            Some(Reason::MethodNotAllowed),
        ),
        case(
            "preflight, malformed method",
            preflight(b"/api/x", app, b"P T"),
            PreflightDenied,
            Some(Reason::MalformedRequest),
        ),
        case(
            "preflight, header not allowed",
            Request {
                request_headers: Some(b"content-type, x-secret"),
                ..preflight(b"/api/x", app, b"PUT")
            },
            PreflightDenied,
            Some(Reason::HeaderNotAllowed),
        ),
        case(
            "preflight, malformed headers",
            Request {
                request_headers: Some(b"content-type, x(y)"),
                ..preflight(b"/api/x", app, b"PUT")
            },
            PreflightDenied,
            Some(Reason::MalformedRequest),
        ),
        case(
            "preflight, private network not allowed",
            Request {
                request_private_network: Some(b"true"),
                ..preflight(b"/static/x", b"https://a.test", b"GET")
            },
            PreflightDenied,
            Some(Reason::PrivateNetworkNotAllowed),
        ),
        case(
            "preflight, 1 MiB of commas and spaces",
            Request {
                request_headers: Some(&commas),
                ..preflight(b"/api/x", app, b"PUT")
            },
            PreflightAllowed,
            None,
        ),
        case(
            "preflight, 1 MiB list of allowed names",
            Request {
                request_headers: Some(&long_list),
                ..preflight(b"/api/x", app, b"DELETE")
            },
            PreflightAllowed,
            None,
        ),
        case(
            "preflight, 1 MiB origin",
            preflight(b"/api/x", &long_origin, b"PUT"),
            PreflightDenied,
            Some(Reason::MalformedOrigin),
        ),
        case(
            "actual allowed",
            actual(b"GET", b"/v2/items", b"https://a.b.example.com"),
            ActualAllowed,
            None,
        ),
        case(
            "actual allowed, loopback any port",
            actual(b"DELETE", b"/api/x", b"http://localhost:5173"),
            ActualAllowed,
            None,
        ),
        case(
            "actual allowed, any origin",
            actual(b"HEAD", b"/static/x", b"whatever"),
            ActualAllowed,
            None,
        ),
        case(
            "actual, origin not allowed",
            actual(b"GET", b"/api/x", b"https://example.com.evil.net"),
            ActualDenied,
            Some(Reason::OriginNotAllowed),
        ),
        case(
            "actual, method not allowed",
            actual(b"PATCH", b"/api/x", app),
            ActualDenied,
            Some(Reason::MethodNotAllowed),
        ),
        case(
            "actual, malformed method",
            actual(b"G(T", b"/api/x", app),
            ActualDenied,
            Some(Reason::MalformedRequest),
        ),
        case(
            "actual, 1 MiB origin",
            actual(b"GET", b"/v2/", &long_origin),
            ActualDenied,
            Some(Reason::MalformedOrigin),
        ),
        case(
            "actual, 1 MiB of subdomain labels",
            actual(b"GET", b"/api/x", &long_subdomain),
            ActualDenied,
            Some(Reason::MalformedOrigin),
        ),
        case(
            "actual, empty origin",
            actual(b"GET", b"/api/x", b""),
            ActualDenied,
            Some(Reason::MalformedOrigin),
        ),
        case(
            "actual, 1 MiB path",
            actual(b"GET", &long_path, app),
            ActualAllowed,
            None,
        ),
    ];

    let mut reached_decisions = Vec::new();
    let mut reached_reasons = Vec::new();
    for case in &cases {
        let (outcome, allocations): (Outcome<'_>, usize) = counting(|| table.eval(&case.request));
        assert_eq!(
            allocations, 0,
            "{}: eval allocated {allocations} times",
            case.name
        );
        assert_eq!(
            (outcome.decision, outcome.reason),
            (case.decision, case.reason),
            "{}: {outcome:?}",
            case.name
        );
        reached_decisions.push(outcome.decision);
        reached_reasons.extend(outcome.reason);
        // Reading the outcome allocates nothing either.
        let (_, allocations) = counting(|| outcome.header("vary"));
        assert_eq!(
            allocations, 0,
            "{}: reading the outcome allocated",
            case.name
        );
    }
    for decision in [
        Pass,
        ActualAllowed,
        ActualDenied,
        PreflightAllowed,
        PreflightDenied,
    ] {
        assert!(
            reached_decisions.contains(&decision),
            "{decision} not reached"
        );
    }
    for reason in Reason::ALL {
        assert!(reached_reasons.contains(&reason), "{reason} not reached");
    }
}

/// The counter works: an allocation inside a measurement is seen, so the
/// zero above is not vacuous.
#[test]
fn the_counter_sees_allocations() {
    let (vector, allocations) = counting(|| vec![1u8; 64]);
    assert_eq!(vector.len(), 64);
    assert!(allocations >= 1);
    let ((), allocations) = counting(|| drop(vector));
    assert!(allocations >= 1);
}
