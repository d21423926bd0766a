//! Reading a browser's console message about a blocked cross-origin
//! request, for `corsc explain --console`.
//!
//! The wordings are the browsers' own, taken from their sources (never
//! paraphrased; the golden tests in `tests/it/console.rs` hold one real
//! message of each):
//!
//! - Chromium: `third_party/blink/renderer/platform/loader/cors/cors_error_string.cc`
//!   (`GetErrorString`: "Access to KIND at 'URL' [(redirected from 'URL')]
//!   from origin 'ORIGIN' has been blocked by CORS policy: [Response to
//!   preflight request doesn't pass access control check: ]REASON"), with
//!   the reasons of `network::mojom::CorsError`; the network error lines
//!   ("Failed to load resource: net::ERR_FAILED", "GET URL net::ERR_FAILED")
//!   and "Mixed Content: The page at '...' was loaded over HTTPS, but
//!   requested an insecure ..." as Chromium 156 prints them.
//! - Firefox: `dom/locales/en-US/chrome/security/security.properties`, the
//!   `CORS*` keys ("Cross-Origin Request Blocked: The Same Origin Policy
//!   disallows reading the remote resource at URL. (Reason: ...). Status
//!   code: N.") and `BlockMixedActiveContent`.
//! - Safari (WebKit): `Source/WebCore/loader/CrossOriginAccessControl.cpp`
//!   (`passesAccessControlCheck`, `validatePreflightResponse`),
//!   `CrossOriginPreflightResultCache.cpp` (`validateMethodAndHeaders`),
//!   the "Fetch API cannot load URL due to access control checks." line of
//!   `ThreadableLoader.cpp` (`logError`), the "Cross-origin redirection to
//!   URL denied by Cross-Origin Resource Sharing policy: ..." of
//!   `DocumentThreadableLoader.cpp`, and the mixed content line "The page at
//!   X was not allowed to run insecure content from Y."
//!
//! A pasted console usually holds several lines (Chromium's CORS line and
//! its `net::ERR_FAILED` line, Safari's two or three `[Error]` lines); they
//! are read together: the most telling line decides, the others fill in
//! the URL or the origin.

/// The most console text read (a pasted console, not a log file).
pub const MAX_CONSOLE_BYTES: usize = 1 << 20;

/// The most lines of console text looked at.
pub const MAX_CONSOLE_LINES: usize = 10_000;

/// Which browser wrote the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    /// Chrome, Edge, Opera and the other Chromium browsers.
    Chromium,
    /// Firefox.
    Firefox,
    /// Safari and the other WebKit browsers.
    Safari,
}

impl Browser {
    /// The lower-case name used in JSON (`chromium`, `firefox`, `safari`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
            Browser::Safari => "safari",
        }
    }
}

/// What the browser says failed, when the policy can be the cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failed {
    /// No `Access-Control-Allow-Origin` on the response (the origin, or
    /// for a preflight anything the preflight asked for, was denied, or no
    /// policy covers the path).
    NoAllowOrigin,
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch,
    /// The requested method is not in `Access-Control-Allow-Methods`.
    MethodNotAllowed,
    /// A requested header is not in `Access-Control-Allow-Headers`.
    HeaderNotAllowed,
    /// The preflight's status is not 2xx.
    PreflightStatus,
    /// The request carries credentials and the answer does not allow them
    /// (`Access-Control-Allow-Credentials` missing, or a `*` origin).
    Credentials,
    /// The private network preflight got no `Access-Control-Allow-Private-Network: true`.
    PrivateNetwork,
}

impl Failed {
    /// The stable kebab-case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Failed::NoAllowOrigin => "no-allow-origin",
            Failed::AllowOriginMismatch => "allow-origin-mismatch",
            Failed::MethodNotAllowed => "method-not-allowed",
            Failed::HeaderNotAllowed => "header-not-allowed",
            Failed::PreflightStatus => "preflight-status",
            Failed::Credentials => "credentials",
            Failed::PrivateNetwork => "private-network",
        }
    }
}

