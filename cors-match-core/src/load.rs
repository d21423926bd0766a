//! Loading a table from untrusted bytes.
//!
//! [`Table::from_bytes`] checks everything eval relies on, once, so that
//! evaluation never meets an out-of-range offset, state or string: the magic,
//! byte order, version, length, checksum, section bounds, every state's
//! transitions, every transition's target, every policy record and every
//! string it references.

use core::fmt;

use crate::automaton::{accept_of, first_next_of, Automata};
use crate::bytes::{is_header_value, is_lower_token_list, is_malformed_origin};
use crate::format::{
    self, flags, header, methods, origin_index, policy, read_u16, read_u32, state, transition,
    HEADER_LEN, MAGIC, NO_POLICY, NO_STATE, POLICY_LEN, STATE_LEN, TRANSITION_LEN, VERSION,
};
use crate::index::Index;

/// Why a table was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Shorter than the header.
    Truncated,
    /// Does not start with the table magic: not a corsc table.
    BadMagic,
    /// Written with a byte order this reader does not use.
    BadEndianness,
    /// Written in a format version this reader does not know.
    UnsupportedVersion {
        /// The version the table declares.
        found: u32,
    },
    /// The declared length is not the length of the bytes given.
    LengthMismatch {
        /// Length declared in the header.
        declared: u32,
        /// Length of the slice.
        actual: usize,
    },
    /// The checksum does not match the contents: the table is corrupted.
    ChecksumMismatch {
        /// Checksum stored in the header.
        stored: u32,
        /// Checksum computed from the contents.
        computed: u32,
    },
    /// A section lies outside the table.
    SectionOutOfBounds,
    /// A state record is invalid (its transitions out of range, or a bad accept value).
    BadState {
        /// Index of the state.
        index: u32,
    },
    /// A transition is invalid (unsorted, overlapping, reserved bits, or a target out of range).
    BadTransition {
        /// Index of the transition.
        index: u32,
    },
    /// A policy record is invalid (a bad start state, string, status or flags).
    BadPolicy {
        /// Index of the policy.
        index: u32,
    },
    /// The header's path start state or catch-all policy is out of range.
    BadPathIndex,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Truncated => f.write_str("table is truncated (shorter than its header)"),
            LoadError::BadMagic => f.write_str("not a corsc table (bad magic)"),
            LoadError::BadEndianness => f.write_str("table has the wrong byte order"),
            LoadError::UnsupportedVersion { found } => write!(
                f,
                "table format version {found} is not supported (this build reads version {VERSION})"
            ),
            LoadError::LengthMismatch { declared, actual } => write!(
                f,
                "table declares {declared} bytes but {actual} were given (truncated or padded)"
            ),
            LoadError::ChecksumMismatch { stored, computed } => write!(
                f,
                "table is corrupted (checksum {computed:#010x}, expected {stored:#010x})"
            ),
            LoadError::SectionOutOfBounds => f.write_str("table section out of bounds"),
            LoadError::BadState { index } => write!(f, "table state {index} is invalid"),
            LoadError::BadTransition { index } => write!(f, "table transition {index} is invalid"),
            LoadError::BadPolicy { index } => write!(f, "table policy {index} is invalid"),
            LoadError::BadPathIndex => f.write_str("table path index is invalid"),
        }
    }
}

/// A validated, compiled policy table, borrowed from its bytes.
///
/// Cheap to copy; immutable, so one table can serve any number of threads.
#[derive(Clone, Copy, Debug)]
pub struct Table<'a> {
    policies: &'a [u8],
    policy_count: u32,
    automata: Automata<'a>,
    path_start: u32,
    catch_all: u32,
    /// The literal run that every path walk starts with, and where it
    /// leads, when the path automaton's start state is a run that does not
    /// accept (one prefix of two bytes or more, or prefixes whose first two
    /// bytes or more are the same, such as `/api/v1/` and `/api/v2/`):
    /// found at load, so that a walk compares the path with it at once
    /// rather than after loading the start state.
    path_head: Option<(&'a [u8], u32)>,
}

