//! The reference evaluator: the test oracle for `cors_match_core`'s eval.
//!
//! This module answers the same question as the table-driven evaluator in
//! `cors-match-core`, straight from the validated [`PolicySet`] model and the
//! rules of cors-policy-lang/README.md ("Evaluation in brief") and the Fetch standard. It is
//! **deliberately naive**: linear scans, `Vec`s and `String`s, one small
//! function per rule, and no code shared with the table format, the origin
//! automaton or the compiler. Its only job is to be obviously correct, so
//! that property tests can compare the fast evaluator against it byte for
//! byte. Do not optimize it, and do not use it in production paths.
//!
//! The checks, in order (the first failure wins):
//!
//! 1. policy selection by path (longest prefix on a segment boundary, else
//!    the policy without `paths`, else `pass`/`no-policy`);
//! 2. no `Origin`: `pass`/`not-cors` (with `Vary: Origin` when the answer
//!    depends on the origin);
//! 3. the origin (malformed, then not allowed);
//! 4. the method (the requested method for a preflight): malformed, then
//!    not allowed;
//! 5. for a preflight: the requested headers (malformed anywhere, then not
//!    allowed anywhere), then private network access.

use crate::model::{
    default_port, is_wildcard_label_byte, HeaderNames, Host, OriginPattern, Origins, Policy,
    PolicySet, PortPattern, TupleOrigin, SAFELISTED_METHODS,
};
use cors_match_core::outcome::{names, vary, Decision, Reason};
use cors_match_core::request::Request;

/// The longest `Origin` value that can be well formed, in bytes.
pub const MAX_ORIGIN_LEN: usize = 2048;

/// The status of a denied preflight.
pub const DENIED_PREFLIGHT_STATUS: u16 = 403;

/// The reference answer to one request: the same information as
/// `cors_match_core::Outcome`, in owned, allocation-happy form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefOutcome {
    /// What to do with the request.
    pub decision: Decision,
    /// Why, for everything but an allowed request.
    pub reason: Option<Reason>,
    /// The name of the policy that covered the path, if any.
    pub policy: Option<String>,
    /// The status to answer a preflight with (`None` for everything else).
    pub status: Option<u16>,
    /// The response headers, lower-case names, in the evaluator's order.
    pub headers: Vec<(&'static str, Vec<u8>)>,
}

impl RefOutcome {
    /// The value of the named header (lower-case name), if the outcome has it.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// Evaluates `request` against `set` the slow, obvious way.
///
/// Never panics, whatever the request bytes.
#[must_use]
pub fn evaluate(set: &PolicySet, request: &Request<'_>) -> RefOutcome {
    let path = path_without_query(request.path);
    let Some(policy) = select_policy(set, path) else {
        return RefOutcome {
            decision: Decision::Pass,
            reason: Some(Reason::NoPolicy),
            policy: None,
            status: None,
            headers: Vec::new(),
        };
    };
    let depends_on_origin = !matches!(policy.origins, Origins::Any);

    let Some(origin) = request.origin else {
        return RefOutcome {
            decision: Decision::Pass,
            reason: Some(Reason::NotCors),
            policy: Some(policy.name.clone()),
            status: None,
            headers: if depends_on_origin {
                vary_origin(true)
            } else if check_method(policy, request.method).is_some() {
                // What a CORS request with this method gets: nothing.
                Vec::new()
            } else {
                // `origins *`: the same headers as a CORS request, no Vary
                // (Fetch, "CORS protocol and HTTP caches").
                let mut headers = vec![(names::ALLOW_ORIGIN, b"*".to_vec())];
                if let Some(value) = header_list_value(&policy.expose_headers) {
                    headers.push((names::EXPOSE_HEADERS, value));
                }
                headers
            },
        };
    };

    match request.request_method {
        Some(requested_method) if request.method == b"OPTIONS" => {
            preflight(policy, request, origin, requested_method)
        }
        _ => actual(policy, request, origin, depends_on_origin),
    }
}

// ---------------------------------------------------------------------------
// Preflight and actual request
// ---------------------------------------------------------------------------

/// A preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
fn preflight(
    policy: &Policy,
    request: &Request<'_>,
    origin: &[u8],
    requested_method: &[u8],
) -> RefOutcome {
    let vary_value: &[u8] = if policy.private_network {
        vary::PREFLIGHT_PRIVATE_NETWORK
    } else {
        vary::PREFLIGHT
    };
    let wants_private_network = wants_private_network(request.request_private_network);

    let failure = check_origin(&policy.origins, origin)
        .or_else(|| check_method(policy, requested_method))
        .or_else(|| check_request_headers(&policy.allow_headers, request.request_headers))
        .or_else(|| check_private_network(policy, wants_private_network));

    if let Some(reason) = failure {
        return RefOutcome {
            decision: Decision::PreflightDenied,
            reason: Some(reason),
            policy: Some(policy.name.clone()),
            status: Some(DENIED_PREFLIGHT_STATUS),
            headers: vec![(names::VARY, vary_value.to_vec())],
        };
    }

    let mut headers = Vec::new();
    headers.push((names::ALLOW_ORIGIN, allow_origin_value(policy, origin)));
    if policy.credentials {
        headers.push((names::ALLOW_CREDENTIALS, b"true".to_vec()));
    }
    if !policy.methods.is_empty() {
        headers.push((names::ALLOW_METHODS, policy.methods.join(", ").into_bytes()));
    }
    if let Some(value) = header_list_value(&policy.allow_headers) {
        headers.push((names::ALLOW_HEADERS, value));
    }
    if let Some(seconds) = policy.max_age {
        headers.push((names::MAX_AGE, seconds.to_string().into_bytes()));
    }
    if wants_private_network && policy.private_network {
        headers.push((names::ALLOW_PRIVATE_NETWORK, b"true".to_vec()));
    }
    headers.push((names::VARY, vary_value.to_vec()));

    RefOutcome {
        decision: Decision::PreflightAllowed,
        reason: None,
        policy: Some(policy.name.clone()),
        status: Some(policy.preflight_status),
        headers,
    }
}

/// An actual (non-preflight) CORS request.
fn actual(
    policy: &Policy,
    request: &Request<'_>,
    origin: &[u8],
    depends_on_origin: bool,
) -> RefOutcome {
    let failure =
        check_origin(&policy.origins, origin).or_else(|| check_method(policy, request.method));

    if let Some(reason) = failure {
        return RefOutcome {
            decision: Decision::ActualDenied,
            reason: Some(reason),
            policy: Some(policy.name.clone()),
            status: None,
            headers: vary_origin(depends_on_origin),
        };
    }

    let mut headers = Vec::new();
    headers.push((names::ALLOW_ORIGIN, allow_origin_value(policy, origin)));
    if policy.credentials {
        headers.push((names::ALLOW_CREDENTIALS, b"true".to_vec()));
    }
    if let Some(value) = header_list_value(&policy.expose_headers) {
        headers.push((names::EXPOSE_HEADERS, value));
    }
    headers.extend(vary_origin(depends_on_origin));

    RefOutcome {
        decision: Decision::ActualAllowed,
        reason: None,
        policy: Some(policy.name.clone()),
        status: None,
        headers,
    }
}

/// `[("vary", "Origin")]` when the answer depends on the origin, else nothing.
fn vary_origin(depends_on_origin: bool) -> Vec<(&'static str, Vec<u8>)> {
    if depends_on_origin {
        vec![(names::VARY, vary::ORIGIN.to_vec())]
    } else {
        Vec::new()
    }
}

/// `*` for `origins *`, else the request's own origin.
fn allow_origin_value(policy: &Policy, origin: &[u8]) -> Vec<u8> {
    match policy.origins {
        Origins::Any => b"*".to_vec(),
        Origins::List(_) => origin.to_vec(),
    }
}

/// `*` (when listed) then the names, joined with `, `; `None` when empty.
fn header_list_value(set: &HeaderNames) -> Option<Vec<u8>> {
    let mut items: Vec<&str> = Vec::new();
    if set.any {
        items.push("*");
    }
    for name in &set.names {
        items.push(name);
    }
    if items.is_empty() {
        None
    } else {
        Some(items.join(", ").into_bytes())
    }
}

// ---------------------------------------------------------------------------
// Policy selection
// ---------------------------------------------------------------------------

/// The request target up to (not including) the first `?` or `#`.
fn path_without_query(path: &[u8]) -> &[u8] {
    for (i, &b) in path.iter().enumerate() {
        if b == b'?' || b == b'#' {
            return &path[..i];
        }
    }
    path
}

/// Whether `prefix` covers `path` on a segment boundary.
fn prefix_matches(prefix: &[u8], path: &[u8]) -> bool {
    if !path.starts_with(prefix) {
        return false;
    }
    prefix.ends_with(b"/") || path.len() == prefix.len() || path.get(prefix.len()) == Some(&b'/')
}

/// The policy with the longest matching prefix, else the first policy
/// without `paths`, else `None`.
fn select_policy<'s>(set: &'s PolicySet, path: &[u8]) -> Option<&'s Policy> {
    let mut best: Option<(&Policy, usize)> = None;
    for policy in &set.policies {
        for prefix in &policy.paths {
            let prefix = prefix.as_bytes();
            if prefix_matches(prefix, path) {
                let longer = match best {
                    Some((_, len)) => prefix.len() > len,
                    None => true,
                };
                if longer {
                    best = Some((policy, prefix.len()));
                }
            }
        }
    }
    if let Some((policy, _)) = best {
        return Some(policy);
    }
    set.policies.iter().find(|p| p.paths.is_empty())
}

