//! Byte checks of request values and table strings: which bytes an RFC
//! 9110 token, an `Origin` value, a header value and a comma-separated list
//! of header names may hold, and where the elements of such a list are.
//!
//! Pure functions of bytes, with no knowledge of the table: the loader
//! uses them to check the strings of a table, eval to check a request.

use crate::format::MAX_ORIGIN_LEN;

/// Each byte as the normal form of a requested-headers list has it: an RFC
/// 9110 `tchar` in ASCII lower case, `,` itself, [`LIST_OWS`] for SP and
/// HTAB (which the normal form drops), [`LIST_INVALID`] for any other byte.
/// One load per byte classifies it and folds its case.
const LIST_BYTE: [u8; 256] = list_byte_table();
/// What [`LIST_BYTE`] maps SP and HTAB to.
const LIST_OWS: u8 = b' ';
/// What [`LIST_BYTE`] maps a byte no header list may hold to.
const LIST_INVALID: u8 = 0;

const fn list_byte_table() -> [u8; 256] {
    let mut table = [LIST_INVALID; 256];
    let mut byte = 0usize;
    while byte < 256 {
        let b = byte as u8;
        let tchar = matches!(b,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
            | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+'
            | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        table[byte] = if tchar {
            b.to_ascii_lowercase()
        } else if b == b' ' || b == b'\t' {
            LIST_OWS
        } else if b == b',' {
            b','
        } else {
            LIST_INVALID
        };
        byte += 1;
    }
    table
}

/// RFC 9110 `tchar`.
#[inline]
pub(crate) fn is_tchar(byte: u8) -> bool {
    !matches!(LIST_BYTE[byte as usize], LIST_INVALID | LIST_OWS | b',')
}

/// An RFC 9110 `token`: one or more `tchar`s (methods, header names).
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// An `Origin` value that no browser could send: empty, too long, or with
/// a byte that is not visible ASCII or is `,`.
pub(crate) fn is_malformed_origin(origin: &[u8]) -> bool {
    origin.is_empty() || origin.len() > MAX_ORIGIN_LEN || has_non_origin_byte(origin)
}

/// `0x01` in every byte of a word.
#[cfg(target_pointer_width = "64")]
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a word.
#[cfg(target_pointer_width = "64")]
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether `origin` has a byte that is not visible ASCII or is `,`, eight
/// bytes at a time: origins are a few dozen bytes and this runs on every
/// CORS request.
#[cfg(target_pointer_width = "64")]
fn has_non_origin_byte(origin: &[u8]) -> bool {
    any_word(origin, invalid_origin_bytes)
}

/// [`has_non_origin_byte`] a byte at a time, where 64-bit arithmetic would
/// cost more code than it saves (32-bit firmware).
#[cfg(not(target_pointer_width = "64"))]
fn has_non_origin_byte(origin: &[u8]) -> bool {
    origin
        .iter()
        .any(|&b| !(0x21..=0x7E).contains(&b) || b == b',')
}

/// Whether `marks` is non-zero for some word of `bytes`: its whole 8-byte
/// words, then its tail padded with `a` (a byte no test marks).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn any_word(bytes: &[u8], marks: impl Fn(u64) -> u64) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    let mut marked = 0u64;
    for chunk in &mut chunks {
        marked |= marks(le_word(chunk));
    }
    let tail = chunks
        .remainder()
        .iter()
        .rev()
        .fold(u64::from_le_bytes([b'a'; 8]), |w, &b| w << 8 | u64::from(b));
    marked |= marks(tail);
    marked != 0
}

/// Non-zero when any byte of `word` is below `!` (0x21): the word-at-a-time
/// test "has a byte less than n", exact as a whole for n up to 128.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn bytes_below_bang(word: u64) -> u64 {
    word.wrapping_sub(ONES * 0x21) & !word & HIGHS
}

/// Non-zero when any byte of `word` is below `!` (0x21), above `~` (0x7E)
/// or is `,`: the word-at-a-time tests "has a byte less than n" and "has a
/// byte greater than n" (exact as a whole for n up to 128), and "has a zero
/// byte" after XOR with commas.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn invalid_origin_bytes(word: u64) -> u64 {
    let below = bytes_below_bang(word);
    // Adding 1 (= 0x7F - 0x7E) sets the high bit of 0x7F; 0x80.. have it.
    let above = (word.wrapping_add(ONES) | word) & HIGHS;
    let commas = word ^ (ONES * u64::from(b','));
    let comma = commas.wrapping_sub(ONES) & !commas & HIGHS;
    below | above | comma
}

