//! Generators shared by the property suites: random valid policy sets and
//! random requests biased towards the patterns of those sets.
#![allow(dead_code)] // each test crate uses a different part

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use cors_match_core::Request;
use cors_policy_lang::model::{
    default_port, HeaderNames, Host, OriginPattern, Origins, Policy, PolicySet, PortPattern,
    TupleOrigin,
};
use cors_policy_lang::reference;
use proptest::prelude::*;
use proptest::sample::{select, subsequence, Index};

// ---------------------------------------------------------------------------
// Alphabets
// ---------------------------------------------------------------------------

pub const PREFIXES: &[&str] = &["/a", "/a/", "/ab", "/b/c", "/b", "/a/b", "/", "/c/"];
pub const DOMAINS: &[&str] = &[
    "a.com",
    "b.a.com",
    "x-y.a.com",
    "a.co",
    "ab.com",
    "c_d.a.com",
];
pub const POLICY_METHODS: &[&str] = &[
    "PUT", "PATCH", "DELETE", "X-Custom", "patch", "OPTIONS", "GET",
];
pub const HEADER_NAMES: &[&str] = &[
    "content-type",
    "x-a",
    "x-ab",
    "authorization",
    "x-requested-with",
    // Seven names in all: a policy may list more than the header index
    // holds lists of (see `header_lists` in the compiler).
    "if-match",
    "x-c",
];
pub const EXACT_PORTS: &[u16] = &[8080, 1, 65535, 3000, 0, 443, 80];

pub const REQUEST_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "patch", "DELETE", "X-Custom", "x-custom",
    "G T", "", "options", "GET\0", "Ü",
];
pub const PATH_SUFFIXES: &[&str] = &["", "/", "x", "/x", "?q", "?/a", "#f", "/x?y"];
pub const HEADER_ELEMENTS: &[&str] = &[
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
];
pub const PNA_VALUES: &[&str] = &["true", " TRUE\t", "True", "false", "", "yes", "true,true"];
pub const LABEL_PREFIXES: &[&str] = &["q.", "q.r.", "", "Q.", "-.", "_x.", "q..", ".", "é."];
pub const ANY_PORT_SUFFIXES: &[&str] = &[
    "", ":8080", ":0", ":1", ":65535", ":65536", ":080", ":443", ":80", ":", ":99999", ":+1",
];

// ---------------------------------------------------------------------------
// Policy sets
// ---------------------------------------------------------------------------

pub fn host_strategy() -> impl Strategy<Value = (Host, bool)> {
    prop_oneof![
        6 => (select(DOMAINS), any::<bool>())
            .prop_map(|(d, wildcard)| (Host::Domain(d.to_string()), wildcard)),
        1 => Just((Host::Ipv4(Ipv4Addr::new(127, 0, 0, 1)), false)),
        1 => Just((Host::Ipv4(Ipv4Addr::new(10, 1, 2, 3)), false)),
        1 => Just((Host::Ipv6(Ipv6Addr::LOCALHOST), false)),
        1 => Just((Host::Ipv6("2001:db8::1".parse().unwrap()), false)),
    ]
}

pub fn tuple_strategy() -> impl Strategy<Value = OriginPattern> {
    (
        select(&["http", "https"][..]),
        host_strategy(),
        prop_oneof![5 => Just(0u8), 1 => Just(1u8), 4 => Just(2u8)],
        select(EXACT_PORTS),
    )
        .prop_map(|(scheme, (host, any_subdomain), port_kind, port)| {
            let port = match port_kind {
                0 => PortPattern::Default,
                1 => PortPattern::Any,
                // A pattern never names the scheme's default port.
                _ if default_port(scheme) == Some(port) => PortPattern::Exact(port ^ 1),
                _ => PortPattern::Exact(port),
            };
            OriginPattern::Tuple(TupleOrigin {
                scheme: scheme.to_string(),
                host,
                any_subdomain,
                port,
            })
        })
}

/// Safe regex origin patterns, each with an origin it matches.
pub const REGEXES: &[(&str, &str)] = &[
    (r"^https://pr-[0-9]+\.a\.com$", "https://pr-7.a.com"),
    (
        r"^https://([a-z0-9-]+\.)*b\.a\.com(:[0-9]{1,5})?$",
        "https://x.y.b.a.com:8080",
    ),
    (r"https://(www|app)\.a\.com", "https://app.a.com"),
    (r"^http://localhost(:[0-9]+)?$", "http://localhost:3000"),
];

