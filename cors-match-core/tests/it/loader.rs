//! The loader accepts compiled tables and rejects everything else with a
//! typed error, without panicking: truncation, bit flips, foreign bytes,
//! future versions, and structurally invalid tables whose checksum was
//! recomputed (what a careless or malicious writer would produce).

use cors_match_core::format::{
    self, checksum, flags, header, methods, origin_index, policy as record, read_u32, HEADER_LEN,
    MAGIC, NO_POLICY, NO_STATE, POLICY_LEN, STATE_LEN, TRANSITION_LEN, VERSION,
};
use cors_match_core::{Decision, LoadError, Reason, Request, Table};
use proptest::prelude::*;

// The tables are committed fixtures (`tests/fixtures/loader/`), so the
// loader is tested without the compiler. `cors-policy-lang`'s
// `tests/it/golden_table.rs` builds each from a policy set, checks the
// compiler still writes these bytes and rewrites them with `BLESS=1`; what
// each holds (the names and literals asserted below) is described there.

/// Policies `api` and `assets`: literal, wildcard and `:*` origins, a known
/// and another method, headers, so that every section and every kind of
/// automaton (with literal runs) is there.
const SMALL: &[u8] = include_bytes!("../fixtures/loader/small.cors");
/// Policy `big`: thousands of states, `:*` ports, for the stepped sweeps.
const BIG: &[u8] = include_bytes!("../fixtures/loader/big.cors");
/// No policy at all.
const EMPTY: &[u8] = include_bytes!("../fixtures/loader/empty.cors");
/// `policy api { paths /api/; origins https://app.example.com; }`,
/// compiled from source.
const ONE_PREFIX: &[u8] = include_bytes!("../fixtures/one_prefix.cors");
/// Policy `p`: `https://h0.example.com` to `https://h39.example.com`.
const FORTY_ORIGINS: &[u8] = include_bytes!("../fixtures/loader/forty_origins.cors");
/// `api` (`https://app.example.com:*`, paths `/api/v1/users/` and
/// `/api/v2/`, an 82-byte exposed header) and `other` (`origins *`).
const LITERAL_RUNS: &[u8] = include_bytes!("../fixtures/loader/literal_runs.cors");
/// `api` (`https://app.example.com`) with methods GET, PUT, DELETE and
/// X-Custom.
const KNOWN_METHODS: &[u8] = include_bytes!("../fixtures/loader/known_methods.cors");
/// The same with GET, PATCH and OPTIONS only.
const KNOWN_METHODS_ONLY: &[u8] = include_bytes!("../fixtures/loader/known_methods_only.cors");
/// `api` (`https://` 70 `h`s `.example.com:*`, path `/` 98 `p`s `/`) and
/// `other` (`origins *`).
const LONG_LITERALS: &[u8] = include_bytes!("../fixtures/loader/long_literals.cors");

fn small_table() -> Vec<u8> {
    SMALL.to_vec()
}

fn u32_at(table: &[u8], offset: usize) -> u32 {
    read_u32(table, offset).expect("in bounds")
}