/// Why a message cannot be answered from the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unattributable {
    /// An `https:` page asked for an `http:` URL: blocked before any request.
    MixedContent,
    /// The request was redirected, or a preflight was answered with a redirect.
    Redirect,
    /// Local (Private) Network Access: a public page reaching a private or
    /// loopback address; decided by the browser and the user's permission.
    LocalNetworkAccess,
    /// The request failed in the network (refused, reset, DNS, TLS, or the
    /// `net::ERR_FAILED` line Chromium adds to every failed request).
    NetworkError,
    /// A scheme without CORS (`file:`, `chrome-extension:` ...).
    Scheme,
    /// The request's mode forbids cross-origin requests (`same-origin`).
    RequestMode,
    /// The response's CORS headers are malformed or duplicated: something
    /// besides the policy writes them (corsc writes one valid value).
    InvalidResponseHeaders,
    /// CORS is disabled in the browser.
    CorsDisabled,
    /// The browser could not add the `Origin` header (Firefox).
    OriginNotAdded,
    /// A CORS message whose reason corsc does not know.
    UnknownReason,
    /// No line is a CORS error.
    NotCors,
}

impl Unattributable {
    /// The stable kebab-case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Unattributable::MixedContent => "mixed-content",
            Unattributable::Redirect => "redirect",
            Unattributable::LocalNetworkAccess => "local-network-access",
            Unattributable::NetworkError => "network-error",
            Unattributable::Scheme => "scheme",
            Unattributable::RequestMode => "request-mode",
            Unattributable::InvalidResponseHeaders => "invalid-response-headers",
            Unattributable::CorsDisabled => "cors-disabled",
            Unattributable::OriginNotAdded => "origin-not-added",
            Unattributable::UnknownReason => "unknown-reason",
            Unattributable::NotCors => "not-cors",
        }
    }

    /// Why the policy is not the cause, and where to look instead.
    pub const fn why(self) -> &'static str {
        match self {
            Unattributable::MixedContent => {
                "mixed content: an https: page asked for an http: URL and the browser blocked it \
                 before sending anything; no CORS policy can allow it. Serve the API over https:"
            }
            Unattributable::Redirect => {
                "a redirect: the request (or its preflight) was answered with a redirect, which \
                 the policy does not decide. Call the final URL directly (a trailing slash, \
                 http: to https:, a login page?); after a cross-origin redirect the browser \
                 sends `Origin: null`"
            }
            Unattributable::LocalNetworkAccess => {
                "Local Network Access: a page reached a more private address space (a public \
                 page calling localhost or a LAN address); the browser decides this with the \
                 user's permission, not with CORS headers"
            }
            Unattributable::NetworkError => {
                "a network error: no usable response reached the browser (connection refused, \
                 DNS, TLS, a crash). Chromium also prints `net::ERR_FAILED` after every CORS \
                 failure: paste the `Access to ... has been blocked by CORS policy` line above \
                 it instead"
            }
            Unattributable::Scheme => {
                "the URL's scheme does not support CORS (a file: page, a custom scheme); serve \
                 the page and the API over http: or https:"
            }
            Unattributable::RequestMode => {
                "the request's mode is `same-origin`: the page itself forbids cross-origin \
                 requests, whatever the server answers"
            }
            Unattributable::InvalidResponseHeaders => {
                "the response's CORS headers are malformed or duplicated: something besides the \
                 policy writes them (two CORS layers, a proxy or the application adding its \
                 own); corsc writes exactly one valid value. Remove the other layer"
            }
            Unattributable::CorsDisabled => {
                "CORS is disabled in this browser (Firefox's content.cors.disable)"
            }
            Unattributable::OriginNotAdded => {
                "the browser could not add the Origin header (an extension or an internal \
                 failure): the request never reached the policy"
            }
            Unattributable::UnknownReason => {
                "a CORS message whose reason corsc does not know; pass the request with \
                 --method, --path, --origin instead"
            }
            Unattributable::NotCors => "not a CORS error message from Chromium, Firefox or Safari",
        }
    }
}

/// What a console message says about the blocked request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// The browser, when a line named it by its wording.
    pub browser: Option<Browser>,
    /// The requested URL.
    pub url: Option<String>,
    /// The page's origin.
    pub origin: Option<String>,
    /// Whether the failure was in the preflight; `None` when the message
    /// does not say.
    pub preflight: Option<bool>,
    /// The method named by the message ("Method PUT is not allowed").
    pub method: Option<String>,
    /// The request header named by the message.
    pub header: Option<String>,
    /// The status code the message gives.
    pub status: Option<String>,
    /// The `Access-Control-Allow-Origin` value the message quotes.
    pub allow_origin: Option<String>,
    /// What failed, when the policy can be the cause.
    pub failed: Option<Failed>,
    /// Why the policy cannot be the cause.
    pub unattributable: Option<Unattributable>,
    /// The line that decided.
    pub line: String,
}

