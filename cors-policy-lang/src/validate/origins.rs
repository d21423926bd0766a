//! `origins`: `*`, `null`, or `scheme://host[:port]` patterns, normalized to
//! the exact form a browser serializes in its `Origin` header.
//!
//! Anything a browser would never send (a default port, a path, a trailing
//! dot, upper case, ...) is reported: such a pattern could never match, so
//! it is an error, except upper case, which is normalized with a warning.

use rustc_hash::FxHashMap as HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use super::Context;
use crate::ast::{Arg, Directive};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{self, serialize_ipv6, Host, OriginPattern, Origins, PortPattern, TupleOrigin};
use crate::public_suffix;
use crate::regex_origin::{self, Finding, NotAnOriginWhy};
use unicode_script::{Script, UnicodeScript};
use unicode_security::MixedScript;

/// The longest DNS name and label browsers accept.
const MAX_DOMAIN_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// One parsed `origins` argument.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Any,
    Pattern(OriginPattern),
}

/// Validates an `origins` directive.
pub(super) fn validate(directive: &Directive, context: &mut Context<'_>) -> Origins {
    let Some(args) = super::list_args(directive, context.diagnostics) else {
        return Origins::List(Vec::new());
    };
    let mut any: Option<Range<usize>> = None;
    let mut patterns: Vec<(OriginPattern, Range<usize>)> = Vec::new();
    let mut seen: HashMap<OriginPattern, Range<usize>> = HashMap::default();

    for arg in args {
        if arg.regex {
            let Some(pattern) = validate_regex(arg, context) else {
                continue;
            };
            if let Some(first) = seen.get(&pattern) {
                context.report(duplicate(arg, first.clone(), &pattern.to_string()));
                continue;
            }
            seen.insert(pattern.clone(), arg.span.clone());
            patterns.push((pattern, arg.span.clone()));
            continue;
        }
        let parsed = match parse(&arg.value) {
            Ok(parsed) => parsed,
            Err(problem) => {
                context.report(problem.into_diagnostic(arg));
                continue;
            }
        };
        let pattern = match parsed {
            Parsed::Any => {
                if let Some(first) = &any {
                    context.report(duplicate(arg, first.clone(), "*"));
                } else {
                    any = Some(arg.span.clone());
                }
                continue;
            }
            Parsed::Pattern(pattern) => pattern,
        };
        // Unicode hosts are converted to ASCII silently; only letter case is
        // worth a warning, since it suggests the author expects it to matter.
        if arg.value.chars().any(char::is_uppercase) {
            context.report(
                Diagnostic::warning(
                    Code::UppercaseOrigin,
                    format!("origin `{}` is not in lower case", arg.value.escape_debug()),
                    arg.span.clone(),
                )
                .with_label(format!("matched as `{pattern}`"))
                .with_help(format!(
                    "browsers send the scheme and host in lower case; write `{pattern}`"
                )),
            );
        }
        if !arg.value.is_ascii() {
            if let OriginPattern::Tuple(TupleOrigin {
                host: Host::Domain(ascii),
                ..
            }) = &pattern
            {
                check_mixed_script(ascii, arg, context);
            }
        }
        check_with_credentials(&pattern, arg, context);
        if let Some(first) = seen.get(&pattern) {
            context.report(duplicate(arg, first.clone(), &pattern.to_string()));
            continue;
        }
        seen.insert(pattern.clone(), arg.span.clone());
        patterns.push((pattern, arg.span.clone()));
    }

    let Some(any_span) = any else {
        return Origins::List(patterns.into_iter().map(|(pattern, _)| pattern).collect());
    };
    if context.credentials.is_some() {
        let diagnostic = Diagnostic::error(
            Code::AnyOriginWithCredentials,
            "`origins *` cannot be used with `credentials on`",
            any_span.clone(),
        )
        .with_label("any origin")
        .with_help("list the origins allowed to make credentialed requests; reflecting every origin with credentials lets any site act as the user");
        let diagnostic = context.with_credentials_note(diagnostic);
        context.report(diagnostic);
    }
    for (pattern, span) in patterns {
        context.report(
            Diagnostic::warning(
                Code::RedundantOrigin,
                format!("origin `{pattern}` is redundant"),
                span,
            )
            .with_label("already allowed by `*`")
            .with_note(any_span.clone(), "`*` allows every origin")
            .with_help("remove either `*` or the listed origins"),
        );
    }
    Origins::Any
}

fn duplicate(arg: &Arg, first: Range<usize>, normalized: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::DuplicateOrigin,
        format!("origin `{normalized}` is listed twice"),
        arg.span.clone(),
    )
    .with_label("duplicate")
    .with_note(first, "first listed here")
    .with_help("remove the duplicate")
}

