//! What the test suites and the fuzz targets share, in one place: the
//! owned request ([`OwnedRequest`]), the invariants every outcome keeps
//! ([`check_invariants`], [`assert_no_line_breaks`],
//! [`assert_matches_reference`]), the fuzz input decoders (requests, policy
//! sources and hostile tables generated from fuzzer choices), and the fuzz
//! target bodies themselves ([`targets`]): each `fuzz_target!` in `fuzz/`
//! calls one, and `tests/it/fuzz_seeds.rs` replays the committed seeds
//! (`fuzz/seeds/TARGET/`) through the same bodies on stable, so a seed that
//! panics or breaks an invariant fails `cargo test`.
//!
//! Inputs are decoded with [`arbitrary::Unstructured`]: when the input runs
//! out every choice falls back to its first option, so short inputs are
//! still meaningful and libFuzzer's mutations stay local.
//!
//! A dev-dependency of `cors-policy-lang` (its property suites use the
//! request and the checks), a normal dependency of the fuzz crate; never a
//! dependency of a shipped crate.

use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use cors_match_core::outcome::names;
use cors_match_core::{Decision, Outcome, Reason, Request, Table};
use cors_policy_lang::model::{OriginPattern, Origins, PolicySet, PortPattern};
use cors_policy_lang::reference::{self, RefOutcome};

pub mod targets;

/// Sources longer than this are skipped: the compiler is meant to be linear
/// (the automaton has a state bound), and libFuzzer's `-timeout` reports
/// anything slow below the cap.
pub const MAX_SOURCE_LEN: usize = 64 * 1024;

/// The most requests one input evaluates against one table.
pub const MAX_REQUESTS: usize = 16;

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// An owned request; [`OwnedRequest::as_request`] borrows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnedRequest {
    /// Method.
    pub method: Vec<u8>,
    /// Request target.
    pub path: Vec<u8>,
    /// `Origin`.
    pub origin: Option<Vec<u8>>,
    /// `Access-Control-Request-Method`.
    pub request_method: Option<Vec<u8>>,
    /// `Access-Control-Request-Headers`.
    pub request_headers: Option<Vec<u8>>,
    /// `Access-Control-Request-Private-Network`.
    pub request_private_network: Option<Vec<u8>>,
}

impl OwnedRequest {
    /// The request as eval takes it.
    pub fn as_request(&self) -> Request<'_> {
        Request {
            method: &self.method,
            path: &self.path,
            origin: self.origin.as_deref(),
            request_method: self.request_method.as_deref(),
            request_headers: self.request_headers.as_deref(),
            request_private_network: self.request_private_network.as_deref(),
        }
    }
}

/// What a request generator draws from: values taken from the policy under
/// test (so that requests mostly land near its patterns) besides fixed pools.
#[derive(Clone, Debug, Default)]
pub struct Hints {
    /// Origin patterns as written (`https://*.a.com:*`, `null`, `*`).
    pub origins: Vec<String>,
    /// Path prefixes.
    pub paths: Vec<String>,
    /// Methods as written.
    pub methods: Vec<String>,
    /// Header names as written.
    pub headers: Vec<String>,
}

impl Hints {
    /// The hints of a validated model: its patterns, paths, methods, headers.
    pub fn from_model(set: &PolicySet) -> Self {
        let mut hints = Hints::default();
        for policy in &set.policies {
            match &policy.origins {
                Origins::Any => hints.origins.push("*".to_string()),
                Origins::List(list) => {
                    hints.origins.extend(list.iter().map(|p| p.to_string()));
                }
            }
            hints.paths.extend(policy.paths.iter().cloned());
            hints.methods.extend(policy.methods.iter().cloned());
            hints
                .headers
                .extend(policy.allow_headers.names.iter().cloned());
        }
        hints
    }
}

