//! `cors_policy`: a validated table, owned (heap copy) or viewed in place.

#[cfg(feature = "std")]
use core::ptr::NonNull;

use cors_match_core::Table;

use crate::result::cors_result;

/// A loaded, validated policy table. Opaque; immutable once created, so one
/// `cors_policy` may be used by any number of threads at once.
///
/// Obtained from `cors_policy_load` or `cors_policy_compile` (owned: free it
/// with `cors_policy_free`) or from `cors_policy_view_init` (a view into
/// caller storage: nothing to free).
pub struct cors_policy {
    pub(crate) policy: Table<'static>,
    /// The heap copy `policy` borrows from when this handle owns one; `None`
    /// for a view, which borrows the caller's table.
    #[cfg(feature = "std")]
    owned_table: Option<NonNull<[u8]>>,
}

// SAFETY: a `cors_policy` is never mutated after creation, and the table it
// owns (if any) is only read, and freed once by `cors_policy_free`.
unsafe impl Send for cors_policy {}
// SAFETY: as above: shared access is read-only.
unsafe impl Sync for cors_policy {}

/// The number of 64-bit words in a `cors_policy_view`.
pub const CORS_POLICY_VIEW_WORDS: usize = 16;

/// Caller-provided storage for a policy that reads its table in place, with
/// no heap: declare one (static, global or on the stack), pass it to
/// `cors_policy_view_init`, and use the `cors_policy` pointer that returns.
/// The contents are private.
#[repr(C)]
pub struct cors_policy_view {
    opaque: [u64; CORS_POLICY_VIEW_WORDS],
}

const _: () = {
    assert!(core::mem::size_of::<cors_policy>() <= core::mem::size_of::<cors_policy_view>());
    assert!(core::mem::align_of::<cors_policy>() <= core::mem::align_of::<cors_policy_view>());
};

/// Turns a (pointer, length) pair from C into a slice; `None` when the
/// pointer is NULL with a non-zero length or the length is impossible.
///
/// # Safety
///
/// A non-NULL `data` must point to `len` readable bytes that stay valid and
/// unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(data: *const u8, len: usize) -> Option<&'a [u8]> {
    if len > isize::MAX as usize {
        return None;
    }
    if data.is_null() {
        return if len == 0 { Some(&[]) } else { None };
    }
    // SAFETY: non-NULL and in bounds by the caller's contract; the length is
    // within `isize::MAX`.
    Some(unsafe { core::slice::from_raw_parts(data, len) })
}

/// [`bytes`] for a buffer the function cannot do without (a table, a
/// source): NULL with length 0 is `CORS_RESULT_NULL_ARGUMENT`, NULL with a
/// non-zero length (or an impossible length) `CORS_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn required_bytes<'a>(
    data: *const u8,
    len: usize,
) -> Result<&'a [u8], cors_result> {
    if data.is_null() && len == 0 {
        return Err(cors_result::NullArgument);
    }
    // SAFETY: the caller's contract is `bytes`'s.
    unsafe { bytes(data, len) }.ok_or(cors_result::InvalidArgument)
}

/// Validates a compiled table in place and makes `storage` a policy that
/// reads it, without allocating. On success `*out` points into `storage`;
/// use it with `cors_eval`. There is nothing to free: the policy lives as
/// long as `storage` and `table`.
///
/// `table` must stay valid and unchanged, and `storage` must not move or be
/// reused, for as long as the policy is used (a table in flash and a
/// `static` storage satisfy this for the whole program). Passing the result
/// to `cors_policy_free` does nothing.
///
/// Returns `CORS_RESULT_NULL_ARGUMENT` if `storage` or `out` is NULL, or
/// `table` is NULL with `len` 0; `CORS_RESULT_INVALID_ARGUMENT` if `table`
/// is NULL with a non-zero `len`; or a `CORS_RESULT_TABLE_*` code saying why
/// the table was rejected. `*out` is then untouched.
///
/// # Safety
///
/// `storage` and `out` must be valid for writes; `table` must point to `len`
/// readable bytes with the lifetime described above.
#[no_mangle]
pub unsafe extern "C" fn cors_policy_view_init(
    storage: *mut cors_policy_view,
    table: *const u8,
    len: usize,
    out: *mut *const cors_policy,
) -> cors_result {
    ffi_boundary!(cors_result::Panic, {
        if storage.is_null() || out.is_null() {
            return cors_result::NullArgument;
        }
        // SAFETY: the caller keeps `table` valid and unchanged while the view
        // is used, which is what the `'static` borrow stands for.
        let table = match unsafe { required_bytes(table, len) } {
            Ok(table) => table,
            Err(result) => return result,
        };
        let policy = match Table::from_bytes(table) {
            Ok(policy) => policy,
            Err(error) => return error.into(),
        };
        let slot = storage.cast::<cors_policy>();
        // SAFETY: `storage` is valid for writes, large and aligned enough for
        // a `cors_policy` (checked at compile time above).
        unsafe {
            slot.write(cors_policy {
                policy,
                #[cfg(feature = "std")]
                owned_table: None,
            });
            *out = slot;
        }
        cors_result::Ok
    })
}

