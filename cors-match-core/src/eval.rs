//! Evaluating a request against a loaded table: the contract of
//! cors-policy-lang/README.md's "Evaluation in brief". Nothing here
//! allocates, formats or panics: every header value is a slice of the
//! table, the request, or static text.

use crate::automaton::{accept_of, is_leaf, run_end};
use crate::bytes::{check_header_list, header_names, is_malformed_origin, is_token};
#[cfg(target_pointer_width = "64")]
use crate::bytes::{
    has_ascii_upper, hash_plain_list, normal_bytes, NormalForm, Normalized, MAX_NORMAL_LIST,
};
#[cfg(target_pointer_width = "64")]
use crate::format::origin_index;
use crate::format::{flags, methods, policy, read_u16, read_u32, NO_POLICY, NO_STATE};
use crate::index::{Compare, Index};
use crate::load::Table;
use crate::outcome::{names, vary, Decision, Header, Outcome, Reason};
use crate::request::Request;

/// The checks of one policy, read from its record.
struct Selected<'a> {
    name: &'a [u8],
    record: &'a [u8],
    flags: u32,
}

impl Selected<'_> {
    fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    fn start(&self, field: usize) -> u32 {
        read_u32(self.record, field).unwrap_or(NO_STATE)
    }
}

/// The outcome of checking a requested-headers list.
enum HeaderCheck {
    Allowed,
    NotAllowed,
    Malformed,
}

