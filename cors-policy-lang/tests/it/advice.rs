//! `advice::advise` on random requests against fixed policies: it never
//! panics, names the policy the engine chose, and every fix it offers,
//! applied to the source, gives a file `check` accepts under which the
//! request succeeds; an unsafe fix names an error code.

use cors_match_core::{Decision, Reason, Request, Table};
use cors_policy_lang::advice::{self, edit, Remedy};
use proptest::prelude::*;
use proptest::test_runner::Config;

const SOURCES: &[&str] = &[
    "policy api {
    paths /api/ /v2/;
    origins https://app.example.com
            https://*.example.com
            http://localhost:*;
    methods GET POST PUT DELETE;
    allow-headers Content-Type Authorization;
    credentials on;
    max-age 10m;
}

policy assets {
    paths /static/;
    origins *;
    methods GET HEAD;
    allow-headers *;
}
",
    "policy open { origins https://a.test http://127.0.0.1:5000 null; methods PATCH; private-network off; }",
    "# nothing yet\n",
];

fn request_strategy() -> impl Strategy<
    Value = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
    ),
> {
    let method = prop::sample::select(vec![
        "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "put", "G T", "TRACE",
    ]);
    let path = prop::sample::select(vec![
        "/api/x",
        "/v2",
        "/v3/items?q=1",
        "/static/a.js",
        "/",
        "/x",
        "*",
    ]);
    let origin = prop_oneof![
        prop::sample::select(vec![
            "https://app.example.com",
            "http://app.example.com",
            "https://example.com",
            "https://a.b.example.com",
            "http://localhost:5000",
            "http://127.0.0.1:5000",
            "http://[::1]:5000",
            "https://a.test",
            "https://A.test",
            "https://a.test/",
            "https://a.test:443",
            "null",
            "https://x.test, https://y.test",
            "",
        ])
        .prop_map(str::to_string),
        "[a-z:/.]{0,20}",
    ];
    let acrm = prop::sample::select(vec!["PUT", "PATCH", "GET", "put", "CONNECT", "X-Custom"]);
    let acrh = prop::sample::select(vec![
        "content-type",
        "authorization",
        "x-a, X-B",
        "cookie",
        "x(y)",
        "",
        " , x-a",
    ]);
    (
        method,
        path,
        prop::option::of(origin),
        prop::option::of(acrm),
        prop::option::of(acrh),
        any::<bool>(),
    )
        .prop_map(|(m, p, o, rm, rh, pn)| {
            (
                m.to_string(),
                p.to_string(),
                o,
                rm.map(str::to_string),
                rh.map(str::to_string),
                pn,
            )
        })
}

fn succeeds(source: &str, request: &Request<'_>) -> Result<bool, String> {
    let compiled = cors_policy_lang::compile(source).map_err(|e| format!("{e:?}"))?;
    let table = Table::from_bytes(&compiled.table).map_err(|e| e.to_string())?;
    let outcome = table.eval(request);
    Ok(match outcome.decision {
        Decision::ActualAllowed | Decision::PreflightAllowed => true,
        Decision::Pass => outcome.reason != Some(Reason::NoPolicy) || request.origin.is_none(),
        _ => false,
    })
}

proptest! {
    #![proptest_config(Config { cases: 512, failure_persistence: None, ..Config::default() })]

    #[test]
    fn every_fix_allows_the_request(
        index in 0..SOURCES.len(),
        (method, path, origin, acrm, acrh, pna) in request_strategy(),
    ) {
        let source = SOURCES[index];
        let request = Request {
            method: method.as_bytes(),
            path: path.as_bytes(),
            origin: origin.as_deref().map(str::as_bytes),
            request_method: acrm.as_deref().map(str::as_bytes),
            request_headers: acrh.as_deref().map(str::as_bytes),
            request_private_network: pna.then_some(&b"true"[..]),
        };
        let before = succeeds(source, &request).expect("the fixtures compile");
        let advice = advice::advise(source, &request);
        match &advice.remedy {
            Remedy::NotNeeded => prop_assert!(before, "{advice:?}"),
            Remedy::Fix(fix) => {
                prop_assert!(!before);
                prop_assert_eq!(edit::combine(source, &fix.edits), Some(fix.edit.clone()));
                let fixed = edit::apply(source, std::slice::from_ref(&fix.edit));
                prop_assert_eq!(&fixed, &edit::apply(source, &fix.edits));
                prop_assert_eq!(succeeds(&fixed, &request), Ok(true), "{}", fixed);
            }
            Remedy::Unsafe(refusal) => {
                prop_assert!(!before);
                prop_assert!(refusal.code.as_str().starts_with("CORS"));
                prop_assert!(!refusal.instead.is_empty());
            }
            Remedy::NoFix(why) => {
                prop_assert!(!before);
                prop_assert!(!why.is_empty());
            }
        }
        if let Some(site) = &advice.policy {
            prop_assert!(source[site.span.clone()].starts_with("policy "));
        }
        for miss in &advice.did_you_mean {
            prop_assert_eq!(&source[miss.span.clone()], miss.origin.as_str());
        }
    }
}

/// Every hostile `Origin` of `tests/hostile/origins.txt`, against a policy
/// with credentials (with and without `allow-insecure-origins on`): advice
/// never panics, a fix always allows exactly that origin and is accepted by
/// `check`, and a malformed origin never gets one.
#[test]
fn hostile_origins_get_sound_advice() {
    let policies = [
        "policy api {\n    origins https://foo.com https://bar.com https://*.example.com\n            http://localhost:3000 https://app.example.org:8443;\n    methods GET PUT;\n    credentials on;\n}\n",
        "policy api {\n    origins https://foo.com https://*.example.com http://localhost:3000;\n    credentials on;\n    allow-insecure-origins on;\n}\n",
    ];
    let text = include_str!("../hostile/origins.txt");
    let (mut fixes, mut refusals) = (0, 0);
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        let origin = crate::support::unescape(fields[1]).expect("a row");
        for source in policies {
            let request = Request {
                origin: Some(&origin),
                ..Request::new(b"GET", b"/x")
            };
            let advice = advice::advise(source, &request);
            match &advice.remedy {
                Remedy::Fix(fix) => {
                    assert_ne!(fields[0], "malformed-origin", "{line}");
                    fixes += 1;
                    let fixed = edit::apply(source, std::slice::from_ref(&fix.edit));
                    assert_eq!(succeeds(&fixed, &request), Ok(true), "{line}\n{fixed}");
                }
                Remedy::Unsafe(_) => refusals += 1,
                Remedy::NoFix(_) => {}
                Remedy::NotNeeded => panic!("a hostile origin is allowed: {line}"),
            }
        }
    }
    assert!(
        fixes >= 20 && refusals >= 10,
        "{fixes} fixes, {refusals} refusals"
    );
}
