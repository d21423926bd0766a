//! What eval answers: a decision, a reason, a status and response headers.

use core::fmt;

/// The most response headers any outcome carries (an allowed preflight:
/// origin, credentials, methods, headers, max-age, private network, vary).
pub const MAX_HEADERS: usize = 7;

/// What the host should do with the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Not a CORS request, or no policy covers the path: serve it normally
    /// (adding any headers the outcome still carries, such as `Vary`).
    Pass,
    /// A CORS request the policy allows: serve it and add the headers.
    ActualAllowed,
    /// A CORS request the policy denies: serve it without CORS headers (the
    /// browser withholds the response from the page); add the headers (`Vary`).
    ActualDenied,
    /// A preflight the policy allows: answer it with the status and headers.
    PreflightAllowed,
    /// A preflight the policy denies: answer it with the status (403) and headers.
    PreflightDenied,
}

impl Decision {
    /// Every decision, in declaration order.
    pub const ALL: [Decision; 5] = [
        Decision::Pass,
        Decision::ActualAllowed,
        Decision::ActualDenied,
        Decision::PreflightAllowed,
        Decision::PreflightDenied,
    ];

    /// The stable kebab-case name (`preflight-allowed`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Decision::Pass => "pass",
            Decision::ActualAllowed => "actual-allowed",
            Decision::ActualDenied => "actual-denied",
            Decision::PreflightAllowed => "preflight-allowed",
            Decision::PreflightDenied => "preflight-denied",
        }
    }

    /// Whether the host answers the request itself instead of serving it.
    pub const fn is_preflight(self) -> bool {
        matches!(self, Decision::PreflightAllowed | Decision::PreflightDenied)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request was passed through or denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The request has no `Origin`: it is not a CORS request.
    NotCors,
    /// No policy covers the request's path.
    NoPolicy,
    /// The `Origin` is well formed but not allowed.
    OriginNotAllowed,
    /// The method (or the requested method) is neither safelisted nor listed.
    MethodNotAllowed,
    /// A requested header is not allowed.
    HeaderNotAllowed,
    /// The preflight asks for private network access and the policy does not allow it.
    PrivateNetworkNotAllowed,
    /// The `Origin` value cannot be a serialized origin (empty, a list,
    /// control bytes, non-ASCII or over-long).
    MalformedOrigin,
    /// The method, requested method or requested headers are not valid tokens.
    MalformedRequest,
}

impl Reason {
    /// Every reason, in declaration order (for tables, tests and hosts that
    /// list them).
    pub const ALL: [Reason; 8] = [
        Reason::NotCors,
        Reason::NoPolicy,
        Reason::OriginNotAllowed,
        Reason::MethodNotAllowed,
        Reason::HeaderNotAllowed,
        Reason::PrivateNetworkNotAllowed,
        Reason::MalformedOrigin,
        Reason::MalformedRequest,
    ];

    /// The stable kebab-case name (`origin-not-allowed`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::NotCors => "not-cors",
            Reason::NoPolicy => "no-policy",
            Reason::OriginNotAllowed => "origin-not-allowed",
            Reason::MethodNotAllowed => "method-not-allowed",
            Reason::HeaderNotAllowed => "header-not-allowed",
            Reason::PrivateNetworkNotAllowed => "private-network-not-allowed",
            Reason::MalformedOrigin => "malformed-origin",
            Reason::MalformedRequest => "malformed-request",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One response header. Names are lower-case; values borrow from the table,
/// the request, or static text, and are never formatted at eval time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The header name, lower-case (`access-control-allow-origin`).
    pub name: &'static str,
    /// The header value.
    pub value: &'a [u8],
}

/// The answer to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// What to do with the request.
    pub decision: Decision,
    /// Why, for everything but an allowed request.
    pub reason: Option<Reason>,
    /// The name of the policy that covered the path, if any.
    pub policy: Option<&'a [u8]>,
    /// The status to answer a preflight with.
    pub status: Option<u16>,
    /// The headers to add to the response, in a stable order.
    pub headers: heapless::Vec<Header<'a>, MAX_HEADERS>,
}

impl<'a> Outcome<'a> {
    /// The value of the named header (lower-case name), if the outcome has it.
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.value)
    }
}

/// Header names, lower-case, as eval emits them.
pub mod names {
    /// `Access-Control-Allow-Origin`
    pub const ALLOW_ORIGIN: &str = "access-control-allow-origin";
    /// `Access-Control-Allow-Credentials`
    pub const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";
    /// `Access-Control-Allow-Methods`
    pub const ALLOW_METHODS: &str = "access-control-allow-methods";
    /// `Access-Control-Allow-Headers`
    pub const ALLOW_HEADERS: &str = "access-control-allow-headers";
    /// `Access-Control-Max-Age`
    pub const MAX_AGE: &str = "access-control-max-age";
    /// `Access-Control-Allow-Private-Network`
    pub const ALLOW_PRIVATE_NETWORK: &str = "access-control-allow-private-network";
    /// `Access-Control-Expose-Headers`
    pub const EXPOSE_HEADERS: &str = "access-control-expose-headers";
    /// `Vary`
    pub const VARY: &str = "vary";
}

/// `Vary` values, fixed text shared by every table.
pub mod vary {
    /// For actual requests (and non-CORS requests) when the answer depends on the origin.
    pub const ORIGIN: &[u8] = b"Origin";
    /// For preflights.
    pub const PREFLIGHT: &[u8] =
        b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    /// For preflights when the policy allows private network access.
    pub const PREFLIGHT_PRIVATE_NETWORK: &[u8] = b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";
}

#[cfg(test)]
mod all_tests {
    use super::{Decision, Reason};

    // A new variant makes these matches non-exhaustive, so ALL cannot be
    // forgotten.
    #[test]
    fn all_lists_every_variant_once_in_order() {
        for (index, reason) in Reason::ALL.iter().enumerate() {
            let position = match reason {
                Reason::NotCors => 0,
                Reason::NoPolicy => 1,
                Reason::OriginNotAllowed => 2,
                Reason::MethodNotAllowed => 3,
                Reason::HeaderNotAllowed => 4,
                Reason::PrivateNetworkNotAllowed => 5,
                Reason::MalformedOrigin => 6,
                Reason::MalformedRequest => 7,
            };
            assert_eq!(index, position);
        }
        for (index, decision) in Decision::ALL.iter().enumerate() {
            let position = match decision {
                Decision::Pass => 0,
                Decision::ActualAllowed => 1,
                Decision::ActualDenied => 2,
                Decision::PreflightAllowed => 3,
                Decision::PreflightDenied => 4,
            };
            assert_eq!(index, position);
        }
    }
}
