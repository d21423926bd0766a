//! Every exported function against NULL arguments, with the exact result:
//! the rule in cors-ffi/README.md, "API conventions". A required pointer that is
//! NULL is `CORS_RESULT_NULL_ARGUMENT`; a (pointer, length) pair with a NULL
//! pointer and a non-zero length is `CORS_RESULT_INVALID_ARGUMENT`; a NULL
//! `cors_bytes` with length 0 in a request is an absent header. When both
//! apply, `CORS_RESULT_NULL_ARGUMENT` is reported. Out-parameters are left
//! alone on every error.

use core::mem::MaybeUninit;
use core::ptr;

use crate::*;

const SOURCE: &str =
    "policy api {\n  paths /api/;\n  origins https://*.example.com;\n  methods GET;\n}\n";

fn table() -> Vec<u8> {
    cors_policy_lang::compile(SOURCE)
        .expect("the policy compiles")
        .table
}

/// A pointer no function may write through or return: the out-parameters'
/// starting value, checked afterwards.
fn sentinel<T>() -> *mut T {
    ptr::NonNull::<T>::dangling().as_ptr()
}

#[test]
fn policy_load() {
    let table = table();
    let mut out = sentinel::<cors_policy>();
    // SAFETY: every pointer is NULL, valid, or refused before use.
    unsafe {
        assert_eq!(
            cors_policy_load(ptr::null(), 1, &mut out),
            cors_result::InvalidArgument
        );
        assert_eq!(
            cors_policy_load(ptr::null(), table.len(), &mut out),
            cors_result::InvalidArgument
        );
        assert_eq!(
            cors_policy_load(ptr::null(), 0, &mut out),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_load(table.as_ptr(), table.len(), ptr::null_mut()),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_load(ptr::null(), 1, ptr::null_mut()),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_load(table.as_ptr(), usize::MAX, &mut out),
            cors_result::InvalidArgument
        );
        assert_eq!(out, sentinel());
        assert_eq!(
            cors_policy_load(table.as_ptr(), table.len(), &mut out),
            cors_result::Ok
        );
        assert_eq!(cors_policy_count(out), 1);
        cors_policy_free(out);
    }
}

#[test]
fn policy_view_init() {
    let table = table();
    let mut view = MaybeUninit::<cors_policy_view>::uninit();
    let view = view.as_mut_ptr();
    let mut out = sentinel::<cors_policy>().cast_const();
    // SAFETY: every pointer is NULL, valid, or refused before use.
    unsafe {
        assert_eq!(
            cors_policy_view_init(view, ptr::null(), 1, &mut out),
            cors_result::InvalidArgument
        );
        assert_eq!(
            cors_policy_view_init(view, ptr::null(), table.len(), &mut out),
            cors_result::InvalidArgument
        );
        assert_eq!(
            cors_policy_view_init(view, ptr::null(), 0, &mut out),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_view_init(ptr::null_mut(), table.as_ptr(), table.len(), &mut out),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_view_init(view, table.as_ptr(), table.len(), ptr::null_mut()),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_view_init(ptr::null_mut(), ptr::null(), 1, &mut out),
            cors_result::NullArgument
        );
        assert_eq!(out, sentinel::<cors_policy>().cast_const());
        assert_eq!(
            cors_policy_view_init(view, table.as_ptr(), table.len(), &mut out),
            cors_result::Ok
        );
        assert_eq!(cors_policy_count(out), 1);
    }
}

