//! Regex origin patterns (`origins ~"..."`): matching through the compiled
//! table, the safety analysis with its counterexamples, and the automaton
//! checked against the `regex` crate as an oracle.

use cors_match_core::{Decision, Request, Table};
use cors_policy_lang::compile::compile as compile_model;
use cors_policy_lang::model::{OriginPattern, Origins, Policy, PolicySet};
use cors_policy_lang::public_suffix;
use cors_policy_lang::regex_origin::RegexNfa;
use cors_policy_lang::{check, compile, Code};
use proptest::prelude::*;
use std::ops::Range;

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
    let policy = Table::from_bytes(&compiled.table).expect("table loads");
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
        // A class branch is judged on its own, whatever other branches
        // spell (the adversarial review's bypasses).
        (r"^https://(x|abcdefghijklmnopqrstuvwyz0123456789-|[a-z0-9-]+)\.com$", true, Code::RegexOutsideDomain, "this pattern also allows https://x.com"),
        (r"^https://(aaa|bx|[ab]{3})\.com$", true, Code::RegexOutsideDomain, "this pattern also allows https://aaa.com"),
        (r"^https://(x\.x|[a-uw-z]+\.[a-z]+|abcdefghijklmnopqrstuvwyz\.x)\.kawasaki\.jp$", true, Code::RegexOutsideDomain, "this pattern also allows https://x.x.kawasaki.jp"),
        // Literals under a repetition compose domains rather than spell one.
        (r"^https://(e|v|i|l|ll)+\.com$", true, Code::RegexOutsideDomain, "this pattern also allows https://eee.com"),
        (r"^https://(ev|il|evil)+\.com$", true, Code::RegexOutsideDomain, "this pattern also allows https://evev.com"),
        (r"^https://(ev|il|xy){3}\.com$", true, Code::RegexOutsideDomain, "this pattern spells out too many registrable domains: `evevev.com`, `evevil.com`, `evevxy.com`, `evilxy.com`, `evxyev.com`, `evxyil.com`, `evxyxy.com`, `xyevev.com`, ..."),
        // Addresses composed of literal pieces count like domains.
        (r"^https://((5|18|203|45|67|89|104|172|198)\.){3}(5|18|203|45|67|89|104|172|198)$", true, Code::RegexOutsideDomain, "this pattern spells out too many registrable domains: `18.5.5.5`, `45.5.5.5`, `5.18.5.5`, `5.45.5.5`, `5.5.18.5`, `5.5.45.5`, `5.5.5.18`, `5.5.5.45`, ..."),
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
        set.policies.push(Policy::new("p", Origins::List(vec![OriginPattern::Regex(pattern.clone())])));
        let table = compile_model(&set).expect("table compiles");
        let policy = Table::from_bytes(&table).expect("table loads");
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

/// A regex origin built from pieces people write: a scheme, optional
/// any-depth labels, labels that are words, public suffixes or classes,
/// and an optional port.
fn origin_regex_strategy() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "https",
        "http",
        "https?",
        "[a-z]+",
        "h[a-z]+",
        "(http|https)",
        "[hw][a-z]*",
        "[a-z]{4}",
        "(ht|f)tps?",
    ]);
    let label = prop::sample::select(vec![
        "app",
        "example",
        "co",
        "uk",
        "com",
        "io",
        "github",
        "s3",
        "amazonaws",
        "kawasaki",
        "jp",
        "city",
        "ck",
        "localhost",
        "127",
        "0",
        "1",
        "[a-z]+",
        "[a-z0-9-]+",
        "[a-z]{2}",
        "(a|b)+",
        "[0-9]+",
        "x?",
        "pr-[0-9]+",
        "www",
        "(app|api)",
    ]);
    let separator = prop::sample::select(vec![r"\.", r"\.", r"\.", r"(\.)?", "."]);
    let prefix = prop::sample::select(vec!["", "", r"([a-z0-9-]+\.)*", r"([a-z]+\.)?"]);
    let port = prop::sample::select(vec!["", "", "(:[0-9]{1,5})?", ":8443", ":[0-9]+"]);
    (
        scheme,
        prefix,
        prop::collection::vec((label, separator), 1..5),
        port,
    )
        .prop_map(|(scheme, prefix, labels, port)| {
            let mut host = String::new();
            for (index, (label, separator)) in labels.iter().enumerate() {
                if index > 0 {
                    host.push_str(separator);
                }
                host.push_str(label);
            }
            format!("^{scheme}://{prefix}{host}{port}$")
        })
}

/// A string the NFA accepts, by a random walk; `None` when the walk gets
/// stuck or long.
fn sample(nfa: &RegexNfa, choices: &[u16]) -> Option<Vec<u8>> {
    let mut state = 0usize;
    let mut out = Vec::new();
    for (step, &choice) in choices.iter().enumerate() {
        let record = &nfa.states[state];
        // Stop at an accepting state now and then (always at the end).
        if record.accept && (choice % 4 == 0 || step + 1 == choices.len()) {
            return Some(out);
        }
        if record.transitions.is_empty() {
            return None;
        }
        let t = record.transitions[usize::from(choice) % record.transitions.len()];
        let span = u16::from(t.hi - t.lo) + 1;
        out.push(t.lo + (choice / 7 % span) as u8);
        state = t.next as usize;
    }
    None
}