pub fn pattern_strategy() -> impl Strategy<Value = OriginPattern> {
    prop_oneof![
        8 => tuple_strategy(),
        1 => Just(OriginPattern::Null),
        1 => prop::sample::select(REGEXES).prop_map(|(regex, _)| OriginPattern::Regex(regex.to_string())),
    ]
}

pub fn header_names_strategy() -> impl Strategy<Value = HeaderNames> {
    (
        any::<bool>(),
        subsequence(HEADER_NAMES, 0..=HEADER_NAMES.len()),
    )
        .prop_map(|(any, names)| HeaderNames {
            any: any && names.len() % 2 == 0,
            names: names.into_iter().map(str::to_string).collect(),
        })
}

#[derive(Clone, Debug)]
pub struct RawPolicy {
    pub paths: Vec<&'static str>,
    pub any_origin: bool,
    pub patterns: Vec<OriginPattern>,
    pub methods: Vec<&'static str>,
    pub allow_headers: HeaderNames,
    pub expose_headers: HeaderNames,
    pub credentials: bool,
    pub max_age: Option<u32>,
    pub private_network: bool,
    pub preflight_status: u16,
    pub name_suffix: String,
}

pub fn raw_policy_strategy() -> impl Strategy<Value = RawPolicy> {
    (
        subsequence(PREFIXES, 0..=3),
        prop::bool::weighted(0.25),
        prop::collection::vec(pattern_strategy(), 0..5),
        subsequence(POLICY_METHODS, 0..=4),
        header_names_strategy(),
        header_names_strategy(),
        prop::bool::weighted(0.35),
        prop::option::of(prop_oneof![Just(0u32), Just(600), 1..86_400u32]),
        any::<bool>(),
        prop_oneof![4 => Just(204u16), 1 => Just(200u16), 1 => 200..300u16],
        "[a-z0-9_-]{0,6}",
    )
        .prop_map(
            |(
                paths,
                any_origin,
                patterns,
                methods,
                allow_headers,
                expose_headers,
                credentials,
                max_age,
                private_network,
                preflight_status,
                name_suffix,
            )| RawPolicy {
                paths,
                any_origin,
                patterns,
                methods,
                allow_headers,
                expose_headers,
                credentials,
                max_age,
                private_network,
                preflight_status,
                name_suffix,
            },
        )
}

/// Turns raw policies into a set that satisfies the validator's invariants:
/// unique path prefixes across policies, at most one catch-all, no `*`
/// origins or `*` headers with credentials, no duplicates in lists.
pub fn build_set(raw: Vec<RawPolicy>) -> PolicySet {
    let mut used = HashSet::new();
    let mut catch_all = false;
    let mut policies = Vec::new();
    for (index, raw) in raw.into_iter().enumerate() {
        let had_paths = !raw.paths.is_empty();
        let paths: Vec<String> = raw
            .paths
            .iter()
            .filter(|p| used.insert(**p))
            .map(|p| p.to_string())
            .collect();
        if paths.is_empty() {
            if had_paths || catch_all {
                continue;
            }
            catch_all = true;
        }
        let mut patterns: Vec<OriginPattern> = Vec::new();
        for pattern in raw.patterns {
            if raw.credentials && pattern == OriginPattern::Null {
                continue;
            }
            if !patterns.contains(&pattern) {
                patterns.push(pattern);
            }
        }
        let origins = if raw.any_origin && !raw.credentials {
            Origins::Any
        } else {
            Origins::List(patterns)
        };
        let mut policy = Policy::new(format!("p{index}{}", raw.name_suffix), origins);
        policy.paths = paths;
        policy.methods = raw.methods.iter().map(|m| m.to_string()).collect();
        policy.allow_headers = raw.allow_headers;
        policy.expose_headers = raw.expose_headers;
        if raw.credentials {
            policy.allow_headers.any = false;
            policy.expose_headers.any = false;
            policy.allow_insecure_origins = true;
        }
        policy.credentials = raw.credentials;
        policy.max_age = raw.max_age;
        policy.private_network = raw.private_network;
        policy.preflight_status = raw.preflight_status;
        policies.push(policy);
    }
    PolicySet { policies }
}

