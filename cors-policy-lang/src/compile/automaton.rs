//! Building the deterministic automata the table stores.
//!
//! Patterns are inserted into an NFA shaped as a trie over *symbols*: a
//! literal byte, the subdomain wildcard (`*.`: one or more labels, each
//! followed by a dot), or the port wildcard (`:*`). Patterns sharing a prefix
//! share states, wildcard gadgets included, so the NFA stays linear in the
//! total pattern length. Subset construction then turns it into a DFA over
//! byte ranges; a lookup walks it once, whatever the number of patterns.

use std::collections::hash_map::Entry;
use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Mutex, OnceLock};

use crate::model::is_wildcard_label_byte;

/// What determinizing may still spend: DFA states, and work (NFA states
/// and transitions looked at). Counted, not timed, so that the same policy
/// gets the same answer on every machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// States left.
    pub states: usize,
    /// Work units left.
    pub work: usize,
}

impl Budget {
    /// Takes `states` and `work` from the budget; `None` (taking nothing)
    /// when either is short.
    pub fn charge(&mut self, states: usize, work: usize) -> Option<()> {
        if states > self.states || work > self.work {
            return None;
        }
        self.states -= states;
        self.work -= work;
        Some(())
    }
}

/// One step of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// Exactly this byte.
    Byte(u8),
    /// One or more host labels, each followed by `.`.
    Labels,
    /// [`Labels`](Symbol::Labels) read backwards: one or more times `.`
    /// followed by a label, for automata that walk the input from its end.
    LabelsReversed,
    /// End of pattern, optionally followed by `:` and a port a browser would
    /// serialize (decimal, no leading zero, at most 65535), never the given
    /// default port. Must be the last symbol.
    AnyPort {
        /// The scheme's default port, which a browser never serializes.
        default: Option<u16>,
    },
}

/// A transition on the inclusive byte range `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Transition {
    /// First byte of the range.
    pub lo: u8,
    /// Last byte of the range.
    pub hi: u8,
    /// Target state.
    pub next: u32,
}

#[derive(Clone, Debug, Default)]
struct NfaState {
    transitions: Vec<Transition>,
    accept: u32,
}

/// A nondeterministic automaton under construction.
#[derive(Clone, Debug)]
pub struct Nfa {
    states: Vec<NfaState>,
    children: HashMap<(u32, Symbol), u32>,
    port_roots: HashMap<(Option<u16>, u32), u32>,
}

impl Default for Nfa {
    fn default() -> Self {
        Nfa {
            states: vec![NfaState::default()],
            children: HashMap::default(),
            port_roots: HashMap::default(),
        }
    }
}

/// Byte ranges accepted inside a wildcard label.
fn label_ranges() -> Vec<(u8, u8)> {
    let mut ranges: Vec<(u8, u8)> = Vec::new();
    for byte in 0..=255u8 {
        if !is_wildcard_label_byte(byte) {
            continue;
        }
        match ranges.last_mut() {
            Some((_, hi)) if *hi as u16 + 1 == byte as u16 => *hi = byte,
            _ => ranges.push((byte, byte)),
        }
    }
    ranges
}

impl Nfa {
    /// An empty automaton (accepts nothing).
    pub fn new() -> Self {
        Self::default()
    }

    fn add_state(&mut self) -> u32 {
        self.states.push(NfaState::default());
        (self.states.len() - 1) as u32
    }

    fn add_transition(&mut self, from: u32, lo: u8, hi: u8, next: u32) {
        self.states[from as usize]
            .transitions
            .push(Transition { lo, hi, next });
    }

    /// Adds a pattern; an input matching it is accepted with `accept` (> 0).
    /// Where patterns overlap, the larger accept value wins.
    pub fn insert(&mut self, symbols: &[Symbol], accept: u32) {
        debug_assert!(accept > 0);
        let mut node = 0u32;
        for &symbol in symbols {
            if let Symbol::AnyPort { default } = symbol {
                let root = self.port_root(default, accept);
                if let Entry::Vacant(entry) = self.children.entry((node, symbol)) {
                    entry.insert(node);
                    self.add_transition(node, b':', b':', root);
                }
                break;
            }
            node = match self.children.get(&(node, symbol)) {
                Some(&child) => child,
                None => {
                    let child = self.build_child(node, symbol);
                    self.children.insert((node, symbol), child);
                    child
                }
            };
        }
        let state = &mut self.states[node as usize];
        state.accept = state.accept.max(accept);
    }

