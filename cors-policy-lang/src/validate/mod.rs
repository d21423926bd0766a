//! Checks a parsed file against the rules of the language and builds the
//! normalized [`model`](crate::model).
//!
//! Each directive has its own module (`origins`, `methods`, `headers`,
//! `paths`, `numbers`); this one dispatches directives, checks the structure
//! of policies (names, duplicate or unknown directives, argument counts,
//! `on`/`off` switches) and the rules that span policies (duplicate names,
//! duplicate path prefixes).

pub(crate) mod compile_errors;
mod headers;
pub use headers::is_forbidden_request_header;
mod methods;
mod numbers;
mod origins;
mod paths;

pub(crate) use origins::origin_pattern;

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::ast::{self, Arg, Directive, PolicyBlock};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Origins, Policy, PolicySet};

/// Every directive the language knows, with an example used in help lines.
const DIRECTIVES: &[(&str, &str)] = &[
    ("paths", "paths /api/ /v2/;"),
    ("origins", "origins https://app.example.com;"),
    ("methods", "methods GET POST PUT;"),
    ("allow-headers", "allow-headers Content-Type Authorization;"),
    ("expose-headers", "expose-headers X-Request-Id;"),
    ("credentials", "credentials on;"),
    ("max-age", "max-age 10m;"),
    ("private-network", "private-network on;"),
    ("preflight-status", "preflight-status 204;"),
    ("allow-insecure-origins", "allow-insecure-origins on;"),
];

/// Whether `name` is a directive the language knows (the parser uses this
/// to recover from a missing `;` and to recognize slips).
pub(crate) fn is_directive(name: &str) -> bool {
    DIRECTIVES.iter().any(|(known, _)| *known == name)
}

/// Validates `file`, reporting every rule it breaks to `diagnostics`.
///
/// Returns the model when `diagnostics` holds no errors afterwards
/// (including errors reported earlier, e.g. by the parser), else `None`.
pub fn validate(file: &ast::File, diagnostics: &mut Diagnostics) -> Option<PolicySet> {
    let mut set = PolicySet::default();
    let mut names: HashMap<&str, Range<usize>> = HashMap::default();
    let mut prefixes = paths::PrefixRegistry::default();
    let mut budget = Budget::default();

    for block in &file.policies {
        check_policy_name(block, &mut names, diagnostics);
        let (policy, path_args) = validate_policy(block, diagnostics, &mut budget);
        match path_args {
            Some(args) => {
                for (prefix, span) in args {
                    prefixes.claim(prefix, span, diagnostics);
                }
            }
            None => prefixes.claim_every_path(&block.name.span, diagnostics),
        }
        set.policies.push(policy);
    }
    if file.policies.is_empty() && !diagnostics.has_errors() {
        diagnostics.push(
            Diagnostic::warning(Code::NoPolicies, "this file defines no policy", 0..0)
                .with_label("every request will pass with reason `no-policy`")
                .with_help("add a block such as `policy api { origins https://app.example.com; }`"),
        );
    }

    if diagnostics.has_errors() {
        None
    } else {
        Some(set)
    }
}

/// What the rules that depend on other directives need to know.
pub(crate) struct Context<'a> {
    /// Where diagnostics go.
    pub diagnostics: &'a mut Diagnostics,
    /// The span of `credentials on`'s argument, when credentials are on.
    pub credentials: Option<Range<usize>>,
    /// `allow-insecure-origins on`.
    pub allow_insecure_origins: bool,
    /// What is left of the file's budgets.
    pub budget: &'a mut Budget,
}

/// Search steps the safety analysis of all the regex origins of one file
/// may take: with [`crate::regex_origin::MAX_PATTERN_STEPS`] per pattern, it
/// bounds the time `check` spends on any file, whatever its size, and the
/// same file gets the same answer on every machine.
pub const FILE_REGEX_STEPS: usize = 10_000_000;

/// The file-wide budgets validation counts against.
#[derive(Debug)]
pub(crate) struct Budget {
    /// Regex safety analysis steps left.
    pub regex_steps: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            regex_steps: FILE_REGEX_STEPS,
        }
    }
}

