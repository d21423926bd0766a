//! The safety analysis of a regex origin pattern, decided on its automaton.
//!
//! Each rule is a question about the pattern's *language*: a breadth-first
//! search runs the pattern's NFA side by side with small deterministic
//! trackers (the origin grammar, "is the scheme `http`", "is the host
//! loopback", "which host characters were written literally") over one
//! representative byte per class of bytes that none of them tells apart,
//! so the search covers every string the pattern matches, and the first
//! violation it meets is the shortest counterexample. Every search counts
//! its steps against a budget given by the caller, so the answer does not
//! depend on the machine.

use std::collections::{BTreeSet, VecDeque};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::loopback::{self, Loopback};
use super::{RegexNfa, RegexTransition};
use crate::public_suffix;

/// [`DomainNode::http`] once the scheme is known not to be `http`.
const NOT_HTTP: u8 = 5;
/// Labels of a host's literal tail the search keeps. A registrable domain
/// never has more labels than the Public Suffix List's deepest rule plus
/// one, and no rule lies at or below a domain deeper than every rule, so
/// labels further left never change an answer (a test checks the list's
/// depth against this bound). Keeping them would make a literal loop such
/// as `(ab\.)*` an unbounded search.
pub(crate) const TAIL_LABELS: usize = 8;
/// Most search steps (transitions followed) the analysis of one pattern
/// may take; a pattern that needs more is refused as too complex to prove
/// safe. Real origin patterns need a few hundred to a few thousand.
pub const MAX_PATTERN_STEPS: usize = 500_000;
/// Most steps of the search for the domains a pattern spells out (see
/// [`several_domains`]), within the pattern's budget.
const DOMAIN_SEARCH_STEPS: usize = 100_000;
/// Most registrable domains a pattern may spell out.
pub const MAX_DOMAINS: usize = 16;

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
        /// The public suffix of the origin's host, when it lies below the
        /// labels the pattern spells out (`s3.amazonaws.com` for
        /// `[a-z]+\.amazonaws\.com`) and that is why.
        suffix_below: Option<String>,
    },
    /// The pattern matches an `http://` origin that is not loopback while
    /// the policy has credentials.
    InsecureWithCredentials {
        /// The origin.
        example: String,
    },
    /// The pattern matches hosts of several registrable domains that differ
    /// by one letter (`example\.com?` matches `example.co` too): a warning.
    SeveralDomains {
        /// Every registrable domain it matches.
        domains: Vec<String>,
    },
    /// The pattern spells out more registrable domains than a pattern may
    /// (`(e|v|i|l){4}\.com`, 256 of them, `evil.com` among them).
    TooManyDomains {
        /// The first of them.
        domains: Vec<String>,
    },
    /// The search needed more than its budget of steps: the pattern is too
    /// complex to prove safe.
    TooComplex,
}

impl Finding {
    /// Whether the finding makes the pattern unusable (all but
    /// [`Finding::SeveralDomains`], which is a warning).
    pub fn is_error(&self) -> bool {
        !matches!(self, Finding::SeveralDomains { .. })
    }
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

/// Which of the policy's settings the analysis needs, and its budget.
#[derive(Clone, Copy, Debug)]
pub struct AnalysisContext {
    /// `credentials on`.
    pub credentials: bool,
    /// `allow-insecure-origins on`.
    pub allow_insecure_origins: bool,
    /// Most search steps the analysis may take (see [`MAX_PATTERN_STEPS`]).
    pub max_steps: usize,
}

impl Default for AnalysisContext {
    fn default() -> Self {
        AnalysisContext {
            credentials: false,
            allow_insecure_origins: false,
            max_steps: MAX_PATTERN_STEPS,
        }
    }
}

/// The result of [`analyse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    /// What is wrong; no error among them means the pattern is safe.
    pub findings: Vec<Finding>,
    /// Search steps taken, to charge to a budget shared by many patterns.
    pub steps: usize,
}

/// Counts search steps against a budget.
struct Steps {
    taken: usize,
    max: usize,
}

