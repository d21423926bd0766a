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

use std::collections::VecDeque;

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Most states a regex's automaton may have: far more than any origin
/// pattern needs, few enough to keep compile time and tables small.
pub const MAX_REGEX_STATES: usize = 4096;
/// [`DomainNode::http`] once the scheme is known not to be `http`.
const NOT_HTTP: u8 = 5;
/// The longest host a browser serializes.
const MAX_HOST_LEN: usize = 253;
/// Most transitions of a regex's epsilon-free NFA.
pub const MAX_NFA_TRANSITIONS: usize = 1 << 14;
/// Largest bound of a counted repetition (`{n}`, `{n,m}`).
pub const MAX_REPEAT: u32 = 255;
/// Most search steps (transitions followed) the safety analysis takes
/// before giving up and refusing the pattern as too complex to prove safe.
/// Real origin patterns need a few thousand.
const MAX_SEARCH_STEPS: usize = 500_000;

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
    /// Whether the pattern matches all of `input`.
    pub fn matches(&self, input: &[u8]) -> bool {
        self.simulate(input, |_, _| true)
    }

    /// Runs the NFA on `input`, following only the transitions `allowed`
    /// (given the position and the transition); whether it accepts.
    fn simulate(&self, input: &[u8], allowed: impl Fn(usize, &RegexTransition) -> bool) -> bool {
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

// ---- safety analysis ------------------------------------------------------

/// What the safety analysis found wrong with a pattern, each with the
/// shortest origin (or string) that shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The pattern matches a string no browser sends as an `Origin`.
    NotAnOrigin {
        /// The string.
        example: String,
        /// What is wrong with it.
        why: NotAnOriginWhy,
    },
    /// The pattern matches an origin whose registrable domain it does not
    /// spell out literally.
    OutsideDomain {
        /// The origin.
        example: String,
        /// Its registrable domain (or, for an address or a one-label host,
        /// the host).
        domain: String,
    },
    /// The pattern matches an `http://` origin that is not loopback while
    /// the policy has credentials.
    InsecureWithCredentials {
        /// The origin.
        example: String,
    },
    /// The search needed more than its budget of steps: the pattern is too
    /// complex to prove safe.
    TooComplex,
}

/// Why a string matched by a pattern is not a serialized origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAnOriginWhy {
    /// It has an upper-case letter (browsers lower-case scheme and host).
    UpperCase,
    /// It continues after the host with a path, query or fragment.
    Path,
    /// It has a userinfo (`user@`).
    Userinfo,
    /// It is the empty string.
    Empty,
    /// It is `null`, which is written as the literal `null` origin.
    Null,
    /// Its host has an empty label (`https://.example.com`, `a..b`).
    EmptyLabel,
    /// Anything else: a character browsers never serialize, an empty label,
    /// a missing `scheme://`.
    Malformed,
}

/// Which of the policy's settings the analysis needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnalysisContext {
    /// `credentials on`.
    pub credentials: bool,
    /// `allow-insecure-origins on`.
    pub allow_insecure_origins: bool,
}

/// Where a serialized origin's grammar is: `scheme "://" host [":" port]`,
/// host a dotted name of non-empty labels or `[IPv6]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Grammar {
    SchemeFirst,
    Scheme,
    Colon,
    Slash,
    HostStart,
    Label,
    LabelStart,
    Ipv6,
    Ipv6End,
    PortStart,
    Port,
}

impl Grammar {
    fn step(self, byte: u8) -> Option<Grammar> {
        let label = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
        use Grammar::*;
        Some(match (self, byte) {
            (SchemeFirst, b'a'..=b'z') => Scheme,
            (Scheme, b) if b.is_ascii_lowercase() || b.is_ascii_digit() || b"+.-".contains(&b) => {
                Scheme
            }
            (Scheme, b':') => Colon,
            (Colon, b'/') => Slash,
            (Slash, b'/') => HostStart,
            (HostStart, b'[') => Ipv6,
            (HostStart | Label | LabelStart, b) if label(b) => Label,
            (Label, b'.') => LabelStart,
            (Label | Ipv6End, b':') => PortStart,
            (Ipv6, b) if b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b":.".contains(&b) => {
                Ipv6
            }
            (Ipv6, b']') => Ipv6End,
            (PortStart | Port, b'0'..=b'9') => Port,
            _ => return None,
        })
    }

