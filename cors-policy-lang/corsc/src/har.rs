//! Reading the cross-origin requests of a HAR 1.2 file (DevTools "Save all
//! as HAR with content", Playwright's `recordHar`), for `corsc explain --har`.
//!
//! A request is cross-origin when its origin is not the origin of its URL:
//! the `Origin` header it carries, or, when the HAR holds only the
//! provisional headers of a request that failed (Chromium records no
//! `Origin` then, and no status: -1), the origin of its page (the document
//! entry of its `pageref`, else its `Referer`). Without an `Origin` header
//! only fetch, XHR and EventSource requests count (`_resourceType`, which
//! Chromium and Playwright record), as images and scripts load without CORS;
//! and the target of a cross-origin redirect to another origin is sent with
//! `Origin: null` (Fetch's tainted origin). An `OPTIONS` request with
//! `Access-Control-Request-Method` is a preflight; it is paired with the
//! first later request to the same URL, from the same origin, with that
//! method. Browsers do not always record preflights (Chromium's DevTools
//! and Playwright's HAR often hold only the actual request); an actual
//! request that needed one (a method other than GET, HEAD, POST, or a
//! header the page set that is not CORS-safelisted) without a recorded
//! preflight gets an inferred one, built as the browser builds it.

use std::fmt;

use serde_json::Value;

/// The most entries read from one HAR file.
pub const MAX_ENTRIES: usize = 10_000;

/// The most headers read from one request.
pub const MAX_HEADERS: usize = 1_000;

/// A HAR file that cannot be read: what is wrong, and where (a JSON path
/// such as `log.entries[3].request.url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarError {
    /// Where in the document (`$` for the whole document).
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for HarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for HarError {}

/// How a request of the report relates to the browser's exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A recorded preflight (`OPTIONS` with `Access-Control-Request-Method`).
    Preflight,
    /// The preflight the browser sent (or would have) before an actual
    /// request that needed one, when the HAR does not hold it.
    InferredPreflight,
    /// A cross-origin request that is not a preflight.
    Actual,
}

impl Kind {
    /// The kebab-case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Preflight => "preflight",
            Kind::InferredPreflight => "inferred-preflight",
            Kind::Actual => "actual",
        }
    }
}

/// One cross-origin request of the HAR, ready to be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarRequest {
    /// The index of its entry in `log.entries`.
    pub entry: usize,
    /// Preflight, inferred preflight or actual request.
    pub kind: Kind,
    /// For a preflight, the entry of its actual request; for an actual
    /// request, the entry of its preflight.
    pub paired_with: Option<usize>,
    /// The request method (`OPTIONS` for a preflight).
    pub method: String,
    /// The URL as recorded.
    pub url: String,
    /// Its path and query.
    pub path: String,
    /// The `Origin` header, or the page's origin when the HAR has none.
    pub origin: String,
    /// Where `origin` comes from: `header`, `page`, `referer`, or
    /// `redirect` (`null`, after a cross-origin redirect).
    pub origin_from: &'static str,
    /// `Access-Control-Request-Method`.
    pub request_method: Option<String>,
    /// `Access-Control-Request-Headers`.
    pub request_headers: Option<String>,
    /// `Access-Control-Request-Private-Network`.
    pub request_private_network: Option<String>,
    /// The status the browser recorded (0 or -1 when it got no usable
    /// response).
    pub status: Option<i64>,
    /// Why the browser failed the request (`response._failureText`).
    pub failure: Option<String>,
}

struct Entry {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    status: Option<i64>,
    failure: Option<String>,
    pageref: Option<String>,
    resource_type: Option<String>,
    redirect_url: Option<String>,
}

impl Entry {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn error(path: &str, message: impl Into<String>) -> HarError {
    HarError {
        path: path.to_string(),
        message: message.into(),
    }
}

fn field<'a>(value: &'a Value, path: &str, name: &str) -> Result<&'a Value, HarError> {
    value
        .get(name)
        .ok_or_else(|| error(path, format!("missing `{name}`")))
}

fn string(value: &Value, path: &str) -> Result<String, HarError> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| error(path, "expected a string"))
}

fn array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, HarError> {
    value
        .as_array()
        .ok_or_else(|| error(path, "expected an array"))
}

fn entry(value: &Value, path: &str) -> Result<Entry, HarError> {
    let request_path = format!("{path}.request");
    let request = field(value, path, "request")?;
    let method = string(
        field(request, &request_path, "method")?,
        &format!("{request_path}.method"),
    )?;
    let url = string(
        field(request, &request_path, "url")?,
        &format!("{request_path}.url"),
    )?;
    let headers_path = format!("{request_path}.headers");
    let list = array(field(request, &request_path, "headers")?, &headers_path)?;
    if list.len() > MAX_HEADERS {
        return Err(error(
            &headers_path,
            format!("more than {MAX_HEADERS} headers"),
        ));
    }
    let mut headers = Vec::with_capacity(list.len());
    for (i, header) in list.iter().enumerate() {
        let at = format!("{headers_path}[{i}]");
        let name = string(field(header, &at, "name")?, &format!("{at}.name"))?;
        let value = string(field(header, &at, "value")?, &format!("{at}.value"))?;
        headers.push((name, value));
    }
    let response = value.get("response");
    let status = response
        .and_then(|r| r.get("status"))
        .and_then(Value::as_i64);
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    Ok(Entry {
        method,
        url,
        headers,
        status,
        failure: text(response.and_then(|r| r.get("_failureText"))).filter(|t| !t.is_empty()),
        pageref: text(value.get("pageref")),
        redirect_url: text(response.and_then(|r| r.get("redirectURL"))).filter(|u| !u.is_empty()),
        resource_type: text(value.get("_resourceType")),
    })
}

