//! Comparing origin lists on their meaning: the languages of the automata
//! the compiler builds, never the patterns' spelling.
//!
//! Each list becomes one deterministic automaton over the bytes of an
//! `Origin` value (the same symbols and regex grafts as the table's origin
//! automata, see [`crate::compile::origin_symbols`]). A pattern of the new
//! list widens access when its language is not contained in the old list's;
//! a breadth-first walk of the product automaton finds the shortest origin
//! it newly admits, which the diff shows as an example. Two spellings of the
//! same set (`https://a.x.com https://b.x.com` and `~"^https://(a|b)\.x\.com$"`)
//! compare equal.
//!
//! Everything is bounded: each automaton by the compiler's budgets, each
//! walk and the whole comparison by [`MAX_PRODUCT_STATES`] and
//! [`MAX_TOTAL_PRODUCT_STATES`]. Past them the comparison says so instead of
//! guessing.

use std::collections::VecDeque;

use crate::compile::automaton::{Budget, Dfa, DfaState, Nfa, Symbol};
use crate::compile::{origin_symbols, origin_symbols_reversed, MAX_STATES, MAX_WORK};
use crate::model::OriginPattern;
use crate::reference::MAX_ORIGIN_LEN;
use crate::regex_origin;

/// Most pairs of states one product walk may visit.
pub const MAX_PRODUCT_STATES: usize = 1 << 20;
/// Most states all the product walks of one diff may visit together.
pub const MAX_TOTAL_PRODUCT_STATES: usize = 1 << 21;
/// Most work (as the compiler counts it) building all the automata of one
/// diff may take: the two files' lists may each need the compiler's whole
/// [`MAX_WORK`], and the patterns compared one by one the rest.
pub const MAX_TOTAL_WORK: usize = 4 * MAX_WORK;

/// Why two origin lists could not be compared exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge {
    /// What ran out, for the message.
    pub what: String,
}

/// What the comparisons of one diff may still spend.
#[derive(Debug)]
pub(crate) struct Spending {
    product_states: usize,
    work: usize,
    /// Most work one automaton may take.
    automaton_work: usize,
}

impl Default for Spending {
    fn default() -> Self {
        Spending {
            product_states: MAX_TOTAL_PRODUCT_STATES,
            work: MAX_TOTAL_WORK,
            automaton_work: MAX_WORK,
        }
    }
}

impl Spending {
    /// The default budgets, with at most `work` for each automaton.
    #[cfg(test)]
    pub(crate) fn with_automaton_work(work: usize) -> Spending {
        Spending {
            automaton_work: work,
            ..Spending::default()
        }
    }
}

/// Which way the automata read an origin. Forwards first; backwards when
/// that is too large, as the compiler walks a regex whose forward
/// automaton explodes (`[a-z]*a[a-z]{20}\.example\.com`): the difference
/// of two languages read backwards is the difference read forwards,
/// reversed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// From the first byte.
    Forwards,
    /// From the last byte.
    Backwards,
}

impl Reading {
    /// `bytes` in the order this reading takes them.
    pub(crate) fn order(self, mut bytes: Vec<u8>) -> Vec<u8> {
        if self == Reading::Backwards {
            bytes.reverse();
        }
        bytes
    }
}

/// What a list of origin patterns admits: its exact origins as a set (and
/// as a minimal automaton, for walks), and one automaton of its wildcards
/// and regexes. Kept apart as the compiler keeps them (a hash index and
/// automata): one automaton of thousands of exact origins and a subdomain
/// wildcard read forwards would track both at every byte.
pub(crate) struct Language {
    reading: Reading,
    exact: rustc_hash::FxHashSet<Vec<u8>>,
    exact_dfa: Dfa,
    patterns: Dfa,
}

impl Language {
    /// The language of `patterns`, its automata reading as `reading` says.
    ///
    /// # Errors
    ///
    /// [`TooLarge`] when the automaton of the wildcards and regexes
    /// exceeds the compiler's budgets ([`MAX_STATES`] states, [`MAX_WORK`]
    /// steps) or the diff's ([`MAX_TOTAL_WORK`]), or a regex does not
    /// compile (which a validated model never has).
    pub(crate) fn of<'a>(
        patterns: impl IntoIterator<Item = &'a OriginPattern>,
        reading: Reading,
        spending: &mut Spending,
    ) -> Result<Language, TooLarge> {
        let mut exact_origins = rustc_hash::FxHashSet::default();
        let mut others = Vec::new();
        for pattern in patterns {
            match exact(pattern) {
                Some(origin) => {
                    exact_origins.insert(origin);
                }
                None => others.push(pattern),
            }
        }
        let words: Vec<Vec<u8>> = exact_origins
            .iter()
            .map(|origin| reading.order(origin.clone()))
            .collect();
        let exact_dfa = if words.is_empty() {
            empty()
        } else {
            Dfa::of_words(words, 1)
        };
        Ok(Language {
            reading,
            exact: exact_origins,
            exact_dfa,
            patterns: language(others, reading, spending)?,
        })
    }

    /// Whether the list admits `origin`.
    pub(crate) fn accepts(&self, origin: &[u8]) -> bool {
        self.exact.contains(origin) || self.patterns.run(&self.reading.order(origin.to_vec())) != 0
    }
}