impl Context<'_> {
    /// Records a diagnostic.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Adds a secondary label pointing at `credentials on`, if it is on.
    pub fn with_credentials_note(&self, diagnostic: Diagnostic) -> Diagnostic {
        match &self.credentials {
            Some(span) => diagnostic.with_note(span.clone(), "credentials are enabled here"),
            None => diagnostic,
        }
    }
}

fn check_policy_name<'a>(
    block: &'a PolicyBlock,
    names: &mut HashMap<&'a str, Range<usize>>,
    diagnostics: &mut Diagnostics,
) {
    let name = &block.name;
    // An empty name was already reported by the parser.
    if name.value.is_empty() {
        return;
    }
    let valid = name
        .value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidPolicyName,
                format!("invalid policy name `{}`", name.value.escape_debug()),
                name.span.clone(),
            )
            .with_label("not a valid name")
            .with_help(
                "policy names are letters, digits, `_` and `-`, e.g. `policy public-api { ... }`",
            ),
        );
    }
    if let Some(first) = names.get(name.value.as_str()) {
        diagnostics.push(
            Diagnostic::error(
                Code::DuplicatePolicyName,
                format!(
                    "a policy named `{}` already exists",
                    name.value.escape_debug()
                ),
                name.span.clone(),
            )
            .with_label("second policy with this name")
            .with_note(first.clone(), "first defined here")
            .with_help("give each policy a distinct name"),
        );
    } else {
        names.insert(name.value.as_str(), name.span.clone());
    }
}

/// The directives of one policy, each at most once.
struct DirectiveSet<'a> {
    by_name: HashMap<&'static str, &'a Directive>,
}

impl<'a> DirectiveSet<'a> {
    fn get(&self, name: &str) -> Option<&'a Directive> {
        self.by_name.get(name).copied()
    }
}

/// Reports unknown and repeated directives; keeps the first of each.
fn collect_directives<'a>(
    block: &'a PolicyBlock,
    diagnostics: &mut Diagnostics,
) -> DirectiveSet<'a> {
    let mut by_name: HashMap<&'static str, &'a Directive> = HashMap::default();
    for directive in &block.directives {
        let name = directive.name.value.as_str();
        let Some(&(known, _)) = DIRECTIVES.iter().find(|(known, _)| *known == name) else {
            report_unknown_directive(directive, diagnostics);
            continue;
        };
        if let Some(first) = by_name.get(known) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateDirective,
                    format!("`{known}` appears twice in policy `{}`", block.name.value),
                    directive.name.span.clone(),
                )
                .with_label("repeated here")
                .with_note(first.name.span.clone(), "first written here")
                .with_help(format!(
                    "merge the arguments into the first `{known}` directive"
                )),
            );
            continue;
        }
        if known != "origins" {
            for arg in directive.args.iter().filter(|arg| arg.regex) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::RegexOutsideOrigins,
                        format!("`{known}` does not take a regex"),
                        arg.span.clone(),
                    )
                    .with_label("a regex")
                    .with_help("regexes (`~\"...\"`) are only for `origins`; remove the `~`"),
                );
            }
        }
        by_name.insert(known, directive);
    }
    DirectiveSet { by_name }
}

fn report_unknown_directive(directive: &Directive, diagnostics: &mut Diagnostics) {
    let name = &directive.name.value;
    let help = match suggest_directive(name) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => {
            let known: Vec<&str> = DIRECTIVES.iter().map(|(name, _)| *name).collect();
            format!("the directives are: {}", known.join(", "))
        }
    };
    diagnostics.push(
        Diagnostic::error(
            Code::UnknownDirective,
            format!("unknown directive `{}`", name.escape_debug()),
            directive.name.span.clone(),
        )
        .with_label("not a directive")
        .with_help(help),
    );
}

/// The known directive `name` was most likely meant to be, if any: a
/// spelling from other CORS configurations (`allowed-origins`,
/// `access-control-max-age`) or a small typo.
fn suggest_directive(name: &str) -> Option<&'static str> {
    let normalized = name.to_ascii_lowercase().replace('_', "-");
    let without_header_prefix = normalized
        .strip_prefix("access-control-")
        .unwrap_or(&normalized);
    let without_allow = without_header_prefix
        .strip_prefix("allowed-")
        .or_else(|| without_header_prefix.strip_prefix("allow-"))
        .unwrap_or(without_header_prefix);
    for candidate in [normalized.as_str(), without_header_prefix, without_allow] {
        for candidate in [candidate.to_string(), format!("{candidate}s")] {
            if let Some(&(known, _)) = DIRECTIVES.iter().find(|(known, _)| *known == candidate) {
                return Some(known);
            }
        }
    }
    let limit = (name.chars().count() / 3).clamp(1, 3);
    DIRECTIVES
        .iter()
        .map(|(known, _)| (edit_distance(&normalized, known), *known))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// Levenshtein distance, by characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