const REQUEST_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "patch", "DELETE", "X-Custom", "x-custom",
    "G T", "", "options", "GET\0", "Ü", "CONNECT",
];
const FALLBACK_PATHS: &[&str] = &["/zz", "/", "/a", "/api/users", "/static/x", ""];
const PATH_SUFFIXES: &[&str] = &["", "/", "x", "/x", "?q", "?/a", "#f", "/x?y", "//", "%2f"];
const FIXED_ORIGINS: &[&[u8]] = &[
    b"https://a.com",
    b"http://a.com",
    b"https://evil.com",
    b"null",
    b"NULL",
    b"",
    b"https://a.com, https://b.a.com",
    b"https://q.a.com:8080",
    b"http://[::1]:3000",
    b"http://127.0.0.1",
    b"https://a.com\x00",
    b"https://\xc3\xa9.a.com",
    b"https://app.example.com",
    b"http://localhost:8080",
    b"https://x\r\nset-cookie: a=b\r\nx.example.com",
];
const LABEL_PREFIXES: &[&str] = &[
    "q.", "q.r.", "", "Q.", "-.", "_x.", "q..", ".", "é.", "a-b.", "0.",
];
const ANY_PORT_SUFFIXES: &[&str] = &[
    "", ":8080", ":0", ":1", ":65535", ":65536", ":080", ":443", ":80", ":", ":99999", ":+1",
];
const HEADER_ELEMENTS: &[&str] = &[
    "content-type",
    "Content-Type",
    "x-a",
    "X-AB",
    "x-b",
    "authorization",
    "AUTHORIZATION",
    "x-requested-with",
    "",
    " ",
    "\tx-a ",
    "x(b",
    "x a",
    "x-a\u{1}",
    "cookie",
];
const HEADER_SEPARATORS: &[&str] = &[",", ", ", " ,\t", ",,"];
const PNA_VALUES: &[&str] = &["true", " TRUE\t", "True", "false", "", "yes", "true,true"];

/// A weighted coin: true with probability `percent`/100 (false when the
/// input has run out).
pub fn chance(u: &mut Unstructured<'_>, percent: u8) -> Result<bool> {
    Ok(u.int_in_range(0u8..=99)? >= 100 - percent.min(100))
}

fn pick<'a, T: ?Sized>(u: &mut Unstructured<'_>, pool: &[&'a T]) -> Result<&'a T> {
    Ok(pool[u.choose_index(pool.len())?])
}

fn small_bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let len = u.int_in_range(0..=max)?;
    Ok(u.bytes(len.min(u.len()))?.to_vec())
}

/// An origin a browser could send (or nearly) for `pattern`: wildcards
/// filled in from the pools, then one of a few small mutations.
fn origin_near(u: &mut Unstructured<'_>, pattern: &str) -> Result<Vec<u8>> {
    let pattern = pattern.trim_matches('"');
    if pattern == "*" {
        return Ok(pick(u, FIXED_ORIGINS)?.to_vec());
    }
    // Mostly the form a browser sends: lower case, punycode.
    let mut text = if chance(u, 15)? {
        pattern.to_string()
    } else {
        pattern.to_ascii_lowercase()
    };
    if !chance(u, 40)? {
        text = text.replace("bücher", "xn--bcher-kva");
    }
    if let Some(at) = text.find("*.") {
        let label = pick(u, LABEL_PREFIXES)?;
        text.replace_range(at..at + 2, label);
    }
    if let Some(rest) = text.strip_suffix(":*") {
        text = format!("{rest}{}", pick(u, ANY_PORT_SUFFIXES)?);
    }
    mutate(u, text.into_bytes())
}

/// Mostly nothing; sometimes one of the classic near misses.
fn mutate(u: &mut Unstructured<'_>, mut origin: Vec<u8>) -> Result<Vec<u8>> {
    let Some(kind) = u.int_in_range(0u8..=39)?.checked_sub(20) else {
        return Ok(origin);
    };
    if origin.is_empty() {
        return Ok(origin);
    }
    let i = u.choose_index(origin.len())?;
    match kind {
        0 => origin[i] = origin[i].to_ascii_uppercase(),
        1 => origin.push(b'/'),
        2 => origin.push(b'.'),
        3 => origin.insert(i, b' '),
        4 => {
            origin.remove(i);
        }
        5 => origin.truncate(i),
        6 => origin.extend_from_slice(b", https://a.com"),
        7 => origin.push(b':'),
        8 => origin.extend_from_slice(b":8080"),
        9 => origin.insert(i, b'x'),
        10 => origin.insert(0, b'x'),
        11 => origin.push(b'\t'),
        12 => {
            if let Some(rest) = origin.strip_prefix(b"https") {
                origin = [b"http".as_slice(), rest].concat();
            } else if let Some(rest) = origin.strip_prefix(b"http") {
                origin = [b"https".as_slice(), rest].concat();
            }
        }
        13 => origin.extend_from_slice(b".evil.com"),
        14 => origin[i] = u.arbitrary()?,
        15 | 16 => {
            // Around the 2048-byte limit, with a long first label.
            let target = 2046 + u.choose_index(5)?;
            if let Some(scheme_end) = origin.windows(3).position(|w| w == b"://") {
                let missing = target.saturating_sub(origin.len());
                let at = scheme_end + 3;
                origin.splice(at..at, std::iter::repeat_n(b'a', missing));
            }
        }
        17 => origin.extend_from_slice(b"\r\nx: y"),
        _ => {}
    }
    Ok(origin)
}