/// The rules that depend on `credentials on`: `null`, public-suffix
/// wildcards (also a warning without credentials) and insecure origins.
fn check_with_credentials(pattern: &OriginPattern, arg: &Arg, context: &mut Context<'_>) {
    let credentials = context.credentials.is_some();
    let origin = match pattern {
        OriginPattern::Null => {
            let message = "the `null` origin can be sent by any site";
            let diagnostic = if credentials {
                Diagnostic::error(
                    Code::NullOrigin,
                    format!("{message}; it cannot be trusted with credentials"),
                    arg.span.clone(),
                )
            } else {
                Diagnostic::warning(Code::NullOrigin, message, arg.span.clone())
            };
            let diagnostic = diagnostic
                .with_label(
                    "sandboxed iframes, `data:` and `file:` pages and redirects all send `null`",
                )
                .with_help("remove `null`; give the page that needs access a real origin");
            let diagnostic = context.with_credentials_note(diagnostic);
            context.report(diagnostic);
            return;
        }
        OriginPattern::Tuple(origin) => origin,
        // Proved safe by `validate_regex`, credentials included.
        OriginPattern::Regex(_) => return,
    };

    if origin.any_subdomain {
        if let Host::Domain(domain) = &origin.host {
            check_public_suffix_wildcard(origin, domain, arg, context);
        }
    }

    if credentials
        && origin.scheme == "http"
        && !context.allow_insecure_origins
        && !is_loopback(origin)
    {
        let diagnostic = Diagnostic::error(
            Code::InsecureOriginWithCredentials,
            format!("insecure origin `{pattern}` cannot be used with `credentials on`"),
            arg.span.clone(),
        )
        .with_label("a network attacker can forge requests from an `http://` origin")
        .with_help("use `https://`, or add `allow-insecure-origins on;` to accept the risk");
        let diagnostic = context.with_credentials_note(diagnostic);
        context.report(diagnostic);
    }
}

/// `*.D` with a listed public suffix at or below `D`: an error with
/// credentials, a warning without, with a host that anyone can register
/// and the pattern allows.
///
/// `*.` matches names at any depth, so `*.amazonaws.com` is as open as
/// `*.s3.amazonaws.com`: every rule at or below `D` counts, from both
/// sections of the Public Suffix List. A `D` the list does not know
/// (`localhost`, `test`, `internal`, a private TLD) is not flagged, although
/// the list's implicit `*` rule makes an unknown TLD a public suffix:
/// nobody can register names under those publicly, and `*.localhost` is
/// loopback.
fn check_public_suffix_wildcard(
    origin: &TupleOrigin,
    domain: &str,
    arg: &Arg,
    context: &mut Context<'_>,
) {
    let Some(below) = public_suffix::listed_suffix_at_or_below(domain) else {
        return;
    };
    // The attack's port (`:*` also allows no port), and the pattern's.
    let (port, pattern_port) = match origin.port {
        PortPattern::Exact(port) => (format!(":{port}"), format!(":{port}")),
        PortPattern::Any => (String::new(), ":*".to_owned()),
        PortPattern::Default => (String::new(), String::new()),
    };
    let scheme = &origin.scheme;
    let attack = format!("{scheme}://{}{port}", below.example_host);
    // The public suffix the example host is registered under.
    let suffix = below
        .example_host
        .split_once('.')
        .map_or(below.example_host.as_str(), |(_, suffix)| suffix);
    let section = if below.private { "private" } else { "ICANN" };
    let source = format!("Public Suffix List, {section} section");
    let why = if below.rule == suffix {
        format!("`{suffix}` is a public suffix ({source})")
    } else {
        format!(
            "`{suffix}` is a public suffix by the rule `{}` ({source})",
            below.rule
        )
    };
    let message = format!(
        "`{}` also allows `{attack}`, which anyone can register",
        OriginPattern::Tuple(origin.clone())
    );
    let diagnostic = if context.credentials.is_some() {
        Diagnostic::error(Code::WildcardUnderPublicSuffix, message, arg.span.clone())
    } else {
        Diagnostic::warning(Code::WildcardUnderPublicSuffix, message, arg.span.clone())
    };
    let diagnostic = diagnostic.with_label(why).with_help(format!(
        "`*.` matches names at any depth; allow only names under a domain you own, \
         e.g. `{scheme}://*.example.{suffix}{pattern_port}`"
    ));
    let diagnostic = context.with_credentials_note(diagnostic);
    context.report(diagnostic);
}

/// A host written in Unicode with a label that mixes scripts, such as
/// `аpple.com` (a Cyrillic `а`, then Latin): a warning, since such names are
/// registered to look like another site's. The rule is UTS #39's
/// single-script test on resolved script sets (`unicode-security`), so a
/// Japanese label mixing Han, Hiragana and Katakana is one script, and
/// digits and `-` belong to every script.
fn check_mixed_script(ascii: &str, arg: &Arg, context: &mut Context<'_>) {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_err() {
        return;
    }
    let Some(label) = unicode.split('.').find(|label| !label.is_single_script()) else {
        return;
    };
    let mut scripts: Vec<&str> = Vec::new();
    for c in label.chars() {
        let script = c.script();
        if !matches!(script, Script::Common | Script::Inherited | Script::Unknown)
            && !scripts.contains(&script.full_name())
        {
            scripts.push(script.full_name());
        }
    }
    let scripts = match scripts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => scripts.join(""),
    };
    context.report(
        Diagnostic::warning(
            Code::MixedScriptHost,
            format!("host `{unicode}` mixes scripts: the label `{label}` has {scripts} letters"),
            arg.span.clone(),
        )
        .with_label(format!("browsers send it as `{ascii}`"))
        .with_help(format!(
            "check that this is the site you mean and not a look-alike; if it is, \
             write its ASCII form `{ascii}`"
        )),
    );
}

