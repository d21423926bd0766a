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

/// What a requested-headers list needs before one whole-list lookup: a
/// list as browsers send it (lower case, no whitespace) is looked up as it
/// is; one with upper case in any case; one with whitespace (or a control
/// byte) in its normal form. One pass, eight bytes at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ListShape {
    /// A byte below `!` (0x21): whitespace, or a control byte.
    pub(crate) whitespace: bool,
    /// A byte in `A`..=`Z`.
    pub(crate) upper: bool,
}

/// The [`ListShape`] of a requested-headers list.
#[cfg(target_pointer_width = "64")]
#[inline]
pub(crate) fn list_shape(list: &[u8]) -> ListShape {
    let mut chunks = list.chunks_exact(8);
    let (mut below, mut upper) = (0u64, 0u64);
    for chunk in &mut chunks {
        let word = le_word(chunk);
        below |= bytes_below_bang(word);
        upper |= upper_case_bytes(word);
    }
    if !chunks.remainder().is_empty() {
        // The last eight bytes, overlapping the words before (a byte looked
        // at twice changes nothing); a list shorter than a word padded with
        // `a`, which neither test marks.
        let tail = match list.len().checked_sub(8) {
            Some(start) => le_word(&list[start..]),
            None => chunks
                .remainder()
                .iter()
                .rev()
                .fold(u64::from_le_bytes([b'a'; 8]), |w, &b| w << 8 | u64::from(b)),
        };
        below |= bytes_below_bang(tail);
        upper |= upper_case_bytes(tail);
    }
    ListShape {
        whitespace: below != 0,
        upper: upper != 0,
    }
}

/// [`list_shape`] a byte at a time (32-bit firmware).
#[cfg(not(target_pointer_width = "64"))]
#[inline]
pub(crate) fn list_shape(list: &[u8]) -> ListShape {
    ListShape {
        whitespace: list.iter().any(|&b| b < b'!'),
        upper: list.iter().any(u8::is_ascii_uppercase),
    }
}

