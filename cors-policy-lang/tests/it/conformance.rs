//! Conformance: a table of requests and their exact expected outcomes
//! (`tests/conformance/cases.txt`), each run through the compiled table
//! (`cors_match_core`) and through the reference evaluator; both must equal
//! the row. The policies are `.corspolicy` sources, compiled by the real
//! front end.

use crate::support::unescape;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cors_match_core::outcome::{names, vary};
use cors_match_core::{Decision, Reason, Request, Table};
use cors_policy_lang::reference::{self, RefOutcome};
use cors_policy_lang::Compiled;

const CASES: &str = include_str!("../conformance/cases.txt");

/// The policy sources the rows refer to by name.
const SOURCES: &[(&str, &str)] = &[
    (
        "design",
        r#"
# api.corspolicy (the README's example) plus the legacy `private-network on`, which the
# design/*pna* rows exercise (as cors-ffi/tests/fixtures/private_network.corspolicy)
policy api {
    paths /api/ /v2/;                 # path prefixes, matched on segment boundaries
    origins https://app.example.com
            https://*.example.com     # any subdomain, any depth; never the apex
            http://localhost:*;       # any port
    methods GET POST PUT DELETE;
    allow-headers Content-Type Authorization X-Requested-With;
    expose-headers X-Request-Id;
    credentials on;
    max-age 10m;                      # 600, 10m, 2h
    private-network on;               # Access-Control-Allow-Private-Network
    preflight-status 204;             # default 204
}

policy assets {
    paths /static/;
    origins *;
    methods GET HEAD;
}
"#,
    ),
    (
        "strict",
        r#"
policy strict {
    origins https://example.com https://*.example.com;
    methods PUT X-Custom;
    allow-headers X-Token;
    expose-headers X-Request-Id X-Trace;
}
"#,
    ),
    (
        "mixed",
        r#"
policy open {
    paths /open;
    origins *;
    methods PUT;
    allow-headers *;
    expose-headers *;
    max-age 2h;
}

policy open-deep {
    paths /open/deep/;
    origins https://deep.test;
    preflight-status 200;
}

policy local {
    paths /local/;
    origins http://localhost:* http://127.0.0.1:8080 http://[::1]:*
            https://bücher.example null;
    methods DELETE PATCH;
    allow-headers * Authorization;
}

policy creds {
    paths /creds/ /account;
    origins https://app.example.com http://localhost:3000;
    methods PUT;
    allow-headers X-A x-b;
    expose-headers X-Request-Id;
    credentials on;
    max-age 5;
}

policy fallback {
    origins https://example.com;
}
"#,
    ),
    (
        "bare",
        r#"
policy bare {
    origins *;
}
"#,
    ),
    (
        "lan",
        r#"
policy lan {
    origins https://public.example;
    methods PUT;
    private-network on;
    preflight-status 200;
}
"#,
    ),
    (
        "regex",
        r#"
policy regex {
    origins https://app.example.com
            ~"^https://pr-[0-9]+\.preview\.example\.com$"
            ~"https://(www|shop)\.example\.(com|org)(:[0-9]{2,5})?";
    methods PUT;
    credentials on;
}
"#,
    ),
];

/// One row of the table.
#[derive(Debug)]
struct Case {
    line: usize,
    name: String,
    set: String,
    method: Vec<u8>,
    path: Vec<u8>,
    origin: Option<Vec<u8>>,
    request_method: Option<Vec<u8>>,
    request_headers: Option<Vec<u8>>,
    private_network: Option<Vec<u8>>,
    expected: RefOutcome,
}

impl Case {
    fn request(&self) -> Request<'_> {
        Request {
            method: &self.method,
            path: &self.path,
            origin: self.origin.as_deref(),
            request_method: self.request_method.as_deref(),
            request_headers: self.request_headers.as_deref(),
            request_private_network: self.private_network.as_deref(),
        }
    }
}

// ---------------------------------------------------------------------------
// The row format
// ---------------------------------------------------------------------------

fn optional_bytes(field: &str) -> Result<Option<Vec<u8>>, String> {
    if field == "~" {
        Ok(None)
    } else {
        unescape(field).map(Some)
    }
}

fn decision(text: &str) -> Result<Decision, String> {
    Decision::ALL
        .into_iter()
        .find(|d| d.as_str() == text)
        .ok_or_else(|| format!("unknown decision {text:?}"))
}

fn reason(text: &str) -> Result<Option<Reason>, String> {
    if text == "~" {
        return Ok(None);
    }
    Reason::ALL
        .into_iter()
        .find(|r| r.as_str() == text)
        .map(Some)
        .ok_or_else(|| format!("unknown reason {text:?}"))
}

