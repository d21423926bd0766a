//! The `ffi` target: the C ABI, called as a C host would: `cors_policy_compile` (source with
//! NULs, invalid UTF-8, anything), the diagnostics accessors,
//! `cors_policy_load` and `cors_policy_view_init` on the compiled table or
//! on arbitrary bytes, `cors_eval` on every handle, and the frees. Every
//! result must equal what the Rust crates answer for the same input (the
//! same result code, the same diagnostics text, the same outcome field by
//! field); no call may report `CORS_RESULT_PANIC`; in the fuzz build,
//! AddressSanitizer and LeakSanitizer watch every pointer and allocation.
//!
//! Input modes:
//! - starts with the table magic: a table (up to its declared length, the
//!   checksum recomputed as in the `load_eval` target) and then requests;
//! - first byte 0: a policy generated from fuzzer choices (as in the
//!   `differential` target), then requests drawn near it;
//! - anything else: the whole input is the source, and the requests are
//!   derived from the compiled model; the same bytes are then loaded as a
//!   table.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use arbitrary::Unstructured;
use cors_ffi::{
    cors_bytes, cors_decision_str, cors_diagnostics, cors_diagnostics_error_count,
    cors_diagnostics_free, cors_diagnostics_rendered, cors_diagnostics_text,
    cors_diagnostics_warning_count, cors_eval, cors_outcome, cors_policy, cors_policy_compile,
    cors_policy_free, cors_policy_load, cors_policy_view, cors_policy_view_init, cors_reason,
    cors_reason_str, cors_request, cors_result, CORS_MAX_HEADERS,
};
use cors_match_core::format::MAGIC;
use cors_match_core::{Outcome, Table};
use cors_policy_lang::{CompileFailure, RenderStyle};

use crate::{
    base_tables, model_requests, policy_source, requests, table_input, Hints, OwnedRequest,
    MAX_SOURCE_LEN,
};

/// An exact-size heap copy, so that AddressSanitizer reports a read even
/// one byte past the end (the fuzzer's own buffer may be larger).
fn exact_copy(bytes: &[u8]) -> Box<[u8]> {
    bytes.to_vec().into_boxed_slice()
}

fn c_bytes(value: Option<&[u8]>) -> cors_bytes {
    match value {
        Some(bytes) => cors_bytes {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        },
        None => cors_bytes {
            ptr: ptr::null(),
            len: 0,
        },
    }
}

/// The `cors_bytes` of an outcome as a slice (`None` for NULL).
///
/// # Safety
///
/// A non-NULL `value` points to `len` readable bytes.
unsafe fn outcome_bytes<'a>(value: cors_bytes) -> Option<&'a [u8]> {
    if value.ptr.is_null() {
        assert_eq!(value.len, 0, "NULL with a length");
        None
    } else {
        // SAFETY: by the contract of `cors_outcome`, while the policy and
        // the request live.
        Some(unsafe { std::slice::from_raw_parts(value.ptr, value.len) })
    }
}

/// The request as C passes it: each field an exact-size copy, so that an
/// over-read is caught; `private_network` is a flag in the C API.
struct CRequest {
    fields: [Option<Box<[u8]>>; 5],
    private_network: bool,
}

impl CRequest {
    fn new(request: &OwnedRequest) -> Self {
        let copy = |field: Option<&[u8]>| field.map(exact_copy);
        CRequest {
            fields: [
                Some(exact_copy(&request.method)),
                Some(exact_copy(&request.path)),
                copy(request.origin.as_deref()),
                copy(request.request_method.as_deref()),
                copy(request.request_headers.as_deref()),
            ],
            private_network: request.as_request().wants_private_network(),
        }
    }

    fn c(&self) -> cors_request {
        let field = |index: usize| c_bytes(self.fields[index].as_deref());
        cors_request {
            method: field(0),
            path: field(1),
            origin: field(2),
            request_method: field(3),
            request_headers: field(4),
            private_network: self.private_network,
        }
    }

    /// What the Rust core sees for the same request.
    fn rust(&self) -> OwnedRequest {
        let field = |index: usize| self.fields[index].as_deref().map(<[u8]>::to_vec);
        OwnedRequest {
            method: field(0).unwrap_or_default(),
            path: field(1).unwrap_or_default(),
            origin: field(2),
            request_method: field(3),
            request_headers: field(4),
            request_private_network: self.private_network.then(|| b"true".to_vec()),
        }
    }
}