impl<'a> Table<'a> {
    /// Evaluates `request` against the table.
    ///
    /// Costs O(length of the request's path and header values), whatever the
    /// number of origins, methods or headers the policies list.
    #[inline]
    pub fn eval<'r>(&self, request: &Request<'r>) -> Outcome<'r>
    where
        'a: 'r,
    {
        // Filled by `eval_into`, kept out of line: inlining it into every
        // caller measured slower.
        let mut result = outcome(Decision::Pass, Some(Reason::NoPolicy), None, None);
        self.eval_into(request, &mut result);
        result
    }

    #[inline(never)]
    fn eval_into<'r>(&self, request: &Request<'r>, result: &mut Outcome<'r>)
    where
        'a: 'r,
    {
        let Some(selected) = self.select(request.path) else {
            return;
        };
        result.reason = None;
        result.policy = Some(selected.name);
        let depends_on_origin = !selected.has(flags::ANY_ORIGIN);

        let Some(origin) = request.origin else {
            result.reason = Some(Reason::NotCors);
            if depends_on_origin {
                push(result, names::VARY, vary::ORIGIN);
            } else if self.check_method(&selected, request.method).is_ok() {
                // The Fetch standard's advice for `*` ("CORS protocol and HTTP
                // caches"): send the same headers to every request, CORS or
                // not, and no `Vary`; a cached response then suits both. A
                // method the policy denies gets nothing, as a CORS request
                // with it would, so the answer never depends on the Origin.
                push(result, names::ALLOW_ORIGIN, b"*");
                self.push_rendered(
                    result,
                    &selected,
                    names::EXPOSE_HEADERS,
                    policy::EXPOSE_HEADERS,
                );
            }
            return;
        };

        let preflight = request.method == b"OPTIONS" && request.request_method.is_some();
        let verdict = self.check_origin(&selected, origin).and_then(|()| {
            if preflight {
                self.check_preflight(&selected, request)
            } else {
                self.check_method(&selected, request.method)
            }
        });

        let allow_origin: &'r [u8] = if depends_on_origin { origin } else { b"*" };
        if preflight {
            let preflight_vary = if selected.has(flags::PRIVATE_NETWORK) {
                vary::PREFLIGHT_PRIVATE_NETWORK
            } else {
                vary::PREFLIGHT
            };
            match verdict {
                Ok(()) => {
                    result.decision = Decision::PreflightAllowed;
                    result.status = read_u16(selected.record, policy::PREFLIGHT_STATUS);
                    push_allow_origin(result, &selected, allow_origin);
                    self.push_rendered(
                        result,
                        &selected,
                        names::ALLOW_METHODS,
                        policy::ALLOW_METHODS,
                    );
                    self.push_rendered(
                        result,
                        &selected,
                        names::ALLOW_HEADERS,
                        policy::ALLOW_HEADERS,
                    );
                    self.push_rendered(result, &selected, names::MAX_AGE, policy::MAX_AGE);
                    if request.wants_private_network() {
                        push(result, names::ALLOW_PRIVATE_NETWORK, b"true");
                    }
                }
                Err(reason) => {
                    result.decision = Decision::PreflightDenied;
                    result.reason = Some(reason);
                    result.status = Some(403);
                }
            }
            push(result, names::VARY, preflight_vary);
        } else {
            match verdict {
                Ok(()) => {
                    result.decision = Decision::ActualAllowed;
                    push_allow_origin(result, &selected, allow_origin);
                    self.push_rendered(
                        result,
                        &selected,
                        names::EXPOSE_HEADERS,
                        policy::EXPOSE_HEADERS,
                    );
                }
                Err(reason) => {
                    result.decision = Decision::ActualDenied;
                    result.reason = Some(reason);
                }
            }
            if depends_on_origin {
                push(result, names::VARY, vary::ORIGIN);
            }
        }
    }

    /// The policy covering `path` (a request target: a `?` or `#` ends
    /// its path): the longest `paths` prefix that ends on a segment
    /// boundary, else the catch-all policy.
    fn select(&self, path: &[u8]) -> Option<Selected<'a>> {
        let automata = self.automata();
        let ends_at = |at: usize| matches!(path.get(at), None | Some(b'?' | b'#'));
        let mut chosen = self.catch_all();
        let (mut state, mut consumed) = match self.path_head() {
            // The start state, which does not accept, has this run as its
            // only way out.
            Some((run, target)) => match run_end(run, path, 0) {
                Some(end) => (target, end),
                None => (NO_STATE, 0),
            },
            None => (self.path_start(), 0),
        };
        // The dead state has no record, so a table without `paths` (or a
        // path leaving the automaton) ends the loop with the catch-all.
        while let Some(record) = automata.record(state) {
            let accept = accept_of(record);
            if accept != 0 {
                let at_boundary = consumed == 0
                    || path.get(consumed - 1) == Some(&b'/')
                    || path.get(consumed) == Some(&b'/')
                    || ends_at(consumed);
                if at_boundary {
                    chosen = accept - 1;
                }
                // A leaf (the end of the longest prefix on its branch):
                // no longer prefix can follow.
                if is_leaf(record) {
                    break;
                }
            }
            if ends_at(consumed) {
                break;
            }
            // A run holds neither `?` nor `#`, so taking it never skips the
            // end of the path.
            if let Some((target, after)) = automata.take_run(record, path, consumed) {
                (state, consumed) = (target, after);
                continue;
            }
            let byte = path.get(consumed).copied().unwrap_or_default();
            state = automata.step_from(record, byte);
            consumed += 1;
        }
        if chosen == NO_POLICY {
            return None;
        }
        let record = self.record(chosen)?;
        Some(Selected {
            name: self.string(record, policy::NAME)?,
            flags: read_u32(record, policy::FLAGS)?,
            record,
        })
    }

    fn check_origin(&self, selected: &Selected<'_>, origin: &[u8]) -> Result<(), Reason> {
        if selected.has(flags::ANY_ORIGIN) {
            return Ok(());
        }
        // The loader checked that every origin of the index is well formed,
        // so a match needs no other check. Anything else is checked before
        // the walks, not after: an allowed origin is echoed, so no table,
        // even a hand-made one whose automaton accepts control bytes, may
        // get a line break into a response.
        let origin_index = self.index_of(selected, policy::ORIGIN_INDEX);
        if origin_index.contains(origin, Compare::Exact) {
            return Ok(());
        }
        if is_malformed_origin(origin) {
            return Err(Reason::MalformedOrigin);
        }
        let automata = self.automata();
        if automata.accepts_taking_runs(selected.start(policy::ORIGIN_START), origin)
            || automata.accepts_reversed(selected.start(policy::WILDCARD_ORIGIN_START), origin)
        {
            Ok(())
        } else {
            Err(Reason::OriginNotAllowed)
        }
    }

    #[inline(always)]
    fn check_method(&self, selected: &Selected<'_>, method: &[u8]) -> Result<(), Reason> {
        let allowed = match method {
            b"GET" | b"HEAD" | b"POST" => true,
            _ => match methods::bit(method) {
                Some(bit) => read_u32(selected.record, policy::METHOD_BITS).unwrap_or(0) & bit != 0,
                None => self
                    .automata()
                    .accepts(selected.start(policy::METHOD_START), method),
            },
        };
        if allowed {
            Ok(())
        } else if is_token(method) {
            Err(Reason::MethodNotAllowed)
        } else {
            Err(Reason::MalformedRequest)
        }
    }

    fn check_preflight(
        &self,
        selected: &Selected<'_>,
        request: &Request<'_>,
    ) -> Result<(), Reason> {
        self.check_method(selected, request.request_method.unwrap_or_default())?;
        if let Some(list) = request.request_headers {
            match self.check_headers(selected, list) {
                HeaderCheck::Allowed => {}
                HeaderCheck::NotAllowed => return Err(Reason::HeaderNotAllowed),
                HeaderCheck::Malformed => return Err(Reason::MalformedRequest),
            }
        }
        if request.wants_private_network() && !selected.has(flags::PRIVATE_NETWORK) {
            return Err(Reason::PrivateNetworkNotAllowed);
        }
        Ok(())
    }

    /// Checks a comma-separated list of header names without storing them.
    /// What browsers send (the Fetch standard's "CORS-unsafe request-header
    /// names": lower case, sorted, joined by `,`, no whitespace) is, for a
    /// policy of few names, an entry of the header index itself: one
    /// lookup. Every other form of such a list (`content-type,
    /// authorization`, as proxies that join header lines write it;
    /// `Content-Type,Authorization`, as other clients do) is that entry too
    /// once lower-cased and without the whitespace around its commas: its
    /// [`NormalForm`], hashed as it is built a word at a time and looked
    /// up once (see [`list_found`]; on 32-bit targets, a list without
    /// whitespace is looked up ignoring case, one with some name by name).
    /// A list found so is well formed: its normal form equals a list of
    /// lower-case tokens, and normalizing only maps `A`..`Z` to `a`..`z` (a
    /// byte of 0x80 or above keeps its high bit) and drops whitespace next
    /// to a `,`. Other lists of listed names (more names than the index
    /// holds whole) are answered by [`all_names_listed`], one lookup per
    /// name; anything else (a malformed list, a name not listed, a policy
    /// with `allow-headers *`) by a check of the list's bytes and a look at
    /// each name. A malformed list wins over a name not allowed.
    fn check_headers(&self, selected: &Selected<'_>, list: &[u8]) -> HeaderCheck {
        let index = self.index_of(selected, policy::HEADER_INDEX);
        if list_found(index, list) {
            return HeaderCheck::Allowed;
        }
        check_other_headers(index, selected.has(flags::ANY_HEADER), list)
    }

    /// The index referenced at `field` of the selected policy's record
    /// (empty when it has none).
    #[inline(always)]
    fn index_of(&self, selected: &Selected<'_>, field: usize) -> Index<'a> {
        self.index(selected.record, field)
            .unwrap_or(Index::new(&[], &[]))
    }

    fn push_rendered<'r>(
        &self,
        result: &mut Outcome<'r>,
        selected: &Selected<'a>,
        name: &'static str,
        field: usize,
    ) where
        'a: 'r,
    {
        if let Some(value) = self.string(selected.record, field) {
            if !value.is_empty() {
                push(result, name, value);
            }
        }
    }
}

