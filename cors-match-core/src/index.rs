//! Looking keys up in the table's hash indexes: a policy's plain origins
//! and its allowed header names (see [`format::origin_index`] for the
//! layout).
//!
//! A lookup hashes its key once and compares it with the few entries of
//! one bucket, so it costs O(length of the key) whatever the index holds.
//! Reads are bounds-checked and answer "not found" rather than panic; the
//! loader checked every index a [`crate::Table`] hands out, so they never
//! fail on a loaded table.

use crate::format::{self, origin_index, read_u32, read_u32_pair, STRING_REF_LEN};

/// How a lookup compares its key with the entries.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Compare {
    /// Byte for byte.
    Exact,
    /// The entries are lower case; the key (ASCII) may be in any case.
    IgnoringCase,
}

/// An index of the [`format::origin_index`] layout (possibly empty: an
/// index of nothing), with the strings section its entries reference.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Index<'a> {
    bytes: &'a [u8],
    strings: &'a [u8],
}

impl<'a> Index<'a> {
    /// The index whose bytes are `bytes`, its entries in `strings`.
    #[inline(always)]
    pub(crate) fn new(bytes: &'a [u8], strings: &'a [u8]) -> Self {
        Index { bytes, strings }
    }

    /// Whether the index holds no entry at all (its bytes are empty).
    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The size of the index in bytes.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The index's `bits` (it has `2^bits` buckets).
    pub(crate) fn bits(&self) -> Option<u32> {
        read_u32(self.bytes, origin_index::BITS)
    }

    /// Where `bucket`'s entries start (`bucket` = `2^bits`: the number of
    /// entries).
    pub(crate) fn bucket_start(&self, bucket: usize) -> Option<u32> {
        read_u32(self.bytes, origin_index::start_at(bucket)?)
    }

    /// The string of entry `entry` of an index of `2^bits` buckets.
    pub(crate) fn entry(&self, bits: u32, entry: usize) -> Option<&'a [u8]> {
        format::read_string(
            self.strings,
            self.bytes,
            origin_index::entry_at(bits, entry)?,
        )
    }

    /// Whether the index holds `key` (an empty index does not even hash
    /// it). With [`Compare::IgnoringCase`], `key` must be ASCII. Inlined
    /// on 64-bit targets, where speed matters most; one copy elsewhere
    /// (firmware, where code size does).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(crate) fn contains(&self, key: &[u8], compare: Compare) -> bool {
        if self.is_empty() {
            return false;
        }
        match compare {
            Compare::Exact => self.find(origin_index::hash(key), |entry| {
                origin_index::eq(entry, key)
            }),
            Compare::IgnoringCase => self.find(origin_index::hash_lower(key), |entry| {
                origin_index::eq_lower(entry, key)
            }),
        }
        .unwrap_or(false)
    }

    /// Whether an entry of the bucket of `hash` (a key's hash, computed
    /// by the caller) `matches` the key; false for an empty index. (Only
    /// the 64-bit header-list path hashes ahead of the lookup.)
    #[cfg(target_pointer_width = "64")]
    #[inline(always)]
    pub(crate) fn contains_hashed(&self, hash: u64, matches: impl Fn(&[u8]) -> bool) -> bool {
        !self.is_empty() && self.find(hash, matches).unwrap_or(false)
    }

    /// Whether an entry of the bucket of `hash` `matches`.
    #[inline(always)]
    fn find(&self, hash: u64, matches: impl Fn(&[u8]) -> bool) -> Option<bool> {
        let bits = self.bits()?;
        let bucket = origin_index::bucket(hash, bits);
        // One bounds check for both starts, one for the bucket's entries.
        let [start, end] = read_u32_pair(self.bytes, origin_index::start_at(bucket)?)?;
        let entries = self.bytes.get(
            origin_index::entry_at(bits, start as usize)?
                ..origin_index::entry_at(bits, end as usize)?,
        )?;
        for entry in entries.chunks_exact(STRING_REF_LEN) {
            if matches(format::read_string(self.strings, entry, 0)?) {
                return Some(true);
            }
        }
        Some(false)
    }
}
