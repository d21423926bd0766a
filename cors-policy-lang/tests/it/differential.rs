//! Differential tests: the table-driven evaluator of `cors-match-core`
//! against the naive reference evaluator, on random valid policy sets and
//! random requests biased towards the patterns of those sets.
//!
//! Property: `Table::from_bytes(&compile(&set)).eval(&req)` equals
//! `reference::evaluate(&set, &req)` field by field (decision, reason,
//! policy, status, headers in order).

use std::collections::BTreeMap;

use cors_match_core::outcome::names;
use cors_match_core::{Decision, Reason, Table};
use cors_policy_lang::compile::compile;
use cors_policy_lang::model::{
    Host, OriginPattern, Origins, Policy, PolicySet, PortPattern, TupleOrigin,
};
use cors_policy_lang::reference::{self, RefOutcome};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::sync::OnceLock;

use crate::support::*;
use cors_testing::check_invariants;

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

fn compare(
    set: &PolicySet,
    table: &Table<'_>,
    request: &OwnedRequest,
) -> Result<(), TestCaseError> {
    let request = request.as_request();
    let fast = owned(&table.eval(&request));
    let slow = reference::evaluate(set, &request);
    prop_assert_eq!(
        &fast,
        &slow,
        "table (left) and reference (right) disagree on {:?}\nset: {:#?}",
        request,
        set
    );
    check_invariants(&fast).map_err(TestCaseError::fail)?;
    check_invariants(&slow).map_err(TestCaseError::fail)?;
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    /// Each generated set is compiled once and asked many requests.
    #[test]
    fn table_eval_equals_reference(
        set in set_strategy(),
        raws in prop::collection::vec(raw_request_strategy(), 1..48),
    ) {
        let bytes = compile(&set).expect("a small set compiles");
        let table = Table::from_bytes(&bytes).expect("a compiled table loads");
        prop_assert_eq!(table.policy_count(), set.policies.len());
        for raw in &raws {
            compare(&set, &table, &realize(&set, raw))?;
        }
    }

    /// Hostile bytes anywhere in the request: still equal, still no panic.
    #[test]
    fn table_eval_equals_reference_on_arbitrary_bytes(
        which in any::<Index>(),
        method in prop::collection::vec(any::<u8>(), 0..8),
        path in prop::collection::vec(any::<u8>(), 0..12),
        origin in prop::option::of(prop::collection::vec(any::<u8>(), 0..24)),
        request_method in prop::option::of(prop::collection::vec(any::<u8>(), 0..8)),
        request_headers in prop::option::of(prop::collection::vec(any::<u8>(), 0..24)),
        request_private_network in prop::option::of(prop::collection::vec(any::<u8>(), 0..6)),
    ) {
        let (set, bytes) = &pool()[which.index(POOL_SIZE)];
        let table = Table::from_bytes(bytes).expect("a compiled table loads");
        let request = OwnedRequest {
            method,
            path,
            origin,
            request_method,
            request_headers,
            request_private_network,
        };
        compare(set, &table, &request)?;
    }
}

const POOL_SIZE: usize = 12;

/// A few random sets, compiled once (compiling `:*` is slow in debug builds).
fn pool() -> &'static [(PolicySet, Vec<u8>)] {
    static POOL: OnceLock<Vec<(PolicySet, Vec<u8>)>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut runner = deterministic_runner();
        (0..POOL_SIZE)
            .map(|_| {
                let set = set_strategy().new_tree(&mut runner).unwrap().current();
                let bytes = compile(&set).expect("a small set compiles");
                (set, bytes)
            })
            .collect()
    })
}

