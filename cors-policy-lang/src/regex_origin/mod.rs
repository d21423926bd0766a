//! Regex origin patterns: `origins ~"^https://pr-[0-9]+\.preview\.example\.com$";`.
//!
//! A regex is parsed with `regex-syntax` (bytes, no Unicode), restricted to
//! what a finite automaton runs in linear time, and compiled to an
//! epsilon-free NFA over byte ranges that the compiler grafts into the
//! policy's origin automaton: eval still walks the `Origin` once.
//!
//! Before that, the pattern is proved safe on its automaton (see
//! [`analyse`]): it may only match serialized origins, and only hosts whose
//! registrable domain the pattern spells out literally. Each failure comes
//! with the shortest counterexample origin the pattern accepts.

mod loopback;
mod safety;

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use rustc_hash::FxHashMap as HashMap;

pub use safety::{
    analyse, Analysis, AnalysisContext, Finding, NotAnOriginWhy, MAX_DOMAINS, MAX_PATTERN_STEPS,
};

/// Most states a regex's automaton may have: far more than any origin
/// pattern needs, few enough to keep compile time and tables small.
pub const MAX_REGEX_STATES: usize = 4096;
/// Most transitions of a regex's epsilon-free NFA.
pub const MAX_NFA_TRANSITIONS: usize = 1 << 14;
/// Largest bound of a counted repetition (`{n}`, `{n,m}`).
pub const MAX_REPEAT: u32 = 255;

/// Why a regex is refused before any safety analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegexError {
    /// The text is not a regex, or uses a feature outside the supported
    /// subset; the message says which.
    Syntax(String),
    /// The automaton would exceed [`MAX_REGEX_STATES`].
    TooComplex,
}

/// A transition of the regex NFA on the inclusive byte range `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegexTransition {
    /// First byte.
    pub lo: u8,
    /// Last byte.
    pub hi: u8,
    /// Target state.
    pub next: u32,
    /// Written as a literal character (or a one-character class), not a
    /// class, `.` or a case-insensitive letter.
    pub literal: bool,
}

/// One state of a [`RegexNfa`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegexState {
    /// Byte-range transitions (no epsilon transitions).
    pub transitions: Vec<RegexTransition>,
    /// Whether the input may end here.
    pub accept: bool,
}

/// An epsilon-free NFA that matches exactly the strings the regex matches
/// in full (the pattern is implicitly anchored at both ends). State 0 is
/// the start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegexNfa {
    /// The states.
    pub states: Vec<RegexState>,
}

/// Parses and compiles a regex origin pattern.
///
/// # Errors
///
/// [`RegexError::Syntax`] for an invalid or unsupported regex,
/// [`RegexError::TooComplex`] when its automaton would be too large.
pub fn compile(pattern: &str) -> Result<RegexNfa, RegexError> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(64)
        .build()
        .parse(pattern)
        .map_err(|error| RegexError::Syntax(describe_parse_error(pattern, &error)))?;
    check_supported(&hir, true, true)?;
    let mut thompson = Thompson::default();
    let start = thompson.add()?;
    let end = thompson.fragment(&hir, start)?;
    thompson.states[end as usize].accept = true;
    thompson.without_epsilons()
}

/// A message for a `regex-syntax` error, naming the unsupported features
/// users reach for most.
fn describe_parse_error(pattern: &str, error: &regex_syntax::Error) -> String {
    if pattern.contains("(?=")
        || pattern.contains("(?!")
        || pattern.contains("(?<=")
        || pattern.contains("(?<!")
    {
        return "look-around (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported: an origin \
                pattern must run as a finite automaton"
            .to_string();
    }
    if pattern
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'\\' && pair[1].is_ascii_digit() && pair[1] != b'0')
    {
        return "backreferences (`\\1`) are not supported: an origin pattern must run as a \
                finite automaton"
            .to_string();
    }
    // regex-syntax's own message is precise; keep its first line, which
    // names the problem, without the pattern echo.
    let text = match error {
        regex_syntax::Error::Parse(e) => e.kind().to_string(),
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        other => other.to_string(),
    };
    format!("invalid regex: {text}")
}

