//! `cors_policy_compile` and `cors_diagnostics`: `.corspolicy` source compiled
//! in-process, with the same messages `corsc check` prints.

use std::ffi::{c_char, CStr, CString};

use cors_policy_lang::{CompileFailure, Diagnostics, RenderStyle};

use crate::policy::{cors_policy, required_bytes};
use crate::result::cors_result;

/// The messages from compiling one source: errors and warnings, rendered.
/// Opaque; free it with `cors_diagnostics_free`.
pub struct cors_diagnostics {
    short: CString,
    rendered: CString,
    errors: usize,
    warnings: usize,
}

impl cors_diagnostics {
    fn new(diagnostics: &Diagnostics, file_name: &str, source: &str) -> Self {
        cors_diagnostics {
            short: c_text(diagnostics.render(file_name, source, RenderStyle::Short)),
            rendered: c_text(diagnostics.render(file_name, source, RenderStyle::Rich)),
            errors: diagnostics.error_count(),
            warnings: diagnostics.warning_count(),
        }
    }

    /// One error that is not about a position in the source.
    fn single_error(file_name: &str, message: &str) -> Self {
        let text = c_text(format!("{file_name}: error: {message}\n"));
        cors_diagnostics {
            short: text.clone(),
            rendered: text,
            errors: 1,
            warnings: 0,
        }
    }
}

/// A C string of `text`; a NUL byte (which the source may contain, and a
/// source line is quoted) becomes U+FFFD rather than ending the text early.
fn c_text(text: String) -> CString {
    let text = if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    };
    CString::new(text).unwrap_or_default()
}

/// The first invalid byte of `source`, counting from 0.
fn utf8_error_offset(source: &[u8]) -> Option<usize> {
    std::str::from_utf8(source)
        .err()
        .map(|error| error.valid_up_to())
}

/// Checks and compiles `.corspolicy` source in-process. On success sets
/// `*out` to a new policy (free it with `cors_policy_free`).
///
/// `src` holds `len` bytes (no NUL terminator needed). `filename`, a
/// NUL-terminated string or NULL (`"<policy>"`), is only used in messages.
///
/// If `diags` is not NULL, `*diags` is set to a new diagnostics object
/// whenever the source was read: on success (it then holds any warnings,
/// and may be empty) and on `CORS_RESULT_COMPILE_ERROR`,
/// `CORS_RESULT_SOURCE_NOT_UTF8` and `CORS_RESULT_TABLE_TOO_LARGE`. Free it
/// with `cors_diagnostics_free`.
///
/// Returns `CORS_RESULT_NULL_ARGUMENT` if `out` is NULL, or `src` is NULL
/// with `len` 0, and `CORS_RESULT_INVALID_ARGUMENT` if `src` is NULL with a
/// non-zero `len`; neither out-parameter is then touched.
///
/// # Safety
///
/// `src` must point to `len` readable bytes; `filename` must be NULL or
/// NUL-terminated; `out` and a non-NULL `diags` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn cors_policy_compile(
    src: *const c_char,
    len: usize,
    filename: *const c_char,
    out: *mut *mut cors_policy,
    diags: *mut *mut cors_diagnostics,
) -> cors_result {
    ffi_boundary!(cors_result::Panic, {
        if out.is_null() {
            return cors_result::NullArgument;
        }
        // SAFETY: the caller guarantees `len` readable bytes at `src`.
        let source = match unsafe { required_bytes(src.cast::<u8>(), len) } {
            Ok(source) => source,
            Err(result) => return result,
        };
        let file_name = if filename.is_null() {
            "<policy>".to_string()
        } else {
            // SAFETY: a non-NULL `filename` is NUL-terminated.
            unsafe { CStr::from_ptr(filename) }
                .to_string_lossy()
                .into_owned()
        };
        let (result, diagnostics) = compile(source, &file_name);
        let result = match result {
            Ok(policy) => {
                // SAFETY: `out` is valid for a write.
                unsafe { *out = policy };
                cors_result::Ok
            }
            Err(result) => result,
        };
        if !diags.is_null() {
            // SAFETY: a non-NULL `diags` is valid for a write.
            unsafe { *diags = Box::into_raw(Box::new(diagnostics)) };
        }
        result
    })
}