/// A request drawn from `hints` and the fixed pools; now and then a field
/// is arbitrary bytes.
pub fn request(u: &mut Unstructured<'_>, hints: &Hints) -> Result<OwnedRequest> {
    let method = match u.int_in_range(0u8..=19)? {
        0..=7 => b"OPTIONS".to_vec(),
        8..=11 if !hints.methods.is_empty() => hints.methods
            [u.choose_index(hints.methods.len())?]
        .clone()
        .into_bytes(),
        18 | 19 => small_bytes(u, 10)?,
        _ => pick(u, REQUEST_METHODS)?.as_bytes().to_vec(),
    };
    let path = match u.int_in_range(0u8..=9)? {
        0..=5 if !hints.paths.is_empty() => {
            let base = &hints.paths[u.choose_index(hints.paths.len())?];
            let mut path = base.trim_matches('"').as_bytes().to_vec();
            if chance(u, 50)? {
                path.extend_from_slice(pick(u, PATH_SUFFIXES)?.as_bytes());
            }
            path
        }
        9 => small_bytes(u, 16)?,
        _ => {
            let mut path = pick(u, FALLBACK_PATHS)?.as_bytes().to_vec();
            path.extend_from_slice(pick(u, PATH_SUFFIXES)?.as_bytes());
            path
        }
    };
    let origin = match u.int_in_range(0u8..=19)? {
        0..=12 if !hints.origins.is_empty() => {
            let pattern = &hints.origins[u.choose_index(hints.origins.len())?];
            Some(origin_near(u, pattern)?)
        }
        13..=15 => None,
        19 => Some(small_bytes(u, 32)?),
        _ => Some(pick(u, FIXED_ORIGINS)?.to_vec()),
    };
    let request_method = match u.int_in_range(0u8..=9)? {
        7 | 8 => None,
        0..=3 if !hints.methods.is_empty() => Some(
            hints.methods[u.choose_index(hints.methods.len())?]
                .clone()
                .into_bytes(),
        ),
        9 => Some(small_bytes(u, 10)?),
        _ => Some(pick(u, REQUEST_METHODS)?.as_bytes().to_vec()),
    };
    let request_headers = match u.int_in_range(0u8..=9)? {
        0..=3 => None,
        9 => Some(small_bytes(u, 24)?),
        _ => {
            let separator = pick(u, HEADER_SEPARATORS)?;
            let count = u.int_in_range(1..=4)?;
            let mut elements = Vec::with_capacity(count);
            for _ in 0..count {
                if !hints.headers.is_empty() && !chance(u, 40)? {
                    let name = &hints.headers[u.choose_index(hints.headers.len())?];
                    elements.push(if chance(u, 30)? {
                        name.to_ascii_uppercase()
                    } else {
                        name.clone()
                    });
                } else {
                    elements.push(pick(u, HEADER_ELEMENTS)?.to_string());
                }
            }
            Some(elements.join(separator).into_bytes())
        }
    };
    let request_private_network = match u.int_in_range(0u8..=9)? {
        0..=5 => None,
        9 => Some(small_bytes(u, 8)?),
        _ => Some(pick(u, PNA_VALUES)?.as_bytes().to_vec()),
    };
    Ok(OwnedRequest {
        method,
        path,
        origin,
        request_method,
        request_headers,
        request_private_network,
    })
}

