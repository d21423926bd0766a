//! Writing the table: sections laid out after the header, offsets and
//! counts filled in, checksum last.

use cors_match_core::format::{
    self, flags, header, origin_index, policy as record, state, string_ref, transition, write_u16,
    write_u32, HEADER_LEN, MAGIC, NO_POLICY, NO_STATE, POLICY_LEN, STATE_LEN, TRANSITION_LEN,
    VERSION,
};

use super::automaton::{Budget, Dfa, Nfa, Symbol};
use super::{origin_symbols, origin_symbols_reversed};
use crate::model::{HeaderNames, OriginPattern, Origins, Policy, PolicySet};
use crate::regex_origin;

/// Why a model could not be written as a table.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompileError {
    /// The table would exceed the format's 4 GiB limit.
    #[error("the compiled table would exceed 4 GiB ({what})")]
    TooLarge {
        /// Which count overflowed.
        what: &'static str,
    },
    /// A policy's patterns need more automaton states, or more work to
    /// build them, than the compiler's fixed budget allows.
    #[error(
        "policy `{policy}`: {}the {what} automaton would exceed the compiler's budget \
         ({MAX_STATES} states and {MAX_WORK} steps per file, {MAX_PATTERN_STATES} \
         states and {MAX_PATTERN_WORK} steps per regex); its patterns include {}",
        if *alone { "a regex alone: " } else { "" },
        patterns.join(", ")
    )]
    AutomatonTooLarge {
        /// The policy's name (`paths` for the path automaton of the file).
        policy: String,
        /// Which automaton: `origin`, `method` or `path`.
        what: &'static str,
        /// The patterns responsible (a few of them when many), as written
        /// in the model (`~"regex"` for regexes).
        patterns: Vec<String>,
        /// Whether one regex alone exceeds its own budget (the first of
        /// `patterns`).
        alone: bool,
    },
    /// A regex origin pattern in the model does not compile (a model the
    /// validator did not produce).
    #[error("the regex origin pattern `{regex}` does not compile")]
    InvalidRegex {
        /// The regex.
        regex: String,
    },
}

/// Most automaton states a table may have (about 32 MiB of state
/// records): far more than a 1 MiB policy of subdomain wildcards needs.
pub const MAX_STATES: usize = 1 << 21;
/// Most work (NFA states and transitions looked at while determinizing)
/// the automata of one file may take: a fraction of a second. Counted, not
/// timed, so that `check` gives the same answer on every machine.
pub const MAX_WORK: usize = 20_000_000;
/// Most states the automaton of one regex origin may have, alone, in the
/// direction eval walks it.
pub const MAX_PATTERN_STATES: usize = regex_origin::MAX_REGEX_STATES;
/// Most work determinizing one regex origin alone may take (in each
/// direction tried).
pub const MAX_PATTERN_WORK: usize = 2_000_000;
/// Patterns a [`CompileError::AutomatonTooLarge`] names at most.
const NAMED_PATTERNS: usize = 5;

fn u32_of(value: usize, what: &'static str) -> Result<u32, CompileError> {
    u32::try_from(value).map_err(|_| CompileError::TooLarge { what })
}

/// Accumulates automata into the shared state and transition arrays.
struct Automata {
    states: Vec<u8>,
    transitions: Vec<u8>,
    state_count: u32,
    transition_count: u32,
    /// The state ranges of automata eval walks forwards, where literal
    /// runs pay (see `format::state::RUN`).
    forward: Vec<std::ops::Range<u32>>,
    /// What the file's automata may still cost.
    budget: Budget,
}

impl Default for Automata {
    fn default() -> Self {
        Automata {
            states: Vec::new(),
            transitions: Vec::new(),
            state_count: 0,
            transition_count: 0,
            forward: Vec::new(),
            budget: Budget {
                states: MAX_STATES,
                work: MAX_WORK,
            },
        }
    }
}

/// The budget ran out: the caller says for which patterns.
#[derive(Debug)]
struct OverBudget;

impl Automata {
    /// Appends `nfa`'s DFA, which eval walks forwards; returns its start
    /// state, `NO_STATE` when empty.
    fn add(&mut self, nfa: Nfa) -> Result<Result<u32, OverBudget>, CompileError> {
        let start = self.state_count;
        let added = self.add_reversed(nfa)?;
        self.forward.push(start..self.state_count);
        Ok(added)
    }

