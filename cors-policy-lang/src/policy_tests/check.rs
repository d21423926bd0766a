//! Checking `test` blocks: every mistake a diagnostic, every valid block
//! a [`TestCase`].

use std::ops::Range;

use cors_match_core::outcome::names;
use cors_match_core::{Decision, Reason};

use super::{
    quote, Expectation, TestCase, TestRequest, MAX_ARGS, MAX_DIRECTIVES, MAX_TESTS, MAX_VALUE_BYTES,
};
use crate::ast::{self, Arg, Directive, Spanned, TestBlock};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::validate::{edit_distance, is_token};

/// The directives of a `test` block, with an example for help lines.
const DIRECTIVES: &[(&str, &str)] = &[
    ("request", "request OPTIONS /api/users;"),
    ("origin", "origin https://app.example.com;"),
    ("request-method", "request-method PUT;"),
    (
        "request-headers",
        "request-headers content-type authorization;",
    ),
    ("private-network", "private-network;"),
    ("expect", "expect preflight-allowed;"),
    ("expect-reason", "expect-reason header-not-allowed;"),
    ("expect-status", "expect-status 204;"),
    (
        "expect-header",
        "expect-header access-control-allow-origin https://app.example.com;",
    ),
    (
        "expect-no-header",
        "expect-no-header access-control-allow-credentials;",
    ),
];

/// The directives a test may repeat.
const REPEATABLE: &[&str] = &["expect-header", "expect-no-header"];

/// The response headers eval can set: an expectation about another header
/// could never be met.
const KNOWN_HEADERS: &[&str] = &[
    names::ALLOW_ORIGIN,
    names::ALLOW_CREDENTIALS,
    names::ALLOW_METHODS,
    names::ALLOW_HEADERS,
    names::MAX_AGE,
    names::ALLOW_PRIVATE_NETWORK,
    names::EXPOSE_HEADERS,
    names::VARY,
];

/// Checks every `test` block of `file`, reporting each mistake to
/// `diagnostics`, and returns the tests that are valid (in source order).
/// A file with more than [`MAX_TESTS`] tests gets one error and only the
/// first [`MAX_TESTS`] are checked.
pub fn validate(file: &ast::File, diagnostics: &mut Diagnostics) -> Vec<TestCase> {
    let mut cases = Vec::new();
    let mut seen: Vec<(&str, Range<usize>)> = Vec::new();
    if let Some(extra) = file.tests.get(MAX_TESTS) {
        diagnostics.push(
            Diagnostic::error(
                Code::TestTooLarge,
                format!(
                    "too many tests: {} in this file, at most {MAX_TESTS} are allowed",
                    file.tests.len()
                ),
                extra.span.start..extra.name.span.end,
            )
            .with_label("this test and those after it are not checked")
            .with_help("split the tests among several policy files"),
        );
    }
    // Test names are few (capped above): a linear search keeps the
    // reports in source order without a map.
    for block in file.tests.iter().take(MAX_TESTS) {
        if !block.name.value.is_empty() || is_quoted_name(block) {
            if let Some((_, first)) = seen.iter().find(|(name, _)| *name == block.name.value) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::TestDuplicate,
                        format!("a test named {} already exists", quote(&block.name.value)),
                        block.name.span.clone(),
                    )
                    .with_label("second test with this name")
                    .with_note(first.clone(), "first defined here")
                    .with_help("give each test a distinct name, so a failure names one test"),
                );
            } else {
                seen.push((&block.name.value, block.name.span.clone()));
            }
        }
        if let Some(case) = validate_block(block, diagnostics) {
            cases.push(case);
        }
    }
    cases
}

/// A `""` name, which the parser accepts: it is a name, and reported as
/// empty by [`validate_block`].
fn is_quoted_name(block: &TestBlock) -> bool {
    block.name.span.len() >= 2
}