    fn accepts(self) -> bool {
        matches!(self, Grammar::Label | Grammar::Ipv6End | Grammar::Port)
    }

    fn in_host(self) -> bool {
        matches!(
            self,
            Grammar::HostStart
                | Grammar::Label
                | Grammar::LabelStart
                | Grammar::Ipv6
                | Grammar::Ipv6End
        )
    }

    fn in_scheme(self) -> bool {
        matches!(self, Grammar::SchemeFirst | Grammar::Scheme)
    }
}

/// The bytes some literal transition of the NFA matches.
fn literal_bytes(nfa: &RegexNfa) -> [bool; 256] {
    let mut literal = [false; 256];
    for t in nfa.states.iter().flat_map(|state| &state.transitions) {
        if t.literal {
            for byte in t.lo..=t.hi {
                literal[byte as usize] = true;
            }
        }
    }
    literal
}

/// One byte per byte class of the NFA (bytes no transition tells apart, so
/// one stands for all of its class in a search), in the order a
/// breadth-first search should try them.
///
/// With `avoid_literals`, where a class allows, its byte is one no literal
/// of the pattern uses: a counterexample spelled with it cannot be mistaken
/// for a literal spelling of another branch. Then the most readable first (lower case, digits),
/// control and non-ASCII bytes last, so equally short examples read like
/// real origins.
fn representatives(nfa: &RegexNfa, avoid_literals: bool) -> Vec<u8> {
    let literal = if avoid_literals {
        literal_bytes(nfa)
    } else {
        [false; 256]
    };
    let mut boundaries = [false; 257];
    boundaries[0] = true;
    boundaries[256] = true;
    for t in nfa.states.iter().flat_map(|state| &state.transitions) {
        boundaries[t.lo as usize] = true;
        boundaries[t.hi as usize + 1] = true;
    }
    // The grammar's own distinctions: every byte it treats specially.
    for byte in b"azAZ09:/[].@?#+-_afgz" {
        boundaries[*byte as usize] = true;
        boundaries[*byte as usize + 1] = true;
    }
    let readability = |byte: u8| match byte {
        b'x' => 0,
        b'a'..=b'z' => 1,
        b'0'..=b'9' => 2,
        b'-' | b'.' => 3,
        b'A'..=b'Z' => 4,
        b'/' | b'@' => 5,
        0x21..=0x7E => 6,
        _ => 7,
    };
    let mut bytes = Vec::new();
    let mut lo = 0usize;
    for (hi, &boundary) in boundaries.iter().enumerate().skip(1) {
        if boundary {
            let class = lo as u8..=(hi - 1) as u8;
            let best = class
                .clone()
                .min_by_key(|&byte| (literal[byte as usize], readability(byte)))
                .unwrap_or(lo as u8);
            bytes.push(best);
            lo = hi;
        }
    }
    bytes.sort_by_key(|&byte| (literal[byte as usize], readability(byte)));
    bytes
}

/// The transitions of `state` on `byte`.
fn targets(nfa: &RegexNfa, state: u32, byte: u8) -> impl Iterator<Item = &RegexTransition> {
    nfa.states[state as usize]
        .transitions
        .iter()
        .filter(move |t| t.lo <= byte && byte <= t.hi)
}