impl Steps {
    /// Takes one step; `false` once over budget.
    fn take(&mut self) -> bool {
        self.take_many(1)
    }

    /// Takes `count` steps; `false` once over budget.
    fn take_many(&mut self, count: usize) -> bool {
        self.taken = self.taken.saturating_add(count);
        self.taken <= self.max
    }

    /// Charges the bytes `tails` copied since the last call, one step each.
    fn charge_copies(&mut self, tails: &mut Tails) -> bool {
        let copied = std::mem::take(&mut tails.copied);
        self.take_many(copied)
    }
}

/// Checks a compiled pattern.
///
/// The rules, in order:
///
/// 1. Every string the pattern matches is a serialized origin:
///    `scheme://host[:port]` in lower case, with no path, query, fragment
///    or userinfo, and a host of non-empty labels or an `[IPv6]` address.
/// 2. Every origin it matches has a host whose *registrable domain* (the
///    public suffix plus one label, per the whole Public Suffix List; for an
///    IP address or a one-label host such as `localhost`, the whole host) is
///    written out literally in the pattern: each of its characters is
///    matched by a literal character of the pattern (or a one-character
///    class such as `[.]`), never by a class, `.`, or a case-insensitive
///    letter. Labels in front of it may be anything, unless the literal
///    labels have a public suffix at or below them (`[a-z]+\.amazonaws\.com`
///    also matches `evil.s3.amazonaws.com`, under the suffix
///    `s3.amazonaws.com`), which the pattern would then not spell out.
/// 3. With `credentials on` and without `allow-insecure-origins on`, it
///    matches no `http://` origin other than loopback ones (`localhost`,
///    names under `.localhost`, `127.x.y.z`, `[::1]`), whatever the
///    spelling of the scheme (`[a-z]+://` matches `http://`).
/// 4. A warning: the origins it matches do not have several registrable
///    domains that differ by one letter (`example\.com?`).
pub fn analyse(nfa: &RegexNfa, context: AnalysisContext) -> Analysis {
    let nfa = &without_looping_literals(nfa);
    let mut steps = Steps {
        taken: 0,
        max: context.max_steps,
    };
    let mut findings = find_unsafe_origins(nfa, context, &mut steps);
    findings.extend(find_non_origin(nfa, &mut steps));
    if findings.is_empty() {
        findings.extend(several_domains(nfa, &mut steps));
    }
    // Either search may give up; one "too complex" says it.
    if findings.contains(&Finding::TooComplex) {
        findings = vec![Finding::TooComplex];
    }
    Analysis {
        findings,
        steps: steps.taken.min(steps.max),
    }
}

/// `nfa` with the transitions that lie on a cycle no longer literal: a
/// literal under `*`, `+` or an open `{n,}` spells any number of copies,
/// not one domain (`(e|v|i|l|ll)+\.com` matches `evil.com`). A transition
/// lies on a cycle when its target reaches its source: both are in one
/// strongly connected component.
fn without_looping_literals(nfa: &RegexNfa) -> RegexNfa {
    let component = strongly_connected_components(nfa);
    let mut out = nfa.clone();
    for (from, state) in out.states.iter_mut().enumerate() {
        for t in &mut state.transitions {
            if component[from] == component[t.next as usize] {
                t.literal = false;
            }
        }
    }
    out
}

