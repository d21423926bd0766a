//! The compiled table's byte layout: the one place that defines it.
//!
//! A table is little-endian and starts with a fixed [`HEADER_LEN`]-byte header:
//!
//! | offset | field |
//! |---|---|
//! | 0  | magic `CORSTBL\0` |
//! | 8  | endianness marker `0x01020304` (as written by a little-endian writer) |
//! | 12 | format version ([`VERSION`]) |
//! | 16 | total length of the table in bytes |
//! | 20 | CRC-32 (IEEE) of the whole table, computed with this field as zero |
//! | 24 | policies section offset, 28 policy count |
//! | 32 | states section offset, 36 state count |
//! | 40 | transitions section offset, 44 transition count |
//! | 48 | strings section offset, 52 strings length |
//! | 56 | path automaton start state ([`NO_STATE`] when no policy has `paths`) |
//! | 60 | catch-all policy index (the policy without `paths`, or [`NO_POLICY`]) |
//!
//! Sections:
//!
//! - **policies**: [`POLICY_LEN`]-byte records, see [`policy`].
//! - **states**: [`STATE_LEN`]-byte records, see [`state`]: the state's first
//!   transition inline, the number of transitions, where the others are, and
//!   the accept value. Most states of a trie have a single transition, so a
//!   walk costs one memory load per byte. All automata of the table share
//!   this array; each has its own start state. `accept` is 0 for a
//!   non-accepting state, 1 for an accepting state of a set automaton
//!   (origins, methods), and `policy index + 1` in the path automaton. A
//!   chain of states with one one-byte transition each is a **literal run**:
//!   its first state reads the chain's bytes at once (see [`state::RUN`]).
//! - **transitions**: [`TRANSITION_LEN`]-byte records `{lo u8, hi u8, reserved
//!   u16 = 0, next state u32}`, see [`transition`]: a state's second and
//!   later transitions. The
//!   inclusive byte range `lo..=hi` leads to `next`. A state's transitions
//!   (the inline one first) are sorted and disjoint; a byte without a
//!   transition leads to the dead state. Ranges play the role of byte classes:
//!   a state that accepts every label byte stores four ranges, not 38 bytes.
//! - **strings**: header values rendered at compile time, policy names, the
//!   origin and header indexes and the bytes of literal runs, referenced by
//!   offsets (and lengths) relative to the section: a reference is a
//!   [`STRING_REF_LEN`]-byte record, see [`string_ref`].
//!
//! A policy's plain origins (no `*.` and no `:*`: the usual case) are not in
//! an automaton but in its **origin index**, a hash table in the strings
//! section, see [`origin_index`]: a lookup hashes the `Origin` once and
//! compares it with the few origins of one bucket, so its cost depends on
//! the length of the `Origin` only, and an origin costs its bytes plus about
//! 12 bytes of index. Its allowed header names are in a **header index** of
//! the same layout, hashed case-insensitively: a requested-headers list is
//! checked with one hash per name rather than a walk per byte.

/// The first eight bytes of every table.
pub const MAGIC: [u8; 8] = *b"CORSTBL\0";
/// Written as a `u32` by the (little-endian) writer; read back it tells the
/// loader that the byte order is the one it expects.
pub const ENDIAN_MARKER: u32 = 0x0102_0304;
/// The format version this crate reads and writes.
pub const VERSION: u32 = 4;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = 64;
/// Size of a policy record.
pub const POLICY_LEN: usize = 80;
/// Size of a state record.
pub const STATE_LEN: usize = 16;
/// Size of a transition record.
pub const TRANSITION_LEN: usize = 8;
/// Size of a string reference (see [`string_ref`]).
pub const STRING_REF_LEN: usize = 8;
/// A state index meaning "no automaton" (an empty set).
pub const NO_STATE: u32 = u32::MAX;
/// A policy index meaning "no policy".
pub const NO_POLICY: u32 = u32::MAX;
/// Largest `Origin` value eval tries to match; longer values are malformed.
pub const MAX_ORIGIN_LEN: usize = 2048;