/// Checks a compiled pattern; an empty list means it is safe.
///
/// The rules, in order:
///
/// 1. Every string the pattern matches is a serialized origin:
///    `scheme://host[:port]` in lower case, with no path, query, fragment
///    or userinfo, and a host of non-empty labels or an `[IPv6]` address.
/// 2. Every origin it matches has a host whose *registrable domain* (the
///    public suffix plus one label, per the Public Suffix List; for an IP
///    address or a one-label host such as `localhost`, the whole host) is
///    written out literally in the pattern: each of its characters is
///    matched by a literal character of the pattern (or a one-character
///    class such as `[.]`), never by a class, `.`, or a case-insensitive
///    letter. Labels in front of it may be anything.
/// 3. With `credentials on` and without `allow-insecure-origins on`, it
///    matches no `http://` origin other than loopback ones.
pub fn analyse(nfa: &RegexNfa, context: AnalysisContext) -> Vec<Finding> {
    let mut findings = find_unsafe_origins(nfa, context);
    findings.extend(find_non_origin(nfa));
    // Either search may give up; one "too complex" says it.
    if findings.contains(&Finding::TooComplex) {
        return vec![Finding::TooComplex];
    }
    findings
}

/// Breadth-first search for the shortest string the pattern matches that is
/// not a serialized origin.
fn find_non_origin(nfa: &RegexNfa) -> Option<Finding> {
    if nfa.states[0].accept {
        return Some(Finding::NotAnOrigin {
            example: String::new(),
            why: NotAnOriginWhy::Empty,
        });
    }
    let representatives = representatives(nfa, false);
    // Nodes: (NFA state, grammar position or None once outside the grammar).
    type Node = (u32, Option<Grammar>);
    let mut parents: Vec<(usize, u8)> = vec![(usize::MAX, 0)];
    let mut nodes: Vec<Node> = vec![(0, Some(Grammar::SchemeFirst))];
    let mut seen: HashSet<Node> = HashSet::default();
    seen.insert(nodes[0]);
    let mut queue = VecDeque::from([0usize]);
    let mut steps = 0usize;
    while let Some(index) = queue.pop_front() {
        let (state, grammar) = nodes[index];
        let accepting = nfa.states[state as usize].accept;
        if accepting && !grammar.is_some_and(Grammar::accepts) {
            let example = spell(&parents, index);
            let why = classify_non_origin(&example);
            return Some(Finding::NotAnOrigin {
                example: String::from_utf8_lossy(&example).into_owned(),
                why,
            });
        }
        for &byte in &representatives {
            let next_grammar = grammar.and_then(|g| g.step(byte));
            for t in targets(nfa, state, byte) {
                steps += 1;
                if steps > MAX_SEARCH_STEPS {
                    return Some(Finding::TooComplex);
                }
                let node = (t.next, next_grammar);
                if seen.insert(node) {
                    nodes.push(node);
                    parents.push((index, byte));
                    queue.push_back(nodes.len() - 1);
                }
            }
        }
    }
    None
}

/// The bytes on the search path to node `index`.
fn spell(parents: &[(usize, u8)], mut index: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    while index != 0 {
        let (parent, byte) = parents[index];
        bytes.push(byte);
        index = parent;
    }
    bytes.reverse();
    bytes
}

fn classify_non_origin(example: &[u8]) -> NotAnOriginWhy {
    if example.is_empty() {
        return NotAnOriginWhy::Empty;
    }
    if example == b"null" {
        return NotAnOriginWhy::Null;
    }
    if example.iter().any(u8::is_ascii_uppercase) {
        return NotAnOriginWhy::UpperCase;
    }
    let authority = match example.windows(3).position(|w| w == b"://") {
        Some(at) => &example[at + 3..],
        None => return NotAnOriginWhy::Malformed,
    };
    if authority.contains(&b'@') {
        return NotAnOriginWhy::Userinfo;
    }
    if authority.iter().any(|b| b"/?#".contains(b)) {
        return NotAnOriginWhy::Path;
    }
    let host = host_of(example);
    if host.starts_with('.') || host.ends_with('.') || host.contains("..") {
        return NotAnOriginWhy::EmptyLabel;
    }
    NotAnOriginWhy::Malformed
}

