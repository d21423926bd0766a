//! Walking the table's deterministic automata.
//!
//! The sets the evaluator walks (wildcard, `:*` and regex origins, listed
//! methods other than the safelisted and known ones, path prefixes) are DFAs
//! in the table's shared state array, so each question costs O(length of the
//! input) whatever the size of the set: there is no scan over patterns.
//! (Plain origins and allowed header names are in hash indexes instead, and
//! the known methods are bits: see `format`.)
//!
//! The dead state is [`NO_STATE`]: it has no record, so stepping from it
//! stays in it and it never accepts. A walk therefore needs no branch of its
//! own for "already dead", and an automaton that does not exist (a start of
//! `NO_STATE`) is simply a walk that starts dead.

use crate::format::{
    origin_index, read_u32, state as state_field, transition, NO_STATE, STATE_LEN, TRANSITION_LEN,
};

/// The state and transition sections of a table the loader validated, and
/// its strings section (where literal runs are).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Automata<'a> {
    pub(crate) states: &'a [u8],
    pub(crate) transitions: &'a [u8],
    pub(crate) strings: &'a [u8],
}

/// The `u32` at a constant `offset` of a state record: indexes into a
/// fixed-size array, so it compiles to one load with no bounds check.
#[inline(always)]
fn array_u32(record: &[u8; STATE_LEN], offset: usize) -> u32 {
    u32::from_le_bytes([
        record[offset],
        record[offset + 1],
        record[offset + 2],
        record[offset + 3],
    ])
}

/// A state's transitions are searched linearly up to this many, by
/// bisection beyond: tries mostly have one or two per state.
const LINEAR_SEARCH_MAX: usize = 8;

/// The `COUNT` field of a state's record.
#[inline(always)]
fn count_field(record: &[u8; STATE_LEN]) -> u16 {
    u16::from_le_bytes([record[state_field::COUNT], record[state_field::COUNT + 1]])
}

/// The number of byte transitions of a state's record: none for a
/// literal run.
#[inline(always)]
pub(crate) fn transition_count(record: &[u8; STATE_LEN]) -> u16 {
    let count = count_field(record);
    if count & state_field::RUN != 0 {
        0
    } else {
        count
    }
}

/// The length of the literal run of a state's record, if it is one.
#[inline(always)]
pub(crate) fn run_len(record: &[u8; STATE_LEN]) -> Option<usize> {
    state_field::run_len(count_field(record))
}

/// Whether a state has no way out: no transition and no run.
#[inline(always)]
pub(crate) fn is_leaf(record: &[u8; STATE_LEN]) -> bool {
    count_field(record) == 0
}

/// The target of a state's record's first (inline) transition.
#[inline(always)]
pub(crate) fn first_next_of(record: &[u8; STATE_LEN]) -> u32 {
    array_u32(record, state_field::FIRST_NEXT)
}

/// The position after `run` in `input` when `input` has the run's bytes
/// at `at`.
#[inline(always)]
pub(crate) fn run_end(run: &[u8], input: &[u8], at: usize) -> Option<usize> {
    let end = at.checked_add(run.len())?;
    origin_index::eq(input.get(at..end)?, run).then_some(end)
}

/// The accept value of a state's record.
#[inline(always)]
pub(crate) fn accept_of(record: &[u8; STATE_LEN]) -> u32 {
    array_u32(record, state_field::ACCEPT)
}