/// Rejects what the automaton cannot run: anchors anywhere but at the ends
/// (where they are redundant), word boundaries, huge repetitions.
fn check_supported(hir: &Hir, at_start: bool, at_end: bool) -> Result<(), RegexError> {
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => Ok(()),
        HirKind::Look(look) => match look {
            Look::Start if at_start => Ok(()),
            Look::End if at_end => Ok(()),
            Look::Start | Look::End => Err(RegexError::Syntax(
                "`^` and `$` may only appear at the start and end of the pattern (which is \
                 always matched in full)"
                    .to_string(),
            )),
            _ => Err(RegexError::Syntax(format!(
                "the assertion {look:?} is not supported in origin patterns (only `^` at the \
                 start and `$` at the end)"
            ))),
        },
        HirKind::Repetition(repetition) => {
            if repetition.min > MAX_REPEAT || repetition.max.is_some_and(|max| max > MAX_REPEAT) {
                return Err(RegexError::Syntax(format!(
                    "repetition bounds above {MAX_REPEAT} are not supported"
                )));
            }
            check_supported(&repetition.sub, false, false)
        }
        HirKind::Capture(capture) => check_supported(&capture.sub, at_start, at_end),
        HirKind::Concat(items) => {
            let zero_width = |hir: &Hir| matches!(hir.kind(), HirKind::Look(_) | HirKind::Empty);
            for (index, item) in items.iter().enumerate() {
                let start = at_start && items[..index].iter().all(zero_width);
                let end = at_end && items[index + 1..].iter().all(zero_width);
                check_supported(item, start, end)?;
            }
            Ok(())
        }
        HirKind::Alternation(branches) => branches
            .iter()
            .try_for_each(|branch| check_supported(branch, at_start, at_end)),
    }
}

#[derive(Clone, Debug, Default)]
struct ThompsonState {
    transitions: Vec<RegexTransition>,
    epsilons: Vec<u32>,
    accept: bool,
}

/// Thompson's construction, with epsilon transitions, bounded in size.
#[derive(Default)]
struct Thompson {
    states: Vec<ThompsonState>,
}

impl Thompson {
    fn add(&mut self) -> Result<u32, RegexError> {
        // The epsilon-free NFA has no more states than this one, and the
        // compiler's DFA of it is bounded separately.
        if self.states.len() >= MAX_REGEX_STATES / 2 {
            return Err(RegexError::TooComplex);
        }
        self.states.push(ThompsonState::default());
        Ok((self.states.len() - 1) as u32)
    }

    fn epsilon(&mut self, from: u32, to: u32) {
        self.states[from as usize].epsilons.push(to);
    }

    fn range(&mut self, from: u32, lo: u8, hi: u8, next: u32, literal: bool) {
        self.states[from as usize]
            .transitions
            .push(RegexTransition {
                lo,
                hi,
                next,
                literal,
            });
    }