/// The strongly connected component of each state (Kosaraju, iterative).
fn strongly_connected_components(nfa: &RegexNfa) -> Vec<u32> {
    let count = nfa.states.len();
    let mut reverse: Vec<Vec<u32>> = vec![Vec::new(); count];
    for (from, state) in nfa.states.iter().enumerate() {
        for t in &state.transitions {
            reverse[t.next as usize].push(from as u32);
        }
    }
    // Finishing order of a depth-first search of the automaton.
    let mut order = Vec::with_capacity(count);
    let mut visited = vec![false; count];
    for root in 0..count {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some((state, edge)) = stack.last_mut() {
            let transitions = &nfa.states[*state].transitions;
            if let Some(t) = transitions.get(*edge) {
                *edge += 1;
                let next = t.next as usize;
                if !visited[next] {
                    visited[next] = true;
                    stack.push((next, 0));
                }
            } else {
                order.push(*state);
                stack.pop();
            }
        }
    }
    // Components of the reversed automaton, in reverse finishing order.
    const NONE: u32 = u32::MAX;
    let mut component = vec![NONE; count];
    let mut next_component = 0;
    for &root in order.iter().rev() {
        if component[root] != NONE {
            continue;
        }
        component[root] = next_component;
        let mut stack = vec![root];
        while let Some(state) = stack.pop() {
            for &from in &reverse[state] {
                if component[from as usize] == NONE {
                    component[from as usize] = next_component;
                    stack.push(from as usize);
                }
            }
        }
        next_component += 1;
    }
    component
}

/// Breadth-first search for the shortest string the pattern matches that is
/// not a serialized origin.
fn find_non_origin(nfa: &RegexNfa, steps: &mut Steps) -> Option<Finding> {
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
                if !steps.take() {
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

/// The literal tails of hosts met by the search, interned so that a search
/// node is a few words: the literal characters since the last non-literal
/// one, cut to the last [`TAIL_LABELS`] labels, with every label that is
/// not a label of some rule of the Public Suffix List (and every label
/// start that begins none) written [`OTHER_LABEL`]. The list treats all
/// such labels alike, so the answers are the same; without this, a literal
/// loop such as `(a|b)+\.` would make a tail per string it spells.
struct Tails {
    /// Bytes copied making new tails: work the searches charge to their
    /// budget (a tail can be a few hundred bytes).
    copied: usize,
    texts: Vec<Vec<u8>>,
    ids: HashMap<Vec<u8>, u32>,
    pushes: HashMap<(u32, u8), (u32, bool)>,
    /// Whether labels no rule has are written [`OTHER_LABEL`]; the search
    /// for the domains a pattern spells out keeps them.
    abstract_labels: bool,
}

/// Stands for a label no rule of the list has (it is not a DNS label, so no
/// rule can have it either).
const OTHER_LABEL: &[u8] = b"#";
/// [`OTHER_LABEL`] for a label of digits only, which decides whether a host
/// is an IPv4 address.
const NUMBER_LABEL: &[u8] = b"%";

impl Tails {
    /// The empty tail is id 0.
    fn new(abstract_labels: bool) -> Self {
        let mut tails = Tails {
            copied: 0,
            texts: Vec::new(),
            ids: HashMap::default(),
            pushes: HashMap::default(),
            abstract_labels,
        };
        tails.intern(Vec::new());
        tails
    }

    fn intern(&mut self, text: Vec<u8>) -> u32 {
        if let Some(&id) = self.ids.get(&text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.clone());
        self.ids.insert(text, id);
        id
    }

    /// The tail `id` followed by `byte`, and whether labels were cut off
    /// its front (it then starts at a label boundary).
    fn push(&mut self, id: u32, byte: u8) -> (u32, bool) {
        if let Some(&pushed) = self.pushes.get(&(id, byte)) {
            return pushed;
        }
        let mut text = self.texts[id as usize].clone();
        let label_start = text
            .iter()
            .rposition(|&b| b == b'.')
            .map_or(0, |dot| dot + 1);
        let abstracted = matches!(&text[label_start..], b"#" | b"%");
        if !abstracted || byte == b'.' {
            text.push(byte);
        }
        if self.abstract_labels && byte != b'.' {
            let label = &text[label_start..];
            // `localhost` is kept too: names under it are loopback.
            let known = !abstracted
                && (b"localhost".starts_with(label)
                    || std::str::from_utf8(label).is_ok_and(public_suffix::is_label_prefix));
            if !known {
                // Digits stay told apart: an all-digit host is an address.
                let digits = (label == NUMBER_LABEL || label.iter().all(u8::is_ascii_digit))
                    && byte.is_ascii_digit();
                text.truncate(label_start);
                text.extend_from_slice(if digits { NUMBER_LABEL } else { OTHER_LABEL });
            }
        }
        let mut cut = false;
        if text.iter().filter(|&&b| b == b'.').count() > TAIL_LABELS {
            let first_dot = text.iter().position(|&b| b == b'.').unwrap_or(0);
            text.drain(..=first_dot);
            cut = true;
        }
        self.copied += 2 * text.len();
        let pushed = (self.intern(text), cut);
        self.pushes.insert((id, byte), pushed);
        pushed
    }

    fn text(&self, id: u32) -> &str {
        std::str::from_utf8(&self.texts[id as usize]).unwrap_or("")
    }
}

/// A node of the registrable-domain search: where the pattern and the
/// grammar are, the scheme, whether the host is loopback so far, and what
/// is known of the host's spelling: the literal characters since the last
/// non-literal one (`tail`), whether there was a non-literal one (`open`),
/// and whether `tail` starts at a label boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct DomainNode {
    state: u32,
    grammar: Grammar,
    /// How much of the scheme is `http`: 0..=4 bytes of it so far, or
    /// [`NOT_HTTP`]. Only `http` matters, and tracking just that keeps a
    /// scheme written as a class (`[a-z]+://`) from multiplying the nodes.
    http: u8,
    /// Only run for `http` origins (the only ones it matters for).
    loopback: Loopback,
    tail: u32,
    open: bool,
    at_label_start: bool,
}

impl DomainNode {
    /// Before the first byte: the pattern's start, nothing of the host.
    const START: DomainNode = DomainNode {
        state: 0,
        grammar: Grammar::SchemeFirst,
        http: 0,
        loopback: Loopback::START,
        tail: 0,
        open: false,
        at_label_start: false,
    };

    /// Takes one host byte into the spelling: a literal one extends the
    /// tail, any other starts it again.
    fn read_host_byte(&mut self, tails: &mut Tails, byte: u8, literal: bool) {
        if literal {
            let (tail, cut) = tails.push(self.tail, byte);
            self.tail = tail;
            self.at_label_start |= cut;
        } else {
            self.tail = 0;
            self.open = true;
            self.at_label_start = byte == b'.';
        }
    }

    /// The complete labels written literally at the end of the host (all
    /// of it when every character was literal).
    fn literal_labels<'t>(&self, tails: &'t Tails) -> &'t str {
        let tail = tails.text(self.tail);
        if !self.open || self.at_label_start {
            tail
        } else {
            tail.split_once('.').map_or("", |(_, rest)| rest)
        }
    }
}

