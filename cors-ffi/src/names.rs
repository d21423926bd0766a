//! Static names: decisions, reasons, versions.

use core::ffi::{c_char, CStr};

use cors_match_core::format::VERSION;

use crate::eval::{cors_decision, cors_reason};

/// The stable kebab-case name of a `cors_decision` value
/// (`"preflight-allowed"`...), static and NUL-terminated; `"unknown"` for a
/// number that is not a decision. Never NULL.
#[no_mangle]
pub extern "C" fn cors_decision_str(decision: u32) -> *const c_char {
    decision_name(decision).as_ptr()
}

/// The stable kebab-case name of a `cors_reason` value
/// (`"origin-not-allowed"`...), static and NUL-terminated; `""` for
/// `CORS_REASON_NONE` and `"unknown"` for a number that is not a reason.
/// Never NULL.
#[no_mangle]
pub extern "C" fn cors_reason_str(reason: u32) -> *const c_char {
    reason_name(reason).as_ptr()
}

/// The library version (`"0.1.0"`), static and NUL-terminated.
#[no_mangle]
pub extern "C" fn cors_version() -> *const c_char {
    const VERSION_TEXT: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(text) => text,
            Err(_) => panic!("the package version contains a NUL byte"),
        };
    VERSION_TEXT.as_ptr()
}

/// The first bytes of every compiled table (`corsc compile` output): the
/// seven letters and, as in a C string literal, a NUL; compare
/// `CORS_TABLE_MAGIC_LEN` bytes. A host that accepts either source or a
/// table tells them apart by this prefix.
pub const CORS_TABLE_MAGIC: &str = "CORSTBL";

/// The length of the table magic, its NUL included.
pub const CORS_TABLE_MAGIC_LEN: usize = 8;

/// The table format version this library reads (what
/// `cors_table_format_version()` returns).
pub const CORS_TABLE_FORMAT_VERSION: u32 = 4;

// cbindgen needs literals: they must stay the core's values.
const _: () = {
    let magic = cors_match_core::format::MAGIC;
    assert!(magic.len() == CORS_TABLE_MAGIC_LEN && magic[CORS_TABLE_MAGIC_LEN - 1] == 0);
    let mut i = 0;
    while i < CORS_TABLE_MAGIC.len() {
        assert!(CORS_TABLE_MAGIC.as_bytes()[i] == magic[i]);
        i += 1;
    }
    assert!(CORS_TABLE_MAGIC.len() + 1 == CORS_TABLE_MAGIC_LEN);
    assert!(CORS_TABLE_FORMAT_VERSION == VERSION);
};

/// The table format version this library reads; tables from a `corsc` with
/// another format version are rejected with
/// `CORS_RESULT_TABLE_UNSUPPORTED_VERSION`.
#[no_mangle]
pub extern "C" fn cors_table_format_version() -> u32 {
    VERSION
}

fn decision_name(decision: u32) -> &'static CStr {
    const PASS: u32 = cors_decision::Pass as u32;
    const ACTUAL_ALLOWED: u32 = cors_decision::ActualAllowed as u32;
    const ACTUAL_DENIED: u32 = cors_decision::ActualDenied as u32;
    const PREFLIGHT_ALLOWED: u32 = cors_decision::PreflightAllowed as u32;
    const PREFLIGHT_DENIED: u32 = cors_decision::PreflightDenied as u32;
    match decision {
        PASS => c"pass",
        ACTUAL_ALLOWED => c"actual-allowed",
        ACTUAL_DENIED => c"actual-denied",
        PREFLIGHT_ALLOWED => c"preflight-allowed",
        PREFLIGHT_DENIED => c"preflight-denied",
        _ => c"unknown",
    }
}

fn reason_name(reason: u32) -> &'static CStr {
    const NONE: u32 = cors_reason::None as u32;
    const NOT_CORS: u32 = cors_reason::NotCors as u32;
    const NO_POLICY: u32 = cors_reason::NoPolicy as u32;
    const ORIGIN_NOT_ALLOWED: u32 = cors_reason::OriginNotAllowed as u32;
    const METHOD_NOT_ALLOWED: u32 = cors_reason::MethodNotAllowed as u32;
    const HEADER_NOT_ALLOWED: u32 = cors_reason::HeaderNotAllowed as u32;
    const PRIVATE_NETWORK_NOT_ALLOWED: u32 = cors_reason::PrivateNetworkNotAllowed as u32;
    const MALFORMED_ORIGIN: u32 = cors_reason::MalformedOrigin as u32;
    const MALFORMED_REQUEST: u32 = cors_reason::MalformedRequest as u32;
    match reason {
        NONE => c"",
        NOT_CORS => c"not-cors",
        NO_POLICY => c"no-policy",
        ORIGIN_NOT_ALLOWED => c"origin-not-allowed",
        METHOD_NOT_ALLOWED => c"method-not-allowed",
        HEADER_NOT_ALLOWED => c"header-not-allowed",
        PRIVATE_NETWORK_NOT_ALLOWED => c"private-network-not-allowed",
        MALFORMED_ORIGIN => c"malformed-origin",
        MALFORMED_REQUEST => c"malformed-request",
        _ => c"unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cors_match_core::{Decision, Reason};

    /// The C names must be the core's names, which the CLI's JSON uses too.
    #[test]
    fn names_match_the_core() {
        let decisions = Decision::ALL;
        for decision in decisions {
            let number = cors_decision::from(decision) as u32;
            assert_eq!(decision_name(number).to_str(), Ok(decision.as_str()));
        }
        let reasons = Reason::ALL;
        for reason in reasons {
            let number = cors_reason::from(Some(reason)) as u32;
            assert_eq!(reason_name(number).to_str(), Ok(reason.as_str()));
        }
        assert_eq!(reason_name(cors_reason::None as u32), c"");
        assert_eq!(decision_name(5), c"unknown");
        assert_eq!(reason_name(9), c"unknown");
    }

    #[test]
    fn version_is_the_package_version() {
        // SAFETY: `cors_version` returns a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(cors_version()) };
        assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
