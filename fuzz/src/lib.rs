//! What only the fuzz binaries need: [`fixed_hash_keys`]. Everything else
//! the targets use (the input decoders, the checks and the target bodies
//! themselves) is in the workspace crate `cors-testing`, shared with the
//! test suites, which replay the committed seeds through the same bodies
//! on stable (`fuzz/testing/tests/it/fuzz_seeds.rs`).

/// Makes std's `HashMap` keys the same in every run of a fuzz target, so
/// that a run is reproducible: `scripts/fuzz-smoke` relies on libFuzzer
/// making the same inputs from the same seeds and `-seed`, and libFuzzer
/// picks inputs by the coverage they reach, which includes the probe loops
/// of hash tables (`RandomState` would give each process other collisions,
/// so other coverage, so other inputs). Expand once in each target: it
/// defines `getrandom`, which std calls (a weak symbol) for its hash keys
/// and nothing else in a target needs. The bytes are a fixed xorshift
/// sequence: no randomness is wanted anywhere in a fuzz target (libFuzzer
/// has its own generator, seeded by `-seed`).
#[macro_export]
macro_rules! fixed_hash_keys {
    () => {
        /// Deterministic stand-in for glibc's `getrandom` (see
        /// `cors_fuzz::fixed_hash_keys`).
        ///
        /// # Safety
        ///
        /// `buffer` is valid for `length` bytes of writes, as `getrandom`
        /// requires of its callers.
        #[no_mangle]
        pub unsafe extern "C" fn getrandom(
            buffer: *mut ::std::ffi::c_void,
            length: usize,
            _flags: ::std::ffi::c_uint,
        ) -> isize {
            static STATE: ::std::sync::atomic::AtomicU64 =
                ::std::sync::atomic::AtomicU64::new(0x2545_f491_4f6c_dd1d);
            let buffer = buffer.cast::<u8>();
            for i in 0..length {
                let mut x = STATE.load(::std::sync::atomic::Ordering::Relaxed);
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                STATE.store(x, ::std::sync::atomic::Ordering::Relaxed);
                // SAFETY: `i < length`, within the caller's buffer.
                unsafe { buffer.add(i).write(x as u8) };
            }
            isize::try_from(length).unwrap_or(isize::MAX)
        }
    };
}
