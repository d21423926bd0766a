//! Between `http` and the core: request header values in, outcome headers
//! out, and the response headers the layer owns.
//!
//! Per request, the layer validates and copies no header value: the
//! table's rendered values are `HeaderValue`s built once with the layer
//! ([`Rendered`]), the core's fixed values are constants, and the echoed
//! `Origin` is the request's own value. A response header costs a reference
//! count increment and its insertion into the `HeaderMap`.

use std::borrow::Cow;

use bytes::Bytes;
use cors_match_core::format::{self, policy};
use cors_match_core::outcome::names;
#[cfg(test)]
use cors_match_core::outcome::vary;
use cors_match_core::Header;
use http::header::{self, Entry, HeaderMap, HeaderName, HeaderValue};

use crate::Shared;

/// The outcome's headers, kept in the response future until the response
/// exists: compact (names and values as indices, about a hundred bytes,
/// moved with the future), turned into `http` values by
/// [`Pending::write`] without validating or copying any bytes.
pub(crate) struct Pending {
    items: heapless::Vec<(Name, Value), { cors_match_core::MAX_HEADERS }>,
    /// Whether a value is the request's `Origin` line ([`Value::Origin`]).
    echoes_origin: bool,
    /// Whether a value is the table's ([`Value::Rendered`], [`Value::Table`]).
    uses_table: bool,
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
    /// `Rendered::values[i]`: a table value, built with the layer.
    Rendered(u32),
    /// `start..end` of the table bytes, not among the rendered values (the
    /// core never makes one; validated per request, as a fallback).
    Table(u32, u32),
    /// The request's `Origin` line.
    Origin,
    /// `fixed(i)`.
    Fixed(u8),
    /// [`Pending::spill`].
    Spill,
}

/// The fixed values the core uses, besides the table's, in `Value::Fixed`
/// order.
const FIXED: [&str; 5] = [
    "*",
    "true",
    "Origin",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, \
     Access-Control-Request-Private-Network",
];

/// `FIXED[i]` as a header value. Each arm is a constant, checked at compile
/// time (`from_static` outside a constant checks every byte at run time).
#[inline]
fn fixed(i: u8) -> HeaderValue {
    const STAR: HeaderValue = HeaderValue::from_static(FIXED[0]);
    const TRUE: HeaderValue = HeaderValue::from_static(FIXED[1]);
    const ORIGIN: HeaderValue = HeaderValue::from_static(FIXED[2]);
    const PREFLIGHT: HeaderValue = HeaderValue::from_static(FIXED[3]);
    const PREFLIGHT_PRIVATE_NETWORK: HeaderValue = HeaderValue::from_static(FIXED[4]);
    match i {
        0 => STAR,
        1 => TRUE,
        2 => ORIGIN,
        3 => PREFLIGHT,
        _ => PREFLIGHT_PRIVATE_NETWORK,
    }
}