/// Up to [`MAX_REQUESTS`] requests, at least one, until the input runs out.
pub fn requests(u: &mut Unstructured<'_>, hints: &Hints) -> Vec<OwnedRequest> {
    let mut all = Vec::new();
    while all.len() < MAX_REQUESTS && (all.is_empty() || !u.is_empty()) {
        match request(u, hints) {
            Ok(request) => all.push(request),
            Err(_) => break,
        }
    }
    if all.is_empty() {
        all.push(OwnedRequest::default());
    }
    all
}

/// A few requests that need no fuzzer input: for each policy, a preflight
/// and an actual request from each of its first origin patterns (filled in
/// deterministically), on its first path.
pub fn model_requests(set: &PolicySet) -> Vec<OwnedRequest> {
    let mut all = Vec::new();
    for policy in set.policies.iter().take(4) {
        let path = policy
            .paths
            .first()
            .map_or_else(|| b"/zz".to_vec(), |p| p.as_bytes().to_vec());
        let origins: Vec<Vec<u8>> = match &policy.origins {
            Origins::Any => vec![b"https://a.com".to_vec()],
            Origins::List(list) => list.iter().take(3).map(sample_origin).collect(),
        };
        let method = policy
            .methods
            .first()
            .map_or_else(|| b"PUT".to_vec(), |m| m.as_bytes().to_vec());
        let headers = policy.allow_headers.names.join(",").into_bytes();
        all.push(OwnedRequest {
            method: b"GET".to_vec(),
            path: path.clone(),
            ..OwnedRequest::default()
        });
        for origin in origins {
            all.push(OwnedRequest {
                method: b"OPTIONS".to_vec(),
                path: path.clone(),
                origin: Some(origin.clone()),
                request_method: Some(method.clone()),
                request_headers: Some(headers.clone()),
                request_private_network: Some(b"true".to_vec()),
            });
            all.push(OwnedRequest {
                method: method.clone(),
                path: path.clone(),
                origin: Some(origin),
                ..OwnedRequest::default()
            });
        }
    }
    all
}

/// An origin `pattern` matches (a subdomain for `*.`, port 8080 for `:*`).
pub fn sample_origin(pattern: &OriginPattern) -> Vec<u8> {
    let OriginPattern::Tuple(tuple) = pattern else {
        return b"null".to_vec();
    };
    let mut origin = format!("{}://", tuple.scheme);
    if tuple.any_subdomain {
        origin.push_str("q.");
    }
    origin.push_str(&tuple.host.to_string());
    match tuple.port {
        PortPattern::Default => {}
        PortPattern::Any => origin.push_str(":8080"),
        PortPattern::Exact(port) => origin.push_str(&format!(":{port}")),
    }
    origin.into_bytes()
}

// ---------------------------------------------------------------------------
// Policy sources from fuzzer choices
// ---------------------------------------------------------------------------

const SCHEMES: &[&str] = &["https", "http", "https", "http", "HTTPS", "wss", "ftp"];
const HOSTS: &[&str] = &[
    "a.com",
    "b.a.com",
    "x-y.a.com",
    "a.co",
    "ab.com",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "10.1.2.3",
    "[2001:db8::1]",
    "example.co.uk",
    "co.uk",
    "A.Com",
    "bücher.example",
    "xn--bcher-kva.example",
    "c_d.a.com",
    "github.io",
    "app.example.com",
];
const PORTS: &[&str] = &[
    "", "", "", ":8080", ":*", ":*", ":1", ":65535", ":443", ":80", ":3000", ":0",
];
const PATHS: &[&str] = &[
    "/a", "/a/", "/ab", "/b/c", "/b", "/a/b", "/", "/c/", "/é/", "/api/", "\"/x;y\"",
];
const METHODS: &[&str] = &[
    "PUT", "DELETE", "PATCH", "X-Custom", "OPTIONS", "GET", "POST", "HEAD", "patch", "get", "*",
];
const HEADERS: &[&str] = &[
    "Content-Type",
    "X-A",
    "x-ab",
    "Authorization",
    "X-Requested-With",
    "*",
    "Cookie",
    "X-Request-Id",
];
const MAX_AGES: &[&str] = &["600", "10m", "2h", "0", "86400", "7201", "1d", "600s"];
const STATUSES: &[&str] = &["204", "200", "299", "250", "300"];
const SWITCHES: &[&str] = &["on", "off"];

/// A `.corspolicy` source built from fuzzer choices, with the values it
/// used as hints for requests.
#[derive(Clone, Debug, Default)]
pub struct GeneratedSource {
    /// The source text.
    pub text: String,
    /// What requests should draw from.
    pub hints: Hints,
}