fn put_u32(table: &mut [u8], offset: usize, value: u32) {
    table[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
}

/// Rewrites the checksum so only the structural checks can catch the edit.
fn reseal(table: &mut [u8]) {
    let crc = checksum(table).expect("longer than the header");
    put_u32(table, header::CHECKSUM, crc);
}

fn load(table: &[u8]) -> Result<(), LoadError> {
    Table::from_bytes(table).map(|_| ())
}

/// A loaded table answers a few requests without panicking.
fn exercise(table: &Table<'_>) {
    let origins: [&[u8]; 4] = [
        b"https://app.example.com",
        b"https://a.example.com:8443",
        b"x",
        b"",
    ];
    for origin in origins {
        for (method, request_method) in [(&b"GET"[..], None), (b"OPTIONS", Some(&b"PUT"[..]))] {
            let request = Request {
                origin: Some(origin),
                request_method,
                request_headers: Some(b"x-a, X-B"),
                request_private_network: Some(b"true"),
                ..Request::new(method, b"/api/x")
            };
            let _ = table.eval(&request);
            let _ = table.eval(&Request {
                path: b"/",
                ..request
            });
        }
    }
}

#[test]
fn compiled_tables_load_and_evaluate() {
    let sets: [(&[u8], &[&str]); 3] = [(SMALL, &["api", "assets"]), (BIG, &["big"]), (EMPTY, &[])];
    for (bytes, names) in sets {
        let table = Table::from_bytes(bytes).expect("a compiled table loads");
        assert_eq!(table.policy_count(), names.len());
        for (index, name) in names.iter().enumerate() {
            assert_eq!(table.policy_name(index), Some(name.as_bytes()));
        }
        assert_eq!(table.policy_name(names.len()), None);
    }
    let bytes = small_table();
    let table = Table::from_bytes(&bytes).unwrap();
    let request = Request {
        origin: Some(b"https://app.example.com"),
        ..Request::new(b"GET", b"/api/x")
    };
    assert_eq!(table.eval(&request).decision, Decision::ActualAllowed);
}

#[test]
fn compiled_source_loads() {
    let table = Table::from_bytes(ONE_PREFIX).expect("loads");
    assert_eq!(table.policy_name(0), Some(&b"api"[..]));
}

/// Every prefix of a table is rejected: `Truncated` below the header (the
/// prefix still starts like a table), `LengthMismatch` from there on.
fn check_truncations(bytes: &[u8], step: usize) {
    let len = bytes.len();
    let mut cut = 0;
    while cut < len {
        let error = Table::from_bytes(&bytes[..cut]).expect_err("a truncated table must not load");
        if cut < HEADER_LEN {
            assert_eq!(error, LoadError::Truncated, "cut at {cut}");
        } else {
            assert_eq!(
                error,
                LoadError::LengthMismatch {
                    declared: len as u32,
                    actual: cut
                },
                "cut at {cut}"
            );
        }
        // Small cuts one by one, then stride, and always the last few.
        cut += if cut < HEADER_LEN * 2 || cut + 16 >= len {
            1
        } else {
            step
        };
    }
}

#[test]
fn every_truncation_is_rejected() {
    check_truncations(&small_table(), 1);
    let big = BIG;
    assert!(big.len() > 20_000, "the big table is {} bytes", big.len());
    check_truncations(big, (big.len() / 2000).max(1));
}

/// What the loader must say when bit `bit` of byte `offset` is flipped.
fn expected_for_flip(original: &[u8], offset: usize, flipped: &[u8]) -> LoadError {
    match offset {
        o if o < header::ENDIAN => LoadError::BadMagic,
        o if o < header::VERSION => LoadError::BadEndianness,
        o if o < header::TOTAL_LEN => LoadError::UnsupportedVersion {
            found: u32_at(flipped, header::VERSION),
        },
        o if o < header::CHECKSUM => LoadError::LengthMismatch {
            declared: u32_at(flipped, header::TOTAL_LEN),
            actual: original.len(),
        },
        _ => LoadError::ChecksumMismatch {
            stored: u32_at(flipped, header::CHECKSUM),
            computed: checksum(flipped).unwrap(),
        },
    }
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let bytes = small_table();
    let mut flipped = bytes.clone();
    for offset in 0..bytes.len() {
        for bit in 0..8 {
            flipped[offset] ^= 1 << bit;
            let error = Table::from_bytes(&flipped).expect_err("a flipped bit must be caught");
            assert_eq!(
                error,
                expected_for_flip(&bytes, offset, &flipped),
                "bit {bit} of byte {offset}"
            );
            flipped[offset] ^= 1 << bit;
        }
    }
    assert_eq!(flipped, bytes);
}

#[test]
fn bit_flips_in_a_big_table_are_rejected() {
    let bytes = BIG;
    let mut flipped = bytes.to_vec();
    let step = (bytes.len() / 256).max(1);
    for offset in (0..bytes.len()).step_by(step) {
        let bit = (offset / step) % 8;
        flipped[offset] ^= 1 << bit;
        assert_eq!(
            Table::from_bytes(&flipped).map(|_| ()),
            Err(expected_for_flip(bytes, offset, &flipped)),
            "bit {bit} of byte {offset}"
        );
        flipped[offset] ^= 1 << bit;
    }
}

#[test]
fn foreign_bytes_are_not_a_table() {
    assert_eq!(load(b""), Err(LoadError::Truncated));
    assert_eq!(load(b"CORS"), Err(LoadError::Truncated));
    assert_eq!(load(&MAGIC), Err(LoadError::Truncated));
    assert_eq!(load(b"\x7fELF"), Err(LoadError::BadMagic));
    assert_eq!(load(b"{\"policies\": []}"), Err(LoadError::BadMagic));
    assert_eq!(load(&[0u8; 4096]), Err(LoadError::BadMagic));

    let mut bytes = small_table();
    bytes[..MAGIC.len()].copy_from_slice(b"CORSTBL2");
    reseal(&mut bytes);
    assert_eq!(load(&bytes), Err(LoadError::BadMagic));
    bytes[..MAGIC.len()].copy_from_slice(b"corstbl\0");
    assert_eq!(load(&bytes), Err(LoadError::BadMagic));
}

#[test]
fn big_endian_table_is_rejected() {
    let mut bytes = small_table();
    put_u32(
        &mut bytes,
        header::ENDIAN,
        format::ENDIAN_MARKER.swap_bytes(),
    );
    reseal(&mut bytes);
    assert_eq!(load(&bytes), Err(LoadError::BadEndianness));
}

#[test]
fn future_versions_are_rejected_by_number() {
    for found in [VERSION + 1, 0, u32::MAX] {
        let mut bytes = small_table();
        put_u32(&mut bytes, header::VERSION, found);
        reseal(&mut bytes);
        assert_eq!(load(&bytes), Err(LoadError::UnsupportedVersion { found }));
    }
}

#[test]
fn trailing_garbage_is_a_length_mismatch() {
    let original = small_table();
    for extra in [&b"\0"[..], b"garbage", &[0xFF; 1000]] {
        let mut bytes = original.clone();
        bytes.extend_from_slice(extra);
        assert_eq!(
            load(&bytes),
            Err(LoadError::LengthMismatch {
                declared: original.len() as u32,
                actual: original.len() + extra.len()
            })
        );
    }
    // A declared length that is not the real one, even with a valid checksum.
    let mut bytes = original.clone();
    put_u32(&mut bytes, header::TOTAL_LEN, original.len() as u32 - 1);
    reseal(&mut bytes);
    assert!(matches!(
        load(&bytes),
        Err(LoadError::LengthMismatch { .. })
    ));
}

fn section(bytes: &[u8], offset_field: usize) -> usize {
    u32_at(bytes, offset_field) as usize
}

#[test]
fn bad_transition_target_is_rejected() {
    let original = small_table();
    let state_count = u32_at(&original, header::STATE_COUNT);
    let transition_count = u32_at(&original, header::TRANSITION_COUNT);
    assert!(transition_count > 0);
    let transitions = section(&original, header::TRANSITIONS_OFFSET);
    for index in [0, transition_count / 2, transition_count - 1] {
        for target in [state_count, state_count + 1, u32::MAX] {
            let mut bytes = original.clone();
            put_u32(
                &mut bytes,
                transitions + index as usize * TRANSITION_LEN + 4,
                target,
            );
            reseal(&mut bytes);
            assert_eq!(
                load(&bytes),
                Err(LoadError::BadTransition { index }),
                "transition {index} -> {target}"
            );
        }
        // Reserved bits set.
        let mut bytes = original.clone();
        bytes[transitions + index as usize * TRANSITION_LEN + 2] = 1;
        reseal(&mut bytes);
        assert_eq!(load(&bytes), Err(LoadError::BadTransition { index }));
        // An empty range (lo > hi).
        let mut bytes = original.clone();
        let at = transitions + index as usize * TRANSITION_LEN;
        bytes[at] = 0xFF;
        bytes[at + 1] = 0x00;
        reseal(&mut bytes);
        assert!(
            matches!(load(&bytes), Err(LoadError::BadTransition { .. })),
            "{:?}",
            load(&bytes)
        );
    }
}

#[test]
fn bad_state_is_rejected() {
    let original = small_table();
    let state_count = u32_at(&original, header::STATE_COUNT);
    let transition_count = u32_at(&original, header::TRANSITION_COUNT);
    let policy_count = u32_at(&original, header::POLICY_COUNT);
    let states = section(&original, header::STATES_OFFSET);
    for index in [0, state_count - 1] {
        let record = states + index as usize * STATE_LEN;
        // Transitions beyond the section.
        let mut bytes = original.clone();
        put_u32(&mut bytes, record, transition_count);
        put_u32(&mut bytes, record + 4, 1);
        reseal(&mut bytes);
        assert_eq!(load(&bytes), Err(LoadError::BadState { index }));
        // first + count overflowing.
        let mut bytes = original.clone();
        put_u32(&mut bytes, record, u32::MAX);
        put_u32(&mut bytes, record + 4, 2);
        reseal(&mut bytes);
        assert_eq!(load(&bytes), Err(LoadError::BadState { index }));
        // An accept value naming no policy.
        let mut bytes = original.clone();
        put_u32(&mut bytes, record + format::state::ACCEPT, policy_count + 1);
        reseal(&mut bytes);
        assert_eq!(load(&bytes), Err(LoadError::BadState { index }));
    }
}

#[test]
fn sections_out_of_bounds_are_rejected() {
    let original = small_table();
    for (field, value) in [
        (header::POLICY_COUNT, u32::MAX),
        (header::POLICY_COUNT, original.len() as u32),
        (header::STATE_COUNT, u32::MAX / 4),
        (header::TRANSITION_COUNT, original.len() as u32),
        (header::STRINGS_LEN, original.len() as u32),
        (header::STRINGS_OFFSET, original.len() as u32 + 1),
        (header::POLICIES_OFFSET, u32::MAX),
        (header::POLICIES_OFFSET, 0),
    ] {
        let mut bytes = original.clone();
        put_u32(&mut bytes, field, value);
        reseal(&mut bytes);
        assert_eq!(
            load(&bytes),
            Err(LoadError::SectionOutOfBounds),
            "field {field} = {value}"
        );
    }
}

#[test]
fn bad_path_index_is_rejected() {
    let original = small_table();
    let state_count = u32_at(&original, header::STATE_COUNT);
    let policy_count = u32_at(&original, header::POLICY_COUNT);
    for (field, value) in [
        (header::PATH_START, state_count),
        (header::PATH_START, NO_STATE - 1),
        (header::CATCH_ALL, policy_count),
        (header::CATCH_ALL, NO_POLICY - 1),
    ] {
        let mut bytes = original.clone();
        put_u32(&mut bytes, field, value);
        reseal(&mut bytes);
        assert_eq!(
            load(&bytes),
            Err(LoadError::BadPathIndex),
            "field {field} = {value}"
        );
    }
}

/// Rewrites a field of policy `index` and expects `BadPolicy { index }`.
fn assert_bad_policy(index: u32, edit: impl Fn(&mut Vec<u8>, usize)) {
    let mut bytes = small_table();
    let record = section(&bytes, header::POLICIES_OFFSET) + index as usize * POLICY_LEN;
    edit(&mut bytes, record);
    reseal(&mut bytes);
    assert_eq!(load(&bytes), Err(LoadError::BadPolicy { index }));
}

#[test]
fn bad_policy_records_are_rejected() {
    // Policy 0 has credentials; policy 1 is `origins *` with `allow-headers *`.
    let original = small_table();
    let policies = section(&original, header::POLICIES_OFFSET);
    let flags_of = |index: usize| u32_at(&original, policies + index * POLICY_LEN + record::FLAGS);
    assert_eq!(flags_of(0) & flags::CREDENTIALS, flags::CREDENTIALS);
    assert_eq!(flags_of(1) & flags::ANY_ORIGIN, flags::ANY_ORIGIN);

    // Credentials with `*` origins or `*` headers: never written by the compiler.
    for index in [0, 1] {
        for bad in [
            flags::CREDENTIALS | flags::ANY_ORIGIN,
            flags::CREDENTIALS | flags::ANY_HEADER,
            flags::ALL,
            flags::ALL + 1,
            1 << 31,
        ] {
            assert_bad_policy(index, |bytes, record| {
                put_u32(bytes, record + record::FLAGS, bad)
            });
        }
    }
    let state_count = u32_at(&original, header::STATE_COUNT);
    for start in [record::ORIGIN_START, record::METHOD_START] {
        assert_bad_policy(0, |bytes, record| {
            put_u32(bytes, record + start, state_count)
        });
    }
    // Method bits stand for `methods::KNOWN` only.
    for bits in [methods::ALL + 1, 1 << 31, u32::MAX] {
        assert_bad_policy(0, |bytes, record| {
            put_u32(bytes, record + record::METHOD_BITS, bits)
        });
    }
    for status in [0u32, 199, 300, 403, 0x0001_00CC] {
        assert_bad_policy(1, |bytes, record| {
            put_u32(bytes, record + record::PREFLIGHT_STATUS, status)
        });
    }
    let strings_len = u32_at(&original, header::STRINGS_LEN);
    for field in [
        record::NAME,
        record::ALLOW_METHODS,
        record::ALLOW_HEADERS,
        record::EXPOSE_HEADERS,
        record::MAX_AGE,
        record::ORIGIN_INDEX,
        record::HEADER_INDEX,
    ] {
        // A string reaching past the strings section.
        assert_bad_policy(0, |bytes, record| {
            put_u32(bytes, record + field + 4, strings_len + 1)
        });
        assert_bad_policy(0, |bytes, record| put_u32(bytes, record + field, u32::MAX));
    }
    // An empty name.
    assert_bad_policy(1, |bytes, record| {
        put_u32(bytes, record + record::NAME + 4, 0)
    });
}

/// A header value with a line break would let a table inject response
/// headers: the loader refuses it.
#[test]
fn strings_with_control_bytes_are_rejected() {
    let original = small_table();
    let strings = section(&original, header::STRINGS_OFFSET);
    let policies = section(&original, header::POLICIES_OFFSET);
    for field in [
        record::NAME,
        record::ALLOW_METHODS,
        record::ALLOW_HEADERS,
        record::EXPOSE_HEADERS,
        record::MAX_AGE,
    ] {
        let offset = u32_at(&original, policies + field) as usize;
        let len = u32_at(&original, policies + field + 4);
        assert!(len > 0, "policy 0 renders field {field}");
        for byte in [b'\r', b'\n', 0, 0x7F, 0xC3] {
            let mut bytes = original.clone();
            bytes[strings + offset] = byte;
            reseal(&mut bytes);
            // The byte may be shared with another policy's string; either
            // way the table is refused.
            assert!(
                matches!(load(&bytes), Err(LoadError::BadPolicy { .. })),
                "byte {byte:#x} in field {field}: {:?}",
                load(&bytes)
            );
        }
    }
}

#[test]
fn a_resealed_table_with_no_change_still_loads() {
    // Guards the helpers above: `reseal` alone must not break a table, so
    // the rejections are caused by the edits.
    let mut bytes = small_table();
    reseal(&mut bytes);
    assert_eq!(load(&bytes), Ok(()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Any byte soup: an error or a table, never a panic.
    #[test]
    fn byte_soup_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(table) = Table::from_bytes(&bytes) {
            exercise(&table);
        }
    }

    /// Soup behind a valid header (magic, marker, version, length, checksum),
    /// so that the structural checks are the ones exercised.
    #[test]
    fn soup_behind_a_valid_header_never_panics(
        body in prop::collection::vec(any::<u8>(), 0..512),
        counts in prop::collection::vec(0u32..8, 4),
        offsets in prop::collection::vec(0u32..600, 4),
        starts in (prop_oneof![Just(NO_STATE), 0u32..8], prop_oneof![Just(NO_POLICY), 0u32..3]),
    ) {
        let mut bytes = vec![0u8; HEADER_LEN];
        bytes.extend_from_slice(&body);
        bytes[..MAGIC.len()].copy_from_slice(&MAGIC);
        put_u32(&mut bytes, header::ENDIAN, format::ENDIAN_MARKER);
        put_u32(&mut bytes, header::VERSION, VERSION);
        let len = bytes.len() as u32;
        put_u32(&mut bytes, header::TOTAL_LEN, len);
        for (i, (count, offset)) in counts.iter().zip(&offsets).enumerate() {
            put_u32(&mut bytes, header::POLICIES_OFFSET + i * 8, *offset);
            put_u32(&mut bytes, header::POLICY_COUNT + i * 8, *count);
        }
        put_u32(&mut bytes, header::PATH_START, starts.0);
        put_u32(&mut bytes, header::CATCH_ALL, starts.1);
        reseal(&mut bytes);
        if let Ok(table) = Table::from_bytes(&bytes) {
            exercise(&table);
        }
    }

    /// A compiled table with random bytes overwritten and the checksum
    /// recomputed: whatever the loader accepts, eval runs without panicking.
    #[test]
    fn resealed_mutations_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = small_table();
        let len = bytes.len();
        for (at, value) in edits {
            let at = HEADER_LEN + at.index(len - HEADER_LEN);
            bytes[at] = value;
        }
        reseal(&mut bytes);
        if let Ok(table) = Table::from_bytes(&bytes) {
            exercise(&table);
        }
    }
}

/// Where the index at `field` (origin or header index) of policy `record`
/// starts in `bytes`.
fn index_at(bytes: &[u8], record: usize, field: usize) -> usize {
    section(bytes, header::STRINGS_OFFSET) + u32_at(bytes, record + field) as usize
}

fn origin_index_at(bytes: &[u8], record: usize) -> usize {
    index_at(bytes, record, record::ORIGIN_INDEX)
}

#[test]
fn bad_origin_and_header_indexes_are_rejected() {
    for field in [record::ORIGIN_INDEX, record::HEADER_INDEX] {
        bad_indexes_are_rejected(field);
    }
}

fn bad_indexes_are_rejected(field: usize) {
    // Policy 0 has one plain origin and one header name: each index has
    // one bucket (bits 0), starts [0, 1], one entry.
    let original = small_table();
    let record0 = section(&original, header::POLICIES_OFFSET);
    let at = index_at(&original, record0, field);
    assert_eq!(u32_at(&original, record0 + field + 4), 4 + 8 + 8);
    assert_eq!(
        [
            u32_at(&original, at),
            u32_at(&original, at + 4),
            u32_at(&original, at + 8)
        ],
        [0, 0, 1]
    );
    type Edit = fn(&mut Vec<u8>, usize);
    let edits: [(&str, Edit); 7] = [
        ("too many bits", |b, at| {
            put_u32(b, at, origin_index::MAX_BITS + 1)
        }),
        ("bits that do not fit the length", |b, at| put_u32(b, at, 1)),
        ("a first bucket not at 0", |b, at| put_u32(b, at + 4, 1)),
        ("more entries than bytes", |b, at| put_u32(b, at + 8, 2)),
        ("decreasing starts", |b, at| {
            put_u32(b, at + 4, 1);
            put_u32(b, at + 8, 0)
        }),
        ("an entry past the strings", |b, at| {
            put_u32(b, at + 12, u32::MAX)
        }),
        ("an empty entry", |b, at| put_u32(b, at + 16, 0)),
    ];
    for (what, edit) in edits {
        let mut bytes = original.clone();
        edit(&mut bytes, at);
        reseal(&mut bytes);
        assert_eq!(
            load(&bytes),
            Err(LoadError::BadPolicy { index: 0 }),
            "{what} (field {field})"
        );
    }
}

/// A table whose index crowds every origin into one bucket would make a
/// lookup scan them all; the loader bounds the bucket size instead.
#[test]
fn an_overfull_bucket_is_rejected() {
    let mut bytes = FORTY_ORIGINS.to_vec();
    let table = Table::from_bytes(&bytes).expect("the compiled table loads");
    for i in 0..40 {
        let origin = format!("https://h{i}.example.com");
        let request = Request {
            origin: Some(origin.as_bytes()),
            ..Request::new(b"GET", b"/")
        };
        assert_eq!(table.eval(&request).decision, Decision::ActualAllowed);
    }
    let record0 = section(&bytes, header::POLICIES_OFFSET);
    let at = origin_index_at(&bytes, record0);
    let bits = u32_at(&bytes, at);
    assert_eq!(bits, 6, "40 origins get 64 buckets");
    for bucket in 1..=(1usize << bits) {
        put_u32(&mut bytes, at + 4 + 4 * bucket, 40);
    }
    reseal(&mut bytes);
    assert_eq!(load(&bytes), Err(LoadError::BadPolicy { index: 0 }));
}

/// Eval trusts a match in an index (an origin found is echoed, a header
/// list found is allowed as is), so the loader checks every entry: an
/// origin eval would call malformed, or a header list that is not lower-case
/// tokens joined by `,`, is a bad policy.
#[test]
fn index_entries_eval_would_trust_are_checked() {
    let cases: [(usize, &[u8]); 2] = [
        (record::ORIGIN_INDEX, b" ,\x7f\n\0"),
        (record::HEADER_INDEX, b"X (\0"),
    ];
    let original = small_table();
    let record0 = section(&original, header::POLICIES_OFFSET);
    for (field, bad_bytes) in cases {
        let at = index_at(&original, record0, field);
        // The one entry's string reference follows bits and two starts.
        let entry =
            section(&original, header::STRINGS_OFFSET) + u32_at(&original, at + 12) as usize;
        let len = u32_at(&original, at + 16) as usize;
        assert!(len >= 3);
        for &bad in bad_bytes {
            for position in [0, 1, len - 1] {
                let mut bytes = original.clone();
                bytes[entry + position] = bad;
                reseal(&mut bytes);
                assert_eq!(
                    load(&bytes),
                    Err(LoadError::BadPolicy { index: 0 }),
                    "byte {bad:#04x} at {position} of the entry (field {field})"
                );
            }
        }
        if field == record::HEADER_INDEX {
            // `,` makes an empty element at either end, two names inside.
            for (position, loads) in [(0, false), (1, true), (len - 1, false)] {
                let mut bytes = original.clone();
                bytes[entry + position] = b',';
                reseal(&mut bytes);
                assert_eq!(load(&bytes).is_ok(), loads, "`,` at {position}");
            }
        }
    }
}

/// Path prefixes and `:*` origin patterns are long literals: the compiler
/// makes literal runs in their automata, eval answers as a walk byte by
/// byte through the chain would (whether the request follows a run to its
/// end, leaves it part way or ends inside it), and the loader checks each
/// run.
#[test]
fn literal_runs_are_marked_answer_as_steps_and_are_checked() {
    use format::state;
    let bytes = LITERAL_RUNS.to_vec();
    let table = Table::from_bytes(&bytes).unwrap();
    for (path, policy) in [
        ("/api/v1/users/", "api"),
        ("/api/v1/users", "other"),
        ("/api/v1/users/?x", "api"),
        ("/api/v1/users?x/", "other"),
        ("/api/v1/use", "other"),
        ("/api/v1/usex/", "other"),
        ("/api/v1/usersx", "other"),
        ("/api/v1", "other"),
        ("/api/v2/?q=/x", "api"),
        ("/api/v2?q=/x/", "other"),
        ("/api/v3/", "other"),
        ("/api/v", "other"),
        ("/api/v1x", "other"),
        ("/ap", "other"),
        ("/a?pi/v1/", "other"),
    ] {
        let request = Request {
            origin: Some(b"https://app.example.com:8443"),
            ..Request::new(b"GET", path.as_bytes())
        };
        let outcome = table.eval(&request);
        assert_eq!(outcome.policy, Some(policy.as_bytes()), "{path}");
    }
    for (origin, allowed) in [
        ("https://app.example.com:8443", true),
        ("https://app.example.com", true),
        ("https://app.example.co", false),
        ("https://app.example.comm:1", false),
        ("https://app.exbmple.com:1", false),
    ] {
        let request = Request {
            origin: Some(origin.as_bytes()),
            ..Request::new(b"GET", b"/api/v1/users/")
        };
        let decision = table.eval(&request).decision;
        assert_eq!(decision == Decision::ActualAllowed, allowed, "{origin}");
    }

    let states = section(&bytes, header::STATES_OFFSET);
    let strings = section(&bytes, header::STRINGS_OFFSET);
    let count_at = |bytes: &[u8], i: u32| {
        let at = states + i as usize * STATE_LEN + state::COUNT;
        u16::from_le_bytes([bytes[at], bytes[at + 1]])
    };
    let runs: Vec<u32> = (0..u32_at(&bytes, header::STATE_COUNT))
        .filter(|&i| count_at(&bytes, i) & state::RUN != 0)
        .collect();
    // `/api/v` and `/users/` in the path automaton, `https://app.example.com`
    // in the origin automaton.
    assert!(runs.len() >= 3, "path runs and an origin run: {runs:?}");
    let state_count = u32_at(&bytes, header::STATE_COUNT);
    let strings_len = u32_at(&bytes, header::STRINGS_LEN);
    let long_run_offset = bytes[strings..strings + strings_len as usize]
        .windows(state::MAX_RUN + 1)
        .position(|w| !w.iter().any(|b| matches!(b, b'?' | b'#')))
        .expect("the strings section has MAX_RUN + 1 bytes without `?` or `#`")
        as u32;
    for &i in &runs {
        let record = states + i as usize * STATE_LEN;
        let run = strings + u32_at(&bytes, record + state::REST) as usize;
        let len = usize::from(count_at(&bytes, i) & !state::RUN);
        let set_len = move |b: &mut Vec<u8>, len: u16| {
            let flagged = (len | state::RUN).to_le_bytes();
            b[record + state::COUNT..record + state::COUNT + 2].copy_from_slice(&flagged)
        };
        type Edit = Box<dyn Fn(&mut Vec<u8>)>;
        let edits: Vec<(&str, Edit)> = vec![
            (
                "a target past the states",
                Box::new(move |b| put_u32(b, record + state::FIRST_NEXT, state_count)),
            ),
            ("empty", Box::new(move |b| set_len(b, 0))),
            ("too short", Box::new(move |b| set_len(b, 1))),
            (
                // At bytes that could be a run but for their length.
                "too long",
                Box::new(move |b| {
                    set_len(b, state::MAX_RUN as u16 + 1);
                    put_u32(b, record + state::REST, long_run_offset);
                }),
            ),
            ("a `?` in it", Box::new(move |b| b[run] = b'?')),
            ("a `#` in it", Box::new(move |b| b[run + len - 1] = b'#')),
            (
                "past the strings",
                Box::new(move |b| put_u32(b, record + state::REST, strings_len - 1)),
            ),
            (
                "a run outside the strings",
                Box::new(move |b| put_u32(b, record + state::REST, u32::MAX - 4)),
            ),
            (
                "a byte transition too",
                Box::new(move |b| {
                    b[record + state::FIRST_LO] = b'a';
                    b[record + state::FIRST_HI] = b'a';
                }),
            ),
        ];
        for (what, edit) in edits {
            let mut mutated = bytes.clone();
            edit(&mut mutated);
            reseal(&mut mutated);
            assert!(
                matches!(load(&mutated), Err(LoadError::BadState { .. })),
                "{what} (run of state {i}): {:?}",
                load(&mutated)
            );
        }
    }
}

/// The known methods are bits of the policy record and nothing else: eval
/// answers them from the bits (flipping one in a table changes the answer),
/// the others from the methods automaton, and case still counts.
#[test]
fn known_methods_are_bits_and_the_others_an_automaton() {
    let bytes = KNOWN_METHODS.to_vec();
    let record = section(&bytes, header::POLICIES_OFFSET);
    let bit = |method: &[u8]| methods::bit(method).expect("known");
    assert_eq!(
        u32_at(&bytes, record + record::METHOD_BITS),
        bit(b"PUT") | bit(b"DELETE")
    );
    // Bit `i` is `KNOWN[i]`; together they are `ALL`.
    for (i, known) in methods::KNOWN.into_iter().enumerate() {
        assert_eq!(bit(known), 1 << i);
    }
    assert_eq!(
        methods::KNOWN
            .map(bit)
            .into_iter()
            .fold(0, |all, b| all | b),
        methods::ALL
    );
    // A policy of safelisted and known methods has no methods automaton.
    let known_only = KNOWN_METHODS_ONLY.to_vec();
    let known_record = section(&known_only, header::POLICIES_OFFSET);
    assert_eq!(
        u32_at(&known_only, known_record + record::METHOD_START),
        NO_STATE
    );
    assert_eq!(
        u32_at(&known_only, known_record + record::METHOD_BITS),
        bit(b"PATCH") | bit(b"OPTIONS")
    );
    let preflight = |table: &[u8], method: &'static [u8]| {
        let table = Table::from_bytes(table).expect("loads");
        let request = Request {
            origin: Some(b"https://app.example.com"),
            request_method: Some(method),
            ..Request::new(b"OPTIONS", b"/")
        };
        let outcome = table.eval(&request);
        (outcome.decision, outcome.reason)
    };
    let allowed = (Decision::PreflightAllowed, None);
    let refused = (Decision::PreflightDenied, Some(Reason::MethodNotAllowed));
    for (method, answer) in [
        (&b"PUT"[..], allowed),
        (b"DELETE", allowed),
        (b"X-Custom", allowed),
        (b"HEAD", allowed),
        (b"PATCH", refused),
        (b"OPTIONS", refused),
        (b"put", refused),
        (b"PUTT", refused),
        (b"X-CUSTOM", refused),
    ] {
        assert_eq!(preflight(&bytes, method), answer, "{method:?}");
    }
    // Only the bits say PATCH: setting its bit allows it, clearing PUT's
    // refuses PUT (the automaton does not have them).
    let mut edited = bytes.clone();
    put_u32(&mut edited, record + record::METHOD_BITS, bit(b"PATCH"));
    reseal(&mut edited);
    assert_eq!(preflight(&edited, b"PATCH"), allowed);
    assert_eq!(preflight(&edited, b"PUT"), refused);
    assert_eq!(preflight(&edited, b"X-Custom"), allowed);
}