/// Collects the errors of one block; `None` when it has any.
fn validate_block(block: &TestBlock, diagnostics: &mut Diagnostics) -> Option<TestCase> {
    let errors_before = diagnostics.error_count();
    let header = block.span.start..block.name.span.end.max(block.span.start);
    if block.name.value.is_empty() && is_quoted_name(block) {
        diagnostics.push(
            Diagnostic::error(
                Code::TestWrongArguments,
                "a test name cannot be empty",
                block.name.span.clone(),
            )
            .with_label("empty name")
            .with_help("name the test after what it checks, e.g. `test \"preflight from the app\" { ... }`"),
        );
    }
    if block.name.value.len() > MAX_VALUE_BYTES {
        diagnostics.push(
            Diagnostic::error(
                Code::TestTooLarge,
                format!(
                    "test name of {} bytes, at most {MAX_VALUE_BYTES} are allowed",
                    block.name.value.len()
                ),
                block.name.span.clone(),
            )
            .with_label("too long")
            .with_help("a failure report repeats the name: keep it to a few words"),
        );
    }
    if block.directives.len() > MAX_DIRECTIVES {
        diagnostics.push(
            Diagnostic::error(
                Code::TestTooLarge,
                format!(
                    "too many directives: {} in this test, at most {MAX_DIRECTIVES} are allowed",
                    block.directives.len()
                ),
                block.directives[MAX_DIRECTIVES].name.span.clone(),
            )
            .with_label("this directive and those after it are not checked")
            .with_help("split the test in several tests"),
        );
    }

    let mut builder = Builder::default();
    let mut firsts: Vec<(&str, Range<usize>)> = Vec::new();
    for directive in block.directives.iter().take(MAX_DIRECTIVES) {
        let name = directive.name.value.as_str();
        let Some(&(known, _)) = DIRECTIVES.iter().find(|(known, _)| *known == name) else {
            report_unknown(directive, diagnostics);
            continue;
        };
        if !REPEATABLE.contains(&known) {
            if let Some((_, first)) = firsts.iter().find(|(seen, _)| *seen == known) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::TestDuplicate,
                        format!("`{known}` appears twice in this test"),
                        directive.name.span.clone(),
                    )
                    .with_label("repeated here")
                    .with_note(first.clone(), "first written here")
                    .with_help("a test sends one request and expects one outcome; write another test for another case"),
                );
                continue;
            }
            firsts.push((known, directive.name.span.clone()));
        }
        if !check_sizes(directive, diagnostics) {
            continue;
        }
        builder.directive(known, directive, diagnostics);
    }

    if !builder.request_written {
        diagnostics.push(missing(
            block,
            &header,
            "request",
            "the request to evaluate",
        ));
    }
    if !builder.decision_written {
        diagnostics.push(missing(block, &header, "expect", "the expected decision"));
    }
    let (Some((method, path)), Some(decision)) = (builder.request.take(), builder.decision) else {
        return None;
    };
    let case = TestCase {
        name: block.name.clone(),
        span: block.span.clone(),
        request: TestRequest {
            method: method.value,
            path: path.value,
            origin: builder.origin.as_ref().map(|o| o.value.clone()),
            request_method: builder.request_method.clone(),
            request_headers: builder.request_headers.clone(),
            private_network: builder.private_network,
        },
        expect: Expectation {
            decision,
            reason: builder.reason.as_ref().map(|r| r.value),
            status: builder.status.as_ref().map(|s| s.value),
            headers: builder
                .headers
                .iter()
                .map(|(name, value, _)| (name.clone(), value.clone()))
                .collect(),
            absent_headers: builder
                .absent
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
        },
    };
    // Only a test without other errors: a rejected `origin` would look
    // like a missing one.
    if diagnostics.error_count() != errors_before {
        return None;
    }
    check_consistency(&case, &builder, diagnostics);
    (diagnostics.error_count() == errors_before).then_some(case)
}

fn missing(block: &TestBlock, header: &Range<usize>, directive: &str, what: &str) -> Diagnostic {
    let example = DIRECTIVES
        .iter()
        .find(|(name, _)| *name == directive)
        .map_or("", |(_, example)| example);
    Diagnostic::error(
        Code::TestMissingDirective,
        format!(
            "test {} has no `{directive}` directive",
            quote(&block.name.value)
        ),
        header.clone(),
    )
    .with_label(format!("`{directive}` gives {what}"))
    .with_help(format!("add e.g. `{example}`"))
}