/// A node of the registrable-domain search: where the pattern and the
/// grammar are, the scheme, and what is known of the host: the literal
/// characters since the last non-literal one (`suffix`), whether there was
/// a non-literal one (`open`), and whether that one was a `.`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct DomainNode {
    state: u32,
    grammar: Grammar,
    /// How much of the scheme is `http`: 0..=4 bytes of it so far, or
    /// [`NOT_HTTP`]. Only `http` matters, and tracking just that keeps a
    /// scheme written as a class (`[a-z]+://`) from multiplying the nodes.
    http: u8,
    suffix: Vec<u8>,
    open: bool,
    open_at_dot: bool,
}

/// Breadth-first search, over well-formed origins only, for the shortest
/// origin breaking rule 2 or 3 of [`analyse`]. A candidate whose host
/// another path of the pattern spells out literally is not a finding.
fn find_unsafe_origins(nfa: &RegexNfa, context: AnalysisContext) -> Vec<Finding> {
    let representatives = representatives(nfa, true);
    let start = DomainNode {
        state: 0,
        grammar: Grammar::SchemeFirst,
        http: 0,
        suffix: Vec::new(),
        open: false,
        open_at_dot: false,
    };
    let mut parents: Vec<(usize, u8)> = vec![(usize::MAX, 0)];
    let mut nodes = vec![start.clone()];
    let mut seen: HashSet<DomainNode> = HashSet::default();
    seen.insert(start);
    let mut queue = VecDeque::from([0usize]);
    let (mut outside, mut insecure) = (None, None);
    let mut steps = 0usize;
    while let Some(index) = queue.pop_front() {
        if outside.is_some() && (insecure.is_some() || !context.credentials) {
            break;
        }
        let node = nodes[index].clone();
        if nfa.states[node.state as usize].accept && node.grammar.accepts() {
            let example = spell(&parents, index);
            if outside.is_none() && unspelled(&node) && !literally_spelled(nfa, &example) {
                let telling = more_telling(nfa, example.clone());
                let host = host_of(&telling);
                let domain = registrable_domain(&host).unwrap_or(&host).to_string();
                outside = Some(Finding::OutsideDomain {
                    example: String::from_utf8_lossy(&telling).into_owned(),
                    domain,
                });
            }
            if insecure.is_none()
                && context.credentials
                && !context.allow_insecure_origins
                && node.http == 4
                && (node.open || !is_loopback_host(&node.suffix))
            {
                insecure = Some(Finding::InsecureWithCredentials {
                    example: String::from_utf8_lossy(&example).into_owned(),
                });
            }
        }
        for &byte in &representatives {
            let Some(grammar) = node.grammar.step(byte) else {
                continue;
            };
            for t in targets(nfa, node.state, byte) {
                steps += 1;
                if steps > MAX_SEARCH_STEPS {
                    return vec![Finding::TooComplex];
                }
                let mut next = node.clone();
                next.state = t.next;
                next.grammar = grammar;
                if node.grammar.in_scheme() && grammar.in_scheme() {
                    next.http = match b"http".get(usize::from(node.http)) {
                        Some(&expected) if expected == byte => node.http + 1,
                        _ => NOT_HTTP,
                    };
                }
                // Host characters: from the first after `//` to the last
                // before `:port` (or the end).
                if node.grammar.in_host() && grammar.in_host() {
                    if t.literal {
                        // No host is longer (and the search must end).
                        if next.suffix.len() >= MAX_HOST_LEN {
                            continue;
                        }
                        next.suffix.push(byte);
                    } else {
                        next.suffix.clear();
                        next.open = true;
                        next.open_at_dot = byte == b'.';
                    }
                }
                if seen.insert(next.clone()) {
                    nodes.push(next);
                    parents.push((index, byte));
                    queue.push_back(nodes.len() - 1);
                }
            }
        }
    }
    outside.into_iter().chain(insecure).collect()
}

