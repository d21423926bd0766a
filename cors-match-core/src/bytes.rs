//! Byte checks of request values and table strings: which bytes an RFC
//! 9110 token, an `Origin` value, a header value and a comma-separated list
//! of header names may hold, and where the elements of such a list are.
//!
//! Pure functions of bytes, with no knowledge of the table: the loader
//! uses them to check the strings of a table, eval to check a request.

use crate::format::MAX_ORIGIN_LEN;

/// The class of each byte in a requested-headers list: the byte itself in
/// lower case when it is an RFC 9110 `tchar` (all of which are above
/// [`COMMA`]), [`OWS`], [`COMMA`], or [`INVALID`]. One load per byte
/// classifies it and folds its case on the header-list hot path.
pub(crate) const HEADER_LIST_CLASS: [u8; 256] = header_list_class_table();
/// Class of a byte that may not appear in a header list.
pub(crate) const INVALID: u8 = 0;
/// Class of SP and HTAB.
pub(crate) const OWS: u8 = 1;
/// Class of `,`.
pub(crate) const COMMA: u8 = 2;

const fn header_list_class_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
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
            OWS
        } else if b == b',' {
            COMMA
        } else {
            INVALID
        };
        byte += 1;
    }
    table
}

/// RFC 9110 `tchar`.
#[inline]
pub(crate) fn is_tchar(byte: u8) -> bool {
    HEADER_LIST_CLASS[byte as usize] > COMMA
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
    let mut chunks = origin.chunks_exact(8);
    let mut invalid = 0u64;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        invalid |= invalid_origin_bytes(u64::from_le_bytes(word));
    }
    // The tail, padded with a valid byte.
    let tail = chunks
        .remainder()
        .iter()
        .rev()
        .fold(u64::from_le_bytes([b'a'; 8]), |w, &b| w << 8 | u64::from(b));
    invalid |= invalid_origin_bytes(tail);
    invalid != 0
}

/// [`has_non_origin_byte`] a byte at a time, where 64-bit arithmetic would
/// cost more code than it saves (32-bit firmware).
#[cfg(not(target_pointer_width = "64"))]
fn has_non_origin_byte(origin: &[u8]) -> bool {
    origin
        .iter()
        .any(|&b| !(0x21..=0x7E).contains(&b) || b == b',')
}

/// Non-zero when any byte of `word` is below `!` (0x21), above `~` (0x7E)
/// or is `,`: the word-at-a-time tests "has a byte less than n" and "has a
/// byte greater than n" (exact as a whole for n up to 128), and "has a zero
/// byte" after XOR with commas.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn invalid_origin_bytes(word: u64) -> u64 {
    let below = word.wrapping_sub(ONES * 0x21) & !word & HIGHS;
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

    #[test]
    fn empty_and_over_long_origins_are_malformed() {
        assert!(is_malformed_origin(b""));
        let long = [b'a'; MAX_ORIGIN_LEN + 1];
        assert!(is_malformed_origin(&long));
        assert!(!is_malformed_origin(&long[..MAX_ORIGIN_LEN]));
    }
}