fn empty() -> Dfa {
    Dfa {
        states: vec![DfaState::default()],
    }
}

/// A deterministic automaton as a regex automaton, to reverse it.
fn as_regex_nfa(dfa: &Dfa) -> regex_origin::RegexNfa {
    regex_origin::RegexNfa {
        states: dfa
            .states
            .iter()
            .map(|state| regex_origin::RegexState {
                transitions: state
                    .transitions
                    .iter()
                    .map(|t| regex_origin::RegexTransition {
                        lo: t.lo,
                        hi: t.hi,
                        next: t.next,
                        literal: false,
                    })
                    .collect(),
                accept: state.accept != 0,
            })
            .collect(),
    }
}

/// Determinizes `nfa` within the budgets of `spending`, which it charges.
fn determinize(nfa: Nfa, spending: &mut Spending) -> Result<Dfa, TooLarge> {
    if nfa.is_empty() {
        return Ok(empty());
    }
    let work = spending.automaton_work.min(spending.work);
    let mut budget = Budget {
        states: MAX_STATES,
        work,
    };
    let dfa = nfa.into_dfa_within(&mut budget);
    spending.work -= work - budget.work;
    dfa.ok_or_else(|| TooLarge {
        what: format!(
            "an origin automaton would exceed {MAX_STATES} states or {MAX_WORK} steps, \
             or the diff's {MAX_TOTAL_WORK} steps in all"
        ),
    })
}

/// The automaton of a list of origin patterns, reading as `reading` says:
/// accepts exactly the origins one of them matches (reversed, backwards).
///
/// # Errors
///
/// [`TooLarge`] as for [`Language::of`].
pub(crate) fn language<'a>(
    patterns: impl IntoIterator<Item = &'a OriginPattern>,
    reading: Reading,
    spending: &mut Spending,
) -> Result<Dfa, TooLarge> {
    let mut nfa = Nfa::new();
    for pattern in patterns {
        if let OriginPattern::Regex(regex) = pattern {
            let regex_nfa = regex_origin::compile(regex).map_err(|_| TooLarge {
                what: format!("the regex ~\"{regex}\" does not compile"),
            })?;
            match reading {
                Reading::Forwards => nfa.graft(&regex_nfa, 1),
                Reading::Backwards => nfa.graft(&regex_nfa.reversed(), 1),
            }
            continue;
        }
        match (reading, origin_symbols_reversed(pattern)) {
            (Reading::Forwards, _) => nfa.insert(&origin_symbols(pattern), 1),
            (Reading::Backwards, Some(reversed)) => nfa.insert(&reversed, 1),
            (Reading::Backwards, None) => {
                // A port wildcard only reads forwards: its own (small)
                // automaton, reversed.
                let mut alone = Nfa::new();
                alone.insert(&origin_symbols(pattern), 1);
                let forwards = determinize(alone, spending)?;
                nfa.graft(&as_regex_nfa(&forwards).reversed(), 1);
            }
        }
    }
    determinize(nfa, spending)
}

/// The one origin a pattern without wildcards matches (`null` included);
/// `None` for wildcards and regexes.
pub(crate) fn exact(pattern: &OriginPattern) -> Option<Vec<u8>> {
    if matches!(pattern, OriginPattern::Regex(_)) {
        return None;
    }
    origin_symbols(pattern)
        .into_iter()
        .map(|symbol| match symbol {
            Symbol::Byte(byte) => Some(byte),
            _ => None,
        })
        .collect()
}

/// How readable a byte is in an example origin: lower-case letters first,
/// then digits, then the punctuation of origins, then anything else.
fn rank(byte: u8) -> u8 {
    match byte {
        b'a'..=b'z' => 0,
        b'0'..=b'9' => 1,
        b'.' | b':' | b'/' | b'-' => 2,
        _ => 3,
    }
}