/// `offset..offset + count * size` within `len`, with checked arithmetic.
fn section(table: &[u8], offset: u32, count: u32, size: usize) -> Result<&[u8], LoadError> {
    let bytes = (count as usize)
        .checked_mul(size)
        .ok_or(LoadError::SectionOutOfBounds)?;
    let start = offset as usize;
    if start < HEADER_LEN {
        return Err(LoadError::SectionOutOfBounds);
    }
    let end = start
        .checked_add(bytes)
        .ok_or(LoadError::SectionOutOfBounds)?;
    table.get(start..end).ok_or(LoadError::SectionOutOfBounds)
}

fn field(table: &[u8], offset: usize) -> Result<u32, LoadError> {
    read_u32(table, offset).ok_or(LoadError::Truncated)
}

impl<'a> Table<'a> {
    /// Validates `table` and returns a policy that borrows it.
    ///
    /// Never panics, whatever the bytes; success means eval cannot meet an
    /// invalid offset, state index or string.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] naming the first check that failed.
    pub fn from_bytes(table: &'a [u8]) -> Result<Self, LoadError> {
        if table.len() < HEADER_LEN {
            return Err(if table.starts_with(&MAGIC) || MAGIC.starts_with(table) {
                LoadError::Truncated
            } else {
                LoadError::BadMagic
            });
        }
        if table[header::MAGIC..header::MAGIC + MAGIC.len()] != MAGIC {
            return Err(LoadError::BadMagic);
        }
        if field(table, header::ENDIAN)? != format::ENDIAN_MARKER {
            return Err(LoadError::BadEndianness);
        }
        let version = field(table, header::VERSION)?;
        if version != VERSION {
            return Err(LoadError::UnsupportedVersion { found: version });
        }
        let declared = field(table, header::TOTAL_LEN)?;
        if declared as usize != table.len() {
            return Err(LoadError::LengthMismatch {
                declared,
                actual: table.len(),
            });
        }
        let stored = field(table, header::CHECKSUM)?;
        let computed = format::checksum(table).ok_or(LoadError::Truncated)?;
        if stored != computed {
            return Err(LoadError::ChecksumMismatch { stored, computed });
        }

        let policy_count = field(table, header::POLICY_COUNT)?;
        let policies = section(
            table,
            field(table, header::POLICIES_OFFSET)?,
            policy_count,
            POLICY_LEN,
        )?;
        let state_count = field(table, header::STATE_COUNT)?;
        let states = section(
            table,
            field(table, header::STATES_OFFSET)?,
            state_count,
            STATE_LEN,
        )?;
        let transition_count = field(table, header::TRANSITION_COUNT)?;
        let transitions = section(
            table,
            field(table, header::TRANSITIONS_OFFSET)?,
            transition_count,
            TRANSITION_LEN,
        )?;
        let strings = section(
            table,
            field(table, header::STRINGS_OFFSET)?,
            field(table, header::STRINGS_LEN)?,
            1,
        )?;

        let automata = Automata {
            states,
            transitions,
            strings,
        };
        validate_automata(&automata, state_count, transition_count, policy_count)?;

        let mut loaded = Table {
            policies,
            policy_count,
            automata,
            path_start: field(table, header::PATH_START)?,
            catch_all: field(table, header::CATCH_ALL)?,
            path_head: None,
        };
        let state_ok = |state: u32| state == NO_STATE || state < state_count;
        if !state_ok(loaded.path_start)
            || (loaded.catch_all != NO_POLICY && loaded.catch_all >= policy_count)
        {
            return Err(LoadError::BadPathIndex);
        }
        for index in 0..policy_count {
            loaded
                .validate_policy(index, &state_ok)
                .ok_or(LoadError::BadPolicy { index })?;
        }
        loaded.path_head = automata
            .record(loaded.path_start)
            .filter(|start| accept_of(start) == 0)
            .and_then(|start| Some((automata.run(start)?, first_next_of(start))));
        Ok(loaded)
    }

