//! corsc as a WebAssembly module for edge runtimes.
//!
//! The module owns no heap and needs no imports (no WASI). The host:
//!
//! 1. asks `cors_wasm_table_buffer(len)` for room for a compiled table, copies
//!    the table there and calls `cors_wasm_load(len)`, which validates it in
//!    place (`cors_policy_view_init`) and returns a `cors_result` (0 = ok);
//! 2. per request, copies the fields (method, path, origin, request method,
//!    request headers) one after the other into the buffer at
//!    `cors_wasm_request_buffer()` (`cors_wasm_request_capacity()` bytes) and calls
//!    `cors_wasm_eval` with their lengths (`-1`: header absent);
//! 3. reads the `cors_outcome` (the C ABI's struct, wasm32 layout) at
//!    `cors_wasm_outcome()`: decision, reason, status, policy name and headers,
//!    whose pointers are offsets into the module's memory.
//!
//! Everything runs through the C ABI (`cors_policy_view_init`, `cors_eval`),
//! so the module evaluates exactly as `cors-ffi` does natively.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

use core::mem::MaybeUninit;
use core::ptr::{addr_of, addr_of_mut};

use cors_ffi::{
    cors_bytes, cors_eval, cors_outcome, cors_policy, cors_policy_view, cors_policy_view_init,
    cors_request, cors_result,
};

/// The most bytes of request fields one `cors_wasm_eval` takes.
const REQUEST_CAPACITY: usize = 16 * 1024;
const PAGE: usize = 64 * 1024;

static mut REQUEST: [u8; REQUEST_CAPACITY] = [0; REQUEST_CAPACITY];
/// The table buffer: pages taken with `memory.grow`, never freed (the host
/// reuses them for the next table when it fits).
static mut TABLE: *mut u8 = core::ptr::null_mut();
static mut TABLE_CAPACITY: usize = 0;
static mut VIEW: MaybeUninit<cors_policy_view> = MaybeUninit::uninit();
/// The loaded policy (into `VIEW`), or NULL.
static mut POLICY: *const cors_policy = core::ptr::null();
static mut OUTCOME: MaybeUninit<cors_outcome> = MaybeUninit::uninit();

/// The request buffer the host writes the fields of a request into.
#[no_mangle]
pub extern "C" fn cors_wasm_request_buffer() -> *mut u8 {
    addr_of_mut!(REQUEST).cast()
}

/// The size of the request buffer, in bytes.
#[no_mangle]
pub extern "C" fn cors_wasm_request_capacity() -> usize {
    REQUEST_CAPACITY
}

/// Room for a table of `len` bytes (page-aligned), growing the memory if
/// needed; NULL if the memory cannot grow. Unloads the current policy: the
/// host is about to overwrite its table.
#[no_mangle]
pub extern "C" fn cors_wasm_table_buffer(len: usize) -> *mut u8 {
    // SAFETY: wasm32 is single-threaded; these statics are only touched by
    // the exported functions, which never re-enter.
    unsafe {
        POLICY = core::ptr::null();
        if len > TABLE_CAPACITY {
            let pages = len.div_ceil(PAGE);
            let old = grow(pages);
            if old == usize::MAX {
                return core::ptr::null_mut();
            }
            TABLE = (old * PAGE) as *mut u8;
            TABLE_CAPACITY = pages * PAGE;
        }
        TABLE
    }
}

#[cfg(target_arch = "wasm32")]
fn grow(pages: usize) -> usize {
    core::arch::wasm32::memory_grow(0, pages)
}

#[cfg(not(target_arch = "wasm32"))]
fn grow(_pages: usize) -> usize {
    usize::MAX
}

/// Validates the `len` bytes at the table buffer in place and makes them
/// the policy `cors_wasm_eval` uses. Returns a `cors_result`: 0 on success, a
/// `CORS_RESULT_TABLE_*` code for a rejected table (nothing is loaded then).
#[no_mangle]
pub extern "C" fn cors_wasm_load(len: usize) -> u32 {
    // SAFETY: single-threaded (see `cors_wasm_table_buffer`); the table buffer
    // holds `TABLE_CAPACITY` bytes and lives as long as the module; the view
    // is a static.
    unsafe {
        POLICY = core::ptr::null();
        if len > TABLE_CAPACITY {
            return cors_result::InvalidArgument as u32;
        }
        let table = if TABLE.is_null() {
            addr_of!(REQUEST).cast::<u8>()
        } else {
            TABLE.cast_const()
        };
        let mut policy = core::ptr::null();
        let result = cors_policy_view_init(
            addr_of_mut!(VIEW).cast::<cors_policy_view>(),
            table,
            len,
            &mut policy,
        );
        if result == cors_result::Ok {
            POLICY = policy;
        }
        result as u32
    }
}

/// Evaluates the request whose fields are in the request buffer, one after
/// the other, with these lengths (`-1` for an absent header; method and path
/// are never absent), and writes the outcome to `cors_wasm_outcome()`.
/// `private_network` non-zero means the request carries
/// `Access-Control-Request-Private-Network: true`.
///
/// Returns a `cors_result`: 0 on success, `CORS_RESULT_NULL_ARGUMENT` if no
/// policy is loaded, `CORS_RESULT_INVALID_ARGUMENT` if the lengths do not
/// fit the buffer.
#[no_mangle]
pub extern "C" fn cors_wasm_eval(
    method: i32,
    path: i32,
    origin: i32,
    request_method: i32,
    request_headers: i32,
    private_network: u32,
) -> u32 {
    let base: *const u8 = addr_of!(REQUEST).cast();
    let mut used = 0usize;
    let mut field = |len: i32, optional: bool| -> Option<cors_bytes> {
        if len < 0 {
            return (optional && len == -1).then_some(cors_bytes {
                ptr: core::ptr::null(),
                len: 0,
            });
        }
        let len = len as usize;
        let end = used
            .checked_add(len)
            .filter(|&end| end <= REQUEST_CAPACITY)?;
        // SAFETY: `used..end` is inside the request buffer.
        let ptr = unsafe { base.add(used) };
        used = end;
        Some(cors_bytes { ptr, len })
    };
    let (Some(method), Some(path), Some(origin), Some(request_method), Some(request_headers)) = (
        field(method, false),
        field(path, false),
        field(origin, true),
        field(request_method, true),
        field(request_headers, true),
    ) else {
        return cors_result::InvalidArgument as u32;
    };
    let request = cors_request {
        method,
        path,
        origin,
        request_method,
        request_headers,
        private_network: private_network != 0,
    };
    // SAFETY: single-threaded; `POLICY` is NULL or a live view over the
    // table buffer; the request points into the request buffer; the outcome
    // is a static.
    unsafe { cors_eval(POLICY, &request, addr_of_mut!(OUTCOME).cast()) as u32 }
}

/// The outcome of the last successful `cors_wasm_eval`: a `cors_outcome` (wasm32
/// layout: decision u32 @0, reason u32 @4, status u16 @8, policy {ptr,len}
/// @12, header_count @20, headers @24, 7 x {name ptr,len, value ptr,len}).
#[no_mangle]
pub extern "C" fn cors_wasm_outcome() -> *const cors_outcome {
    addr_of!(OUTCOME).cast()
}