/// `cors_eval` on `policy` equals `expected` (the core on the same table).
///
/// # Safety
///
/// `policy` is a live policy.
unsafe fn assert_eval(policy: *const cors_policy, request: &CRequest, expected: &Outcome<'_>) {
    let c_request = request.c();
    let mut out = std::mem::MaybeUninit::<cors_outcome>::uninit();
    // SAFETY: live policy, a request whose fields are valid, room for the outcome.
    let result = unsafe { cors_eval(policy, &c_request, out.as_mut_ptr()) };
    assert_eq!(result, cors_result::Ok);
    // SAFETY: written on success.
    let out = unsafe { out.assume_init() };
    assert_eq!(
        out.decision,
        cors_ffi::cors_decision::from(expected.decision)
    );
    assert_eq!(out.reason, cors_reason::from(expected.reason));
    assert_eq!(out.status, expected.status.unwrap_or(0));
    // SAFETY: the outcome borrows from the live policy and request.
    assert_eq!(unsafe { outcome_bytes(out.policy) }, expected.policy);
    assert_eq!(out.header_count, expected.headers.len());
    assert!(out.header_count <= CORS_MAX_HEADERS);
    for (got, want) in out.headers.iter().zip(&expected.headers) {
        // SAFETY: as above; names are static.
        let (name, value) = unsafe { (outcome_bytes(got.name), outcome_bytes(got.value)) };
        assert_eq!(name, Some(want.name.as_bytes()));
        assert_eq!(value, Some(want.value));
    }
    for unused in &out.headers[out.header_count..] {
        assert!(unused.name.ptr.is_null() && unused.value.ptr.is_null());
    }
    // SAFETY: static strings.
    let (decision, reason) = unsafe {
        (
            CStr::from_ptr(cors_decision_str(out.decision as u32)),
            CStr::from_ptr(cors_reason_str(out.reason as u32)),
        )
    };
    assert_eq!(decision.to_bytes(), expected.decision.as_str().as_bytes());
    assert_eq!(
        reason.to_bytes(),
        expected.reason.map_or("", |r| r.as_str()).as_bytes()
    );
}

/// Loads `table` through `cors_policy_load` and `cors_policy_view_init`;
/// both must agree with `Table::from_bytes`; on success every request is
/// evaluated through both and compared with the core. Frees what it made.
fn check_table(table: &[u8], requests: &[OwnedRequest]) {
    let table = exact_copy(table);
    let expected = Table::from_bytes(&table);
    let expected_result = match expected {
        Ok(_) => cors_result::Ok,
        Err(error) => cors_result::from(error),
    };

    let mut loaded: *mut cors_policy = ptr::null_mut();
    // SAFETY: `table` holds `len` bytes; `loaded` is writable.
    let result = unsafe { cors_policy_load(table.as_ptr(), table.len(), &mut loaded) };
    assert_eq!(result, expected_result);
    assert_eq!(loaded.is_null(), result != cors_result::Ok);

    // Storage as a C host declares it: uninitialized.
    let mut storage = std::mem::MaybeUninit::<cors_policy_view>::uninit();
    let mut view: *const cors_policy = ptr::null();
    // SAFETY: storage and table outlive every use of `view` below.
    let result = unsafe {
        cors_policy_view_init(storage.as_mut_ptr(), table.as_ptr(), table.len(), &mut view)
    };
    assert_eq!(result, expected_result);
    assert_eq!(view.is_null(), result != cors_result::Ok);

    if let Ok(policy) = expected {
        for request in requests {
            let c_request = CRequest::new(request);
            let rust_request = c_request.rust();
            let outcome = policy.eval(&rust_request.as_request());
            // SAFETY: both handles are live.
            unsafe {
                assert_eval(loaded, &c_request, &outcome);
                assert_eval(view, &c_request, &outcome);
            }
        }
    }
    // SAFETY: an owned handle (or NULL) freed once; a view is ignored.
    unsafe {
        cors_policy_free(loaded);
        cors_policy_free(view.cast_mut());
    }
}