fn report_unknown(directive: &Directive, diagnostics: &mut Diagnostics) {
    let name = directive.name.value.as_str();
    let lower = name.to_ascii_lowercase();
    // Policy directives and header names people reach for.
    let alias = match lower.as_str() {
        "method" => Some("request"),
        "origins" => Some("origin"),
        "access-control-request-method" | "request-methods" | "methods" => Some("request-method"),
        "access-control-request-headers" | "request-header" | "headers" => Some("request-headers"),
        "expect-headers" => Some("expect-header"),
        "status" => Some("expect-status"),
        "reason" => Some("expect-reason"),
        _ => None,
    };
    let suggestion = alias.or_else(|| {
        let limit = (lower.chars().count() / 3).clamp(1, 3);
        DIRECTIVES
            .iter()
            .map(|(known, _)| (edit_distance(&lower, known), *known))
            .filter(|(distance, _)| *distance <= limit)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known)
    });
    let help = match suggestion {
        Some(known) => format!("did you mean `{known}`?"),
        None => {
            let known: Vec<&str> = DIRECTIVES.iter().map(|(name, _)| *name).collect();
            format!("the directives of a test are: {}", known.join(", "))
        }
    };
    diagnostics.push(
        Diagnostic::error(
            Code::TestUnknownDirective,
            format!("unknown test directive `{}`", name.escape_debug()),
            directive.name.span.clone(),
        )
        .with_label("not a test directive")
        .with_help(help),
    );
}

/// Reports a directive with too many or too long arguments (nothing else
/// is checked then).
fn check_sizes(directive: &Directive, diagnostics: &mut Diagnostics) -> bool {
    if let Some(extra) = directive.args.get(MAX_ARGS) {
        diagnostics.push(
            Diagnostic::error(
                Code::TestTooLarge,
                format!(
                    "too many arguments: {}, at most {MAX_ARGS} are allowed",
                    directive.args.len()
                ),
                extra.span.clone(),
            )
            .with_label("from here on")
            .with_help("a test needs only the values that decide its outcome"),
        );
        return false;
    }
    if let Some(long) = directive
        .args
        .iter()
        .find(|arg| arg.value.len() > MAX_VALUE_BYTES)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::TestTooLarge,
                format!(
                    "argument of {} bytes, at most {MAX_VALUE_BYTES} are allowed",
                    long.value.len()
                ),
                long.span.clone(),
            )
            .with_label("too long")
            .with_help("browsers and servers refuse header values this long anyway"),
        );
        return false;
    }
    if let Some(arg) = directive.args.iter().find(|arg| arg.regex) {
        diagnostics.push(
            Diagnostic::error(
                Code::TestInvalidRequest,
                "a test sends values, not patterns: `~\"...\"` is not allowed here",
                arg.span.clone(),
            )
            .with_label("a regex")
            .with_help("write the value itself, e.g. `origin https://app.example.com;`"),
        );
        return false;
    }
    true
}

/// The values found so far, with their spans for later checks.
#[derive(Default)]
struct Builder {
    request: Option<(Spanned<String>, Spanned<String>)>,
    request_span: Option<Range<usize>>,
    origin: Option<Spanned<String>>,
    request_method: Option<String>,
    request_method_span: Option<Range<usize>>,
    request_headers: Option<String>,
    private_network: bool,
    decision: Option<Decision>,
    decision_span: Option<Range<usize>>,
    /// `expect` and `request` were written (maybe invalid, and reported):
    /// no "missing" error then.
    decision_written: bool,
    request_written: bool,
    reason: Option<Spanned<Reason>>,
    status: Option<Spanned<u16>>,
    headers: Vec<(String, String, Range<usize>)>,
    absent: Vec<(String, Range<usize>)>,
}