/// The position of the first `,` in `bytes`, or `bytes.len()`; eight bytes
/// at a time on 64-bit targets (a header list holds a few dozen bytes).
#[inline]
pub(crate) fn find_comma(bytes: &[u8]) -> usize {
    #[cfg(target_pointer_width = "64")]
    {
        /// The position of the first comma among the bytes of `word`.
        fn first_comma(word: u64) -> Option<usize> {
            let commas = word ^ (ONES * u64::from(b','));
            // Exact at the lowest marked byte: a borrow only runs upwards.
            let found = commas.wrapping_sub(ONES) & !commas & HIGHS;
            (found != 0).then_some((found.trailing_zeros() / 8) as usize)
        }
        let load = |at: usize| word_at(bytes, at).unwrap_or_default();
        let len = bytes.len();
        if len >= 8 {
            let mut at = 0;
            while at + 8 <= len {
                if let Some(found) = first_comma(load(at)) {
                    return at + found;
                }
                at += 8;
            }
            // The last eight bytes overlap words without a comma: their
            // first comma is the first of the tail.
            return match first_comma(load(len - 8)) {
                Some(found) if at < len => len - 8 + found,
                _ => len,
            };
        }
    }
    bytes.iter().position(|&b| b == b',').unwrap_or(bytes.len())
}

/// A requested-headers list with a byte no list may hold, or with
/// whitespace inside a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MalformedList;

/// Checks a requested-headers list: RFC 9110 `#field-name`, names
/// (tokens) joined by `,` with optional whitespace (SP, HTAB) around them;
/// empty elements are allowed.
///
/// # Errors
///
/// [`MalformedList`] for a byte no list may hold or a name with
/// whitespace inside (`content type`).
pub(crate) fn check_header_list(list: &[u8]) -> Result<(), MalformedList> {
    let class = |at: usize| list.get(at).map_or(b',', |&b| LIST_BYTE[usize::from(b)]);
    let is_name_byte = |class: u8| !matches!(class, LIST_INVALID | LIST_OWS | b',');
    let mut at = 0;
    while at < list.len() {
        match class(at) {
            // Empty elements and whitespace around names.
            LIST_OWS | b',' => at += 1,
            LIST_INVALID => return Err(MalformedList),
            _ => {
                while is_name_byte(class(at)) {
                    at += 1;
                }
                while class(at) == LIST_OWS {
                    at += 1;
                }
                // After a name and its whitespace: a comma or the end.
                // Anything else is a name with a space in it, or a byte
                // no header list may hold.
                if at < list.len() && class(at) != b',' {
                    return Err(MalformedList);
                }
                at += 1;
            }
        }
    }
    Ok(())
}

/// The index's hash of `list` as it is ([`crate::format::origin_index::hash`]),
/// or `None` as soon as a word has a byte below `!` (0x21): whitespace, which no index entry holds, or a
/// control byte. One pass, a word at a time: what browsers send is hashed
/// for its exact lookup at the cost of a test per word; a list with
/// whitespace is left to its [`NormalForm`], built from its start.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) fn hash_plain_list(list: &[u8]) -> Option<u64> {
    use crate::format::origin_index::{finish, last_word, mix, seed};
    let mut state = seed(list.len());
    let mut chunks = list.chunks_exact(8);
    for chunk in &mut chunks {
        let word = le_word(chunk);
        if bytes_below_bang(word) != 0 {
            return None;
        }
        state = mix(state, word);
    }
    if !chunks.remainder().is_empty() {
        let word = last_word(list);
        // Below four bytes, bytes 3 to 7 of the last word are padding.
        let live = if list.len() >= 4 { u64::MAX } else { 0xFF_FFFF };
        if bytes_below_bang(word) & live != 0 {
            return None;
        }
        state = mix(state, word);
    }
    Some(finish(state))
}