/// Byte offsets of the header fields.
pub mod header {
    /// Magic bytes.
    pub const MAGIC: usize = 0;
    /// Endianness marker.
    pub const ENDIAN: usize = 8;
    /// Format version.
    pub const VERSION: usize = 12;
    /// Total length.
    pub const TOTAL_LEN: usize = 16;
    /// CRC-32 of the table.
    pub const CHECKSUM: usize = 20;
    /// Policies section offset.
    pub const POLICIES_OFFSET: usize = 24;
    /// Number of policies.
    pub const POLICY_COUNT: usize = 28;
    /// States section offset.
    pub const STATES_OFFSET: usize = 32;
    /// Number of states.
    pub const STATE_COUNT: usize = 36;
    /// Transitions section offset.
    pub const TRANSITIONS_OFFSET: usize = 40;
    /// Number of transitions.
    pub const TRANSITION_COUNT: usize = 44;
    /// Strings section offset.
    pub const STRINGS_OFFSET: usize = 48;
    /// Strings section length.
    pub const STRINGS_LEN: usize = 52;
    /// Path automaton start state.
    pub const PATH_START: usize = 56;
    /// Catch-all policy index.
    pub const CATCH_ALL: usize = 60;
}

/// Byte offsets of the fields of a string reference: a string of the
/// strings section, by its offset in the section and its length (both
/// `u32`). Policy records hold them (names, rendered header values,
/// indexes), and so do an index's entries.
pub mod string_ref {
    /// Offset of the string in the strings section.
    pub const OFFSET: usize = 0;
    /// Length of the string in bytes.
    pub const LEN: usize = 4;
}

/// Byte offsets of the fields of a transition record (a state's second and
/// later transitions; the first is inline in the state, see [`state`]).
pub mod transition {
    use super::TRANSITION_LEN;

    /// Lowest byte of the range (`u8`).
    pub const LO: usize = 0;
    /// Highest byte of the range, inclusive (`u8`).
    pub const HI: usize = 1;
    /// Reserved (`u16`), always 0.
    pub const RESERVED: usize = 2;
    /// Target state (`u32`).
    pub const NEXT: usize = 4;

    /// The record of the transition on `lo..=hi` to `next`.
    pub fn encode(lo: u8, hi: u8, next: u32) -> [u8; TRANSITION_LEN] {
        let mut record = [0u8; TRANSITION_LEN];
        record[LO] = lo;
        record[HI] = hi;
        let [a, b, c, d] = next.to_le_bytes();
        record[NEXT..].copy_from_slice(&[a, b, c, d]);
        record
    }
}

