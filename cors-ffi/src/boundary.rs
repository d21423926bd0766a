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

#[cfg(test)]
mod tests {
    use crate::result::cors_result;

    #[test]
    fn a_panic_becomes_the_fallback_value() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let fail = std::hint::black_box(true);
        let result = ffi_boundary!(cors_result::Panic, {
            if fail {
                panic!("a bug");
            }
            cors_result::Ok
        });
        std::panic::set_hook(quiet);
        assert_eq!(result, cors_result::Panic);
        assert_eq!(
            ffi_boundary!(cors_result::Panic, { cors_result::Ok }),
            cors_result::Ok
        );
    }
}