/// Whether `list` has an ASCII upper-case letter (`A`..`Z`), a word at a
/// time: a list without whitespace and without one is its own
/// [`NormalForm`] already.
#[cfg(target_pointer_width = "64")]
pub(crate) fn has_ascii_upper(list: &[u8]) -> bool {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    any_word(list, |word| {
        // As `lower_word`, on the low seven bits (no carry between bytes),
        // a byte of 0x80 or above left out.
        let low = word & LOW7;
        let from_a = low + ONES * u64::from(0x80 - b'A');
        let past_z = low + ONES * u64::from(0x80 - b'[');
        (from_a ^ past_z) & !word & HIGHS
    })
}

/// Longest requested-headers list, in bytes, whose normal form is looked
/// up whole on 64-bit targets (the exact lookup of a list as it is has no
/// limit): a longer list in another case or with whitespace is answered
/// name by name, which gives the same answer (see
/// [`crate::format::policy::HEADER_INDEX`] for the lists an index holds).
#[cfg(target_pointer_width = "64")]
pub(crate) const MAX_NORMAL_LIST: usize = 120;
/// Whole words of a normal form built a word at a time ([`NormalForm`]):
/// forms up to 39 bytes (two to four names); longer ones are built a byte
/// at a time ([`normal_bytes`]), so that the common lists do not clear a
/// buffer for the longest (which costs them about 1 ns).
#[cfg(target_pointer_width = "64")]
const NORMAL_WORDS: usize = 4;

/// What [`NormalForm::build`] made of a list.
#[cfg(target_pointer_width = "64")]
pub(crate) enum Normalized {
    /// The normal form, of this hash ([`crate::format::origin_index::hash`]).
    Hash(u64),
    /// No normal form (see [`NormalForm`]).
    Absent,
    /// A list for [`normal_bytes`]: shorter than a word, with a byte below
    /// `!` (whitespace or a control byte) in its last eight bytes, or with
    /// a normal form longer than [`NormalForm`] holds.
    Bytewise,
}

/// The **normal form** of a requested-headers list: ASCII letters in lower
/// case and the whitespace (SP, HTAB) around its commas dropped, so that
/// `Content-Type, Authorization` becomes `content-type,authorization`,
/// the form browsers send and a header index holds whole. Built a word at
/// a time, kept as the words the index's hash reads
/// ([`crate::format::origin_index`]), and hashed as they are made; for the
/// lists this cannot build, see [`normal_bytes`].
///
/// No normal form when the list is longer than [`MAX_NORMAL_LIST`], has a
/// control byte (no entry has one), or has whitespace between two bytes
/// that are not `,` (`content type`: a malformed list, which must not
/// become `contenttype`). Nothing else is checked: every other byte is
/// kept (lower-cased, a byte of 0x80 or above keeping its high bit), so a
/// normal form equal to a list of lower-case tokens comes from a
/// well-formed list of the same names.
#[cfg(target_pointer_width = "64")]
pub(crate) struct NormalForm {
    /// The whole words, little-endian.
    words: [u64; NORMAL_WORDS],
    /// Length in bytes.
    len: usize,
    /// The hash's last word (see
    /// [`crate::format::origin_index::last_word`]), when `len` is not a
    /// multiple of 8.
    last: u64,
}

#[cfg(target_pointer_width = "64")]
impl NormalForm {
    /// No bytes, to be built by [`Self::build`].
    pub(crate) const EMPTY: NormalForm = NormalForm {
        words: [0; NORMAL_WORDS],
        len: 0,
        last: 0,
    };