/// The text of a diagnostics accessor, which must be a valid C string.
///
/// # Safety
///
/// `text` is NULL or NUL-terminated.
unsafe fn c_text(text: *const c_char) -> String {
    assert!(!text.is_null(), "diagnostics text is NULL");
    // SAFETY: non-NULL and NUL-terminated by the accessor's contract.
    let text = unsafe { CStr::from_ptr(text) };
    String::from_utf8(text.to_bytes().to_vec()).expect("diagnostics text is UTF-8")
}

/// What the diagnostics text should be: the Rust rendering, with NUL
/// (which a quoted source line may contain) shown as U+FFFD.
fn c_form(text: String) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// `cors_policy_compile` on `source` (any bytes): the result and the
/// diagnostics equal the Rust compiler's; on success the compiled handle,
/// and the table loaded again through the ABI, answer every request as the
/// core does (`requests`, or when `None` a few derived from the model).
fn check_source(source: &[u8], file_name: Option<&CStr>, requests: Option<&[OwnedRequest]>) {
    let src = exact_copy(source);
    let mut policy: *mut cors_policy = ptr::null_mut();
    let mut diags: *mut cors_diagnostics = ptr::null_mut();
    let name_ptr = file_name.map_or(ptr::null(), CStr::as_ptr);
    // SAFETY: `src` holds `len` bytes; the file name is NULL or a C string;
    // both out-parameters are writable.
    let result = unsafe {
        cors_policy_compile(
            src.as_ptr().cast(),
            src.len(),
            name_ptr,
            &mut policy,
            &mut diags,
        )
    };
    assert_ne!(result, cors_result::Panic);
    assert!(!diags.is_null(), "no diagnostics object ({result:?})");
    assert_eq!(policy.is_null(), result != cors_result::Ok);
    let shown_name = file_name.map_or_else(
        || "<policy>".to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    // SAFETY: `diags` is live until freed below.
    let (short, rich, errors, warnings) = unsafe {
        (
            c_text(cors_diagnostics_text(diags)),
            c_text(cors_diagnostics_rendered(diags)),
            cors_diagnostics_error_count(diags),
            cors_diagnostics_warning_count(diags),
        )
    };

    let mut compiled = None;
    match std::str::from_utf8(source) {
        Err(_) => {
            assert_eq!(result, cors_result::SourceNotUtf8);
            assert_eq!((errors, warnings), (1, 0));
            assert!(short.starts_with(&shown_name), "{short:?}");
        }
        Ok(text) => {
            let rust = cors_policy_lang::compile(text);
            let expected_result = match &rust {
                Ok(_) => cors_result::Ok,
                Err(CompileFailure::Invalid(_)) => cors_result::CompileError,
                Err(CompileFailure::Table(_)) => cors_result::TableTooLarge,
            };
            assert_eq!(result, expected_result);
            let diagnostics = match &rust {
                Ok(compiled) => Some(&compiled.diagnostics),
                Err(CompileFailure::Invalid(diagnostics)) => Some(diagnostics),
                Err(CompileFailure::Table(_)) => None,
            };
            if let Some(diagnostics) = diagnostics {
                assert_eq!(errors, diagnostics.error_count());
                assert_eq!(warnings, diagnostics.warning_count());
                let render = |style| c_form(diagnostics.render(&shown_name, text, style));
                assert_eq!(short, render(RenderStyle::Short));
                assert_eq!(rich, render(RenderStyle::Rich));
            }
            compiled = rust.ok();
        }
    }

    if let Some(compiled) = &compiled {
        let table = &compiled.table;
        let derived;
        let requests = match requests {
            Some(requests) => requests,
            None => {
                derived = model_requests(&compiled.model);
                &derived
            }
        };
        let core = Table::from_bytes(table).expect("a compiled table loads");
        for request in requests {
            let c_request = CRequest::new(request);
            let rust_request = c_request.rust();
            let outcome = core.eval(&rust_request.as_request());
            // SAFETY: `policy` is live.
            unsafe { assert_eval(policy, &c_request, &outcome) };
        }
        check_table(table, requests);
    }
    // SAFETY: each freed once; NULL is accepted.
    unsafe {
        cors_policy_free(policy);
        cors_diagnostics_free(diags);
    }
}

/// The argument checks every function documents; cheap, so every run.
fn check_arguments() {
    let mut policy: *mut cors_policy = ptr::null_mut();
    let mut diags: *mut cors_diagnostics = ptr::null_mut();
    let byte = [0u8; 1];
    // SAFETY: NULL arguments are rejected before any use.
    unsafe {
        assert_eq!(
            cors_policy_compile(ptr::null(), 0, ptr::null(), &mut policy, &mut diags),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_compile(
                byte.as_ptr().cast(),
                1,
                ptr::null(),
                ptr::null_mut(),
                &mut diags
            ),
            cors_result::NullArgument
        );
        assert!(policy.is_null() && diags.is_null());
        assert_eq!(
            cors_policy_load(ptr::null(), 0, &mut policy),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_load(byte.as_ptr(), 1, ptr::null_mut()),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_load(byte.as_ptr(), usize::MAX, &mut policy),
            cors_result::InvalidArgument
        );
        assert!(cors_diagnostics_text(ptr::null()).is_null());
        assert!(cors_diagnostics_rendered(ptr::null()).is_null());
        assert_eq!(cors_diagnostics_error_count(ptr::null()), 0);
        cors_diagnostics_free(ptr::null_mut());
        cors_policy_free(ptr::null_mut());
    }
}

/// A request with a NULL pointer and a non-zero length is refused, and the
/// outcome left alone.
///
/// # Safety
///
/// `policy` is a live policy.
unsafe fn check_bad_request(policy: *const cors_policy) {
    let mut request = CRequest::new(&OwnedRequest::default()).c();
    request.origin = cors_bytes {
        ptr: ptr::null(),
        len: 1,
    };
    let mut out = std::mem::MaybeUninit::<cors_outcome>::uninit();
    // SAFETY: the NULL field is rejected before it is read.
    unsafe {
        assert_eq!(
            cors_eval(policy, &request, out.as_mut_ptr()),
            cors_result::InvalidArgument
        );
        assert_eq!(
            cors_eval(policy, ptr::null(), out.as_mut_ptr()),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_eval(ptr::null(), &request, out.as_mut_ptr()),
            cors_result::NullArgument
        );
    }
}

/// The `ffi` target's body (see the module documentation).
pub fn ffi(data: &[u8]) {
    check_arguments();
    if data.starts_with(&MAGIC) {
        let Ok(input) = table_input(data) else {
            return;
        };
        let mut u = Unstructured::new(input.rest);
        let hints = &base_tables()[input.base].2;
        check_table(&input.table, &requests(&mut u, hints));
        return;
    }
    if let Some((0, rest)) = data.split_first() {
        let mut u = Unstructured::new(rest);
        let Ok(generated) = policy_source(&mut u) else {
            return;
        };
        let mut hints: Hints = generated.hints.clone();
        if let Ok(compiled) = cors_policy_lang::compile(&generated.text) {
            let model_hints = Hints::from_model(&compiled.model);
            hints.origins.extend(model_hints.origins);
        }
        let requests = requests(&mut u, &hints);
        check_source(
            generated.text.as_bytes(),
            Some(c"generated"),
            Some(&requests),
        );
        return;
    }
    if data.len() > MAX_SOURCE_LEN {
        return;
    }
    // The file name: NULL now and then, else a C string made from the
    // input's last bytes (any bytes but NUL).
    let file_name = if data.last().is_some_and(|byte| byte % 3 == 0) {
        None
    } else {
        let tail = &data[data.len().saturating_sub(12)..];
        let clean: Vec<u8> = tail.iter().copied().filter(|&b| b != 0).collect();
        Some(CString::new(clean).expect("no NUL left"))
    };
    check_source(data, file_name.as_deref(), None);
    // The same bytes as a table: rejected alike by every loader.
    check_table(data, &[]);
    // The bad-request checks need a live policy: the first base table's.
    let table = exact_copy(&base_tables()[0].0);
    let mut policy: *mut cors_policy = ptr::null_mut();
    // SAFETY: as in `check_table`.
    unsafe {
        assert_eq!(
            cors_policy_load(table.as_ptr(), table.len(), &mut policy),
            cors_result::Ok
        );
        check_bad_request(policy);
        cors_policy_free(policy);
    }
}
