//! Evaluating a request against a loaded table: the contract of DESIGN.md's
//! "Evaluation semantics". Nothing here allocates, formats or panics: every
//! header value is a slice of the table, the request, or static text.

use crate::automaton::{Automata, Walk};
use crate::format::{flags, policy, read_u16, read_u32, MAX_ORIGIN_LEN, NO_POLICY, NO_STATE};
use crate::load::Policy;
use crate::outcome::{names, vary, Decision, Header, Outcome, Reason};
use crate::request::{trim_ows, Request};

/// For each byte: itself in lower case when it is an RFC 9110 `tchar`, 0
/// (never a `tchar`) otherwise. One load per byte instead of a chain of
/// range checks on the header-list hot path.
const LOWER_TCHAR: [u8; 256] = lower_tchar_table();

const fn lower_tchar_table() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut byte = 0usize;
    while byte < 256 {
        let b = byte as u8;
        let tchar = matches!(b,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
            | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+'
            | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        if tchar {
            table[byte] = b.to_ascii_lowercase();
        }
        byte += 1;
    }
    table
}

/// RFC 9110 `tchar`.
#[inline]
pub(crate) fn is_tchar(byte: u8) -> bool {
    LOWER_TCHAR[byte as usize] != 0
}

fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// An `Origin` value that no browser could send.
fn is_malformed_origin(origin: &[u8]) -> bool {
    origin.is_empty()
        || origin.len() > MAX_ORIGIN_LEN
        || origin.iter().any(|&b| !ORIGIN_BYTE[b as usize])
}

/// The bytes a serialized origin may hold: visible ASCII except `,`.
const ORIGIN_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0x21;
    while byte <= 0x7E {
        table[byte] = byte != b',' as usize;
        byte += 1;
    }
    table
};

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

impl<'a> Policy<'a> {
    /// Evaluates `request` against the table.
    ///
    /// Costs O(length of the request's path and header values), whatever the
    /// number of origins, methods or headers the policies list.
    pub fn eval<'r>(&self, request: &Request<'r>) -> Outcome<'r>
    where
        'a: 'r,
    {
        let Some(selected) = self.select(request.path_without_query()) else {
            return outcome(Decision::Pass, Some(Reason::NoPolicy), None, None);
        };
        let mut result = outcome(Decision::Pass, None, Some(selected.name), None);
        let depends_on_origin = !selected.has(flags::ANY_ORIGIN);

        let Some(origin) = request.origin else {
            result.reason = Some(Reason::NotCors);
            if depends_on_origin {
                push(&mut result, names::VARY, vary::ORIGIN);
            } else if self.check_method(&selected, request.method).is_ok() {
                // The Fetch standard's advice for `*` ("CORS protocol and HTTP
                // caches"): send the same headers to every request, CORS or
                // not, and no `Vary`; a cached response then suits both. A
                // method the policy denies gets nothing, as a CORS request
                // with it would, so the answer never depends on the Origin.
                push(&mut result, names::ALLOW_ORIGIN, b"*");
                self.push_rendered(
                    &mut result,
                    &selected,
                    names::EXPOSE_HEADERS,
                    policy::EXPOSE_HEADERS,
                );
            }
            return result;
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
                    push_allow_origin(&mut result, &selected, allow_origin);
                    self.push_rendered(
                        &mut result,
                        &selected,
                        names::ALLOW_METHODS,
                        policy::ALLOW_METHODS,
                    );
                    self.push_rendered(
                        &mut result,
                        &selected,
                        names::ALLOW_HEADERS,
                        policy::ALLOW_HEADERS,
                    );
                    self.push_rendered(&mut result, &selected, names::MAX_AGE, policy::MAX_AGE);
                    if request.wants_private_network() {
                        push(&mut result, names::ALLOW_PRIVATE_NETWORK, b"true");
                    }
                }
                Err(reason) => {
                    result.decision = Decision::PreflightDenied;
                    result.reason = Some(reason);
                    result.status = Some(403);
                }
            }
            push(&mut result, names::VARY, preflight_vary);
        } else {
            match verdict {
                Ok(()) => {
                    result.decision = Decision::ActualAllowed;
                    push_allow_origin(&mut result, &selected, allow_origin);
                    self.push_rendered(
                        &mut result,
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
                push(&mut result, names::VARY, vary::ORIGIN);
            }
        }
        result
    }

    /// The policy covering `path`: the longest `paths` prefix that ends on a
    /// segment boundary, else the catch-all policy.
    fn select(&self, path: &[u8]) -> Option<Selected<'a>> {
        let mut chosen = self.catch_all;
        if self.path_start != NO_STATE {
            let mut state = self.path_start;
            for consumed in 0..=path.len() {
                let accept = self.automata.accept(state);
                if accept != 0 {
                    let at_boundary = consumed == 0
                        || path.get(consumed - 1) == Some(&b'/')
                        || matches!(path.get(consumed), None | Some(b'/'));
                    if at_boundary {
                        chosen = accept - 1;
                    }
                }
                match path
                    .get(consumed)
                    .and_then(|&b| self.automata.step(state, b))
                {
                    Some(next) => state = next,
                    None => break,
                }
            }
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
        // Checked before the walk, not after: an allowed origin is echoed,
        // so no table, even a hand-made one whose automaton accepts control
        // bytes, may get a line break into a response.
        if is_malformed_origin(origin) {
            return Err(Reason::MalformedOrigin);
        }
        let automata = &self.automata;
        if self.index_contains(selected.record, origin)
            || automata.accepts(selected.start(policy::ORIGIN_START), origin)
            || automata.accepts_reversed(selected.start(policy::WILDCARD_ORIGIN_START), origin)
        {
            Ok(())
        } else {
            Err(Reason::OriginNotAllowed)
        }
    }

    fn check_method(&self, selected: &Selected<'_>, method: &[u8]) -> Result<(), Reason> {
        if !is_token(method) {
            return Err(Reason::MalformedRequest);
        }
        let safelisted = matches!(method, b"GET" | b"HEAD" | b"POST");
        if safelisted
            || self
                .automata
                .accepts(selected.start(policy::METHOD_START), method)
        {
            Ok(())
        } else {
            Err(Reason::MethodNotAllowed)
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

    /// Checks a comma-separated list of header names in one pass, without
    /// storing names: each name is fed to the allowed-headers automaton as
    /// it is scanned. A malformed list wins over a name not allowed.
    fn check_headers(&self, selected: &Selected<'_>, list: &[u8]) -> HeaderCheck {
        let automata: &Automata<'_> = &self.automata;
        let start = selected.start(policy::HEADER_START);
        let any_header = selected.has(flags::ANY_HEADER);
        let mut all_allowed = true;
        for element in list.split(|&b| b == b',') {
            let name = trim_ows(element);
            if name.is_empty() {
                continue;
            }
            let mut walk = Walk::new(start);
            for &byte in name {
                let lower = LOWER_TCHAR[byte as usize];
                if lower == 0 {
                    return HeaderCheck::Malformed;
                }
                walk.feed(automata, lower);
            }
            let allowed = walk.accepted(automata)
                || (any_header && !name.eq_ignore_ascii_case(b"authorization"));
            all_allowed &= allowed;
        }
        if all_allowed {
            HeaderCheck::Allowed
        } else {
            HeaderCheck::NotAllowed
        }
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