/// The most readable byte of `lo..=hi`.
fn pick(lo: u8, hi: u8) -> u8 {
    (lo..=hi).min_by_key(|&b| (rank(b), b)).unwrap_or(lo)
}

/// No state: the automaton has rejected the input.
const DEAD: u32 = u32::MAX;

/// The shortest origin (at most [`MAX_ORIGIN_LEN`] bytes, the longest an
/// evaluator accepts) that `a` accepts and `b` does not (both reading the
/// same way; the origin is returned in reading order), preferring
/// readable bytes among the shortest; `None` when every such origin is
/// longer or there is none, which makes the answer exact for what eval
/// decides.
///
/// # Errors
///
/// [`TooLarge`] when the walk would visit more than [`MAX_PRODUCT_STATES`]
/// states, or the diff's whole budget runs out.
pub(crate) fn shortest_difference(
    a: &Dfa,
    b: &Language,
    spending: &mut Spending,
) -> Result<Option<Vec<u8>>, TooLarge> {
    // The walk runs `a` and both of b's automata side by side: a state is
    // (state of a, of b's patterns, of b's exact origins), DEAD once an
    // automaton has rejected. Each node keeps its parent and byte.
    type Key = [u32; 3];
    struct Node {
        key: Key,
        parent: u32,
        byte: u8,
        depth: u16,
    }
    let others = [&b.patterns, &b.exact_dfa];
    let accepting = |key: &Key| {
        a.states[key[0] as usize].accept != 0
            && others
                .iter()
                .zip(&key[1..])
                .all(|(dfa, &state)| state == DEAD || dfa.states[state as usize].accept == 0)
    };
    let limit = MAX_PRODUCT_STATES.min(spending.product_states);
    let mut nodes = vec![Node {
        key: [0, 0, 0],
        parent: u32::MAX,
        byte: 0,
        depth: 0,
    }];
    let mut seen: rustc_hash::FxHashSet<Key> = rustc_hash::FxHashSet::default();
    seen.insert([0, 0, 0]);
    let mut queue: VecDeque<u32> = VecDeque::from([0]);
    let mut found = None;
    let mut cuts: Vec<u16> = Vec::new();
    while let Some(index) = queue.pop_front() {
        let node = &nodes[index as usize];
        if accepting(&node.key) {
            found = Some(index);
            break;
        }
        if usize::from(node.depth) >= MAX_ORIGIN_LEN {
            continue;
        }
        let (key, depth) = (node.key, node.depth);
        let mut steps: Vec<(u8, Key)> = Vec::new();
        for t in &a.states[key[0] as usize].transitions {
            // Cut `t`'s range where b's automata change their minds.
            cuts.clear();
            cuts.extend([u16::from(t.lo), u16::from(t.hi) + 1]);
            for (dfa, &state) in others.iter().zip(&key[1..]) {
                if state == DEAD {
                    continue;
                }
                for u in &dfa.states[state as usize].transitions {
                    for cut in [u16::from(u.lo), u16::from(u.hi) + 1] {
                        if u16::from(t.lo) < cut && cut <= u16::from(t.hi) {
                            cuts.push(cut);
                        }
                    }
                }
            }
            cuts.sort_unstable();
            cuts.dedup();
            for window in cuts.windows(2) {
                let (lo, hi) = (window[0] as u8, (window[1] - 1) as u8);
                let mut next = [t.next, DEAD, DEAD];
                for ((dfa, &state), slot) in others.iter().zip(&key[1..]).zip(&mut next[1..]) {
                    if state == DEAD {
                        continue;
                    }
                    if let Some(u) = dfa.states[state as usize]
                        .transitions
                        .iter()
                        .find(|u| u.lo <= lo && lo <= u.hi)
                    {
                        *slot = u.next;
                    }
                }
                steps.push((pick(lo, hi), next));
            }
        }
        steps.sort_by_key(|&(byte, _)| (rank(byte), byte));
        for (byte, next) in steps {
            if !seen.insert(next) {
                continue;
            }
            if nodes.len() >= limit {
                spending.product_states = spending.product_states.saturating_sub(nodes.len());
                return Err(TooLarge {
                    what: format!("comparing origin automata would visit more than {limit} states"),
                });
            }
            queue.push_back(nodes.len() as u32);
            nodes.push(Node {
                key: next,
                parent: index,
                byte,
                depth: depth + 1,
            });
        }
    }
    spending.product_states = spending.product_states.saturating_sub(nodes.len());
    Ok(found.map(|mut index| {
        let mut bytes = Vec::new();
        while index != 0 {
            let node = &nodes[index as usize];
            bytes.push(node.byte);
            index = node.parent;
        }
        bytes.reverse();
        bytes
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Host, PortPattern, TupleOrigin};

    fn tuple(text: &str) -> OriginPattern {
        let (scheme, rest) = text.split_once("://").expect("scheme");
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, "*")) => (host, PortPattern::Any),
            Some((host, port)) => (host, PortPattern::Exact(port.parse().expect("port"))),
            None => (rest, PortPattern::Default),
        };
        let (host, any_subdomain) = match host.strip_prefix("*.") {
            Some(host) => (host, true),
            None => (host, false),
        };
        OriginPattern::Tuple(TupleOrigin {
            scheme: scheme.to_string(),
            host: Host::Domain(host.to_string()),
            any_subdomain,
            port,
        })
    }

    fn difference(a: &[OriginPattern], b: &[OriginPattern]) -> Option<String> {
        let mut spending = Spending::default();
        let mut results = [Reading::Forwards, Reading::Backwards].map(|reading| {
            let a = language(a, reading, &mut spending).expect("small");
            let b = Language::of(b, reading, &mut spending).expect("small");
            shortest_difference(&a, &b, &mut spending)
                .expect("small")
                .map(|bytes| String::from_utf8(reading.order(bytes)).expect("ASCII"))
        });
        // Both ways find an origin, or neither; of the same length.
        assert_eq!(
            results[0].as_ref().map(String::len),
            results[1].as_ref().map(String::len),
            "{results:?}"
        );
        results[0].take()
    }

    #[test]
    fn a_widened_wildcard_admits_the_old_apex() {
        let old = [tuple("https://*.a.example.com")];
        let new = [tuple("https://*.example.com")];
        assert_eq!(
            difference(&new, &old).as_deref(),
            Some("https://a.example.com")
        );
        assert_eq!(difference(&old, &new), None);
    }

    #[test]
    fn a_port_wildcard_admits_the_default_port() {
        let old = [tuple("http://localhost:3000")];
        let new = [tuple("http://localhost:*")];
        assert_eq!(difference(&new, &old).as_deref(), Some("http://localhost"));
        assert_eq!(difference(&old, &new), None);
    }

    #[test]
    fn two_spellings_of_one_set_are_equal() {
        let listed = [tuple("https://a.x.com"), tuple("https://b.x.com")];
        let regex = [OriginPattern::Regex(r"^https://(a|b)\.x\.com$".to_string())];
        assert_eq!(difference(&listed, &regex), None);
        assert_eq!(difference(&regex, &listed), None);
        let wider = [OriginPattern::Regex(r"^https://[a-c]\.x\.com$".to_string())];
        assert_eq!(
            difference(&wider, &listed).as_deref(),
            Some("https://c.x.com")
        );
    }

    #[test]
    fn nothing_differs_from_nothing() {
        assert_eq!(difference(&[], &[]), None);
        assert_eq!(
            difference(&[OriginPattern::Null], &[]).as_deref(),
            Some("null")
        );
    }

    #[test]
    fn the_walk_stops_at_its_budget() {
        let mut spending = Spending::default();
        let a = language(
            &[tuple("https://*.example.com")],
            Reading::Forwards,
            &mut spending,
        )
        .expect("small");
        let b = Language::of(&[], Reading::Forwards, &mut spending).expect("small");
        let mut spending = Spending {
            product_states: 3,
            work: 0,
            automaton_work: 0,
        };
        assert!(shortest_difference(&a, &b, &mut spending).is_err());
        assert_eq!(spending.product_states, 0);
    }

    #[test]
    fn building_stops_at_the_diffs_budget() {
        let mut spending = Spending {
            product_states: 0,
            work: 10,
            automaton_work: MAX_WORK,
        };
        let port = [tuple("http://a.com:*")];
        assert!(language(&port, Reading::Forwards, &mut spending).is_err());
        assert!(spending.work <= 10);
        let mut spending = Spending::default();
        let backwards = language(&port, Reading::Backwards, &mut spending).expect("small");
        assert_ne!(backwards.run(b"0808:moc.a//:ptth"), 0);
        assert_ne!(backwards.run(b"moc.a//:ptth"), 0);
        assert_eq!(backwards.run(b"08:moc.a//:ptth"), 0);
    }

    #[test]
    fn exact_patterns_are_their_one_origin() {
        assert_eq!(
            exact(&tuple("https://a.com:8443")),
            Some(b"https://a.com:8443".to_vec())
        );
        assert_eq!(exact(&OriginPattern::Null), Some(b"null".to_vec()));
        assert_eq!(exact(&tuple("https://*.a.com")), None);
        assert_eq!(exact(&tuple("http://a.com:*")), None);
    }
}
