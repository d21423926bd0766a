//! `cors_result`: what every fallible function returns.

use core::ffi::c_char;

use cors_match_core::LoadError;

/// The result of a fallible `cors_*` function. `CORS_RESULT_OK` is 0; the
/// numbers are stable and will not be reused.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum cors_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument is NULL.
    NullArgument = 1,
    /// An argument is invalid: a NULL pointer with a non-zero length, or a
    /// length larger than the address space allows.
    InvalidArgument = 2,
    /// A bug in corsc: a panic was caught at the API boundary.
    Panic = 3,
    /// The table is shorter than its header.
    TableTruncated = 10,
    /// The bytes are not a corsc table (bad magic).
    TableBadMagic = 11,
    /// The table was written with another byte order.
    TableBadEndianness = 12,
    /// The table's format version is not the one this library reads.
    TableUnsupportedVersion = 13,
    /// The table's declared length is not the length given.
    TableLengthMismatch = 14,
    /// The table's checksum does not match: it is corrupted.
    TableChecksumMismatch = 15,
    /// A section, state, transition or policy record of the table is invalid.
    TableMalformed = 16,
    /// The policy source has errors; the diagnostics say which.
    CompileError = 20,
    /// The policy source is not valid UTF-8.
    SourceNotUtf8 = 21,
    /// The policy is valid but does not fit the table format.
    TableTooLarge = 22,
}

impl From<LoadError> for cors_result {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Truncated => cors_result::TableTruncated,
            LoadError::BadMagic => cors_result::TableBadMagic,
            LoadError::BadEndianness => cors_result::TableBadEndianness,
            LoadError::UnsupportedVersion { .. } => cors_result::TableUnsupportedVersion,
            LoadError::LengthMismatch { .. } => cors_result::TableLengthMismatch,
            LoadError::ChecksumMismatch { .. } => cors_result::TableChecksumMismatch,
            LoadError::SectionOutOfBounds
            | LoadError::BadState { .. }
            | LoadError::BadTransition { .. }
            | LoadError::BadPolicy { .. }
            | LoadError::BadPathIndex => cors_result::TableMalformed,
        }
    }
}

/// A static, NUL-terminated English description of a `cors_result` value;
/// `"unknown cors_result"` for a number that is not one. Never NULL.
///
/// Takes the value as a plain integer so that any number a C caller passes
/// is safe.
#[no_mangle]
pub extern "C" fn cors_result_str(result: u32) -> *const c_char {
    describe(result).as_ptr()
}

fn describe(result: u32) -> &'static core::ffi::CStr {
    const OK: u32 = cors_result::Ok as u32;
    const NULL_ARGUMENT: u32 = cors_result::NullArgument as u32;
    const INVALID_ARGUMENT: u32 = cors_result::InvalidArgument as u32;
    const PANIC: u32 = cors_result::Panic as u32;
    const TABLE_TRUNCATED: u32 = cors_result::TableTruncated as u32;
    const TABLE_BAD_MAGIC: u32 = cors_result::TableBadMagic as u32;
    const TABLE_BAD_ENDIANNESS: u32 = cors_result::TableBadEndianness as u32;
    const TABLE_UNSUPPORTED_VERSION: u32 = cors_result::TableUnsupportedVersion as u32;
    const TABLE_LENGTH_MISMATCH: u32 = cors_result::TableLengthMismatch as u32;
    const TABLE_CHECKSUM_MISMATCH: u32 = cors_result::TableChecksumMismatch as u32;
    const TABLE_MALFORMED: u32 = cors_result::TableMalformed as u32;
    const COMPILE_ERROR: u32 = cors_result::CompileError as u32;
    const SOURCE_NOT_UTF8: u32 = cors_result::SourceNotUtf8 as u32;
    const TABLE_TOO_LARGE: u32 = cors_result::TableTooLarge as u32;
    match result {
        OK => c"success",
        NULL_ARGUMENT => c"a required pointer argument is NULL",
        INVALID_ARGUMENT => {
            c"invalid argument: a NULL pointer with a non-zero length, or a length over the address space"
        }
        PANIC => c"internal error: a panic was caught at the API boundary (a bug in corsc)",
        TABLE_TRUNCATED => c"table is truncated (shorter than its header)",
        TABLE_BAD_MAGIC => c"not a corsc table (bad magic)",
        TABLE_BAD_ENDIANNESS => c"table has the wrong byte order",
        TABLE_UNSUPPORTED_VERSION => {
            c"table format version is not supported by this library (recompile the policy)"
        }
        TABLE_LENGTH_MISMATCH => c"table length does not match its header (truncated or padded)",
        TABLE_CHECKSUM_MISMATCH => c"table is corrupted (checksum mismatch)",
        TABLE_MALFORMED => c"table is malformed (a section, state or policy record is invalid)",
        COMPILE_ERROR => c"the policy has errors (see the diagnostics)",
        SOURCE_NOT_UTF8 => c"the policy source is not valid UTF-8",
        TABLE_TOO_LARGE => c"the policy does not fit the table format",
        _ => c"unknown cors_result",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_has_its_own_description() {
        let all = [
            cors_result::Ok,
            cors_result::NullArgument,
            cors_result::InvalidArgument,
            cors_result::Panic,
            cors_result::TableTruncated,
            cors_result::TableBadMagic,
            cors_result::TableBadEndianness,
            cors_result::TableUnsupportedVersion,
            cors_result::TableLengthMismatch,
            cors_result::TableChecksumMismatch,
            cors_result::TableMalformed,
            cors_result::CompileError,
            cors_result::SourceNotUtf8,
            cors_result::TableTooLarge,
        ];
        let unknown = describe(9999);
        let mut seen = Vec::new();
        for result in all {
            let text = describe(result as u32);
            assert_ne!(text, unknown, "{result:?} has no description");
            assert!(!seen.contains(&text), "{result:?} shares a description");
            seen.push(text);
        }
        assert_eq!(unknown, c"unknown cors_result");
    }
}