impl Builder {
    fn directive(&mut self, known: &str, directive: &Directive, diagnostics: &mut Diagnostics) {
        match known {
            "request" => {
                self.request_written = true;
                let [method, path] = directive.args.as_slice() else {
                    diagnostics.push(wrong_count(
                        directive,
                        "`request` takes a method and a path",
                        "request OPTIONS /api/users;",
                    ));
                    return;
                };
                let method_ok = check_method(method, "method", diagnostics);
                let path_ok = check_path(path, diagnostics);
                if method_ok && path_ok {
                    self.request = Some((
                        Spanned::new(method.value.clone(), method.span.clone()),
                        Spanned::new(path.value.clone(), path.span.clone()),
                    ));
                    self.request_span = Some(directive.span.clone());
                }
            }
            "origin" => {
                let Some(arg) = one(directive, "origin https://app.example.com;", diagnostics)
                else {
                    return;
                };
                if arg.quoted || check_origin(arg, diagnostics) {
                    self.origin = Some(Spanned::new(arg.value.clone(), arg.span.clone()));
                }
            }
            "request-method" => {
                let Some(arg) = one(directive, "request-method PUT;", diagnostics) else {
                    return;
                };
                if check_method(arg, "requested method", diagnostics) {
                    self.request_method = Some(arg.value.clone());
                    self.request_method_span = Some(directive.span.clone());
                }
            }
            "request-headers" => self.request_headers(directive, diagnostics),
            "private-network" => {
                if let Some(arg) = directive.args.first() {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::TestWrongArguments,
                            "`private-network` takes no argument",
                            arg.span.start..directive.args_span().end,
                        )
                        .with_label("remove this")
                        .with_help("write `private-network;` to send `Access-Control-Request-Private-Network: true`, or leave it out"),
                    );
                    return;
                }
                self.private_network = true;
            }
            "expect" => {
                self.decision_written = true;
                let Some(arg) = one(directive, "expect preflight-allowed;", diagnostics) else {
                    return;
                };
                let names: Vec<&str> = Decision::ALL.iter().map(|d| d.as_str()).collect();
                match Decision::ALL.iter().find(|d| d.as_str() == arg.value) {
                    Some(&decision) => {
                        self.decision = Some(decision);
                        self.decision_span = Some(arg.span.clone());
                    }
                    None => diagnostics.push(unknown_name(arg, "decision", &names)),
                }
            }
            "expect-reason" => {
                let Some(arg) = one(directive, "expect-reason header-not-allowed;", diagnostics)
                else {
                    return;
                };
                let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
                match Reason::ALL.iter().find(|r| r.as_str() == arg.value) {
                    Some(&reason) => self.reason = Some(Spanned::new(reason, arg.span.clone())),
                    None => diagnostics.push(unknown_name(arg, "reason", &names)),
                }
            }
            "expect-status" => {
                let Some(arg) = one(directive, "expect-status 204;", diagnostics) else {
                    return;
                };
                match arg.value.parse::<u16>() {
                    Ok(status)
                        if (100..=599).contains(&status)
                            && arg.value.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        self.status = Some(Spanned::new(status, arg.span.clone()));
                    }
                    _ => diagnostics.push(
                        Diagnostic::error(
                            Code::TestInvalidExpectation,
                            format!("`{}` is not an HTTP status", arg.value.escape_debug()),
                            arg.span.clone(),
                        )
                        .with_label("expected a number from 100 to 599")
                        .with_help("an allowed preflight gets the policy's `preflight-status` (default 204), a denied one 403"),
                    ),
                }
            }
            "expect-header" => {
                let [name, value] = directive.args.as_slice() else {
                    let help = if directive.args.len() > 2 {
                        "quote a value that has spaces: `expect-header vary \"Origin, Access-Control-Request-Method\";`"
                    } else {
                        "write the header name and its exact value: `expect-header access-control-allow-origin https://app.example.com;`"
                    };
                    diagnostics.push(
                        Diagnostic::error(
                            Code::TestWrongArguments,
                            "`expect-header` takes a header name and a value",
                            directive.args_span(),
                        )
                        .with_label(count_label(directive.args.len()))
                        .with_help(help),
                    );
                    return;
                };
                if let Some(name) = check_response_header(name, diagnostics) {
                    self.headers
                        .push((name, value.value.clone(), directive.span.clone()));
                }
            }
            "expect-no-header" => {
                let Some(arg) = one(
                    directive,
                    "expect-no-header access-control-allow-credentials;",
                    diagnostics,
                ) else {
                    return;
                };
                if let Some(name) = check_response_header(arg, diagnostics) {
                    self.absent.push((name, directive.span.clone()));
                }
            }
            _ => {}
        }
    }

    fn request_headers(&mut self, directive: &Directive, diagnostics: &mut Diagnostics) {
        match directive.args.as_slice() {
            [] => diagnostics.push(wrong_count(
                directive,
                "`request-headers` needs at least one header name",
                "request-headers content-type authorization;",
            )),
            // One quoted value is sent as written: to test how the policy
            // treats odd spacing, case or a malformed list.
            [arg] if arg.quoted => self.request_headers = Some(arg.value.clone()),
            args => {
                if let Some(quoted) = args.iter().find(|arg| arg.quoted) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::TestWrongArguments,
                            "`request-headers` takes header names, or one quoted raw value",
                            quoted.span.clone(),
                        )
                        .with_label("a quoted value among several arguments")
                        .with_help("write the names unquoted (`request-headers content-type authorization;`) or the whole value in one string (`request-headers \"content-type, authorization\";`)"),
                    );
                    return;
                }
                let mut ok = true;
                for arg in args {
                    if !is_token(&arg.value) {
                        ok = false;
                        let help = if arg.value.contains(',') {
                            "list the names separated by spaces; corsc joins them with `,`"
                        } else {
                            "header names are tokens: letters, digits and `!#$%&'*+-.^_`|~`"
                        };
                        diagnostics.push(
                            Diagnostic::error(
                                Code::TestInvalidRequest,
                                format!("`{}` is not a header name", arg.value.escape_debug()),
                                arg.span.clone(),
                            )
                            .with_label("not a header name")
                            .with_help(help),
                        );
                    }
                }
                if ok {
                    let names: Vec<&str> = args.iter().map(|arg| arg.value.as_str()).collect();
                    self.request_headers = Some(names.join(","));
                }
            }
        }
    }
}