fn origin_argument(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0u8..=31)? {
        30 => "*".to_string(),
        31 => "null".to_string(),
        _ => {
            let scheme = pick(u, SCHEMES)?;
            let wildcard = if chance(u, 30)? { "*." } else { "" };
            let host = pick(u, HOSTS)?;
            let port = pick(u, PORTS)?;
            let origin = format!("{scheme}://{wildcard}{host}{port}");
            if chance(u, 5)? {
                format!("\"{origin}\"")
            } else {
                origin
            }
        }
    })
}

/// Picks up to `max` distinct entries of `pool`.
fn subset<'a>(u: &mut Unstructured<'_>, pool: &[&'a str], max: usize) -> Result<Vec<&'a str>> {
    let count = u.int_in_range(0..=max)?;
    let mut chosen = Vec::with_capacity(count);
    for _ in 0..count {
        let item = pick(u, pool)?;
        // A duplicate now and then (a warning); mostly distinct.
        if !chosen.contains(&item) || chance(u, 5)? {
            chosen.push(item);
        }
    }
    Ok(chosen)
}

/// One to three policies with every directive drawn from small pools: most
/// compile, some draw an error (credentials with `*`, a default port...).
pub fn policy_source(u: &mut Unstructured<'_>) -> Result<GeneratedSource> {
    let mut text = String::new();
    let mut hints = Hints::default();
    let count = u.int_in_range(1..=3)?;
    let mut catch_all = false;
    for index in 0..count {
        text.push_str(&format!("policy p{index} {{\n"));
        // Mostly prefixes no other policy has, and one catch-all at most
        // (else CORS0021); now and then the error.
        let mut paths = subset(u, PATHS, 2)?;
        if !chance(u, 5)? {
            paths.retain(|p| !hints.paths.iter().any(|h| h == p));
            if paths.is_empty() && catch_all {
                let free: Vec<&str> = PATHS
                    .iter()
                    .copied()
                    .filter(|p| !hints.paths.iter().any(|h| h == p))
                    .collect();
                if !free.is_empty() {
                    paths.push(pick(u, &free)?);
                }
            }
        }
        catch_all |= paths.is_empty();
        if !paths.is_empty() {
            text.push_str(&format!("    paths {};\n", paths.join(" ")));
            hints.paths.extend(paths.iter().map(|p| p.to_string()));
        }
        let origin_count = u.int_in_range(1..=4)?;
        let mut origins = Vec::with_capacity(origin_count);
        for _ in 0..origin_count {
            origins.push(origin_argument(u)?);
        }
        text.push_str(&format!("    origins {};\n", origins.join(" ")));
        hints.origins.extend(origins);
        let methods = subset(u, METHODS, 3)?;
        if !methods.is_empty() {
            text.push_str(&format!("    methods {};\n", methods.join(" ")));
            hints.methods.extend(methods.iter().map(|m| m.to_string()));
        }
        let headers = subset(u, HEADERS, 3)?;
        if !headers.is_empty() {
            text.push_str(&format!("    allow-headers {};\n", headers.join(" ")));
            hints.headers.extend(headers.iter().map(|h| h.to_string()));
        }
        let exposed = subset(u, HEADERS, 2)?;
        if !exposed.is_empty() {
            text.push_str(&format!("    expose-headers {};\n", exposed.join(" ")));
        }
        if chance(u, 40)? {
            text.push_str(&format!("    credentials {};\n", pick(u, SWITCHES)?));
        }
        if chance(u, 40)? {
            text.push_str(&format!("    max-age {};\n", pick(u, MAX_AGES)?));
        }
        if chance(u, 40)? {
            text.push_str(&format!("    private-network {};\n", pick(u, SWITCHES)?));
        }
        if chance(u, 20)? {
            text.push_str(&format!("    preflight-status {};\n", pick(u, STATUSES)?));
        }
        if chance(u, 20)? {
            text.push_str(&format!(
                "    allow-insecure-origins {};\n",
                pick(u, SWITCHES)?
            ));
        }
        text.push_str("}\n");
    }
    Ok(GeneratedSource { text, hints })
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// A table outcome in the reference evaluator's owned form, comparable
/// with the reference evaluator's and across tables.
pub fn owned(outcome: &Outcome<'_>) -> RefOutcome {
    RefOutcome {
        decision: outcome.decision,
        reason: outcome.reason,
        policy: outcome
            .policy
            .map(|name| String::from_utf8_lossy(name).into_owned()),
        status: outcome.status,
        headers: outcome
            .headers
            .iter()
            .map(|h| (h.name, h.value.to_vec()))
            .collect(),
    }
}

/// The invariants every outcome keeps, whoever computed it (the table or
/// the reference evaluator) and whatever table it came from.
///
/// # Errors
///
/// Which invariant the outcome breaks.
pub fn check_invariants(outcome: &RefOutcome) -> std::result::Result<(), String> {
    let star_origin = outcome.header(names::ALLOW_ORIGIN) == Some(b"*");
    if star_origin && outcome.header(names::ALLOW_CREDENTIALS).is_some() {
        return Err(format!("`*` origin with credentials: {outcome:?}"));
    }
    let denied = matches!(
        outcome.decision,
        Decision::ActualDenied | Decision::PreflightDenied | Decision::Pass
    );
    // The one exception: `origins *` sends its fixed headers to non-CORS
    // requests too, so a cached response suits CORS and non-CORS alike.
    let public_not_cors = outcome.reason == Some(Reason::NotCors) && star_origin;
    if denied
        && !public_not_cors
        && outcome
            .headers
            .iter()
            .any(|(name, _)| name.starts_with("access-control-"))
    {
        return Err(format!("access-control header on a denial: {outcome:?}"));
    }
    if outcome.decision.is_preflight() != outcome.status.is_some() {
        return Err(format!(
            "status on a non-preflight (or none on a preflight): {outcome:?}"
        ));
    }
    if outcome.reason.is_none()
        != matches!(
            outcome.decision,
            Decision::ActualAllowed | Decision::PreflightAllowed
        )
    {
        return Err(format!("reason does not fit the decision: {outcome:?}"));
    }
    Ok(())
}

/// Panics if a header value or the policy name could split a response
/// header: no CR, LF or NUL, whatever table the outcome came from.
pub fn assert_no_line_breaks(outcome: &Outcome<'_>, request: &OwnedRequest) {
    let bad = |bytes: &[u8]| bytes.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0));
    for header in &outcome.headers {
        assert!(
            !bad(header.value),
            "{}: {:?} on {request:?}",
            header.name,
            String::from_utf8_lossy(header.value)
        );
    }
    if let Some(name) = outcome.policy {
        assert!(!bad(name), "policy name {name:?} on {request:?}");
    }
}

