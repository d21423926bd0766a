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

use rustc_hash::FxHashMap as HashMap;

use crate::compile::automaton::{Budget, Dfa, DfaState, Nfa, Symbol};
use crate::compile::{origin_symbols, MAX_STATES, MAX_WORK};
use crate::model::OriginPattern;
use crate::reference::MAX_ORIGIN_LEN;
use crate::regex_origin;

/// Most pairs of states one product walk may visit.
pub const MAX_PRODUCT_STATES: usize = 1 << 20;
/// Most pairs of states all the product walks of one diff may visit
/// together.
pub const MAX_TOTAL_PRODUCT_STATES: usize = 1 << 23;

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
}

impl Default for Spending {
    fn default() -> Self {
        Spending {
            product_states: MAX_TOTAL_PRODUCT_STATES,
        }
    }
}

/// The automaton of a list of origin patterns: accepts exactly the origins
/// one of them matches.
///
/// # Errors
///
/// [`TooLarge`] when the automaton exceeds the compiler's budgets
/// ([`MAX_STATES`] states, [`MAX_WORK`] steps), or a regex does not compile
/// (which a validated model never has).
pub(crate) fn language<'a>(
    patterns: impl IntoIterator<Item = &'a OriginPattern>,
) -> Result<Dfa, TooLarge> {
    let mut nfa = Nfa::new();
    for pattern in patterns {
        match pattern {
            OriginPattern::Regex(regex) => {
                let regex_nfa = regex_origin::compile(regex).map_err(|_| TooLarge {
                    what: format!("the regex ~\"{regex}\" does not compile"),
                })?;
                nfa.graft(&regex_nfa, 1);
            }
            other => nfa.insert(&origin_symbols(other), 1),
        }
    }
    if nfa.is_empty() {
        return Ok(Dfa {
            states: vec![DfaState::default()],
        });
    }
    let mut budget = Budget {
        states: MAX_STATES,
        work: MAX_WORK,
    };
    nfa.into_dfa_within(&mut budget).ok_or_else(|| TooLarge {
        what: format!("an origin automaton would exceed {MAX_STATES} states or {MAX_WORK} steps"),
    })
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

/// Whether `dfa` accepts `input`.
pub(crate) fn accepts(dfa: &Dfa, input: &[u8]) -> bool {
    dfa.run(input) != 0
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
/// evaluator accepts) that `a` accepts and `b` does not, preferring
/// readable bytes among the shortest; `None` when every such origin is
/// longer or there is none, which makes the answer exact for what eval
/// decides.
///
/// # Errors
///
/// [`TooLarge`] when the walk would visit more than [`MAX_PRODUCT_STATES`]
/// pairs, or the diff's whole budget runs out.
pub(crate) fn shortest_difference(
    a: &Dfa,
    b: &Dfa,
    spending: &mut Spending,
) -> Result<Option<Vec<u8>>, TooLarge> {
    // (state of a, state of b or DEAD) -> node; nodes keep their parent.
    struct Node {
        a: u32,
        b: u32,
        parent: u32,
        byte: u8,
        depth: u16,
    }
    let accepting = |node: &Node| {
        a.states[node.a as usize].accept != 0
            && (node.b == DEAD || b.states[node.b as usize].accept == 0)
    };
    let limit = MAX_PRODUCT_STATES.min(spending.product_states);
    let mut nodes = vec![Node {
        a: 0,
        b: 0,
        parent: u32::MAX,
        byte: 0,
        depth: 0,
    }];
    let mut seen: HashMap<(u32, u32), ()> = HashMap::default();
    seen.insert((0, 0), ());
    let mut queue: VecDeque<u32> = VecDeque::from([0]);
    let mut found = None;
    while let Some(index) = queue.pop_front() {
        let node = &nodes[index as usize];
        if accepting(node) {
            found = Some(index);
            break;
        }
        if usize::from(node.depth) >= MAX_ORIGIN_LEN {
            continue;
        }
        let (state_a, state_b, depth) = (node.a, node.b, node.depth);
        let mut steps: Vec<(u8, u32, u32)> = Vec::new();
        for t in &a.states[state_a as usize].transitions {
            if state_b == DEAD {
                steps.push((pick(t.lo, t.hi), t.next, DEAD));
                continue;
            }
            // Cut `t`'s range by b's transitions; the gaps lead b nowhere.
            let mut at = u16::from(t.lo);
            for u in &b.states[state_b as usize].transitions {
                if u16::from(u.hi) < at || u.lo > t.hi {
                    continue;
                }
                if u16::from(u.lo) > at {
                    steps.push((pick(at as u8, u.lo - 1), t.next, DEAD));
                }
                let hi = u.hi.min(t.hi);
                steps.push((pick(at.max(u16::from(u.lo)) as u8, hi), t.next, u.next));
                at = u16::from(hi) + 1;
            }
            if at <= u16::from(t.hi) {
                steps.push((pick(at as u8, t.hi), t.next, DEAD));
            }
        }
        steps.sort_by_key(|&(byte, _, _)| (rank(byte), byte));
        for (byte, next_a, next_b) in steps {
            if seen.insert((next_a, next_b), ()).is_some() {
                continue;
            }
            if nodes.len() >= limit {
                spending.product_states = spending.product_states.saturating_sub(nodes.len());
                return Err(TooLarge {
                    what: format!(
                        "comparing origin automata would visit more than {limit} state pairs"
                    ),
                });
            }
            queue.push_back(nodes.len() as u32);
            nodes.push(Node {
                a: next_a,
                b: next_b,
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
        let a = language(a).expect("small");
        let b = language(b).expect("small");
        shortest_difference(&a, &b, &mut Spending::default())
            .expect("small")
            .map(|bytes| String::from_utf8(bytes).expect("ASCII"))
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
        let a = language(&[tuple("https://*.example.com")]).expect("small");
        let b = language(&[]).expect("small");
        let mut spending = Spending { product_states: 3 };
        assert!(shortest_difference(&a, &b, &mut spending).is_err());
        assert_eq!(spending.product_states, 0);
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