fn wrong_count(directive: &Directive, message: &str, example: &str) -> Diagnostic {
    Diagnostic::error(
        Code::TestWrongArguments,
        message.to_string(),
        directive.args_span(),
    )
    .with_label(count_label(directive.args.len()))
    .with_help(format!("e.g. `{example}`"))
}

fn count_label(count: usize) -> String {
    match count {
        0 => "no arguments".to_string(),
        1 => "1 argument".to_string(),
        n => format!("{n} arguments"),
    }
}

/// The one argument of `directive`; reports none or several.
fn one<'a>(
    directive: &'a Directive,
    example: &str,
    diagnostics: &mut Diagnostics,
) -> Option<&'a Arg> {
    match directive.args.as_slice() {
        [arg] => Some(arg),
        _ => {
            diagnostics.push(wrong_count(
                directive,
                &format!("`{}` takes one argument", directive.name.value),
                example,
            ));
            None
        }
    }
}

fn unknown_name(arg: &Arg, what: &str, names: &[&str]) -> Diagnostic {
    let lower = arg.value.to_ascii_lowercase().replace('_', "-");
    let close = names
        .iter()
        .map(|name| (edit_distance(&lower, name), *name))
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance);
    let help = match close {
        Some((_, name)) => format!("did you mean `{name}`?"),
        None => format!("the {what}s are: {}", names.join(", ")),
    };
    Diagnostic::error(
        Code::TestInvalidExpectation,
        format!("unknown {what} `{}`", arg.value.escape_debug()),
        arg.span.clone(),
    )
    .with_label(format!("not a {what}"))
    .with_help(help)
}

fn check_method(arg: &Arg, what: &str, diagnostics: &mut Diagnostics) -> bool {
    if is_token(&arg.value) {
        return true;
    }
    diagnostics.push(
        Diagnostic::error(
            Code::TestInvalidRequest,
            format!("`{}` is not a {what}", arg.value.escape_debug()),
            arg.span.clone(),
        )
        .with_label("not an HTTP method")
        .with_help("methods are tokens, e.g. `GET`, `OPTIONS`, `PUT`"),
    );
    false
}