/// Table eval must equal the reference evaluator, exactly, and both keep
/// the invariants.
pub fn assert_matches_reference(set: &PolicySet, table: &Table<'_>, request: &OwnedRequest) {
    let borrowed = request.as_request();
    let outcome = table.eval(&borrowed);
    assert_no_line_breaks(&outcome, request);
    let fast = owned(&outcome);
    let slow = reference::evaluate(set, &borrowed);
    assert_eq!(
        fast, slow,
        "table (left) and reference (right) disagree on {request:?}\nset: {set:#?}"
    );
    if let Err(message) = check_invariants(&fast) {
        panic!("{message}");
    }
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/// Sources of the tables the table-mutating modes start from.
pub const BASE_SOURCES: &[&str] = &[
    include_str!("../../../examples/api.corspolicy"),
    "policy p { origins https://*.a.com:* http://[::1]:3000 null; methods PUT X-Custom;\n\
     allow-headers *; expose-headers *; max-age 2h; private-network on; preflight-status 200; }\n\
     policy q { paths /b/ /c; origins *; methods DELETE; allow-headers x-a; }",
    "policy a { paths /a; origins https://a.com https://*.b.a.com http://127.0.0.1:*;\n\
     credentials on; allow-headers content-type x-requested-with; expose-headers x-request-id; }\n\
     policy b { paths /a/b/; origins https://xn--bcher-kva.example:8443; methods PATCH; }",
    "policy empty { origins https://*.example.com; }",
];

/// [`BASE_SOURCES`] compiled once, each with its model and hints.
pub fn base_tables() -> &'static [(Vec<u8>, PolicySet, Hints)] {
    static TABLES: OnceLock<Vec<(Vec<u8>, PolicySet, Hints)>> = OnceLock::new();
    TABLES.get_or_init(|| {
        BASE_SOURCES
            .iter()
            .map(|source| {
                let compiled = cors_policy_lang::compile(source)
                    .unwrap_or_else(|failure| panic!("a base source compiles: {failure}"));
                let hints = Hints::from_model(&compiled.model);
                (compiled.table, compiled.model, hints)
            })
            .collect()
    })
}