/// For an accepted origin: whether part of its registrable domain was
/// matched by something other than a literal.
fn unspelled(node: &DomainNode) -> bool {
    if !node.open {
        return false;
    }
    let suffix = String::from_utf8_lossy(&node.suffix).into_owned();
    // The complete labels written literally at the end of the host.
    let literal_labels = if node.open_at_dot {
        suffix.as_str()
    } else {
        suffix.split_once('.').map_or("", |(_, rest)| rest)
    };
    literal_labels.is_empty()
        || literal_labels.starts_with('[')
        || literal_labels.ends_with(']')
        || is_public_suffix_or_unknown(literal_labels)
        || literal_labels
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
}

/// The same kind of counterexample, made to read like an attack: a byte of
/// the host that no literal uses replaced by `.evil.net` or `evil` when the
/// pattern still matches the result and still does not spell its domain.
fn more_telling(nfa: &RegexNfa, example: Vec<u8>) -> Vec<u8> {
    let host_start = example
        .windows(3)
        .position(|w| w == b"://")
        .map_or(example.len(), |at| at + 3);
    let host_end = host_start + host_of(&example).len();
    let literal = literal_bytes(nfa);
    for insert in [&b".evil.net"[..], b"evil"] {
        // Only bytes no literal uses: they came from a class or `.`.
        for at in (host_start..host_end).filter(|&at| !literal[example[at] as usize]) {
            let mut candidate = example[..at].to_vec();
            candidate.extend_from_slice(insert);
            candidate.extend_from_slice(&example[at + 1..]);
            let well_formed = candidate
                .iter()
                .try_fold(Grammar::SchemeFirst, |g, &b| g.step(b))
                .is_some_and(Grammar::accepts);
            if well_formed && nfa.matches(&candidate) && !literally_spelled(nfa, &candidate) {
                return candidate;
            }
        }
    }
    example
}

/// The host of a well-formed origin.
fn host_of(origin: &[u8]) -> String {
    let Some(start) = origin.windows(3).position(|w| w == b"://").map(|at| at + 3) else {
        return String::new();
    };
    let end = if origin.get(start) == Some(&b'[') {
        origin[start..]
            .iter()
            .position(|&b| b == b']')
            .map_or(origin.len(), |at| start + at + 1)
    } else {
        origin[start..]
            .iter()
            .position(|&b| b == b':')
            .map_or(origin.len(), |at| start + at)
    };
    String::from_utf8_lossy(&origin[start..end]).into_owned()
}

/// Whether `domain` is itself a public suffix, counting names under a TLD
/// the list does not know (which anyone might come to register under).
fn is_public_suffix_or_unknown(domain: &str) -> bool {
    psl::suffix(domain.as_bytes()).is_none_or(|suffix| suffix.as_bytes() == domain.as_bytes())
}

/// Loopback hosts: `localhost` and its subdomains, 127.0.0.0/8, `[::1]`.
fn is_loopback_host(host: &[u8]) -> bool {
    host == b"localhost"
        || host.ends_with(b".localhost")
        || host == b"[::1]"
        || (host.starts_with(b"127.")
            && host.iter().all(|b| b.is_ascii_digit() || *b == b'.')
            && host.split(|&b| b == b'.').count() == 4)
}

/// Whether some accepting path of the pattern matches `origin` with every
/// character of its host's registrable domain matched literally.
fn literally_spelled(nfa: &RegexNfa, origin: &[u8]) -> bool {
    let host = host_of(origin);
    let Some(host_start) = origin.windows(3).position(|w| w == b"://").map(|at| at + 3) else {
        return false;
    };
    let host_end = host_start + host.len();
    let domain_len = registrable_domain(&host).map_or(host.len(), str::len);
    let must_be_literal = host_end - domain_len..host_end;
    // Only literal transitions may match the domain's characters.
    nfa.simulate(origin, |at, t| t.literal || !must_be_literal.contains(&at))
}

/// The registrable domain of a DNS host, `None` for addresses and hosts
/// that are themselves public suffixes.
fn registrable_domain(host: &str) -> Option<&str> {
    if host.starts_with('[') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let domain = psl::domain(host.as_bytes())?;
    let len = domain.as_bytes().len();
    host.get(host.len() - len..)
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