// ---------------------------------------------------------------------------
// Origin
// ---------------------------------------------------------------------------

/// `None` when the origin is allowed, else why not.
fn check_origin(origins: &Origins, origin: &[u8]) -> Option<Reason> {
    let patterns = match origins {
        Origins::Any => return None,
        Origins::List(patterns) => patterns,
    };
    if is_malformed_origin(origin) {
        return Some(Reason::MalformedOrigin);
    }
    if patterns.iter().any(|p| origin_matches(p, origin)) {
        None
    } else {
        Some(Reason::OriginNotAllowed)
    }
}

/// Empty, over-long, a list, or any byte outside visible ASCII.
fn is_malformed_origin(origin: &[u8]) -> bool {
    origin.is_empty()
        || origin.len() > MAX_ORIGIN_LEN
        || origin.contains(&b',')
        || origin.iter().any(|&b| !(0x21..=0x7e).contains(&b))
}

/// Whether `origin` is exactly one serialization the pattern allows.
fn origin_matches(pattern: &OriginPattern, origin: &[u8]) -> bool {
    match pattern {
        OriginPattern::Null => origin == b"null",
        // An NFA simulation of the regex, independent of the table's DFA.
        OriginPattern::Regex(regex) => {
            crate::regex_origin::compile(regex).is_ok_and(|nfa| nfa.matches(origin))
        }
        OriginPattern::Tuple(tuple) => tuple_matches(tuple, origin),
    }
}

/// `scheme "://" host [":" port]`, compared part by part.
fn tuple_matches(tuple: &TupleOrigin, origin: &[u8]) -> bool {
    let mut scheme_sep = tuple.scheme.as_bytes().to_vec();
    scheme_sep.extend_from_slice(b"://");
    let Some(rest) = origin.strip_prefix(scheme_sep.as_slice()) else {
        return false;
    };
    // Try every way to cut `rest` into a host and a port part (empty, or
    // starting with `:`); the origin matches if any cut matches both.
    (0..=rest.len()).any(|cut| {
        let (host, port) = rest.split_at(cut);
        (port.is_empty() || port[0] == b':')
            && host_matches(tuple, host)
            && port_matches(&tuple.scheme, tuple.port, port)
    })
}

/// The host part against the pattern's host (and subdomain wildcard).
pub(crate) fn host_matches(tuple: &TupleOrigin, host: &[u8]) -> bool {
    let serialized = serialize_host(&tuple.host);
    if !tuple.any_subdomain {
        return host == serialized.as_slice();
    }
    let mut suffix = b".".to_vec();
    suffix.extend_from_slice(&serialized);
    let Some(labels) = host.strip_suffix(suffix.as_slice()) else {
        return false;
    };
    // One or more labels, each non-empty and made of label bytes only.
    !labels.is_empty()
        && labels
            .split(|&b| b == b'.')
            .all(|label| !label.is_empty() && label.iter().all(|&b| is_wildcard_label_byte(b)))
}

