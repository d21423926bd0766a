//! "Did you mean": the listed origins a refused `Origin` misses by one
//! small difference — the scheme, the port, `localhost`/`127.0.0.1`/`[::1]`,
//! a leading `www.`, a wildcard's apex — or that it would match without a
//! trailing slash or upper case (which no browser sends).
//!
//! Each listed origin is tried against variants of the request's origin
//! that each change one of those parts; the first variant the listed origin
//! allows names the difference. Tuples are compared part by part with the
//! reference evaluator's host and port matchers (obviously correct, and a
//! suggestion is no hot path), regex origins with their NFA.

use std::ops::Range;

use crate::ast::Directive;
use crate::model::{OriginPattern, PortPattern, TupleOrigin};
use crate::reference::{host_matches, port_matches};
use crate::regex_origin::{self, RegexNfa};
use crate::validate::origin_pattern;

/// The most near misses reported for one request.
pub const MAX_NEAR_MISSES: usize = 5;

/// The most `origins` arguments examined: enough for any hand-written list;
/// a generated list of 100,000 origins is cut short here, so that a near
/// miss search stays well under a second.
pub const MAX_ORIGINS_EXAMINED: usize = 20_000;

/// The longest `Origin` compared: far above any real origin (a 253-byte
/// host with scheme and port), so the comparisons stay cheap.
pub const MAX_ORIGIN_LEN: usize = 300;

/// The most regex origins examined (each is compiled to an automaton).
pub const MAX_REGEXES_EXAMINED: usize = 64;

/// How a listed origin differs from the request's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Difference {
    /// `http` and `https` (or `ws` and `wss`, ...).
    Scheme,
    /// Another port, or a port and none.
    Port,
    /// `localhost`, `127.0.0.1` and `[::1]`: the same machine, different origins.
    Loopback,
    /// `www.example.com` and `example.com`.
    Www,
    /// `*.example.com` listed, `example.com` sent: a wildcard never matches its apex.
    Apex,
    /// The request's `Origin` ends with `/`.
    TrailingSlash,
    /// The request's `Origin` has upper-case letters.
    Case,
}

impl Difference {
    /// A stable kebab-case name (`scheme`, `trailing-slash`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Scheme => "scheme",
            Difference::Port => "port",
            Difference::Loopback => "loopback",
            Difference::Www => "www",
            Difference::Apex => "apex",
            Difference::TrailingSlash => "trailing-slash",
            Difference::Case => "case",
        }
    }
}

/// A listed origin the request's just misses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    /// The origin as written in the source (a regex with its `~"..."`).
    pub origin: String,
    /// Where it is written.
    pub span: Range<usize>,
    /// What differs.
    pub kind: Difference,
    /// The difference in words, for people.
    pub difference: String,
}

/// The request's origin taken apart, after removing what a browser never
/// sends (a trailing `/`, upper case).
struct Sent {
    /// The text after that cleanup.
    text: String,
    /// What the cleanup removed, in order.
    cleaned: Vec<Difference>,
    /// `(scheme, host, port text without ':')` when the text has that shape.
    parts: Option<(String, String, Option<String>)>,
}

impl Sent {
    fn new(origin: &str) -> Self {
        let mut text = origin.to_string();
        let mut cleaned = Vec::new();
        if text.len() > 1 && text.ends_with('/') {
            text = text.trim_end_matches('/').to_string();
            cleaned.push(Difference::TrailingSlash);
        }
        if text.chars().any(|c| c.is_ascii_uppercase()) {
            text = text.to_ascii_lowercase();
            cleaned.push(Difference::Case);
        }
        let parts = split(&text);
        Sent {
            text,
            cleaned,
            parts,
        }
    }
}

/// `scheme://host[:port]` into its parts (the port digits only).
fn split(text: &str) -> Option<(String, String, Option<String>)> {
    let (scheme, rest) = text.split_once("://")?;
    if scheme.is_empty() || rest.is_empty() {
        return None;
    }
    let (host, port) = if rest.starts_with('[') {
        let close = rest.find(']')?;
        let (host, after) = rest.split_at(close + 1);
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return None,
        }
    } else {
        match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    if host.is_empty()
        || port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((
        scheme.to_string(),
        host.to_string(),
        port.map(str::to_string),
    ))
}

fn join(scheme: &str, host: &str, port: Option<&str>) -> String {
    match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The same scheme with or without TLS.
fn partner_scheme(scheme: &str) -> Option<&'static str> {
    match scheme {
        "http" => Some("https"),
        "https" => Some("http"),
        "ws" => Some("wss"),
        "wss" => Some("ws"),
        _ => None,
    }
}

fn describe_port(port: Option<&str>) -> String {
    match port {
        Some(port) => format!("port {port}"),
        None => "no port (the scheme's default)".to_string(),
    }
}

fn describe_pattern_port(port: PortPattern) -> String {
    match port {
        PortPattern::Default => "no port (the scheme's default)".to_string(),
        PortPattern::Exact(port) => format!("port {port}"),
        PortPattern::Any => "any port".to_string(),
    }
}