/// Loopback hosts, whose `http://` origins a network attacker cannot forge:
/// `localhost` and its subdomains, 127.0.0.0/8 and `[::1]`.
fn is_loopback(origin: &TupleOrigin) -> bool {
    match &origin.host {
        Host::Domain(domain) => domain == "localhost" || domain.ends_with(".localhost"),
        Host::Ipv4(addr) => !origin.any_subdomain && addr.is_loopback(),
        Host::Ipv6(addr) => addr.is_loopback(),
    }
}

/// Compiles a regex origin pattern and proves it safe; reports why not.
fn validate_regex(arg: &Arg, context: &mut Context<'_>) -> Option<OriginPattern> {
    if context.budget.regex_steps == 0 {
        context.report(file_budget_spent(arg));
        return None;
    }
    let nfa = match regex_origin::compile(&arg.value) {
        Ok(nfa) => nfa,
        Err(regex_origin::RegexError::Syntax(message)) => {
            context.report(
                Diagnostic::error(Code::InvalidRegex, message, arg.span.clone())
                    .with_label("in this regex")
                    .with_help(
                        "origin regexes support literals, classes, `.`, `?`, `*`, `+`, `{n,m}`, \
                         `|` and groups; the whole Origin is always matched",
                    ),
            );
            return None;
        }
        Err(regex_origin::RegexError::TooComplex) => {
            context.report(too_complex(arg));
            return None;
        }
    };
    // Whether its automaton fits the table is the compiler's to say:
    // `check` runs it (see `crate::check`).
    // Building the automaton counts too: a file of many large regexes
    // spends its budget on them.
    let size = nfa
        .states
        .iter()
        .map(|s| s.transitions.len() + 1)
        .sum::<usize>();
    context.budget.regex_steps = context.budget.regex_steps.saturating_sub(size);
    let per_pattern = regex_origin::MAX_PATTERN_STEPS;
    let analysis = regex_origin::AnalysisContext {
        credentials: context.credentials.is_some(),
        allow_insecure_origins: context.allow_insecure_origins,
        max_steps: per_pattern.min(context.budget.regex_steps),
    };
    let regex_origin::Analysis { findings, steps } = regex_origin::analyse(&nfa, analysis);
    let limited_by_file = per_pattern > context.budget.regex_steps;
    context.budget.regex_steps -= steps;
    let safe = !findings.iter().any(Finding::is_error);
    for finding in findings {
        let diagnostic = match finding {
            Finding::OutsideDomain {
                example,
                domain,
                suffix_below,
            } => {
                let label = match &suffix_below {
                    Some(suffix) => format!(
                        "matches `{example}`: `{suffix}` is a public suffix, below the labels \
                         the pattern spells out, so anyone can register `{domain}`"
                    ),
                    None => format!(
                        "matches `{example}`, whose registrable domain `{domain}` the pattern \
                         does not spell out"
                    ),
                };
                let help = match &suffix_below {
                    Some(_) => "spell out your own registrable domain under the public suffix \
                                literally, e.g. `~\"^https://[a-z0-9-]+\\.my-bucket\\.s3\\.amazonaws\\.com$\"`",
                    None => "escape every `.` of the domain (`\\.`) and write the registrable domain \
                             literally at the end of the host, e.g. `~\"^https://[a-z0-9-]+\\.example\\.com$\"`",
                };
                Diagnostic::error(
                    Code::RegexOutsideDomain,
                    format!("this pattern also allows {example}"),
                    arg.span.clone(),
                )
                .with_label(label)
                .with_help(help)
            }
            Finding::TooManyDomains { domains } => {
                let listed = domains
                    .iter()
                    .take(8)
                    .map(|d| format!("`{d}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Diagnostic::error(
                    Code::RegexOutsideDomain,
                    format!("this pattern spells out too many registrable domains: {listed}, ..."),
                    arg.span.clone(),
                )
                .with_label(format!(
                    "letters under a repetition or many alternatives compose domains; a pattern \
                     may name at most {} registrable domains, each written out once",
                    regex_origin::MAX_DOMAINS
                ))
                .with_help(
                    "write each domain you trust literally, e.g. `(www|app)\\.example\\.com`, \
                     or list the origins",
                )
            }
            Finding::SeveralDomains { domains } => {
                let listed = domains
                    .iter()
                    .map(|d| format!("`{d}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Diagnostic::warning(
                    Code::RegexSeveralDomains,
                    format!("this pattern matches several registrable domains: {listed}"),
                    arg.span.clone(),
                )
                .with_label("some of them differ by one letter: an optional or alternative character may be a typo")
                .with_help("write one pattern per domain you mean to allow, each domain spelled out exactly")
            }
            Finding::NotAnOrigin { example, why } => {
                let shown = example.escape_debug().to_string();
                let (what, help) = match why {
                    NotAnOriginWhy::UpperCase => (
                        "browsers send the scheme and host in lower case",
                        "use lower-case classes (`[a-z0-9-]`, not `\\w` or `(?i)`)",
                    ),
                    NotAnOriginWhy::Path => (
                        "an Origin has no path, query or fragment",
                        "end the pattern after the host (and port); a `.` or `[^.]` also matches `/`",
                    ),
                    NotAnOriginWhy::Userinfo => (
                        "an Origin has no userinfo (`user@`)",
                        "match host characters only, e.g. `[a-z0-9-]`, not `.` or `[^.]`",
                    ),
                    NotAnOriginWhy::EmptyLabel => (
                        "a host has no empty label",
                        "require one or more characters per label, e.g. `([a-z0-9-]+\\.)*`",
                    ),
                    NotAnOriginWhy::Empty => (
                        "an Origin is never empty",
                        "make the pattern match `scheme://host`",
                    ),
                    NotAnOriginWhy::Null => (
                        "`null` is not a regex origin",
                        "list the literal `null` origin instead (and mind its warning)",
                    ),
                    NotAnOriginWhy::Malformed => (
                        "an Origin is `scheme://host[:port]` with visible ASCII only",
                        "match host characters only, e.g. `[a-z0-9-]`, not `.` or `[^.]`",
                    ),
                };
                Diagnostic::error(
                    Code::RegexMatchesNonOrigin,
                    format!("this pattern also matches \"{shown}\", which is not an origin"),
                    arg.span.clone(),
                )
                .with_label(what.to_string())
                .with_help(help.to_string())
            }
            Finding::InsecureWithCredentials { example } => {
                let diagnostic = Diagnostic::error(
                    Code::InsecureOriginWithCredentials,
                    format!(
                        "this pattern allows the insecure origin {example}, which cannot be used with `credentials on`"
                    ),
                    arg.span.clone(),
                )
                .with_label("a network attacker can forge requests from an `http://` origin")
                .with_help("match `https://` only, or add `allow-insecure-origins on;` to accept the risk");
                context.with_credentials_note(diagnostic)
            }
            Finding::TooComplex if limited_by_file => file_budget_spent(arg),
            Finding::TooComplex => too_complex(arg)
                .with_label(format!("needs more than {per_pattern} steps to prove safe")),
        };
        context.report(diagnostic);
    }
    safe.then(|| OriginPattern::Regex(arg.value.clone()))
}

fn file_budget_spent(arg: &Arg) -> Diagnostic {
    too_complex(arg).with_label(format!(
        "the regexes of this file need more than {} steps in all to prove safe",
        super::FILE_REGEX_STEPS
    ))
}

fn too_complex(arg: &Arg) -> Diagnostic {
    Diagnostic::error(
        Code::RegexTooComplex,
        "this regex is too complex to compile or to prove safe",
        arg.span.clone(),
    )
    .with_label("too many automaton states")
    .with_help("split it into several simpler patterns, or list the origins")
}

/// Why an `origins` argument was rejected.
#[derive(Debug, PartialEq, Eq)]
struct Problem {
    code: Code,
    message: String,
    label: String,
    help: String,
}

impl Problem {
    fn new(
        code: Code,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Problem {
            code,
            message: message.into(),
            label: label.into(),
            help: help.into(),
        }
    }

    fn into_diagnostic(self, arg: &Arg) -> Diagnostic {
        Diagnostic::error(self.code, self.message, arg.span.clone())
            .with_label(self.label)
            .with_help(self.help)
    }
}

/// The pattern an `origins` argument stands for: `None` for `*` and for
/// an argument `check` refuses. (For the near misses of
/// [`crate::advice`].)
pub(crate) fn origin_pattern(arg: &Arg) -> Option<OriginPattern> {
    if arg.regex {
        return Some(OriginPattern::Regex(arg.value.clone()));
    }
    match parse(&arg.value) {
        Ok(Parsed::Pattern(pattern)) => Some(pattern),
        _ => None,
    }
}

/// Parses one `origins` argument into its normalized form.
fn parse(text: &str) -> Result<Parsed, Problem> {
    if text.starts_with('~') {
        return Err(Problem::new(
            Code::InvalidRegex,
            "a regex origin is `~` directly followed by a quoted regex",
            "not a regex",
            "write `~\"^https://[a-z0-9-]+\\.example\\.com$\"`, with no space after `~` and the closing quote on the same line",
        ));
    }
    match text {
        "*" => return Ok(Parsed::Any),
        "null" => return Ok(Parsed::Pattern(OriginPattern::Null)),
        _ => {}
    }
    // Only for messages: built when one is.
    let shown = text.escape_debug();
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Problem::new(
            Code::MalformedOrigin,
            format!("origin `{shown}` contains whitespace or a control character"),
            "not an origin",
            "write one origin per argument, e.g. `https://app.example.com`",
        ));
    }
    let Some((scheme_text, rest)) = text.split_once("://") else {
        let help = if text.eq_ignore_ascii_case("null") {
            "the null origin is written `null`".to_string()
        } else if !text.contains([':', '/']) {
            format!("add the scheme: `https://{shown}`")
        } else {
            "write an origin as a browser sends it, e.g. `https://app.example.com`; or `*`, or `null`".to_string()
        };
        return Err(Problem::new(
            Code::MalformedOrigin,
            format!("`{shown}` is not an origin"),
            "expected `scheme://host[:port]`",
            help,
        ));
    };
    let scheme = parse_scheme(scheme_text)?;

    // Everything after the authority: a browser's origin has none of it.
    if let Some(index) = rest.find(['/', '?', '#']) {
        let what = match rest.as_bytes().get(index) {
            Some(b'?') => "a query",
            Some(b'#') => "a fragment",
            _ => "a path",
        };
        return Err(Problem::new(
            Code::OriginWithPath,
            format!("origin `{shown}` has {what}"),
            format!("{what} is never part of an `Origin` header"),
            format!("write `{}://{}`", scheme_text, &rest[..index]),
        ));
    }
    if let Some(at) = rest.rfind('@') {
        return Err(Problem::new(
            Code::OriginWithUserinfo,
            format!("origin `{shown}` has a user name"),
            "browsers never send credentials in an `Origin` header",
            format!("write `{}://{}`", scheme_text, &rest[at + 1..]),
        ));
    }

    let (host_text, port_text) = split_host_port(rest)?;
    let port = parse_port(port_text, &scheme, scheme_text, host_text)?;
    let (host, any_subdomain) = parse_host(host_text)?;
    Ok(Parsed::Pattern(OriginPattern::Tuple(TupleOrigin {
        scheme,
        host,
        any_subdomain,
        port,
    })))
}