    /// [`Self::add`] for an automaton eval walks backwards (no runs).
    fn add_reversed(&mut self, nfa: Nfa) -> Result<Result<u32, OverBudget>, CompileError> {
        if nfa.is_empty() {
            return Ok(Ok(NO_STATE));
        }
        match nfa.into_dfa_within(&mut self.budget) {
            Some(dfa) => self.add_dfa(&dfa).map(Ok),
            None => Ok(Err(OverBudget)),
        }
    }

    /// Appends the minimal automaton of a set of plain strings.
    fn add_words(&mut self, words: Vec<Vec<u8>>) -> Result<Result<u32, OverBudget>, CompileError> {
        if words.is_empty() {
            return Ok(Ok(NO_STATE));
        }
        let work = words.iter().map(Vec::len).sum::<usize>() + words.len();
        let dfa = Dfa::of_words(words, 1);
        if self.budget.charge(dfa.states.len(), work).is_none() {
            return Ok(Err(OverBudget));
        }
        // Methods are a few bytes: a run would not pay for itself.
        self.add_dfa(&dfa).map(Ok)
    }

    /// Which way eval should walk a regex origin: backwards when its
    /// automaton that way fits the per-pattern budget and is no larger
    /// than forwards (a regex usually ends with its literal domain, and
    /// backwards the regexes of a policy part at once on their domains
    /// instead of being tracked side by side), else forwards. The work is
    /// charged to the file's budget too. `Err` when neither way fits.
    fn walk_of(&mut self, nfa: &regex_origin::RegexNfa) -> Result<Walk, (OverBudget, bool)> {
        let mut alone = |regex: &regex_origin::RegexNfa| {
            let mut graft = Nfa::new();
            graft.graft(regex, 1);
            let mut budget = Budget {
                states: MAX_PATTERN_STATES,
                work: MAX_PATTERN_WORK.min(self.budget.work),
            };
            let dfa = graft.into_dfa_within(&mut budget);
            let spent = MAX_PATTERN_WORK.min(self.budget.work) - budget.work;
            self.budget.work -= spent;
            dfa.map(|dfa| dfa.states.len())
        };
        let reversed = nfa.reversed();
        let backward = alone(&reversed);
        let forward = match backward {
            Some(states) if states <= 64 => None,
            _ => alone(nfa),
        };
        match (backward, forward) {
            (Some(b), Some(f)) if f < b => Ok(Walk::Forward),
            (Some(_), _) => Ok(Walk::Backward(reversed)),
            (None, Some(_)) => Ok(Walk::Forward),
            // The file's budget ran out, or the regex alone is too large.
            (None, None) => Err((OverBudget, self.budget.work > 0)),
        }
    }

    fn record(&self, state: u32) -> [u8; STATE_LEN] {
        let at = state as usize * STATE_LEN;
        let mut record = [0u8; STATE_LEN];
        record.copy_from_slice(&self.states[at..at + STATE_LEN]);
        record
    }

