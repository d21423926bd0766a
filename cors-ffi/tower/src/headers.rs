//! Between `http` and the core: request header values in, outcome headers
//! out, and the response headers the layer owns.

use std::borrow::Cow;

use bytes::Bytes;
use cors_match_core::outcome::{names, vary};
use cors_match_core::Header;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// The outcome's headers as `http` values, kept in the response future
/// (at most [`cors_match_core::MAX_HEADERS`], on the stack).
pub(crate) type Pending = heapless::Vec<(HeaderName, HeaderValue), { cors_match_core::MAX_HEADERS }>;

const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The value of a request header: the line itself, or every line joined
/// with `,` (allocating only then), as the other hosts join them; `None`
/// when absent.
#[inline]
pub(crate) fn joined<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<Cow<'a, [u8]>> {
    let mut lines = headers.get_all(name).iter();
    let first = lines.next()?;
    let Some(second) = lines.next() else {
        return Some(Cow::Borrowed(first.as_bytes()));
    };
    let length = headers
        .get_all(name)
        .iter()
        .map(|line| line.len() + 1)
        .sum();
    let mut all = Vec::with_capacity(length);
    all.extend_from_slice(first.as_bytes());
    for line in std::iter::once(second).chain(lines) {
        all.push(b',');
        all.extend_from_slice(line.as_bytes());
    }
    Some(Cow::Owned(all))
}

/// Whether `part` lies within `whole` (pointer ranges).
#[inline]
fn within(whole: &[u8], part: &[u8]) -> bool {
    let start = whole.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    at >= start && at + part.len() <= start + whole.len()
}

/// The `http` name of an outcome header (the core's names are lower case
/// and fixed).
#[inline]
fn name(core: &'static str) -> HeaderName {
    match core {
        names::ALLOW_ORIGIN => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        names::ALLOW_CREDENTIALS => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        names::ALLOW_METHODS => header::ACCESS_CONTROL_ALLOW_METHODS,
        names::ALLOW_HEADERS => header::ACCESS_CONTROL_ALLOW_HEADERS,
        names::MAX_AGE => header::ACCESS_CONTROL_MAX_AGE,
        names::EXPOSE_HEADERS => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        names::VARY => header::VARY,
        names::ALLOW_PRIVATE_NETWORK => ALLOW_PRIVATE_NETWORK,
        other => HeaderName::from_static(other),
    }
}

/// The `http` value of an outcome header, without copying: a value from
/// the table is a slice of the shared table bytes, the echoed origin a
/// clone of the request's `Origin` value, fixed text a static value. Only
/// a value the core could not have produced from those is copied.
#[inline]
fn value(table: &Bytes, origin: Option<&HeaderValue>, bytes: &[u8]) -> Option<HeaderValue> {
    if let Some(origin) = origin {
        let line = origin.as_bytes();
        if line.as_ptr() == bytes.as_ptr() && line.len() == bytes.len() {
            return Some(origin.clone());
        }
    }
    if within(table, bytes) {
        return HeaderValue::from_maybe_shared(table.slice_ref(bytes)).ok();
    }
    let fixed = match bytes {
        b"*" => Some(HeaderValue::from_static("*")),
        b"true" => Some(HeaderValue::from_static("true")),
        _ if bytes == vary::ORIGIN => Some(HeaderValue::from_static("Origin")),
        _ if bytes == vary::PREFLIGHT => Some(HeaderValue::from_static(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        )),
        _ if bytes == vary::PREFLIGHT_PRIVATE_NETWORK => Some(HeaderValue::from_static(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, \
             Access-Control-Request-Private-Network",
        )),
        _ => None,
    };
    fixed.or_else(|| HeaderValue::from_bytes(bytes).ok())
}