    /// Appends the automaton of `hir` starting at `start`; returns its end.
    fn fragment(&mut self, hir: &Hir, start: u32) -> Result<u32, RegexError> {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Ok(start),
            HirKind::Literal(literal) => {
                let mut at = start;
                for &byte in literal.0.iter() {
                    let next = self.add()?;
                    self.range(at, byte, byte, next, true);
                    at = next;
                }
                Ok(at)
            }
            HirKind::Class(class) => {
                let ranges: Vec<(u8, u8)> = match class {
                    Class::Bytes(bytes) => bytes
                        .ranges()
                        .iter()
                        .map(|r| (r.start(), r.end()))
                        .collect(),
                    Class::Unicode(unicode) => {
                        let mut ranges = Vec::new();
                        for range in unicode.ranges() {
                            let (lo, hi) = (u32::from(range.start()), u32::from(range.end()));
                            if hi > 0x7F {
                                return Err(RegexError::Syntax(
                                    "non-ASCII characters cannot appear in an origin".to_string(),
                                ));
                            }
                            ranges.push((lo as u8, hi as u8));
                        }
                        ranges
                    }
                };
                // One character, or one letter in both cases (`(?i)`): the
                // upper-case half is refused by the origin-form rule anyway.
                let single = match ranges.as_slice() {
                    [(lo, hi)] => lo == hi,
                    [(a, a2), (b, b2)] => {
                        a == a2 && b == b2 && a.is_ascii_uppercase() && *b == a.to_ascii_lowercase()
                    }
                    _ => false,
                };
                let end = self.add()?;
                for (lo, hi) in ranges {
                    self.range(start, lo, hi, end, single);
                }
                Ok(end)
            }
            HirKind::Capture(capture) => self.fragment(&capture.sub, start),
            HirKind::Concat(items) => {
                let mut at = start;
                for item in items {
                    at = self.fragment(item, at)?;
                }
                Ok(at)
            }
            HirKind::Alternation(branches) => {
                let end = self.add()?;
                for branch in branches {
                    let branch_start = self.add()?;
                    self.epsilon(start, branch_start);
                    let branch_end = self.fragment(branch, branch_start)?;
                    self.epsilon(branch_end, end);
                }
                Ok(end)
            }
            HirKind::Repetition(repetition) => {
                let mut at = start;
                for _ in 0..repetition.min {
                    at = self.fragment(&repetition.sub, at)?;
                }
                match repetition.max {
                    None => {
                        // Zero or more further copies: a loop.
                        let loop_start = self.add()?;
                        self.epsilon(at, loop_start);
                        let loop_end = self.fragment(&repetition.sub, loop_start)?;
                        self.epsilon(loop_end, loop_start);
                        Ok(loop_start)
                    }
                    Some(max) => {
                        let end = self.add()?;
                        self.epsilon(at, end);
                        for _ in repetition.min..max {
                            at = self.fragment(&repetition.sub, at)?;
                            self.epsilon(at, end);
                        }
                        Ok(end)
                    }
                }
            }
        }
    }

    /// The same language without epsilon transitions: each state takes the
    /// transitions and acceptance of its epsilon closure; unreachable
    /// states are dropped. Fails when the result would have more than
    /// [`MAX_NFA_TRANSITIONS`] transitions (closures of long optional
    /// chains, `(a?){200}`, multiply them).
    fn without_epsilons(self) -> Result<RegexNfa, RegexError> {
        // `mark[s] == stamp`: `s` is in the closure being computed.
        let mut mark = vec![0u32; self.states.len()];
        let mut stamp = 0u32;
        let mut ids: HashMap<u32, u32> = HashMap::default();
        let mut order = vec![0u32];
        ids.insert(0, 0);
        let mut out = RegexNfa::default();
        let mut total = 0usize;
        let mut index = 0;
        while index < order.len() {
            let old = order[index];
            index += 1;
            stamp += 1;
            let mut closure = vec![old];
            mark[old as usize] = stamp;
            let mut cursor = 0;
            while cursor < closure.len() {
                let state = closure[cursor];
                cursor += 1;
                for &next in &self.states[state as usize].epsilons {
                    if mark[next as usize] != stamp {
                        mark[next as usize] = stamp;
                        closure.push(next);
                    }
                }
            }
            let mut state = RegexState::default();
            for member in closure {
                let member = &self.states[member as usize];
                state.accept |= member.accept;
                for transition in &member.transitions {
                    let next = *ids.entry(transition.next).or_insert_with(|| {
                        order.push(transition.next);
                        (order.len() - 1) as u32
                    });
                    state.transitions.push(RegexTransition {
                        next,
                        ..*transition
                    });
                }
            }
            state
                .transitions
                .sort_by_key(|t| (t.lo, t.hi, t.next, t.literal));
            state.transitions.dedup();
            total += state.transitions.len();
            if total > MAX_NFA_TRANSITIONS {
                return Err(RegexError::TooComplex);
            }
            out.states.push(state);
        }
        Ok(out)
    }
}