/// Reads a console message (one line or several pasted together).
///
/// Never fails: a text with no CORS line is `unattributable: NotCors`.
pub fn parse(text: &str) -> Message {
    let mut best: Option<(u8, Message)> = None;
    let mut fill = Message::default();
    for raw in text.lines().take(MAX_CONSOLE_LINES) {
        let Some(line) = parse_line(raw.trim()) else {
            continue;
        };
        fill.url = fill.url.or_else(|| line.url.clone());
        fill.origin = fill.origin.or_else(|| line.origin.clone());
        fill.browser = fill.browser.or(line.browser);
        let rank = rank(&line);
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, line));
        }
    }
    let Some((_, mut message)) = best else {
        return Message {
            unattributable: Some(Unattributable::NotCors),
            line: text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_string(),
            ..Message::default()
        };
    };
    message.url = message.url.or(fill.url);
    message.origin = message.origin.or(fill.origin);
    message.browser = message.browser.or(fill.browser);
    message
}

/// How much a line tells: a CORS failure beats a reason outside the policy,
/// which beats a bare network error, which beats a line that only names a URL.
fn rank(message: &Message) -> u8 {
    match (message.failed, message.unattributable) {
        (Some(_), _) => 4,
        (None, Some(Unattributable::NetworkError)) => 2,
        (None, Some(_)) => 3,
        (None, None) => 1,
    }
}

fn parse_line(line: &str) -> Option<Message> {
    // DevTools prefixes: Safari's "[Error] ", Chromium's "index.html:1 " source link.
    let line = line.strip_prefix("[Error]").map_or(line, str::trim_start);
    let line = line.strip_prefix("[blocked]").map_or(line, str::trim_start);
    chromium(line)
        .or_else(|| firefox(line))
        .or_else(|| safari(line))
        .or_else(|| other(line))
}

/// The text between `start` and the first `end` after it, and the rest.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<(&'a str, &'a str)> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    let to = rest.find(end)?;
    Some((&rest[..to], &rest[to + end.len()..]))
}

fn message(browser: Browser, line: &str) -> Message {
    Message {
        browser: Some(browser),
        line: line.to_string(),
        ..Message::default()
    }
}

fn chromium(line: &str) -> Option<Message> {
    const BLOCKED: &str = "' has been blocked by CORS policy: ";
    let start = line.find("Access to ")?;
    let head = &line[start..];
    let (_kind, after) = between(head, "Access to ", " at '")?;
    let (urls, reason) = {
        let end = after.find(BLOCKED)?;
        (&after[..end], &after[end + BLOCKED.len()..])
    };
    let mut m = message(Browser::Chromium, line);
    let (url, origin) = urls.split_once(" from origin '")?;
    m.origin = Some(origin.to_string());
    if let Some((_last, first)) = url.split_once("' (redirected from '") {
        m.url = Some(first.trim_end_matches(['\'', ')']).to_string());
        m.unattributable = Some(Unattributable::Redirect);
        return Some(m);
    }
    let url = url.strip_suffix('\'').unwrap_or(url);
    m.url = Some(url.to_string());
    let reason = match reason
        .strip_prefix("Response to preflight request doesn't pass access control check: ")
    {
        Some(rest) => {
            m.preflight = Some(true);
            rest
        }
        None => reason,
    };
    let quoted =
        |text: &str, start: &str, end: &str| between(text, start, end).map(|(v, _)| v.to_string());
    if reason.starts_with("No 'Access-Control-Allow-Origin' header is present") {
        m.failed = Some(Failed::NoAllowOrigin);
        m.preflight.get_or_insert(false);
    } else if reason.starts_with("The 'Access-Control-Allow-Origin' header has a value '") {
        m.failed = Some(Failed::AllowOriginMismatch);
        m.allow_origin = quoted(reason, "has a value '", "' that is not equal");
        m.preflight.get_or_insert(false);
    } else if reason.starts_with("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*'")
        || reason.starts_with("The value of the 'Access-Control-Allow-Credentials' header")
    {
        m.failed = Some(Failed::Credentials);
        m.preflight.get_or_insert(false);
    } else if reason.starts_with("It does not have HTTP ok status.") {
        m.failed = Some(Failed::PreflightStatus);
    } else if let Some(rest) = reason.strip_prefix("Method ") {
        let (method, _) = rest.split_once(" is not allowed by Access-Control-Allow-Methods")?;
        m.failed = Some(Failed::MethodNotAllowed);
        m.method = Some(method.to_string());
        m.preflight = Some(true);
    } else if let Some(rest) = reason.strip_prefix("Request header field ") {
        let (header, _) = rest.split_once(" is not allowed by Access-Control-Allow-Headers")?;
        m.failed = Some(Failed::HeaderNotAllowed);
        m.header = Some(header.to_string());
        m.preflight = Some(true);
    } else if reason.starts_with("No 'Access-Control-Allow-Private-Network' header")
        || reason.starts_with("The 'Access-Control-Allow-Private-Network' header")
    {
        m.failed = Some(Failed::PrivateNetwork);
        m.preflight = Some(true);
    } else {
        m.unattributable = Some(chromium_unattributable(reason));
    }
    Some(m)
}