/// `[a-z][a-z0-9+.-]*`, lower-cased (upper case is reported later, by
/// comparing the normalized form with the text).
fn parse_scheme(text: &str) -> Result<String, Problem> {
    if text.contains('*') {
        return Err(Problem::new(
            Code::MisplacedWildcard,
            "the scheme cannot be a wildcard",
            "`*` is allowed only as the whole leftmost host label or the whole port",
            "list each scheme, e.g. `https://example.com` and `http://localhost:*`",
        ));
    }
    let mut bytes = text.bytes();
    let valid = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid {
        return Err(Problem::new(
            Code::MalformedOrigin,
            format!("invalid scheme `{}`", text.escape_debug()),
            "not a URL scheme",
            "a scheme is a letter followed by letters, digits, `+`, `-` or `.`, e.g. `https`",
        ));
    }
    Ok(text.to_ascii_lowercase())
}

/// Splits `host[:port]` (or `[ipv6][:port]`).
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), Problem> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err(Problem::new(
                Code::InvalidHost,
                "unclosed `[` in IPv6 host",
                "expected `]`",
                "write an IPv6 host in brackets, e.g. `https://[::1]:8443`",
            ));
        };
        let after = &authority[close + 1..];
        return match after.strip_prefix(':') {
            Some(port) => Ok((&authority[..=close], Some(port))),
            None if after.is_empty() => Ok((authority, None)),
            None => Err(Problem::new(
                Code::InvalidHost,
                "unexpected text after the IPv6 host",
                "expected `:port` or nothing after `]`",
                "write `scheme://[address]:port`",
            )),
        };
    }
    if authority.matches(':').count() > 1 {
        return Err(Problem::new(
            Code::InvalidHost,
            "an IPv6 host must be in brackets",
            "ambiguous `:`",
            "write an IPv6 host in brackets, e.g. `https://[::1]:8443`",
        ));
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn parse_port(
    text: Option<&str>,
    scheme: &str,
    scheme_text: &str,
    host_text: &str,
) -> Result<PortPattern, Problem> {
    let Some(text) = text else {
        return Ok(PortPattern::Default);
    };
    if text == "*" {
        return Ok(PortPattern::Any);
    }
    let without_port = format!("{scheme_text}://{host_text}");
    if text.contains('*') {
        return Err(Problem::new(
            Code::MisplacedWildcard,
            "`*` must be the whole port",
            "partial port wildcard",
            format!("write `{without_port}:*` for any port"),
        ));
    }
    if text.is_empty() {
        return Err(Problem::new(
            Code::InvalidPort,
            "empty port",
            "browsers never send a `:` without a port",
            format!("write `{without_port}`"),
        ));
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::new(
            Code::InvalidPort,
            format!("port `{}` is not a number", text.escape_debug()),
            "expected decimal digits",
            "write the port in decimal, e.g. `https://example.com:8443`",
        ));
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(Problem::new(
            Code::InvalidPort,
            format!("port `{text}` has a leading zero"),
            "browsers never send leading zeros",
            format!("write `{without_port}:{}`", text.trim_start_matches('0')),
        ));
    }
    let Ok(value) = text.parse::<u16>() else {
        return Err(Problem::new(
            Code::InvalidPort,
            format!("port `{text}` is out of range"),
            "ports go up to 65535",
            "use a port from 0 to 65535",
        ));
    };
    if model::default_port(scheme) == Some(value) {
        return Err(Problem::new(
            Code::DefaultPort,
            format!("port {value} is the default port for `{scheme}`"),
            "browsers omit the default port from `Origin`",
            format!("write `{without_port}`"),
        ));
    }
    Ok(PortPattern::Exact(value))
}

