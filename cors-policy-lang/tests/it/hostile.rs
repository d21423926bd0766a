//! Hostile inputs: adversarial `Origin` values (`hostile/origins.txt`), each
//! with the reason it must be refused, hostile policy files, each with the
//! exact diagnostics `corsc check` must print, and every input a fuzz target
//! failed on (`hostile/fuzz-regressions/`, see `fuzz_regressions`).

mod fuzz_regressions;

use crate::support::unescape;
use cors_match_core::outcome::names;
use cors_match_core::{Decision, Reason, Request, Table};
use cors_policy_lang::{check, reference, RenderStyle};

const POLICY: &str = "\
policy api {
    origins https://foo.com https://bar.com https://*.example.com
            http://localhost:3000 https://app.example.org:8443;
    methods GET PUT;
    allow-headers Content-Type;
    credentials on;
    allow-insecure-origins on;
}
";

struct HostileOrigin {
    line: usize,
    reason: Reason,
    origin: Vec<u8>,
    trick: String,
}

fn hostile_origins() -> Vec<HostileOrigin> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile/origins.txt");
    let text = std::fs::read_to_string(path).expect("hostile/origins.txt");
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        let [reason, origin, trick] = fields[..] else {
            panic!("line {}: expected `reason | origin | trick`", index + 1);
        };
        let reason = match reason {
            "origin-not-allowed" => Reason::OriginNotAllowed,
            "malformed-origin" => Reason::MalformedOrigin,
            other => panic!("line {}: unexpected reason {other:?}", index + 1),
        };
        rows.push(HostileOrigin {
            line: index + 1,
            reason,
            origin: unescape(origin).unwrap_or_else(|e| panic!("line {}: {e}", index + 1)),
            trick: trick.to_string(),
        });
    }
    rows
}

fn has_allow_header(headers: &[(&str, &[u8])]) -> bool {
    headers
        .iter()
        .any(|(name, _)| name.starts_with("access-control-allow-"))
}