fn header_name(short: &str) -> Result<&'static str, String> {
    let all = [
        ("acao", names::ALLOW_ORIGIN),
        ("acac", names::ALLOW_CREDENTIALS),
        ("acam", names::ALLOW_METHODS),
        ("acah", names::ALLOW_HEADERS),
        ("acma", names::MAX_AGE),
        ("acapn", names::ALLOW_PRIVATE_NETWORK),
        ("aceh", names::EXPOSE_HEADERS),
        ("vary", names::VARY),
    ];
    all.iter()
        .find(|(abbreviation, full)| *abbreviation == short || *full == short)
        .map(|(_, full)| *full)
        .ok_or_else(|| format!("unknown header {short:?}"))
}

fn headers(field: &str, origin: Option<&[u8]>) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
    if field == "~" {
        return Ok(Vec::new());
    }
    field
        .split(';')
        .map(|pair| {
            let (name, value) = pair
                .trim()
                .split_once('=')
                .ok_or_else(|| format!("`name=value` expected, got {pair:?}"))?;
            let value = match value.trim() {
                "$O" => origin.ok_or("$O in a row without an origin")?.to_vec(),
                "$PF" => vary::PREFLIGHT.to_vec(),
                "$PFPN" => vary::PREFLIGHT_PRIVATE_NETWORK.to_vec(),
                other => unescape(other)?,
            };
            Ok((header_name(name.trim())?, value))
        })
        .collect()
}

fn parse_row(line: usize, text: &str) -> Result<Case, String> {
    let fields: Vec<&str> = text.split('|').map(str::trim).collect();
    let [name, set, method, path, origin, acrm, acrh, pna, decision_f, reason_f, policy, status, headers_f] =
        fields[..]
    else {
        return Err(format!("13 fields expected, got {}", fields.len()));
    };
    let origin = optional_bytes(origin)?;
    let expected = RefOutcome {
        decision: decision(decision_f)?,
        reason: reason(reason_f)?,
        policy: (policy != "~").then(|| policy.to_string()),
        status: match status {
            "~" => None,
            n => Some(n.parse().map_err(|e| format!("status {n:?}: {e}"))?),
        },
        headers: headers(headers_f, origin.as_deref())?,
    };
    Ok(Case {
        line,
        name: name.to_string(),
        set: set.to_string(),
        method: unescape(method)?,
        path: unescape(path)?,
        origin,
        request_method: optional_bytes(acrm)?,
        request_headers: optional_bytes(acrh)?,
        private_network: optional_bytes(pna)?,
        expected,
    })
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, text) in CASES.lines().enumerate() {
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let line = index + 1;
        match parse_row(line, text) {
            Ok(case) => cases.push(case),
            Err(error) => panic!("cases.txt:{line}: {error}\n  {text}"),
        }
    }
    cases
}

fn compile_all() -> HashMap<&'static str, Compiled> {
    SOURCES
        .iter()
        .map(|(name, source)| {
            let compiled = cors_policy_lang::compile(source)
                .unwrap_or_else(|failure| panic!("policy set `{name}` must compile: {failure:?}"));
            (*name, compiled)
        })
        .collect()
}

fn table_outcome(table: &Table<'_>, request: &Request<'_>) -> RefOutcome {
    crate::support::owned(&table.eval(request))
}

/// Readable rendering of request bytes for failure messages.
fn show_bytes(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "~".to_string(),
        Some(bytes) if bytes.len() > 80 => format!(
            "\"{}...\" ({} bytes)",
            bytes[..60].escape_ascii(),
            bytes.len()
        ),
        Some(bytes) => format!("\"{}\"", bytes.escape_ascii()),
    }
}

fn show_request(request: &Request<'_>) -> String {
    format!(
        "{} {} origin={} acrm={} acrh={} pna={}",
        show_bytes(Some(request.method)),
        show_bytes(Some(request.path)),
        show_bytes(request.origin),
        show_bytes(request.request_method),
        show_bytes(request.request_headers),
        show_bytes(request.request_private_network),
    )
}

