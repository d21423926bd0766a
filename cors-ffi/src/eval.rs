//! `cors_eval`: the request and outcome as C sees them.

use cors_match_core::{Decision, Reason, Request, MAX_HEADERS};

use crate::policy::{bytes, cors_policy};
use crate::result::cors_result;

/// The most headers a `cors_outcome` carries.
pub const CORS_MAX_HEADERS: usize = 7;

const _: () = assert!(CORS_MAX_HEADERS == MAX_HEADERS);

/// A byte string: `ptr` and `len`, not NUL-terminated, any bytes allowed.
///
/// In a request, `ptr == NULL` (with `len == 0`) means "header absent",
/// which differs from a present header with an empty value (`ptr` non-NULL,
/// `len == 0`). In an outcome, `ptr == NULL` means "none".
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct cors_bytes {
    /// The first byte, or NULL.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl cors_bytes {
    const NONE: cors_bytes = cors_bytes {
        ptr: core::ptr::null(),
        len: 0,
    };

    fn from_slice(bytes: &[u8]) -> cors_bytes {
        cors_bytes {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    fn from_option(bytes: Option<&[u8]>) -> cors_bytes {
        bytes.map_or(cors_bytes::NONE, cors_bytes::from_slice)
    }
}

/// One request, as raw header values borrowed from the host. Nothing needs
/// to be NUL-terminated, valid UTF-8 or free of NUL bytes: values are
/// evaluated as the bytes they are.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct cors_request {
    /// The request method, case-sensitive (`GET`, `OPTIONS`...). Absent is
    /// the same as empty.
    pub method: cors_bytes,
    /// The request target; a query (`?...`) is ignored. Absent is the same
    /// as empty.
    pub path: cors_bytes,
    /// The `Origin` header value, or absent.
    pub origin: cors_bytes,
    /// The `Access-Control-Request-Method` header value, or absent.
    pub request_method: cors_bytes,
    /// The `Access-Control-Request-Headers` value (several header lines
    /// joined with `,`), or absent.
    pub request_headers: cors_bytes,
    /// Whether the request carries `Access-Control-Request-Private-Network:
    /// true`.
    pub private_network: bool,
}

/// What the host should do with the request.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum cors_decision {
    /// Not a CORS request, or no policy covers the path: serve it normally,
    /// adding the outcome's headers (a `Vary`, say).
    Pass = 0,
    /// A CORS request the policy allows: serve it and add the headers.
    ActualAllowed = 1,
    /// A CORS request the policy denies: serve it without CORS headers,
    /// adding the outcome's headers (`Vary`).
    ActualDenied = 2,
    /// A preflight the policy allows: answer it with `status` and the headers.
    PreflightAllowed = 3,
    /// A preflight the policy denies: answer it with `status` (403) and the headers.
    PreflightDenied = 4,
}

/// Why a request was passed through or denied.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum cors_reason {
    /// No reason: the request was allowed.
    None = 0,
    /// The request has no `Origin`: it is not a CORS request.
    NotCors = 1,
    /// No policy covers the request's path.
    NoPolicy = 2,
    /// The `Origin` is well formed but not allowed.
    OriginNotAllowed = 3,
    /// The method (or requested method) is not allowed.
    MethodNotAllowed = 4,
    /// A requested header is not allowed.
    HeaderNotAllowed = 5,
    /// The preflight asks for private network access and the policy does not allow it.
    PrivateNetworkNotAllowed = 6,
    /// The `Origin` value cannot be a serialized origin.
    MalformedOrigin = 7,
    /// The method, requested method or requested headers are not valid tokens.
    MalformedRequest = 8,
}

impl From<Decision> for cors_decision {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Pass => cors_decision::Pass,
            Decision::ActualAllowed => cors_decision::ActualAllowed,
            Decision::ActualDenied => cors_decision::ActualDenied,
            Decision::PreflightAllowed => cors_decision::PreflightAllowed,
            Decision::PreflightDenied => cors_decision::PreflightDenied,
        }
    }
}