#[test]
fn no_hostile_origin_is_allowed() {
    let compiled = cors_policy_lang::compile(POLICY).expect("the test policy compiles");
    let table = Table::from_bytes(&compiled.table).expect("loads");
    let rows = hostile_origins();
    assert!(rows.len() >= 50, "only {} hostile origins", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let actual = Request {
            origin: Some(&row.origin),
            ..Request::new(b"GET", b"/")
        };
        let preflight = Request {
            origin: Some(&row.origin),
            request_method: Some(b"PUT"),
            request_headers: Some(b"content-type"),
            ..Request::new(b"OPTIONS", b"/")
        };
        for (request, decision) in [
            (actual, Decision::ActualDenied),
            (preflight, Decision::PreflightDenied),
        ] {
            let fast = table.eval(&request);
            let slow = reference::evaluate(&compiled.model, &request);
            let headers: Vec<(&str, &[u8])> =
                fast.headers.iter().map(|h| (h.name, h.value)).collect();
            if fast.decision != decision
                || fast.reason != Some(row.reason)
                || has_allow_header(&headers)
                || slow.decision != fast.decision
                || slow.reason != fast.reason
            {
                failures.push(format!(
                    "line {}: {:?} ({}): table {:?}/{:?} {:?}, reference {:?}/{:?}; expected {:?}/{}",
                    row.line,
                    row.origin.escape_ascii().to_string(),
                    row.trick,
                    fast.decision,
                    fast.reason,
                    headers,
                    slow.decision,
                    slow.reason,
                    decision,
                    row.reason
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The refusals above are not the policy refusing everything.
#[test]
fn the_policys_own_origins_are_allowed() {
    let compiled = cors_policy_lang::compile(POLICY).expect("the test policy compiles");
    let table = Table::from_bytes(&compiled.table).expect("loads");
    for origin in [
        "https://foo.com",
        "https://bar.com",
        "https://x.example.com",
        "https://a.b-c.example.com",
        "http://localhost:3000",
        "https://app.example.org:8443",
    ] {
        let outcome = table.eval(&Request {
            origin: Some(origin.as_bytes()),
            ..Request::new(b"GET", b"/")
        });
        assert_eq!(outcome.decision, Decision::ActualAllowed, "{origin}");
        assert_eq!(outcome.header(names::ALLOW_ORIGIN), Some(origin.as_bytes()));
    }
}

// ---------------------------------------------------------------------------
// Hostile policy files
// ---------------------------------------------------------------------------

/// A hostile policy file and the exact `corsc check` diagnostics (short
/// style) it must produce.
struct HostilePolicy {
    name: &'static str,
    source: String,
    expected: String,
}

fn policy(
    name: &'static str,
    source: impl Into<String>,
    expected: impl Into<String>,
) -> HostilePolicy {
    HostilePolicy {
        name,
        source: source.into(),
        expected: expected.into(),
    }
}

fn hostile_policies() -> Vec<HostilePolicy> {
    vec![
        policy(
            "nul_byte_in_an_origin",
            "policy p { origins https://a.com\0.evil.net; }\n",
            "nul_byte_in_an_origin.corspolicy:1:20: error[CORS0030]: origin `https://a.com\\0.evil.net` contains whitespace or a control character\n",
        ),
        policy(
            "nul_byte_between_directives",
            "policy p { origins https://a.com;\0 methods PUT; }\n",
            "nul_byte_between_directives.corspolicy:1:34: error[CORS0010]: unknown directive `\\0`\n",
        ),
        policy(
            "byte_order_mark",
            "\u{feff}policy p { origins https://a.com; }\n",
            "",
        ),
        policy(
            "crlf_line_endings_keep_positions",
            "policy p {\r\n    origins https://a.com;\r\n    methods PUT PUT;\r\n}\r\n",
            "crlf_line_endings_keep_positions.corspolicy:3:17: warning[CORS0055]: method `PUT` is listed twice\n",
        ),
        policy(
            "unterminated_string_at_end_of_file",
            "policy p { paths \"/api",
            "unterminated_string_at_end_of_file.corspolicy:1:8: error[CORS0016]: policy `p` has no `origins`\n\
             unterminated_string_at_end_of_file.corspolicy:1:18: error[CORS0001]: unterminated string\n\
             unterminated_string_at_end_of_file.corspolicy:1:23: error[CORS0003]: expected `;`, found the end of the file\n\
             unterminated_string_at_end_of_file.corspolicy:1:23: error[CORS0004]: unclosed policy block\n",
        ),
        policy(
            "unclosed_policy_at_end_of_file",
            "policy p { origins https://a.com;",
            "unclosed_policy_at_end_of_file.corspolicy:1:34: error[CORS0004]: unclosed policy block\n",
        ),
        policy(
            "ten_thousand_open_braces",
            format!("policy p {}", "{".repeat(10_000)),
            "ten_thousand_open_braces.corspolicy:1:8: error[CORS0016]: policy `p` has no `origins`\n\
             ten_thousand_open_braces.corspolicy:1:11: error[CORS0003]: expected a directive, found `{`\n\
             ten_thousand_open_braces.corspolicy:1:10010: error[CORS0004]: unclosed policy block\n",
        ),
        policy(
            "a_megabyte_identifier",
            format!("policy {} {{ origins https://a.com; }}\n", "p".repeat(1 << 20)),
            "",
        ),
        policy(
            "trojan_source_bidi_override",
            "policy p { origins https://a.com\u{202e}moc.live; }\n",
            "trojan_source_bidi_override.corspolicy:1:20: error[CORS0035]: `a.com\\u{202e}moc.live` is not a valid domain name\n",
        ),
        policy(
            "cyrillic_look_alike_host",
            "policy p { origins https://\u{0430}pple.com; }\n",
            "cyrillic_look_alike_host.corspolicy:1:20: warning[CORS0073]: host `\u{0430}pple.com` mixes scripts: the label `\u{0430}pple` has Cyrillic and Latin letters\n",
        ),
        policy(
            "unanchored_wildcard",
            "policy p { origins https://*example.com; }\n",
            "unanchored_wildcard.corspolicy:1:20: error[CORS0037]: `*` is allowed only as the whole leftmost label\n",
        ),
        policy(
            "wildcard_over_a_public_suffix",
            "policy p { origins https://*.co.uk https://*.github.io https://*.com; }\n",
            "wildcard_over_a_public_suffix.corspolicy:1:20: warning[CORS0038]: `https://*.co.uk` also allows `https://evil.co.uk`, which anyone can register\n\
             wildcard_over_a_public_suffix.corspolicy:1:36: warning[CORS0038]: `https://*.github.io` also allows `https://evil.github.io`, which anyone can register\n\
             wildcard_over_a_public_suffix.corspolicy:1:56: warning[CORS0038]: `https://*.com` also allows `https://evil.com`, which anyone can register\n",
        ),
        policy(
            "wildcard_over_a_suffix_below",
            "policy p { origins https://*.amazonaws.com https://*.kawasaki.jp https://*.ck; credentials on; }\n",
            "wildcard_over_a_suffix_below.corspolicy:1:20: error[CORS0038]: `https://*.amazonaws.com` also allows `https://evil.s3.amazonaws.com`, which anyone can register\n\
             wildcard_over_a_suffix_below.corspolicy:1:44: error[CORS0038]: `https://*.kawasaki.jp` also allows `https://evil.x.kawasaki.jp`, which anyone can register\n\
             wildcard_over_a_suffix_below.corspolicy:1:66: error[CORS0038]: `https://*.ck` also allows `https://evil.x.ck`, which anyone can register\n",
        ),
        policy(
            "wildcard_inside_a_label",
            "policy p { origins https://app-*.example.com https://a.*.example.com; }\n",
            "wildcard_inside_a_label.corspolicy:1:20: error[CORS0037]: `*` is allowed only as the whole leftmost label\n\
             wildcard_inside_a_label.corspolicy:1:46: error[CORS0037]: `*` is allowed only as the whole leftmost label\n",
        ),
        policy(
            "origin_with_path_userinfo_and_trailing_dot",
            "policy p { origins https://a.com/ https://user@a.com https://a.com. ; }\n",
            "origin_with_path_userinfo_and_trailing_dot.corspolicy:1:20: error[CORS0031]: origin `https://a.com/` has a path\n\
             origin_with_path_userinfo_and_trailing_dot.corspolicy:1:35: error[CORS0032]: origin `https://user@a.com` has a user name\n\
             origin_with_path_userinfo_and_trailing_dot.corspolicy:1:54: error[CORS0035]: host has a trailing dot\n",
        ),
        policy(
            "null_origin_with_credentials",
            "policy p { origins null; credentials on; }\n",
            "null_origin_with_credentials.corspolicy:1:20: error[CORS0040]: the `null` origin can be sent by any site; it cannot be trusted with credentials\n",
        ),
        policy(
            "any_origin_with_credentials",
            "policy p { origins *; credentials on; }\n",
            "any_origin_with_credentials.corspolicy:1:20: error[CORS0041]: `origins *` cannot be used with `credentials on`\n",
        ),
        policy(
            "plain_http_origin_with_credentials",
            "policy p { origins http://intranet.example.com; credentials on; }\n",
            "plain_http_origin_with_credentials.corspolicy:1:20: error[CORS0042]: insecure origin `http://intranet.example.com` cannot be used with `credentials on`\n",
        ),
        policy(
            "port_out_of_range",
            "policy p { origins https://a.com:65536 https://a.com:99999999999999999999; }\n",
            "port_out_of_range.corspolicy:1:20: error[CORS0034]: port `65536` is out of range\n\
             port_out_of_range.corspolicy:1:40: error[CORS0034]: port `99999999999999999999` is out of range\n",
        ),
        policy(
            "forbidden_methods_and_headers",
            "policy p { origins https://a.com; methods CONNECT TRACE TRACK; allow-headers Cookie Host; }\n",
            "forbidden_methods_and_headers.corspolicy:1:43: error[CORS0053]: `CONNECT` is a forbidden method\n\
             forbidden_methods_and_headers.corspolicy:1:51: error[CORS0053]: `TRACE` is a forbidden method\n\
             forbidden_methods_and_headers.corspolicy:1:57: error[CORS0053]: `TRACK` is a forbidden method\n\
             forbidden_methods_and_headers.corspolicy:1:78: warning[CORS0062]: `Cookie` is a forbidden request header\n\
             forbidden_methods_and_headers.corspolicy:1:85: warning[CORS0062]: `Host` is a forbidden request header\n",
        ),
        policy(
            "max_age_overflow",
            "policy p { origins https://a.com; max-age 99999999999999999999s; }\n",
            "max_age_overflow.corspolicy:1:43: error[CORS0071]: `max-age` is too many seconds, more than one day\n",
        ),
        policy(
            "header_injection_in_a_header_name",
            "policy p { origins https://a.com; allow-headers \"X-A\\r\\nSet-Cookie: x\"; }\n",
            "header_injection_in_a_header_name.corspolicy:1:49: error[CORS0060]: invalid header name `X-Ar\\nSet-Cookie: x`\n\
             header_injection_in_a_header_name.corspolicy:1:53: error[CORS0002]: invalid escape in string\n",
        ),
        policy(
            "two_catch_all_policies_and_a_shadowed_path",
            "policy a { origins https://a.com; }\npolicy b { origins https://b.com; }\npolicy c { paths /x /x; origins https://c.com; }\n",
            "two_catch_all_policies_and_a_shadowed_path.corspolicy:2:8: error[CORS0021]: two policies without `paths` both cover every path\n\
             two_catch_all_policies_and_a_shadowed_path.corspolicy:3:21: error[CORS0021]: path prefix `/x` is listed twice\n",
        ),
        policy("only_comments_and_whitespace", "# nothing\n\n\t  \n", "only_comments_and_whitespace.corspolicy:1:1: warning[CORS0018]: this file defines no policy\n"),
        // Every error is reported, each at its own column, in linear time.
        policy(
            "a_thousand_errors",
            (0..1000).fold("policy p { origins".to_string(), |source, i| {
                source + &format!(" https://h{i:03}.com/")
            }) + "; }\n",
            (0..1000)
                .map(|i| {
                    format!(
                        "a_thousand_errors.corspolicy:1:{}: error[CORS0031]: \
                         origin `https://h{i:03}.com/` has a path\n",
                        20 + i * 18
                    )
                })
                .collect::<String>(),
        ),
    ]
}

#[test]
fn hostile_policies_get_exactly_the_expected_diagnostics() {
    let policies = hostile_policies();
    assert!(
        policies.len() >= 20,
        "only {} hostile policies",
        policies.len()
    );
    let mut failures = Vec::new();
    for case in &policies {
        let file = format!("{}.corspolicy", case.name);
        let rendered =
            check(&case.source)
                .diagnostics
                .render(&file, &case.source, RenderStyle::Short);
        if rendered != case.expected {
            failures.push(format!(
                "--- {}\nexpected:\n{}\nactual:\n{}",
                case.name, case.expected, rendered
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
