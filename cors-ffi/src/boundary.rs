//! The panic boundary every exported function body runs inside.

/// Evaluates `$body`; if it panics, returns `$on_panic` instead of letting
/// the unwind cross into C (which would be undefined behaviour).
///
/// Without `std` there is no `catch_unwind`; the crate is then built with
/// `panic = "abort"` and the panic handler halts.
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:block) => {{
        #[cfg(feature = "std")]
        {
            match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
                Ok(value) => value,
                Err(_) => $on_panic,
            }
        }
        #[cfg(not(feature = "std"))]
        {
            $body
        }
    }};
}