/// Whether some path of the NFA accepts `input` with every byte in
/// `literal_positions` matched by a literal transition.
fn accepts_with_literals(nfa: &RegexNfa, input: &[u8], literal_positions: &Range<usize>) -> bool {
    let mut current = vec![0u32];
    for (at, &byte) in input.iter().enumerate() {
        let mut next: Vec<u32> = Vec::new();
        for &state in &current {
            for t in &nfa.states[state as usize].transitions {
                let literal_ok = t.literal || !literal_positions.contains(&at);
                if t.lo <= byte && byte <= t.hi && literal_ok && !next.contains(&t.next) {
                    next.push(t.next);
                }
            }
        }
        current = next;
    }
    current.iter().any(|&s| nfa.states[s as usize].accept)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    /// The checker accepts a regex only if no origin it matches breaks a
    /// rule: sampled origins of every accepted regex are serialized
    /// origins, spell out their registrable domain literally, and with
    /// credentials are not plain `http://` unless loopback.
    #[test]
    fn accepted_regexes_match_only_safe_origins(
        pattern in origin_regex_strategy(),
        credentials in any::<bool>(),
        walks in prop::collection::vec(prop::collection::vec(any::<u16>(), 1..120), 64),
    ) {
        let checked = check(&format!(
            "policy p {{ origins ~\"{pattern}\"; {} }}",
            if credentials { "credentials on;" } else { "" }
        ));
        if checked.diagnostics.has_errors() {
            // Most random regexes are refused; only accepted ones are sampled.
            return Ok(());
        }
        let nfa = cors_policy_lang::regex_origin::compile(&pattern).expect("accepted regexes compile");
        for walk in &walks {
            let Some(origin) = sample(&nfa, walk) else { continue };
            let text = String::from_utf8(origin.clone()).expect("ASCII");
            let (scheme, rest) = text.split_once("://").expect("an origin has a scheme");
            let host = rest.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                .map_or(rest, |(host, _)| host);
            prop_assert!(!host.is_empty() && !host.starts_with('.') && !host.ends_with('.') && !host.contains(".."), "{pattern}: {text}");
            prop_assert!(text.bytes().all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase()), "{pattern}: {text}");
            prop_assert!(!rest.contains(['/', '?', '#', '@']), "{pattern}: {text}");
            let loopback = host == "localhost" || host.ends_with(".localhost") || host == "[::1]"
                || (host.starts_with("127.") && host.split('.').count() == 4 && host.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
            if credentials {
                prop_assert!(scheme != "http" || loopback, "{pattern} allows {text} with credentials");
            }
            let domain_len = if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                host.len()
            } else if host == "localhost" || host.ends_with(".localhost") {
                // Names under localhost are this machine: `localhost` is the domain.
                "localhost".len()
            } else {
                public_suffix::registrable_domain(host).map_or(host.len(), str::len)
            };
            let host_end = scheme.len() + 3 + host.len();
            let must_be_literal = host_end - domain_len..host_end;
            prop_assert!(accepts_with_literals(&nfa, &origin, &must_be_literal),
                "{pattern} matches {text}, whose registrable domain it does not spell out");
        }
    }
}