pub fn set_strategy() -> impl Strategy<Value = PolicySet> {
    prop::collection::vec(raw_policy_strategy(), 1..5).prop_map(build_set)
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// The owned request and the outcome conversion, shared with the fuzz
/// targets.
pub use cors_testing::{owned, OwnedRequest};

/// The choices a request is made of, resolved against a set by `realize`.
#[derive(Clone, Debug)]
pub struct RawRequest {
    pub method: &'static str,
    pub path_prefix: Index,
    pub path_kind: u8,
    pub path_suffix: &'static str,
    pub origin_kind: u8,
    pub origin_pattern: Index,
    pub origin_labels: &'static str,
    pub origin_port: &'static str,
    pub origin_mutation: u8,
    pub mutation_at: Index,
    pub request_method: Option<&'static str>,
    pub request_method_from_policy: Option<Index>,
    pub request_headers: Option<Vec<&'static str>>,
    pub headers_from_policy: Vec<Index>,
    pub header_separator: &'static str,
    pub private_network: Option<&'static str>,
}

pub fn raw_request_strategy() -> impl Strategy<Value = RawRequest> {
    (
        (
            prop_oneof![3 => Just("OPTIONS"), 4 => select(REQUEST_METHODS)],
            any::<Index>(),
            0..4u8,
            select(PATH_SUFFIXES),
        ),
        (
            0..10u8,
            any::<Index>(),
            select(LABEL_PREFIXES),
            select(ANY_PORT_SUFFIXES),
            0..32u8,
            any::<Index>(),
        ),
        (
            prop::option::weighted(0.8, select(REQUEST_METHODS)),
            prop::option::weighted(0.5, any::<Index>()),
            prop::option::weighted(0.6, prop::collection::vec(select(HEADER_ELEMENTS), 0..4)),
            prop::collection::vec(any::<Index>(), 0..3),
            select(&[",", ", ", " ,\t"][..]),
            prop::option::weighted(0.4, select(PNA_VALUES)),
        ),
    )
        .prop_map(
            |(
                (method, path_prefix, path_kind, path_suffix),
                (
                    origin_kind,
                    origin_pattern,
                    origin_labels,
                    origin_port,
                    origin_mutation,
                    mutation_at,
                ),
                (
                    request_method,
                    request_method_from_policy,
                    request_headers,
                    headers_from_policy,
                    header_separator,
                    private_network,
                ),
            )| RawRequest {
                method,
                path_prefix,
                path_kind,
                path_suffix,
                origin_kind,
                origin_pattern,
                origin_labels,
                origin_port,
                origin_mutation,
                mutation_at,
                request_method,
                request_method_from_policy,
                request_headers,
                headers_from_policy,
                header_separator,
                private_network,
            },
        )
}

pub const FIXED_ORIGINS: &[&[u8]] = &[
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
];

/// Serializes a pattern into an origin a browser could send (or nearly).
pub fn origin_from(pattern: &OriginPattern, raw: &RawRequest) -> Vec<u8> {
    let tuple = match pattern {
        OriginPattern::Null => return b"null".to_vec(),
        OriginPattern::Regex(regex) => {
            let example = REGEXES
                .iter()
                .find(|(r, _)| r == regex)
                .map_or("", |(_, e)| e);
            return example.as_bytes().to_vec();
        }
        OriginPattern::Tuple(tuple) => tuple,
    };
    let mut origin = format!("{}://", tuple.scheme).into_bytes();
    if tuple.any_subdomain {
        origin.extend_from_slice(raw.origin_labels.as_bytes());
    }
    origin.extend_from_slice(tuple.host.to_string().as_bytes());
    match tuple.port {
        PortPattern::Default => {}
        PortPattern::Any => origin.extend_from_slice(raw.origin_port.as_bytes()),
        PortPattern::Exact(port) => origin.extend_from_slice(format!(":{port}").as_bytes()),
    }
    origin
}

/// One of a few small mutations (most of the time none).
pub fn mutate(mut origin: Vec<u8>, kind: u8, at: Index) -> Vec<u8> {
    if origin.is_empty() {
        return origin;
    }
    let i = at.index(origin.len());
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
        7 => origin.extend_from_slice(b":"),
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
        14 | 15 => {
            // Around the 2048-byte limit: a long first label (still a
            // label a wildcard accepts when the pattern has one).
            let target = 2046 + at.index(5);
            if let Some(scheme_end) = origin.windows(3).position(|w| w == b"://") {
                let missing = target.saturating_sub(origin.len());
                let at = scheme_end + 3;
                origin.splice(at..at, std::iter::repeat_n(b'a', missing));
            }
        }
        _ => {}
    }
    origin
}

