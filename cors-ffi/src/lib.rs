//! The C ABI of corsc.
//!
//! A host written in C loads a compiled table ([`cors_policy_load`], or
//! [`cors_policy_view_init`] over caller storage with no heap at all) or
//! compiles `.corspolicy` source in-process ([`cors_policy_compile`]), then
//! asks [`cors_eval`] about each request. Evaluation allocates nothing and
//! takes no lock; a `cors_policy` is immutable and may be shared by any
//! number of threads.
//!
//! Conventions (after rustls-ffi): every name starts with `cors_`; functions
//! are `cors_<object>_<verb>`; fallible functions return a [`cors_result`]
//! and write their out-parameters only on success; every pointer is checked;
//! every exported body runs inside one panic boundary, so no panic unwinds
//! into C. The header `include/cors.h` is generated from this crate by
//! cbindgen and committed.
//!
//! Without the default `std` feature the crate is `no_std` and needs no
//! allocator: only the view, [`cors_eval`] and the name functions remain,
//! for firmware that keeps its table in flash.
#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
// The exported types are named as C sees them (`cors_policy`, `cors_result`).
#![allow(non_camel_case_types)]

#[cfg(all(test, feature = "std"))]
mod argument_tests;
#[macro_use]
mod boundary;
#[cfg(feature = "std")]
mod compile;
mod eval;
mod names;
mod policy;
mod result;

#[cfg(feature = "std")]
pub use compile::{
    cors_diagnostics, cors_diagnostics_error_count, cors_diagnostics_free,
    cors_diagnostics_rendered, cors_diagnostics_text, cors_diagnostics_warning_count,
    cors_policy_compile,
};
pub use eval::{
    cors_bytes, cors_decision, cors_eval, cors_header, cors_outcome, cors_reason, cors_request,
    CORS_MAX_HEADERS,
};
pub use names::{
    cors_decision_str, cors_reason_str, cors_table_format_version, cors_version,
    CORS_TABLE_FORMAT_VERSION, CORS_TABLE_MAGIC, CORS_TABLE_MAGIC_LEN,
};
pub use policy::{
    cors_policy, cors_policy_count, cors_policy_view, cors_policy_view_init, CORS_POLICY_VIEW_WORDS,
};
#[cfg(feature = "std")]
pub use policy::{cors_policy_free, cors_policy_load};
pub use result::{cors_result, cors_result_str};

/// Without `std` there is no unwinding to catch: a panic (a bug; the core is
/// written and fuzzed never to panic) halts here, as `panic-halt` does.
#[cfg(all(not(feature = "std"), not(test)))]
#[panic_handler]
fn halt(_: &core::panic::PanicInfo<'_>) -> ! {
    // In a WebAssembly engine a trap ends the call (the host sees an
    // exception); spinning would burn an edge runtime's CPU budget.
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    loop {
        core::hint::spin_loop();
    }
}