fn chromium_unattributable(reason: &str) -> Unattributable {
    const TABLE: &[(&str, Unattributable)] = &[
        (
            "Redirect is not allowed for a preflight request",
            Unattributable::Redirect,
        ),
        ("Redirect location '", Unattributable::Redirect),
        (
            "Cross origin requests are only supported for protocol schemes",
            Unattributable::Scheme,
        ),
        (
            "Cross origin requests are not allowed by request mode",
            Unattributable::RequestMode,
        ),
        (
            "The response is invalid",
            Unattributable::InvalidResponseHeaders,
        ),
        (
            "The 'Access-Control-Allow-Origin' header contains multiple values",
            Unattributable::InvalidResponseHeaders,
        ),
        (
            "The 'Access-Control-Allow-Origin' header contains the invalid value",
            Unattributable::InvalidResponseHeaders,
        ),
        (
            "Cannot parse Access-Control-Allow-",
            Unattributable::InvalidResponseHeaders,
        ),
        (
            "The request client is not a secure context",
            Unattributable::LocalNetworkAccess,
        ),
        (
            "Request had a target IP address space",
            Unattributable::LocalNetworkAccess,
        ),
        (
            "Request had no target IP address space",
            Unattributable::LocalNetworkAccess,
        ),
        (
            "Permission was denied for this request to access the",
            Unattributable::LocalNetworkAccess,
        ),
        (
            "Unable to ask for permission to access the",
            Unattributable::LocalNetworkAccess,
        ),
        (
            "No 'Private-Network-Access-",
            Unattributable::LocalNetworkAccess,
        ),
        (
            "No 'Access-Control-Allow-External' header",
            Unattributable::LocalNetworkAccess,
        ),
        (
            "The 'Access-Control-Allow-External' header",
            Unattributable::LocalNetworkAccess,
        ),
    ];
    TABLE
        .iter()
        .find(|(prefix, _)| reason.starts_with(prefix))
        .map_or(Unattributable::UnknownReason, |(_, kind)| *kind)
}

/// Firefox quotes with ‘ ’ (and “ ” for mixed content); a message retyped
/// by hand has ASCII quotes. Both are read.
fn unquote(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, '‘' | '’' | '\'' | '“' | '”' | '"'))
}