/// Byte offsets of the fields of a policy record.
pub mod policy {
    /// Name: string reference (offset, length).
    pub const NAME: usize = 0;
    /// Start state of the automaton of the origin patterns that are not in
    /// the origin index or the wildcard automaton (those with a port
    /// wildcard `:*`), read forwards, or `NO_STATE`.
    pub const ORIGIN_START: usize = 8;
    /// Start state of the automaton of the listed methods that are neither
    /// safelisted (`GET`, `HEAD` and `POST`, which eval allows without a
    /// look at the table) nor in [`super::methods::KNOWN`] (which are
    /// [`METHOD_BITS`]), or `NO_STATE`.
    pub const METHOD_START: usize = 12;
    /// The listed methods among [`super::methods::KNOWN`], one bit each
    /// (`u32`): the methods browsers preflight most are answered with one
    /// test instead of a walk. No other bit is set.
    pub const METHOD_BITS: usize = 16;
    /// Flags, see [`super::flags`].
    pub const FLAGS: usize = 20;
    /// Status of an allowed preflight (`u16`), then a reserved `u16`.
    pub const PREFLIGHT_STATUS: usize = 24;
    /// `Access-Control-Allow-Methods` value (empty: header omitted).
    pub const ALLOW_METHODS: usize = 28;
    /// `Access-Control-Allow-Headers` value (empty: header omitted).
    pub const ALLOW_HEADERS: usize = 36;
    /// `Access-Control-Expose-Headers` value (empty: header omitted).
    pub const EXPOSE_HEADERS: usize = 44;
    /// `Access-Control-Max-Age` value (empty: header omitted).
    pub const MAX_AGE: usize = 52;
    /// Start state of the automaton of origin patterns with a subdomain
    /// wildcard (`*.`) and no port wildcard, or `NO_STATE`. It reads the
    /// origin **backwards**, from its last byte: the listed domain then
    /// comes before the wildcard labels, so the automaton stays about as
    /// small as a trie of the domains (read forwards, it would have to track
    /// every listed domain at every label). Patterns with both wildcards are
    /// in the [`ORIGIN_START`] automaton. Eval walks at most both, so the
    /// cost stays O(origin length).
    pub const WILDCARD_ORIGIN_START: usize = 60;
    /// The origin index (see [`super::origin_index`]): string reference
    /// (offset, length); length 0 when the policy has no plain origin.
    pub const ORIGIN_INDEX: usize = 64;
    /// The allowed-headers index: the lower-case header names listed by
    /// `allow-headers`, in an index of the [`super::origin_index`] layout
    /// hashed with [`super::origin_index::hash_lower`], so that a requested
    /// name in any case is found with one hash and a few comparisons
    /// instead of a walk byte by byte. String reference; length 0 when the
    /// policy lists no header name.
    pub const HEADER_INDEX: usize = 72;
}

/// The layout of an origin index: little-endian `u32`s in the strings
/// section.
///
/// | words | field |
/// |---|---|
/// | 1 | `bits`: the table has `2^bits` buckets ([`MAX_BITS`](origin_index::MAX_BITS) at most) |
/// | `2^bits + 1` | bucket starts: bucket `b` holds entries `starts[b]..starts[b + 1]` |
/// | 2 per entry | the origin: string reference (offset, length) |
///
/// An origin is in bucket [`bucket`](origin_index::bucket)`(`[`hash`](origin_index::hash)`(origin), bits)`.
/// The compiler keeps every bucket at [`MAX_BUCKET`](origin_index::MAX_BUCKET) entries or fewer, and the
/// loader rejects a table that does not, so a lookup compares at most that
/// many origins whatever the table holds.
pub mod origin_index {
    use super::STRING_REF_LEN;

    /// Largest `bits`.
    pub const MAX_BITS: u32 = 24;
    /// Most entries in one bucket.
    pub const MAX_BUCKET: u32 = 16;

    /// Offset of `bits` (`u32`).
    pub const BITS: usize = 0;
    /// Offset of the first bucket start (`u32`s, `2^bits + 1` of them).
    pub const STARTS: usize = 4;
    /// Size of a bucket start.
    pub const START_LEN: usize = 4;
    /// Size of an entry: a string reference (see [`super::string_ref`]).
    pub const ENTRY_LEN: usize = STRING_REF_LEN;

    /// Offset of the start of `bucket` (`bucket` = `2^bits` for the end of
    /// the last bucket, which is the number of entries); `None` on
    /// overflow.
    #[inline(always)]
    pub fn start_at(bucket: usize) -> Option<usize> {
        STARTS.checked_add(bucket.checked_mul(START_LEN)?)
    }

    /// Offset of the first entry of an index of `2^bits` buckets; `None`
    /// when `bits` is out of range.
    #[inline(always)]
    pub fn entries_at(bits: u32) -> Option<usize> {
        start_at(1usize.checked_shl(bits)?.checked_add(1)?)
    }

    /// Offset of entry `entry` of an index of `2^bits` buckets; `None` on
    /// overflow.
    #[inline(always)]
    pub fn entry_at(bits: u32, entry: usize) -> Option<usize> {
        entries_at(bits)?.checked_add(entry.checked_mul(ENTRY_LEN)?)
    }

    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    const SEED: u64 = 0xd6e8_feb8_6659_fd93;