fn check_path(arg: &Arg, diagnostics: &mut Diagnostics) -> bool {
    let value = &arg.value;
    let problem = if !value.starts_with('/') {
        Some("a path starts with `/`")
    } else if value
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        Some("a request target has no spaces or control characters")
    } else {
        None
    };
    let Some(problem) = problem else {
        return true;
    };
    let help = if value.contains("://") {
        "write only the path: the origin goes in `origin ...;`, e.g. `request GET /api/users;`"
    } else {
        "e.g. `request GET /api/users;` (a query is allowed and ignored)"
    };
    diagnostics.push(
        Diagnostic::error(
            Code::TestInvalidRequest,
            format!("`{}` is not a request path", value.escape_debug()),
            arg.span.clone(),
        )
        .with_label(problem)
        .with_help(help),
    );
    false
}

/// A bare-word origin must be what a browser sends: `null` or
/// `scheme://host[:port]`, lower case. (A quoted one is sent as written,
/// to test malformed values.)
fn check_origin(arg: &Arg, diagnostics: &mut Diagnostics) -> bool {
    let value = arg.value.as_str();
    let Some(problem) = origin_problem(value) else {
        return true;
    };
    let (label, help) = problem;
    diagnostics.push(
        Diagnostic::error(
            Code::TestMalformedOrigin,
            format!(
                "`{}` is not an origin a browser sends",
                value.escape_debug()
            ),
            arg.span.clone(),
        )
        .with_label(label)
        .with_help(format!(
            "{help} (to send a malformed `Origin` on purpose, quote it: `origin \"{}\";`)",
            value.escape_debug()
        )),
    );
    false
}

/// What is wrong with a bare-word origin, as a label and a help.
fn origin_problem(value: &str) -> Option<(String, String)> {
    if value == "null" {
        return None;
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Some((
            "expected `scheme://host[:port]` or `null`".into(),
            format!("add the scheme: `https://{value}`"),
        ));
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_lowercase())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b));
    if !scheme_ok {
        return Some((
            "invalid scheme".into(),
            format!(
                "browsers send the scheme in lower case: `{}://{rest}`",
                scheme.to_ascii_lowercase()
            ),
        ));
    }
    if let Some(at) = rest.find(['/', '?', '#']) {
        return Some((
            "an origin has no path, query or fragment".into(),
            format!("did you mean `{scheme}://{}`?", &rest[..at]),
        ));
    }
    if rest.contains('@') {
        return Some((
            "an origin has no userinfo".into(),
            "remove the `user@` part".into(),
        ));
    }
    if rest.contains('*') {
        return Some((
            "a test sends one origin, not a pattern".into(),
            "write one origin the pattern should match, e.g. `https://app.example.com`".into(),
        ));
    }
    let invalid_host = || {
        Some((
            "invalid host".to_string(),
            "write the host as the browser serializes it, e.g. `https://app.example.com`"
                .to_string(),
        ))
    };
    let (host, port) = if rest.starts_with('[') {
        // `[IPv6]` and an optional `:port`.
        let Some(end) = rest.find(']') else {
            return invalid_host();
        };
        let (host, tail) = rest.split_at(end + 1);
        match tail.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if tail.is_empty() => (host, None),
            None => return invalid_host(),
        }
    } else {
        match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    let bracketed = host.starts_with('[');
    if host.is_empty()
        || !host.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || b"-.".contains(&b)
                || b >= 0x80
                || (bracketed && b"[]:".contains(&b))
        })
    {
        return invalid_host();
    }
    if host.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        return Some((
            "browsers serialize hosts in lower-case ASCII".into(),
            format!(
                "write `{scheme}://{}{}` (an IDN in its `xn--` form)",
                host.to_ascii_lowercase(),
                port.map(|p| format!(":{p}")).unwrap_or_default()
            ),
        ));
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65_535);
        if !valid {
            return Some((
                "invalid port".into(),
                "a port is a number from 0 to 65535".into(),
            ));
        }
    }
    None
}