    /// Builds the normal form of `list` into `self` (empty), for a list of
    /// eight bytes or more whose last eight have no whitespace (what
    /// proxies and clients write: whitespace after or around commas).
    ///
    /// Each word of the normal form is one load of the list where its
    /// bytes start: a word with no whitespace, as most are, costs nothing
    /// more; one with some has each whitespace byte cut out by a load one
    /// byte further on, blended in above it ([`cut_whitespace`]), so that
    /// whitespace costs per byte of it, not per byte of the list. Every
    /// load is inside the list: whitespace is before its last eight bytes,
    /// which end the normal form.
    #[inline(always)]
    pub(crate) fn build(&mut self, list: &[u8]) -> Normalized {
        use crate::format::origin_index::{finish, lower_word, mix, reseed};
        if list.len() > MAX_NORMAL_LIST {
            return Normalized::Absent;
        }
        let end = match list.get(list.len().wrapping_sub(8)..).map(le_word) {
            Some(end) if bytes_below_bang(end) == 0 => end,
            _ => return Normalized::Bytewise,
        };
        // The hash's state, seeded for no bytes: the normal form's length
        // is known at its end.
        let mut state = 0;
        let mut count = 0;
        // The next byte of the list to read.
        let mut at = 0;
        let mut slots = self.words.iter_mut();
        while let Some(mut word) = word_at(list, at) {
            let mut cut = 0;
            if bytes_below_bang(word) != 0 {
                match cut_whitespace(list, at, word) {
                    Some(kept) => (word, cut) = kept,
                    None => return Normalized::Absent,
                }
            }
            let word = lower_word(word);
            let Some(slot) = slots.next() else {
                return Normalized::Bytewise;
            };
            *slot = word;
            state = mix(state, word);
            count += 1;
            at += 8 + cut;
        }
        // The bytes left, fewer than eight, end the normal form, whose
        // last eight bytes are then the list's.
        let len = count * 8 + (list.len() - at);
        let mut hashed = count;
        if !len.is_multiple_of(8) {
            self.last = lower_word(end);
            state = mix(state, self.last);
            hashed += 1;
        }
        self.len = len;
        Normalized::Hash(finish(reseed(state, len, hashed)))
    }

    /// Whether `entry` is this normal form, compared a word at a time.
    #[inline(always)]
    pub(crate) fn matches(&self, entry: &[u8]) -> bool {
        use crate::format::origin_index::last_word;
        entry.len() == self.len
            && entry
                .chunks_exact(8)
                .zip(&self.words)
                .all(|(chunk, &word)| le_word(chunk) == word)
            && (self.len.is_multiple_of(8) || last_word(entry) == self.last)
    }
}

/// The normal form of `list` (see [`NormalForm`]) built a byte at a time
/// into `bytes`: for the lists [`NormalForm::build`] leaves
/// ([`Normalized::Bytewise`]). `None` when it has none (an empty one is
/// `Some`: no entry is empty).
#[cfg(target_pointer_width = "64")]
pub(crate) fn normal_bytes<'b>(
    list: &[u8],
    bytes: &'b mut [u8; MAX_NORMAL_LIST],
) -> Option<&'b [u8]> {
    if list.len() > MAX_NORMAL_LIST {
        return None;
    }
    let mut len = 0;
    for (at, &byte) in list.iter().enumerate() {
        if byte < b'!' {
            check_cut(list, at)?;
        } else {
            *bytes.get_mut(len)? = byte.to_ascii_lowercase();
            len += 1;
        }
    }
    bytes.get(..len)
}

/// The word of a normal form at byte `at` of `list` (of whose last eight
/// bytes none is below `!`), from the word `word` loaded there, which has
/// bytes below `!`; and how many bytes were cut from it.
/// Each such byte is checked ([`check_cut`]) and cut: the bytes above it
/// are those of a load one byte further on.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn cut_whitespace(list: &[u8], at: usize, mut word: u64) -> Option<(u64, usize)> {
    let load = |at: usize| word_at(list, at).unwrap_or_default();
    let mut below = bytes_below_bang_exact(word);
    let mut cut = 0;
    while below != 0 {
        // Byte `kept` of the word is byte `at + cut + kept` of the list.
        let kept = (below.trailing_zeros() / 8) as usize;
        check_cut(list, at + cut + kept)?;
        cut += 1;
        let next = load(at + cut);
        let low = (1u64 << (8 * kept)) - 1;
        word = (word & low) | (next & !low);
        below = bytes_below_bang_exact(next) & !low;
    }
    Some((word, cut))
}

/// Checks the byte at `at` of `list`, which is below `!`, to be cut from
/// its normal form: `None` when it is a control byte or whitespace in a
/// seam (see [`whitespace_at`]). Whitespace next to a `,` (or an end of the
/// list) is no seam, whatever its run; else the run decides.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn check_cut(list: &[u8], at: usize) -> Option<()> {
    // The byte before, the byte, and the byte after, in one load.
    let around = at
        .checked_sub(1)
        .and_then(|before| word_at(list, before))
        .unwrap_or_default()
        .to_le_bytes();
    let is_ows = |b: u8| b == b' ' || b == b'\t';
    if !(is_ows(around[1]) && (around[0] == b',' || around[2] == b',')) {
        whitespace_at(list, at)?;
    }
    Some(())
}

