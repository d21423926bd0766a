//! Advice on one request: which policy decided it and where it is written,
//! the smallest edit of the source that would allow it (or why that edit
//! is unsafe and what to do instead), and the listed origins the request's
//! just misses. `corsc explain` prints it; any host that has the policy
//! source can offer the same.
//!
//! The decision is the engine's (`cors_match_core`, on the table `check`
//! builds); the places are the syntax tree's spans. A candidate edit is
//! judged the only way that cannot drift from the compiler: the edited
//! source goes through [`crate::check`] — any error it gets (named by its
//! [`Code`]) makes the edit unsafe — and the request is evaluated again
//! against the edited table, until it is allowed. Edits are therefore
//! always machine-applicable: replacing [`Fix::edit`]'s span with its text
//! gives a file `check` accepts and the engine allows the request under.

pub mod edit;
pub mod near_miss;
mod repair;

use std::ops::Range;

use cors_match_core::{Decision, Reason, Request, Table};

use crate::diagnostics::{Code, SourceIndex};
use crate::parser::parse;

pub use edit::Edit;
pub use near_miss::{Difference, NearMiss};

/// What to tell the user about one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advice {
    /// The policy that decided the request and where it is written; `None`
    /// when no policy covers the path (or the source has errors).
    pub policy: Option<PolicySite>,
    /// What would make the request succeed.
    pub remedy: Remedy,
    /// Listed origins the request's origin just misses (for an origin the
    /// deciding policy refuses).
    pub did_you_mean: Vec<NearMiss>,
}

/// A `policy NAME` in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySite {
    /// The policy's name.
    pub name: String,
    /// From `policy` to the end of the name.
    pub span: Range<usize>,
}

/// What would make the request succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// The request is allowed, or is not a CORS request: nothing to change.
    NotNeeded,
    /// This edit allows the request, and `check` accepts the result.
    Fix(Fix),
    /// The edit that would allow the request is refused by `check`.
    Unsafe(Refusal),
    /// No edit of the policy can allow the request; why.
    NoFix(String),
}

/// A safe edit that allows the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What changes, one step per directive touched, in the order found.
    pub steps: Vec<Step>,
    /// The edits of the steps, spans in the original source.
    pub edits: Vec<Edit>,
    /// All the edits as one: replacing this span with this text gives the
    /// fixed file.
    pub edit: Edit,
    /// Warnings the fixed file gets that the original did not (`check`
    /// accepts it, but says this).
    pub warnings: Vec<(Code, String)>,
}

/// One change, in words: `add "Content-Type" to allow-headers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The change, without its place.
    pub action: String,
    /// Where: the byte offset of the directive (or policy) it changes.
    pub at: usize,
}

/// The edit that would allow the request, and why it is not offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The refused change.
    pub step: Step,
    /// The code of the error `check` reports on the edited file.
    pub code: Code,
    /// Why, from that error.
    pub why: String,
    /// What to do instead.
    pub instead: String,
}

/// `(line, column)` of byte `at` in `source`, both from 1, the column
/// counted in characters (as diagnostics count it).
pub fn line_column(source: &str, at: usize) -> (usize, usize) {
    let index = SourceIndex::new("", source);
    let line = index.line_index(at);
    (line + 1, index.column(line, at))
}

/// Whether the browser gets what it asked for: an allowed request, or one
/// that is not a CORS request at all.
fn succeeds(decision: Decision, reason: Option<Reason>) -> bool {
    match decision {
        Decision::ActualAllowed | Decision::PreflightAllowed => true,
        Decision::ActualDenied | Decision::PreflightDenied => false,
        Decision::Pass => reason != Some(Reason::NoPolicy),
    }
}