fn compile(
    source: &[u8],
    file_name: &str,
) -> (Result<*mut cors_policy, cors_result>, cors_diagnostics) {
    let source = match std::str::from_utf8(source) {
        Ok(source) => source,
        Err(_) => {
            let offset = utf8_error_offset(source).unwrap_or(0);
            let message =
                format!("the policy is not valid UTF-8 (first invalid byte at offset {offset})");
            return (
                Err(cors_result::SourceNotUtf8),
                cors_diagnostics::single_error(file_name, &message),
            );
        }
    };
    match cors_policy_lang::compile(source) {
        Ok(compiled) => {
            let diagnostics = cors_diagnostics::new(&compiled.diagnostics, file_name, source);
            (
                cors_policy::from_owned_table(compiled.table.into()),
                diagnostics,
            )
        }
        Err(CompileFailure::Invalid(diagnostics)) => (
            Err(cors_result::CompileError),
            cors_diagnostics::new(&diagnostics, file_name, source),
        ),
        Err(error @ CompileFailure::Table(_)) => (
            Err(cors_result::TableTooLarge),
            cors_diagnostics::single_error(file_name, &error.to_string()),
        ),
    }
}

/// The diagnostics one per line, as `file:line:col: error[CORS0011]: message`
/// (what `nginx -t` and other log-oriented hosts want); NUL-terminated,
/// empty when there were none. Owned by `diags`: valid until
/// `cors_diagnostics_free`. NULL if `diags` is NULL.
///
/// # Safety
///
/// `diags` is NULL or a live diagnostics object.
#[no_mangle]
pub unsafe extern "C" fn cors_diagnostics_text(diags: *const cors_diagnostics) -> *const c_char {
    ffi_boundary!(core::ptr::null(), {
        // SAFETY: NULL or live, by the caller's contract.
        match unsafe { diags.as_ref() } {
            Some(diags) => diags.short.as_ptr(),
            None => core::ptr::null(),
        }
    })
}

/// The diagnostics as `corsc check` prints them: rustc-like, with the source
/// line, a caret under the offending text and a help line; NUL-terminated,
/// empty when there were none. Owned by `diags`: valid until
/// `cors_diagnostics_free`. NULL if `diags` is NULL.
///
/// # Safety
///
/// `diags` is NULL or a live diagnostics object.
#[no_mangle]
pub unsafe extern "C" fn cors_diagnostics_rendered(
    diags: *const cors_diagnostics,
) -> *const c_char {
    ffi_boundary!(core::ptr::null(), {
        // SAFETY: NULL or live, by the caller's contract.
        match unsafe { diags.as_ref() } {
            Some(diags) => diags.rendered.as_ptr(),
            None => core::ptr::null(),
        }
    })
}

/// The number of errors; 0 if `diags` is NULL.
///
/// # Safety
///
/// `diags` is NULL or a live diagnostics object.
#[no_mangle]
pub unsafe extern "C" fn cors_diagnostics_error_count(diags: *const cors_diagnostics) -> usize {
    ffi_boundary!(0, {
        // SAFETY: NULL or live, by the caller's contract.
        unsafe { diags.as_ref() }.map_or(0, |diags| diags.errors)
    })
}

/// The number of warnings; 0 if `diags` is NULL.
///
/// # Safety
///
/// `diags` is NULL or a live diagnostics object.
#[no_mangle]
pub unsafe extern "C" fn cors_diagnostics_warning_count(diags: *const cors_diagnostics) -> usize {
    ffi_boundary!(0, {
        // SAFETY: NULL or live, by the caller's contract.
        unsafe { diags.as_ref() }.map_or(0, |diags| diags.warnings)
    })
}

/// Frees a diagnostics object and its texts; NULL is ignored.
///
/// # Safety
///
/// `diags` is NULL or a diagnostics object not yet freed.
#[no_mangle]
pub unsafe extern "C" fn cors_diagnostics_free(diags: *mut cors_diagnostics) {
    ffi_boundary!((), {
        if !diags.is_null() {
            // SAFETY: made by `Box::into_raw` in `cors_policy_compile`, freed once.
            drop(unsafe { Box::from_raw(diags) });
        }
    })
}