impl From<Option<Reason>> for cors_reason {
    fn from(reason: Option<Reason>) -> Self {
        match reason {
            None => cors_reason::None,
            Some(Reason::NotCors) => cors_reason::NotCors,
            Some(Reason::NoPolicy) => cors_reason::NoPolicy,
            Some(Reason::OriginNotAllowed) => cors_reason::OriginNotAllowed,
            Some(Reason::MethodNotAllowed) => cors_reason::MethodNotAllowed,
            Some(Reason::HeaderNotAllowed) => cors_reason::HeaderNotAllowed,
            Some(Reason::PrivateNetworkNotAllowed) => cors_reason::PrivateNetworkNotAllowed,
            Some(Reason::MalformedOrigin) => cors_reason::MalformedOrigin,
            Some(Reason::MalformedRequest) => cors_reason::MalformedRequest,
        }
    }
}

/// One response header: a lower-case name (static) and a value borrowed
/// from the policy's table or from the request.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct cors_header {
    /// The header name, lower-case ASCII (`access-control-allow-origin`).
    pub name: cors_bytes,
    /// The header value.
    pub value: cors_bytes,
}

/// The answer to one request.
///
/// Every pointer in it borrows from the policy (policy name, most header
/// values) or from the request's buffers (a reflected `Origin`): it is valid
/// while both stay alive and unchanged.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct cors_outcome {
    /// What to do with the request.
    pub decision: cors_decision,
    /// Why; `CORS_REASON_NONE` for an allowed request.
    pub reason: cors_reason,
    /// The status to answer a preflight with; 0 for other decisions.
    pub status: u16,
    /// The name of the policy that covered the path; `ptr` NULL if none.
    pub policy: cors_bytes,
    /// How many entries of `headers` are set, in order.
    pub header_count: usize,
    /// The headers to add to the response, in a stable order.
    pub headers: [cors_header; CORS_MAX_HEADERS],
}

/// Evaluates one request against a policy and writes the answer to `*out`.
///
/// Allocates nothing, takes no lock and never blocks; any number of threads
/// may evaluate against the same policy at once. The outcome borrows from
/// the policy and from the request's buffers (see `cors_outcome`).
///
/// Returns `CORS_RESULT_NULL_ARGUMENT` if `policy`, `request` or `out` is
/// NULL, and `CORS_RESULT_INVALID_ARGUMENT` if a field of the request has a
/// NULL `ptr` with a non-zero `len`; `*out` is then untouched.
///
/// # Safety
///
/// `policy` must be a live policy, `request` must point to a readable
/// `cors_request` whose non-NULL fields point to `len` readable bytes, and
/// `out` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn cors_eval(
    policy: *const cors_policy,
    request: *const cors_request,
    out: *mut cors_outcome,
) -> cors_result {
    ffi_boundary!(cors_result::Panic, {
        if policy.is_null() || request.is_null() || out.is_null() {
            return cors_result::NullArgument;
        }
        // SAFETY: both are valid for reads by the caller's contract.
        let (policy, request) = unsafe { (&*policy, &*request) };
        // SAFETY: each field points to `len` readable bytes or is NULL.
        let field = |value: cors_bytes| unsafe { bytes(value.ptr, value.len) };
        let optional = |value: cors_bytes| {
            if value.ptr.is_null() && value.len == 0 {
                Ok(None)
            } else {
                field(value).map(Some).ok_or(())
            }
        };
        let (Some(method), Some(path), Ok(origin), Ok(request_method), Ok(request_headers)) = (
            field(request.method),
            field(request.path),
            optional(request.origin),
            optional(request.request_method),
            optional(request.request_headers),
        ) else {
            return cors_result::InvalidArgument;
        };
        let request = Request {
            method,
            path,
            origin,
            request_method,
            request_headers,
            request_private_network: request.private_network.then_some(&b"true"[..]),
        };
        let outcome = policy.policy.eval(&request);
        let mut headers = [cors_header {
            name: cors_bytes::NONE,
            value: cors_bytes::NONE,
        }; CORS_MAX_HEADERS];
        for (slot, header) in headers.iter_mut().zip(&outcome.headers) {
            *slot = cors_header {
                name: cors_bytes::from_slice(header.name.as_bytes()),
                value: cors_bytes::from_slice(header.value),
            };
        }
        let answer = cors_outcome {
            decision: outcome.decision.into(),
            reason: outcome.reason.into(),
            status: outcome.status.unwrap_or(0),
            policy: cors_bytes::from_option(outcome.policy),
            header_count: outcome.headers.len(),
            headers,
        };
        // SAFETY: `out` is valid for a write.
        unsafe { out.write(answer) };
        cors_result::Ok
    })
}