    /// Makes literal runs in the forward automata (see
    /// `format::state::RUN`), their bytes added to `strings`: each run
    /// starts at a state no run passes through, follows single one-byte
    /// transitions through states that do not accept, and is cut at
    /// `MAX_RUN` bytes. Its first state becomes the run state; the states
    /// it passes stay, for walks that enter the chain elsewhere.
    fn add_runs(&mut self, strings: &mut Strings) -> Result<(), CompileError> {
        // Reads of a whole record: they cannot fail.
        let count = |r: &[u8; STATE_LEN]| format::read_u16(r, state::COUNT).unwrap_or_default();
        let next = |r: &[u8; STATE_LEN]| format::read_u32(r, state::FIRST_NEXT).unwrap_or_default();
        let accepts = |r: &[u8; STATE_LEN]| format::read_u32(r, state::ACCEPT) != Some(0);
        // One transition on one byte that may be in a run.
        let is_link = |r: &[u8; STATE_LEN]| {
            count(r) == 1
                && r[state::FIRST_LO] == r[state::FIRST_HI]
                && !matches!(r[state::FIRST_LO], b'?' | b'#')
        };
        for range in self.forward.clone() {
            let mut inside = vec![false; range.len()];
            for s in range.clone() {
                let r = self.record(s);
                let t = next(&r);
                if is_link(&r) && range.contains(&t) && !accepts(&self.record(t)) {
                    inside[(t - range.start) as usize] = true;
                }
            }
            for s in range.clone() {
                if inside[(s - range.start) as usize] {
                    continue;
                }
                let (mut bytes, mut current) = (Vec::new(), s);
                loop {
                    let r = self.record(current);
                    let stop = !is_link(&r)
                        || (!bytes.is_empty() && accepts(&r))
                        || bytes.len() == state::MAX_RUN;
                    if stop {
                        break;
                    }
                    bytes.push(r[state::FIRST_LO]);
                    current = next(&r);
                }
                if bytes.len() < state::MIN_RUN {
                    continue;
                }
                let [offset, _] = strings.add_bytes(&bytes)?;
                let len = u16::try_from(bytes.len())
                    .map_err(|_| CompileError::TooLarge { what: "run" })?;
                // The run replaces the state's one transition.
                let at = s as usize * STATE_LEN;
                let record = &mut self.states[at..at + STATE_LEN];
                record[state::FIRST_LO] = 1;
                record[state::FIRST_HI] = 0;
                put_all(
                    record,
                    &[(state::RUN_TARGET, current), (state::RUN_BYTES, offset)],
                );
                write_u16(record, state::COUNT, state::run_count(len));
            }
        }
        Ok(())
    }

    fn add_dfa(&mut self, dfa: &Dfa) -> Result<u32, CompileError> {
        let base = self.state_count;
        let target = |next: u32| {
            base.checked_add(next)
                .ok_or(CompileError::TooLarge { what: "states" })
        };
        for dfa_state in &dfa.states {
            let mut record = [0u8; STATE_LEN];
            let count =
                u16::try_from(dfa_state.transitions.len()).map_err(|_| CompileError::TooLarge {
                    what: "transitions",
                })?;
            write_u16(&mut record, state::COUNT, count);
            put_all(&mut record, &[(state::ACCEPT, dfa_state.accept)]);
            match dfa_state.transitions.split_first() {
                None => record[state::FIRST_LO] = 1,
                Some((first, others)) => {
                    record[state::FIRST_LO] = first.lo;
                    record[state::FIRST_HI] = first.hi;
                    put_all(&mut record, &[(state::FIRST_NEXT, target(first.next)?)]);
                    if !others.is_empty() {
                        put_all(&mut record, &[(state::REST, self.transition_count)]);
                    }
                    for t in others {
                        self.transitions.extend_from_slice(&transition::encode(
                            t.lo,
                            t.hi,
                            target(t.next)?,
                        ));
                    }
                    self.transition_count = self
                        .transition_count
                        .checked_add(u32_of(others.len(), "transitions")?)
                        .ok_or(CompileError::TooLarge {
                            what: "transitions",
                        })?;
                }
            }
            self.states.extend_from_slice(&record);
        }
        self.state_count = base
            .checked_add(u32_of(dfa.states.len(), "states")?)
            .ok_or(CompileError::TooLarge { what: "states" })?;
        Ok(base)
    }
}

/// The direction eval walks a regex origin in, see [`Automata::walk_of`].
enum Walk {
    Forward,
    /// With the reversed automaton, to graft into the backward one.
    Backward(regex_origin::RegexNfa),
}

/// The patterns to name in an [`CompileError::AutomatonTooLarge`]: the
/// regexes first (they are what usually makes an automaton large), then
/// the others, at most [`NAMED_PATTERNS`], with how many more there are.
fn named(patterns: &[&OriginPattern]) -> Vec<String> {
    let mut sorted: Vec<&OriginPattern> = patterns.to_vec();
    sorted.sort_by_key(|pattern| !matches!(pattern, OriginPattern::Regex(_)));
    let mut names: Vec<String> = sorted
        .iter()
        .take(NAMED_PATTERNS)
        .map(|pattern| match pattern {
            OriginPattern::Regex(regex) => format!("~\"{regex}\""),
            other => other.to_string(),
        })
        .collect();
    if sorted.len() > NAMED_PATTERNS {
        names.push(format!("and {} more", sorted.len() - NAMED_PATTERNS));
    }
    names
}