/// The cross-origin requests of a HAR document, in the order of its
/// entries (an inferred preflight just before its actual request).
///
/// # Errors
///
/// When `text` is not JSON, not HAR (`log.entries` missing or not an
/// array, an entry without a request method, URL or headers), or holds more
/// than [`MAX_ENTRIES`] entries.
pub fn requests(text: &str) -> Result<Vec<HarRequest>, HarError> {
    let document: Value = serde_json::from_str(text).map_err(|e| {
        error(
            "$",
            format!(
                "not JSON: {} at line {} column {}",
                e.to_string().split(" at line").next().unwrap_or(""),
                e.line(),
                e.column()
            ),
        )
    })?;
    let log = field(&document, "$", "log")?;
    let list = array(field(log, "log", "entries")?, "log.entries")?;
    if list.len() > MAX_ENTRIES {
        return Err(error(
            "log.entries",
            format!(
                "{} entries; at most {MAX_ENTRIES} are read (export fewer requests)",
                list.len()
            ),
        ));
    }
    let entries = list
        .iter()
        .enumerate()
        .map(|(i, value)| entry(value, &format!("log.entries[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;

    // The origin of each page: its first document entry.
    let mut pages: Vec<(&str, String)> = Vec::new();
    for e in &entries {
        if let (Some(page), Some("document")) = (&e.pageref, e.resource_type.as_deref()) {
            if !pages.iter().any(|(p, _)| p == page) {
                if let Some(origin) = crate::console::origin_of(&e.url) {
                    pages.push((page, origin));
                }
            }
        }
    }
    let origin_of = |e: &Entry| -> Option<(String, &'static str)> {
        if let Some(origin) = e.header("origin") {
            return Some((origin.to_string(), "header"));
        }
        if !matches!(
            e.resource_type.as_deref(),
            Some("fetch" | "xhr" | "eventsource")
        ) {
            return None;
        }
        let page = e.pageref.as_deref().and_then(|page| {
            pages
                .iter()
                .find(|(p, _)| *p == page)
                .map(|(_, o)| o.clone())
        });
        match page {
            Some(origin) => Some((origin, "page")),
            None => Some((crate::console::origin_of(e.header("referer")?)?, "referer")),
        }
    };
    let cross_origin = |e: &Entry| -> Option<(String, &'static str)> {
        let (origin, from) = origin_of(e)?;
        let own = crate::console::origin_of(&e.url)?;
        (!origin.eq_ignore_ascii_case(&own)).then_some((origin, from))
    };
    // Once per entry: pairing compares every preflight with later entries.
    let mut origins: Vec<Option<(String, &'static str)>> = Vec::with_capacity(entries.len());
    for (j, e) in entries.iter().enumerate() {
        // Fetch's tainted origin: a cross-origin request redirected to yet
        // another origin goes on with `Origin: null`.
        let redirected = e.header("origin").is_none()
            && (0..j).rev().any(|i| {
                entries[i].redirect_url.as_deref() == Some(e.url.as_str())
                    && origins[i].is_some()
                    && crate::console::origin_of(&entries[i].url)
                        != crate::console::origin_of(&e.url)
            });
        origins.push(if redirected {
            Some(("null".to_string(), "redirect"))
        } else {
            cross_origin(e)
        });
    }
    // Pair each preflight with the first later actual request it allowed.
    let mut pair: Vec<Option<usize>> = vec![None; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let (Some((origin, _)), Some(method)) =
            (&origins[i], e.header("access-control-request-method"))
        else {
            continue;
        };
        if e.method != "OPTIONS" {
            continue;
        }
        if let Some(j) = (i + 1..entries.len()).find(|&j| {
            pair[j].is_none()
                && entries[j].method == method
                && entries[j].url == e.url
                && origins[j].as_ref().is_some_and(|(o, _)| o == origin)
        }) {
            pair[i] = Some(j);
            pair[j] = Some(i);
        }
    }

    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let Some((origin, origin_from)) = origins[i].clone() else {
            continue;
        };
        let path = crate::console::path_of(&e.url).unwrap_or_else(|| "/".to_string());
        let preflight =
            e.method == "OPTIONS" && e.header("access-control-request-method").is_some();
        let request = |kind, method: &str, request_method, request_headers| HarRequest {
            entry: i,
            kind,
            paired_with: pair[i],
            method: method.to_string(),
            url: e.url.clone(),
            path: path.clone(),
            origin: origin.clone(),
            origin_from,
            request_method,
            request_headers,
            request_private_network: e
                .header("access-control-request-private-network")
                .map(str::to_string),
            status: e.status,
            failure: e.failure.clone(),
        };
        if preflight {
            out.push(request(
                Kind::Preflight,
                &e.method,
                e.header("access-control-request-method")
                    .map(str::to_string),
                e.header("access-control-request-headers")
                    .map(str::to_string),
            ));
            continue;
        }
        if pair[i].is_none() {
            if let Some(headers) = needs_preflight(e) {
                let mut inferred = request(
                    Kind::InferredPreflight,
                    "OPTIONS",
                    Some(e.method.clone()),
                    (!headers.is_empty()).then_some(headers),
                );
                inferred.status = None;
                inferred.failure = None;
                inferred.request_private_network = None;
                out.push(inferred);
            }
        }
        out.push(request(Kind::Actual, &e.method, None, None));
    }
    Ok(out)
}

/// Headers the browser or the network stack set, never the page: they
/// never cause a preflight (Fetch's forbidden request headers, and what
/// Chromium and DevTools add).
fn set_by_browser(name: &str) -> bool {
    const ADDED_BY_CHROMIUM: &[&str] = &[
        "user-agent",
        "priority",
        "cache-control",
        "pragma",
        "upgrade-insecure-requests",
    ];
    let lower = name.to_ascii_lowercase();
    lower.starts_with(':')
        || cors_policy_lang::validate::is_forbidden_request_header(&lower)
        || ADDED_BY_CHROMIUM.contains(&lower.as_str())
}

/// A header the page may set without a preflight (Fetch's CORS-safelisted
/// request headers, values checked as Fetch checks them, simply).
fn safelisted(name: &str, value: &str) -> bool {
    match name.to_ascii_lowercase().as_str() {
        "accept" | "accept-language" | "content-language" => value.len() <= 128,
        "content-type" => {
            let essence = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            matches!(
                essence.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            )
        }
        _ => false,
    }
}

/// The `Access-Control-Request-Headers` of the preflight this request
/// needed (possibly empty), or `None` when it needed none.
fn needs_preflight(e: &Entry) -> Option<String> {
    let mut names: Vec<String> = e
        .headers
        .iter()
        .filter(|(n, v)| !set_by_browser(n) && !safelisted(n, v))
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let simple = matches!(e.method.as_str(), "GET" | "HEAD" | "POST");
    (!simple || !names.is_empty()).then(|| names.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn har(entries: &str) -> String {
        format!(r#"{{"log":{{"version":"1.2","entries":[{entries}]}}}}"#)
    }

    fn entry(method: &str, url: &str, headers: &[(&str, &str)], status: i64) -> String {
        let headers: Vec<String> = headers
            .iter()
            .map(|(n, v)| format!(r#"{{"name":"{n}","value":"{v}"}}"#))
            .collect();
        format!(
            r#"{{"request":{{"method":"{method}","url":"{url}","headers":[{}]}},"response":{{"status":{status}}}}}"#,
            headers.join(",")
        )
    }

    #[test]
    fn pairs_preflights_and_skips_same_origin() {
        let text = har(&[
            entry("GET", "http://a.test/", &[], 200),
            entry(
                "OPTIONS",
                "http://api.test/x",
                &[
                    ("Origin", "http://a.test"),
                    ("Access-Control-Request-Method", "PUT"),
                ],
                204,
            ),
            entry(
                "PUT",
                "http://api.test/x",
                &[("Origin", "http://a.test")],
                200,
            ),
            entry(
                "POST",
                "http://api.test/x",
                &[("Origin", "http://api.test")],
                200,
            ),
        ]
        .join(","));
        let got = requests(&text).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].kind, got[0].paired_with),
            (Kind::Preflight, Some(2))
        );
        assert_eq!((got[1].kind, got[1].paired_with), (Kind::Actual, Some(1)));
    }

    #[test]
    fn infers_a_missing_preflight() {
        let text = har(&entry(
            "GET",
            "http://api.test/x?q=1",
            &[
                ("Origin", "http://a.test"),
                ("X-Api-Key", "k"),
                ("Content-Type", "text/plain"),
                ("sec-ch-ua", "x"),
            ],
            0,
        ));
        let got = requests(&text).unwrap();
        assert_eq!(got[0].kind, Kind::InferredPreflight);
        assert_eq!(got[0].request_method.as_deref(), Some("GET"));
        assert_eq!(got[0].request_headers.as_deref(), Some("x-api-key"));
        assert_eq!(got[0].path, "/x?q=1");
        assert_eq!(got[1].kind, Kind::Actual);
    }

    #[test]
    fn errors_name_the_json_path() {
        assert_eq!(requests("[").unwrap_err().path, "$");
        assert_eq!(requests("{}").unwrap_err().to_string(), "$: missing `log`");
        let bad = har(r#"{"request":{"method":"GET","url":7,"headers":[]}}"#);
        assert_eq!(
            requests(&bad).unwrap_err().to_string(),
            "log.entries[0].request.url: expected a string"
        );
    }
}