    fn validate_policy(&self, index: u32, state_ok: &dyn Fn(u32) -> bool) -> Option<()> {
        let record = self.record(index)?;
        let policy_flags = read_u32(record, policy::FLAGS)?;
        let credentials = policy_flags & flags::CREDENTIALS != 0;
        let wildcard = policy_flags & (flags::ANY_ORIGIN | flags::ANY_HEADER) != 0;
        // The Fetch standard treats `*` literally with credentials; a table
        // that combines them was not written by our compiler.
        if policy_flags & !flags::ALL != 0 || (credentials && wildcard) {
            return None;
        }
        for start in [
            policy::ORIGIN_START,
            policy::WILDCARD_ORIGIN_START,
            policy::METHOD_START,
        ] {
            if !state_ok(read_u32(record, start)?) {
                return None;
            }
        }
        if read_u32(record, policy::METHOD_BITS)? & !methods::ALL != 0 {
            return None;
        }
        let status = read_u16(record, policy::PREFLIGHT_STATUS)?;
        if !(200..=299).contains(&status) || read_u16(record, policy::PREFLIGHT_STATUS + 2)? != 0 {
            return None;
        }
        // Eval trusts a match in an index: an origin found is echoed
        // without another check, a header list found is allowed as is.
        let indexes: [(usize, EntryCheck); 2] = [
            (policy::ORIGIN_INDEX, is_well_formed_origin),
            (policy::HEADER_INDEX, is_lower_token_list),
        ];
        for (field, entry_ok) in indexes {
            let index = self.index(record, field)?;
            if !index.is_empty() {
                validate_index(index, entry_ok)?;
            }
        }
        let name = self.string(record, policy::NAME)?;
        if name.is_empty() || !is_header_value(name) {
            return None;
        }
        for value in [
            policy::ALLOW_METHODS,
            policy::ALLOW_HEADERS,
            policy::EXPOSE_HEADERS,
            policy::MAX_AGE,
        ] {
            if !is_header_value(self.string(record, value)?) {
                return None;
            }
        }
        Some(())
    }

    /// The record of policy `index`.
    #[inline]
    pub(crate) fn record(&self, index: u32) -> Option<&'a [u8]> {
        let start = (index as usize).checked_mul(POLICY_LEN)?;
        self.policies.get(start..start.checked_add(POLICY_LEN)?)
    }

    /// The string referenced by the string reference at `field` of `record`.
    #[inline]
    pub(crate) fn string(&self, record: &[u8], field: usize) -> Option<&'a [u8]> {
        format::read_string(self.automata.strings, record, field)
    }

    /// The index (origin or header, see [`origin_index`]) referenced at
    /// `field` of `record`; empty when the policy has none.
    #[inline]
    pub(crate) fn index(&self, record: &[u8], field: usize) -> Option<Index<'a>> {
        Some(Index::new(
            self.string(record, field)?,
            self.automata.strings,
        ))
    }

    /// The table's automata.
    #[inline(always)]
    pub(crate) fn automata(&self) -> &Automata<'a> {
        &self.automata
    }

    /// The path automaton's start state ([`NO_STATE`] when no policy has
    /// `paths`).
    #[inline(always)]
    pub(crate) fn path_start(&self) -> u32 {
        self.path_start
    }

    /// The literal run every path walk starts with and the state it leads
    /// to, when the path automaton's start state is a run that does not
    /// accept.
    #[inline(always)]
    pub(crate) fn path_head(&self) -> Option<(&'a [u8], u32)> {
        self.path_head
    }

    /// The policy without `paths` ([`NO_POLICY`] when there is none).
    #[inline(always)]
    pub(crate) fn catch_all(&self) -> u32 {
        self.catch_all
    }

    /// Number of policies in the table.
    pub fn policy_count(&self) -> usize {
        self.policy_count as usize
    }

    /// The name of policy `index` (in source order), if it exists.
    pub fn policy_name(&self, index: usize) -> Option<&'a [u8]> {
        let index = u32::try_from(index).ok()?;
        self.string(self.record(index)?, policy::NAME)
    }
}