/// The strings section, referenced by (offset, length) pairs.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
}

impl Strings {
    fn add(&mut self, text: &str) -> Result<[u32; 2], CompileError> {
        self.add_bytes(text.as_bytes())
    }

    fn add_bytes(&mut self, bytes: &[u8]) -> Result<[u32; 2], CompileError> {
        let offset = u32_of(self.bytes.len(), "strings")?;
        self.bytes.extend_from_slice(bytes);
        Ok([offset, u32_of(bytes.len(), "strings")?])
    }

    /// Adds the origins (or header names) and an index of them in the
    /// layout of `format::origin_index`, with `hash`; returns the index's
    /// reference, `[0, 0]` when there are none. `what` names it in errors.
    fn add_index(
        &mut self,
        mut origins: Vec<Vec<u8>>,
        hash: fn(&[u8]) -> u64,
        what: &'static str,
    ) -> Result<[u32; 2], CompileError> {
        origins.sort_unstable();
        origins.dedup();
        if origins.is_empty() {
            return Ok([0, 0]);
        }
        let hashes: Vec<u64> = origins.iter().map(|o| hash(o)).collect();
        // As many buckets as origins (rounded up to a power of two), more
        // while some bucket is over the limit.
        let mut bits = usize::BITS - (origins.len() - 1).leading_zeros();
        let buckets = loop {
            let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); 1 << bits];
            for (entry, &hash) in hashes.iter().enumerate() {
                buckets[origin_index::bucket(hash, bits)].push(entry);
            }
            let largest = buckets.iter().map(Vec::len).max().unwrap_or(0);
            if largest <= origin_index::MAX_BUCKET as usize {
                break buckets;
            }
            bits += 1;
            if bits > origin_index::MAX_BITS {
                return Err(CompileError::TooLarge { what });
            }
        };
        let references = origins
            .iter()
            .map(|origin| self.add_bytes(origin))
            .collect::<Result<Vec<_>, _>>()?;
        let too_large = || CompileError::TooLarge { what };
        let len = origin_index::entry_at(bits, origins.len()).ok_or_else(too_large)?;
        let mut index = vec![0u8; len];
        let mut at = |offset: Option<usize>, value: u32| {
            offset.and_then(|offset| write_u32(&mut index, offset, value))
        };
        let mut written = at(Some(origin_index::BITS), bits).is_some();
        let mut start = 0u32;
        written &= at(origin_index::start_at(0), start).is_some();
        for (bucket, entries) in buckets.iter().enumerate() {
            start += u32_of(entries.len(), what)?;
            written &= at(origin_index::start_at(bucket + 1), start).is_some();
        }
        for (slot, &entry) in buckets.iter().flatten().enumerate() {
            let entry_at = origin_index::entry_at(bits, slot);
            let [offset, len] = references[entry];
            written &= at(entry_at.map(|e| e + string_ref::OFFSET), offset).is_some();
            written &= at(entry_at.map(|e| e + string_ref::LEN), len).is_some();
        }
        if !written {
            return Err(too_large());
        }
        self.add_bytes(&index)
    }
}

fn literal(text: &str) -> Vec<Symbol> {
    text.bytes().map(Symbol::Byte).collect()
}