/// The safety analysis counts its steps per file: a file of many regexes,
/// each fine alone, runs out of the file's budget and says so at the
/// first regex it could not prove, instead of taking unbounded time.
#[test]
fn the_file_budget_of_the_safety_analysis_is_counted() {
    // About 30,000 steps each: 400 of them need 12 million.
    let origins: Vec<String> = (0..400)
        .map(|n| format!(r#"~"^https://[a-z]{{1,63}}(\.[a-z]{{1,63}}){{0,6}}\.app{n}\.example\.com(:[0-9]{{1,5}})?$""#))
        .collect();
    let source = format!("policy p {{ origins {}; }}", origins.join(" "));
    let checked = check(&source);
    let refused: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::RegexTooComplex)
        .collect();
    assert!(!refused.is_empty(), "the file budget was not reached");
    assert!(
        refused
            .iter()
            .all(|d| d.label.contains("the regexes of this file need more than")),
        "{refused:#?}"
    );
    // Every regex before the first refusal was proved, and none after it.
    let first = refused[0].span.start;
    assert!(refused.iter().all(|d| d.span.start >= first));
    assert!(checked
        .diagnostics
        .iter()
        .all(|d| d.code == Code::RegexTooComplex));
    assert_eq!(
        refused.len(),
        origins.len() - source[..first].matches('~').count(),
        "every regex after the budget ran out is refused"
    );
}

/// Compiles a policy with these origins (`check` and `compile` must agree)
/// and returns which of `origins` a GET is allowed from.
fn allowed_by(origin_patterns: &[String], origins: &[&str]) -> Vec<bool> {
    let source = format!("policy p {{ origins {}; }}", origin_patterns.join("\n    "));
    let checked = check(&source);
    let compiled = compile(&source);
    assert_eq!(
        checked.table.is_some(),
        compiled.is_ok(),
        "check and compile disagree"
    );
    let compiled = compiled.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(checked.table.as_ref(), Some(&compiled.table));
    let policy = Table::from_bytes(&compiled.table).expect("table loads");
    origins
        .iter()
        .map(|origin| {
            let request = Request {
                origin: Some(origin.as_bytes()),
                ..Request::new(b"GET", b"/")
            };
            policy.eval(&request).decision == Decision::ActualAllowed
        })
        .collect()
}

/// The adversarial review's policies: four and five regexes
/// `[a-z]*X[a-z]{8}` made `compile` take 13 s and 577 MB (five: 2 GB and a
/// failure) after `check` said 0 errors. Walked backwards they are small.
#[test]
fn class_then_count_regexes_compile_small() {
    for letters in ["abcd", "abcde"] {
        let patterns: Vec<String> = letters
            .chars()
            .map(|x| format!(r#"~"^https://[a-z]*{x}[a-z]{{8}}\.example\.com$""#))
            .collect();
        let source = format!("policy p {{ origins {}; }}", patterns.join(" "));
        let compiled = compile(&source).expect("compiles");
        assert!(
            compiled.table.len() < 4096,
            "{} bytes",
            compiled.table.len()
        );
        assert_eq!(
            allowed_by(
                &patterns,
                &[
                    "https://abcdefghi.example.com",
                    "https://zzzzdqwertyui.example.com",
                    "https://zzzzfqwertyui.example.com",
                    "https://dqwertyu.example.com",
                    "https://example.com",
                ]
            ),
            [true, true, false, false, false]
        );
    }
}

/// 2,000 any-depth regexes took 13 s: each spells its domain, so walked
/// backwards they part at once. The table stays linear in their size and
/// eval answers them all.
#[test]
fn two_thousand_any_depth_regexes_compile_linearly() {
    let patterns: Vec<String> = (0..2000)
        .map(|n| format!(r#"~"^https://([a-z0-9-]+\.)*app{n}\.example\.com$""#))
        .collect();
    let source = format!("policy p {{ origins {}; }}", patterns.join(" "));
    let compiled = compile(&source).expect("compiles");
    assert!(
        compiled.table.len() < 400 * patterns.len(),
        "{} bytes for {} regexes",
        compiled.table.len(),
        patterns.len()
    );
    assert_eq!(
        allowed_by(
            &patterns,
            &[
                "https://a.b-c.app1999.example.com",
                "https://x.app0.example.com",
                "https://app0.example.com",
                "https://app2000.example.com",
                "https://xapp1.example.com",
                "https://x.app1.example.com.evil.net",
            ]
        ),
        [true, true, true, false, false, false]
    );
}

/// Literal labels with public suffixes below them (the whole list, private
/// section included): refused exactly when the pattern can reach a host
/// under one, with that host as the counterexample.
#[test]
fn public_suffixes_below_the_literal_labels_are_decided_exactly() {
    for (pattern, headline) in [
        (
            r"^https://([a-z0-9-]+\.)+amazonaws\.com$",
            Some("this pattern also allows https://evil.s3.amazonaws.com"),
        ),
        (
            r"^https://[a-z0-9-]+\.[a-z0-9-]+\.kawasaki\.jp$",
            Some("this pattern also allows https://evil.x.kawasaki.jp"),
        ),
        (
            r"^https://[0-9]+\.kawasaki\.jp$",
            Some("this pattern also allows https://0.kawasaki.jp"),
        ),
        (
            r"^https://(s|t)3\.[a-z0-9-]+\.amazonaws\.com$",
            Some("this pattern also allows https://s3.s3.amazonaws.com"),
        ),
        (
            r"^https://[a-z]+\.ck$",
            Some("this pattern also allows https://evil.ck"),
        ),
        (
            r"^https://([a-z0-9-]+\.)*[a-z]+\.github\.io$",
            Some("this pattern also allows https://evil.github.io"),
        ),
        // Names under localhost are this machine, as for `http://*.localhost`.
        (r"^http://[a-z0-9-]+\.localhost(:[0-9]+)?$", None),
        // No rule under amazonaws.com is one label of letters or digits only.
        (r"^https://[0-9]+\.amazonaws\.com$", None),
        (r"^https://[a-z]+\.amazonaws\.com$", None),
        // `!city.kawasaki.jp`: the city's own names are registrable by it.
        (r"^https://[a-z]+\.city\.kawasaki\.jp$", None),
        (
            r"^https://([a-z0-9-]+\.)*my-bucket\.s3\.amazonaws\.com$",
            None,
        ),
    ] {
        let found = errors(pattern, true);
        match headline {
            Some(headline) => assert!(
                found
                    .iter()
                    .any(|(c, m)| *c == Code::RegexOutsideDomain && m == headline),
                "{pattern}: expected `{headline}`, got {found:#?}"
            ),
            None => assert!(found.is_empty(), "{pattern}: {found:#?}"),
        }
    }
}