/// Makes `table` pass the loader's header checks: at least a header long,
/// with the magic, byte order, version and length right and, when
/// `checksum` is set, a correct CRC. What follows the header is left alone,
/// so the fuzzer reaches the section and automaton validation.
pub fn fix_header(table: &mut Vec<u8>, checksum: bool) {
    use cors_match_core::format::{header, ENDIAN_MARKER, HEADER_LEN, MAGIC, VERSION};
    if table.len() < HEADER_LEN {
        table.resize(HEADER_LEN, 0);
    }
    table[..MAGIC.len()].copy_from_slice(&MAGIC);
    table[header::ENDIAN..header::ENDIAN + 4].copy_from_slice(&ENDIAN_MARKER.to_le_bytes());
    table[header::VERSION..header::VERSION + 4].copy_from_slice(&VERSION.to_le_bytes());
    let len = u32::try_from(table.len()).unwrap_or(u32::MAX);
    table[header::TOTAL_LEN..header::TOTAL_LEN + 4].copy_from_slice(&len.to_le_bytes());
    if checksum {
        fix_checksum(table);
    }
}

/// Sets the byte-order marker and the format version to this build's.
pub fn fix_version(table: &mut [u8]) {
    use cors_match_core::format::{header, ENDIAN_MARKER, VERSION};
    if let Some(field) = table.get_mut(header::ENDIAN..header::ENDIAN + 4) {
        field.copy_from_slice(&ENDIAN_MARKER.to_le_bytes());
    }
    if let Some(field) = table.get_mut(header::VERSION..header::VERSION + 4) {
        field.copy_from_slice(&VERSION.to_le_bytes());
    }
}

/// Recomputes the CRC field, as the hostile-table test does.
pub fn fix_checksum(table: &mut [u8]) {
    use cors_match_core::format::{self, header};
    if let Some(crc) = format::checksum(table) {
        table[header::CHECKSUM..header::CHECKSUM + 4].copy_from_slice(&crc.to_le_bytes());
    }
}

/// Values that make table fields interesting: bounds, off-by-ones, sentinels.
const INTERESTING_U32: &[u32] = &[
    0,
    1,
    2,
    3,
    7,
    8,
    15,
    16,
    63,
    64,
    65,
    255,
    256,
    257,
    0x7FFF_FFFF,
    0x8000_0000,
    u32::MAX - 1,
    u32::MAX,
];

/// Applies one to eight mutations to a copy of a valid table: bit flips,
/// byte and word overwrites at input-chosen positions, words from the
/// table's own header (offsets and counts), truncation and growth.
pub fn mutate_table(u: &mut Unstructured<'_>, base: &[u8]) -> Result<Vec<u8>> {
    let mut table = base.to_vec();
    let count = u.int_in_range(1..=8)?;
    for _ in 0..count {
        if table.is_empty() {
            break;
        }
        let at = u.choose_index(table.len())?;
        match u.int_in_range(0u8..=9)? {
            0 | 1 => table[at] ^= 1 << u.int_in_range(0..=7)?,
            2 => table[at] = u.arbitrary()?,
            3 | 4 => {
                let at = at & !3;
                let value = match u.int_in_range(0u8..=2)? {
                    0 => INTERESTING_U32[u.choose_index(INTERESTING_U32.len())?],
                    1 => {
                        // A header field's value: an offset or a count
                        // elsewhere is the likeliest off-by-something.
                        let field = 4 * u.int_in_range(6..=15)?;
                        cors_match_core::format::read_u32(&table, field).unwrap_or(0)
                    }
                    _ => u.arbitrary()?,
                };
                let delta: i8 = u.int_in_range(-2..=2)?;
                let value = value.wrapping_add_signed(i32::from(delta));
                if let Some(word) = table.get_mut(at..at + 4) {
                    word.copy_from_slice(&value.to_le_bytes());
                }
            }
            5 => {
                let value: u16 = u.arbitrary()?;
                if let Some(half) = table.get_mut(at..at + 2) {
                    half.copy_from_slice(&value.to_le_bytes());
                }
            }
            6 => table.truncate(at),
            7 => {
                let extra = small_bytes(u, 16)?;
                table.extend_from_slice(&extra);
            }
            8 => {
                let from = u.choose_index(table.len())? & !3;
                let to = at & !3;
                if from + 4 <= table.len() && to + 4 <= table.len() {
                    table.copy_within(from..from + 4, to);
                }
            }
            _ => {
                let len = u.int_in_range(1..=8)?;
                let end = (at + len).min(table.len());
                for byte in &mut table[at..end] {
                    *byte = 0;
                }
            }
        }
    }
    Ok(table)
}