/// `*` first when the list has it, then the names, joined by `, `.
fn render_names(names: &HeaderNames) -> String {
    let wildcard = names.any.then_some("*");
    wildcard
        .into_iter()
        .chain(names.names.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

fn policy_record(
    policy: &Policy,
    automata: &mut Automata,
    strings: &mut Strings,
) -> Result<[u8; POLICY_LEN], CompileError> {
    let mut fields: Vec<(usize, u32)> = Vec::new();
    let mut put = |offset: usize, value: u32| fields.push((offset, value));

    let mut policy_flags = 0;
    let mut origin_index = [0, 0];
    let (origin_start, wildcard_origin_start) = match &policy.origins {
        Origins::Any => {
            policy_flags |= flags::ANY_ORIGIN;
            (NO_STATE, NO_STATE)
        }
        Origins::List(patterns) => {
            let (mut plain, mut any_port, mut wildcard) = (Vec::new(), Nfa::new(), Nfa::new());
            let (mut forward_patterns, mut backward_patterns) = (Vec::new(), Vec::new());
            let too_large =
                |patterns: Vec<&OriginPattern>, alone: bool| CompileError::AutomatonTooLarge {
                    policy: policy.name.clone(),
                    what: "origin",
                    patterns: named(&patterns),
                    alone,
                };
            for pattern in patterns {
                if let OriginPattern::Regex(regex) = pattern {
                    let nfa =
                        regex_origin::compile(regex).map_err(|_| CompileError::InvalidRegex {
                            regex: regex.clone(),
                        })?;
                    match automata.walk_of(&nfa) {
                        Ok(Walk::Forward) => {
                            any_port.graft(&nfa, 1);
                            forward_patterns.push(pattern);
                        }
                        Ok(Walk::Backward(reversed)) => {
                            wildcard.graft(&reversed, 1);
                            backward_patterns.push(pattern);
                        }
                        Err((OverBudget, alone)) => return Err(too_large(vec![pattern], alone)),
                    }
                    continue;
                }
                let symbols = origin_symbols(pattern);
                let any_subdomain =
                    matches!(pattern, OriginPattern::Tuple(origin) if origin.any_subdomain);
                let bytes: Option<Vec<u8>> = symbols
                    .iter()
                    .map(|symbol| match symbol {
                        Symbol::Byte(byte) => Some(*byte),
                        _ => None,
                    })
                    .collect();
                let reversed = any_subdomain
                    .then(|| origin_symbols_reversed(pattern))
                    .flatten();
                match (bytes, reversed) {
                    (Some(bytes), _) => plain.push(bytes),
                    (None, Some(reversed)) => {
                        wildcard.insert(&reversed, 1);
                        backward_patterns.push(pattern);
                    }
                    (None, None) => {
                        any_port.insert(&symbols, 1);
                        forward_patterns.push(pattern);
                    }
                }
            }
            origin_index = strings.add_index(plain, origin_index::hash, "origin index")?;
            let forward = automata
                .add(any_port)?
                .map_err(|OverBudget| too_large(forward_patterns, false))?;
            let backward = automata
                .add_reversed(wildcard)?
                .map_err(|OverBudget| too_large(backward_patterns, false))?;
            (forward, backward)
        }
    };
    // Eval allows the safelisted methods without a look at the table, and
    // answers the known ones from their bits; the automaton has the rest.
    let mut method_bits = 0;
    let methods = (policy.methods.iter())
        .filter(|m| !matches!(m.as_str(), "GET" | "HEAD" | "POST"))
        .filter(|m| match format::methods::bit(m.as_bytes()) {
            Some(bit) => {
                method_bits |= bit;
                false
            }
            None => true,
        })
        .map(|m| m.as_bytes().to_vec())
        .collect();
    let headers = header_lists(&policy.allow_headers.names);
    if policy.credentials {
        policy_flags |= flags::CREDENTIALS;
    }
    if policy.private_network {
        policy_flags |= flags::PRIVATE_NETWORK;
    }
    if policy.allow_headers.any {
        policy_flags |= flags::ANY_HEADER;
    }

    put_string(&mut put, record::ORIGIN_INDEX, origin_index);
    put(record::ORIGIN_START, origin_start);
    put(record::WILDCARD_ORIGIN_START, wildcard_origin_start);
    let method_start =
        automata
            .add_words(methods)?
            .map_err(|OverBudget| CompileError::AutomatonTooLarge {
                policy: policy.name.clone(),
                what: "method",
                patterns: Vec::new(),
                alone: false,
            })?;
    put(record::METHOD_START, method_start);
    put(record::METHOD_BITS, method_bits);
    let header_index = strings.add_index(headers, origin_index::hash_lower, "header index")?;
    put_string(&mut put, record::HEADER_INDEX, header_index);
    put(record::FLAGS, policy_flags);
    put(record::PREFLIGHT_STATUS, u32::from(policy.preflight_status));
    let max_age = policy.max_age.map(|s| s.to_string()).unwrap_or_default();
    for (offset, text) in [
        (record::NAME, policy.name.clone()),
        (record::ALLOW_METHODS, policy.methods.join(", ")),
        (record::ALLOW_HEADERS, render_names(&policy.allow_headers)),
        (record::EXPOSE_HEADERS, render_names(&policy.expose_headers)),
        (record::MAX_AGE, max_age),
    ] {
        put_string(&mut put, offset, strings.add(&text)?);
    }
    let mut out = [0u8; POLICY_LEN];
    put_all(&mut out, &fields);
    Ok(out)
}

/// Puts the string reference `[offset, length]` at `field` of a record.
fn put_string(put: &mut impl FnMut(usize, u32), field: usize, [offset, len]: [u32; 2]) {
    put(field + string_ref::OFFSET, offset);
    put(field + string_ref::LEN, len);
}

/// Compiles a validated model to table bytes in the format of
/// `cors_match_core::format`.
///
/// # Errors
///
/// [`CompileError::TooLarge`] when the table would not fit the format's
/// 32-bit offsets.
pub fn compile(set: &PolicySet) -> Result<Vec<u8>, CompileError> {
    let mut automata = Automata::default();
    let mut strings = Strings::default();
    let mut records = Vec::with_capacity(set.policies.len() * POLICY_LEN);

    let mut paths = Nfa::new();
    let mut catch_all = NO_POLICY;
    for (index, policy) in set.policies.iter().enumerate() {
        let index = u32_of(index, "policies")?;
        if policy.paths.is_empty() && catch_all == NO_POLICY {
            catch_all = index;
        }
        for prefix in &policy.paths {
            paths.insert(&literal(prefix), index + 1);
        }
        records.extend_from_slice(&policy_record(policy, &mut automata, &mut strings)?);
    }
    let path_start =
        automata
            .add(paths)?
            .map_err(|OverBudget| CompileError::AutomatonTooLarge {
                policy: "paths".to_string(),
                what: "path",
                patterns: Vec::new(),
                alone: false,
            })?;
    automata.add_runs(&mut strings)?;

    let policies_offset = HEADER_LEN;
    let states_offset = policies_offset + records.len();
    let transitions_offset = states_offset + automata.states.len();
    let strings_offset = transitions_offset + automata.transitions.len();
    let total = strings_offset + strings.bytes.len();
    debug_assert_eq!(
        automata.states.len(),
        automata.state_count as usize * STATE_LEN
    );
    debug_assert_eq!(
        automata.transitions.len(),
        automata.transition_count as usize * TRANSITION_LEN
    );

    let mut table = Vec::with_capacity(total);
    table.extend_from_slice(&[0u8; HEADER_LEN]);
    let fields = [
        (header::ENDIAN, format::ENDIAN_MARKER),
        (header::VERSION, VERSION),
        (header::TOTAL_LEN, u32_of(total, "table")?),
        (header::POLICIES_OFFSET, u32_of(policies_offset, "table")?),
        (
            header::POLICY_COUNT,
            u32_of(set.policies.len(), "policies")?,
        ),
        (header::STATES_OFFSET, u32_of(states_offset, "table")?),
        (header::STATE_COUNT, automata.state_count),
        (
            header::TRANSITIONS_OFFSET,
            u32_of(transitions_offset, "table")?,
        ),
        (header::TRANSITION_COUNT, automata.transition_count),
        (header::STRINGS_OFFSET, u32_of(strings_offset, "table")?),
        (header::STRINGS_LEN, u32_of(strings.bytes.len(), "strings")?),
        (header::PATH_START, path_start),
        (header::CATCH_ALL, catch_all),
    ];
    table[header::MAGIC..header::MAGIC + MAGIC.len()].copy_from_slice(&MAGIC);
    put_all(&mut table, &fields);
    table.extend_from_slice(&records);
    table.extend_from_slice(&automata.states);
    table.extend_from_slice(&automata.transitions);
    table.extend_from_slice(&strings.bytes);
    let checksum = format::checksum(&table).unwrap_or(0);
    put_all(&mut table, &[(header::CHECKSUM, checksum)]);
    Ok(table)
}

/// Writes each `(offset, value)` as a little-endian `u32`. Every offset is
/// a field of a record (or header) of its full length, so it is in bounds.
fn put_all(bytes: &mut [u8], fields: &[(usize, u32)]) {
    for &(offset, value) in fields {
        let written = write_u32(bytes, offset, value);
        debug_assert!(written.is_some(), "field {offset} out of its record");
    }
}

/// Most entries a policy's header index gets for the lists of names a
/// client can send; see [`header_lists`].
const MAX_HEADER_LISTS: usize = 64;

/// The entries of a policy's header index: lists of allowed names joined by
/// `,` (no spaces), so that eval answers a list a client sends with one
/// lookup, whatever the number of names in it, and looks names up one by
/// one only for other values. Which lists, bounded by [`MAX_HEADER_LISTS`]:
///
/// - every list of distinct names in every order, when they number at most
///   64 (up to four names);
/// - else, when there are at most 63, every list in the order browsers send
///   (the Fetch standard's "CORS-unsafe request-header names" are lower
///   case, sorted by byte, joined by `,`): up to six names;
/// - else each name alone.
///
/// Each name alone is among the entries in every case: eval's name-by-name
/// lookups use the same index.
fn header_lists(names: &[String]) -> Vec<Vec<u8>> {
    let mut names: Vec<&[u8]> = names.iter().map(|name| name.as_bytes()).collect();
    names.sort_unstable();
    names.dedup();
    let count = names.len();
    // Lists of distinct names in any order: sum over k of count!/(count-k)!.
    let ordered = (1..=count).try_fold((0usize, 1usize), |(total, arrangements), k| {
        let arrangements = arrangements.checked_mul(count - k + 1)?;
        Some((total.checked_add(arrangements)?, arrangements))
    });
    let mut lists = Vec::new();
    if matches!(ordered, Some((total, _)) if total <= MAX_HEADER_LISTS) {
        every_ordering(&names, &mut Vec::new(), &mut lists);
    } else if count < usize::BITS as usize && (1usize << count) - 1 <= MAX_HEADER_LISTS {
        for subset in 1usize..1 << count {
            let chosen = (names.iter().enumerate())
                .filter(|&(i, _)| subset & (1 << i) != 0)
                .map(|(_, name)| *name);
            lists.push(chosen.collect::<Vec<_>>().join(&b','));
        }
    } else {
        lists.extend(names.into_iter().map(<[u8]>::to_vec));
    }
    lists
}

/// Pushes onto `lists` every list that extends `prefix` (indexes into
/// `names`) by one or more names it does not hold yet, joined by `,`.
fn every_ordering(names: &[&[u8]], prefix: &mut Vec<usize>, lists: &mut Vec<Vec<u8>>) {
    for next in 0..names.len() {
        if prefix.contains(&next) {
            continue;
        }
        prefix.push(next);
        let list: Vec<&[u8]> = prefix.iter().map(|&i| names[i]).collect();
        lists.push(list.join(&b','));
        every_ordering(names, prefix, lists);
        prefix.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::header_lists;

    fn lists(names: &[&str]) -> Vec<String> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut lists: Vec<String> = header_lists(&names)
            .into_iter()
            .map(|list| String::from_utf8(list).expect("ASCII"))
            .collect();
        lists.sort();
        lists
    }

    #[test]
    fn up_to_four_names_every_order_of_every_list() {
        assert_eq!(lists(&["x-b", "x-a"]), ["x-a", "x-a,x-b", "x-b", "x-b,x-a"]);
        assert_eq!(lists(&["a", "b", "c"]).len(), 15);
        let four = lists(&["a", "b", "c", "d"]);
        assert_eq!(four.len(), 64);
        assert!(four.contains(&"d,b,a,c".to_string()));
    }

    #[test]
    fn five_and_six_names_the_lists_browsers_send() {
        let five = lists(&["e", "c", "a", "d", "b"]);
        assert_eq!(five.len(), 31);
        assert!(five.contains(&"a,b,c,d,e".to_string()));
        assert!(five.contains(&"b,e".to_string()));
        assert!(!five.contains(&"e,b".to_string()));
        assert_eq!(lists(&["a", "b", "c", "d", "e", "f"]).len(), 63);
    }

    #[test]
    fn more_names_each_alone() {
        let seven = ["g", "f", "e", "d", "c", "b", "a"];
        assert_eq!(lists(&seven), ["a", "b", "c", "d", "e", "f", "g"]);
        assert!(lists(&[]).is_empty());
    }
}