fn deterministic_runner() -> TestRunner {
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

/// The generators are only useful if they reach every decision and every
/// reason; this keeps the bias honest (a change that makes, say, allowed
/// preflights unreachable fails here rather than silently weakening the
/// differential property).
#[test]
fn generators_reach_every_decision_and_reason() {
    let mut runner = deterministic_runner();
    let strategy = (
        set_strategy(),
        prop::collection::vec(raw_request_strategy(), 16),
    );
    let mut decisions: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    for _ in 0..200 {
        let (set, raws) = strategy.new_tree(&mut runner).unwrap().current();
        for raw in &raws {
            let request = realize(&set, raw);
            let outcome = reference::evaluate(&set, &request.as_request());
            *decisions.entry(outcome.decision.as_str()).or_default() += 1;
            if let Some(reason) = outcome.reason {
                *reasons.entry(reason.as_str()).or_default() += 1;
            }
        }
    }
    eprintln!("decisions: {decisions:?}\nreasons: {reasons:?}");
    let all_decisions = Decision::ALL;
    let all_reasons = Reason::ALL;
    for decision in all_decisions {
        let seen = decisions.get(decision.as_str()).copied().unwrap_or(0);
        assert!(seen >= 20, "{decision} reached {seen} times: {decisions:?}");
    }
    for reason in all_reasons {
        let seen = reasons.get(reason.as_str()).copied().unwrap_or(0);
        assert!(seen >= 10, "{reason} reached {seen} times: {reasons:?}");
    }
}

/// The comparison itself can fail: a deliberately wrong "reference" answer
/// is caught.
#[test]
fn comparison_detects_a_difference() {
    let mut policy = Policy::new(
        "p",
        Origins::List(vec![OriginPattern::Tuple(TupleOrigin {
            scheme: "https".into(),
            host: Host::Domain("a.com".into()),
            any_subdomain: true,
            port: PortPattern::Any,
        })]),
    );
    policy.methods = vec!["PUT".into()];
    let set = PolicySet {
        policies: vec![policy],
    };
    let bytes = compile(&set).unwrap();
    let table = Table::from_bytes(&bytes).unwrap();
    let request = OwnedRequest {
        method: b"GET".to_vec(),
        path: b"/".to_vec(),
        origin: Some(b"https://b.a.com:8443".to_vec()),
        request_method: None,
        request_headers: None,
        request_private_network: None,
    };
    assert!(compare(&set, &table, &request).is_ok());
    let mut other = set.clone();
    other.policies[0].origins = Origins::Any;
    assert!(compare(&other, &table, &request).is_err());
    let bad = RefOutcome {
        decision: Decision::ActualDenied,
        reason: Some(Reason::OriginNotAllowed),
        policy: None,
        status: None,
        headers: vec![(names::ALLOW_ORIGIN, b"*".to_vec())],
    };
    assert!(check_invariants(&bad).is_err());
}

/// Each letter after a byte that is not a letter in upper case.
fn title_case(value: &str) -> String {
    let mut after_letter = false;
    value
        .chars()
        .map(|c| {
            let title = if after_letter {
                c
            } else {
                c.to_ascii_uppercase()
            };
            after_letter = c.is_ascii_alphabetic();
            title
        })
        .collect()
}

/// The header index holds whole lists for policies of up to six names
/// (every order up to four, browsers' sorted order up to six) and names
/// alone beyond: whatever path eval takes, every list of allowed names is
/// allowed, and every answer equals the reference's.
#[test]
fn header_lists_in_every_index_regime_equal_the_reference() {
    let all = [
        "x-g",
        "content-type",
        "x-a",
        "authorization",
        "x-b",
        "if-match",
        "x-c",
    ];
    for count in [1, 2, 4, 5, 6, 7] {
        let mut policy = Policy::new(
            "p",
            Origins::List(vec![OriginPattern::Tuple(TupleOrigin {
                scheme: "https".into(),
                host: Host::Domain("a.com".into()),
                any_subdomain: false,
                port: PortPattern::Default,
            })]),
        );
        policy.methods = vec!["PUT".into()];
        policy.allow_headers.names = all[..count].iter().map(|n| n.to_string()).collect();
        let set = PolicySet {
            policies: vec![policy],
        };
        let bytes = compile(&set).unwrap();
        let table = Table::from_bytes(&bytes).unwrap();
        let mut candidates: Vec<&str> = all[..count].to_vec();
        candidates.push("x-z");
        // Every list of up to three distinct candidates, in every order.
        let mut lists: Vec<Vec<&str>> = candidates.iter().map(|&n| vec![n]).collect();
        for a in &candidates {
            for b in &candidates {
                for c in candidates.iter().map(Some).chain([None]) {
                    if a != b && c.is_none_or(|c| c != a && c != b) {
                        lists.push(
                            [Some(a), Some(b), c]
                                .into_iter()
                                .flatten()
                                .copied()
                                .collect(),
                        );
                    }
                }
            }
        }
        for names in &lists {
            let allowed = !names.contains(&"x-z");
            // The separators and cases clients send: each path of eval's
            // (the exact lookup, the lookup ignoring case, the normal form).
            for separator in [",", ", ", " , ", ",\t", " ,"] {
                for case in 0..4 {
                    let mut value = names.join(separator);
                    match case {
                        1 => value = value.to_ascii_uppercase(),
                        // Title case, as `Content-Type`, and whitespace
                        // before the list.
                        2 => value = format!(" {}", title_case(&value)),
                        // Lower case first, title case after
                        // (`x-g,Content-Type`): upper case only past the
                        // first byte.
                        3 => {
                            if let Some((first, rest)) = value.split_once(separator) {
                                value = format!("{first}{separator}{}", title_case(rest));
                            }
                        }
                        _ => {}
                    }
                    let request = OwnedRequest {
                        method: b"OPTIONS".to_vec(),
                        path: b"/".to_vec(),
                        origin: Some(b"https://a.com".to_vec()),
                        request_method: Some(b"PUT".to_vec()),
                        request_headers: Some(value.clone().into_bytes()),
                        request_private_network: None,
                    };
                    compare(&set, &table, &request)
                        .unwrap_or_else(|e| panic!("{count} names, {value:?}: {e}"));
                    let decision = table.eval(&request.as_request()).decision;
                    let expected = if allowed {
                        Decision::PreflightAllowed
                    } else {
                        Decision::PreflightDenied
                    };
                    assert_eq!(decision, expected, "{count} names, {value:?}");
                }
            }
        }
        // Lists the normal form must not make well formed: whitespace
        // inside a name or between names, control bytes next to a comma.
        let first = all[0];
        let last = all[count - 1];
        // A listed name with whitespace inside (`content -type`) is no name.
        let (head, tail) = last.split_at(last.len() / 2);
        for value in [
            format!("{head} {tail}"),
            format!("{first}, {head}\t{tail}"),
            format!("{head} {}", tail.to_ascii_uppercase()),
            format!("{first} {last}"),
            format!("{first} ,{last} x"),
            format!("{first},\x01{last}"),
            format!("{first}\x00,{last}"),
            format!("{first},{last}\r"),
            format!("{first}, ,{last}"),
            format!("{}{}", first.to_ascii_uppercase(), "\t\t"),
        ] {
            let request = OwnedRequest {
                method: b"OPTIONS".to_vec(),
                path: b"/".to_vec(),
                origin: Some(b"https://a.com".to_vec()),
                request_method: Some(b"PUT".to_vec()),
                request_headers: Some(value.clone().into_bytes()),
                request_private_network: None,
            };
            compare(&set, &table, &request)
                .unwrap_or_else(|e| panic!("{count} names, {value:?}: {e}"));
        }
    }
}