/// [`Table::check_headers`] for a list not found whole, out of line: the
/// code for other lists stays out of the browsers' path.
#[inline(never)]
fn check_other_headers(index: Index<'_>, any_header: bool, list: &[u8]) -> HeaderCheck {
    if whole_list_listed(index, list) || all_names_listed(index, list) {
        return HeaderCheck::Allowed;
    }
    if check_header_list(list).is_err() {
        return HeaderCheck::Malformed;
    }
    if header_names(list).all(|name| name_allowed(index, any_header, name)) {
        HeaderCheck::Allowed
    } else {
        HeaderCheck::NotAllowed
    }
}

/// Whether `list` is an entry of the header `index` as it is or in its
/// [`NormalForm`]. One pass over a list that does not start with an
/// upper-case letter (which browsers never send) hashes it until it meets
/// a byte below `!`: a list without is then looked up with no other pass
/// (not found, it is looked up ignoring case by [`whole_list_listed`],
/// out of line, if it has an upper-case letter). A list with a byte below
/// `!` or starting in upper case has its normal form looked up.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn list_found(index: Index<'_>, list: &[u8]) -> bool {
    if index.is_empty() {
        return false;
    }
    let upper_first = list.first().is_some_and(u8::is_ascii_uppercase);
    if !upper_first {
        if let Some(hash) = hash_plain_list(list) {
            return index.contains_hashed(hash, |entry| origin_index::eq(entry, list));
        }
    }
    let mut normal = NormalForm::EMPTY;
    match normal.build(list) {
        Normalized::Hash(hash) => index.contains_hashed(hash, |entry| normal.matches(entry)),
        Normalized::Absent => false,
        Normalized::Bytewise => normal_bytes_listed(index, list),
    }
}