fn example(directive: &str) -> &'static str {
    DIRECTIVES
        .iter()
        .find(|(name, _)| *name == directive)
        .map_or("", |(_, example)| example)
}

/// The arguments of a list directive; reports an empty list.
pub(crate) fn list_args<'a>(
    directive: &'a Directive,
    diagnostics: &mut Diagnostics,
) -> Option<&'a [Arg]> {
    if directive.args.is_empty() {
        let name = &directive.name.value;
        diagnostics.push(
            Diagnostic::error(
                Code::WrongArgumentCount,
                format!("`{name}` needs at least one argument"),
                directive.name.span.clone(),
            )
            .with_label("empty list")
            .with_help(format!(
                "list the values, e.g. `{}`, or remove the directive",
                example(name)
            )),
        );
        return None;
    }
    Some(&directive.args)
}

/// The argument of a one-argument directive; reports a missing argument or
/// extra ones.
pub(crate) fn single_arg<'a>(
    directive: &'a Directive,
    diagnostics: &mut Diagnostics,
) -> Option<&'a Arg> {
    let name = &directive.name.value;
    match directive.args.as_slice() {
        [arg] => Some(arg),
        [] => {
            diagnostics.push(
                Diagnostic::error(
                    Code::WrongArgumentCount,
                    format!("`{name}` needs an argument"),
                    directive.name.span.clone(),
                )
                .with_label("missing argument")
                .with_help(format!("for example `{}`", example(name))),
            );
            None
        }
        [_, extra @ ..] => {
            let span = match (extra.first(), extra.last()) {
                (Some(first), Some(last)) => first.span.start..last.span.end,
                _ => directive.args_span(),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::WrongArgumentCount,
                    format!(
                        "`{name}` takes one argument, found {}",
                        directive.args.len()
                    ),
                    span,
                )
                .with_label("unexpected arguments")
                .with_help(format!("for example `{}`", example(name))),
            );
            None
        }
    }
}

/// The value of an `on`/`off` directive, with the span of its argument.
fn switch(
    directive: Option<&Directive>,
    diagnostics: &mut Diagnostics,
) -> Option<(bool, Range<usize>)> {
    let directive = directive?;
    let arg = single_arg(directive, diagnostics)?;
    match arg.value.as_str() {
        "on" => Some((true, arg.span.clone())),
        "off" => Some((false, arg.span.clone())),
        other => {
            let name = &directive.name.value;
            let help = match other.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" | "enabled" => format!("write `{name} on;`"),
                "off" | "false" | "no" | "0" | "disabled" => format!("write `{name} off;`"),
                _ => format!("write `{name} on;` or `{name} off;`"),
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidSwitch,
                    format!("`{name}` must be `on` or `off`"),
                    arg.span.clone(),
                )
                .with_label("expected `on` or `off`")
                .with_help(help),
            );
            None
        }
    }
}

