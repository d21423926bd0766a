//! The request as eval sees it: raw header values, borrowed from the host.

use crate::bytes::trim_ows;

/// The parts of an HTTP request that CORS evaluation looks at.
///
/// Every field is the raw bytes the host received; nothing needs to be valid
/// UTF-8 or a C string. A field that is `None` means the header was absent,
/// which is different from a header that is present with an empty value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request<'a> {
    /// The request method, case-sensitive (`GET`, `OPTIONS`, ...).
    pub method: &'a [u8],
    /// The request target; anything from the first `?` on is ignored.
    pub path: &'a [u8],
    /// The `Origin` header value.
    pub origin: Option<&'a [u8]>,
    /// The `Access-Control-Request-Method` header value.
    pub request_method: Option<&'a [u8]>,
    /// The `Access-Control-Request-Headers` header value (several header
    /// lines joined with `,` by the host).
    pub request_headers: Option<&'a [u8]>,
    /// The `Access-Control-Request-Private-Network` header value; the
    /// request asks for private network access when it is `true`.
    pub request_private_network: Option<&'a [u8]>,
}

impl<'a> Request<'a> {
    /// A request with the given method and path and no CORS headers.
    pub const fn new(method: &'a [u8], path: &'a [u8]) -> Self {
        Request {
            method,
            path,
            origin: None,
            request_method: None,
            request_headers: None,
            request_private_network: None,
        }
    }

    /// The path without its query (and fragment, should a host pass one).
    pub fn path_without_query(&self) -> &'a [u8] {
        match self.path.iter().position(|&b| b == b'?' || b == b'#') {
            Some(end) => &self.path[..end],
            None => self.path,
        }
    }

    /// Whether the request asks for private network access: the header
    /// value is `true` (ASCII case-insensitive, surrounding whitespace ignored).
    #[inline]
    pub fn wants_private_network(&self) -> bool {
        match self.request_private_network {
            Some(value) => trim_ows(value).eq_ignore_ascii_case(b"true"),
            None => false,
        }
    }
}