impl Name {
    /// The name of a core header name: dispatched on its length (and one
    /// byte where two lengths agree), then compared once in full.
    #[inline]
    fn of(core: &'static str) -> Option<Name> {
        let (name, expected) = match core.len() {
            27 => (Name::AllowOrigin, names::ALLOW_ORIGIN),
            32 => (Name::AllowCredentials, names::ALLOW_CREDENTIALS),
            // `access-control-allow-` is 21 bytes: `m`ethods or `h`eaders.
            28 if core.as_bytes()[21] == b'm' => (Name::AllowMethods, names::ALLOW_METHODS),
            28 => (Name::AllowHeaders, names::ALLOW_HEADERS),
            22 => (Name::MaxAge, names::MAX_AGE),
            29 => (Name::ExposeHeaders, names::EXPOSE_HEADERS),
            4 => (Name::Vary, names::VARY),
            36 => (Name::AllowPrivateNetwork, names::ALLOW_PRIVATE_NETWORK),
            _ => return None,
        };
        (core == expected).then_some(name)
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

/// The most distinct table values [`Rendered`] builds ahead (about 3 MiB of
/// `HeaderValue`s); a table with more (hundreds of thousands of policies)
/// has the others checked per request instead.
const MAX_RENDERED: usize = 1 << 16;

/// The header values the table can put in an outcome (each policy's
/// `Access-Control-Allow-Methods`, `-Allow-Headers`, `-Expose-Headers` and
/// `-Max-Age`), as `HeaderValue`s sharing the table's buffer, checked once
/// when the layer is built; sorted by their place in the table.
pub(crate) struct Rendered {
    /// `(start, end, value)`: `value` is `table[start..end]`.
    values: Vec<(u32, u32, HeaderValue)>,
}

impl Rendered {
    /// The rendered values of `table`, a table [`cors_match_core::Table`]
    /// has loaded (a reference it would refuse is skipped, never a panic).
    pub(crate) fn new(table: &Bytes) -> Rendered {
        let bytes: &[u8] = table;
        let mut places = Vec::new();
        let count = format::read_u32(bytes, format::header::POLICY_COUNT).unwrap_or(0);
        let policies = format::read_u32(bytes, format::header::POLICIES_OFFSET).unwrap_or(0);
        let strings = format::read_u32(bytes, format::header::STRINGS_OFFSET)
            .zip(format::read_u32(bytes, format::header::STRINGS_LEN))
            .and_then(|(offset, len)| {
                let offset = offset as usize;
                bytes.get(offset..offset.checked_add(len as usize)?)
            })
            .unwrap_or(&[]);
        for index in 0..count as usize {
            let record = index
                .checked_mul(format::POLICY_LEN)
                .and_then(|at| at.checked_add(policies as usize))
                .and_then(|start| bytes.get(start..start.checked_add(format::POLICY_LEN)?));
            let Some(record) = record else {
                break;
            };
            for field in [
                policy::ALLOW_METHODS,
                policy::ALLOW_HEADERS,
                policy::EXPOSE_HEADERS,
                policy::MAX_AGE,
            ] {
                if let Some(value) = format::read_string(strings, record, field) {
                    if !value.is_empty() {
                        let start = value.as_ptr() as usize - bytes.as_ptr() as usize;
                        // A table is shorter than 4 GiB (its length is a u32).
                        places.push((start as u32, (start + value.len()) as u32));
                    }
                }
            }
        }
        places.sort_unstable();
        places.dedup();
        places.truncate(MAX_RENDERED);
        let values = places
            .into_iter()
            .filter_map(|(start, end)| {
                let value = table.slice(start as usize..end as usize);
                Some((start, end, HeaderValue::from_maybe_shared(value).ok()?))
            })
            .collect();
        Rendered { values }
    }

    /// The index of the value at `start..end` of the table, if rendered.
    #[inline]
    fn find(&self, start: u32, end: u32) -> Option<u32> {
        let i = self
            .values
            .binary_search_by(|&(s, e, _)| (s, e).cmp(&(start, end)))
            .ok()?;
        // At most MAX_RENDERED values.
        Some(i as u32)
    }

    /// The value [`Rendered::find`] found.
    #[inline]
    fn get(&self, i: u32) -> Option<HeaderValue> {
        self.values
            .get(i as usize)
            .map(|(_, _, value)| value.clone())
    }

    /// The number of values.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

impl Pending {
    /// The outcome's `headers`; `shared` holds the table the outcome came
    /// from, `origin` is the request's single `Origin` line, if it has one.
    #[inline]
    pub(crate) fn new(
        shared: &Shared,
        origin: Option<&HeaderValue>,
        headers: &[Header<'_>],
    ) -> Pending {
        let table: &[u8] = shared.bytes();
        let mut pending = Pending {
            items: heapless::Vec::new(),
            echoes_origin: false,
            uses_table: false,
            spill: None,
        };
        for header in headers {
            let Some(name) = Name::of(header.name) else {
                continue;
            };
            let bytes = header.value;
            let value = if origin.is_some_and(|line| {
                line.as_bytes().as_ptr() == bytes.as_ptr() && line.len() == bytes.len()
            }) {
                pending.echoes_origin = true;
                Value::Origin
            } else if within(table, bytes) {
                let start = bytes.as_ptr() as usize - table.as_ptr() as usize;
                // A table is shorter than 4 GiB (its length is a u32).
                let (start, end) = (start as u32, (start + bytes.len()) as u32);
                pending.uses_table = true;
                match shared.rendered().find(start, end) {
                    Some(i) => Value::Rendered(i),
                    None => Value::Table(start, end),
                }
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

    /// Whether a header's value is the request's `Origin` line, which
    /// [`Pending::write`] then needs.
    #[inline]
    pub(crate) fn echoes_origin(&self) -> bool {
        self.echoes_origin
    }

    /// Whether a value is the table's, so that [`Pending::write`] needs the
    /// [`Shared`] the outcome came from.
    #[inline]
    pub(crate) fn uses_table(&self) -> bool {
        self.uses_table
    }

    /// Hands the headers to `put` as `http` names and values, in the
    /// outcome's order: a table value is one of `shared`'s rendered values
    /// (or a zero-copy slice of its table), the echoed origin is `origin`
    /// (the request's line, which [`Pending::new`] was given). `shared` is
    /// needed only when [`Pending::uses_table`] (a table value is skipped
    /// without it). A plain loop over the compact items, so that it all
    /// inlines into the caller.
    #[inline]
    pub(crate) fn write(
        self,
        shared: Option<&Shared>,
        mut origin: Option<HeaderValue>,
        mut put: impl FnMut(HeaderName, HeaderValue),
    ) {
        let mut spill = self.spill;
        for &(name, value) in self.items.iter() {
            let value = match value {
                Value::Rendered(i) => shared.and_then(|shared| shared.rendered().get(i)),
                Value::Table(start, end) => {
                    shared.and_then(|shared| table_value(shared.bytes(), start, end))
                }
                Value::Origin => origin.take(),
                Value::Fixed(i) => Some(fixed(i)),
                Value::Spill => spill.take(),
            };
            if let Some(value) = value {
                put(name.header(), value);
            }
        }
    }
}

/// `table[start..end]` as a header value (shared, not copied), checked: the
/// fallback for a table value [`Rendered`] does not hold.
#[cold]
fn table_value(table: &Bytes, start: u32, end: u32) -> Option<HeaderValue> {
    HeaderValue::from_maybe_shared(table.slice(start as usize..end as usize)).ok()
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
/// `origin` is the request's `Origin` line when the outcome echoes it.
#[inline]
pub(crate) fn apply(
    response: &mut HeaderMap,
    pending: Pending,
    shared: Option<&Shared>,
    origin: Option<HeaderValue>,
) {
    if !response.is_empty() {
        remove_owned(response);
    }
    pending.write(shared, origin, |name, value| {
        if name == header::VARY {
            merge_vary(response, value);
        } else {
            response.insert(name, value);
        }
    });
}

/// Removes every header the layer owns from a response of the inner
/// service: one pass over the names, and a removal only for one that is.
#[cold]
fn remove_owned(response: &mut HeaderMap) {
    while let Some(name) = response.keys().find(|name| owned(name)).cloned() {
        response.remove(&name);
    }
}

/// The headers of a preflight's answer, in `map`: the request's own header
/// map, emptied (its storage reused, so that the answer allocates nothing
/// when the request had as many headers), after the request's `Origin`
/// line is taken out of it when the outcome echoes it.
#[inline]
pub(crate) fn answer(mut map: HeaderMap, pending: Pending, shared: &Shared) -> HeaderMap {
    /// What the `Origin` line taken out leaves in the map (about to be
    /// emptied).
    const TAKEN: HeaderValue = HeaderValue::from_static("");
    let origin = if pending.echoes_origin() {
        map.get_mut(header::ORIGIN)
            .map(|line| std::mem::replace(line, TAKEN))
    } else {
        None
    };
    map.clear();
    map.reserve(pending.len());
    pending.write(Some(shared), origin, |name, value| {
        map.insert(name, value);
    });
    map
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
    // The usual case, no `Vary` yet: one lookup, the value inserted.
    let added = match response.entry(header::VARY) {
        Entry::Vacant(entry) => {
            entry.insert(added);
            return;
        }
        Entry::Occupied(_) => added,
    };
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
    fn every_core_name_is_known() {
        let all = [
            (names::ALLOW_ORIGIN, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            (
                names::ALLOW_CREDENTIALS,
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            ),
            (names::ALLOW_METHODS, header::ACCESS_CONTROL_ALLOW_METHODS),
            (names::ALLOW_HEADERS, header::ACCESS_CONTROL_ALLOW_HEADERS),
            (names::MAX_AGE, header::ACCESS_CONTROL_MAX_AGE),
            (names::EXPOSE_HEADERS, header::ACCESS_CONTROL_EXPOSE_HEADERS),
            (names::VARY, header::VARY),
            (names::ALLOW_PRIVATE_NETWORK, ALLOW_PRIVATE_NETWORK),
        ];
        for (core, http) in all {
            assert_eq!(Name::of(core).map(Name::header), Some(http), "{core}");
        }
        for other in [
            "",
            "vare",
            "access-control-allow-xethods",
            "access-control-allow-origiN",
            "content-type",
        ] {
            assert!(Name::of(other).is_none(), "{other}");
        }
    }

    #[test]
    fn fixed_values_are_constants_of_the_same_bytes() {
        for (i, text) in FIXED.iter().enumerate() {
            assert_eq!(fixed(i as u8).as_bytes(), text.as_bytes());
        }
    }

    /// Every table value an outcome carries is one built with the layer:
    /// none is checked per request.
    #[cfg(feature = "compile")]
    #[test]
    fn table_values_are_rendered_ahead() {
        use cors_match_core::Request;
        let source = "policy api { paths /api/; origins https://a.test; methods GET PUT; \
             allow-headers content-type; expose-headers x-id; max-age 10m; } \
             policy same { paths /same/; origins https://a.test; methods GET PUT; }";
        let table = cors_policy_lang::compile(source).unwrap().table;
        let shared = Shared::new(table, None).unwrap();
        // api's methods, headers, expose, max-age; same's methods (the
        // same text: one place if the compiler shares it).
        assert!((4..=5).contains(&shared.rendered().len()));
        let origin = HeaderValue::from_static("https://a.test");
        let mut rendered = 0;
        for (method, path, request_method) in [
            ("OPTIONS", "/api/x", Some(&b"PUT"[..])),
            ("GET", "/api/x", None),
            ("OPTIONS", "/same/x", Some(&b"PUT"[..])),
        ] {
            let mut request = Request::new(method.as_bytes(), path.as_bytes());
            request.origin = Some(origin.as_bytes());
            request.request_method = request_method;
            let outcome = shared.table().eval(&request);
            let pending = Pending::new(&shared, Some(&origin), &outcome.headers);
            assert!(pending.echoes_origin());
            for (_, value) in &pending.items {
                assert!(
                    !matches!(value, Value::Table(..) | Value::Spill),
                    "{value:?}"
                );
                rendered += usize::from(matches!(value, Value::Rendered(_)));
            }
            let mut written = Vec::new();
            assert_eq!(
                pending.uses_table(),
                method == "OPTIONS" || path == "/api/x"
            );
            pending.write(Some(&shared), Some(origin.clone()), |name, value| {
                written.push((name, value))
            });
            let expected: Vec<_> = outcome
                .headers
                .iter()
                .map(|h| (h.name, h.value.to_vec()))
                .collect();
            let written: Vec<_> = written
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes().to_vec()))
                .collect();
            assert_eq!(written.len(), expected.len());
            for ((n, v), (en, ev)) in written.iter().zip(&expected) {
                assert_eq!((*n, v), (*en, ev));
            }
        }
        // api preflight: methods, headers, max-age; api GET: expose;
        // same preflight: methods.
        assert_eq!(rendered, 5);
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