/// Parses the host, with an optional leading `*.`; returns the normalized
/// host and whether `*.` was written.
fn parse_host(text: &str) -> Result<(Host, bool), Problem> {
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        return parse_ipv6(inner).map(|addr| (Host::Ipv6(addr), false));
    }
    if text == "*" {
        return Err(Problem::new(
            Code::MisplacedWildcard,
            "a wildcard host is not a pattern",
            "`*` alone is not a host",
            "write `origins *;` to allow every origin, or `https://*.example.com` for every subdomain of one domain",
        ));
    }
    let (any_subdomain, domain) = match text.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if domain.contains('*') {
        return Err(Problem::new(
            Code::MisplacedWildcard,
            "`*` is allowed only as the whole leftmost label",
            "misplaced wildcard",
            "write `*.example.com` for every subdomain of `example.com`, or `:*` for any port",
        ));
    }
    if domain.is_empty() {
        return Err(Problem::new(
            Code::InvalidHost,
            "origin has no host",
            "empty host",
            "write a host, e.g. `https://app.example.com`",
        ));
    }
    check_labels(domain)?;

    if ends_in_number(domain) {
        if any_subdomain {
            return Err(Problem::new(
                Code::MisplacedWildcard,
                "a subdomain wildcard needs a domain name, not an IP address",
                "`*.` in front of an address",
                "list the addresses one by one",
            ));
        }
        return domain
            .parse::<Ipv4Addr>()
            .map(|addr| (Host::Ipv4(addr), false))
            .map_err(|_| {
                Problem::new(
                    Code::InvalidHost,
                    format!(
                        "`{}` is not an IPv4 address in dotted-decimal form",
                        domain.escape_debug()
                    ),
                    "browsers rewrite other forms of IPv4 addresses",
                    "write four decimal numbers without leading zeros, e.g. `127.0.0.1`",
                )
            });
    }

    let ascii = idna::domain_to_ascii(domain).map_err(|_| {
        Problem::new(
            Code::InvalidHost,
            format!("`{}` is not a valid domain name", domain.escape_debug()),
            "invalid internationalized domain name",
            "check the spelling; write the name as it appears in the address bar",
        )
    })?;
    // IDNA mapping can create new dots (e.g. from `。`), so check again.
    check_labels(&ascii)?;
    if let Some(byte) = ascii
        .bytes()
        .find(|b| !model::is_wildcard_label_byte(*b) && *b != b'.')
    {
        return Err(Problem::new(
            Code::InvalidHost,
            format!(
                "`{}` is not allowed in a host name",
                char::from(byte).escape_debug()
            ),
            "invalid character",
            "a host name is letters, digits, `-` and `_`, in labels separated by `.`",
        ));
    }
    if ascii.len() > MAX_DOMAIN_LEN || ascii.split('.').any(|label| label.len() > MAX_LABEL_LEN) {
        return Err(Problem::new(
            Code::InvalidHost,
            "host name is too long",
            "over 253 bytes, or a label over 63",
            "check the host name",
        ));
    }
    Ok((Host::Domain(ascii), any_subdomain))
}