/// Advice on `request` under the policy `source`.
///
/// Never panics; bounded work: at most a handful of `check` runs of the
/// source with one edit each, and a near-miss scan capped at
/// [`near_miss::MAX_ORIGINS_EXAMINED`] origins.
pub fn advise(source: &str, request: &Request<'_>) -> Advice {
    let no_fix = |why: &str| Advice {
        policy: None,
        remedy: Remedy::NoFix(why.to_string()),
        did_you_mean: Vec::new(),
    };
    let checked = crate::check(source);
    let Some(table_bytes) = checked.table else {
        return no_fix("the policy has errors; run `corsc check` and fix them first");
    };
    let Ok(table) = Table::from_bytes(table_bytes.as_slice()) else {
        return no_fix("the compiled table does not load");
    };
    let outcome = table.eval(request);
    let (file, _) = parse(source);
    let block_index = outcome.policy.and_then(|name| {
        file.policies
            .iter()
            .position(|block| block.name.value.as_bytes() == name)
    });
    let policy = block_index.map(|index| {
        let block = &file.policies[index];
        PolicySite {
            name: block.name.value.clone(),
            span: block.span.start..block.name.span.end,
        }
    });
    let cors = request.origin.is_some();
    if succeeds(outcome.decision, outcome.reason) || !cors {
        return Advice {
            policy,
            remedy: Remedy::NotNeeded,
            did_you_mean: Vec::new(),
        };
    }
    let policies = checked.model.map(|set| set.policies).unwrap_or_default();
    let repair = repair::Repair::new(
        source,
        &file,
        request,
        &checked.diagnostics,
        policies,
        table_bytes.clone(),
    );
    let remedy = match block_index {
        Some(index) => repair.policy(index),
        None => repair.uncovered_path(),
    };
    let did_you_mean = match (outcome.reason, block_index, request.origin) {
        (Some(Reason::OriginNotAllowed), Some(index), Some(origin)) => file.policies[index]
            .directives
            .iter()
            .find(|directive| directive.name.value == "origins")
            .map(|directive| {
                near_miss::near_misses(source, directive, &String::from_utf8_lossy(origin))
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Advice {
        policy,
        remedy,
        did_you_mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = "# api\npolicy api {\n    paths /api/;\n    origins https://app.example.com\n            http://localhost:*;\n    methods GET POST PUT;\n    allow-headers Authorization;\n    credentials on;\n}\n";

    fn preflight<'a>(origin: &'a [u8], method: &'a [u8], headers: &'a [u8]) -> Request<'a> {
        Request {
            origin: Some(origin),
            request_method: Some(method),
            request_headers: Some(headers),
            ..Request::new(b"OPTIONS", b"/api/x")
        }
    }

    fn fixed(source: &str, advice: &Advice) -> String {
        match &advice.remedy {
            Remedy::Fix(fix) => edit::apply(source, std::slice::from_ref(&fix.edit)),
            other => panic!("no fix: {other:?}"),
        }
    }

    fn allowed(source: &str, request: &Request<'_>) -> bool {
        let compiled = crate::compile(source).expect("the fixed file compiles");
        let table = Table::from_bytes(&compiled.table).unwrap();
        let outcome = table.eval(request);
        succeeds(outcome.decision, outcome.reason)
    }

    #[test]
    fn a_missing_header_is_added_where_the_list_is() {
        let request = preflight(b"https://app.example.com", b"PUT", b"content-type");
        let advice = advise(API, &request);
        let site = advice.policy.clone().unwrap();
        assert_eq!(site.name, "api");
        assert_eq!(line_column(API, site.span.start), (2, 1));
        let Remedy::Fix(fix) = &advice.remedy else {
            panic!("{advice:?}")
        };
        assert_eq!(fix.steps.len(), 1);
        assert_eq!(fix.steps[0].action, "add \"Content-Type\" to allow-headers");
        assert_eq!(line_column(API, fix.steps[0].at), (7, 5));
        let fixed = fixed(API, &advice);
        assert!(fixed.contains("allow-headers Authorization Content-Type;"));
        assert!(allowed(&fixed, &request));
    }

    #[test]
    fn several_problems_make_one_edit() {
        let request = preflight(b"https://new.example.com", b"PATCH", b"x-a, authorization");
        let advice = advise(API, &request);
        let Remedy::Fix(fix) = &advice.remedy else {
            panic!("{advice:?}")
        };
        assert_eq!(fix.steps.len(), 3, "{fix:?}");
        assert!(allowed(&fixed(API, &advice), &request));
    }

    #[test]
    fn an_insecure_origin_with_credentials_is_refused() {
        let request = preflight(b"http://app.example.com", b"PUT", b"authorization");
        let advice = advise(API, &request);
        let Remedy::Unsafe(refusal) = &advice.remedy else {
            panic!("{advice:?}")
        };
        assert_eq!(refusal.code, Code::InsecureOriginWithCredentials);
        assert!(
            refusal.instead.contains("https://app.example.com"),
            "{refusal:?}"
        );
        assert_eq!(advice.did_you_mean.len(), 1);
        assert_eq!(advice.did_you_mean[0].kind, Difference::Scheme);
    }

    #[test]
    fn an_uncovered_path_gets_a_prefix() {
        let request = Request {
            origin: Some(b"https://app.example.com"),
            ..Request::new(b"GET", b"/v2/items?x=1")
        };
        let advice = advise(API, &request);
        assert_eq!(advice.policy, None);
        let Remedy::Fix(fix) = &advice.remedy else {
            panic!("{advice:?}")
        };
        assert_eq!(
            fix.steps[0].action,
            "add \"/v2/\" to the paths of policy `api`"
        );
        assert!(allowed(&fixed(API, &advice), &request));

        // No policy would do with one step: a new one.
        let request = Request {
            origin: Some(b"https://other.test"),
            ..Request::new(b"DELETE", b"/v2")
        };
        let advice = advise(API, &request);
        let Remedy::Fix(fix) = &advice.remedy else {
            panic!("{advice:?}")
        };
        assert!(
            fix.steps[0].action.starts_with("add policy `v2`"),
            "{fix:?}"
        );
        assert!(allowed(&fixed(API, &advice), &request));
    }

    #[test]
    fn nothing_to_fix() {
        let ok = preflight(b"https://app.example.com", b"PUT", b"authorization");
        assert_eq!(advise(API, &ok).remedy, Remedy::NotNeeded);
        let not_cors = Request::new(b"GET", b"/elsewhere");
        assert_eq!(advise(API, &not_cors).remedy, Remedy::NotNeeded);
        let malformed = preflight(b"https://app.example.com", b"P T", b"");
        assert!(matches!(advise(API, &malformed).remedy, Remedy::NoFix(_)));
        assert!(matches!(advise("policy {", &ok).remedy, Remedy::NoFix(_)));
        let many: Vec<String> = (0..150).map(|n| format!("x-{n}")).collect();
        let many = many.join(",");
        let request = preflight(b"https://app.example.com", b"PUT", many.as_bytes());
        let Remedy::NoFix(why) = advise(API, &request).remedy else {
            panic!("too many headers to add")
        };
        assert!(why.contains("more than 100 headers"), "{why}");
        let lower = preflight(b"https://app.example.com", b"delete", b"");
        let Remedy::Unsafe(refusal) = advise(API, &lower).remedy else {
            panic!("a lower-case standard method cannot be listed")
        };
        assert_eq!(refusal.code, Code::LowercaseStandardMethod);
        assert!(refusal.instead.contains("`DELETE`"), "{refusal:?}");
    }
}