/// Validates one policy block. Returns the policy (with defaults where a
/// directive was invalid) and the path prefixes it claims (`None` when it
/// has no `paths` directive and so covers every path).
fn validate_policy(
    block: &PolicyBlock,
    diagnostics: &mut Diagnostics,
    budget: &mut Budget,
) -> (Policy, Option<Vec<paths::Prefix>>) {
    let directives = collect_directives(block, diagnostics);
    let mut policy = Policy::new(block.name.value.clone(), Origins::List(Vec::new()));

    let credentials = switch(directives.get("credentials"), diagnostics);
    let insecure = switch(directives.get("allow-insecure-origins"), diagnostics);
    let private_network = switch(directives.get("private-network"), diagnostics);
    if let Some((true, span)) = &private_network {
        diagnostics.push(
            Diagnostic::warning(
                Code::LegacyPrivateNetwork,
                "`private-network on` only answers browsers that still send Private Network Access preflights",
                span.clone(),
            )
            .with_label("only old embedded browsers send `Access-Control-Request-Private-Network`")
            .with_help("Chrome replaced these preflights with the Local Network Access permission prompt, which a server cannot grant; keep this only for old embedded browsers, else remove it"),
        );
    }
    policy.credentials = credentials.as_ref().is_some_and(|(on, _)| *on);
    policy.allow_insecure_origins = insecure.is_some_and(|(on, _)| on);
    policy.private_network = private_network.is_some_and(|(on, _)| on);

    let mut context = Context {
        diagnostics,
        credentials: credentials.filter(|(on, _)| *on).map(|(_, span)| span),
        allow_insecure_origins: policy.allow_insecure_origins,
        budget,
    };

    let path_args = directives
        .get("paths")
        .map(|directive| paths::validate(directive, context.diagnostics));
    if let Some(args) = &path_args {
        policy.paths = args.iter().map(|(prefix, _)| prefix.clone()).collect();
    }

    // A misspelled `origins` (`origin`, `orgins`) is reported as an unknown
    // directive with "did you mean `origins`?"; "has no `origins`" on top
    // would be a cascade of the same slip.
    let misspelled_origins = block.directives.iter().any(|directive| {
        !is_directive(&directive.name.value)
            && suggest_directive(&directive.name.value) == Some("origins")
    });
    match directives.get("origins") {
        Some(directive) => policy.origins = origins::validate(directive, &mut context),
        None if misspelled_origins => {}
        None => {
            // An empty name was already reported by the parser; point at
            // `policy` then.
            let span = if block.name.value.is_empty() {
                block.span.start..block.span.start
            } else {
                block.name.span.clone()
            };
            context.report(
                Diagnostic::error(
                    Code::MissingOrigins,
                    format!("policy `{}` has no `origins`", block.name.value),
                    span,
                )
                .with_label("allows no origin")
                .with_help("add the origins it allows, e.g. `origins https://app.example.com;` (or `origins *;`)"),
            );
        }
    }

    if let Some(directive) = directives.get("methods") {
        policy.methods = methods::validate(directive, &mut context);
    }
    if let Some(directive) = directives.get("allow-headers") {
        policy.allow_headers = headers::validate(directive, headers::Kind::Allow, &mut context);
    }
    if let Some(directive) = directives.get("expose-headers") {
        policy.expose_headers = headers::validate(directive, headers::Kind::Expose, &mut context);
    }
    if let Some(directive) = directives.get("max-age") {
        policy.max_age = numbers::max_age(directive, context.diagnostics);
    }
    if let Some(directive) = directives.get("preflight-status") {
        if let Some(status) = numbers::preflight_status(directive, context.diagnostics) {
            policy.preflight_status = status;
        }
    }

    (policy, path_args)
}