    fn build_child(&mut self, node: u32, symbol: Symbol) -> u32 {
        match symbol {
            Symbol::Byte(byte) => {
                let child = self.add_state();
                self.add_transition(node, byte, byte, child);
                child
            }
            Symbol::Labels => {
                // in_label --label byte--> in_label, in_label --'.'--> after_dot,
                // after_dot --label byte--> in_label; after_dot continues the pattern.
                let in_label = self.add_state();
                let after_dot = self.add_state();
                for (lo, hi) in label_ranges() {
                    self.add_transition(node, lo, hi, in_label);
                    self.add_transition(in_label, lo, hi, in_label);
                    self.add_transition(after_dot, lo, hi, in_label);
                }
                self.add_transition(in_label, b'.', b'.', after_dot);
                after_dot
            }
            Symbol::LabelsReversed => {
                // node --'.'--> after_dot --label byte--> in_label, in_label
                // --label byte--> in_label, in_label --'.'--> after_dot;
                // in_label continues the pattern.
                let after_dot = self.add_state();
                let in_label = self.add_state();
                self.add_transition(node, b'.', b'.', after_dot);
                for (lo, hi) in label_ranges() {
                    self.add_transition(after_dot, lo, hi, in_label);
                    self.add_transition(in_label, lo, hi, in_label);
                }
                self.add_transition(in_label, b'.', b'.', after_dot);
                in_label
            }
            Symbol::AnyPort { .. } => unreachable!("AnyPort is handled by insert"),
        }
    }

    /// The state reached after `:` in a port wildcard: a minimal acyclic
    /// automaton of the port numbers, shared by every pattern using it.
    fn port_root(&mut self, default: Option<u16>, accept: u32) -> u32 {
        if let Some(&root) = self.port_roots.get(&(default, accept)) {
            return root;
        }
        let dawg = Dawg::of_ports(default);
        let base = self.states.len() as u32;
        for state in &dawg.states {
            self.states.push(NfaState {
                transitions: state
                    .edges
                    .iter()
                    .map(|&(byte, next)| Transition {
                        lo: byte,
                        hi: byte,
                        next: base + next,
                    })
                    .collect(),
                accept: if state.accept { accept } else { 0 },
            });
        }
        let root = base + dawg.root;
        self.port_roots.insert((default, accept), root);
        root
    }

    /// Adds a regex's automaton: its states are copied in, and its start
    /// state's transitions also leave this automaton's start, so that the
    /// two run side by side (subset construction sorts out the overlap).
    /// Its accepting states accept with `accept` (> 0).
    pub fn graft(&mut self, regex: &crate::regex_origin::RegexNfa, accept: u32) {
        debug_assert!(accept > 0);
        let base = self.states.len() as u32;
        for state in &regex.states {
            let transitions = state
                .transitions
                .iter()
                .map(|t| Transition {
                    lo: t.lo,
                    hi: t.hi,
                    next: base + t.next,
                })
                .collect();
            self.states.push(NfaState {
                transitions,
                accept: if state.accept { accept } else { 0 },
            });
        }
        let entry = self.states[base as usize].transitions.clone();
        self.states[0].transitions.extend(entry);
        if regex.states.first().is_some_and(|start| start.accept) {
            self.states[0].accept = self.states[0].accept.max(accept);
        }
    }

    /// Whether no pattern was inserted.
    pub fn is_empty(&self) -> bool {
        self.states.len() == 1 && self.states[0].accept == 0
    }

    /// Subset construction: the equivalent deterministic automaton, or
    /// `None` as soon as it would need more than `max_states` states (which
    /// bounds the compiler's memory on pathological policies).
    pub fn determinize(&self, max_states: usize) -> Option<Dfa> {
        self.clone().into_dfa(max_states)
    }