/// The lower-case name of an `expect-header` or `expect-no-header`, if it
/// is a header eval can set.
fn check_response_header(arg: &Arg, diagnostics: &mut Diagnostics) -> Option<String> {
    let lower = arg.value.to_ascii_lowercase();
    if KNOWN_HEADERS.contains(&lower.as_str()) {
        return Some(lower);
    }
    let label = if is_token(&arg.value) {
        "corsc never sets this header"
    } else {
        "not a header name"
    };
    diagnostics.push(
        Diagnostic::error(
            Code::TestInvalidExpectation,
            format!(
                "`{}` is not a response header corsc sets",
                arg.value.escape_debug()
            ),
            arg.span.clone(),
        )
        .with_label(label)
        .with_help(format!("the headers are: {}", KNOWN_HEADERS.join(", "))),
    );
    None
}

/// Reports expectations no outcome of this request can meet.
fn check_consistency(case: &TestCase, builder: &Builder, diagnostics: &mut Diagnostics) {
    let decision = case.expect.decision;
    let decision_span = builder.decision_span.clone().unwrap_or(case.span.clone());
    let request = &case.request;
    let preflight_shaped =
        request.method == "OPTIONS" && request.request_method.is_some() && request.origin.is_some();
    let mut cannot = |span: Range<usize>, message: String, label: &str, help: &str| {
        diagnostics.push(
            Diagnostic::error(Code::TestCannotPass, message, span)
                .with_label(label.to_string())
                .with_note(decision_span.clone(), "the decision expected")
                .with_help(help.to_string()),
        );
    };
    let request_span = builder.request_span.clone().unwrap_or(case.span.clone());
    if request.origin.is_none() && decision != Decision::Pass {
        cannot(
            request_span.clone(),
            format!("a request without `origin` is never `{decision}`"),
            "no `Origin`: not a CORS request",
            "add `origin ...;`, or expect `pass`",
        );
    } else if request.origin.is_some() && decision.is_preflight() && !preflight_shaped {
        let help = if request.method == "OPTIONS" {
            "add `request-method METHOD;` (without `Access-Control-Request-Method` an `OPTIONS` request is an actual request), or expect an `actual-...` decision"
        } else {
            "use `request OPTIONS ...;` with `request-method ...;`, or expect an `actual-...` decision"
        };
        cannot(
            request_span.clone(),
            format!("this request is not a preflight, so it is never `{decision}`"),
            "a preflight is `OPTIONS` with `origin` and `request-method`",
            help,
        );
    } else if preflight_shaped
        && matches!(decision, Decision::ActualAllowed | Decision::ActualDenied)
    {
        cannot(
            request_span,
            format!("this request is a preflight, so it is never `{decision}`"),
            "`OPTIONS` with `origin` and `request-method`",
            "expect `preflight-allowed` or `preflight-denied`, or remove `request-method`",
        );
    }
    if let Some(reason) = &builder.reason {
        let possible = match decision {
            Decision::Pass => matches!(reason.value, Reason::NotCors | Reason::NoPolicy),
            Decision::ActualAllowed | Decision::PreflightAllowed => false,
            Decision::ActualDenied | Decision::PreflightDenied => {
                !matches!(reason.value, Reason::NotCors | Reason::NoPolicy)
            }
        };
        if !possible {
            cannot(
                reason.span.clone(),
                format!("a `{decision}` outcome never has the reason `{}`", reason.value),
                "impossible with this decision",
                "`pass` has `not-cors` or `no-policy`; a denial has the failed check; an allowed request has no reason",
            );
        }
    }
    if let Some(status) = &builder.status {
        if !decision.is_preflight() {
            cannot(
                status.span.clone(),
                format!("a `{decision}` outcome has no status"),
                "only preflights get a status",
                "remove `expect-status`, or expect a `preflight-...` decision",
            );
        }
    }
    for (index, (name, value, span)) in builder.headers.iter().enumerate() {
        let earlier = builder.headers[..index]
            .iter()
            .find(|(other, other_value, _)| other == name && other_value != value);
        if earlier.is_some() {
            cannot(
                span.clone(),
                format!("two different values expected for `{name}`"),
                "contradicts an earlier `expect-header`",
                "keep one `expect-header` per header",
            );
        }
        if builder.absent.iter().any(|(absent, _)| absent == name) {
            cannot(
                span.clone(),
                format!("`{name}` is expected both present and absent"),
                "contradicts an `expect-no-header`",
                "keep either `expect-header` or `expect-no-header` for this header",
            );
        }
    }
}