/// Is `text` an RFC 9110 token (`1*tchar`)?
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest_directive("orgins"), Some("origins"));
        assert_eq!(suggest_directive("origin"), Some("origins"));
        assert_eq!(suggest_directive("allowed-origins"), Some("origins"));
        assert_eq!(suggest_directive("allow-methods"), Some("methods"));
        assert_eq!(suggest_directive("Access-Control-Max-Age"), Some("max-age"));
        assert_eq!(
            suggest_directive("access-control-allow-headers"),
            Some("allow-headers")
        );
        assert_eq!(suggest_directive("max_age"), Some("max-age"));
        assert_eq!(suggest_directive("allow-credentials"), Some("credentials"));
        assert_eq!(suggest_directive("path"), Some("paths"));
        assert_eq!(suggest_directive("frobnicate"), None);
        assert_eq!(suggest_directive("x"), None);
    }

    use crate::model::{HeaderNames, Host, OriginPattern, PortPattern, TupleOrigin};

    fn origin(scheme: &str, host: Host, any_subdomain: bool, port: PortPattern) -> OriginPattern {
        OriginPattern::Tuple(TupleOrigin {
            scheme: scheme.to_string(),
            host,
            any_subdomain,
            port,
        })
    }

    fn domain(name: &str) -> Host {
        Host::Domain(name.to_string())
    }

    const DESIGN_EXAMPLE: &str = include_str!("../../tests/ui/valid_design_example.corspolicy");

    #[test]
    fn design_example_model() {
        let checked = crate::check(DESIGN_EXAMPLE);
        let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [], "{:?}", checked.diagnostics);
        let set = checked.model.expect("valid");
        let mut api = Policy::new(
            "api",
            Origins::List(vec![
                origin(
                    "https",
                    domain("app.example.com"),
                    false,
                    PortPattern::Default,
                ),
                origin("https", domain("example.com"), true, PortPattern::Default),
                origin("http", domain("localhost"), false, PortPattern::Any),
            ]),
        );
        api.paths = vec!["/api/".into(), "/v2/".into()];
        api.methods = ["GET", "POST", "PUT", "DELETE"].map(String::from).to_vec();
        api.allow_headers = HeaderNames {
            any: false,
            names: ["content-type", "authorization", "x-requested-with"]
                .map(String::from)
                .to_vec(),
        };
        api.expose_headers = HeaderNames {
            any: false,
            names: vec!["x-request-id".into()],
        };
        api.credentials = true;
        api.max_age = Some(600);
        api.preflight_status = 204;
        let mut assets = Policy::new("assets", Origins::Any);
        assets.paths = vec!["/static/".into()];
        assets.methods = vec!["GET".into(), "HEAD".into()];
        assert_eq!(set.policies, vec![api.clone(), assets.clone()]);

        // With the legacy `private-network on`: the same model with the flag
        // set, and only the warning on it.
        let legacy = DESIGN_EXAMPLE.replace(
            "    preflight-status 204;",
            "    private-network on;\n    preflight-status 204;",
        );
        assert_ne!(legacy, DESIGN_EXAMPLE);
        let checked = crate::check(&legacy);
        let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::LegacyPrivateNetwork],
            "{:?}",
            checked.diagnostics
        );
        api.private_network = true;
        assert_eq!(checked.model.expect("valid").policies, vec![api, assets]);
    }

    #[test]
    fn normalizes_idn_case_and_ipv6() {
        let checked = crate::check(
            "policy p { origins HTTPS://Bücher.DE:8443 https://[::1] https://*.EXAMPLE.com:* http://10.0.0.1 https://app.example.com https://app.example.com; }",
        );
        let warnings: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            warnings,
            vec![
                Code::UppercaseOrigin,
                Code::UppercaseOrigin,
                Code::DuplicateOrigin
            ]
        );
        let set = checked.model.expect("only warnings");
        assert_eq!(
            set.policies[0].origins,
            Origins::List(vec![
                origin(
                    "https",
                    domain("xn--bcher-kva.de"),
                    false,
                    PortPattern::Exact(8443)
                ),
                origin(
                    "https",
                    Host::Ipv6(std::net::Ipv6Addr::LOCALHOST),
                    false,
                    PortPattern::Default
                ),
                origin("https", domain("example.com"), true, PortPattern::Any),
                origin(
                    "http",
                    Host::Ipv4(std::net::Ipv4Addr::new(10, 0, 0, 1)),
                    false,
                    PortPattern::Default
                ),
                origin(
                    "https",
                    domain("app.example.com"),
                    false,
                    PortPattern::Default
                ),
            ])
        );
    }

    #[test]
    fn headers_and_methods_are_deduplicated() {
        let checked = crate::check(
            "policy p { origins *; methods PATCH PATCH patch; allow-headers X-A x-a *; max-age 2h; preflight-status 200; }",
        );
        let policy = &checked.model.expect("only warnings").policies[0];
        assert_eq!(
            policy.methods,
            vec!["PATCH".to_string(), "patch".to_string()]
        );
        assert_eq!(policy.allow_headers.names, vec!["x-a".to_string()]);
        assert!(policy.allow_headers.any);
        assert_eq!(policy.max_age, Some(7200));
        assert_eq!(policy.preflight_status, 200);
    }

    #[test]
    fn errors_mean_no_model() {
        let checked = crate::check("policy p { origins *; credentials on; }");
        assert!(checked.model.is_none());
        assert_eq!(checked.diagnostics.error_count(), 1);
    }

    #[test]
    fn tokens() {
        assert!(is_token("X-Request-Id"));
        assert!(is_token("PATCH"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a:b"));
        assert!(!is_token("é"));
    }
}
