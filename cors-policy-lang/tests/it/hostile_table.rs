//! Tables the loader accepts but our compiler would never write: eval must
//! still never put attacker bytes with a line break into a response.

use cors_match_core::format::{self, header, state, STATE_LEN, TRANSITION_LEN};
use cors_match_core::{Decision, Reason, Request, Table};

fn read_u32(table: &[u8], offset: usize) -> usize {
    format::read_u32(table, offset).expect("header field") as usize
}

/// Widens the wildcard-label ranges `-` and `0-9` so that the label loop
/// also accepts control bytes, space, `:` and `=`; ranges stay sorted and
/// disjoint, and the checksum is recomputed, so the loader accepts it.
fn widen_label_ranges(table: &mut [u8]) -> usize {
    let mut widened = 0;
    let mut widen = |pair: &mut [u8]| match (pair[0], pair[1]) {
        (b'-', b'-') => {
            pair[0] = 0x00;
            widened += 1;
        }
        (b'0', b'9') => {
            pair[1] = b'=';
            widened += 1;
        }
        _ => {}
    };
    let states = read_u32(table, header::STATES_OFFSET);
    for index in 0..read_u32(table, header::STATE_COUNT) {
        let at = states + index * STATE_LEN + state::FIRST_LO;
        widen(&mut table[at..at + 2]);
    }
    let transitions = read_u32(table, header::TRANSITIONS_OFFSET);
    for index in 0..read_u32(table, header::TRANSITION_COUNT) {
        let at = transitions + index * TRANSITION_LEN;
        widen(&mut table[at..at + 2]);
    }
    let checksum = format::checksum(table).expect("table has a header");
    table[header::CHECKSUM..header::CHECKSUM + 4].copy_from_slice(&checksum.to_le_bytes());
    widened
}

#[test]
fn a_tampered_automaton_cannot_echo_a_line_break() {
    let source = "policy p { origins https://*.example.com; credentials on; }";
    let mut table = cors_policy_lang::compile(source)
        .unwrap_or_else(|failure| panic!("compiles: {failure}"))
        .table;
    assert!(
        widen_label_ranges(&mut table) > 0,
        "the label ranges were found"
    );
    let policy = Table::from_bytes(&table)
        .unwrap_or_else(|e| panic!("the tampered table still loads: {e:?}"));

    let mut request = Request::new(b"GET", b"/");
    // The tampering worked: an origin with a space and `=` in a label matches.
    request.origin = Some(b"https://a=b.example.com");
    assert_eq!(policy.eval(&request).decision, Decision::ActualAllowed);

    let injected: &[u8] = b"https://x\r\nset-cookie: a=b\r\nx.example.com";
    request.origin = Some(injected);
    let outcome = policy.eval(&request);
    assert_eq!(outcome.decision, Decision::ActualDenied);
    assert_eq!(outcome.reason, Some(Reason::MalformedOrigin));
    for header in &outcome.headers {
        assert!(
            !header.value.iter().any(|&b| b == b'\r' || b == b'\n'),
            "{}: {:?}",
            header.name,
            header.value
        );
    }
}
