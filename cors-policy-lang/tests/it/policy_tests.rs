//! `test` blocks on many generated files (a fixed-seed generator, so every
//! run checks the same files):
//!
//! - wherever they are placed and whatever they say, test blocks never
//!   change the compiled table, nor the diagnostics about the policies: a
//!   file's errors beyond its policies' own are test-block errors
//!   (CORS0100-CORS0108), and its warnings are the policies' warnings;
//! - every valid test runs, and its recorded outcome is what `Table::eval`
//!   answers for its request;
//! - token soup made of the test grammar's words never panics the parser,
//!   the checks or the runner.

use cors_match_core::Table;
use cors_policy_lang::policy_tests::{self, Mismatch};
use cors_policy_lang::{check, parser, Code};

/// A small deterministic generator (xorshift64*), seeded per test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const BASES: &[&str] = &[
    include_str!("../../../examples/api.corspolicy"),
    "policy p { origins https://*.a.com:* http://[::1]:3000; methods PUT X-Custom;\n\
     allow-headers *; expose-headers *; max-age 2h; private-network on; preflight-status 200; }\n\
     policy q { paths /b/ /c; origins *; methods DELETE; allow-headers x-a; }\n",
    "policy a { paths /a; origins https://a.com http://127.0.0.1:*; credentials on;\n\
     allow-headers content-type; expose-headers x-request-id; }\n",
    "# no policy at all\n",
];

/// Directive lines a test may hold, valid or not.
const LINES: &[&str] = &[
    "request GET /api/users;",
    "request OPTIONS /api/users?x=1;",
    "request OPTIONS /b/x;",
    "request PUT /a;",
    "request DELETE /static/x;",
    "origin https://app.example.com;",
    "origin https://x.a.com:8443;",
    "origin http://[::1]:3000;",
    "origin null;",
    "origin \"https://App.example.com/\";",
    "origin https://a.com/;",
    "request-method PUT;",
    "request-method X-Custom;",
    "request-headers content-type authorization;",
    "request-headers \"x-a ,, X-B\";",
    "request-headers a,b;",
    "private-network;",
    "expect pass;",
    "expect actual-allowed;",
    "expect actual-denied;",
    "expect preflight-allowed;",
    "expect preflight-denied;",
    "expect allowed;",
    "expect-reason origin-not-allowed;",
    "expect-reason header-not-allowed;",
    "expect-reason not-cors;",
    "expect-status 204;",
    "expect-status 403;",
    "expect-header vary Origin;",
    "expect-header access-control-allow-origin *;",
    "expect-no-header access-control-allow-credentials;",
    "expect-no-header vary;",
    "expcet pass;",
];

fn test_block(rng: &mut Rng, index: usize) -> String {
    let mut block = format!("test \"t{index}\" {{\n");
    for _ in 0..rng.below(8) {
        block += "    ";
        block += rng.pick(LINES);
        block += "\n";
    }
    block += "}\n";
    block
}

/// A test block that is always valid: its expectations fit its request
/// (they may still fail when run).
fn valid_block(rng: &mut Rng, index: usize) -> String {
    let method = rng.pick(&["GET", "OPTIONS", "PUT", "X-Custom"]);
    let path = rng.pick(&["/api/users", "/b/x?q=1", "/a", "/static/app.js", "/"]);
    let mut block = format!("test v{index} {{\n    request {method} {path};\n");
    let origin = rng.below(4) != 0;
    if origin {
        let value = rng.pick(&[
            "https://app.example.com",
            "https://x.a.com:8443",
            "http://[::1]:3000",
            "null",
            "\"https://a.com, https://b.com\"",
        ]);
        block += &format!("    origin {value};\n");
    }
    let request_method = rng.below(2) == 0;
    if request_method {
        block += &format!(
            "    request-method {};\n",
            rng.pick(&["PUT", "DELETE", "X-Custom"])
        );
    }
    if rng.below(2) == 0 {
        block += "    request-headers content-type x-a;\n";
    }
    if rng.below(3) == 0 {
        block += "    private-network;\n";
    }
    let preflight = origin && request_method && method == "OPTIONS";
    let decisions: &[&str] = if !origin {
        &["pass"]
    } else if preflight {
        &["pass", "preflight-allowed", "preflight-denied"]
    } else {
        &["pass", "actual-allowed", "actual-denied"]
    };
    block += &format!("    expect {};\n", rng.pick(decisions));
    if rng.below(2) == 0 {
        block += "    expect-header vary Origin;\n";
    }
    block += "}\n";
    block
}

