//! Regex origin patterns (`origins ~"..."`): matching through the compiled
//! table, the safety analysis with its counterexamples, and the automaton
//! checked against the `regex` crate as an oracle.

use cors_match_core::{Decision, Policy, Request};
use cors_policy_lang::compile::compile as compile_model;
use cors_policy_lang::model::{OriginPattern, Origins, Policy as ModelPolicy, PolicySet};
use cors_policy_lang::{check, compile, Code};
use proptest::prelude::*;

/// The errors `check` reports for a policy listing `pattern`.
fn errors(pattern: &str, credentials: bool) -> Vec<(Code, String)> {
    let source = format!(
        "policy p {{ origins ~\"{pattern}\"; {} }}",
        if credentials { "credentials on;" } else { "" }
    );
    check(&source)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code, d.message.clone()))
        .collect()
}

/// Whether a GET from `origin` is allowed by a policy with these origins.
fn allows(origins: &str, origin: &str) -> bool {
    let source = format!("policy p {{ origins {origins}; }}");
    let compiled = compile(&source).unwrap_or_else(|e| panic!("{source}: {e:?}"));
    let policy = Policy::from_bytes(&compiled.table).expect("table loads");
    let request = Request {
        origin: Some(origin.as_bytes()),
        ..Request::new(b"GET", b"/")
    };
    let outcome = policy.eval(&request);
    assert_ne!(outcome.decision, Decision::Pass);
    outcome.decision == Decision::ActualAllowed
}

#[test]
fn regex_origins_match_whole_origins_through_the_table() {
    let pr = r#"~"^https://pr-[0-9]+\.preview\.example\.com$""#;
    for (origin, allowed) in [
        ("https://pr-1.preview.example.com", true),
        ("https://pr-4821.preview.example.com", true),
        ("https://pr-.preview.example.com", false),
        ("https://pr-1a.preview.example.com", false),
        ("https://pr-1.preview.example.com.evil.net", false),
        ("https://evil.net/https://pr-1.preview.example.com", false),
        ("http://pr-1.preview.example.com", false),
        ("https://pr-1.preview.example.com:443", false),
        ("https://PR-1.preview.example.com", false),
        ("https://pr-1.previewxexample.com", false),
    ] {
        assert_eq!(allows(pr, origin), allowed, "{origin}");
    }
    // Without anchors the pattern still matches the whole origin.
    let bare = r#"~"https://(app|admin)\.example\.com(:[0-9]{2,5})?""#;
    for (origin, allowed) in [
        ("https://app.example.com", true),
        ("https://admin.example.com:8443", true),
        ("https://admin.example.com:8", false),
        ("https://app.example.com.evil.net", false),
        ("xhttps://app.example.com", false),
        ("https://api.example.com", false),
    ] {
        assert_eq!(allows(bare, origin), allowed, "{origin}");
    }
    // Regexes run side by side with literal, wildcard and any-port patterns.
    let mixed = r#"https://www.example.org https://*.cdn.example.org http://localhost:* ~"^https://[a-z]+\.example\.com$""#;
    for (origin, allowed) in [
        ("https://www.example.org", true),
        ("https://a.b.cdn.example.org", true),
        ("http://localhost:3000", true),
        ("https://shop.example.com", true),
        ("https://shop1.example.com", false),
        ("https://example.com", false),
    ] {
        assert_eq!(allows(mixed, origin), allowed, "{origin}");
    }
}