/// A literal longer than `MAX_RUN` bytes is one run and then steps: a path
/// or an origin that ends or differs on either side of the cut gets the
/// answer of the whole literal.
#[test]
fn literals_longer_than_a_run_are_cut_and_answer_the_same() {
    use format::state;
    let host = format!("{}.example.com", "h".repeat(70));
    let prefix = format!("/{}/", "p".repeat(98));
    let bytes = LONG_LITERALS.to_vec();
    let states = section(&bytes, header::STATES_OFFSET);
    let longest = (0..u32_at(&bytes, header::STATE_COUNT))
        .map(|i| {
            let at = states + i as usize * STATE_LEN + state::COUNT;
            u16::from_le_bytes([bytes[at], bytes[at + 1]])
        })
        .filter(|count| count & state::RUN != 0)
        .map(|count| count & !state::RUN)
        .max();
    assert_eq!(
        longest,
        Some(state::MAX_RUN as u16),
        "the literals were cut"
    );
    let table = Table::from_bytes(&bytes).unwrap();
    let selected = |path: &[u8]| {
        let policy = table.eval(&Request::new(b"GET", path)).policy;
        policy.map(|name| String::from_utf8_lossy(name).into_owned())
    };
    let (api, other) = (Some("api".to_string()), Some("other".to_string()));
    assert_eq!(selected(prefix.as_bytes()), api);
    assert_eq!(selected(format!("{prefix}x").as_bytes()), api);
    for cut in [63, 64, 65, 66, prefix.len() - 1] {
        assert_eq!(selected(&prefix.as_bytes()[..cut]), other, "{cut}");
        let mut changed = prefix.clone().into_bytes();
        changed[cut - 1] = b'q';
        assert_eq!(selected(&changed), other, "{cut}");
    }
    let origin = format!("https://{host}:8443");
    let allowed = |origin: &[u8]| {
        let request = Request {
            origin: Some(origin),
            ..Request::new(b"GET", prefix.as_bytes())
        };
        table.eval(&request).decision == Decision::ActualAllowed
    };
    assert!(allowed(origin.as_bytes()));
    assert!(allowed(format!("https://{host}").as_bytes()));
    for cut in [63, 64, 65, 66, 80] {
        assert!(!allowed(&origin.as_bytes()[..cut]), "{cut}");
        let mut changed = origin.clone().into_bytes();
        changed[cut - 1] = b'g';
        assert!(!allowed(&changed), "{cut}");
    }
}