/// `base` with `count` generated test blocks placed between its items:
/// always valid ones, or from [`LINES`], valid or not.
fn with_tests(rng: &mut Rng, base: &str, count: usize, valid: bool) -> String {
    let (file, _) = parser::parse(base);
    let mut places = vec![0];
    places.extend(file.policies.iter().map(|p| p.span.end));
    let mut inserts: Vec<(usize, String)> = (0..count)
        .map(|i| {
            let place = places[rng.below(places.len())];
            let block = if valid {
                valid_block(rng, i)
            } else {
                test_block(rng, i)
            };
            (place, block)
        })
        .collect();
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::new();
    let mut at = 0;
    for (place, block) in inserts {
        out += &base[at..place];
        out += "\n";
        out += &block;
        at = place;
    }
    out += &base[at..];
    out
}

#[test]
fn test_blocks_never_change_the_table_or_the_policy_diagnostics() {
    let mut rng = Rng(0x5eed_7e57_b10c_0001);
    let mut valid_runs = 0;
    for round in 0..400 {
        let base = BASES[round % BASES.len()];
        let plain = check(base);
        let plain_table = plain.table.clone().expect("the bases compile");
        let count = 1 + rng.below(4);
        let source = with_tests(&mut rng, base, count, round % 2 == 0);
        let checked = check(&source);
        let policy_codes =
            |d: &&cors_policy_lang::Diagnostic| !(100..=108).contains(&d.code.number());
        let warnings: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| (d.code, d.message.clone()))
            .collect();
        let plain_warnings: Vec<_> = plain
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect();
        assert_eq!(warnings, plain_warnings, "{source}");
        let foreign: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .filter(policy_codes)
            .collect();
        assert!(foreign.is_empty(), "{foreign:?}\n{source}");
        match &checked.table {
            Some(table) => assert!(*table == plain_table, "{source}"),
            None => assert!(checked.diagnostics.has_errors(), "{source}"),
        }

        let suite = policy_tests::load(&source);
        let Some(results) = suite.run() else {
            assert!(checked.table.is_none());
            continue;
        };
        valid_runs += 1;
        assert_eq!(results.len(), suite.cases.len());
        let table = Table::from_bytes(&plain_table).expect("loads");
        for result in &results {
            let outcome = table.eval(&result.case.request.as_request());
            assert_eq!(result.actual.decision, outcome.decision);
            assert_eq!(result.actual.reason, outcome.reason);
            assert_eq!(result.actual.status, outcome.status);
            assert_eq!(result.actual.headers.len(), outcome.headers.len());
            let decision_mismatch = result
                .mismatches
                .iter()
                .any(|m| matches!(m, Mismatch::Decision { .. }));
            assert_eq!(
                decision_mismatch,
                outcome.decision != result.case.expect.decision
            );
        }
    }
    // The generator reaches files whose tests all run (and files with errors).
    assert!(valid_runs > 40, "only {valid_runs} files ran");
}

#[test]
fn token_soup_never_panics() {
    const WORDS: &[&str] = &[
        "test",
        "policy",
        "{",
        "}",
        ";",
        "\"",
        "\"t\"",
        "request",
        "GET",
        "/x",
        "origin",
        "https://a.com",
        "expect",
        "pass",
        "expect-header",
        "vary",
        "~\"x\"",
        "#c\n",
        "\n",
        "origins",
        "*",
        "request-headers",
        "private-network",
        "expect-status",
        "204",
    ];
    let mut rng = Rng(0x50_0b_50_0b);
    for _ in 0..2_000 {
        let mut source = String::new();
        for _ in 0..rng.below(40) {
            source += rng.pick(WORDS);
            source += " ";
        }
        let suite = policy_tests::load(&source);
        if let Some(results) = suite.run() {
            for result in &results {
                let _ = policy_tests::Suite::failure_diagnostic(result);
            }
        }
        let _ = suite.checked.diagnostics.render(
            "soup.corspolicy",
            &source,
            cors_policy_lang::RenderStyle::Rich,
        );
    }
}

#[test]
fn the_codes_of_test_blocks_are_their_own_range() {
    for code in Code::ALL {
        let name = format!("{code:?}");
        assert_eq!(
            name.starts_with("Test"),
            (100..=109).contains(&code.number()),
            "{name} = {code}"
        );
    }
}