#[test]
fn unsafe_regexes_are_errors_with_a_counterexample() {
    // (pattern, credentials, code, the exact headline)
    let cases: &[(&str, bool, Code, &str)] = &[
        (r"^https://.*example\.com$", false, Code::RegexOutsideDomain, "this pattern also allows https://evilexample.com"),
        (r"^https://example\.com.*$", false, Code::RegexOutsideDomain, "this pattern also allows https://example.com.evil.net"),
        (r"^https://[a-z]+\.com$", false, Code::RegexOutsideDomain, "this pattern also allows https://evil.com"),
        (r"^https://[a-z]+\.co\.uk$", false, Code::RegexOutsideDomain, "this pattern also allows https://evil.co.uk"),
        (r"^https://[a-z]+\.github\.io$", false, Code::RegexOutsideDomain, "this pattern also allows https://evil.github.io"),
        (r"^https://app.example.com$", false, Code::RegexOutsideDomain, "this pattern also allows https://appbexamplebcom"),
        (r"^https://app\.example.com$", false, Code::RegexOutsideDomain, "this pattern also allows https://app.examplebcom"),
        (r"^https://[a-z-]+example\.com$", false, Code::RegexOutsideDomain, "this pattern also allows https://evilexample.com"),
        (r"^https://([a-z]+\.)?example\.[a-z]+$", false, Code::RegexOutsideDomain, "this pattern also allows https://example.evil"),
        (r"^http://127\.0\.0\.[0-9]+$", false, Code::RegexOutsideDomain, "this pattern also allows http://127.0.0.3"),
        // A branch spelling `x.com` must not hide the class that allows any `.com`.
        (r"^https://([a-z]+\.com|x\.com)$", false, Code::RegexOutsideDomain, "this pattern also allows https://evil.com"),
        (r"^https://(x|[a-z])\.example$", false, Code::RegexOutsideDomain, "this pattern also allows https://b.example"),
        (r"^https://app\.example\.com/$", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"https://app.example.com/\", which is not an origin"),
        (r"^https://\w+\.example\.com$", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"https://A.example.com\", which is not an origin"),
        (r"^https://(?i)app\.example\.com$", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"https://app.example.coM\", which is not an origin"),
        (r"^https://.+@example\.com$", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"https://x@example.com\", which is not an origin"),
        (r"^https://[^.]+\.example\.com$", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"https://A.example.com\", which is not an origin"),
        (r"^https://([a-z]*\.)*example\.com$", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"https://.example.com\", which is not an origin"),
        (r"null", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"null\", which is not an origin"),
        (r"^https://app\.example\.com$|", false, Code::RegexMatchesNonOrigin, "this pattern also matches \"\", which is not an origin"),
        (r"^https?://app\.example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://app.example.com, which cannot be used with `credentials on`"),
        (r"^(a)\1$", false, Code::InvalidRegex, "backreferences (`\\1`) are not supported: an origin pattern must run as a finite automaton"),
        (r"^https://(?!admin)[a-z]+\.example\.com$", false, Code::InvalidRegex, "look-around (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported: an origin pattern must run as a finite automaton"),
        (r"^https://a$\.example\.com", false, Code::InvalidRegex, "`^` and `$` may only appear at the start and end of the pattern (which is always matched in full)"),
        (r"^https://\bapp\.example\.com$", false, Code::InvalidRegex, "the assertion WordAscii is not supported in origin patterns (only `^` at the start and `$` at the end)"),
        (r"^https://[a-z]{300}\.example\.com$", false, Code::InvalidRegex, "repetition bounds above 255 are not supported"),
        (r"^https://(a|b)*a(a|b){20}a(a|b)*\.example\.com$", false, Code::AutomatonTooLarge, "this regex's automaton is too large to compile"),
        (r"^https://[a-z]{250}[a-z]{250}[a-z]{250}[a-z]{250}[a-z]{250}[a-z]{250}[a-z]{250}[a-z]{250}[a-z]{250}\.example\.com$", false, Code::RegexTooComplex, "this regex is too complex to compile or to prove safe"),
        // The scheme rule is decided on the automaton, whatever the spelling.
        (r"^[a-z]+://example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://example.com, which cannot be used with `credentials on`"),
        (r"^[a-z]{4}://example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://example.com, which cannot be used with `credentials on`"),
        (r"^h[a-z]+://example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://example.com, which cannot be used with `credentials on`"),
        (r"^[hw][a-z]*://example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://example.com, which cannot be used with `credentials on`"),
        (r"^(ht|f)tps?://example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://example.com, which cannot be used with `credentials on`"),
        (r"^http[s]?://example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://example.com, which cannot be used with `credentials on`"),
        (r"^http://(localhost|[a-z]+)\.example\.com$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://b.example.com, which cannot be used with `credentials on`"),
        (r"^http://[a-z]*localhost$", true, Code::InsecureOriginWithCredentials, "this pattern allows the insecure origin http://xlocalhost, which cannot be used with `credentials on`"),
    ];
    for &(pattern, credentials, code, headline) in cases {
        let found = errors(pattern, credentials);
        assert!(
            found.iter().any(|(c, m)| *c == code && m == headline),
            "{pattern}: expected {code} `{headline}`, got {found:#?}"
        );
    }
}

#[test]
fn the_outside_domain_error_comes_first() {
    let found = errors(r"^https://.*example\.com$", false);
    assert_eq!(found[0].0, Code::RegexOutsideDomain);
    assert_eq!(
        found[0].1,
        "this pattern also allows https://evilexample.com"
    );
}