fn firefox(line: &str) -> Option<Message> {
    if let Some(at) = line.find("Blocked loading mixed active content") {
        let mut m = message(Browser::Firefox, line);
        m.url = Some(
            unquote(line[at + "Blocked loading mixed active content".len()..].trim()).to_string(),
        );
        m.unattributable = Some(Unattributable::MixedContent);
        return Some(m);
    }
    let (url, rest) = between(
        line,
        "The Same Origin Policy disallows reading the remote resource at ",
        ". (Reason: ",
    )
    .or_else(|| {
        // CORSAllowHeaderFromPreflightDeprecation, a warning.
        between(
            line,
            "The Same Origin Policy will disallow reading the remote resource at ",
            " soon. (Reason: ",
        )
    })?;
    let mut m = message(Browser::Firefox, line);
    m.url = Some(unquote(url).to_string());
    // The reason ends at the last ")" (a header name may not hold one).
    let (reason, tail) = rest.rsplit_once(')').unwrap_or((rest, ""));
    m.status = status_code(tail);
    let q = |text: &str, start: &str, end: &str| {
        between(text, start, end).map(|(v, _)| unquote(v).to_string())
    };
    let r = reason.replace(['‘', '’'], "'");
    if r.starts_with("CORS header 'Access-Control-Allow-Origin' missing") {
        m.failed = Some(Failed::NoAllowOrigin);
    } else if r.starts_with("CORS header 'Access-Control-Allow-Origin' does not match") {
        m.failed = Some(Failed::AllowOriginMismatch);
        m.allow_origin = q(&r, "does not match '", "'");
    } else if r.starts_with("Credential is not supported if the CORS header")
        || r.starts_with("expected 'true' in CORS header 'Access-Control-Allow-Credentials'")
    {
        m.failed = Some(Failed::Credentials);
    } else if r.starts_with("Did not find method in CORS header 'Access-Control-Allow-Methods'") {
        m.failed = Some(Failed::MethodNotAllowed);
        m.preflight = Some(true);
    } else if r.starts_with("CORS preflight response did not succeed") {
        m.failed = Some(Failed::PreflightStatus);
        m.preflight = Some(true);
    } else if r.starts_with("header '")
        && r.contains("is not allowed according to header 'Access-Control-Allow-Headers'")
    {
        m.failed = Some(Failed::HeaderNotAllowed);
        m.header = q(&r, "header '", "'");
        m.preflight = Some(true);
    } else if r.starts_with("missing token '") && r.contains("'Access-Control-Allow-Headers'") {
        // The older key, CORSMissingAllowHeaderFromPreflight.
        m.failed = Some(Failed::HeaderNotAllowed);
        m.header = q(&r, "missing token '", "'");
        m.preflight = Some(true);
    } else if r.starts_with(
        "When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered",
    ) {
        m.failed = Some(Failed::HeaderNotAllowed);
        m.header = Some("Authorization".to_string());
        m.preflight = Some(true);
    } else {
        const TABLE: &[(&str, Unattributable)] = &[
            ("CORS disabled", Unattributable::CorsDisabled),
            ("CORS request did not succeed", Unattributable::NetworkError),
            (
                "CORS header 'Origin' cannot be added",
                Unattributable::RequestMode,
            ),
            (
                "CORS request external redirect not allowed",
                Unattributable::Redirect,
            ),
            ("CORS request not http", Unattributable::Scheme),
            (
                "Multiple CORS header 'Access-Control-Allow-Origin' not allowed",
                Unattributable::InvalidResponseHeaders,
            ),
            ("invalid token '", Unattributable::InvalidResponseHeaders),
        ];
        m.unattributable = Some(
            TABLE
                .iter()
                .find(|(prefix, _)| r.starts_with(prefix))
                .map_or(Unattributable::UnknownReason, |(_, kind)| *kind),
        );
    }
    Some(m)
}

/// The digits after "Status code: " (Firefox prints "(null)" when there
/// was no response; Safari's "Failed to load resource" line appends "(name,
/// line 0)").
fn status_code(text: &str) -> Option<String> {
    let (_, code) = text.split_once("Status code: ")?;
    let digits: String = code.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

fn safari(line: &str) -> Option<Message> {
    // "Failed to load resource: " repeats the reason of the line before it.
    let line = line
        .strip_prefix("Failed to load resource: ")
        .unwrap_or(line);
    let mut m = message(Browser::Safari, line);
    let status = status_code;
    if let Some(rest) = line.strip_prefix("Origin ") {
        let (origin, tail) = rest.split_once(" is not allowed by Access-Control-Allow-Origin.")?;
        m.origin = Some(origin.to_string());
        m.status = status(tail);
        m.failed = Some(Failed::NoAllowOrigin);
    } else if line.starts_with(
        "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.",
    ) || line.starts_with(
        "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\".",
    ) {
        m.failed = Some(Failed::Credentials);
    } else if line.starts_with("Access-Control-Allow-Origin cannot contain more than one origin.")
        || line.starts_with("Header Access-Control-Allow-Methods has an invalid value")
        || line.starts_with("Header Access-Control-Allow-Headers has an invalid value")
    {
        m.unattributable = Some(Unattributable::InvalidResponseHeaders);
    } else if line.starts_with("Preflight response is not successful.") {
        m.status = status(line);
        m.failed = Some(Failed::PreflightStatus);
        m.preflight = Some(true);
    } else if let Some(rest) = line.strip_prefix("Method ") {
        let (method, _) = rest.split_once(" is not allowed by Access-Control-Allow-Methods.")?;
        m.method = Some(method.to_string());
        m.failed = Some(Failed::MethodNotAllowed);
        m.preflight = Some(true);
    } else if let Some(rest) = line.strip_prefix("Request header field ") {
        let (header, _) = rest.split_once(" is not allowed by Access-Control-Allow-Headers.")?;
        m.header = Some(header.to_string());
        m.failed = Some(Failed::HeaderNotAllowed);
        m.preflight = Some(true);
    } else if let Some((url, _)) = between(
        line,
        "Cross-origin redirection to ",
        " denied by Cross-Origin Resource Sharing policy",
    ) {
        m.url = Some(url.to_string());
        m.unattributable = Some(Unattributable::Redirect);
    } else if let Some((_, rest)) = line
        .split_once(" was not allowed to run insecure content from ")
        .or_else(|| line.split_once(" was not allowed to display insecure content from "))
    {
        m.url = Some(rest.trim_end_matches('.').to_string());
        m.unattributable = Some(Unattributable::MixedContent);
    } else {
        let rest = [
            "Fetch API cannot load ",
            "XMLHttpRequest cannot load ",
            "EventSource cannot load ",
            "Beacon API cannot load ",
        ]
        .iter()
        .find_map(|start| line.find(start).map(|at| &line[at + start.len()..]))?;
        let (url, _) = rest.split_once(" due to access control checks.")?;
        m.url = Some(url.to_string());
    }
    Some(m)
}

/// Lines no browser's CORS wording covers that still say what happened:
/// Chromium's mixed content and network error lines.
fn other(line: &str) -> Option<Message> {
    if let Some((page, rest)) = between(
        line,
        "Mixed Content: The page at '",
        "' was loaded over HTTPS, but requested an insecure ",
    ) {
        let mut m = message(Browser::Chromium, line);
        let _ = page;
        m.url = between(rest, "'", "'").map(|(u, _)| u.to_string());
        m.unattributable = Some(Unattributable::MixedContent);
        return Some(m);
    }
    let at = line.find("net::ERR_")?;
    let mut m = message(Browser::Chromium, line);
    // "GET http://host/path net::ERR_FAILED 200 (OK)" names the URL.
    m.url = line[..at]
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_string);
    m.unattributable = Some(Unattributable::NetworkError);
    Some(m)
}