/// Checks the byte at `at` of `list`, which is below `!`: `None` when it
/// is a control byte, or the last byte of a run of whitespace (SP, HTAB)
/// that is a **seam**, between two bytes that are not `,` (the list's ends
/// count as `,`), as in `content type`, a malformed list which must not
/// become `contenttype`. Else whether it is the last byte of its run.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn whitespace_at(list: &[u8], at: usize) -> Option<bool> {
    let is_ows = |at: usize| matches!(list.get(at), Some(b' ' | b'\t'));
    if !is_ows(at) {
        return None;
    }
    let last = !is_ows(at + 1);
    if last {
        let mut start = at;
        while start > 0 && is_ows(start - 1) {
            start -= 1;
        }
        let name_before = start > 0 && list.get(start - 1) != Some(&b',');
        let name_after = at + 1 < list.len() && list.get(at + 1) != Some(&b',');
        if name_before && name_after {
            return None;
        }
    }
    Some(last)
}

/// The high bit of each byte of `word` that is below `!` (0x21), exactly
/// (no borrow between bytes).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn bytes_below_bang_exact(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The high bit of `(b & 0x7F) + 0x5F` is set from 0x21 up (0x7F + 0x5F
    // does not carry); a byte of 0x80 or above has its own high bit.
    !(((word & LOW7).wrapping_add(ONES * 0x5F)) | word) & HIGHS
}

/// The eight bytes of `list` from `at` as a little-endian word, if it has
/// them (checked without computing `at + 8`, which costs an overflow
/// check on the hot paths).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn word_at(list: &[u8], at: usize) -> Option<u64> {
    list.get(at..)?
        .first_chunk()
        .copied()
        .map(u64::from_le_bytes)
}

/// Eight bytes as a little-endian word (zero for any other length).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn le_word(bytes: &[u8]) -> u64 {
    bytes.try_into().map_or(0, u64::from_le_bytes)
}

/// The elements of a requested-headers list, in order: each
/// `,`-separated element without its surrounding whitespace (empty for an
/// empty element). Finds the commas eight bytes at a time.
#[inline]
pub(crate) fn header_names(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(list);
    core::iter::from_fn(move || {
        let current = rest?;
        let end = find_comma(current);
        rest = current.get(end + 1..);
        Some(trim_ows(current.get(..end).unwrap_or_default()))
    })
}