/// The outcome's headers as `http` names and values. The origin echoed is
/// the request's single `Origin` line (`origin`), when it has one.
#[inline]
pub(crate) fn pending(table: &Bytes, origin: Option<&HeaderValue>, headers: &[Header<'_>]) -> Pending {
    let mut out = Pending::new();
    for header in headers {
        if let Some(value) = value(table, origin, header.value) {
            // At most MAX_HEADERS, as the outcome: the push cannot fail.
            let _ = out.push((name(header.name), value));
        }
    }
    out
}

/// A response header the layer owns: `Access-Control-Allow-*`,
/// `Access-Control-Expose-Headers`, `Access-Control-Max-Age`.
#[inline]
fn owned(name: &HeaderName) -> bool {
    let name = name.as_str();
    name.starts_with("access-control-")
        && (name.starts_with("access-control-allow-")
            || name == "access-control-expose-headers"
            || name == "access-control-max-age")
}

/// Sets the outcome's headers on a response of the inner service: removes
/// every header the layer owns, inserts the outcome's, merges `Vary`.
#[inline]
pub(crate) fn apply(response: &mut HeaderMap, pending: Pending) {
    while let Some(name) = response.keys().find(|name| owned(name)).cloned() {
        response.remove(&name);
    }
    for (name, value) in pending {
        if name == header::VARY {
            merge_vary(response, value);
        } else {
            response.insert(name, value);
        }
    }
}

/// The comma-separated elements of a header value, trimmed, empty ones
/// skipped.
fn elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').filter_map(|element| {
        let element = element.trim_ascii();
        (!element.is_empty()).then_some(element)
    })
}

/// Adds the elements of `added` to the response's `Vary`, one line: an
/// element already there (ASCII case-insensitive) is not repeated, `Vary:
/// *` is left alone.
fn merge_vary(response: &mut HeaderMap, added: HeaderValue) {
    let mut lines = response.get_all(header::VARY).iter();
    let Some(first) = lines.next() else {
        response.insert(header::VARY, added);
        return;
    };
    let several = lines.next().is_some();
    let existing = || response.get_all(header::VARY).iter().flat_map(|line| elements(line.as_bytes()));
    if existing().any(|element| element == b"*") {
        return;
    }
    let present = |name: &[u8]| existing().any(|element| element.eq_ignore_ascii_case(name));
    let missing = elements(added.as_bytes()).any(|name| !present(name));
    if !several && !missing {
        return;
    }
    let mut merged = Vec::with_capacity(first.len() + added.len() + 2);
    for element in existing() {
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(element);
    }
    for name in elements(added.as_bytes()) {
        let already = elements(&merged).any(|element| element.eq_ignore_ascii_case(name));
        if !already {
            if !merged.is_empty() {
                merged.extend_from_slice(b", ");
            }
            merged.extend_from_slice(name);
        }
    }
    // The elements of valid values, joined with ", ": a valid value.
    if let Ok(value) = HeaderValue::from_maybe_shared(Bytes::from(merged)) {
        response.insert(header::VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary_of(lines: &[&'static str], added: &'static str) -> Vec<String> {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append(header::VARY, HeaderValue::from_static(line));
        }
        merge_vary(&mut map, HeaderValue::from_static(added));
        map.get_all(header::VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn vary_is_merged_into_one_line() {
        assert_eq!(vary_of(&[], "Origin"), ["Origin"]);
        assert_eq!(vary_of(&["Accept-Encoding"], "Origin"), ["Accept-Encoding, Origin"]);
        assert_eq!(vary_of(&["origin"], "Origin"), ["origin"]);
        assert_eq!(vary_of(&["A", "B, origin"], "Origin"), ["A, B, origin"]);
        assert_eq!(vary_of(&["*"], "Origin"), ["*"]);
        assert_eq!(vary_of(&["A", "*"], "Origin"), ["A", "*"]);
        assert_eq!(vary_of(&[" , A ,"], "Origin"), ["A, Origin"]);
        assert_eq!(
            vary_of(&["Origin"], "Origin, Access-Control-Request-Method"),
            ["Origin, Access-Control-Request-Method"]
        );
    }

    #[test]
    fn owned_names() {
        for name in [
            "access-control-allow-origin",
            "access-control-allow-private-network",
            "access-control-allow-anything",
            "access-control-expose-headers",
            "access-control-max-age",
        ] {
            assert!(owned(&HeaderName::from_static(name)), "{name}");
        }
        for name in ["access-control-request-method", "vary", "content-type", "access-control"] {
            assert!(!owned(&HeaderName::from_static(name)), "{name}");
        }
    }
}