/// The high bit of each byte of `word` in `A`..=`Z`, exactly: the
/// word-at-a-time "has a byte between m and n" (no carry or borrow
/// crosses a byte, since each byte is masked to 7 bits first; bytes of
/// 0x80 and above are excluded by `!word`).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn upper_case_bytes(word: u64) -> u64 {
    let low7 = word & (ONES * 0x7F);
    (ONES * (0x7F + u64::from(b'Z') + 1)).wrapping_sub(low7)
        & !word
        & low7.wrapping_add(ONES * (0x7F - (u64::from(b'A') - 1)))
        & HIGHS
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
        let word_at = |at: usize| {
            bytes
                .get(at..at + 8)
                .and_then(|word| word.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        let len = bytes.len();
        if len >= 8 {
            let mut at = 0;
            while at + 8 <= len {
                if let Some(found) = first_comma(word_at(at)) {
                    return at + found;
                }
                at += 8;
            }
            // The last eight bytes overlap words without a comma: their
            // first comma is the first of the tail.
            return match first_comma(word_at(len - 8)) {
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

/// Longest requested-headers list [`normal_header_list`] rewrites, in
/// bytes: longer than the lists of the few names a header index holds as a
/// whole (see [`crate::format::policy::HEADER_INDEX`]).
#[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
pub(crate) const MAX_NORMAL_LIST: usize = 120;
/// Size of the buffer [`normal_header_list`] writes into: a whole word
/// past [`MAX_NORMAL_LIST`].
#[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
pub(crate) const NORMAL_LIST_BUFFER: usize = MAX_NORMAL_LIST + 8;

/// The **normal form** of a requested-headers list, written into `out`:
/// ASCII letters in lower case and the whitespace (SP, HTAB) around its
/// commas dropped, so that `Content-Type, Authorization` becomes
/// `content-type,authorization`, the form browsers send and a header
/// index holds whole. Eight bytes at a time: a word is lower-cased at once
/// and each of its whitespace bytes squeezed out with a shift.
///
/// `None` when `list` is longer than [`MAX_NORMAL_LIST`], or has
/// whitespace between two bytes that are not `,` (`content type`: a
/// malformed list, which must not become `contenttype`). Nothing else is
/// checked: every other byte is kept (lower-cased, a byte of 0x80 or above
/// keeping its high bit), so a normal form equal to a list of lower-case
/// tokens comes from a well-formed list of the same names.
#[inline]
#[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
pub(crate) fn normal_header_list<'b>(
    list: &[u8],
    out: &'b mut [u8; NORMAL_LIST_BUFFER],
) -> Option<&'b [u8]> {
    if list.len() > MAX_NORMAL_LIST {
        return None;
    }
    let mut normal = Normal {
        out,
        len: 0,
        seam: false,
    };
    let mut chunks = list.chunks_exact(8);
    for chunk in &mut chunks {
        normal.push(le_word(chunk), 8)?;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let word = tail
            .iter()
            .rev()
            .fold(0u64, |word, &b| word << 8 | u64::from(b));
        normal.push(word, tail.len())?;
    }
    let Normal { out, len, .. } = normal;
    out.get(..len)
}

/// The normal form being written (see [`normal_header_list`]).
#[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
struct Normal<'b> {
    out: &'b mut [u8; NORMAL_LIST_BUFFER],
    /// Bytes written.
    len: usize,
    /// Whitespace was dropped after the last byte written: the next byte
    /// written must be `,` unless that one was (or is the list's start).
    seam: bool,
}

#[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
impl Normal<'_> {
    /// Appends the first `n` (1 to 8) bytes of `word` (little-endian),
    /// lower-cased, without their whitespace. `None` when whitespace was
    /// between two bytes that are not `,`.
    #[inline(always)]
    fn push(&mut self, word: u64, n: usize) -> Option<()> {
        let live = if n >= 8 {
            HIGH_BITS
        } else {
            HIGH_BITS & ((1u64 << (8 * n)) - 1)
        };
        let bytes = crate::format::origin_index::lower_word(word);
        let whitespace = (equal_bytes(word, b' ') | equal_bytes(word, b'\t')) & live;
        let kept = if whitespace == 0 && !self.seam {
            // The usual word: nothing to drop, no seam to check.
            self.store(bytes);
            n
        } else {
            self.push_squeezed(bytes, whitespace, n)?
        };
        self.len += kept;
        Some(())
    }

    /// [`Self::push`] for a word with whitespace, or after some: each
    /// whitespace byte squeezed out with a shift, and each place one was
    /// dropped (a **seam**) checked to have `,` on one side. Returns the
    /// number of bytes kept.
    #[inline(never)]
    fn push_squeezed(&mut self, mut bytes: u64, mut whitespace: u64, n: usize) -> Option<usize> {
        let live = |kept: usize| u64::MAX.checked_shr(64 - 8 * kept as u32).unwrap_or(0);
        // The high bit of byte `q` of `bytes`: whitespace was dropped just
        // before it (at `q` = the bytes kept: at the word's end).
        let mut seams = u64::from(self.seam) << 7;
        let mut kept = n;
        while whitespace != 0 {
            // The lowest whitespace byte, squeezed out of every mask.
            let at = whitespace.trailing_zeros() & !7;
            let below = (1u64 << at) - 1;
            let squeeze = |x: u64| (x & below) | ((x >> 8) & !below);
            bytes = squeeze(bytes);
            whitespace = squeeze(whitespace);
            seams = squeeze(seams) | 0x80 << at;
            kept -= 1;
        }
        // The list's start counts as a `,` on the left.
        let after_comma = self
            .len
            .checked_sub(1)
            .is_none_or(|last| self.out.get(last) == Some(&b','));
        let commas = equal_bytes(bytes, b',');
        let left_commas = commas << 8 | u64::from(after_comma) << 7;
        if seams & live(kept) & HIGH_BITS & !commas & !left_commas != 0 {
            return None;
        }
        self.seam = 0x80u64
            .checked_shl(8 * kept as u32)
            .is_some_and(|end| seams & end != 0);
        self.store(bytes);
        Some(kept)
    }

    /// Stores the eight bytes of `word` at `len` (at most
    /// `MAX_NORMAL_LIST`: a whole word fits).
    #[inline(always)]
    fn store(&mut self, word: u64) {
        if let Some(slot) = self.out.get_mut(self.len..self.len + 8) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
    }
}