/// Readable rendering of an outcome for failure messages.
fn show(outcome: &RefOutcome) -> String {
    let mut text = format!(
        "{} reason={} policy={} status={:?}",
        outcome.decision,
        outcome.reason.map_or("~", Reason::as_str),
        outcome.policy.as_deref().unwrap_or("~"),
        outcome.status,
    );
    for (name, value) in &outcome.headers {
        text.push_str(&format!("\n      {name}: {}", show_bytes(Some(value))));
    }
    text
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

#[test]
fn conformance_table() {
    let compiled = compile_all();
    let tables: HashMap<&str, Table<'_>> = compiled
        .iter()
        .map(|(name, c)| {
            (
                *name,
                Table::from_bytes(&c.table).expect("compiled table loads"),
            )
        })
        .collect();
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let (Some(table), Some(model)) = (
            tables.get(case.set.as_str()),
            compiled.get(case.set.as_str()),
        ) else {
            panic!("cases.txt:{}: unknown set `{}`", case.line, case.set);
        };
        let request = case.request();
        let fast = table_outcome(table, &request);
        let slow = reference::evaluate(&model.model, &request);
        if fast != case.expected || slow != case.expected {
            failures.push(format!(
                "cases.txt:{} {}\n  request:   {}\n  expected:  {}\n  table:     {}{}\n  reference: {}{}",
                case.line,
                case.name,
                show_request(&request),
                show(&case.expected),
                show(&fast),
                if fast == case.expected { "  (ok)" } else { "  (MISMATCH)" },
                show(&slow),
                if slow == case.expected { "  (ok)" } else { "  (MISMATCH)" },
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The table itself: enough rows, every rule reached, unique names.
#[test]
fn conformance_table_covers_every_rule() {
    let cases = cases();
    assert!(cases.len() >= 100, "only {} cases", cases.len());

    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(&case.name),
            "duplicate case name {}",
            case.name
        );
        assert!(
            SOURCES.iter().any(|(name, _)| *name == case.set),
            "cases.txt:{}: unknown set `{}`",
            case.line,
            case.set
        );
    }

    let mut decisions: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let mut header_names: BTreeSet<&str> = BTreeSet::new();
    for case in &cases {
        *decisions
            .entry(case.expected.decision.as_str())
            .or_default() += 1;
        if let Some(reason) = case.expected.reason {
            *reasons.entry(reason.as_str()).or_default() += 1;
        }
        header_names.extend(case.expected.headers.iter().map(|(name, _)| *name));
    }
    assert_eq!(decisions.len(), 5, "decisions covered: {decisions:?}");
    assert_eq!(reasons.len(), 8, "reasons covered: {reasons:?}");
    assert_eq!(header_names.len(), 8, "headers covered: {header_names:?}");

    // At least 30 hostile origins against the strict policy, both reasons.
    let hostile: Vec<&Case> = cases
        .iter()
        .filter(|c| c.name.starts_with("hostile/"))
        .collect();
    assert!(
        hostile.len() >= 30,
        "only {} hostile origins",
        hostile.len()
    );
    for case in &hostile {
        assert_eq!(case.set, "strict", "{}", case.name);
        assert_eq!(
            case.expected.decision,
            Decision::ActualDenied,
            "{}",
            case.name
        );
    }
    for reason in [Reason::OriginNotAllowed, Reason::MalformedOrigin] {
        let count = hostile
            .iter()
            .filter(|c| c.expected.reason == Some(reason))
            .count();
        assert!(count >= 10, "{count} hostile origins are {reason}");
    }
}

/// Every hostile origin is also refused on a preflight, with the same reason.
#[test]
fn hostile_origins_are_refused_on_preflights_too() {
    let compiled = compile_all();
    let strict = &compiled["strict"];
    let table = Table::from_bytes(&strict.table).unwrap();
    for case in cases().iter().filter(|c| c.name.starts_with("hostile/")) {
        let request = Request {
            request_method: Some(b"PUT"),
            ..Request {
                method: b"OPTIONS",
                ..case.request()
            }
        };
        for outcome in [
            table_outcome(&table, &request),
            reference::evaluate(&strict.model, &request),
        ] {
            assert_eq!(outcome.decision, Decision::PreflightDenied, "{}", case.name);
            assert_eq!(outcome.reason, case.expected.reason, "{}", case.name);
            assert_eq!(
                outcome.headers,
                vec![(names::VARY, vary::PREFLIGHT.to_vec())],
                "{}",
                case.name
            );
        }
    }
}

/// The harness can fail: a row with a wrong expectation is reported.
#[test]
fn a_wrong_row_is_caught() {
    let compiled = compile_all();
    let design = &compiled["design"];
    let table = Table::from_bytes(&design.table).unwrap();
    let case = parse_row(
        0,
        "x | design | GET | /api/x | https://evil.test | ~ | ~ | ~ | actual-allowed | ~ | api | ~ | acao=$O; vary=Origin",
    )
    .unwrap();
    assert_ne!(table_outcome(&table, &case.request()), case.expected);
    assert_ne!(
        reference::evaluate(&design.model, &case.request()),
        case.expected
    );
}

#[test]
fn the_row_format_decodes_escapes() {
    assert_eq!(unescape(r"a\x20b\\c\t\r\n").unwrap(), b"a b\\c\t\r\n");
    assert_eq!(unescape(r"\[3*ab]c").unwrap(), b"abababc");
    assert!(unescape(r"\q").is_err());
    assert!(unescape(r"\x4").is_err());
    assert!(parse_row(1, "too | few").is_err());
}