/// A host as a browser serializes it in an `Origin`.
fn serialize_host(host: &Host) -> Vec<u8> {
    match host {
        Host::Domain(name) => name.as_bytes().to_vec(),
        Host::Ipv4(addr) => addr.to_string().into_bytes(),
        Host::Ipv6(addr) => format!("[{}]", crate::model::serialize_ipv6(addr)).into_bytes(),
    }
}

/// The port part (empty, or `:` and what follows) against the pattern.
pub(crate) fn port_matches(scheme: &str, pattern: PortPattern, port: &[u8]) -> bool {
    match pattern {
        PortPattern::Default => port.is_empty(),
        PortPattern::Exact(n) => port == format!(":{n}").as_bytes(),
        PortPattern::Any => {
            let Some(digits) = port.strip_prefix(b":") else {
                // No `:` at all: the scheme's default port.
                return port.is_empty();
            };
            match parse_serialized_port(digits) {
                Some(n) => default_port(scheme) != Some(n),
                None => false,
            }
        }
    }
}

/// Decimal digits as a browser writes a port: non-empty, no leading zero
/// (except `0` itself), at most 65535.
fn parse_serialized_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits.len() > 1 && digits[0] == b'0' {
        return None;
    }
    let mut value: u32 = 0;
    for &d in digits {
        value = value.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
        if value > u32::from(u16::MAX) {
            return None;
        }
    }
    u16::try_from(value).ok()
}

// ---------------------------------------------------------------------------
// Methods, request headers, private network
// ---------------------------------------------------------------------------

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// RFC 9110 `token`: one or more `tchar`.
fn is_token(value: &[u8]) -> bool {
    !value.is_empty() && value.iter().all(|&b| is_tchar(b))
}

/// `None` when the method is allowed, else why not.
fn check_method(policy: &Policy, method: &[u8]) -> Option<Reason> {
    if !is_token(method) {
        return Some(Reason::MalformedRequest);
    }
    let safelisted = SAFELISTED_METHODS.iter().any(|m| m.as_bytes() == method);
    let listed = policy.methods.iter().any(|m| m.as_bytes() == method);
    if safelisted || listed {
        None
    } else {
        Some(Reason::MethodNotAllowed)
    }
}

/// Strips SP and HTAB from both ends.
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end.max(start)]
}

/// `None` when every requested header is allowed, else why not. A
/// malformed element anywhere wins over a disallowed one anywhere.
fn check_request_headers(allowed: &HeaderNames, requested: Option<&[u8]>) -> Option<Reason> {
    let requested = requested?;
    let elements: Vec<&[u8]> = requested
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|e| !e.is_empty())
        .collect();
    if elements.iter().any(|e| !is_token(e)) {
        return Some(Reason::MalformedRequest);
    }
    for element in elements {
        let name = element.to_ascii_lowercase();
        let listed = allowed
            .names
            .iter()
            .any(|n| n.as_bytes() == name.as_slice());
        let by_wildcard = allowed.any && name.as_slice() != b"authorization";
        if !listed && !by_wildcard {
            return Some(Reason::HeaderNotAllowed);
        }
    }
    None
}

/// `None` unless private network access is asked for and the policy does not allow it.
fn check_private_network(policy: &Policy, wanted: bool) -> Option<Reason> {
    if wanted && !policy.private_network {
        Some(Reason::PrivateNetworkNotAllowed)
    } else {
        None
    }
}