    /// [`determinize`](Self::determinize), reusing the NFA's memory.
    pub fn into_dfa(self, max_states: usize) -> Option<Dfa> {
        self.into_dfa_within(&mut Budget {
            states: max_states,
            work: usize::MAX,
        })
    }

    /// [`into_dfa`](Self::into_dfa) within `budget`, which it charges for
    /// the states made and the work done; `None` once either would run out.
    pub fn into_dfa_within(mut self, budget: &mut Budget) -> Option<Dfa> {
        let mut dfa = if self.sort_and_check_deterministic() {
            let work = self.states.iter().map(|s| s.transitions.len() + 1).sum();
            budget.charge(self.states.len(), work)?;
            self.into_deterministic()
        } else {
            self.subset_construction(budget)?
        };
        let start = dfa.merge_equivalent();
        Some(dfa.depth_first(start))
    }

    /// Sorts every state's transitions; whether no state has overlapping
    /// ones (the usual case for literal patterns), in which case the NFA is
    /// already a DFA and subset construction would only rebuild it one
    /// singleton set at a time.
    fn sort_and_check_deterministic(&mut self) -> bool {
        self.states.iter_mut().all(|state| {
            state.transitions.sort_unstable_by_key(|t| (t.lo, t.hi));
            state
                .transitions
                .windows(2)
                .all(|pair| pair[0].hi < pair[1].lo)
        })
    }

    fn into_deterministic(self) -> Dfa {
        Dfa {
            states: self
                .states
                .into_iter()
                .map(|state| DfaState {
                    transitions: state.transitions,
                    accept: state.accept,
                })
                .collect(),
        }
    }

    fn subset_construction(&self, budget: &mut Budget) -> Option<Dfa> {
        let mut dfa = Dfa::default();
        let mut ids: HashMap<Box<[u32]>, u32> = HashMap::default();
        let mut queue: VecDeque<Box<[u32]>> = VecDeque::new();
        let start: Box<[u32]> = Box::new([0]);
        ids.insert(start.clone(), 0);
        dfa.states.push(DfaState::default());
        queue.push_back(start);

        let mut over_limit = false;
        while let Some(subset) = queue.pop_front() {
            let id = ids[&subset];
            let accept = subset
                .iter()
                .map(|&s| self.states[s as usize].accept)
                .max()
                .unwrap_or(0);
            let mut intern = |targets: Vec<u32>| -> u32 {
                let key: Box<[u32]> = targets.into_boxed_slice();
                match ids.entry(key) {
                    Entry::Occupied(entry) => *entry.get(),
                    Entry::Vacant(entry) => {
                        let next = dfa.states.len() as u32;
                        if budget.charge(1, entry.key().len()).is_none() {
                            over_limit = true;
                        }
                        queue.push_back(entry.key().clone());
                        entry.insert(next);
                        dfa.states.push(DfaState::default());
                        next
                    }
                }
            };
            let (transitions, work) = self.subset_transitions(&subset, &mut intern);
            if over_limit || budget.charge(0, work).is_none() {
                return None;
            }
            let state = &mut dfa.states[id as usize];
            state.accept = accept;
            state.transitions = transitions;
        }
        Some(dfa)
    }

    /// The DFA transitions out of `subset`, merging adjacent ranges that
    /// lead to the same subset, and the work it took (edges times ranges).
    fn subset_transitions(
        &self,
        subset: &[u32],
        intern: &mut impl FnMut(Vec<u32>) -> u32,
    ) -> (Vec<Transition>, usize) {
        let mut edges: Vec<Transition> = subset
            .iter()
            .flat_map(|&s| self.states[s as usize].transitions.iter().copied())
            .collect();
        edges.sort_by_key(|t| (t.lo, t.hi, t.next));
        edges.dedup();
        // Elementary intervals: every range boundary splits the byte space.
        let mut cuts: Vec<u16> = edges
            .iter()
            .flat_map(|t| [t.lo as u16, t.hi as u16 + 1])
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let work = edges.len() * cuts.len() + subset.len();
        let mut out: Vec<Transition> = Vec::new();
        for window in cuts.windows(2) {
            let (lo, hi) = (window[0], window[1] - 1);
            let mut targets: Vec<u32> = edges
                .iter()
                .filter(|t| t.lo as u16 <= lo && hi <= t.hi as u16)
                .map(|t| t.next)
                .collect();
            if targets.is_empty() {
                continue;
            }
            targets.sort_unstable();
            targets.dedup();
            let next = intern(targets);
            let (lo, hi) = (lo as u8, hi as u8);
            match out.last_mut() {
                Some(last) if last.next == next && last.hi as u16 + 1 == lo as u16 => last.hi = hi,
                _ => out.push(Transition { lo, hi, next }),
            }
        }
        (out, work)
    }
}