    /// The index's hash of an origin: each 8-byte word multiplied apart
    /// (the products do not wait for each other), folded in with a rotation
    /// so that order counts, then mixed once. The table is fixed at compile
    /// time and no bucket holds more than [`MAX_BUCKET`] entries, so a
    /// client choosing origins can make its own lookups miss, never slow
    /// anyone else's.
    // Inlined where speed matters most; one copy on 32-bit targets
    // (firmware), where code size does and 64-bit arithmetic is long.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub fn hash(bytes: &[u8]) -> u64 {
        hash_words(bytes, |word| word)
    }

    /// [`hash`] of `bytes` in ASCII lower case, for header names, which
    /// compare case-insensitively: `hash_lower(b"Content-Type") ==
    /// hash(b"content-type")`. `bytes` must be ASCII (requested names are
    /// checked to be tokens first); the case is folded eight bytes at a time.
    // Inlined on 64-bit targets only, as `hash`.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub fn hash_lower(bytes: &[u8]) -> u64 {
        hash_words(bytes, lower_word)
    }

    /// The hash of the words of `bytes` (see [`last_word`]), each passed
    /// through `fold` first.
    #[inline(always)]
    fn hash_words(bytes: &[u8], fold: impl Fn(u64) -> u64) -> u64 {
        let mut h = seed(bytes.len());
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            h = mix(h, fold(le_u64(chunk)));
        }
        if !chunks.remainder().is_empty() {
            h = mix(h, fold(last_word(bytes)));
        }
        finish(h)
    }

    /// The hash's state before the first word of a key of `len` bytes.
    #[inline(always)]
    pub fn seed(len: usize) -> u64 {
        (len as u64).wrapping_mul(K)
    }

    /// The hash's state `h` after one more word: rotated, so that order
    /// counts, and the word multiplied apart.
    #[inline(always)]
    pub fn mix(h: u64, word: u64) -> u64 {
        h.rotate_left(29) ^ (word ^ SEED).wrapping_mul(K)
    }

    /// The hash's state `h` after `words` words, as if it had been seeded
    /// for `len` bytes more (XOR with another seed, rotated as the state
    /// was: the rotation and XOR of [`mix`] distribute over XOR). A key
    /// whose length is known only at its end is hashed from `seed(0)` and
    /// given its length here.
    #[inline(always)]
    pub fn reseed(h: u64, len: usize, words: usize) -> u64 {
        h ^ seed(len).rotate_left((words as u32).wrapping_mul(29) % 64)
    }

    /// The hash of a key from the state after its last word.
    #[inline(always)]
    pub fn finish(mut h: u64) -> u64 {
        h ^= h >> 32;
        h = h.wrapping_mul(SEED);
        h ^ (h >> 29)
    }

    /// The word that covers the bytes of `bytes` after its whole 8-byte
    /// words, by whole loads that may overlap those words (no
    /// byte-at-a-time tail): its last eight bytes; below eight bytes, its
    /// first and last four, or its first, middle and last byte. Two slices
    /// of one length are equal exactly when their whole words and last
    /// words are.
    #[inline(always)]
    pub fn last_word(bytes: &[u8]) -> u64 {
        let len = bytes.len();
        if len >= 8 {
            le_u64(bytes.get(len - 8..).unwrap_or_default())
        } else if len >= 4 {
            let first = le_u32(bytes.get(..4).unwrap_or_default());
            let last = le_u32(bytes.get(len - 4..).unwrap_or_default());
            u64::from(first) | u64::from(last) << 32
        } else {
            let at = |i: usize| u64::from(bytes.get(i).copied().unwrap_or_default());
            at(0) | at(len / 2) << 8 | at(len.wrapping_sub(1)) << 16
        }
    }

    /// Eight bytes as a little-endian word (zero for any other length).
    #[inline(always)]
    fn le_u64(bytes: &[u8]) -> u64 {
        bytes.try_into().map_or(0, u64::from_le_bytes)
    }

    /// Four bytes as a little-endian word (zero for any other length).
    #[inline(always)]
    fn le_u32(bytes: &[u8]) -> u32 {
        bytes.try_into().map_or(0, u32::from_le_bytes)
    }

    /// Whether `a` and `b` are equal, eight bytes at a time, inline (an
    /// origin is a few dozen bytes: a `memcmp` call costs more).
    // Inlined on 64-bit targets only, as `hash`.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub fn eq(a: &[u8], b: &[u8]) -> bool {
        eq_words(a, b, |x, y| x == y)
    }

    /// Whether `name` (ASCII, any case) equals `lower` (lower case), eight
    /// bytes at a time. A word equal as it is (a name already in lower
    /// case) is not folded.
    // Inlined on 64-bit targets only, as `hash`.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub fn eq_lower(lower: &[u8], name: &[u8]) -> bool {
        eq_words(lower, name, |x, y| x == y || x == lower_word(y))
    }

    /// Whether `a` has the length of `b` and each word of `a` and the
    /// word of `b` at the same place are `same`.
    #[inline(always)]
    fn eq_words(a: &[u8], b: &[u8], same: impl Fn(u64, u64) -> bool) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut a_chunks = a.chunks_exact(8);
        let mut b_chunks = b.chunks_exact(8);
        for (x, y) in (&mut a_chunks).zip(&mut b_chunks) {
            if !same(le_u64(x), le_u64(y)) {
                return false;
            }
        }
        a_chunks.remainder().is_empty() || same(last_word(a), last_word(b))
    }

    /// Each byte of `word` in ASCII lower case, for bytes below 0x80: a byte
    /// gets its high bit from `+ (0x80 - b'A')` when it is `A` or above, and
    /// from `+ (0x80 - b'[')` when it is past `Z`; where exactly one of the
    /// two is set, 0x20 is added. No byte overflows into its neighbour.
    /// (A byte of 0x80 or above keeps its high bit: folding only ever sets
    /// bit 5 of a byte.)
    #[inline(always)]
    pub fn lower_word(word: u64) -> u64 {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let from_a = word.wrapping_add(ONES * u64::from(0x80 - b'A'));
        let past_z = word.wrapping_add(ONES * u64::from(0x80 - b'['));
        let upper = (from_a ^ past_z) & HIGHS;
        word | (upper >> 2)
    }

    /// The bucket of `hash` among `2^bits`.
    #[inline]
    pub fn bucket(hash: u64, bits: u32) -> usize {
        if bits == 0 {
            0
        } else {
            (hash.wrapping_mul(K) >> (64 - bits.min(63))) as usize
        }
    }
}