/// [`list_found`] for a list whose normal form is built a byte at a time
/// ([`Normalized::Bytewise`]), out of line: it needs a buffer for the
/// longest normal form.
#[cfg(target_pointer_width = "64")]
#[inline(never)]
fn normal_bytes_listed(index: Index<'_>, list: &[u8]) -> bool {
    let mut bytes = [0; MAX_NORMAL_LIST];
    normal_bytes(list, &mut bytes)
        .is_some_and(|normal| !normal.is_empty() && index.contains(normal, Compare::Exact))
}

/// [`list_found`] on 32-bit targets (firmware), where code size matters
/// most: one exact lookup, skipped for a list that starts with an
/// upper-case letter (which browsers never send); other forms are answered
/// by [`whole_list_listed`] or name by name (the same answer), so that no
/// normalizer is linked.
#[cfg(not(target_pointer_width = "64"))]
#[inline(always)]
fn list_found(index: Index<'_>, list: &[u8]) -> bool {
    !list.first().is_some_and(u8::is_ascii_uppercase) && index.contains(list, Compare::Exact)
}

/// Whether `list` has no byte below `!` and is an entry of the header
/// `index` ignoring case: its normal form, for the lists [`list_found`]
/// does not normalize. On 64-bit targets, those that do not start with an
/// upper-case letter and have one further on (one without is its own
/// normal form, already looked up: the lists browsers send for a policy of
/// more names than its index holds whole); on 32-bit targets, every list
/// (a list with whitespace is answered name by name there). A list found
/// so is well formed (see [`Table::check_headers`]).
#[inline(always)]
fn whole_list_listed(index: Index<'_>, list: &[u8]) -> bool {
    #[cfg(target_pointer_width = "64")]
    if list.first().is_some_and(u8::is_ascii_uppercase) || !has_ascii_upper(list) {
        return false;
    }
    !list.iter().any(|&b| b < b'!') && index.contains(list, Compare::IgnoringCase)
}

/// Whether every element of `list` is empty or, in any case, a name of
/// the header `index`, with or without whitespace around it. Such a list
/// is well formed (the entries are lower-case tokens, and a name equal to
/// one in any case is a token), so a `true` here is the answer the full
/// check would give; on `false` the full check decides (it may still allow
/// the list, or call it malformed). A list that is not ASCII is left to the
/// full check.
#[inline]
fn all_names_listed(index: Index<'_>, list: &[u8]) -> bool {
    !index.is_empty()
        && list.is_ascii()
        && header_names(list)
            .all(|name| name.is_empty() || index.contains(name, Compare::IgnoringCase))
}

/// Whether a requested header `name` (a token, or empty for an empty list
/// element, which is allowed) is allowed by a policy whose header index is
/// `index` (and which has `allow-headers *` when `any_header`).
#[inline(always)]
fn name_allowed(index: Index<'_>, any_header: bool, name: &[u8]) -> bool {
    name.is_empty()
        || index.contains(name, Compare::IgnoringCase)
        || (any_header && !name.eq_ignore_ascii_case(b"authorization"))
}

/// `Access-Control-Allow-Origin`, and `-Allow-Credentials` when the policy has them.
fn push_allow_origin<'r>(
    result: &mut Outcome<'r>,
    selected: &Selected<'_>,
    allow_origin: &'r [u8],
) {
    push(result, names::ALLOW_ORIGIN, allow_origin);
    if selected.has(flags::CREDENTIALS) {
        push(result, names::ALLOW_CREDENTIALS, b"true");
    }
}

fn outcome<'r>(
    decision: Decision,
    reason: Option<Reason>,
    policy: Option<&'r [u8]>,
    status: Option<u16>,
) -> Outcome<'r> {
    Outcome {
        decision,
        reason,
        policy,
        status,
        headers: heapless::Vec::new(),
    }
}

/// Adds a header. An outcome never holds more than `MAX_HEADERS`, so the
/// push cannot fail; were it to, dropping a header beats panicking.
fn push<'r>(result: &mut Outcome<'r>, name: &'static str, value: &'r [u8]) {
    let _ = result.headers.push(Header { name, value });
}