pub fn realize(set: &PolicySet, raw: &RawRequest) -> OwnedRequest {
    let prefixes: Vec<&str> = set
        .policies
        .iter()
        .flat_map(|p| p.paths.iter().map(String::as_str))
        .collect();
    let base = match raw.path_kind {
        _ if prefixes.is_empty() => "/zz",
        0 => "/zz",
        1 => PREFIXES[raw.path_prefix.index(PREFIXES.len())],
        _ => prefixes[raw.path_prefix.index(prefixes.len())],
    };
    let path = format!("{base}{}", raw.path_suffix).into_bytes();

    // The policy the path selects, so that derived values mostly fit it.
    let name = reference::evaluate(set, &Request::new(b"GET", &path)).policy;
    let selected = set.policies.iter().find(|p| Some(&p.name) == name.as_ref());
    let own_patterns: Vec<&OriginPattern> = match selected.map(|p| &p.origins) {
        Some(Origins::List(list)) => list.iter().collect(),
        _ => Vec::new(),
    };
    let all_patterns: Vec<&OriginPattern> = set
        .policies
        .iter()
        .filter_map(|p| match &p.origins {
            Origins::List(list) => Some(list.iter()),
            Origins::Any => None,
        })
        .flatten()
        .collect();
    let patterns = if own_patterns.is_empty() || raw.origin_kind == 3 {
        all_patterns
    } else {
        own_patterns
    };
    let origin = match raw.origin_kind {
        0 => None,
        1 | 2 => Some(FIXED_ORIGINS[raw.origin_pattern.index(FIXED_ORIGINS.len())].to_vec()),
        _ if patterns.is_empty() => Some(b"https://a.com".to_vec()),
        _ => {
            let pattern = patterns[raw.origin_pattern.index(patterns.len())];
            Some(mutate(
                origin_from(pattern, raw),
                raw.origin_mutation,
                raw.mutation_at,
            ))
        }
    };
    let methods: Vec<&str> = selected
        .map(|p| p.methods.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let request_method = match (raw.request_method, raw.request_method_from_policy) {
        (Some(_), Some(index)) if !methods.is_empty() => Some(methods[index.index(methods.len())]),
        (method, _) => method,
    };
    let allowed: Vec<&str> = selected
        .map(|p| p.allow_headers.names.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let request_headers = raw.request_headers.as_ref().map(|elements| {
        let mut elements: Vec<&str> = elements.clone();
        if raw.headers_from_policy.len() >= 2 {
            // Only names the policy allows (in some case or other).
            elements.clear();
        }
        if !allowed.is_empty() {
            for index in &raw.headers_from_policy {
                elements.push(allowed[index.index(allowed.len())]);
            }
        }
        elements.join(raw.header_separator).into_bytes()
    });
    OwnedRequest {
        method: raw.method.as_bytes().to_vec(),
        path,
        origin,
        request_method: request_method.map(|m| m.as_bytes().to_vec()),
        request_headers,
        request_private_network: raw.private_network.map(|v| v.as_bytes().to_vec()),
    }
}

// ---------------------------------------------------------------------------
// Test data files
// ---------------------------------------------------------------------------

/// Decodes `\xNN`, `\\`, `\t`, `\r`, `\n` and `\[N*text]`.
pub fn unescape(field: &str) -> Result<Vec<u8>, String> {
    let bytes = field.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'\\') => {
                out.push(b'\\');
                i += 2;
            }
            Some(b't') => {
                out.push(b'\t');
                i += 2;
            }
            Some(b'r') => {
                out.push(b'\r');
                i += 2;
            }
            Some(b'n') => {
                out.push(b'\n');
                i += 2;
            }
            Some(b'x') => {
                let hex = field
                    .get(i + 2..i + 4)
                    .ok_or_else(|| format!("short \\x escape in {field:?}"))?;
                out.push(u8::from_str_radix(hex, 16).map_err(|e| format!("{hex:?}: {e}"))?);
                i += 4;
            }
            Some(b'[') => {
                let end = field[i..]
                    .find(']')
                    .ok_or_else(|| format!("unclosed \\[ in {field:?}"))?
                    + i;
                let inner = &field[i + 2..end];
                let (count, text) = inner
                    .split_once('*')
                    .ok_or_else(|| format!("\\[N*text] expected in {field:?}"))?;
                let count: usize = count.parse().map_err(|e| format!("{count:?}: {e}"))?;
                out.extend(text.as_bytes().repeat(count));
                i = end + 1;
            }
            _ => return Err(format!("unknown escape in {field:?}")),
        }
    }
    Ok(out)
}
