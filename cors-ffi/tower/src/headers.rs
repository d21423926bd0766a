//! Between `http` and the core: request header values in, outcome headers
//! out, and the response headers the layer owns.

use std::borrow::Cow;

use bytes::Bytes;
use cors_match_core::outcome::names;
#[cfg(test)]
use cors_match_core::outcome::vary;
use cors_match_core::Header;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// The outcome's headers, kept in the response future until the response
/// exists: compact (names and values as indices and table ranges, about
/// a hundred bytes, moved with the future), turned into `http` values by
/// [`Pending::into_headers`] without copying any bytes.
pub(crate) struct Pending {
    items: heapless::Vec<(Name, Value), { cors_match_core::MAX_HEADERS }>,
    /// The request's `Origin` line, when the outcome echoes it.
    origin: Option<HeaderValue>,
    /// A value from none of the known places, copied (the core never makes
    /// one; kept so that a future core's value is not lost).
    spill: Option<HeaderValue>,
}

/// An outcome header name.
#[derive(Clone, Copy, Debug)]
enum Name {
    AllowOrigin,
    AllowCredentials,
    AllowMethods,
    AllowHeaders,
    MaxAge,
    ExposeHeaders,
    Vary,
    AllowPrivateNetwork,
}

/// Where an outcome header value lives.
#[derive(Clone, Copy, Debug)]
enum Value {
    /// `start..end` of the table bytes.
    Table(u32, u32),
    /// The request's `Origin` line.
    Origin,
    /// `FIXED[i]`.
    Fixed(u8),
    /// [`Pending::spill`].
    Spill,
}

/// The fixed values the core uses, besides the table's.
const FIXED: [&str; 5] = [
    "*",
    "true",
    "Origin",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, \
     Access-Control-Request-Private-Network",
];

impl Name {
    fn of(core: &'static str) -> Option<Name> {
        Some(match core {
            names::ALLOW_ORIGIN => Name::AllowOrigin,
            names::ALLOW_CREDENTIALS => Name::AllowCredentials,
            names::ALLOW_METHODS => Name::AllowMethods,
            names::ALLOW_HEADERS => Name::AllowHeaders,
            names::MAX_AGE => Name::MaxAge,
            names::EXPOSE_HEADERS => Name::ExposeHeaders,
            names::VARY => Name::Vary,
            names::ALLOW_PRIVATE_NETWORK => Name::AllowPrivateNetwork,
            _ => return None,
        })
    }

    fn header(self) -> HeaderName {
        match self {
            Name::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
            Name::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            Name::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
            Name::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
            Name::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
            Name::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
            Name::Vary => header::VARY,
            Name::AllowPrivateNetwork => ALLOW_PRIVATE_NETWORK,
        }
    }
}

const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

impl Pending {
    /// The outcome's `headers`; `table` is the table the outcome came from,
    /// `origin` the request's single `Origin` line, if it has one.
    #[inline]
    pub(crate) fn new(
        table: &[u8],
        origin: Option<&HeaderValue>,
        headers: &[Header<'_>],
    ) -> Pending {
        let mut pending = Pending {
            items: heapless::Vec::new(),
            origin: None,
            spill: None,
        };
        for header in headers {
            let Some(name) = Name::of(header.name) else {
                continue;
            };
            let bytes = header.value;
            let value = if let Some(line) = origin.filter(|line| {
                line.as_bytes().as_ptr() == bytes.as_ptr() && line.len() == bytes.len()
            }) {
                pending.origin = Some(line.clone());
                Value::Origin
            } else if within(table, bytes) {
                let start = bytes.as_ptr() as usize - table.as_ptr() as usize;
                // A table is shorter than 4 GiB (its length is a u32).
                Value::Table(start as u32, (start + bytes.len()) as u32)
            } else if let Some(i) = FIXED.iter().position(|fixed| fixed.as_bytes() == bytes) {
                Value::Fixed(i as u8)
            } else if pending.spill.is_none() {
                match HeaderValue::from_bytes(bytes) {
                    Ok(value) => pending.spill = Some(value),
                    Err(_) => continue,
                }
                Value::Spill
            } else {
                continue;
            };
            // At most MAX_HEADERS, as the outcome: the push cannot fail.
            let _ = pending.items.push((name, value));
        }
        pending
    }

    /// The number of headers.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The headers as `http` names and values, in the outcome's order: a
    /// table value is a zero-copy slice of `table` (the same bytes as
    /// [`Pending::new`]'s), the echoed origin the request's value.
    #[inline]
    pub(crate) fn into_headers(
        self,
        table: &Bytes,
    ) -> impl Iterator<Item = (HeaderName, HeaderValue)> + '_ {
        let Pending {
            items,
            mut origin,
            mut spill,
        } = self;
        items.into_iter().filter_map(move |(name, value)| {
            let value = match value {
                Value::Table(start, end) => {
                    HeaderValue::from_maybe_shared(table.slice(start as usize..end as usize))
                        .ok()?
                }
                Value::Origin => origin.take()?,
                Value::Fixed(i) => HeaderValue::from_static(FIXED[usize::from(i)]),
                Value::Spill => spill.take()?,
            };
            Some((name.header(), value))
        })
    }
}