#[test]
fn policy_compile() {
    let source = SOURCE.as_ptr().cast::<core::ffi::c_char>();
    let mut out = sentinel::<cors_policy>();
    let mut diags = sentinel::<cors_diagnostics>();
    // SAFETY: every pointer is NULL, valid, or refused before use.
    unsafe {
        assert_eq!(
            cors_policy_compile(ptr::null(), 3, ptr::null(), &mut out, &mut diags),
            cors_result::InvalidArgument
        );
        assert_eq!(
            cors_policy_compile(ptr::null(), 0, ptr::null(), &mut out, &mut diags),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_compile(
                source,
                SOURCE.len(),
                ptr::null(),
                ptr::null_mut(),
                &mut diags
            ),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_compile(ptr::null(), 3, ptr::null(), ptr::null_mut(), &mut diags),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_policy_compile(source, usize::MAX, ptr::null(), &mut out, &mut diags),
            cors_result::InvalidArgument
        );
        assert_eq!((out, diags), (sentinel(), sentinel()));
        // `filename` and `diags` are optional.
        assert_eq!(
            cors_policy_compile(source, SOURCE.len(), ptr::null(), &mut out, ptr::null_mut()),
            cors_result::Ok
        );
        assert_eq!(cors_policy_count(out), 1);
        cors_policy_free(out);
    }
}

#[test]
fn eval() {
    let table = table();
    let mut policy = ptr::null_mut();
    // SAFETY: a valid table and out-parameter.
    let loaded = unsafe { cors_policy_load(table.as_ptr(), table.len(), &mut policy) };
    assert_eq!(loaded, cors_result::Ok);
    let text = |value: &'static str| cors_bytes {
        ptr: value.as_ptr(),
        len: value.len(),
    };
    let null = |len: usize| cors_bytes {
        ptr: ptr::null(),
        len,
    };
    let request = cors_request {
        method: text("OPTIONS"),
        path: text("/api/users"),
        origin: text("https://app.example.com"),
        request_method: text("GET"),
        request_headers: text("x-custom"),
        private_network: false,
    };
    let mut out = MaybeUninit::<cors_outcome>::uninit();
    // SAFETY: every pointer is NULL, valid, or refused before use.
    unsafe {
        assert_eq!(
            cors_eval(ptr::null(), &request, out.as_mut_ptr()),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_eval(policy, ptr::null(), out.as_mut_ptr()),
            cors_result::NullArgument
        );
        assert_eq!(
            cors_eval(policy, &request, ptr::null_mut()),
            cors_result::NullArgument
        );
        let fields: [fn(&mut cors_request) -> &mut cors_bytes; 5] = [
            |r| &mut r.method,
            |r| &mut r.path,
            |r| &mut r.origin,
            |r| &mut r.request_method,
            |r| &mut r.request_headers,
        ];
        for (index, field) in fields.iter().enumerate() {
            let mut bad = request;
            *field(&mut bad) = null(4);
            assert_eq!(
                cors_eval(policy, &bad, out.as_mut_ptr()),
                cors_result::InvalidArgument,
                "field {index}"
            );
            assert_eq!(
                cors_eval(ptr::null(), &bad, out.as_mut_ptr()),
                cors_result::NullArgument,
                "field {index}"
            );
            // NULL with length 0: absent (empty for the method and path).
            *field(&mut bad) = null(0);
            assert_eq!(
                cors_eval(policy, &bad, out.as_mut_ptr()),
                cors_result::Ok,
                "field {index}"
            );
        }
        let mut no_origin = request;
        no_origin.origin = null(0);
        assert_eq!(
            cors_eval(policy, &no_origin, out.as_mut_ptr()),
            cors_result::Ok
        );
        assert_eq!(out.assume_init().reason, cors_reason::NotCors);
        cors_policy_free(policy);
    }
}

#[test]
fn functions_that_accept_null() {
    // SAFETY: each documents NULL as accepted.
    unsafe {
        assert_eq!(cors_policy_count(ptr::null()), 0);
        cors_policy_free(ptr::null_mut());
        cors_diagnostics_free(ptr::null_mut());
        assert!(cors_diagnostics_text(ptr::null()).is_null());
        assert!(cors_diagnostics_rendered(ptr::null()).is_null());
        assert_eq!(cors_diagnostics_error_count(ptr::null()), 0);
        assert_eq!(cors_diagnostics_warning_count(ptr::null()), 0);
    }
}