#[cfg(feature = "std")]
impl cors_policy {
    /// Takes ownership of `table` (already a private copy), validates it and
    /// returns a heap handle for C.
    pub(crate) fn from_owned_table(table: Box<[u8]>) -> Result<*mut cors_policy, cors_result> {
        let raw = NonNull::from(Box::leak(table));
        // SAFETY: `raw` came from a leaked box; it stays allocated and unchanged
        // until `cors_policy_free` rebuilds and drops the box, after which the
        // policy borrowing it is gone too.
        let bytes: &'static [u8] = unsafe { raw.as_ref() };
        match Table::from_bytes(bytes) {
            Ok(policy) => Ok(Box::into_raw(Box::new(cors_policy {
                policy,
                owned_table: Some(raw),
            }))),
            Err(error) => {
                // SAFETY: nothing borrows `raw` any more; it is freed once.
                drop(unsafe { Box::from_raw(raw.as_ptr()) });
                Err(error.into())
            }
        }
    }
}

/// Copies a compiled table (the output of `corsc compile`), validates it and
/// sets `*out` to a new policy that owns the copy: `table` may be freed as
/// soon as this returns. Free the policy with `cors_policy_free`.
///
/// Returns `CORS_RESULT_NULL_ARGUMENT` if `out` is NULL, or `table` is NULL
/// with `len` 0; `CORS_RESULT_INVALID_ARGUMENT` if `table` is NULL with a
/// non-zero `len`; or a `CORS_RESULT_TABLE_*` code saying why the table was
/// rejected (truncated, not a table, wrong version, corrupted...). `*out` is
/// then untouched.
///
/// # Safety
///
/// `table` must point to `len` readable bytes and `out` must be valid for a
/// write.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn cors_policy_load(
    table: *const u8,
    len: usize,
    out: *mut *mut cors_policy,
) -> cors_result {
    ffi_boundary!(cors_result::Panic, {
        if out.is_null() {
            return cors_result::NullArgument;
        }
        // SAFETY: the caller guarantees `len` readable bytes; they are copied now.
        let table = match unsafe { required_bytes(table, len) } {
            Ok(table) => table,
            Err(result) => return result,
        };
        match cors_policy::from_owned_table(table.into()) {
            Ok(policy) => {
                // SAFETY: `out` is valid for a write.
                unsafe { *out = policy };
                cors_result::Ok
            }
            Err(result) => result,
        }
    })
}

/// Frees a policy returned by `cors_policy_load` or `cors_policy_compile`,
/// with its table. NULL, and a policy from `cors_policy_view_init`, are
/// accepted and ignored. After this call the policy, and every pointer into
/// it (outcome headers, policy names), must not be used.
///
/// # Safety
///
/// `policy` is NULL, a view, or an owned policy not yet freed and no longer
/// used by any thread.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn cors_policy_free(policy: *mut cors_policy) {
    ffi_boundary!((), {
        if policy.is_null() {
            return;
        }
        // SAFETY: `policy` is a live handle by the caller's contract.
        let Some(table) = (unsafe { (*policy).owned_table }) else {
            return;
        };
        // SAFETY: an owned handle was made by `Box::into_raw` and its table by
        // `Box::leak`; each is rebuilt and dropped exactly once, here.
        unsafe {
            drop(Box::from_raw(policy));
            drop(Box::from_raw(table.as_ptr()));
        }
    })
}

/// The number of policies in a loaded table; 0 for NULL. A table with no
/// policy evaluates every request as `pass`/`no-policy`: hosts that expect
/// CORS to be enforced (the nginx module) refuse it.
///
/// # Safety
///
/// `policy` is NULL or a live policy handle.
#[no_mangle]
pub unsafe extern "C" fn cors_policy_count(policy: *const cors_policy) -> usize {
    ffi_boundary!(0, {
        if policy.is_null() {
            return 0;
        }
        // SAFETY: a non-NULL `policy` is a live handle by the caller's contract.
        unsafe { (*policy).policy.policy_count() }
    })
}