/// Byte offsets of the fields of a state record.
pub mod state {
    /// First transition's `lo` (`u8`); 1 when the state has no transition,
    /// so that the inline range `1..=0` is empty.
    pub const FIRST_LO: usize = 0;
    /// First transition's `hi` (`u8`); 0 when the state has no transition.
    pub const FIRST_HI: usize = 1;
    /// Number of transitions, the inline one included (`u16`, at most 256);
    /// for a literal run state, [`RUN`] and the run's length instead.
    pub const COUNT: usize = 2;
    /// Bit of [`COUNT`] marking a **literal run** state, whose only way out
    /// is a whole string rather than a byte: the rest of `COUNT` is the
    /// run's length ([`MIN_RUN`] to [`MAX_RUN`] bytes, none of them `?` or
    /// `#`, which end a request's path), [`REST`] the offset of its bytes
    /// in the strings section, and [`FIRST_NEXT`] the state reading them
    /// leads to. Its inline range is empty (`FIRST_LO` 1, `FIRST_HI` 0) and
    /// it has no other transitions, so a walk whose input does not have the
    /// run's bytes next ends there, and so does a walk that steps byte by
    /// byte. The compiler makes one of each chain of states with a single
    /// one-byte transition in the path automaton and the forward origin
    /// automaton, ending at the first accepting state or after `MAX_RUN`
    /// bytes (the rest of a longer chain is stepped): a walk then compares
    /// the run at once instead of stepping through it, and the state it
    /// moves to comes with the record, not after another load. The chain's
    /// other states stay in the table. The loader checks the length, the
    /// bytes and the target; a length of at least 1 is also what makes
    /// every walk move forward, so that a run leading to itself ends.
    pub const RUN: u16 = 0x8000;
    /// Where a run state keeps the offset of its bytes in the strings
    /// section (`u32`): its [`REST`] field.
    pub const RUN_BYTES: usize = REST;
    /// Where a run state keeps the state its run leads to (`u32`): its
    /// [`FIRST_NEXT`] field.
    pub const RUN_TARGET: usize = FIRST_NEXT;
    /// Shortest run.
    pub const MIN_RUN: usize = 2;
    /// Longest run.
    pub const MAX_RUN: usize = 64;
    /// First transition's target (a run's target, see [`RUN`]); 0 when the
    /// state has no transition.
    pub const FIRST_NEXT: usize = 4;
    /// Index in the transitions section of the second transition (the
    /// `COUNT - 1` others follow it); 0 when there are none. For a literal
    /// run, the offset of its bytes in the strings section (see [`RUN`]).
    pub const REST: usize = 8;
    /// Accept value.
    pub const ACCEPT: usize = 12;

