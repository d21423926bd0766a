//! A small deterministic automaton that reads a host byte by byte and tells,
//! at its end, whether it is a loopback host: `localhost`, a name under
//! `.localhost`, `127.x.y.z` or `[::1]`. The safety search runs it beside the
//! regex's automaton, so "no `http://` origin but loopback ones" is decided
//! exactly on the language, not on how the pattern is written.

/// A matcher that has seen a byte its pattern does not allow there.
const DIVERGED: u8 = u8::MAX;
const LOCALHOST: &[u8] = b"localhost";
const DOT_LOCALHOST: &[u8] = b".localhost";
const IPV6_LOOPBACK: &[u8] = b"[::1]";

/// Every byte the automaton treats differently from the others: a search
/// that runs it must give each its own byte class.
pub(super) const SIGNIFICANT_BYTES: &[u8] = b"localhost.[]:0123456789";

/// Where the automaton is after some host bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Loopback {
    /// Bytes of `localhost` matched from the host's start.
    localhost: u8,
    /// The longest prefix of `.localhost` that ends the host so far.
    dot_localhost: u8,
    /// Progress through `127 . digits . digits . digits`, see [`ipv4_step`].
    ipv4: u8,
    /// Bytes of `[::1]` matched from the host's start.
    ipv6: u8,
}

impl Loopback {
    /// Before the host's first byte.
    pub(super) const START: Loopback = Loopback {
        localhost: 0,
        dot_localhost: 0,
        ipv4: 0,
        ipv6: 0,
    };

    /// The automaton after `byte`.
    pub(super) fn step(self, byte: u8) -> Loopback {
        Loopback {
            localhost: exact_step(LOCALHOST, self.localhost, byte),
            dot_localhost: ends_with_step(DOT_LOCALHOST, self.dot_localhost, byte),
            ipv4: ipv4_step(self.ipv4, byte),
            ipv6: exact_step(IPV6_LOOPBACK, self.ipv6, byte),
        }
    }

    /// Whether the host read so far is a loopback host.
    pub(super) fn accepts(self) -> bool {
        usize::from(self.localhost) == LOCALHOST.len()
            || usize::from(self.dot_localhost) == DOT_LOCALHOST.len()
            || self.ipv4 == IPV4_LAST_OCTET
            || usize::from(self.ipv6) == IPV6_LOOPBACK.len()
    }
}

/// Matching all of `pattern` from the start: `matched` bytes so far.
fn exact_step(pattern: &[u8], matched: u8, byte: u8) -> u8 {
    match pattern.get(usize::from(matched)) {
        Some(&expected) if matched != DIVERGED && expected == byte => matched + 1,
        _ => DIVERGED,
    }
}

/// Knuth-Morris-Pratt without a table (the pattern is ten bytes): the
/// longest prefix of `pattern` that ends the input after `byte`.
fn ends_with_step(pattern: &[u8], matched: u8, byte: u8) -> u8 {
    let matched = usize::from(matched);
    let mut seen = pattern[..matched.min(pattern.len())].to_vec();
    seen.push(byte);
    (0..=seen.len().min(pattern.len()))
        .rev()
        .find(|&len| seen.ends_with(&pattern[..len]))
        .unwrap_or(0) as u8
}

const IPV4_LAST_OCTET: u8 = 9;

/// `127.d+.d+.d+` (a browser serializes IPv4 hosts in this dotted form):
/// states 1-3 are `1`, `12`, `127`; then dot and digits of each octet.
fn ipv4_step(state: u8, byte: u8) -> u8 {
    match (state, byte) {
        (0, b'1') => 1,
        (1, b'2') => 2,
        (2, b'7') => 3,
        (3, b'.') | (5, b'.') | (7, b'.') => state + 1,
        (4..=9, b'0'..=b'9') if state.is_multiple_of(2) && state != 0 => state + 1,
        (5 | 7 | 9, b'0'..=b'9') => state,
        _ => DIVERGED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_loopback(host: &str) -> bool {
        host.bytes()
            .fold(Loopback::default(), Loopback::step)
            .accepts()
    }

    #[test]
    fn tells_loopback_hosts() {
        for host in [
            "localhost",
            "a.localhost",
            "x.y.localhost",
            "lo.localhost",
            "localhost.localhost",
            "127.0.0.1",
            "127.255.10.3",
            "[::1]",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "",
            "localhos",
            "localhostx",
            "xlocalhost",
            "localhost.com",
            "localhost.evil.com",
            "127.0.0",
            "127.0.0.1.evil.com",
            "1127.0.0.1",
            "128.0.0.1",
            "127.0..1",
            "[::2]",
            "[::1]x",
            "example.com",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn significant_bytes_cover_every_distinction() {
        // Any byte outside the list behaves like any other outside it.
        for state in [
            Loopback::default(),
            "l".bytes().fold(Loopback::default(), Loopback::step),
            "127.0".bytes().fold(Loopback::default(), Loopback::step),
            "a.localhos"
                .bytes()
                .fold(Loopback::default(), Loopback::step),
        ] {
            let reference = state.step(b'x');
            for byte in 0..=255u8 {
                if !SIGNIFICANT_BYTES.contains(&byte) {
                    assert_eq!(state.step(byte), reference, "{byte}");
                }
            }
        }
    }
}
