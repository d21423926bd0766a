//! Security properties of every answer, on random valid policy sets and
//! random requests (the generators of the differential suite, in
//! `support/`), each checked on the compiled table:
//!
//! - no response carries `Access-Control-Allow-Origin: *` with credentials;
//! - a denied request never carries an `Access-Control-Allow-*` header;
//! - whenever the response to a cacheable (non-`OPTIONS`) request depends
//!   on the `Origin`, it says so with `Vary: Origin`;
//! - the answer does not depend on the order of origin patterns or of
//!   policies;
//! - every single-bit flip and every truncation of a compiled table is
//!   rejected by the loader.
//!
//! The 1 MiB header list answered without allocation is in `no_alloc.rs`.

use crate::support::*;
use cors_match_core::outcome::names;
use cors_match_core::{Decision, LoadError, Outcome, Table};
use cors_policy_lang::compile::compile;
use cors_policy_lang::model::{Origins, PolicySet};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn varies_on_origin(outcome: &Outcome<'_>) -> bool {
    outcome.header(names::VARY).is_some_and(|value| {
        value
            .split(|&b| b == b',')
            .any(|item| item.trim_ascii().eq_ignore_ascii_case(b"origin"))
    })
}

fn compiled(set: &PolicySet) -> Vec<u8> {
    compile(set).expect("a generated set compiles")
}

/// A permutation of `0..len` drawn from `seed` (Fisher–Yates on a small LCG).
fn permutation(len: usize, mut seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    for i in (1..len).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = (seed >> 33) as usize % (i + 1);
        order.swap(i, j);
    }
    order
}

/// The same set with origin patterns and policies in another order.
fn reordered(set: &PolicySet, seed: u64) -> PolicySet {
    let mut policies: Vec<_> = permutation(set.policies.len(), seed)
        .into_iter()
        .map(|i| set.policies[i].clone())
        .collect();
    for (n, policy) in policies.iter_mut().enumerate() {
        if let Origins::List(list) = &policy.origins {
            let reordered = permutation(list.len(), seed ^ (n as u64 + 1) << 17)
                .into_iter()
                .map(|i| list[i].clone())
                .collect();
            policy.origins = Origins::List(reordered);
        }
    }
    PolicySet { policies }
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    #[test]
    fn star_origin_never_comes_with_credentials(
        set in set_strategy(),
        raws in prop::collection::vec(raw_request_strategy(), 1..32),
    ) {
        let bytes = compiled(&set);
        let table = Table::from_bytes(&bytes).expect("a compiled table loads");
        for raw in &raws {
            let request = realize(&set, raw);
            let outcome = table.eval(&request.as_request());
            prop_assert!(
                !(outcome.header(names::ALLOW_ORIGIN) == Some(b"*")
                    && outcome.header(names::ALLOW_CREDENTIALS).is_some()),
                "{:?} -> {:?}", request, outcome
            );
        }
    }

    #[test]
    fn a_denial_never_allows_anything(
        set in set_strategy(),
        raws in prop::collection::vec(raw_request_strategy(), 1..32),
    ) {
        let bytes = compiled(&set);
        let table = Table::from_bytes(&bytes).expect("a compiled table loads");
        for raw in &raws {
            let request = realize(&set, raw);
            let outcome = table.eval(&request.as_request());
            if matches!(outcome.decision, Decision::ActualDenied | Decision::PreflightDenied) {
                prop_assert!(
                    outcome.headers.iter().all(|h| !h.name.starts_with("access-control-allow-")),
                    "{:?} -> {:?}", request, outcome
                );
            }
        }
    }

    /// Two requests that differ only in `Origin` (one may have none): when
    /// their responses differ, a cache must not serve one for the other,
    /// so both must name `Origin` in `Vary`. `OPTIONS` responses are not
    /// cacheable (RFC 9110, 9.3.7) and are left out.
    #[test]
    fn a_response_that_depends_on_the_origin_varies_on_it(
        set in set_strategy(),
        raws in prop::collection::vec(raw_request_strategy(), 2..24),
    ) {
        let bytes = compiled(&set);
        let table = Table::from_bytes(&bytes).expect("a compiled table loads");
        let mut origins: Vec<Option<Vec<u8>>> =
            raws.iter().map(|raw| realize(&set, raw).origin).collect();
        origins.push(None);
        origins.extend(FIXED_ORIGINS.iter().map(|o| Some(o.to_vec())));
        for raw in &raws {
            let request = realize(&set, raw);
            if request.method == b"OPTIONS" {
                continue;
            }
            let outcome = table.eval(&request.as_request());
            for origin in &origins {
                let other = OwnedRequest { origin: origin.clone(), ..request.clone() };
                let other_outcome = table.eval(&other.as_request());
                if outcome.headers != other_outcome.headers {
                    prop_assert!(
                        varies_on_origin(&outcome) && varies_on_origin(&other_outcome),
                        "responses differ by Origin without Vary: Origin:\n{:?} -> {:?}\n{:?} -> {:?}",
                        request, outcome, other, other_outcome
                    );
                }
            }
        }
    }

    #[test]
    fn the_order_of_patterns_and_policies_does_not_matter(
        set in set_strategy(),
        seed in any::<u64>(),
        raws in prop::collection::vec(raw_request_strategy(), 1..32),
    ) {
        let other_set = reordered(&set, seed);
        let bytes = compiled(&set);
        let other_bytes = compiled(&other_set);
        let table = Table::from_bytes(&bytes).expect("a compiled table loads");
        let other_table = Table::from_bytes(&other_bytes).expect("a compiled table loads");
        for raw in &raws {
            let request = realize(&set, raw);
            prop_assert_eq!(
                owned(&table.eval(&request.as_request())),
                owned(&other_table.eval(&request.as_request())),
                "{:?}\noriginal: {:?}\nreordered: {:?}", request, set, other_set
            );
        }
    }

    #[test]
    fn every_bit_flip_and_truncation_is_rejected(
        set in set_strategy(),
        flips in prop::collection::vec((any::<Index>(), 0..8u8), 1..16),
        cuts in prop::collection::vec(any::<Index>(), 1..16),
    ) {
        let bytes = compiled(&set);
        for (at, bit) in flips {
            let mut flipped = bytes.clone();
            let offset = at.index(flipped.len());
            flipped[offset] ^= 1 << bit;
            prop_assert!(
                Table::from_bytes(&flipped).is_err(),
                "flipping bit {} of byte {} was accepted", bit, offset
            );
        }
        for cut in cuts {
            let length = cut.index(bytes.len());
            prop_assert!(
                matches!(
                    Table::from_bytes(&bytes[..length]),
                    Err(LoadError::Truncated | LoadError::LengthMismatch { .. })
                ),
                "a table cut to {} of {} bytes was accepted or misreported",
                length, bytes.len()
            );
        }
    }
}