/// `Access-Control-Request-Private-Network: true` (case-insensitive, OWS trimmed).
fn wants_private_network(value: Option<&[u8]>) -> bool {
    match value {
        Some(value) => trim_ows(value).eq_ignore_ascii_case(b"true"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn tuple(scheme: &str, host: Host, any_subdomain: bool, port: PortPattern) -> OriginPattern {
        OriginPattern::Tuple(TupleOrigin {
            scheme: scheme.to_string(),
            host,
            any_subdomain,
            port,
        })
    }

    fn domain(name: &str) -> Host {
        Host::Domain(name.to_string())
    }

    fn list(patterns: Vec<OriginPattern>) -> Origins {
        Origins::List(patterns)
    }

    fn set(policies: Vec<Policy>) -> PolicySet {
        PolicySet { policies }
    }

    fn with_paths(mut policy: Policy, paths: &[&str]) -> Policy {
        policy.paths = paths.iter().map(ToString::to_string).collect();
        policy
    }

    fn get<'a>(path: &'a [u8], origin: &'a [u8]) -> Request<'a> {
        Request {
            origin: Some(origin),
            ..Request::new(b"GET", path)
        }
    }

    fn preflight_req<'a>(origin: &'a [u8], method: &'a [u8]) -> Request<'a> {
        Request {
            origin: Some(origin),
            request_method: Some(method),
            ..Request::new(b"OPTIONS", b"/")
        }
    }

    fn single(origins: Origins) -> PolicySet {
        set(vec![Policy::new("p", origins)])
    }

    /// Whether `origin` is allowed by a single pattern.
    fn allows(pattern: OriginPattern, origin: &[u8]) -> bool {
        let s = single(list(vec![pattern]));
        evaluate(&s, &get(b"/", origin)).decision == Decision::ActualAllowed
    }

    fn reason_for_origin(origins: Origins, origin: &[u8]) -> Option<Reason> {
        evaluate(&single(origins), &get(b"/", origin)).reason
    }

    fn example() -> OriginPattern {
        tuple(
            "https",
            domain("app.example.com"),
            false,
            PortPattern::Default,
        )
    }

    fn selected(s: &PolicySet, path: &[u8]) -> Option<String> {
        evaluate(s, &Request::new(b"GET", path)).policy
    }

    // --- 1. policy selection ---------------------------------------------

    #[test]
    fn prefix_without_slash_matches_on_segment_boundary() {
        let s = set(vec![with_paths(
            Policy::new("api", Origins::Any),
            &["/api"],
        )]);
        assert_eq!(selected(&s, b"/api").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/api/x").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/api/").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/api?x=1").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/api#frag").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/apix"), None);
        assert_eq!(selected(&s, b"/ap"), None);
        assert_eq!(selected(&s, b"/API"), None);
    }

    #[test]
    fn prefix_with_slash_needs_the_slash() {
        let s = set(vec![with_paths(
            Policy::new("api", Origins::Any),
            &["/api/"],
        )]);
        assert_eq!(selected(&s, b"/api/").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/api/x").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/api"), None);
        assert_eq!(selected(&s, b"/api?/"), None);
        assert_eq!(selected(&s, b"/apix/"), None);
    }

    #[test]
    fn query_is_cut_before_matching() {
        let s = set(vec![with_paths(Policy::new("x", Origins::Any), &["/a/b"])]);
        assert_eq!(selected(&s, b"/a?/b"), None);
        assert_eq!(selected(&s, b"/a/b?c"), Some("x".into()));
        assert_eq!(selected(&s, b"/a/b#c"), Some("x".into()));
    }

    #[test]
    fn longest_prefix_wins_whatever_the_order() {
        let short = with_paths(Policy::new("short", Origins::Any), &["/api"]);
        let long = with_paths(Policy::new("long", Origins::Any), &["/x", "/api/v2"]);
        for s in [
            set(vec![short.clone(), long.clone()]),
            set(vec![long.clone(), short.clone()]),
        ] {
            assert_eq!(selected(&s, b"/api/v2/z").as_deref(), Some("long"));
            assert_eq!(selected(&s, b"/api/v2").as_deref(), Some("long"));
            assert_eq!(selected(&s, b"/api/v20").as_deref(), Some("short"));
            assert_eq!(selected(&s, b"/api/v").as_deref(), Some("short"));
            assert_eq!(selected(&s, b"/x/1").as_deref(), Some("long"));
        }
    }

    #[test]
    fn catch_all_policy_covers_the_rest() {
        let s = set(vec![
            Policy::new("all", Origins::Any),
            with_paths(Policy::new("api", Origins::Any), &["/api"]),
        ]);
        assert_eq!(selected(&s, b"/api/x").as_deref(), Some("api"));
        assert_eq!(selected(&s, b"/other").as_deref(), Some("all"));
        assert_eq!(selected(&s, b"").as_deref(), Some("all"));
        assert_eq!(selected(&s, b"*").as_deref(), Some("all"));
    }

    #[test]
    fn no_policy_is_a_bare_pass() {
        let s = set(vec![with_paths(
            Policy::new("api", list(vec![example()])),
            &["/api"],
        )]);
        let out = evaluate(&s, &get(b"/other", b"https://app.example.com"));
        assert_eq!(
            out,
            RefOutcome {
                decision: Decision::Pass,
                reason: Some(Reason::NoPolicy),
                policy: None,
                status: None,
                headers: vec![],
            }
        );
        let out = evaluate(&PolicySet::default(), &Request::new(b"GET", b"/"));
        assert_eq!(out.reason, Some(Reason::NoPolicy));
    }

    // --- 2/3. no origin ----------------------------------------------------

    #[test]
    fn no_origin_passes_with_vary_only_when_origin_matters() {
        let req = Request {
            request_method: Some(b"PUT"),
            ..Request::new(b"OPTIONS", b"/")
        };
        let out = evaluate(&single(list(vec![example()])), &req);
        assert_eq!(out.decision, Decision::Pass);
        assert_eq!(out.reason, Some(Reason::NotCors));
        assert_eq!(out.policy.as_deref(), Some("p"));
        assert_eq!(out.status, None);
        assert_eq!(out.headers, vec![("vary", b"Origin".to_vec())]);

        let out = evaluate(&single(Origins::Any), &req);
        assert_eq!(out.decision, Decision::Pass);
        assert_eq!(out.reason, Some(Reason::NotCors));
        // OPTIONS is not an allowed method: a CORS request with it gets no
        // headers, so neither does this one.
        assert_eq!(out.headers, vec![]);
        let out = evaluate(&single(Origins::Any), &Request::new(b"GET", b"/"));
        assert_eq!(
            out.headers,
            vec![("access-control-allow-origin", b"*".to_vec())]
        );

        // Even an empty list of patterns depends on the origin.
        let out = evaluate(&single(list(vec![])), &Request::new(b"GET", b"/"));
        assert_eq!(out.headers, vec![("vary", b"Origin".to_vec())]);
    }

    // --- 4. preflight detection ----------------------------------------------

    #[test]
    fn options_without_request_method_is_an_actual_request() {
        let mut p = Policy::new("p", Origins::Any);
        let req = Request {
            origin: Some(b"https://a.test"),
            ..Request::new(b"OPTIONS", b"/")
        };
        let out = evaluate(&set(vec![p.clone()]), &req);
        assert_eq!(out.decision, Decision::ActualDenied);
        assert_eq!(out.reason, Some(Reason::MethodNotAllowed));
        assert_eq!(out.status, None);
        p.methods = vec!["OPTIONS".into()];
        let out = evaluate(&set(vec![p]), &req);
        assert_eq!(out.decision, Decision::ActualAllowed);
    }

    #[test]
    fn lower_case_options_is_not_a_preflight() {
        let req = Request {
            origin: Some(b"https://a.test"),
            request_method: Some(b"GET"),
            ..Request::new(b"options", b"/")
        };
        let out = evaluate(&single(Origins::Any), &req);
        assert_eq!(out.decision, Decision::ActualDenied);
        assert_eq!(out.reason, Some(Reason::MethodNotAllowed));
    }

    // --- 5. origins -----------------------------------------------------------

    #[test]
    fn any_origin_accepts_every_value() {
        for origin in [
            &b""[..],
            b"null",
            b"a,b",
            b" x ",
            b"\xff\x00",
            &[b'a'; 5000],
        ] {
            let out = evaluate(&single(Origins::Any), &get(b"/", origin));
            assert_eq!(out.decision, Decision::ActualAllowed, "{origin:?}");
            assert_eq!(out.header("access-control-allow-origin"), Some(&b"*"[..]));
        }
    }

    #[test]
    fn malformed_origins() {
        let o = || list(vec![example(), OriginPattern::Null]);
        for origin in [
            &b""[..],
            b"https://app.example.com,https://app.example.com",
            b"https://app.example.com ",
            b" https://app.example.com",
            b"https://app.example.com\t",
            b"null\x00",
            b"https://app.example.com\x7f",
            b"https://\xc3\xa9.example.com",
            b",",
        ] {
            assert_eq!(
                reason_for_origin(o(), origin),
                Some(Reason::MalformedOrigin),
                "{origin:?}"
            );
        }
        let long = vec![b'a'; MAX_ORIGIN_LEN];
        assert_eq!(
            reason_for_origin(o(), &long),
            Some(Reason::OriginNotAllowed)
        );
        let longer = vec![b'a'; MAX_ORIGIN_LEN + 1];
        assert_eq!(
            reason_for_origin(o(), &longer),
            Some(Reason::MalformedOrigin)
        );
    }

    #[test]
    fn malformed_origin_is_reported_even_without_patterns() {
        assert_eq!(
            reason_for_origin(list(vec![]), b""),
            Some(Reason::MalformedOrigin)
        );
        assert_eq!(
            reason_for_origin(list(vec![]), b"https://a.test"),
            Some(Reason::OriginNotAllowed)
        );
    }

    #[test]
    fn over_long_origin_that_would_match_is_malformed() {
        let name = format!("{}.test", "a".repeat(MAX_ORIGIN_LEN));
        let pattern = tuple("https", domain(&name), false, PortPattern::Default);
        let origin = format!("https://{name}");
        assert_eq!(
            reason_for_origin(list(vec![pattern]), origin.as_bytes()),
            Some(Reason::MalformedOrigin)
        );
    }

    #[test]
    fn null_pattern() {
        assert!(allows(OriginPattern::Null, b"null"));
        assert!(!allows(OriginPattern::Null, b"NULL"));
        assert!(!allows(OriginPattern::Null, b"nul"));
        assert!(!allows(OriginPattern::Null, b"nullx"));
        assert!(!allows(example(), b"null"));
    }

    #[test]
    fn exact_domain_is_byte_exact() {
        let p = example;
        assert!(allows(p(), b"https://app.example.com"));
        for origin in [
            &b"https://APP.example.com"[..],
            b"HTTPS://app.example.com",
            b"http://app.example.com",
            b"https://app.example.com/",
            b"https://app.example.com.",
            b"https://app.example.com:443",
            b"https://app.example.com:8443",
            b"https://app.example.com:",
            b"https://x.app.example.com",
            b"https://user@app.example.com",
            b"https:/app.example.com",
            b"https//app.example.com",
            b"app.example.com",
            b"https://app.example.co",
            b"https://app.example.comm",
        ] {
            assert!(!allows(p(), origin), "{origin:?}");
        }
    }

    #[test]
    fn wildcard_subdomain_any_depth_never_apex() {
        let p = || tuple("https", domain("example.com"), true, PortPattern::Default);
        assert!(allows(p(), b"https://a.example.com"));
        assert!(allows(p(), b"https://a.b.example.com"));
        assert!(allows(p(), b"https://x-1_y.0.z.example.com"));
        for origin in [
            &b"https://example.com"[..],
            b"https://.example.com",
            b"https://a..example.com",
            b"https://.a.example.com",
            b"https://A.example.com",
            b"https://a*.example.com",
            b"https://a.example.com:8443",
            b"https://a.example.com.",
            b"https://aexample.com",
            b"https://a.example.org",
            b"https://a/.example.com",
            b"https://a:1.example.com",
            b"http://a.example.com",
            b"https://a.example.com/",
        ] {
            assert!(!allows(p(), origin), "{origin:?}");
        }
    }

    #[test]
    fn wildcard_subdomain_with_any_port() {
        let p = || tuple("https", domain("example.com"), true, PortPattern::Any);
        assert!(allows(p(), b"https://a.example.com"));
        assert!(allows(p(), b"https://a.b.example.com:8443"));
        assert!(!allows(p(), b"https://a.example.com:443"));
        assert!(!allows(p(), b"https://example.com:8443"));
    }

    #[test]
    fn exact_port() {
        let p = || tuple("http", domain("localhost"), false, PortPattern::Exact(8080));
        assert!(allows(p(), b"http://localhost:8080"));
        assert!(!allows(p(), b"http://localhost"));
        assert!(!allows(p(), b"http://localhost:08080"));
        assert!(!allows(p(), b"http://localhost:8081"));
        assert!(!allows(p(), b"http://localhost:80800"));
        assert!(!allows(p(), b"http://localhost:+8080"));
    }

    #[test]
    fn any_port() {
        let p = || tuple("http", domain("localhost"), false, PortPattern::Any);
        for ok in [
            &b"http://localhost"[..],
            b"http://localhost:0",
            b"http://localhost:1",
            b"http://localhost:8080",
            b"http://localhost:65535",
            b"http://localhost:443",
        ] {
            assert!(allows(p(), ok), "{ok:?}");
        }
        for bad in [
            &b"http://localhost:80"[..],
            b"http://localhost:080",
            b"http://localhost:00",
            b"http://localhost:08080",
            b"http://localhost:65536",
            b"http://localhost:99999",
            b"http://localhost:18446744073709551617",
            b"http://localhost:",
            b"http://localhost:8080:1",
            b"http://localhost::8080",
            b"http://localhost:-1",
            b"http://localhost:8o",
            b"http://localhost:8080/",
            b"http://localhostx:8080",
        ] {
            assert!(!allows(p(), bad), "{bad:?}");
        }
        let https = || tuple("https", domain("x.test"), false, PortPattern::Any);
        assert!(allows(https(), b"https://x.test:80"));
        assert!(!allows(https(), b"https://x.test:443"));
        // A scheme without a default port accepts every port.
        let custom = || tuple("chrome-extension", domain("abc"), false, PortPattern::Any);
        assert!(allows(custom(), b"chrome-extension://abc:80"));
        assert!(allows(custom(), b"chrome-extension://abc:443"));
        assert!(allows(custom(), b"chrome-extension://abc"));
    }

    #[test]
    fn ip_hosts() {
        let v4 = || {
            tuple(
                "http",
                Host::Ipv4(Ipv4Addr::new(127, 0, 0, 1)),
                false,
                PortPattern::Any,
            )
        };
        assert!(allows(v4(), b"http://127.0.0.1"));
        assert!(allows(v4(), b"http://127.0.0.1:3000"));
        assert!(!allows(v4(), b"http://127.0.0.01"));
        assert!(!allows(v4(), b"http://[127.0.0.1]"));
        let v6 = || {
            tuple(
                "http",
                Host::Ipv6(Ipv6Addr::LOCALHOST),
                false,
                PortPattern::Exact(8080),
            )
        };
        assert!(allows(v6(), b"http://[::1]:8080"));
        assert!(!allows(v6(), b"http://[::1]"));
        assert!(!allows(v6(), b"http://::1:8080"));
        assert!(!allows(v6(), b"http://[0:0:0:0:0:0:0:1]:8080"));
        let v6any = || {
            tuple(
                "https",
                Host::Ipv6("2001:db8::1".parse().unwrap_or(Ipv6Addr::UNSPECIFIED)),
                false,
                PortPattern::Any,
            )
        };
        assert!(allows(v6any(), b"https://[2001:db8::1]"));
        assert!(allows(v6any(), b"https://[2001:db8::1]:1"));
        assert!(!allows(v6any(), b"https://[2001:db8::1]:443"));
        assert!(!allows(v6any(), b"https://[2001:DB8::1]"));
    }

    #[test]
    fn any_of_several_patterns() {
        let o = || {
            list(vec![
                example(),
                tuple("http", domain("localhost"), false, PortPattern::Any),
                OriginPattern::Null,
            ])
        };
        assert_eq!(reason_for_origin(o(), b"https://app.example.com"), None);
        assert_eq!(reason_for_origin(o(), b"http://localhost:5173"), None);
        assert_eq!(reason_for_origin(o(), b"null"), None);
        assert_eq!(
            reason_for_origin(o(), b"https://evil.example"),
            Some(Reason::OriginNotAllowed)
        );
    }

    // --- 6. methods -------------------------------------------------------------

    #[test]
    fn actual_methods() {
        let mut p = Policy::new("p", Origins::Any);
        p.methods = vec!["PUT".into(), "patch".into()];
        let s = set(vec![p]);
        let reason = |method: &[u8]| {
            let req = Request {
                origin: Some(b"https://a.test"),
                ..Request::new(method, b"/")
            };
            evaluate(&s, &req).reason
        };
        for ok in [&b"GET"[..], b"HEAD", b"POST", b"PUT", b"patch"] {
            assert_eq!(reason(ok), None, "{ok:?}");
        }
        for denied in [&b"get"[..], b"put", b"PATCH", b"DELETE", b"OPTIONS"] {
            assert_eq!(reason(denied), Some(Reason::MethodNotAllowed), "{denied:?}");
        }
        for malformed in [&b""[..], b"GET ", b"G(T", b"P\x00T", b"\xff", b"A,B"] {
            assert_eq!(
                reason(malformed),
                Some(Reason::MalformedRequest),
                "{malformed:?}"
            );
        }
        assert_eq!(
            reason(b"!#$%&'*+-.^_`|~09azAZ"),
            Some(Reason::MethodNotAllowed)
        );
    }

    #[test]
    fn origin_is_checked_before_method() {
        let s = single(list(vec![example()]));
        let req = Request {
            origin: Some(b"https://evil.test"),
            ..Request::new(b"G T", b"/")
        };
        let out = evaluate(&s, &req);
        assert_eq!(out.decision, Decision::ActualDenied);
        assert_eq!(out.reason, Some(Reason::OriginNotAllowed));
        assert_eq!(out.status, None);
        assert_eq!(out.headers, vec![("vary", b"Origin".to_vec())]);
    }

    // --- 7. preflights ----------------------------------------------------------

    fn full_policy() -> Policy {
        let mut p = Policy::new(
            "api",
            list(vec![tuple(
                "https",
                domain("example.com"),
                true,
                PortPattern::Default,
            )]),
        );
        p.methods = vec!["GET".into(), "PUT".into(), "DELETE".into()];
        p.allow_headers = HeaderNames {
            any: false,
            names: vec!["content-type".into(), "x-requested-with".into()],
        };
        p.expose_headers = HeaderNames {
            any: false,
            names: vec!["x-request-id".into(), "x-b".into()],
        };
        p.credentials = true;
        p.max_age = Some(600);
        p.private_network = true;
        p.preflight_status = 200;
        p
    }

    #[test]
    fn allowed_preflight_header_order() {
        let s = set(vec![full_policy()]);
        let req = Request {
            request_headers: Some(b"Content-Type, X-Requested-With"),
            request_private_network: Some(b" TRUE\t"),
            ..preflight_req(b"https://a.example.com", b"PUT")
        };
        let out = evaluate(&s, &req);
        let expected: Vec<(&'static str, Vec<u8>)> = vec![
            (
                "access-control-allow-origin",
                b"https://a.example.com".to_vec(),
            ),
            ("access-control-allow-credentials", b"true".to_vec()),
            ("access-control-allow-methods", b"GET, PUT, DELETE".to_vec()),
            (
                "access-control-allow-headers",
                b"content-type, x-requested-with".to_vec(),
            ),
            ("access-control-max-age", b"600".to_vec()),
            ("access-control-allow-private-network", b"true".to_vec()),
            ("vary", vary::PREFLIGHT_PRIVATE_NETWORK.to_vec()),
        ];
        assert_eq!(
            out,
            RefOutcome {
                decision: Decision::PreflightAllowed,
                reason: None,
                policy: Some("api".into()),
                status: Some(200),
                headers: expected,
            }
        );
    }

    #[test]
    fn minimal_allowed_preflight() {
        let s = single(Origins::Any);
        let out = evaluate(&s, &preflight_req(b"https://a.test", b"GET"));
        assert_eq!(out.decision, Decision::PreflightAllowed);
        assert_eq!(out.status, Some(204));
        assert_eq!(
            out.headers,
            vec![
                ("access-control-allow-origin", b"*".to_vec()),
                ("vary", vary::PREFLIGHT.to_vec()),
            ]
        );
    }

    #[test]
    fn allow_headers_value_star_first() {
        let mut p = Policy::new("p", Origins::Any);
        p.allow_headers = HeaderNames {
            any: true,
            names: vec!["authorization".into(), "x-a".into()],
        };
        let out = evaluate(&set(vec![p.clone()]), &preflight_req(b"o", b"GET"));
        assert_eq!(
            out.header("access-control-allow-headers"),
            Some(&b"*, authorization, x-a"[..])
        );
        p.allow_headers.names.clear();
        let out = evaluate(&set(vec![p]), &preflight_req(b"o", b"GET"));
        assert_eq!(out.header("access-control-allow-headers"), Some(&b"*"[..]));
    }

    #[test]
    fn denied_preflights_have_403_and_vary_only() {
        let s = set(vec![full_policy()]);
        let cases: Vec<(Request<'_>, Reason)> = vec![
            (
                preflight_req(b"https://example.com", b"PUT"),
                Reason::OriginNotAllowed,
            ),
            (
                preflight_req(b"https://a.example.com ", b"PUT"),
                Reason::MalformedOrigin,
            ),
            (
                preflight_req(b"https://a.example.com", b"PATCH"),
                Reason::MethodNotAllowed,
            ),
            (
                preflight_req(b"https://a.example.com", b""),
                Reason::MalformedRequest,
            ),
            (
                preflight_req(b"https://a.example.com", b"P T"),
                Reason::MalformedRequest,
            ),
            (
                Request {
                    request_headers: Some(b"x-other"),
                    ..preflight_req(b"https://a.example.com", b"PUT")
                },
                Reason::HeaderNotAllowed,
            ),
        ];
        for (req, reason) in cases {
            let out = evaluate(&s, &req);
            assert_eq!(out.decision, Decision::PreflightDenied, "{req:?}");
            assert_eq!(out.reason, Some(reason), "{req:?}");
            assert_eq!(out.policy.as_deref(), Some("api"));
            assert_eq!(out.status, Some(403));
            assert_eq!(
                out.headers,
                vec![("vary", vary::PREFLIGHT_PRIVATE_NETWORK.to_vec())]
            );
        }
    }

    #[test]
    fn preflight_vary_is_the_same_for_any_origin() {
        let s = single(Origins::Any);
        let out = evaluate(&s, &preflight_req(b"x", b"DELETE"));
        assert_eq!(out.decision, Decision::PreflightDenied);
        assert_eq!(out.reason, Some(Reason::MethodNotAllowed));
        assert_eq!(out.headers, vec![("vary", vary::PREFLIGHT.to_vec())]);
    }

    #[test]
    fn preflight_check_order() {
        let mut p = Policy::new("p", list(vec![example()]));
        p.allow_headers.names = vec!["x-a".into()];
        let s = set(vec![p]);
        let reason = |origin: &'static [u8], method: &'static [u8], headers, pna| {
            let req = Request {
                request_headers: headers,
                request_private_network: pna,
                ..preflight_req(origin, method)
            };
            evaluate(&s, &req).reason
        };
        let good: &[u8] = b"https://app.example.com";
        let bad: &[u8] = b"https://evil.test";
        let pna = Some(&b"true"[..]);
        assert_eq!(
            reason(bad, b"P T", Some(&b"("[..]), pna),
            Some(Reason::OriginNotAllowed)
        );
        assert_eq!(
            reason(good, b"P T", Some(&b"("[..]), pna),
            Some(Reason::MalformedRequest)
        );
        assert_eq!(
            reason(good, b"PUT", Some(&b"("[..]), pna),
            Some(Reason::MethodNotAllowed)
        );
        assert_eq!(
            reason(good, b"GET", Some(&b"("[..]), pna),
            Some(Reason::MalformedRequest)
        );
        assert_eq!(
            reason(good, b"GET", Some(&b"x-b"[..]), pna),
            Some(Reason::HeaderNotAllowed)
        );
        assert_eq!(
            reason(good, b"GET", Some(&b"x-a"[..]), pna),
            Some(Reason::PrivateNetworkNotAllowed)
        );
        assert_eq!(reason(good, b"GET", Some(&b"x-a"[..]), None), None);
    }

    fn header_reason(allowed: HeaderNames, requested: &[u8]) -> Option<Reason> {
        let mut p = Policy::new("p", Origins::Any);
        p.allow_headers = allowed;
        let req = Request {
            request_headers: Some(requested),
            ..preflight_req(b"o", b"GET")
        };
        evaluate(&set(vec![p]), &req).reason
    }

    fn names_of(any: bool, list: &[&str]) -> HeaderNames {
        HeaderNames {
            any,
            names: list.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn request_header_list_parsing() {
        let allowed = || names_of(false, &["content-type", "x-a"]);
        for ok in [
            &b""[..],
            b" ",
            b",",
            b" , ,\t,",
            b"content-type",
            b"Content-Type",
            b"CONTENT-TYPE,X-A",
            b"\tcontent-type \t,  x-a ",
            b",content-type,,x-a,",
            b"x-a,x-a,X-A",
        ] {
            assert_eq!(header_reason(allowed(), ok), None, "{ok:?}");
        }
        for not_allowed in [
            &b"x-b"[..],
            b"content-type, x-b",
            b"x-b, content-type",
            b"content",
        ] {
            assert_eq!(
                header_reason(allowed(), not_allowed),
                Some(Reason::HeaderNotAllowed),
                "{not_allowed:?}"
            );
        }
        for malformed in [
            &b"content type"[..],
            b"x-a, x(b",
            b"x-b, x(b",
            b"x(b, x-b",
            b"x-a\x00",
            b"x-a\r\n",
            b"x-\xc3\xa9",
            b"x-a;q=1",
            b" x-a\x0b",
        ] {
            assert_eq!(
                header_reason(allowed(), malformed),
                Some(Reason::MalformedRequest),
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn no_request_headers_is_fine() {
        let req = preflight_req(b"o", b"GET");
        assert_eq!(evaluate(&single(Origins::Any), &req).reason, None);
    }

    #[test]
    fn star_allows_everything_but_authorization() {
        assert_eq!(header_reason(names_of(true, &[]), b"x-anything, y"), None);
        assert_eq!(
            header_reason(names_of(true, &[]), b"Authorization"),
            Some(Reason::HeaderNotAllowed)
        );
        assert_eq!(
            header_reason(names_of(true, &[]), b"x-a, authorization"),
            Some(Reason::HeaderNotAllowed)
        );
        assert_eq!(
            header_reason(names_of(true, &["authorization"]), b"AUTHORIZATION, x-y"),
            None
        );
        assert_eq!(
            header_reason(names_of(false, &["authorization"]), b"authorization"),
            None
        );
        assert_eq!(header_reason(names_of(true, &[]), b"authorizations"), None);
    }

    #[test]
    fn private_network() {
        let mut p = Policy::new("p", Origins::Any);
        let ask = |s: &PolicySet, value: Option<&[u8]>| {
            let req = Request {
                request_private_network: value,
                ..preflight_req(b"o", b"GET")
            };
            evaluate(s, &req)
        };
        let off = set(vec![p.clone()]);
        for yes in [&b"true"[..], b"TRUE", b"True", b" true", b"\ttrue \t"] {
            let out = ask(&off, Some(yes));
            assert_eq!(
                out.reason,
                Some(Reason::PrivateNetworkNotAllowed),
                "{yes:?}"
            );
            assert_eq!(out.headers, vec![("vary", vary::PREFLIGHT.to_vec())]);
        }
        for no in [
            None,
            Some(&b"false"[..]),
            Some(b""),
            Some(b"true,true"),
            Some(b"\ntrue"),
            Some(b"yes"),
        ] {
            let out = ask(&off, no);
            assert_eq!(out.decision, Decision::PreflightAllowed, "{no:?}");
            assert_eq!(out.header("access-control-allow-private-network"), None);
        }
        p.private_network = true;
        let on = set(vec![p]);
        let out = ask(&on, Some(b"true"));
        assert_eq!(out.decision, Decision::PreflightAllowed);
        assert_eq!(
            out.header("access-control-allow-private-network"),
            Some(&b"true"[..])
        );
        assert_eq!(out.header("vary"), Some(vary::PREFLIGHT_PRIVATE_NETWORK));
        let out = ask(&on, None);
        assert_eq!(out.decision, Decision::PreflightAllowed);
        assert_eq!(out.header("access-control-allow-private-network"), None);
        assert_eq!(out.header("vary"), Some(vary::PREFLIGHT_PRIVATE_NETWORK));
    }

    #[test]
    fn private_network_is_ignored_on_actual_requests() {
        let req = Request {
            request_private_network: Some(b"true"),
            ..get(b"/", b"o")
        };
        let out = evaluate(&single(Origins::Any), &req);
        assert_eq!(out.decision, Decision::ActualAllowed);
        assert_eq!(out.header("access-control-allow-private-network"), None);
    }

    // --- 8. actual requests -------------------------------------------------------

    #[test]
    fn allowed_actual_header_order() {
        let s = set(vec![full_policy()]);
        let req = Request {
            request_headers: Some(b"x-not-allowed"),
            ..get(b"/", b"https://a.b.example.com")
        };
        let out = evaluate(&s, &req);
        assert_eq!(
            out,
            RefOutcome {
                decision: Decision::ActualAllowed,
                reason: None,
                policy: Some("api".into()),
                status: None,
                headers: vec![
                    (
                        "access-control-allow-origin",
                        b"https://a.b.example.com".to_vec()
                    ),
                    ("access-control-allow-credentials", b"true".to_vec()),
                    (
                        "access-control-expose-headers",
                        b"x-request-id, x-b".to_vec()
                    ),
                    ("vary", b"Origin".to_vec()),
                ],
            }
        );
    }

    #[test]
    fn allowed_actual_with_any_origin_has_no_vary() {
        let mut p = Policy::new("p", Origins::Any);
        p.expose_headers = names_of(true, &["x-a"]);
        let out = evaluate(&set(vec![p]), &get(b"/", b"https://a.test"));
        assert_eq!(
            out.headers,
            vec![
                ("access-control-allow-origin", b"*".to_vec()),
                ("access-control-expose-headers", b"*, x-a".to_vec()),
            ]
        );
    }

    #[test]
    fn denied_actual_requests() {
        let s = single(list(vec![example()]));
        let out = evaluate(&s, &get(b"/", b"https://evil.test"));
        assert_eq!(
            out,
            RefOutcome {
                decision: Decision::ActualDenied,
                reason: Some(Reason::OriginNotAllowed),
                policy: Some("p".into()),
                status: None,
                headers: vec![("vary", b"Origin".to_vec())],
            }
        );
        let out = evaluate(&s, &get(b"/", b""));
        assert_eq!(out.reason, Some(Reason::MalformedOrigin));
        assert_eq!(out.headers, vec![("vary", b"Origin".to_vec())]);

        let req = Request {
            origin: Some(b"x"),
            ..Request::new(b"DELETE", b"/")
        };
        let out = evaluate(&single(Origins::Any), &req);
        assert_eq!(out.decision, Decision::ActualDenied);
        assert_eq!(out.reason, Some(Reason::MethodNotAllowed));
        assert!(out.headers.is_empty());
    }

    // --- helpers ------------------------------------------------------------------

    #[test]
    fn trim_ows_edges() {
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b" \t "), b"");
        assert_eq!(trim_ows(b" a b\t"), b"a b");
        assert_eq!(trim_ows(b"x"), b"x");
    }

    #[test]
    fn serialized_port_parsing() {
        assert_eq!(parse_serialized_port(b"0"), Some(0));
        assert_eq!(parse_serialized_port(b"65535"), Some(65535));
        assert_eq!(parse_serialized_port(b"65536"), None);
        assert_eq!(parse_serialized_port(b"01"), None);
        assert_eq!(parse_serialized_port(b""), None);
        assert_eq!(parse_serialized_port(&[b'9'; 40]), None);
    }
}