/// How an accepted origin's host is spelled.
enum Spelling {
    /// Its registrable domain (or whole host) is written literally.
    Spelled,
    /// It is not, or, with the literal labels, it may not be: they have a
    /// public suffix at or below them, under which the host may lie.
    Unspelled(Option<(public_suffix::SuffixBelow, String)>),
}

/// Breadth-first search, over well-formed origins only, for the shortest
/// origins breaking rules 2 and 3 of [`analyse`]. Each node is one path of
/// the pattern: a path that does not spell out its origin's domain is a
/// finding, whatever other paths spell.
fn find_unsafe_origins(
    nfa: &RegexNfa,
    context: AnalysisContext,
    steps: &mut Steps,
) -> Vec<Finding> {
    let representatives = representatives(nfa, true);
    let mut tails = Tails::new(true);
    let start = DomainNode::START;
    let mut parents: Vec<(usize, u8)> = vec![(usize::MAX, 0)];
    let mut nodes = vec![start];
    let mut seen: HashSet<DomainNode> = HashSet::default();
    seen.insert(start);
    let mut queue = VecDeque::from([0usize]);
    let (mut outside, mut insecure) = (None, None);
    // Literal labels with suffixes below them, searched once each.
    let mut searched: HashSet<String> = HashSet::default();
    while let Some(index) = queue.pop_front() {
        if outside.is_some() && (insecure.is_some() || !context.credentials) {
            break;
        }
        let node = nodes[index];
        if nfa.states[node.state as usize].accept && node.grammar.accepts() {
            match spelling(&node, &tails) {
                Spelling::Spelled => {}
                Spelling::Unspelled(None) if outside.is_none() => {
                    outside = outside_domain(nfa, spell(&parents, index));
                }
                Spelling::Unspelled(Some((below, labels))) if outside.is_none() => {
                    if searched.insert(labels.clone()) {
                        let example = spell(&parents, index);
                        match under_suffix_below(nfa, &example, &below, &labels, steps) {
                            Ok(found) => outside = found,
                            Err(TooComplex) => return vec![Finding::TooComplex],
                        }
                    }
                }
                Spelling::Unspelled(_) => {}
            }
            if insecure.is_none()
                && context.credentials
                && !context.allow_insecure_origins
                && node.http == 4
                && !node.loopback.accepts()
            {
                insecure = Some(Finding::InsecureWithCredentials {
                    example: String::from_utf8_lossy(&spell(&parents, index)).into_owned(),
                });
            }
        }
        for &byte in &representatives {
            let Some(grammar) = node.grammar.step(byte) else {
                continue;
            };
            for t in targets(nfa, node.state, byte) {
                if !steps.take() {
                    return vec![Finding::TooComplex];
                }
                let mut next = node;
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
                    if node.http == 4 {
                        next.loopback = node.loopback.step(byte);
                    }
                    next.read_host_byte(&mut tails, byte, t.literal);
                    if !steps.charge_copies(&mut tails) {
                        return vec![Finding::TooComplex];
                    }
                }
                if seen.insert(next) {
                    nodes.push(next);
                    parents.push((index, byte));
                    queue.push_back(nodes.len() - 1);
                }
            }
        }
    }
    outside.into_iter().chain(insecure).collect()
}