    /// The length of the run a state's [`COUNT`] field marks, if it marks
    /// one.
    #[inline(always)]
    pub const fn run_len(count: u16) -> Option<usize> {
        if count & RUN != 0 {
            Some((count & !RUN) as usize)
        } else {
            None
        }
    }

    /// The [`COUNT`] field of a run state whose run is `len` bytes long
    /// (`len` at most [`MAX_RUN`]).
    #[inline]
    pub const fn run_count(len: u16) -> u16 {
        RUN | len
    }
}

/// The methods a policy's [`policy::METHOD_BITS`] stand for.
pub mod methods {
    /// Bit `i` of [`super::policy::METHOD_BITS`] stands for `KNOWN[i]`:
    /// the methods other than the safelisted ones that pages send most.
    /// Methods are case-sensitive: `put` is not `PUT`, and is not known.
    pub const KNOWN: [&[u8]; 4] = [b"PUT", b"DELETE", b"PATCH", b"OPTIONS"];
    /// Every bit a policy's method bits may have.
    pub const ALL: u32 = (1 << KNOWN.len()) - 1;

    /// The bit of `method` if it is one of [`KNOWN`].
    #[inline]
    pub fn bit(method: &[u8]) -> Option<u32> {
        match method {
            b"PUT" => Some(1 << 0),
            b"DELETE" => Some(1 << 1),
            b"PATCH" => Some(1 << 2),
            b"OPTIONS" => Some(1 << 3),
            _ => None,
        }
    }
}

/// Policy flags.
pub mod flags {
    /// `origins *`.
    pub const ANY_ORIGIN: u32 = 1 << 0;
    /// `credentials on`.
    pub const CREDENTIALS: u32 = 1 << 1;
    /// `private-network on`.
    pub const PRIVATE_NETWORK: u32 = 1 << 2;
    /// `allow-headers *`.
    pub const ANY_HEADER: u32 = 1 << 3;
    /// Every flag this version knows.
    pub const ALL: u32 = ANY_ORIGIN | CREDENTIALS | PRIVATE_NETWORK | ANY_HEADER;
}

const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