/// The path and query of an absolute URL (`/` when it has none); `None`
/// when `url` is not `scheme://authority...`.
pub fn path_of(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let rest = rest.split('#').next().unwrap_or("");
    Some(match rest.find(['/', '?']) {
        Some(at) if rest[at..].starts_with('/') => rest[at..].to_string(),
        Some(at) => format!("/{}", &rest[at..]),
        None => "/".to_string(),
    })
}

/// The origin (`scheme://host[:port]`) of an absolute URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Credentials are never part of an origin.
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.to_ascii_lowercase();
    let scheme = scheme.to_ascii_lowercase();
    let host = match (scheme.as_str(), host.rsplit_once(':')) {
        ("http", Some((h, "80"))) | ("https", Some((h, "443")))
            if !h.ends_with(']') || h.starts_with('[') =>
        {
            h.to_string()
        }
        _ => host,
    };
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_origins() {
        assert_eq!(
            path_of("http://a.test:8000/users?x=1#f").as_deref(),
            Some("/users?x=1")
        );
        assert_eq!(path_of("http://a.test").as_deref(), Some("/"));
        assert_eq!(path_of("http://a.test?q").as_deref(), Some("/?q"));
        assert_eq!(path_of("nope"), None);
        assert_eq!(
            origin_of("HTTP://A.test:80/x").as_deref(),
            Some("http://a.test")
        );
        assert_eq!(
            origin_of("https://a.test:8443/x").as_deref(),
            Some("https://a.test:8443")
        );
        assert_eq!(
            origin_of("http://[::1]:80/").as_deref(),
            Some("http://[::1]")
        );
    }

    #[test]
    fn safari_lines_combine() {
        let m = parse(
            "[Error] Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200\n\
             [Error] Fetch API cannot load http://localhost:5001/api due to access control checks.\n\
             [Error] Failed to load resource: Origin http://localhost:3000 is not allowed by Access-Control-Allow-Origin. Status code: 200 (api, line 0)",
        );
        assert_eq!(m.browser, Some(Browser::Safari));
        assert_eq!(m.origin.as_deref(), Some("http://localhost:3000"));
        assert_eq!(m.url.as_deref(), Some("http://localhost:5001/api"));
        assert_eq!(m.failed, Some(Failed::NoAllowOrigin));
        assert_eq!(m.status.as_deref(), Some("200"));
    }

    #[test]
    fn nothing_is_not_cors() {
        assert_eq!(parse("").unattributable, Some(Unattributable::NotCors));
        assert_eq!(
            parse("Uncaught TypeError: x is undefined").unattributable,
            Some(Unattributable::NotCors)
        );
    }
}