impl RegexNfa {
    /// The automaton of the reversed language: it matches `s` exactly when
    /// this one matches `s` read from its end. State 0 is a new start whose
    /// transitions are those into this automaton's accepting states; this
    /// automaton's start is the one accepting state (with the new start
    /// itself when the empty string is matched).
    pub fn reversed(&self) -> RegexNfa {
        let shift = |state: u32| state + 1;
        let mut states = vec![RegexState::default(); self.states.len() + 1];
        for (from, state) in self.states.iter().enumerate() {
            for t in &state.transitions {
                let reversed = RegexTransition {
                    next: shift(from as u32),
                    ..*t
                };
                states[shift(t.next) as usize].transitions.push(reversed);
                if self.states[t.next as usize].accept {
                    states[0].transitions.push(reversed);
                }
            }
        }
        states[shift(0) as usize].accept = true;
        states[0].accept = self.states.first().is_some_and(|start| start.accept);
        for state in &mut states {
            state
                .transitions
                .sort_by_key(|t| (t.lo, t.hi, t.next, t.literal));
            state.transitions.dedup();
        }
        RegexNfa { states }
    }

    /// Whether the pattern matches all of `input`.
    pub fn matches(&self, input: &[u8]) -> bool {
        self.simulate(input, |_, _| true)
    }

    /// Runs the NFA on `input`, following only the transitions `allowed`
    /// (given the position and the transition); whether it accepts.
    pub(crate) fn simulate(
        &self,
        input: &[u8],
        allowed: impl Fn(usize, &RegexTransition) -> bool,
    ) -> bool {
        let mut in_next = vec![false; self.states.len()];
        let mut current: Vec<u32> = vec![0];
        for (at, &byte) in input.iter().enumerate() {
            let mut next: Vec<u32> = Vec::new();
            for &state in &current {
                for t in &self.states[state as usize].transitions {
                    if t.lo <= byte && byte <= t.hi && !in_next[t.next as usize] && allowed(at, t) {
                        in_next[t.next as usize] = true;
                        next.push(t.next);
                    }
                }
            }
            for &state in &next {
                in_next[state as usize] = false;
            }
            if next.is_empty() {
                return false;
            }
            current = next;
        }
        current.iter().any(|&s| self.states[s as usize].accept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nfa(pattern: &str) -> RegexNfa {
        compile(pattern).unwrap_or_else(|e| panic!("{pattern}: {e:?}"))
    }

    #[test]
    fn matches_whole_origins_only() {
        let n = nfa(r"^https://pr-[0-9]+\.preview\.example\.com$");
        assert!(n.matches(b"https://pr-12.preview.example.com"));
        assert!(!n.matches(b"https://pr-.preview.example.com"));
        assert!(!n.matches(b"https://pr-1.preview.example.com.evil.net"));
        assert!(!n.matches(b"xhttps://pr-1.preview.example.com"));
        let unanchored = nfa(r"https://a\.example\.com");
        assert!(unanchored.matches(b"https://a.example.com"));
        assert!(!unanchored.matches(b"https://a.example.com.evil.net"));
    }

    #[test]
    fn reversed_matches_the_reversed_strings() {
        let n = nfa(r"^https://([a-z0-9-]+\.)*app[0-9]?\.example\.com(:[0-9]{1,5})?$");
        let r = n.reversed();
        for origin in [
            "https://app.example.com",
            "https://a.b.app7.example.com:8443",
            "https://app.example.com:",
            "https://.app.example.com",
            "http://app.example.com",
            "",
        ] {
            let backwards: Vec<u8> = origin.bytes().rev().collect();
            assert_eq!(
                n.matches(origin.as_bytes()),
                r.matches(&backwards),
                "{origin}"
            );
        }
        let empty = nfa(r"(a)?");
        assert!(empty.reversed().matches(b""));
        assert!(empty.reversed().matches(b"a"));
        assert!(!empty.reversed().matches(b"aa"));
    }

    #[test]
    fn rejects_what_an_automaton_cannot_run() {
        for pattern in [
            r"(a)\1", r"a(?=b)", r"a(?!b)", r"(?<=a)b", r"\bhttps", r"a^b", r"a$b", r"a{1000}",
        ] {
            assert!(
                matches!(compile(pattern), Err(RegexError::Syntax(_))),
                "{pattern}"
            );
        }
    }
}