/// The high bit of every byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that equals `byte`, exactly (no
/// borrow between bytes).
#[inline(always)]
fn equal_bytes(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
    !(((x & LOW7).wrapping_add(LOW7)) | x) & !LOW7
}

/// Eight bytes as a little-endian word (zero for any other length).
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
    /// bytes that are not `,`, else the list lower-cased without SP and HTAB.
    fn normal_by_definition(list: &[u8]) -> Option<std::vec::Vec<u8>> {
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

    #[test]
    fn normal_header_lists_agree_with_the_definition() {
        // Every list of up to 6 bytes over an alphabet with the bytes that
        // matter, at every offset of a longer list (so that words split
        // them everywhere).
        let alphabet = [b'a', b'Z', b',', b' ', b'\t', 0xC1];
        let mut list = [0u8; 6];
        for len in 0..=6usize {
            for code in 0..alphabet.len().pow(len as u32) {
                let mut c = code;
                for byte in list.iter_mut().take(len) {
                    *byte = alphabet[c % alphabet.len()];
                    c /= alphabet.len();
                }
                for prefix in [&b""[..], b"x-a", b"content-type,x"] {
                    let mut whole = std::vec::Vec::from(prefix);
                    whole.extend_from_slice(&list[..len]);
                    whole.extend_from_slice(b"b,c");
                    let mut out = [0u8; NORMAL_LIST_BUFFER];
                    let got = normal_header_list(&whole, &mut out).map(<[u8]>::to_vec);
                    let expected = normal_by_definition(&whole);
                    // Non-ASCII bytes may fold differently, but keep their
                    // high bit, so no index entry can match either way.
                    if whole.is_ascii() {
                        assert_eq!(got, expected, "{whole:?}");
                    } else if let Some(got) = got {
                        assert!(!got.is_ascii(), "{whole:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn normal_header_lists_have_a_length_limit() {
        let mut out = [0u8; NORMAL_LIST_BUFFER];
        let long = [b'a'; MAX_NORMAL_LIST + 1];
        assert_eq!(normal_header_list(&long, &mut out), None);
        let most = [b'A'; MAX_NORMAL_LIST];
        assert_eq!(
            normal_header_list(&most, &mut out),
            Some(&[b'a'; MAX_NORMAL_LIST][..])
        );
    }

    #[test]
    fn header_names_are_the_trimmed_elements() {
        let names: std::vec::Vec<&[u8]> = header_names(b" a ,, b\t,").collect();
        assert_eq!(names, [&b"a"[..], b"", b"b", b""]);
        assert_eq!(header_names(b"").count(), 1);
        assert!(check_header_list(b"a , b").is_ok());
        assert_eq!(check_header_list(b"a b"), Err(MalformedList));
        assert_eq!(check_header_list(b"a\x00"), Err(MalformedList));
        assert!(list_shape(b"content-type, a").whitespace);
        assert!(!list_shape(b"content-type,x-a").whitespace);
    }

    #[test]
    fn list_shapes_agree_with_the_definition_at_every_byte_and_length() {
        for len in 0..=20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut list = std::vec![b'a'; len];
                    list[at] = byte;
                    let shape = list_shape(&list);
                    assert_eq!(shape.whitespace, byte < b'!', "{list:?}");
                    assert_eq!(shape.upper, byte.is_ascii_uppercase(), "{list:?}");
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
