//! The typed, normalized policy model: what a `.corspolicy` file means once
//! it has been parsed and validated. The compiler and the reference
//! evaluator both start from here; neither sees source text.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Every policy of one `.corspolicy` file, in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicySet {
    /// The policies, in the order they were written.
    pub policies: Vec<Policy>,
}

/// One `policy NAME { ... }` block, normalized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The policy's name.
    pub name: String,
    /// Path prefixes the policy covers; empty means every path.
    pub paths: Vec<String>,
    /// The origins the policy allows.
    pub origins: Origins,
    /// Methods listed by `methods`, case preserved, without duplicates.
    /// The CORS-safelisted methods (GET, HEAD, POST) are allowed whether
    /// listed or not.
    pub methods: Vec<String>,
    /// `allow-headers`.
    pub allow_headers: HeaderNames,
    /// `expose-headers`.
    pub expose_headers: HeaderNames,
    /// `credentials on`.
    pub credentials: bool,
    /// `max-age`, in seconds.
    pub max_age: Option<u32>,
    /// `private-network on`.
    pub private_network: bool,
    /// `preflight-status`, 204 unless set.
    pub preflight_status: u16,
    /// `allow-insecure-origins on` (only meaningful with credentials).
    pub allow_insecure_origins: bool,
}

impl Policy {
    /// A policy with the given name and origins and every other directive at
    /// its default.
    pub fn new(name: impl Into<String>, origins: Origins) -> Self {
        Policy {
            name: name.into(),
            paths: Vec::new(),
            origins,
            methods: Vec::new(),
            allow_headers: HeaderNames::default(),
            expose_headers: HeaderNames::default(),
            credentials: false,
            max_age: None,
            private_network: false,
            preflight_status: DEFAULT_PREFLIGHT_STATUS,
            allow_insecure_origins: false,
        }
    }
}

/// The status an allowed preflight gets unless the policy says otherwise.
pub const DEFAULT_PREFLIGHT_STATUS: u16 = 204;

/// The origins a policy allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origins {
    /// `origins *`: every origin; `Access-Control-Allow-Origin: *`.
    Any,
    /// A list of patterns (duplicates removed).
    List(Vec<OriginPattern>),
}

/// One allowed origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OriginPattern {
    /// The literal `null` origin.
    Null,
    /// `scheme://host[:port]` with optional wildcards.
    Tuple(TupleOrigin),
    /// `~"regex"`: the regex as written, matched against the whole
    /// `Origin`; validated and proved safe by [`crate::regex_origin`].
    Regex(String),
}

/// `scheme://host[:port]`, normalized: the scheme and host are lower-case
/// ASCII (IDNs in their `xn--` form), the port is never the scheme's default.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TupleOrigin {
    /// The scheme, lower-case, without `://`.
    pub scheme: String,
    /// The host, or for a subdomain wildcard the domain below the wildcard.
    pub host: Host,
    /// `*.` was written: one or more labels in front of `host` (never `host` itself).
    pub any_subdomain: bool,
    /// The port.
    pub port: PortPattern,
}

/// A host, in the form a browser serializes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name, lower-case ASCII, no trailing dot.
    Domain(String),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (serialized in brackets, canonical form).
    Ipv6(Ipv6Addr),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(name) => f.write_str(name),
            Host::Ipv4(addr) => write!(f, "{addr}"),
            Host::Ipv6(addr) => write!(f, "[{}]", serialize_ipv6(addr)),
        }
    }
}

/// The port part of an origin pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortPattern {
    /// No port written: the origin has no port (the scheme's default).
    Default,
    /// `:*`: no port, or any port a browser would serialize (decimal, no
    /// leading zero, at most 65535, not the scheme's default port).
    Any,
    /// `:N`, never the scheme's default port.
    Exact(u16),
}

/// A set of header names from `allow-headers` or `expose-headers`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderNames {
    /// `*` was listed.
    pub any: bool,
    /// The names listed, lower-case, without duplicates, in source order.
    pub names: Vec<String>,
}

/// Characters a wildcard (`*.`) label may consist of: what browsers put in
/// a serialized host's labels (lower-case letters, digits, `-`, `_`).
pub fn is_wildcard_label_byte(byte: u8) -> bool {
    matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_')
}

/// The port a scheme's origins omit, for schemes that have one.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// The CORS-safelisted methods, always allowed.
pub const SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OriginPattern::Null => f.write_str("null"),
            OriginPattern::Regex(regex) => write!(f, "~\"{regex}\""),
            OriginPattern::Tuple(origin) => {
                write!(f, "{}://", origin.scheme)?;
                if origin.any_subdomain {
                    f.write_str("*.")?;
                }
                write!(f, "{}", origin.host)?;
                match origin.port {
                    PortPattern::Default => Ok(()),
                    PortPattern::Any => f.write_str(":*"),
                    PortPattern::Exact(port) => write!(f, ":{port}"),
                }
            }
        }
    }
}

/// The WHATWG URL serialization of an IPv6 address (without brackets):
/// lower-case hex, the first longest run of two or more zero pieces
/// compressed to `::`, never dotted IPv4 notation.
pub fn serialize_ipv6(addr: &Ipv6Addr) -> String {
    let pieces = addr.segments();
    let mut best: Option<(usize, usize)> = None; // (start, length)
    let mut index = 0;
    while index < pieces.len() {
        if pieces[index] != 0 {
            index += 1;
            continue;
        }
        let start = index;
        while index < pieces.len() && pieces[index] == 0 {
            index += 1;
        }
        let length = index - start;
        if length > 1 && best.is_none_or(|(_, best_length)| length > best_length) {
            best = Some((start, length));
        }
    }
    let hex = |pieces: &[u16]| {
        pieces
            .iter()
            .map(|piece| format!("{piece:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    match best {
        Some((start, length)) => format!(
            "{}::{}",
            hex(&pieces[..start]),
            hex(&pieces[start + length..])
        ),
        None => hex(&pieces),
    }
}