/// What makes two acyclic DFA states equivalent: the accept value and the
/// (already merged) transitions. Most trie states have one transition, which
/// needs no allocation.
#[derive(PartialEq, Eq, Hash)]
enum Signature {
    Leaf(u32),
    One(u32, Transition),
    Many(u32, Vec<Transition>),
}

/// The state of [`Dfa::of_words`]: states, reusable slots of states found
/// equivalent to registered ones, and the register of minimized states.
struct WordsBuilder {
    states: Vec<DfaState>,
    free: Vec<u32>,
    register: HashMap<Signature, u32>,
}

impl WordsBuilder {
    fn new_state(&mut self) -> u32 {
        match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.states.push(DfaState::default());
                (self.states.len() - 1) as u32
            }
        }
    }

    /// Replaces every state of `path` deeper than `keep` by its registered
    /// equivalent (registering it when it has none), deepest first, and
    /// truncates `path` after index `keep`. Their parents' last transitions
    /// point at them: words arrive sorted, so later words never touch them.
    fn minimize(&mut self, path: &mut Vec<u32>, keep: usize) {
        while path.len() > keep + 1 {
            let state = path.pop().expect("longer than keep + 1");
            let parent = *path.last().expect("keep + 1 >= 1");
            let record = &self.states[state as usize];
            let signature = match record.transitions.as_slice() {
                [] => Signature::Leaf(record.accept),
                [only] => Signature::One(record.accept, *only),
                many => Signature::Many(record.accept, many.to_vec()),
            };
            let canonical = match self.register.entry(signature) {
                Entry::Occupied(entry) => {
                    let canonical = *entry.get();
                    self.states[state as usize] = DfaState::default();
                    self.free.push(state);
                    canonical
                }
                Entry::Vacant(entry) => *entry.insert(state),
            };
            let transitions = &mut self.states[parent as usize].transitions;
            let last = transitions.pop().expect("the parent leads to the state");
            match transitions.last_mut() {
                Some(previous)
                    if previous.next == canonical && previous.hi as u16 + 1 == last.lo as u16 =>
                {
                    previous.hi = last.hi;
                }
                _ => transitions.push(Transition {
                    next: canonical,
                    ..last
                }),
            }
        }
    }
}

/// One state of a [`Dfa`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DfaState {
    /// Sorted, disjoint transitions; other bytes lead to the dead state.
    pub transitions: Vec<Transition>,
    /// 0 when not accepting.
    pub accept: u32,
}

/// A deterministic automaton over bytes; state 0 is the start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dfa {
    /// The states.
    pub states: Vec<DfaState>,
}