fn crc_update(mut crc: u32, bytes: &[u8]) -> u32 {
    for &byte in bytes {
        crc = CRC_TABLE[((crc ^ byte as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc
}

/// The table's checksum: CRC-32 (IEEE) of `table` with the checksum field
/// taken as zero. CRC-32 detects every single-bit error and every burst of
/// up to 32 bits. Returns `None` when `table` is shorter than the header.
pub fn checksum(table: &[u8]) -> Option<u32> {
    let before = table.get(..header::CHECKSUM)?;
    let after = table.get(header::CHECKSUM + 4..)?;
    let crc = crc_update(0xFFFF_FFFF, before);
    let crc = crc_update(crc, &[0; 4]);
    Some(!crc_update(crc, after))
}

/// Reads a little-endian `u32` at `offset`, `None` when out of bounds.
#[inline]
pub fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let end = offset.checked_add(4)?;
    match bytes.get(offset..end)? {
        [a, b, c, d] => Some(u32::from_le_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

/// Reads a little-endian `u16` at `offset`, `None` when out of bounds.
#[inline]
pub fn read_u16(bytes: &[u8], offset: usize) -> Option<u16> {
    let end = offset.checked_add(2)?;
    match bytes.get(offset..end)? {
        [a, b] => Some(u16::from_le_bytes([*a, *b])),
        _ => None,
    }
}

/// Reads the two little-endian `u32`s at `offset` (a string reference, or
/// two neighbouring bucket starts) with one bounds check, `None` when out of
/// bounds.
#[inline(always)]
pub fn read_u32_pair(bytes: &[u8], offset: usize) -> Option<[u32; 2]> {
    let pair: [u8; 8] = bytes.get(offset..offset.checked_add(8)?)?.try_into().ok()?;
    let [a, b, c, d, e, f, g, h] = pair;
    Some([
        u32::from_le_bytes([a, b, c, d]),
        u32::from_le_bytes([e, f, g, h]),
    ])
}

/// The string of `strings` (the strings section) that the string reference
/// at `offset` of `bytes` names (see [`string_ref`]), `None` when either is
/// out of bounds.
#[inline(always)]
pub fn read_string<'s>(strings: &'s [u8], bytes: &[u8], offset: usize) -> Option<&'s [u8]> {
    // `string_ref::LEN` follows `string_ref::OFFSET`: one read for both.
    let [start, len] = read_u32_pair(bytes, offset.checked_add(string_ref::OFFSET)?)?;
    let start = start as usize;
    strings.get(start..start.checked_add(len as usize)?)
}

/// Writes `value` as a little-endian `u32` at `offset`; `None` (and nothing
/// written) when out of bounds.
#[inline]
pub fn write_u32(bytes: &mut [u8], offset: usize, value: u32) -> Option<()> {
    let end = offset.checked_add(4)?;
    bytes
        .get_mut(offset..end)?
        .copy_from_slice(&value.to_le_bytes());
    Some(())
}

/// Writes `value` as a little-endian `u16` at `offset`; `None` (and nothing
/// written) when out of bounds.
#[inline]
pub fn write_u16(bytes: &mut [u8], offset: usize, value: u16) -> Option<()> {
    let end = offset.checked_add(2)?;
    bytes
        .get_mut(offset..end)?
        .copy_from_slice(&value.to_le_bytes());
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        // The CRC-32/ISO-HDLC check value of "123456789".
        assert_eq!(!crc_update(0xFFFF_FFFF, b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn checksum_ignores_its_own_field() {
        let mut table = [7u8; HEADER_LEN];
        let before = checksum(&table);
        table[header::CHECKSUM..header::CHECKSUM + 4].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(checksum(&table), before);
        table[0] ^= 1;
        assert_ne!(checksum(&table), before);
        assert_eq!(checksum(&table[..10]), None);
    }

    #[test]
    fn reads_are_bounds_checked() {
        let bytes = [1, 0, 0, 0, 2];
        assert_eq!(read_u32(&bytes, 0), Some(1));
        assert_eq!(read_u32(&bytes, 2), None);
        assert_eq!(read_u32(&bytes, usize::MAX), None);
        assert_eq!(read_u16(&bytes, 3), Some(512));
        assert_eq!(read_u16(&bytes, 4), None);
        assert_eq!(read_u32_pair(&[1, 0, 0, 0, 2, 0, 0, 0], 0), Some([1, 2]));
        assert_eq!(read_u32_pair(&bytes, 0), None);
    }

    #[test]
    fn writes_are_bounds_checked_and_read_back() {
        let mut bytes = [0u8; 6];
        assert_eq!(write_u32(&mut bytes, 2, 0x0102_0304), Some(()));
        assert_eq!(read_u32(&bytes, 2), Some(0x0102_0304));
        assert_eq!(write_u32(&mut bytes, 3, 7), None);
        assert_eq!(write_u16(&mut bytes, 0, 9), Some(()));
        assert_eq!(read_u16(&bytes, 0), Some(9));
        assert_eq!(write_u16(&mut bytes, usize::MAX, 9), None);
    }

    #[test]
    fn record_layouts_fit_their_lengths() {
        let t = transition::encode(b'a', b'z', 7);
        assert_eq!((t[transition::LO], t[transition::HI]), (b'a', b'z'));
        assert_eq!(read_u16(&t, transition::RESERVED), Some(0));
        assert_eq!(read_u32(&t, transition::NEXT), Some(7));
        assert_eq!(origin_index::entries_at(0), Some(12));
        assert_eq!(origin_index::entry_at(1, 2), Some(16 + 16));
        assert_eq!(origin_index::entries_at(64), None);
        assert_eq!(state::run_len(state::run_count(5)), Some(5));
        assert_eq!(state::run_len(3), None);
    }
}

#[cfg(test)]
mod case_folding_tests {
    use super::origin_index::{eq, eq_lower, hash, hash_lower};

    #[test]
    fn eq_is_slice_equality_at_every_length_and_position() {
        // The last word overlaps the whole ones (or, below eight bytes, is
        // built from the first, middle and last bytes): a byte that differs
        // anywhere must still be seen.
        for len in 0..=40usize {
            let mut whole = [0u8; 40];
            for (i, byte) in whole.iter_mut().enumerate() {
                *byte = b'a' + (i % 26) as u8;
            }
            let base = &whole[..len];
            let copy = whole;
            assert!(eq(base, &copy[..len]));
            for at in 0..len {
                for byte in [0u8, b'A', b'z', 0x80, 0xFF] {
                    let mut other = whole;
                    other[at] = byte;
                    let other = &other[..len];
                    assert_eq!(eq(base, other), base == other, "{len} {at} {byte}");
                    assert_eq!(
                        hash(base) == hash(other),
                        base == other,
                        "{len} {at} {byte}"
                    );
                }
            }
            assert!(!eq(base, &base[..len.saturating_sub(1)]) || len == 0);
        }
    }

    /// Calls `check(name, lower, upper)` with every ASCII byte at every
    /// position of names of 1 to 17 bytes.
    fn each_name(mut check: impl FnMut(&[u8], &[u8], &[u8])) {
        for len in 1..=17usize {
            for at in 0..len {
                for byte in 0..0x80u8 {
                    let mut name = *b"x-Custom-Header-Z";
                    name[at] = byte;
                    let (mut lower, mut upper) = (name, name);
                    lower.make_ascii_lowercase();
                    upper.make_ascii_uppercase();
                    check(&name[..len], &lower[..len], &upper[..len]);
                }
            }
        }
    }

    #[test]
    fn hash_lower_is_the_hash_of_the_lower_case_name() {
        each_name(|name, lower, upper| {
            assert_eq!(hash_lower(name), hash(lower), "{name:?}");
            assert_eq!(hash_lower(upper), hash(lower), "{name:?}");
        });
    }

    #[test]
    fn eq_lower_is_a_case_insensitive_comparison_with_a_lower_case_name() {
        each_name(|name, lower, upper| {
            assert!(eq_lower(lower, name), "{name:?}");
            assert!(eq_lower(lower, upper), "{name:?}");
            for other in [&b"x-custom-header-z"[..], b"x", &lower[1..]] {
                assert_eq!(
                    eq_lower(other, name),
                    other.eq_ignore_ascii_case(name),
                    "{other:?} {name:?}"
                );
            }
        });
    }
}