/// The properties are not vacuous: the generators produce preflights,
/// denials, credentialed answers and origin-dependent responses.
#[test]
fn the_generators_reach_what_the_properties_inspect() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = (
        set_strategy(),
        prop::collection::vec(raw_request_strategy(), 16),
    );
    let (mut credentialed, mut denied, mut varied, mut reordered_sets) = (0, 0, 0, 0);
    for seed in 0..100u64 {
        let (set, raws) = strategy.new_tree(&mut runner).unwrap().current();
        let bytes = compiled(&set);
        let table = Table::from_bytes(&bytes).unwrap();
        if reordered(&set, seed) != set {
            reordered_sets += 1;
        }
        for raw in &raws {
            let request = realize(&set, raw);
            let outcome = table.eval(&request.as_request());
            credentialed += usize::from(outcome.header(names::ALLOW_CREDENTIALS).is_some());
            denied += usize::from(matches!(
                outcome.decision,
                Decision::ActualDenied | Decision::PreflightDenied
            ));
            varied += usize::from(varies_on_origin(&outcome));
        }
    }
    assert!(credentialed >= 20, "{credentialed}");
    assert!(denied >= 100, "{denied}");
    assert!(varied >= 100, "{varied}");
    assert!(reordered_sets >= 30, "{reordered_sets}");
}

#[test]
fn permutations_are_permutations() {
    for len in 0..20 {
        for seed in [0, 1, u64::MAX, 0xdead_beef] {
            let mut order = permutation(len, seed);
            order.sort_unstable();
            assert_eq!(order, (0..len).collect::<Vec<_>>());
        }
    }
    assert_ne!(permutation(10, 1), permutation(10, 2));
}