/// One variant of the sent origin: its text and what it changed.
struct Variant {
    text: String,
    /// `(scheme, host, port digits)`, when the text has that shape.
    parts: Option<(String, String, Option<String>)>,
    kind: Difference,
    difference: String,
}

/// A listed origin ready to be compared.
enum Listed {
    Tuple(TupleOrigin),
    Null,
    Regex(RegexNfa),
}

impl Listed {
    fn allows(&self, variant: &Variant) -> bool {
        match self {
            Listed::Null => variant.text == "null",
            Listed::Regex(nfa) => nfa.matches(variant.text.as_bytes()),
            Listed::Tuple(tuple) => variant.parts.as_ref().is_some_and(|(scheme, host, port)| {
                let port = port.as_ref().map_or_else(String::new, |p| format!(":{p}"));
                *scheme == tuple.scheme
                    && host_matches(tuple, host.as_bytes())
                    && port_matches(&tuple.scheme, tuple.port, port.as_bytes())
            }),
        }
    }
}

/// A variant changing the parts of the sent origin.
fn changed(
    scheme: &str,
    host: &str,
    port: Option<&str>,
    kind: Difference,
    difference: String,
) -> Variant {
    Variant {
        text: join(scheme, host, port),
        parts: Some((
            scheme.to_string(),
            host.to_string(),
            port.map(str::to_string),
        )),
        kind,
        difference,
    }
}

/// The variants of `sent` worth trying against `pattern`, each changing one
/// part (after the cleanup, which is itself the first variant).
fn variants(sent: &Sent, pattern: &OriginPattern) -> Vec<Variant> {
    let mut out = Vec::new();
    if let Some(&kind) = sent.cleaned.first() {
        let difference = match kind {
            Difference::TrailingSlash => "the request's Origin ends with `/`: a browser never sends a path in `Origin`, so the client (or a proxy) sending it is at fault, not the policy".to_string(),
            _ => "the request's Origin has upper-case letters: a browser sends the scheme and host in lower case, so the client (or a proxy) sending it is at fault, not the policy".to_string(),
        };
        // "Differs only by": with the cleanup, nothing else may change.
        return vec![Variant {
            text: sent.text.clone(),
            parts: sent.parts.clone(),
            kind,
            difference,
        }];
    }
    let Some((scheme, host, port)) = &sent.parts else {
        return out;
    };
    let port = port.as_deref();
    let tuple: Option<&TupleOrigin> = match pattern {
        OriginPattern::Tuple(tuple) => Some(tuple),
        _ => None,
    };

    // The scheme: the listed one, or the TLS partner for a regex.
    let other_scheme = match tuple {
        Some(tuple) if tuple.scheme != *scheme => Some(tuple.scheme.clone()),
        Some(_) => None,
        None => partner_scheme(scheme).map(str::to_string),
    };
    if let Some(other) = other_scheme {
        out.push(changed(
            &other,
            host,
            port,
            Difference::Scheme,
            format!(
                "the request comes from `{scheme}://`, the policy lists `{other}://`: a different scheme is a different origin"
            ),
        ));
    }

    // The port: the listed one, or none for a regex.
    let listed_port: Option<Option<String>> = match tuple.map(|t| t.port) {
        Some(PortPattern::Default) => Some(None),
        Some(PortPattern::Exact(p)) => Some(Some(p.to_string())),
        Some(PortPattern::Any) => None,
        None => port.map(|_| None),
    };
    if let Some(listed) = listed_port {
        if listed.as_deref() != port {
            let listed_text = tuple.map_or_else(
                || describe_port(listed.as_deref()),
                |t| describe_pattern_port(t.port),
            );
            out.push(changed(
                scheme,
                host,
                listed.as_deref(),
                Difference::Port,
                format!(
                    "the request's origin has {}, the policy lists {listed_text}: a different port is a different origin",
                    describe_port(port)
                ),
            ));
        }
    }

    if LOOPBACK.contains(&host.as_str()) {
        for alias in LOOPBACK.iter().filter(|alias| **alias != host.as_str()) {
            out.push(changed(
                scheme,
                alias,
                port,
                Difference::Loopback,
                format!(
                    "`{host}` and `{alias}` are different origins to a browser, though both reach this machine: list the one the page is loaded from"
                ),
            ));
        }
    } else {
        let other = match host.strip_prefix("www.") {
            Some(bare) => bare.to_string(),
            None => format!("www.{host}"),
        };
        out.push(changed(
            scheme,
            &other,
            port,
            Difference::Www,
            format!("`{host}` and `{other}` are different origins: `www.` is part of the host"),
        ));
    }
    out
}

