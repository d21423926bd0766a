//! Walking the table's deterministic automata.
//!
//! Every set the evaluator asks about (allowed origins, listed methods,
//! allowed header names, path prefixes) is a DFA in the table's shared state
//! array, so each question costs O(length of the input) whatever the size of
//! the set: there is no scan over patterns.

use crate::format::{read_u32, state as state_field, NO_STATE, STATE_LEN, TRANSITION_LEN};

/// The state and transition sections of a table the loader validated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Automata<'a> {
    pub(crate) states: &'a [u8],
    pub(crate) transitions: &'a [u8],
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

impl<'a> Automata<'a> {
    /// The record of `state`, `None` when out of range.
    #[inline]
    fn record(&self, state: u32) -> Option<&'a [u8; STATE_LEN]> {
        let start = (state as usize).checked_mul(STATE_LEN)?;
        let bytes = self.states.get(start..start.checked_add(STATE_LEN)?)?;
        bytes.try_into().ok()
    }

    /// The accept value of `state` (0 when not accepting).
    #[inline]
    pub(crate) fn accept(&self, state: u32) -> u32 {
        self.record(state)
            .map_or(0, |record| array_u32(record, state_field::ACCEPT))
    }

    /// The state after reading `byte` in `state`; `None` is the dead state.
    #[inline]
    pub(crate) fn step(&self, state: u32, byte: u8) -> Option<u32> {
        let record = self.record(state)?;
        if byte < record[state_field::FIRST_LO] {
            return None;
        }
        if byte <= record[state_field::FIRST_HI] {
            return Some(array_u32(record, state_field::FIRST_NEXT));
        }
        let count =
            u16::from_le_bytes([record[state_field::COUNT], record[state_field::COUNT + 1]]);
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
            for transition in block.chunks_exact(TRANSITION_LEN) {
                if byte < transition[0] {
                    return None;
                }
                if byte <= transition[1] {
                    return read_u32(transition, 4);
                }
            }
            return None;
        }
        let (mut low, mut high) = (0usize, others);
        while low < high {
            let mid = low + (high - low) / 2;
            let transition = block.get(mid * TRANSITION_LEN..(mid + 1) * TRANSITION_LEN)?;
            if byte < transition[0] {
                high = mid;
            } else if byte > transition[1] {
                low = mid + 1;
            } else {
                return read_u32(transition, 4);
            }
        }
        None
    }

    /// Whether the automaton starting at `start` accepts all of `input`.
    pub(crate) fn accepts(&self, start: u32, input: &[u8]) -> bool {
        self.accepts_bytes(start, input.iter().copied())
    }

    /// Whether the automaton starting at `start` accepts `input` read from
    /// its last byte to its first.
    pub(crate) fn accepts_reversed(&self, start: u32, input: &[u8]) -> bool {
        self.accepts_bytes(start, input.iter().rev().copied())
    }

    #[inline]
    fn accepts_bytes(&self, start: u32, input: impl Iterator<Item = u8>) -> bool {
        if start == NO_STATE {
            return false;
        }
        let mut state = start;
        for byte in input {
            match self.step(state, byte) {
                Some(next) => state = next,
                None => return false,
            }
        }
        self.accept(state) != 0
    }
}

/// Walks `input` through an automaton one byte at a time, for callers that
/// interleave the walk with their own scanning (the request-headers list).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Walk {
    state: Option<u32>,
}

impl Walk {
    /// A walk from `start` (dead at once for `NO_STATE`).
    #[inline]
    pub(crate) fn new(start: u32) -> Self {
        Walk {
            state: (start != NO_STATE).then_some(start),
        }
    }

    /// Feeds one byte.
    #[inline]
    pub(crate) fn feed(&mut self, automata: &Automata<'_>, byte: u8) {
        if let Some(state) = self.state {
            self.state = automata.step(state, byte);
        }
    }

    /// Whether the bytes fed so far are in the automaton's set.
    #[inline]
    pub(crate) fn accepted(&self, automata: &Automata<'_>) -> bool {
        self.state.is_some_and(|state| automata.accept(state) != 0)
    }
}