/// Header values may hold visible ASCII, space and tab only: a table can
/// never smuggle a line break into a response.
pub(crate) fn is_header_value(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// One or more lower-case tokens joined by `,` (no whitespace, no empty
/// element): the form of a requested-headers list that a header index
/// holds whole.
pub(crate) fn is_lower_token_list(list: &[u8]) -> bool {
    list.split(|&b| b == b',')
        .all(|name| is_token(name) && !name.iter().any(u8::is_ascii_uppercase))
}

/// Strips optional whitespace (SP and HTAB, RFC 9110 `OWS`) from both ends.
pub(crate) fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    /// The definition the word-at-a-time check must agree with.
    fn malformed_by_definition(origin: &[u8]) -> bool {
        origin.is_empty()
            || origin.len() > MAX_ORIGIN_LEN
            || origin
                .iter()
                .any(|&b| !(0x21..=0x7E).contains(&b) || b == b',')
    }

    #[test]
    fn every_byte_at_every_position_of_short_and_long_origins() {
        for len in 1..=24 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut origin = [b'h'; 24];
                    origin[at] = byte;
                    let origin = &origin[..len];
                    assert_eq!(
                        is_malformed_origin(origin),
                        malformed_by_definition(origin),
                        "byte {byte:#04x} at {at} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn bytes_next_to_every_boundary_pair() {
        // Borrows between neighbouring bytes are where word tricks go wrong.
        let edges = [0x00, 0x20, 0x21, 0x2B, 0x2C, 0x2D, 0x7E, 0x7F, 0x80, 0xFF];
        for &left in &edges {
            for &right in &edges {
                for len in 2..=17 {
                    for at in 0..len - 1 {
                        let mut origin = [b'x'; 17];
                        origin[at] = left;
                        origin[at + 1] = right;
                        let origin = &origin[..len];
                        assert_eq!(is_malformed_origin(origin), malformed_by_definition(origin));
                    }
                }
            }
        }
    }

    #[test]
    fn find_comma_finds_the_first_comma_at_every_position() {
        for len in 0..=20 {
            for first in 0..=len {
                let mut list = [b'x'; 20];
                for at in [first, first + 1, first + 9] {
                    if at < len {
                        list[at] = b',';
                    }
                }
                let list = &list[..len];
                let expected = list.iter().position(|&b| b == b',').unwrap_or(len);
                assert_eq!(find_comma(list), expected, "{list:?}");
            }
        }
    }

    /// The normal form by definition: `None` when whitespace separates two
    /// bytes that are not `,`, or when the list has a control byte (no
    /// entry has one), else the list lower-cased without SP and HTAB.
    fn normal_by_definition(list: &[u8]) -> Option<std::vec::Vec<u8>> {
        if list.iter().any(|&b| b < b' ' && b != b'\t') {
            return None;
        }
        let kept: std::vec::Vec<(usize, u8)> = list
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, b)| b != b' ' && b != b'\t')
            .collect();
        for pair in kept.windows(2) {
            let ((i, a), (j, b)) = (pair[0], pair[1]);
            if j > i + 1 && a != b',' && b != b',' {
                return None;
            }
        }
        Some(kept.iter().map(|&(_, b)| b.to_ascii_lowercase()).collect())
    }

    /// The whole-list lookup key of `list` as its normal form makes it:
    /// the bytes a header index entry must have, and their hash.
    fn key(list: &[u8]) -> Option<(std::vec::Vec<u8>, u64)> {
        let mut normal = NormalForm::EMPTY;
        let hash = match normal.build(list) {
            Normalized::Hash(hash) => hash,
            Normalized::Absent => return None,
            Normalized::Bytewise => {
                let mut bytes = [0; MAX_NORMAL_LIST];
                let bytes = normal_bytes(list, &mut bytes)?.to_vec();
                let hash = crate::format::origin_index::hash(&bytes);
                return Some((bytes, hash));
            }
        };
        let len = normal.len;
        let mut bytes: std::vec::Vec<u8> = normal.words[..len / 8]
            .iter()
            .flat_map(|word| word.to_le_bytes())
            .collect();
        if !len.is_multiple_of(8) {
            let last = normal.last.to_le_bytes();
            bytes.extend_from_slice(&last[8 - len % 8..]);
        }
        assert!(normal.matches(&bytes), "{list:?}");
        for other in [&bytes[..bytes.len() - 1], b"content-type,x-a,b"] {
            assert_eq!(normal.matches(other), other == bytes, "{list:?}");
        }
        Some((bytes, hash))
    }

    #[test]
    fn normal_forms_agree_with_the_definition() {
        // Every list of up to 6 bytes over an alphabet with the bytes that
        // matter, at every offset of a longer list (so that words split
        // them everywhere).
        let alphabet = [b'a', b'Z', b',', b' ', b'\t', 0xC1, 0x01];
        let mut list = [0u8; 6];
        for len in 0..=6usize {
            for code in 0..alphabet.len().pow(len as u32) {
                let mut c = code;
                for byte in list.iter_mut().take(len) {
                    *byte = alphabet[c % alphabet.len()];
                    c /= alphabet.len();
                }
                let prefixes = [
                    &b""[..],
                    b"x-a",
                    b"content-type,x",
                    b"Content-Type,X-Requested",
                ];
                for prefix in prefixes {
                    for suffix in [&b""[..], b"b,c", b"b,c-d-e-f-g"] {
                        let mut whole = std::vec::Vec::from(prefix);
                        whole.extend_from_slice(&list[..len]);
                        whole.extend_from_slice(suffix);
                        // No entry is empty: an empty key needs no normal form.
                        let got = key(&whole).filter(|(bytes, _)| !bytes.is_empty());
                        let expected = normal_by_definition(&whole).filter(|n| !n.is_empty());
                        if let Some((bytes, hash)) = got.as_ref().filter(|_| whole.is_ascii()) {
                            // The hash is the index's hash of the bytes.
                            assert_eq!(
                                *hash,
                                crate::format::origin_index::hash(bytes),
                                "{whole:?}"
                            );
                        }
                        // Non-ASCII bytes may fold differently, but keep their
                        // high bit, so no index entry can match either way.
                        if whole.is_ascii() {
                            assert_eq!(got.map(|(bytes, _)| bytes), expected, "{whole:?}");
                        } else if let Some((got, _)) = got {
                            assert!(!got.is_ascii(), "{whole:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn normal_forms_have_a_length_limit() {
        let long = [b' '; MAX_NORMAL_LIST + 1];
        let mut normal = NormalForm::EMPTY;
        assert!(matches!(normal.build(&long), Normalized::Absent));
        assert!(normal_bytes(&long, &mut [0; MAX_NORMAL_LIST]).is_none());
        let mut most = [b'A'; MAX_NORMAL_LIST];
        most[MAX_NORMAL_LIST - 1] = b' ';
        assert_eq!(
            key(&most).map(|(bytes, _)| bytes),
            Some(std::vec![b'a'; MAX_NORMAL_LIST - 1])
        );
        // Longer than the words hold, with whitespace before the last eight.
        let mut long_form = std::vec![b'A'; 100];
        long_form.extend_from_slice(b" , bcdefghij");
        let mut expected = std::vec![b'a'; 100];
        expected.extend_from_slice(b",bcdefghij");
        assert!(matches!(normal.build(&long_form), Normalized::Bytewise));
        assert_eq!(key(&long_form).map(|(bytes, _)| bytes), Some(expected));
    }

    #[test]
    fn header_names_are_the_trimmed_elements() {
        let names: std::vec::Vec<&[u8]> = header_names(b" a ,, b\t,").collect();
        assert_eq!(names, [&b"a"[..], b"", b"b", b""]);
        assert_eq!(header_names(b"").count(), 1);
        assert!(check_header_list(b"a , b").is_ok());
        assert_eq!(check_header_list(b"a b"), Err(MalformedList));
        assert_eq!(check_header_list(b"a\x00"), Err(MalformedList));
        assert_eq!(hash_plain_list(b"content-type, a"), None);
        assert_eq!(
            hash_plain_list(b"content-type,x-a"),
            Some(crate::format::origin_index::hash(b"content-type,x-a"))
        );
    }

    #[test]
    fn normal_forms_of_a_few_forms() {
        let hash = crate::format::origin_index::hash(b"content-type,x-a");
        for form in [
            &b"content-type,x-a"[..],
            b"Content-Type,X-A",
            b"content-type , X-a",
        ] {
            let expected = (b"content-type,x-a".to_vec(), hash);
            assert_eq!(key(form), Some(expected), "{form:?}");
        }
        assert_eq!(key(b"content-type,x -a"), None);
    }

    #[test]
    fn every_byte_at_every_position_and_length_hashes_and_normalizes() {
        use crate::format::origin_index::hash;
        for len in 0..=20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut list = std::vec![b'a'; len];
                    list[at] = byte;
                    // The plain hash: none with a byte below `!`.
                    let expected = (byte >= b'!').then(|| hash(&list));
                    assert_eq!(hash_plain_list(&list), expected, "{list:?}");
                    // An upper-case letter: exactly `A`..`Z`.
                    assert_eq!(
                        has_ascii_upper(&list),
                        byte.is_ascii_uppercase(),
                        "{list:?}"
                    );
                    // The normal form: as defined.
                    let got = key(&list).filter(|(bytes, _)| !bytes.is_empty());
                    let expected = normal_by_definition(&list).filter(|n| !n.is_empty());
                    if byte.is_ascii() {
                        let expected = expected.map(|n| (n.clone(), hash(&n)));
                        assert_eq!(got, expected, "{list:?}");
                    } else if let Some((got, _)) = got {
                        assert!(!got.is_ascii(), "{list:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn empty_and_over_long_origins_are_malformed() {
        assert!(is_malformed_origin(b""));
        let long = [b'a'; MAX_ORIGIN_LEN + 1];
        assert!(is_malformed_origin(&long));
        assert!(!is_malformed_origin(&long[..MAX_ORIGIN_LEN]));
    }
}