/// The origins listed in `directive` that `origin` misses by one small
/// difference, at most [`MAX_NEAR_MISSES`], in source order.
pub(crate) fn near_misses(source: &str, directive: &Directive, origin: &str) -> Vec<NearMiss> {
    if origin.len() > MAX_ORIGIN_LEN {
        return Vec::new();
    }
    let sent = Sent::new(origin);
    let mut found = Vec::new();
    let mut regexes = 0;
    for arg in directive.args.iter().take(MAX_ORIGINS_EXAMINED) {
        if found.len() >= MAX_NEAR_MISSES {
            break;
        }
        let Some(pattern) = origin_pattern(arg) else {
            continue;
        };
        let listed = match &pattern {
            OriginPattern::Tuple(tuple) => Listed::Tuple(tuple.clone()),
            OriginPattern::Null => Listed::Null,
            OriginPattern::Regex(regex) => {
                regexes += 1;
                if regexes > MAX_REGEXES_EXAMINED {
                    continue;
                }
                match regex_origin::compile(regex) {
                    Ok(nfa) => Listed::Regex(nfa),
                    Err(_) => continue,
                }
            }
        };
        let written = source
            .get(arg.span.clone())
            .unwrap_or(&arg.value)
            .to_string();
        let near = |kind: Difference, difference: String| NearMiss {
            origin: written.clone(),
            span: arg.span.clone(),
            kind,
            difference,
        };
        // A wildcard's apex, said directly (a `www.` variant would match
        // too), when a subdomain with the same scheme and port would match.
        if let (Listed::Tuple(tuple), Some((scheme, host, port))) = (&listed, &sent.parts) {
            let subdomain = changed(
                scheme,
                &format!("a.{host}"),
                port.as_deref(),
                Difference::Apex,
                String::new(),
            );
            if tuple.any_subdomain
                && *host == tuple.host.to_string()
                && sent.cleaned.is_empty()
                && listed.allows(&subdomain)
            {
                found.push(near(
                    Difference::Apex,
                    format!(
                        "`*.{host}` allows the subdomains of `{host}`, never `{host}` itself: list `{}` too",
                        join(scheme, host, port.as_deref())
                    ),
                ));
                continue;
            }
        }
        let hit = variants(&sent, &pattern)
            .into_iter()
            .find(|variant| listed.allows(variant));
        if let Some(variant) = hit {
            found.push(near(variant.kind, variant.difference));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn misses(origins: &str, origin: &str) -> Vec<(String, Difference)> {
        let source = format!("policy p {{ origins {origins}; }}");
        let (file, _) = parse(&source);
        near_misses(&source, &file.policies[0].directives[0], origin)
            .into_iter()
            .map(|miss| (miss.origin, miss.kind))
            .collect()
    }

    #[test]
    fn each_kind_of_difference() {
        use Difference::*;
        let one = |o: &str, d| vec![(o.to_string(), d)];
        assert_eq!(
            misses("http://127.0.0.1:5000", "http://localhost:5000"),
            one("http://127.0.0.1:5000", Loopback)
        );
        assert_eq!(
            misses("https://app.test", "http://app.test"),
            one("https://app.test", Scheme)
        );
        assert_eq!(
            misses("http://localhost:3000", "http://localhost:5173"),
            one("http://localhost:3000", Port)
        );
        assert_eq!(
            misses("https://app.test:8443", "https://app.test"),
            one("https://app.test:8443", Port)
        );
        assert_eq!(
            misses("https://www.app.test", "https://app.test"),
            one("https://www.app.test", Www)
        );
        assert_eq!(
            misses("https://app.test", "https://www.app.test"),
            one("https://app.test", Www)
        );
        assert_eq!(
            misses("https://*.app.test", "https://app.test"),
            one("https://*.app.test", Apex)
        );
        assert_eq!(
            misses("https://app.test", "https://app.test/"),
            one("https://app.test", TrailingSlash)
        );
        assert_eq!(
            misses("https://app.test", "https://App.Test"),
            one("https://app.test", Case)
        );
        assert_eq!(
            misses(r#"~"^https://(a|b)\.test$""#, "http://a.test"),
            one(r#"~"^https://(a|b)\.test$""#, Scheme)
        );
        // One difference only: after a cleanup, nothing else.
        assert_eq!(
            misses("https://*.app.test https://app.test", "https://App.test"),
            one("https://app.test", Case)
        );
        assert_eq!(
            misses("https://*.app.test", "https://app.test:8443"),
            vec![]
        );
        assert_eq!(misses("null", "NULL"), one("null", Case));
        // Far longer than any origin: not compared.
        let host = [&"a".repeat(60)[..]; 5].join(".") + ".test";
        assert_eq!(
            misses(&format!("https://www.{host}"), &format!("https://{host}")),
            vec![]
        );
        let host = [&"a".repeat(60)[..]; 4].join(".") + ".test";
        assert_eq!(
            misses(&format!("https://www.{host}"), &format!("https://{host}")),
            one(&format!("https://www.{host}"), Www)
        );
        // Nothing close: nothing said.
        assert_eq!(misses("https://other.test *", "https://app.test"), vec![]);
        assert_eq!(misses("https://app.test", "not an origin"), vec![]);
    }
}