impl Dfa {
    /// Merges states that accept the same language, as far as a bottom-up
    /// pass can tell: a state outside any cycle is replaced by an earlier
    /// one with the same accept value and the same (already merged)
    /// transitions. Patterns sharing a suffix (`.example.com`) then share its
    /// states. States on a cycle (the wildcard gadgets, few) are kept as they
    /// are. Redirects transitions in place and returns the start state; the
    /// merged-away states become unreachable.
    ///
    /// Strongly connected components come out of Tarjan's algorithm in
    /// reverse topological order, so every successor outside a state's own
    /// component is final when the state is considered.
    fn merge_equivalent(&mut self) -> u32 {
        const UNSEEN: u32 = u32::MAX;
        let count = self.states.len();
        let mut index = vec![UNSEEN; count];
        let mut lowlink = vec![0u32; count];
        let mut on_stack = vec![false; count];
        let mut canonical: Vec<u32> = (0..count as u32).collect();
        let mut component: Vec<u32> = Vec::new();
        let mut register: HashMap<Signature, u32> = HashMap::default();
        let mut next_index = 0u32;
        // Explicit call stack of (state, next transition to explore): tries
        // are as deep as the longest pattern, which must not overflow.
        let mut calls: Vec<(u32, usize)> = vec![(0, 0)];
        index[0] = 0;
        lowlink[0] = 0;
        next_index += 1;
        component.push(0);
        on_stack[0] = true;
        while let Some(&mut (state, ref mut child)) = calls.last_mut() {
            let transitions = &self.states[state as usize].transitions;
            if let Some(t) = transitions.get(*child) {
                *child += 1;
                let target = t.next as usize;
                if index[target] == UNSEEN {
                    index[target] = next_index;
                    lowlink[target] = next_index;
                    next_index += 1;
                    component.push(t.next);
                    on_stack[target] = true;
                    calls.push((t.next, 0));
                } else if on_stack[target] {
                    lowlink[state as usize] = lowlink[state as usize].min(index[target]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                lowlink[parent as usize] = lowlink[parent as usize].min(lowlink[state as usize]);
            }
            if lowlink[state as usize] != index[state as usize] {
                continue;
            }
            let position = component
                .iter()
                .rposition(|&member| member == state)
                .unwrap_or(0);
            let members = component.split_off(position);
            for &member in &members {
                on_stack[member as usize] = false;
            }
            let dfa_state = &self.states[state as usize];
            let cyclic = members.len() > 1 || dfa_state.transitions.iter().any(|t| t.next == state);
            if cyclic {
                continue;
            }
            let merged = |t: &Transition| Transition {
                next: canonical[t.next as usize],
                ..*t
            };
            let signature = match dfa_state.transitions.as_slice() {
                [] => Signature::Leaf(dfa_state.accept),
                [only] => Signature::One(dfa_state.accept, merged(only)),
                many => Signature::Many(dfa_state.accept, many.iter().map(merged).collect()),
            };
            canonical[state as usize] = *register.entry(signature).or_insert(state);
        }
        for dfa_state in &mut self.states {
            let mut merged: Vec<Transition> = Vec::with_capacity(dfa_state.transitions.len());
            for t in &dfa_state.transitions {
                let next = canonical[t.next as usize];
                match merged.last_mut() {
                    Some(last) if last.next == next && last.hi as u16 + 1 == t.lo as u16 => {
                        last.hi = t.hi;
                    }
                    _ => merged.push(Transition { next, ..*t }),
                }
            }
            dfa_state.transitions = merged;
        }
        canonical[0]
    }

    /// The minimal DFA accepting exactly `words`, each with `accept`, built
    /// in one pass over the sorted words (Daciuk et al., "Incremental
    /// construction of minimal acyclic finite-state automata", 2000): only
    /// the path of the latest word is ever unminimized, so a list of 100,000
    /// origins never exists as a full trie. Gives the same automaton as
    /// inserting the words into an [`Nfa`] and determinizing it.
    pub fn of_words(mut words: Vec<Vec<u8>>, accept: u32) -> Dfa {
        debug_assert!(accept > 0);
        words.sort_unstable();
        words.dedup();
        let mut builder = WordsBuilder {
            states: vec![DfaState::default()],
            free: Vec::new(),
            register: HashMap::default(),
        };
        let mut path: Vec<u32> = vec![0];
        let mut previous: &[u8] = &[];
        for word in &words {
            let common = previous
                .iter()
                .zip(word.iter())
                .take_while(|(a, b)| a == b)
                .count();
            builder.minimize(&mut path, common);
            for &byte in &word[common..] {
                let state = builder.new_state();
                let parent = *path.last().expect("the root is never popped");
                builder.states[parent as usize]
                    .transitions
                    .push(Transition {
                        lo: byte,
                        hi: byte,
                        next: state,
                    });
                path.push(state);
            }
            let last = *path.last().expect("the root is never popped");
            builder.states[last as usize].accept = accept;
            previous = word;
        }
        builder.minimize(&mut path, 0);
        Dfa {
            states: builder.states,
        }
        .depth_first(0)
    }

    /// The same automaton with states numbered in depth-first order, so that
    /// a walk along one pattern reads neighbouring memory instead of jumping
    /// across a breadth-first layout (a cache miss per byte on big tables).
    fn depth_first(self, start: u32) -> Dfa {
        const UNSEEN: u32 = u32::MAX;
        let mut order: Vec<u32> = Vec::with_capacity(self.states.len());
        let mut new_index = vec![UNSEEN; self.states.len()];
        let mut stack = vec![start];
        while let Some(state) = stack.pop() {
            if new_index[state as usize] != UNSEEN {
                continue;
            }
            new_index[state as usize] = order.len() as u32;
            order.push(state);
            // Reversed, so the first transition is explored first.
            for t in self.states[state as usize].transitions.iter().rev() {
                if new_index[t.next as usize] == UNSEEN {
                    stack.push(t.next);
                }
            }
        }
        let states = order
            .iter()
            .map(|&old| {
                let state = &self.states[old as usize];
                DfaState {
                    transitions: state
                        .transitions
                        .iter()
                        .map(|t| Transition {
                            next: new_index[t.next as usize],
                            ..*t
                        })
                        .collect(),
                    accept: state.accept,
                }
            })
            .collect();
        Dfa { states }
    }

    /// The accept value for `input` (0 when rejected). For tests and tools.
    pub fn run(&self, input: &[u8]) -> u32 {
        let mut state = 0usize;
        for &byte in input {
            let next = self.states[state]
                .transitions
                .iter()
                .find(|t| t.lo <= byte && byte <= t.hi);
            match next {
                Some(t) => state = t.next as usize,
                None => return 0,
            }
        }
        self.states[state].accept
    }
}

/// A minimal acyclic automaton of a finite, sorted set of strings
/// (Daciuk et al.'s incremental construction).
#[derive(Clone)]
struct Dawg {
    states: Vec<DawgState>,
    root: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct DawgState {
    edges: Vec<(u8, u32)>,
    accept: bool,
}

impl Dawg {
    /// The port numbers a browser serializes (decimal, no leading zero, at
    /// most 65535) except `default`. Built once per default port and cached:
    /// it takes milliseconds, and every `:*` pattern needs one.
    fn of_ports(default: Option<u16>) -> Dawg {
        // A Vec, not a map: there are only a few keys (one per default port),
        // and a Vec's pointers all point at the start of their blocks, so leak
        // checkers (valgrind) see the cache as reachable rather than "possibly lost".
        type Cache = Mutex<Vec<(Option<u16>, Dawg)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        // A poisoned lock only means another thread panicked mid-insert; the
        // cache itself is still valid.
        let mut cache = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, dawg)) = cache.iter().find(|(key, _)| *key == default) {
            return dawg.clone();
        }
        let ports = (0..=u16::MAX)
            .filter(|&port| Some(port) != default)
            .map(|port| port.to_string());
        let dawg = Dawg::of_sorted(ports);
        cache.push((default, dawg.clone()));
        dawg
    }

    fn of_sorted(words: impl Iterator<Item = String>) -> Dawg {
        // Sorting bytewise is required by the construction.
        let mut words: Vec<String> = words.collect();
        words.sort_unstable();
        let mut states: Vec<DawgState> = vec![DawgState::default()];
        let mut register: HashMap<DawgState, u32> = HashMap::default();
        // The path of the previous word, as (state) indices from the root.
        let mut path: Vec<u32> = vec![0];
        let mut previous: Vec<u8> = Vec::new();
        for word in &words {
            let word = word.as_bytes();
            let common = previous
                .iter()
                .zip(word)
                .take_while(|(a, b)| a == b)
                .count();
            Self::replace_or_register(&mut states, &mut register, &mut path, common);
            for &byte in &word[common..] {
                let child = states.len() as u32;
                states.push(DawgState::default());
                let parent = *path.last().unwrap_or(&0);
                states[parent as usize].edges.push((byte, child));
                path.push(child);
            }
            let last = *path.last().unwrap_or(&0);
            states[last as usize].accept = true;
            previous = word.to_vec();
        }
        Self::replace_or_register(&mut states, &mut register, &mut path, 0);
        // Keep only the states reachable from the root, renumbered.
        let mut renumber: HashMap<u32, u32> = HashMap::default();
        let mut order = vec![0u32];
        renumber.insert(0, 0);
        let mut index = 0;
        while index < order.len() {
            let state = order[index];
            for &(_, next) in &states[state as usize].edges {
                if let Entry::Vacant(entry) = renumber.entry(next) {
                    entry.insert(order.len() as u32);
                    order.push(next);
                }
            }
            index += 1;
        }
        let compact = order
            .iter()
            .map(|&old| {
                let state = &states[old as usize];
                DawgState {
                    edges: state
                        .edges
                        .iter()
                        .map(|&(byte, next)| (byte, renumber[&next]))
                        .collect(),
                    accept: state.accept,
                }
            })
            .collect();
        Dawg {
            states: compact,
            root: 0,
        }
    }

    /// Minimizes the tail of `path` below depth `keep`, replacing each
    /// state with an equivalent registered one where there is one.
    fn replace_or_register(
        states: &mut [DawgState],
        register: &mut HashMap<DawgState, u32>,
        path: &mut Vec<u32>,
        keep: usize,
    ) {
        while path.len() > keep + 1 {
            let child = path.pop().unwrap_or(0);
            let parent = *path.last().unwrap_or(&0);
            let key = states[child as usize].clone();
            let canonical = *register.entry(key).or_insert(child);
            if let Some(edge) = states[parent as usize].edges.last_mut() {
                edge.1 = canonical;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> Vec<Symbol> {
        text.bytes().map(Symbol::Byte).collect()
    }

    fn with(mut prefix: Vec<Symbol>, rest: &[Symbol]) -> Vec<Symbol> {
        prefix.extend_from_slice(rest);
        prefix
    }

    #[test]
    fn literals_match_exactly() {
        let mut nfa = Nfa::new();
        nfa.insert(&literal("https://a.com"), 1);
        nfa.insert(&literal("https://ab.com"), 1);
        let dfa = nfa.determinize(usize::MAX).expect("no limit");
        assert_eq!(dfa.run(b"https://a.com"), 1);
        assert_eq!(dfa.run(b"https://ab.com"), 1);
        assert_eq!(dfa.run(b"https://a.co"), 0);
        assert_eq!(dfa.run(b"https://a.comm"), 0);
        assert_eq!(dfa.run(b""), 0);
    }

    #[test]
    fn subdomain_wildcard_needs_one_or_more_labels() {
        let mut nfa = Nfa::new();
        let pattern = with(
            with(literal("https://"), &[Symbol::Labels]),
            &literal("example.com"),
        );
        nfa.insert(&pattern, 1);
        nfa.insert(&literal("https://example.com.evil.net"), 1);
        let dfa = nfa.determinize(usize::MAX).expect("no limit");
        assert_eq!(dfa.run(b"https://a.example.com"), 1);
        assert_eq!(dfa.run(b"https://a.b-c.d_e.example.com"), 1);
        assert_eq!(dfa.run(b"https://example.example.com"), 1);
        assert_eq!(dfa.run(b"https://example.com"), 0);
        assert_eq!(dfa.run(b"https://.example.com"), 0);
        assert_eq!(dfa.run(b"https://a..example.com"), 0);
        assert_eq!(dfa.run(b"https://evilexample.com"), 0);
        assert_eq!(dfa.run(b"https://A.example.com"), 0);
        assert_eq!(dfa.run(b"https://example.com.evil.net"), 1);
        assert_eq!(dfa.run(b"https://x.example.com.evil.net"), 0);
    }

    #[test]
    fn port_wildcard_matches_serialized_ports_only() {
        let mut nfa = Nfa::new();
        nfa.insert(
            &with(
                literal("http://h"),
                &[Symbol::AnyPort { default: Some(80) }],
            ),
            1,
        );
        let dfa = nfa.determinize(usize::MAX).expect("no limit");
        for good in [
            "http://h",
            "http://h:0",
            "http://h:8080",
            "http://h:65535",
            "http://h:81",
        ] {
            assert_eq!(dfa.run(good.as_bytes()), 1, "{good}");
        }
        for bad in [
            "http://h:",
            "http://h:80",
            "http://h:080",
            "http://h:65536",
            "http://h:99999",
            "http://h:1x",
        ] {
            assert_eq!(dfa.run(bad.as_bytes()), 0, "{bad}");
        }
    }

    #[test]
    fn shared_suffixes_share_states() {
        let mut nfa = Nfa::new();
        for host in [
            "https://a.example.com",
            "https://b.example.com",
            "https://c.example.com",
        ] {
            nfa.insert(&literal(host), 1);
        }
        let dfa = nfa.determinize(usize::MAX).expect("no limit");
        // "https://" (9 states with the start), one state after a/b/c, then
        // ".example.com" once: 9 + 1 + 12 = 22, not 9 + 3 * 13.
        assert_eq!(dfa.states.len(), 22);
        for host in ["https://a.example.com", "https://c.example.com"] {
            assert_eq!(dfa.run(host.as_bytes()), 1);
        }
        assert_eq!(dfa.run(b"https://d.example.com"), 0);
        assert_eq!(dfa.run(b"https://a.example.co"), 0);
    }

    /// The direct construction gives exactly the automaton of the general
    /// path (insert every word into an NFA, determinize, merge, renumber).
    #[test]
    fn words_build_the_same_automaton_as_the_nfa() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        let mut lists: Vec<Vec<Vec<u8>>> = vec![
            vec![],
            vec![b"".to_vec()],
            vec![
                b"a".to_vec(),
                b"ab".to_vec(),
                b"abc".to_vec(),
                b"b".to_vec(),
            ],
            vec![
                b"https://a.com".to_vec(),
                b"https://b.com".to_vec(),
                b"https://a.com".to_vec(),
            ],
            (0..300)
                .map(|i| format!("https://{i:x}-{}.example.com", i * 7).into_bytes())
                .collect(),
        ];
        for _ in 0..50 {
            let count = next(40) as usize;
            lists.push(
                (0..count)
                    .map(|_| {
                        (0..next(6))
                            .map(|_| b"abc019.:"[next(8) as usize])
                            .collect()
                    })
                    .collect(),
            );
        }
        for words in lists {
            let mut nfa = Nfa::new();
            for word in &words {
                nfa.insert(
                    &word.iter().map(|&b| Symbol::Byte(b)).collect::<Vec<_>>(),
                    1,
                );
            }
            let expected = if nfa.is_empty() && !words.iter().any(Vec::is_empty) {
                None
            } else {
                nfa.determinize(usize::MAX)
            };
            let direct = Dfa::of_words(words.clone(), 1);
            if let Some(expected) = expected {
                assert_eq!(direct, expected, "{words:?}");
            }
            for word in &words {
                assert_eq!(direct.run(word), 1, "{word:?}");
            }
            assert_eq!(direct.run(b"zz"), 0);
        }
    }

    #[test]
    fn determinize_stops_at_the_state_limit() {
        let mut nfa = Nfa::new();
        nfa.insert(&literal("https://a.example.com"), 1);
        let states = nfa.determinize(usize::MAX).expect("no limit").states.len();
        assert!(nfa.determinize(states).is_some());
        assert!(nfa.determinize(states - 1).is_none());
        assert!(nfa.determinize(0).is_none());
    }

    #[test]
    fn merging_keeps_accept_values_apart() {
        let mut nfa = Nfa::new();
        nfa.insert(&literal("/a/x"), 1);
        nfa.insert(&literal("/b/x"), 2);
        let dfa = nfa.determinize(usize::MAX).expect("no limit");
        assert_eq!(dfa.run(b"/a/x"), 1);
        assert_eq!(dfa.run(b"/b/x"), 2);
    }

    #[test]
    fn dawg_is_minimal_for_ports() {
        let dawg = Dawg::of_sorted((0..=u16::MAX).map(|p| p.to_string()));
        assert!(dawg.states.len() < 40, "{} states", dawg.states.len());
    }
}
