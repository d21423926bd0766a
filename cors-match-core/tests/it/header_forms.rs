//! Every form of a requested-headers list gets the answer of the form
//! browsers send: the order of the names, their case, and whitespace
//! around the commas change nothing, while whitespace inside a name, a
//! control byte or an unlisted name still do. The golden table's `api`
//! policy allows `content-type`, `authorization` and `x-requested-with`
//! (few enough names for its header index to hold every list of them
//! whole, which is the path these forms take).

use cors_match_core::{Decision, Reason, Request, Table};

const TABLE: &[u8] = include_bytes!("../fixtures/api.cors");
const NAMES: [&str; 3] = ["Content-Type", "Authorization", "X-Requested-With"];
const SEPARATORS: [&str; 6] = [",", ", ", " ,", " , ", ",\t", "\t,  "];

fn decide(table: &Table<'_>, headers: &[u8]) -> (Decision, Option<Reason>) {
    let outcome = table.eval(&Request {
        method: b"OPTIONS",
        path: b"/api/users",
        origin: Some(b"https://app.example.com"),
        request_method: Some(b"PUT"),
        request_headers: Some(headers),
        request_private_network: None,
    });
    (outcome.decision, outcome.reason)
}

/// Every ordering of every non-empty subset of `NAMES`.
fn lists() -> Vec<Vec<&'static str>> {
    fn extend(prefix: &mut Vec<&'static str>, out: &mut Vec<Vec<&'static str>>) {
        for name in NAMES {
            if !prefix.contains(&name) {
                prefix.push(name);
                out.push(prefix.clone());
                extend(prefix, out);
                prefix.pop();
            }
        }
    }
    let mut out = Vec::new();
    extend(&mut Vec::new(), &mut out);
    out
}

/// `names` joined by `separator`, each in the case `case` gives it.
fn join(names: &[&str], separator: &str, case: fn(&str) -> String) -> String {
    names
        .iter()
        .map(|name| case(name))
        .collect::<Vec<_>>()
        .join(separator)
}

const CASES: [fn(&str) -> String; 3] = [
    str::to_ascii_lowercase,
    str::to_string,
    str::to_ascii_uppercase,
];

#[test]
fn every_order_case_and_spacing_of_allowed_names_is_allowed() {
    let table = Table::from_bytes(TABLE).expect("loads");
    let allowed = (Decision::PreflightAllowed, None);
    let lists = lists();
    assert_eq!(lists.len(), 15);
    for names in &lists {
        for separator in SEPARATORS {
            for case in CASES {
                let list = join(names, separator, case);
                assert_eq!(decide(&table, list.as_bytes()), allowed, "{list:?}");
                for (before, after) in [
                    (" ", ""),
                    ("", "\t"),
                    ("\t ", "  "),
                    (",", ","),
                    (" ,", ", "),
                ] {
                    let padded = format!("{before}{list}{after}");
                    assert_eq!(decide(&table, padded.as_bytes()), allowed, "{padded:?}");
                }
            }
        }
    }
}

#[test]
fn whitespace_inside_a_name_or_a_control_byte_is_malformed_in_every_spacing() {
    let table = Table::from_bytes(TABLE).expect("loads");
    let malformed = (Decision::PreflightDenied, Some(Reason::MalformedRequest));
    for names in lists() {
        for separator in SEPARATORS {
            let list = join(&names, separator, str::to_ascii_lowercase);
            // `content type`, `authori\tzation`: whitespace between two
            // bytes of a name, which must not be read as one name.
            for at in 1..list.len() {
                let (head, tail) = list.split_at(at);
                let (last, next) = (head.as_bytes()[at - 1], tail.as_bytes()[0]);
                let in_name = |b: u8| !matches!(b, b',' | b' ' | b'\t');
                if in_name(last) && in_name(next) {
                    for inserted in [" ", "\t", "  ", "\x01", "\x00", "\x7f"] {
                        let bad = format!("{head}{inserted}{tail}");
                        assert_eq!(decide(&table, bad.as_bytes()), malformed, "{bad:?}");
                    }
                }
                // A control byte anywhere else is malformed too.
                let bad = format!("{head}\x0b{tail}");
                assert_eq!(decide(&table, bad.as_bytes()), malformed, "{bad:?}");
            }
        }
    }
}

#[test]
fn an_unlisted_name_is_not_allowed_in_every_spacing() {
    let table = Table::from_bytes(TABLE).expect("loads");
    let not_allowed = (Decision::PreflightDenied, Some(Reason::HeaderNotAllowed));
    for names in lists() {
        for separator in SEPARATORS {
            for extra in [
                "x-other",
                "content-typ",
                "authorizations",
                "X-Requested-Wit",
            ] {
                for at in 0..=names.len() {
                    let mut with = names.clone();
                    with.insert(at, extra);
                    let list = join(&with, separator, str::to_string);
                    assert_eq!(decide(&table, list.as_bytes()), not_allowed, "{list:?}");
                }
            }
        }
    }
}