/// A table decoded from fuzzer input, and what is left for the requests.
#[derive(Debug)]
pub struct TableInput<'a> {
    /// The table bytes, hostile.
    pub table: Vec<u8>,
    /// The rest of the input.
    pub rest: &'a [u8],
    /// Which of [`base_tables`] it came from (its hints suit the requests).
    pub base: usize,
}

/// Decodes a table from fuzzer input:
///
/// - input that starts with the table magic is a table (up to its declared
///   length, if possible) followed by a flags byte and the requests; the
///   version, length and checksum fields are repaired unless flag bits 4,
///   2 and 1 say not to, so that libFuzzer's mutations of a real table (the
///   seeds are compiled tables, maybe of an older format version) get past
///   those checks;
/// - other input is decoded with `Unstructured`: either arbitrary bytes,
///   mostly behind a repaired header ([`fix_header`]), or one of [`base_tables`]
///   with input-chosen mutations ([`mutate_table`]) and, usually, the
///   length and checksum fields recomputed.
///
/// # Errors
///
/// When the input cannot be decoded (it can always be, in practice).
pub fn table_input(data: &[u8]) -> Result<TableInput<'_>> {
    use cors_match_core::format::{self, header, MAGIC};
    if data.starts_with(&MAGIC) {
        let declared = format::read_u32(data, header::TOTAL_LEN).map_or(data.len(), |n| n as usize);
        // A declared length the mutations made impossible: all is table.
        let end = if (format::HEADER_LEN..=data.len()).contains(&declared) {
            declared
        } else {
            data.len()
        };
        let (table, rest) = data.split_at(end);
        let mut table = table.to_vec();
        let flags = rest.first().copied().unwrap_or(0);
        if flags & 4 == 0 {
            // A seed from an older format version stays useful.
            fix_version(&mut table);
        }
        if flags & 2 == 0 {
            let len = u32::try_from(table.len()).unwrap_or(u32::MAX);
            if let Some(field) = table.get_mut(header::TOTAL_LEN..header::TOTAL_LEN + 4) {
                field.copy_from_slice(&len.to_le_bytes());
            }
        }
        if flags & 1 == 0 {
            fix_checksum(&mut table);
        }
        return Ok(TableInput {
            table,
            rest: rest.get(1..).unwrap_or_default(),
            base: 0,
        });
    }
    let mut u = Unstructured::new(data);
    let bases = base_tables();
    let (table, base) = if chance(&mut u, 25)? {
        let len = u.int_in_range(0..=512)?;
        let mut table = u.bytes(len.min(u.len()))?.to_vec();
        // Now and then the bytes as they are.
        if !chance(&mut u, 5)? {
            let checksum = !chance(&mut u, 10)?;
            fix_header(&mut table, checksum);
        }
        (table, 0)
    } else {
        let base = u.choose_index(bases.len())?;
        let mut table = mutate_table(&mut u, &bases[base].0)?;
        if !chance(&mut u, 25)? {
            let len = u32::try_from(table.len()).unwrap_or(u32::MAX);
            if let Some(field) = table.get_mut(header::TOTAL_LEN..header::TOTAL_LEN + 4) {
                field.copy_from_slice(&len.to_le_bytes());
            }
        }
        if !chance(&mut u, 10)? {
            fix_checksum(&mut table);
        }
        (table, base)
    };
    let consumed = data.len() - u.len();
    Ok(TableInput {
        table,
        rest: &data[consumed..],
        base,
    })
}
