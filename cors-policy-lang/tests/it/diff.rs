//! Properties of `diff` on generated policy sets (the generators of
//! `support/`), with a fixed seed:
//!
//! - a set does not differ from itself;
//! - for a set and a variant of it (a few fields of some policies taken from
//!   other generated policies) and random requests, whenever the reference
//!   evaluator answers a request differently (modulo the spelling of list
//!   headers), the diff is not empty; a request newly allowed makes it
//!   widened, a request no longer allowed makes it narrowed.

use crate::support::*;
use cors_match_core::outcome::names;
use cors_match_core::Decision;
use cors_policy_lang::diff::diff;
use cors_policy_lang::model::{PolicySet, SAFELISTED_METHODS};
use cors_policy_lang::reference::{evaluate, RefOutcome};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn runner() -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases: cases(),
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

#[test]
fn a_set_does_not_differ_from_itself() {
    runner()
        .run(&set_strategy(), |set| {
            let result = diff(&set, &set.clone());
            prop_assert!(result.is_empty(), "{result:#?}");
            Ok(())
        })
        .unwrap();
}

/// One edit: the field `field` of the policy at `at` taken from `donor`.
type Edit = (Index, u8, RawPolicy);

fn apply(raws: &[RawPolicy], edits: &[Edit]) -> Vec<RawPolicy> {
    let mut raws = raws.to_vec();
    for (at, field, donor) in edits {
        let len = raws.len();
        let raw = &mut raws[at.index(len)];
        match field {
            0 => raw.paths = donor.paths.clone(),
            1 => raw.any_origin = donor.any_origin,
            2 => raw.patterns = donor.patterns.clone(),
            3 => raw.patterns.extend(donor.patterns.first().cloned()),
            4 => {
                raw.patterns.pop();
            }
            5 => raw.methods = donor.methods.clone(),
            6 => raw.allow_headers = donor.allow_headers.clone(),
            7 => raw.expose_headers = donor.expose_headers.clone(),
            8 => raw.credentials = donor.credentials,
            9 => raw.max_age = donor.max_age,
            10 => raw.private_network = donor.private_network,
            11 => raw.preflight_status = donor.preflight_status,
            _ => raw.name_suffix = donor.name_suffix.clone(),
        }
    }
    raws
}

/// What an answer means: list headers as sets (methods without the
/// always-allowed ones; header names lower-case, `*` standing for every
/// name it covers).
fn meaning(outcome: &RefOutcome) -> Vec<(&'static str, Vec<String>)> {
    let items = |value: &[u8]| -> Vec<String> {
        let mut items: Vec<String> = String::from_utf8_lossy(value)
            .split(", ")
            .map(str::to_string)
            .filter(|item| !item.is_empty())
            .collect();
        items.sort();
        items.dedup();
        items
    };
    let mut out = vec![
        ("decision", vec![outcome.decision.as_str().to_string()]),
        (
            "reason",
            outcome
                .reason
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
        ),
        ("policy", outcome.policy.iter().cloned().collect()),
        (
            "status",
            outcome.status.iter().map(u16::to_string).collect(),
        ),
    ];
    for (name, value) in &outcome.headers {
        let mut value = items(value);
        match *name {
            names::ALLOW_METHODS => {
                value.retain(|m| !SAFELISTED_METHODS.contains(&m.as_str()));
            }
            names::ALLOW_HEADERS if value.iter().any(|v| v == "*") => {
                value.retain(|h| h == "*" || h == "authorization");
            }
            names::EXPOSE_HEADERS if value.iter().any(|v| v == "*") => {
                value.retain(|h| h == "*");
            }
            _ => {}
        }
        if !value.is_empty() {
            out.push((name, value));
        }
    }
    out.sort();
    out
}

fn allowed(outcome: &RefOutcome) -> bool {
    matches!(
        outcome.decision,
        Decision::ActualAllowed | Decision::PreflightAllowed
    )
}

fn check_pair(
    old: &PolicySet,
    new: &PolicySet,
    requests: &[(bool, RawRequest)],
) -> Result<usize, TestCaseError> {
    let result = diff(old, new);
    let mut differing = 0;
    for (on_new, raw) in requests {
        let request = realize(if *on_new { new } else { old }, raw);
        let (before, after) = (
            evaluate(old, &request.as_request()),
            evaluate(new, &request.as_request()),
        );
        if meaning(&before) == meaning(&after) {
            continue;
        }
        differing += 1;
        prop_assert!(
            !result.is_empty(),
            "{request:?}\nold: {before:?}\nnew: {after:?}\n{old:#?}\n{new:#?}"
        );
        if allowed(&after) && !allowed(&before) {
            prop_assert!(
                result.widened(),
                "{request:?} newly allowed\n{result:#?}\n{old:#?}\n{new:#?}"
            );
        }
        if allowed(&before) && !allowed(&after) {
            prop_assert!(
                result.narrowed(),
                "{request:?} no longer allowed\n{result:#?}\n{old:#?}\n{new:#?}"
            );
        }
        let credentials = |outcome: &RefOutcome| outcome.header(names::ALLOW_CREDENTIALS).is_some();
        if credentials(&after) && !credentials(&before) {
            prop_assert!(result.widened(), "{request:?}\n{result:#?}");
        }
    }
    Ok(differing)
}

fn pair_strategy() -> impl Strategy<Value = (Vec<RawPolicy>, Vec<Edit>, Vec<(bool, RawRequest)>)> {
    (
        prop::collection::vec(raw_policy_strategy(), 1..5),
        prop::collection::vec((any::<Index>(), 0..13u8, raw_policy_strategy()), 0..3),
        prop::collection::vec((any::<bool>(), raw_request_strategy()), 24),
    )
}

#[test]
fn every_change_in_an_answer_is_in_the_diff() {
    runner()
        .run(&pair_strategy(), |(raws, edits, requests)| {
            let old = build_set(raws.clone());
            let new = build_set(apply(&raws, &edits));
            check_pair(&old, &new, &requests)?;
            check_pair(&new, &old, &requests)?;
            Ok(())
        })
        .unwrap();
}

/// The property above is not vacuous: the variants often answer some
/// request differently, and often mean the same.
#[test]
fn the_variants_reach_both_outcomes() {
    use proptest::strategy::ValueTree;
    let mut runner = runner();
    let (mut differing, mut same) = (0, 0);
    for _ in 0..100 {
        let (raws, edits, requests) = pair_strategy()
            .new_tree(&mut runner)
            .expect("a value")
            .current();
        let old = build_set(raws.clone());
        let new = build_set(apply(&raws, &edits));
        if check_pair(&old, &new, &requests).expect("the property holds") > 0 {
            differing += 1;
        }
        if diff(&old, &new).is_empty() {
            same += 1;
        }
    }
    assert!(differing >= 20, "{differing} pairs answered differently");
    assert!(same >= 10, "{same} pairs meant the same");
}