/// The lines of one request header: the first, and whether there are more.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Lines<'a> {
    first: Option<&'a HeaderValue>,
    several: bool,
}

impl<'a> Lines<'a> {
    fn add(&mut self, line: &'a HeaderValue) {
        if self.first.is_none() {
            self.first = Some(line);
        } else {
            self.several = true;
        }
    }

    /// The value the core reads: the one line, or every line of `name`
    /// joined with `,`.
    #[inline]
    pub(crate) fn value(&self, headers: &'a HeaderMap, name: &HeaderName) -> Option<Cow<'a, [u8]>> {
        match self.first {
            None => None,
            Some(line) if !self.several => Some(Cow::Borrowed(line.as_bytes())),
            Some(_) => joined(headers, name),
        }
    }

    /// The line, when there is exactly one.
    #[inline]
    pub(crate) fn single(&self) -> Option<&'a HeaderValue> {
        self.first.filter(|_| !self.several)
    }
}

/// The request headers the core reads, found in one pass over the
/// request's lines (no hashing).
#[derive(Debug, Default)]
pub(crate) struct RequestLines<'a> {
    pub(crate) origin: Lines<'a>,
    pub(crate) request_method: Lines<'a>,
    pub(crate) request_headers: Lines<'a>,
    pub(crate) private_network: Lines<'a>,
}

/// `Access-Control-Request-Private-Network`.
pub(crate) const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

impl<'a> RequestLines<'a> {
    #[inline]
    pub(crate) fn read(headers: &'a HeaderMap) -> RequestLines<'a> {
        let mut lines = RequestLines::default();
        for (name, line) in headers {
            if *name == header::ORIGIN {
                lines.origin.add(line);
            } else if *name == header::ACCESS_CONTROL_REQUEST_METHOD {
                lines.request_method.add(line);
            } else if *name == header::ACCESS_CONTROL_REQUEST_HEADERS {
                lines.request_headers.add(line);
            } else if *name == REQUEST_PRIVATE_NETWORK {
                lines.private_network.add(line);
            }
        }
        lines
    }
}

/// The value of a request header: the line itself, or every line joined
/// with `,` (allocating only then), as the other hosts join them; `None`
/// when absent.
#[cold]
fn joined<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<Cow<'a, [u8]>> {
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
pub(crate) fn apply(response: &mut HeaderMap, pending: Pending, table: &Bytes) {
    while let Some(name) = response.keys().find(|name| owned(name)).cloned() {
        response.remove(&name);
    }
    for (name, value) in pending.into_headers(table) {
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
    let existing = || {
        response
            .get_all(header::VARY)
            .iter()
            .flat_map(|line| elements(line.as_bytes()))
    };
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
        assert_eq!(
            vary_of(&["Accept-Encoding"], "Origin"),
            ["Accept-Encoding, Origin"]
        );
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
    fn fixed_values_are_the_cores() {
        assert_eq!(FIXED[2].as_bytes(), vary::ORIGIN);
        assert_eq!(FIXED[3].as_bytes(), vary::PREFLIGHT);
        assert_eq!(FIXED[4].as_bytes(), vary::PREFLIGHT_PRIVATE_NETWORK);
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
        for name in [
            "access-control-request-method",
            "vary",
            "content-type",
            "access-control",
        ] {
            assert!(!owned(&HeaderName::from_static(name)), "{name}");
        }
    }
}