/// Checks an origin or header index (see [`format::origin_index`]): its
/// size adds up, bucket starts never decrease, no bucket holds more than
/// `MAX_BUCKET` entries, and every entry is a string of the table that
/// `entry_ok` accepts.
fn validate_index(index: Index<'_>, entry_ok: EntryCheck) -> Option<()> {
    let bits = index.bits()?;
    if bits > origin_index::MAX_BITS {
        return None;
    }
    let buckets = 1usize << bits;
    let count = index.bucket_start(buckets)? as usize;
    if index.len() != origin_index::entry_at(bits, count)? {
        return None;
    }
    let mut previous = index.bucket_start(0)?;
    if previous != 0 {
        return None;
    }
    for bucket in 1..=buckets {
        let start = index.bucket_start(bucket)?;
        if start < previous || start - previous > origin_index::MAX_BUCKET {
            return None;
        }
        previous = start;
    }
    for entry in 0..count {
        if !entry_ok(index.entry(bits, entry)?) {
            return None;
        }
    }
    Some(())
}

fn validate_automata(
    automata: &Automata<'_>,
    state_count: u32,
    transition_count: u32,
    policy_count: u32,
) -> Result<(), LoadError> {
    let (states, transitions) = (automata.states, automata.transitions);
    for index in 0..state_count {
        let bad = LoadError::BadState { index };
        let record = states
            .get(index as usize * STATE_LEN..(index as usize + 1) * STATE_LEN)
            .ok_or(bad)?;
        let lo = record[state::FIRST_LO];
        let hi = record[state::FIRST_HI];
        let count = read_u16(record, state::COUNT).ok_or(bad)?;
        let first_next = read_u32(record, state::FIRST_NEXT).ok_or(bad)?;
        let rest = read_u32(record, state::REST).ok_or(bad)?;
        let accept = read_u32(record, state::ACCEPT).ok_or(bad)?;
        // Set automata accept with 1, the path automaton with policy + 1.
        if accept > policy_count.max(1) {
            return Err(bad);
        }
        if count & state::RUN != 0 {
            if (lo, hi) != (1, 0) || first_next >= state_count || !valid_run(automata, record) {
                return Err(bad);
            }
            continue;
        }
        if count > 256 {
            return Err(bad);
        }
        if count == 0 {
            // The empty inline range 1..=0, and nothing else.
            if (lo, hi, first_next, rest) != (1, 0, 0, 0) {
                return Err(bad);
            }
            continue;
        }
        if lo > hi || first_next >= state_count {
            return Err(bad);
        }
        let others = u32::from(count) - 1;
        let end = rest.checked_add(others).ok_or(bad)?;
        if end > transition_count || (others == 0 && rest != 0) {
            return Err(bad);
        }
        let mut previous_hi = hi;
        for index in rest..end {
            let bad = LoadError::BadTransition { index };
            let offset = index as usize * TRANSITION_LEN;
            let record = transitions
                .get(offset..offset + TRANSITION_LEN)
                .ok_or(bad)?;
            let lo = record[transition::LO];
            let hi = record[transition::HI];
            let reserved = read_u16(record, transition::RESERVED).ok_or(bad)?;
            let next = read_u32(record, transition::NEXT).ok_or(bad)?;
            if lo > hi || reserved != 0 || next >= state_count || lo <= previous_hi {
                return Err(bad);
            }
            previous_hi = hi;
        }
    }
    Ok(())
}