/// Reports a trailing dot or an empty label.
fn check_labels(domain: &str) -> Result<(), Problem> {
    if let Some(without_dot) = domain.strip_suffix('.') {
        return Err(Problem::new(
            Code::InvalidHost,
            "host has a trailing dot",
            "a page at the dotted name is an origin of its own (the URL Standard keeps the dot), \
             which no site serves on purpose",
            format!(
                "write `{}`, the origin pages at the usual name send",
                without_dot.escape_debug()
            ),
        ));
    }
    if domain.split('.').any(str::is_empty) {
        return Err(Problem::new(
            Code::InvalidHost,
            "host has an empty label",
            "`..` or a leading `.`",
            "remove the extra `.`",
        ));
    }
    Ok(())
}

/// WHATWG URL: a host whose last label is a number is parsed as IPv4.
fn ends_in_number(domain: &str) -> bool {
    let last = domain.rsplit('.').next().unwrap_or(domain);
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    match hex {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()),
    }
}

fn parse_ipv6(inner: &str) -> Result<Ipv6Addr, Problem> {
    if inner.contains('*') {
        return Err(Problem::new(
            Code::MisplacedWildcard,
            "an IPv6 address cannot contain a wildcard",
            "misplaced wildcard",
            "list the addresses one by one",
        ));
    }
    let addr: Ipv6Addr = inner.parse().map_err(|_| {
        Problem::new(
            Code::InvalidHost,
            format!("`{}` is not an IPv6 address", inner.escape_debug()),
            "invalid IPv6 address",
            "write an IPv6 address in brackets, e.g. `https://[2001:db8::1]`",
        )
    })?;
    let canonical = serialize_ipv6(&addr);
    if canonical != inner {
        return Err(Problem::new(
            Code::NonCanonicalIpv6,
            format!(
                "IPv6 address `{}` is not in canonical form",
                inner.escape_debug()
            ),
            "browsers serialize IPv6 hosts in canonical form",
            format!("write `[{canonical}]`"),
        ));
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;

    fn tuple(text: &str) -> TupleOrigin {
        match parse(text) {
            Ok(Parsed::Pattern(OriginPattern::Tuple(origin))) => origin,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn code(text: &str) -> Code {
        match parse(text) {
            Err(problem) => problem.code,
            Ok(parsed) => panic!("{text} parsed as {parsed:?}"),
        }
    }

    #[test]
    fn normalizes() {
        assert_eq!(
            tuple("HTTPS://App.Example.COM").to_string_pattern(),
            "https://app.example.com"
        );
        assert_eq!(
            tuple("https://bücher.de").to_string_pattern(),
            "https://xn--bcher-kva.de"
        );
        assert_eq!(
            tuple("https://*.Bücher.de:*").to_string_pattern(),
            "https://*.xn--bcher-kva.de:*"
        );
        assert_eq!(
            tuple("https://[2001:db8::1]:8443").host,
            Host::Ipv6("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            tuple("http://127.0.0.1:8080").host,
            Host::Ipv4(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(tuple("http://localhost:*").port, PortPattern::Any);
        assert!(tuple("https://*.example.com").any_subdomain);
        assert_eq!(
            tuple("https://a_b.example.com").to_string_pattern(),
            "https://a_b.example.com"
        );
        assert_eq!(tuple("https://x.com:0").port, PortPattern::Exact(0));
        assert_eq!(tuple("https://x.com:80").port, PortPattern::Exact(80));
    }

    #[test]
    fn rejects() {
        use Code::*;
        let cases = [
            ("example.com", MalformedOrigin),
            ("https//x.com", MalformedOrigin),
            ("1ttp://x.com", MalformedOrigin),
            ("https://x.com/", OriginWithPath),
            ("https://x.com?q", OriginWithPath),
            ("https://x.com#f", OriginWithPath),
            ("https://u@x.com", OriginWithUserinfo),
            ("https://x.com:443", DefaultPort),
            ("http://x.com:80", DefaultPort),
            ("https://x.com:", InvalidPort),
            ("https://x.com:65536", InvalidPort),
            ("https://x.com:99999999999", InvalidPort),
            ("https://x.com:08080", InvalidPort),
            ("https://x.com:8a", InvalidPort),
            ("https://x.com.", InvalidHost),
            ("https://x..com", InvalidHost),
            ("https://.x.com", InvalidHost),
            ("https://", InvalidHost),
            ("https://*.", InvalidHost),
            ("https://x y.com", MalformedOrigin),
            ("https://01.2.3.4", InvalidHost),
            ("https://1.2.3", InvalidHost),
            ("https://::1", InvalidHost),
            ("https://[::1", InvalidHost),
            ("https://[::1]x", InvalidHost),
            ("https://[zz]", InvalidHost),
            ("https://[0:0::1]", NonCanonicalIpv6),
            ("https://[::FFFF]", NonCanonicalIpv6),
            ("https://foo*.x.com", MisplacedWildcard),
            ("https://a.*.com", MisplacedWildcard),
            ("*://x.com", MisplacedWildcard),
            ("https://*", MisplacedWildcard),
            ("https://x.com:8*", MisplacedWildcard),
            ("https://*.1.2.3.4", MisplacedWildcard),
            ("https://x!.com", InvalidHost),
        ];
        for (text, expected) in cases {
            assert_eq!(code(text), expected, "{text}");
        }
    }

    #[test]
    fn ipv6_serialization_matches_browsers() {
        for text in [
            "::1",
            "::",
            "2001:db8::1",
            "1::",
            "1:0:0:2::3",
            "1:2:3:4:5:6:7:8",
            "fe80::1:0:0:1",
            "::ffff:102:304",
        ] {
            let addr: Ipv6Addr = text.parse().unwrap();
            assert_eq!(serialize_ipv6(&addr), text);
        }
        // Browsers serialize IPv4-mapped addresses in hex, never dotted.
        assert_eq!(code("https://[::ffff:1.2.3.4]"), Code::NonCanonicalIpv6);
        assert!(parse("https://[::ffff:102:304]").is_ok());
    }

    /// The diagnostics `check` reports for one origin, with or without
    /// `credentials on`: (severity, code, message, label).
    fn diagnose(origin: &str, credentials: bool) -> Vec<(Severity, Code, String, String)> {
        let credentials = if credentials { "credentials on;" } else { "" };
        let source = format!("policy p {{ origins {origin}; {credentials} }}");
        crate::check(&source)
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.code, d.message.clone(), d.label.clone()))
            .collect()
    }

    #[test]
    fn wildcards_over_public_suffixes_have_a_counterexample() {
        let cases = [
            (
                "https://*.amazonaws.com",
                "`https://*.amazonaws.com` also allows `https://evil.s3.amazonaws.com`, \
                 which anyone can register",
                "`s3.amazonaws.com` is a public suffix (Public Suffix List, private section)",
            ),
            (
                "https://*.kawasaki.jp",
                "`https://*.kawasaki.jp` also allows `https://evil.x.kawasaki.jp`, \
                 which anyone can register",
                "`x.kawasaki.jp` is a public suffix by the rule `*.kawasaki.jp` \
                 (Public Suffix List, ICANN section)",
            ),
            (
                "https://*.ck",
                "`https://*.ck` also allows `https://evil.x.ck`, which anyone can register",
                "`x.ck` is a public suffix by the rule `*.ck` (Public Suffix List, ICANN section)",
            ),
            (
                "https://*.github.io",
                "`https://*.github.io` also allows `https://evil.github.io`, which anyone can register",
                "`github.io` is a public suffix (Public Suffix List, private section)",
            ),
            (
                "https://*.co.uk",
                "`https://*.co.uk` also allows `https://evil.co.uk`, which anyone can register",
                "`co.uk` is a public suffix (Public Suffix List, ICANN section)",
            ),
            (
                "https://*.com",
                "`https://*.com` also allows `https://evil.com`, which anyone can register",
                "`com` is a public suffix (Public Suffix List, ICANN section)",
            ),
            (
                "https://*.s3.amazonaws.com:8443",
                "`https://*.s3.amazonaws.com:8443` also allows \
                 `https://evil.s3.amazonaws.com:8443`, which anyone can register",
                "`s3.amazonaws.com` is a public suffix (Public Suffix List, private section)",
            ),
        ];
        for (origin, message, label) in cases {
            let label = label.to_owned();
            for (credentials, severity) in [(true, Severity::Error), (false, Severity::Warning)] {
                assert_eq!(
                    diagnose(origin, credentials),
                    [(
                        severity,
                        Code::WildcardUnderPublicSuffix,
                        message.to_owned(),
                        label.clone()
                    )],
                    "{origin} credentials {credentials}"
                );
            }
        }
    }

    #[test]
    fn wildcards_over_private_or_unlisted_names_are_accepted() {
        for origin in [
            "https://*.example.com",
            "https://*.localhost",
            "http://*.localhost:*",
            "https://*.test",
            "https://*.internal",
            "https://*.example",
            "https://*.my-bucket.s3.amazonaws.com",
            "https://*.example.co.uk",
            // `!city.kawasaki.jp`: a registrable domain, the city's own.
            "https://*.city.kawasaki.jp",
        ] {
            for credentials in [true, false] {
                assert_eq!(diagnose(origin, credentials), [], "{origin} {credentials}");
            }
        }
    }

    #[test]
    fn mixed_script_hosts_are_look_alikes() {
        // A Cyrillic `а` (U+0430) before Latin `pple`.
        let found = diagnose("https://\u{430}pple.com", false);
        assert_eq!(
            found,
            [(
                Severity::Warning,
                Code::MixedScriptHost,
                "host `\u{430}pple.com` mixes scripts: the label `\u{430}pple` has Cyrillic \
                 and Latin letters"
                    .to_owned(),
                "browsers send it as `xn--pple-43d.com`".to_owned()
            )]
        );
        assert_eq!(
            tuple("https://\u{430}pple.com").host,
            Host::Domain("xn--pple-43d.com".into())
        );
        // Under a wildcard too, and in any label.
        let found = diagnose("https://*.p\u{430}ypal.example.com", false);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, Code::MixedScriptHost);
        // Single-script labels, each script alone, and ASCII: nothing.
        for origin in [
            "https://\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}", // пример.рф
            "https://\u{4f8b}\u{3048}.\u{30c6}\u{30b9}\u{30c8}",                 // 例え.テスト
            "https://\u{65e5}\u{672c}\u{8a9e}\u{3067}\u{30c6}\u{30b9}\u{30c8}.jp", // Han+Hiragana+Katakana
            "https://b\u{fc}cher.de",
            "https://\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.com", // Cyrillic label, Latin TLD
            "https://apple.com",
            "https://xn--pple-43d.com", // written in ASCII: the author chose it
        ] {
            assert_eq!(diagnose(origin, false), [], "{origin}");
        }
    }

    impl TupleOrigin {
        fn to_string_pattern(&self) -> String {
            OriginPattern::Tuple(self.clone()).to_string()
        }
    }
}