impl<'a> Automata<'a> {
    /// The record of `state`, `None` for the dead state and out of range.
    #[inline(always)]
    pub(crate) fn record(&self, state: u32) -> Option<&'a [u8; STATE_LEN]> {
        // Wrapping is harmless: a wrapped range is empty or out of bounds,
        // and `get` answers `None` for both (the dead state's included).
        let start = (state as usize).wrapping_mul(STATE_LEN);
        let bytes = self.states.get(start..start.wrapping_add(STATE_LEN))?;
        bytes.try_into().ok()
    }

    /// The accept value of `state` (0 when not accepting, and for the dead state).
    #[inline(always)]
    pub(crate) fn accept(&self, state: u32) -> u32 {
        self.record(state).map_or(0, accept_of)
    }

    /// The state after reading `byte` in `state`; [`NO_STATE`] is the dead state.
    ///
    /// Inlined for the common case (the byte falls in the state's inline
    /// first transition, or below it), the rest out of line.
    #[inline(always)]
    pub(crate) fn step(&self, state: u32, byte: u8) -> u32 {
        match self.record(state) {
            Some(record) => self.step_from(record, byte),
            None => NO_STATE,
        }
    }

    /// [`Self::step`] from a state whose record the caller already holds.
    #[inline(always)]
    pub(crate) fn step_from(&self, record: &[u8; STATE_LEN], byte: u8) -> u32 {
        if byte < record[state_field::FIRST_LO] {
            return NO_STATE;
        }
        if byte <= record[state_field::FIRST_HI] {
            return first_next_of(record);
        }
        self.step_others(record, byte).unwrap_or(NO_STATE)
    }

    /// `step` for a byte above the inline transition: the state's other
    /// transitions, in the transitions section.
    #[inline(never)]
    fn step_others(&self, record: &[u8; STATE_LEN], byte: u8) -> Option<u32> {
        let count = transition_count(record);
        let others = usize::from(count).checked_sub(1)?;
        if others == 0 {
            return None;
        }
        let first = array_u32(record, state_field::REST) as usize;
        // One bounds check for the state's whole block of transitions.
        let start = first.checked_mul(TRANSITION_LEN)?;
        let end = start.checked_add(others.checked_mul(TRANSITION_LEN)?)?;
        let block = self.transitions.get(start..end)?;
        if others <= LINEAR_SEARCH_MAX {
            for record in block.chunks_exact(TRANSITION_LEN) {
                if byte < record[transition::LO] {
                    return None;
                }
                if byte <= record[transition::HI] {
                    return read_u32(record, transition::NEXT);
                }
            }
            return None;
        }
        let (mut low, mut high) = (0usize, others);
        while low < high {
            let mid = low + (high - low) / 2;
            let record = block.get(mid * TRANSITION_LEN..(mid + 1) * TRANSITION_LEN)?;
            if byte < record[transition::LO] {
                high = mid;
            } else if byte > record[transition::HI] {
                low = mid + 1;
            } else {
                return read_u32(record, transition::NEXT);
            }
        }
        None
    }

    /// The bytes of the literal run of a state's record (see
    /// [`state_field::RUN`]), if it is one.
    #[inline(always)]
    pub(crate) fn run(&self, record: &[u8; STATE_LEN]) -> Option<&'a [u8]> {
        let len = run_len(record)?;
        let start = array_u32(record, state_field::RUN_BYTES) as usize;
        self.strings.get(start..start.checked_add(len)?)
    }

    /// Where the run of `record` takes a walk reading `input` at `at`: the
    /// run's target and the position after it, when the input has the
    /// run's bytes there. Anything else ends the walk: a run state has no
    /// other way out.
    #[inline(always)]
    pub(crate) fn take_run(
        &self,
        record: &[u8; STATE_LEN],
        input: &[u8],
        at: usize,
    ) -> Option<(u32, usize)> {
        let end = run_end(self.run(record)?, input, at)?;
        Some((array_u32(record, state_field::RUN_TARGET), end))
    }

    /// Whether the automaton starting at `start` accepts all of `input`,
    /// one step per byte: for automata of a few bytes (methods).
    #[inline]
    pub(crate) fn accepts(&self, start: u32, input: &[u8]) -> bool {
        let mut state = start;
        for &byte in input {
            state = self.step(state, byte);
            if state == NO_STATE {
                return false;
            }
        }
        self.accept(state) != 0
    }

    /// [`Self::accepts`], taking literal runs where the input has their
    /// bytes: for automata of long literals (origin patterns).
    #[inline]
    pub(crate) fn accepts_taking_runs(&self, start: u32, input: &[u8]) -> bool {
        let mut state = start;
        let mut at = 0;
        while let Some(record) = self.record(state) {
            let Some(&byte) = input.get(at) else {
                return accept_of(record) != 0;
            };
            if let Some((target, after)) = self.take_run(record, input, at) {
                (state, at) = (target, after);
                continue;
            }
            state = self.step_from(record, byte);
            at += 1;
        }
        false
    }

    /// Whether the automaton starting at `start` accepts `input` read from
    /// its last byte to its first.
    #[inline]
    pub(crate) fn accepts_reversed(&self, start: u32, input: &[u8]) -> bool {
        let mut state = start;
        for &byte in input.iter().rev() {
            state = self.step(state, byte);
            if state == NO_STATE {
                return false;
            }
        }
        self.accept(state) != 0
    }
}