/// Whether the literal run of a state's `record` (see [`state::RUN`]) is
/// within the strings section, of a length in `MIN_RUN..=MAX_RUN` (not
/// empty: a walk taking an empty run would not move, and one leading back
/// to its own state would never end), and without `?` or `#` (which a path
/// walk must see: they end the path).
fn valid_run(automata: &Automata<'_>, record: &[u8]) -> bool {
    let Some(bytes) = record.try_into().ok().and_then(|r| automata.run(r)) else {
        return false;
    };
    (state::MIN_RUN..=state::MAX_RUN).contains(&bytes.len())
        && !bytes.iter().any(|b| matches!(b, b'?' | b'#'))
}

/// What an index's every entry must be.
type EntryCheck = fn(&[u8]) -> bool;

/// An origin index entry: an `Origin` value eval would not call malformed.
fn is_well_formed_origin(entry: &[u8]) -> bool {
    !is_malformed_origin(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_PREFIX: &[u8] = include_bytes!("../tests/fixtures/one_prefix.cors");

    #[test]
    fn the_path_head_is_the_start_states_run_when_it_has_one() {
        let one = Table::from_bytes(ONE_PREFIX).expect("loads");
        let (run, target) = one.path_head.expect("one prefix: the start state is a run");
        assert_eq!(run, b"/api/");
        // The run leads to the prefix's end, which selects policy 0.
        assert_eq!(one.automata.record(target).map(accept_of), Some(1));
        // `/api/`, `/v2/` and `/static/` part after `/`: no run to start with.
        let api = Table::from_bytes(include_bytes!("../tests/fixtures/api.cors")).expect("loads");
        assert_eq!(api.path_head, None);
    }

    /// `one_prefix.cors` with `edit` applied (to the table, its path start
    /// state's offset and its strings offset) and its checksum recomputed,
    /// in the first `ONE_PREFIX.len()` bytes.
    fn edited(edit: impl Fn(&mut [u8], usize, usize)) -> [u8; 1024] {
        let mut copy = [0u8; 1024];
        let table = &mut copy[..ONE_PREFIX.len()];
        table.copy_from_slice(ONE_PREFIX);
        let field = |table: &[u8], at| read_u32(table, at).expect("in the header") as usize;
        let start =
            field(table, header::STATES_OFFSET) + field(table, header::PATH_START) * STATE_LEN;
        edit(table, start, field(table, header::STRINGS_OFFSET));
        let crc = format::checksum(table).expect("a whole header");
        table[header::CHECKSUM..header::CHECKSUM + 4].copy_from_slice(&crc.to_le_bytes());
        copy
    }

    fn selected<'t>(table: &'t [u8], path: &'t [u8]) -> Option<&'t [u8]> {
        let policy = Table::from_bytes(table).expect("loads");
        policy.eval(&crate::Request::new(b"GET", path)).policy
    }

    #[test]
    fn the_path_head_is_read_from_the_table_and_only_when_the_start_does_not_accept() {
        let len = ONE_PREFIX.len();
        // The run's bytes are the table's: `/apx/` in place of `/api/`.
        let apx = edited(|table, start, strings| {
            let run = strings + read_u32(table, start + state::RUN_BYTES).expect("a run") as usize;
            table[run + 3] = b'x';
        });
        assert_eq!(selected(&apx[..len], b"/apx/users"), Some(&b"api"[..]));
        assert_eq!(selected(&apx[..len], b"/api/users"), None);
        // A start state that accepts selects on its own (the empty prefix);
        // the head would skip that, so there is none.
        let accepting = edited(|table, start, _| {
            table[start + state::ACCEPT..start + state::ACCEPT + 4]
                .copy_from_slice(&1u32.to_le_bytes());
        });
        let policy = Table::from_bytes(&accepting[..len]).expect("loads");
        assert_eq!(policy.path_head, None);
        assert_eq!(selected(&accepting[..len], b"/other"), Some(&b"api"[..]));
        assert_eq!(selected(&accepting[..len], b"/api/x"), Some(&b"api"[..]));
    }
}