#[test]
fn safe_regexes_are_accepted() {
    for (pattern, credentials) in [
        (r"^https://pr-[0-9]+\.preview\.example\.com$", true),
        (r"^https://[a-z0-9-]+\.example\.com$", true),
        (r"^https://([a-z0-9-]+\.)*example\.com$", true),
        (r"^https://([a-z0-9-]+\.)+example\.co\.uk$", true),
        (r"^https://(www|app|admin)\.example\.com$", true),
        (r"^https://app\.example\.(com|org|net)$", true),
        (r"^https://(www\.)?example\.com(:[0-9]{1,5})?$", true),
        (r"^http://localhost(:[0-9]+)?$", true),
        (r"^http://127\.0\.0\.1:[0-9]+$", true),
        (r"^https://tenant-[a-f0-9]{8}\.eu\.example\.com$", true),
        (r"https://app\.example\.com", true),
        (r"^https://example[.]com$", true),
        (r"^https?://([a-z]+\.)?example\.com$", false),
        (r"^https://\[::1\]:[0-9]+$", true),
    ] {
        let found = errors(pattern, credentials);
        assert!(found.is_empty(), "{pattern}: {found:#?}");
    }
}

#[test]
fn insecure_regexes_pass_with_allow_insecure_origins() {
    let source = r#"policy p { origins ~"^https?://app\.example\.com$"; credentials on; allow-insecure-origins on; }"#;
    assert!(!check(source).diagnostics.has_errors());
}

#[test]
fn regexes_outside_origins_and_a_lone_tilde_are_errors() {
    let checked = check(r#"policy p { origins https://a.example.com; methods ~"GET|PUT"; }"#);
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::RegexOutsideOrigins]);
    let checked = check(r#"policy p { origins ~ "^https://a\.example\.com$"; }"#);
    assert!(checked
        .diagnostics
        .iter()
        .any(|d| d.code == Code::InvalidRegex));
}

#[test]
fn duplicate_regexes_are_warned_once() {
    let checked =
        check(r#"policy p { origins ~"https://a\.example\.com" ~"https://a\.example\.com"; }"#);
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::DuplicateOrigin]);
}

// ---- the automaton against the `regex` crate --------------------------

/// Regexes of the supported subset over a small alphabet, as text.
fn regex_strategy() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just(r"\.".to_string()),
        Just(".".to_string()),
        Just("[a-c]".to_string()),
        Just("[^b]".to_string()),
        Just(":".to_string()),
        Just("".to_string()),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|items| items.concat()),
            prop::collection::vec(inner.clone(), 2..4)
                .prop_map(|items| format!("({})", items.join("|"))),
            inner.clone().prop_map(|r| format!("({r})*")),
            inner.clone().prop_map(|r| format!("({r})+")),
            inner.clone().prop_map(|r| format!("({r})?")),
            (inner, 0u32..3, 0u32..3)
                .prop_map(|(r, min, extra)| format!("({r}){{{min},{}}}", min + extra)),
        ]
    })
}

/// Inputs over the same alphabet plus a byte no leaf names.
fn input_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!['a', 'b', 'c', '.', ':', 'z']),
        1..8,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The NFA, and the table built from it (bypassing the safety analysis,
    /// which random regexes mostly fail), accept exactly what
    /// `regex::Regex` matches in full.
    #[test]
    fn automaton_and_table_agree_with_the_regex_crate(
        pattern in regex_strategy(),
        inputs in prop::collection::vec(input_strategy(), 1..12),
    ) {
        let oracle = regex::bytes::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .unicode(false)
            .build()
            .expect("oracle compiles");
        let nfa = cors_policy_lang::regex_origin::compile(&pattern).expect("subset compiles");
        let mut set = PolicySet::default();
        set.policies.push(ModelPolicy::new("p", Origins::List(vec![OriginPattern::Regex(pattern.clone())])));
        let table = compile_model(&set).expect("table compiles");
        let policy = Policy::from_bytes(&table).expect("table loads");
        for input in &inputs {
            let expected = oracle.is_match(input.as_bytes());
            prop_assert_eq!(nfa.matches(input.as_bytes()), expected, "nfa {} on {}", pattern, input);
            let request = Request { origin: Some(input.as_bytes()), ..Request::new(b"GET", b"/") };
            let allowed = policy.eval(&request).decision == Decision::ActualAllowed;
            prop_assert_eq!(allowed, expected, "table {} on {}", pattern, input);
        }
    }

    /// Whatever the text after `~`, checking never panics.
    #[test]
    fn any_regex_text_gets_an_answer(text in "[ -~]{0,24}") {
        let escaped = text.replace('"', "");
        let _ = check(&format!("policy p {{ origins ~\"{escaped}\"; }}"));
    }
}