/// Rules 2 (the end) and 4 of [`analyse`], for a pattern that passed the
/// rest of rule 2: the registrable domains it spells out, from a search
/// that keeps the literal labels as written. More than [`MAX_DOMAINS`]
/// (`(e|v|i|l){4}\.com` spells 256, `evil.com` among them), or more than
/// [`DOMAIN_SEARCH_STEPS`] to find them, is an error: a pattern names the
/// domains it trusts, it does not compose them.
fn several_domains(nfa: &RegexNfa, steps: &mut Steps) -> Option<Finding> {
    let representatives = representatives(nfa, true);
    let mut tails = Tails::new(false);
    let start = DomainNode::START;
    let mut seen: HashSet<DomainNode> = HashSet::default();
    seen.insert(start);
    let mut queue = VecDeque::from([start]);
    let mut domains: BTreeSet<String> = BTreeSet::new();
    let mut more = false;
    let mut taken = 0;
    while let Some(node) = queue.pop_front() {
        if nfa.states[node.state as usize].accept && node.grammar.accepts() {
            // An address, a one-label host or a public suffix has no
            // registrable domain: the whole host counts as one.
            let labels = node.literal_labels(&tails);
            let domain = registrable_domain(labels).unwrap_or(labels);
            if domains.len() < MAX_DOMAINS {
                domains.insert(domain.to_string());
            } else if !domains.contains(domain) {
                more = true;
            }
        }
        for &byte in &representatives {
            let Some(grammar) = node.grammar.step(byte) else {
                continue;
            };
            for t in targets(nfa, node.state, byte) {
                taken += 1;
                if taken > DOMAIN_SEARCH_STEPS || !steps.take() {
                    return Some(Finding::TooManyDomains {
                        domains: domains.into_iter().collect(),
                    });
                }
                let mut next = node;
                next.state = t.next;
                next.grammar = grammar;
                if node.grammar.in_host() && grammar.in_host() {
                    next.read_host_byte(&mut tails, byte, t.literal);
                    if !steps.charge_copies(&mut tails) {
                        return Some(Finding::TooManyDomains {
                            domains: domains.into_iter().collect(),
                        });
                    }
                }
                if seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
    }
    if more {
        return Some(Finding::TooManyDomains {
            domains: domains.into_iter().collect(),
        });
    }
    (domains.len() > 1 && differ_by_one_letter(&domains)).then(|| Finding::SeveralDomains {
        domains: domains.into_iter().collect(),
    })
}

/// Rule 2 for an accepted origin's host, from its search node.
fn spelling(node: &DomainNode, tails: &Tails) -> Spelling {
    if !node.open {
        return Spelling::Spelled;
    }
    let labels = node.literal_labels(tails);
    // Every name under `localhost` is this machine (as for the listed
    // `http://*.localhost`): nobody else can own one.
    if labels == "localhost" {
        return Spelling::Spelled;
    }
    if labels.is_empty()
        || labels.starts_with('[')
        || labels.ends_with(']')
        || labels
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == NUMBER_LABEL[0])
        || public_suffix::is_public_suffix_or_unknown(labels)
    {
        return Spelling::Unspelled(None);
    }
    if let Some(below) = public_suffix::listed_suffix_at_or_below(labels) {
        return Spelling::Unspelled(Some((below, labels.to_string())));
    }
    match registrable_domain(labels) {
        Some(_) => Spelling::Spelled,
        None => Spelling::Unspelled(None),
    }
}

/// The finding for an origin one path of the pattern matches without
/// spelling out its registrable domain, made to read like an attack when
/// the pattern allows.
fn outside_domain(nfa: &RegexNfa, example: Vec<u8>) -> Option<Finding> {
    Some(finding_for(more_telling(nfa, example), false))
}

/// The finding for `origin`, whose registrable domain the pattern does not
/// spell out (`below`: because its public suffix lies below the labels the
/// pattern writes literally).
fn finding_for(origin: Vec<u8>, below: bool) -> Finding {
    let host = host_of(&origin);
    let domain = registrable_domain(&host).unwrap_or(&host).to_string();
    let suffix = &host[host.len() - public_suffix::suffix_len(&host)..];
    Finding::OutsideDomain {
        example: String::from_utf8_lossy(&origin).into_owned(),
        domain,
        suffix_below: below.then(|| suffix.to_string()),
    }
}

/// The search gave up: over its budget.
struct TooComplex;

/// Whether the pattern matches an origin whose host lies under a public
/// suffix at or below `labels` (the labels some path spells out literally,
/// as in `example`) and whose registrable domain it does not spell out.
/// First a few likely origins are tried (an attack under `below`), then a
/// search decides it: the pattern's automaton runs beside an Aho-Corasick
/// automaton of every ending a host under such a suffix has (see
/// [`public_suffix::suffix_endings_at_or_below`]) and a count of the host
/// characters the path matched literally last, and each origin it finds is
/// checked against the list (its exceptions included) and that count.
fn under_suffix_below(
    nfa: &RegexNfa,
    example: &[u8],
    below: &public_suffix::SuffixBelow,
    labels: &str,
    steps: &mut Steps,
) -> Result<Option<Finding>, TooComplex> {
    // Its public suffix is the literal labels or deeper (so its
    // registrable domain, if any, reaches past them).
    let under = |host: &str| public_suffix::suffix_len(host) >= labels.len();
    // Likely attacks first: one under the suffix the list names first.
    let host = host_of(example);
    let host_start = example
        .windows(3)
        .position(|w| w == b"://")
        .map_or(0, |at| at + 3);
    let (scheme, port) = (&example[..host_start], &example[host_start + host.len()..]);
    let suffix = below.rule.trim_start_matches("*.");
    for candidate_host in [
        below.example_host.clone(),
        format!("x.{}", below.example_host),
        format!("x.x.{suffix}"),
        format!("0.0.{suffix}"),
    ] {
        let mut candidate = scheme.to_vec();
        candidate.extend_from_slice(candidate_host.as_bytes());
        candidate.extend_from_slice(port);
        if under(&host_of(&candidate)) && unspelled_on_some_path(nfa, &candidate) {
            return Ok(Some(finding_for(candidate, true)));
        }
    }
    // A scan of the whole list: charged as one step a rule.
    for _ in 0..public_suffix::RULE_COUNT_HINT {
        if !steps.take() {
            return Err(TooComplex);
        }
    }
    let endings = Endings::new(&public_suffix::suffix_endings_at_or_below(labels));
    let extra: Vec<u8> = endings.bytes();
    let representatives = representatives_with(nfa, true, &extra);
    // The last number is how many host characters at the end of the input
    // so far this path matched with literals (at most a host's length).
    type Node = (u32, Grammar, u32, u8);
    let start: Node = (0, Grammar::SchemeFirst, 0, 0);
    let mut parents: Vec<(usize, u8)> = vec![(usize::MAX, 0)];
    let mut nodes = vec![start];
    let mut seen: HashSet<Node> = HashSet::default();
    seen.insert(start);
    let mut queue = VecDeque::from([0usize]);
    while let Some(index) = queue.pop_front() {
        let (state, grammar, ending, literal_run) = nodes[index];
        if nfa.states[state as usize].accept && grammar.accepts() && endings.ends(ending) {
            let origin = spell(&parents, index);
            let host = host_of(&origin);
            let spelled = registrable_domain(&host)
                .is_some_and(|domain| domain.len() <= usize::from(literal_run));
            if under(&host) && !spelled {
                return Ok(Some(finding_for(origin, true)));
            }
        }
        for &byte in &representatives {
            let Some(next_grammar) = grammar.step(byte) else {
                continue;
            };
            // The host is read with a `.` in front, so that a host equal
            // to a rule's domain ends with its ending too.
            let next_ending = match (grammar.in_host(), next_grammar.in_host()) {
                (false, true) => endings.step(0, b'.'),
                (true, true) => endings.step(ending, byte),
                _ => ending,
            };
            for t in targets(nfa, state, byte) {
                if !steps.take() {
                    return Err(TooComplex);
                }
                let next_run = match (next_grammar.in_host() && grammar.in_host(), t.literal) {
                    (true, true) => literal_run.saturating_add(1),
                    (true, false) => 0,
                    (false, _) => literal_run,
                };
                let node = (t.next, next_grammar, next_ending, next_run);
                if seen.insert(node) {
                    nodes.push(node);
                    parents.push((index, byte));
                    queue.push_back(nodes.len() - 1);
                }
            }
        }
    }
    Ok(None)
}

/// An Aho-Corasick automaton: whether the text read so far ends with one of
/// a set of strings. State 0 is the start.
struct Endings {
    next: Vec<HashMap<u8, u32>>,
    fail: Vec<u32>,
    ends: Vec<bool>,
}

impl Endings {
    fn new(strings: &[String]) -> Endings {
        let mut endings = Endings {
            next: vec![HashMap::default()],
            fail: vec![0],
            ends: vec![false],
        };
        for string in strings {
            let mut state = 0usize;
            for &byte in string.as_bytes() {
                let count = endings.next.len() as u32;
                let target = *endings.next[state].entry(byte).or_insert(count);
                if target == count {
                    endings.next.push(HashMap::default());
                    endings.fail.push(0);
                    endings.ends.push(false);
                }
                state = target as usize;
            }
            endings.ends[state] = true;
        }
        // Failure links, breadth first: the longest proper suffix that is
        // also a prefix of some string.
        let mut queue: VecDeque<u32> = endings.next[0].values().copied().collect();
        while let Some(state) = queue.pop_front() {
            let edges: Vec<(u8, u32)> = endings.next[state as usize]
                .iter()
                .map(|(&byte, &target)| (byte, target))
                .collect();
            for (byte, target) in edges {
                let fail = endings.step(endings.fail[state as usize], byte);
                endings.fail[target as usize] = fail;
                endings.ends[target as usize] |= endings.ends[fail as usize];
                queue.push_back(target);
            }
        }
        endings
    }

    fn step(&self, mut state: u32, byte: u8) -> u32 {
        loop {
            if let Some(&target) = self.next[state as usize].get(&byte) {
                return target;
            }
            if state == 0 {
                return 0;
            }
            state = self.fail[state as usize];
        }
    }

    fn ends(&self, state: u32) -> bool {
        self.ends[state as usize]
    }

    /// Every byte some string has: each must be a byte class of its own.
    fn bytes(&self) -> Vec<u8> {
        let mut bytes: Vec<u8> = self
            .next
            .iter()
            .flat_map(|edges| edges.keys().copied())
            .collect();
        bytes.sort_unstable();
        bytes.dedup();
        bytes
    }
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
    representatives_with(nfa, avoid_literals, &[])
}

/// [`representatives`], with `extra` bytes each in a class of its own.
fn representatives_with(nfa: &RegexNfa, avoid_literals: bool, extra: &[u8]) -> Vec<u8> {
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
    // The distinctions of the grammar and of the trackers the searches run
    // beside it: every byte one of them treats specially.
    let significant = b"azAZ09:/[].@?#+-_afgz"
        .iter()
        .chain(b"http")
        .chain(loopback::SIGNIFICANT_BYTES)
        .chain(extra);
    for byte in significant {
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
            if well_formed && unspelled_on_some_path(nfa, &candidate) {
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

/// Whether some accepting path of the pattern matches `origin` with a
/// character of its host's registrable domain (the whole host when it has
/// none) matched by something other than a literal. One such path is
/// enough: the rule is that every way the pattern matches an origin spells
/// its domain, since a class that happens to cover a domain another branch
/// spells covers others too.
fn unspelled_on_some_path(nfa: &RegexNfa, origin: &[u8]) -> bool {
    let host = host_of(origin);
    let Some(host_start) = origin.windows(3).position(|w| w == b"://").map(|at| at + 3) else {
        return true;
    };
    let host_end = host_start + host.len();
    let domain_len = registrable_domain(&host).map_or(host.len(), str::len);
    let must_be_literal = host_end - domain_len..host_end;
    // Runs the pattern with a flag per path: "a domain character was not
    // matched literally".
    let mut current: Vec<(u32, bool)> = vec![(0, false)];
    for (at, &byte) in origin.iter().enumerate() {
        let mut next: Vec<(u32, bool)> = Vec::new();
        for &(state, unspelled) in &current {
            for t in &nfa.states[state as usize].transitions {
                if t.lo <= byte && byte <= t.hi {
                    let unspelled = unspelled || (!t.literal && must_be_literal.contains(&at));
                    if !next.contains(&(t.next, unspelled)) {
                        next.push((t.next, unspelled));
                    }
                }
            }
        }
        current = next;
    }
    current
        .iter()
        .any(|&(state, unspelled)| unspelled && nfa.states[state as usize].accept)
}

/// Whether two of the domains differ by one letter added, removed or
/// replaced: a typo or an optional character (`example\.com?`), not two
/// domains listed on purpose.
fn differ_by_one_letter(domains: &BTreeSet<String>) -> bool {
    let domains: Vec<&[u8]> = domains.iter().map(|d| d.as_bytes()).collect();
    domains
        .iter()
        .enumerate()
        .any(|(i, a)| domains[i + 1..].iter().any(|b| one_edit_apart(a, b)))
}

fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 => short[prefix + 1..] == long[prefix + 1..] && prefix < short.len(),
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

/// The registrable domain of a DNS host, `None` for addresses and hosts
/// that are themselves public suffixes.
fn registrable_domain(host: &str) -> Option<&str> {
    if host.starts_with('[') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    public_suffix::registrable_domain(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The host tails keep enough labels: a registrable domain has at most
    /// the deepest rule's labels plus one.
    #[test]
    fn tails_keep_more_labels_than_any_rule_has() {
        assert!(public_suffix::deepest_rule_labels() < TAIL_LABELS);
    }
}
