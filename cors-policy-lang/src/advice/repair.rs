//! The search for the smallest edit that allows a refused request: one
//! step per failing check (the origin, the method, the headers, private
//! network access), each verified by `check` and the engine on the edited
//! source before the next is looked for.

use std::collections::{HashMap, HashSet};

use cors_match_core::{Outcome, Reason, Request, Table};

use super::edit::{self, Edit};
use super::{succeeds, Fix, Refusal, Remedy, Step};
use crate::ast::{Directive, File, PolicyBlock};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Policy, SAFELISTED_METHODS};

/// The most steps a fix takes: one per check a request can fail (origin,
/// method, headers, private network) and one for the path.
const MAX_STEPS: usize = 5;

/// The most header names one fix adds: far more than any page requests,
/// few enough that the fix stays readable.
const MAX_HEADERS_ADDED: usize = 100;

/// Which directive a step changes (each is changed at most once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Paths,
    Origins,
    Methods,
    Headers,
    PrivateNetwork,
}

/// What one attempt found: the edited file is refused, or the request's
/// outcome under it (with the edited model's policies).
enum Attempt {
    Refused(Diagnostic),
    Evaluated {
        allowed: bool,
        reason: Option<Reason>,
        policy: Option<String>,
        warnings: Vec<(Code, String)>,
    },
}

/// The request, the source and what is needed to edit it.
pub(super) struct Repair<'a> {
    source: &'a str,
    file: &'a File,
    request: &'a Request<'a>,
    /// How many warnings of each code the original file has.
    warnings: HashMap<Code, usize>,
    /// The original model's policies, by name.
    policies: Vec<Policy>,
    /// The original table.
    table: Vec<u8>,
}

/// A fix under construction.
#[derive(Default)]
struct Draft {
    steps: Vec<Step>,
    edits: Vec<Edit>,
    targets: Vec<Target>,
}

impl Draft {
    fn push(&mut self, target: Target, step: Step, edit: Edit) {
        self.targets.push(target);
        self.steps.push(step);
        self.edits.push(edit);
    }
}

fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// `content-type` as `Content-Type`; a name with upper case is kept as
/// written.
fn header_display(name: &str) -> String {
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return name.to_string();
    }
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("\"{item}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn directive<'b>(block: &'b PolicyBlock, name: &str) -> Option<&'b Directive> {
    block.directives.iter().find(|d| d.name.value == name)
}

impl<'a> Repair<'a> {
    pub(super) fn new(
        source: &'a str,
        file: &'a File,
        request: &'a Request<'a>,
        diagnostics: &Diagnostics,
        policies: Vec<Policy>,
        table: Vec<u8>,
    ) -> Self {
        let mut warnings = HashMap::new();
        for diagnostic in diagnostics.iter() {
            *warnings.entry(diagnostic.code).or_insert(0) += 1;
        }
        Repair {
            source,
            file,
            request,
            warnings,
            policies,
            table,
        }
    }

    /// The method the policy must allow: the requested one for a preflight.
    fn method(&self) -> &'a [u8] {
        match self.request.request_method {
            Some(method) if self.request.method == b"OPTIONS" => method,
            _ => self.request.method,
        }
    }

    /// Checks and evaluates the source with `edits` applied.
    fn attempt(&self, edits: &[Edit]) -> Attempt {
        let edited = edit::apply(self.source, edits);
        let checked = crate::check(&edited);
        if let Some(error) = checked.diagnostics.iter().find(|d| d.is_error()) {
            return Attempt::Refused(error.clone());
        }
        let Some(table) = checked.table.as_deref() else {
            return Attempt::Evaluated {
                allowed: false,
                reason: None,
                policy: None,
                warnings: Vec::new(),
            };
        };
        let Ok(table) = Table::from_bytes(table) else {
            return Attempt::Evaluated {
                allowed: false,
                reason: None,
                policy: None,
                warnings: Vec::new(),
            };
        };
        let outcome: Outcome<'_> = table.eval(self.request);
        let mut seen: HashMap<Code, usize> = HashMap::new();
        let mut warnings = Vec::new();
        for diagnostic in checked.diagnostics.iter() {
            let count = seen.entry(diagnostic.code).or_insert(0);
            *count += 1;
            if *count > self.warnings.get(&diagnostic.code).copied().unwrap_or(0) {
                warnings.push((diagnostic.code, diagnostic.message.clone()));
            }
        }
        Attempt::Evaluated {
            allowed: succeeds(outcome.decision, outcome.reason),
            reason: outcome.reason,
            policy: outcome
                .policy
                .map(|name| String::from_utf8_lossy(name).into_owned()),
            warnings,
        }
    }

    /// Whether the original policy allows the request from `origin`
    /// instead (as far as the origin goes).
    fn origin_allowed(&self, origin: &str) -> bool {
        let request = Request {
            origin: Some(origin.as_bytes()),
            ..*self.request
        };
        Table::from_bytes(&self.table)
            .is_ok_and(|table| table.eval(&request).reason != Some(Reason::OriginNotAllowed))
    }

    /// Whether policy `name` decides and allows the request when sent to
    /// its first path prefix: a cheap test on the original table.
    fn allows_on_own_path(&self, name: &str) -> bool {
        let Some(prefix) = self
            .policies
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.paths.first())
        else {
            return false;
        };
        let request = Request {
            path: prefix.as_bytes(),
            ..*self.request
        };
        Table::from_bytes(&self.table).is_ok_and(|table| {
            let outcome = table.eval(&request);
            outcome.policy == Some(name.as_bytes()) && succeeds(outcome.decision, outcome.reason)
        })
    }

    /// Repairs the policy `index`, which refused the request.
    pub(super) fn policy(&self, index: usize) -> Remedy {
        self.complete(index, Draft::default())
    }

    /// Adds steps to `draft` on policy `index` until the request is allowed.
    fn complete(&self, index: usize, mut draft: Draft) -> Remedy {
        let Some(block) = self.file.policies.get(index) else {
            return Remedy::NoFix("the deciding policy is not in the source".to_string());
        };
        for _ in 0..=MAX_STEPS {
            match self.attempt(&draft.edits) {
                Attempt::Refused(error) => return self.refusal(block, &draft, &error),
                Attempt::Evaluated {
                    allowed: true,
                    warnings,
                    ..
                } => {
                    let Some(edit) = edit::combine(self.source, &draft.edits) else {
                        return Remedy::NoFix("nothing to change".to_string());
                    };
                    return Remedy::Fix(Fix {
                        steps: draft.steps,
                        edits: draft.edits,
                        edit,
                        warnings,
                    });
                }
                Attempt::Evaluated { reason, policy, .. } => {
                    if policy.as_deref() != Some(block.name.value.as_str()) {
                        return Remedy::NoFix(format!(
                            "after the change, policy `{}` no longer decides the request",
                            block.name.value
                        ));
                    }
                    if let Err(why) = self.next_step(block, reason, &mut draft) {
                        return Remedy::NoFix(why);
                    }
                }
            }
        }
        Remedy::NoFix("the request still fails after every change this tool knows".to_string())
    }

    /// The step that answers `reason`, added to `draft`; or why there is none.
    fn next_step(
        &self,
        block: &PolicyBlock,
        reason: Option<Reason>,
        draft: &mut Draft,
    ) -> Result<(), String> {
        let target = match reason {
            Some(Reason::OriginNotAllowed) => Target::Origins,
            Some(Reason::MethodNotAllowed) => Target::Methods,
            Some(Reason::HeaderNotAllowed) => Target::Headers,
            Some(Reason::PrivateNetworkNotAllowed) => Target::PrivateNetwork,
            Some(Reason::MalformedOrigin) => {
                return Err("the request's Origin is not an origin a browser sends (empty, a list, control or non-ASCII bytes, or too long); no policy can allow it: fix the client or the proxy that sets it".to_string())
            }
            Some(Reason::MalformedRequest) => {
                return Err("the request's method or requested headers are not valid HTTP tokens; no policy can allow it: fix the client that sends them".to_string())
            }
            Some(Reason::NoPolicy) => return Err("no policy covers the path".to_string()),
            Some(Reason::NotCors) | None => return Err("the request is not a CORS request".to_string()),
        };
        if draft.targets.contains(&target) {
            return Err(format!(
                "after {}, the request is still refused ({}): no browser sends it in this form",
                draft
                    .steps
                    .last()
                    .map_or("the change", |step| step.action.as_str()),
                reason.map_or("?", Reason::as_str)
            ));
        }
        let (step, edit) = match target {
            Target::Origins => {
                let origin = self
                    .request
                    .origin
                    .and_then(text)
                    .ok_or("the Origin is not UTF-8")?;
                self.add_values(block, "origins", &[origin.to_string()])?
            }
            Target::Methods => {
                let method = text(self.method()).ok_or("the method is not UTF-8")?;
                self.add_values(block, "methods", &[method.to_string()])?
            }
            Target::Headers => {
                let missing = self.missing_headers(block)?;
                let (mut step, edit) = self.add_values(block, "allow-headers", &missing)?;
                let policy = self.policies.iter().find(|p| p.name == block.name.value);
                if policy.is_some_and(|p| p.allow_headers.any)
                    && missing
                        .iter()
                        .any(|name| name.eq_ignore_ascii_case("authorization"))
                {
                    step.action += " (`*` does not cover Authorization: it must be listed by name)";
                }
                (step, edit)
            }
            Target::PrivateNetwork => match directive(block, "private-network") {
                Some(existing) => match existing.args.first() {
                    Some(arg) => (
                        Step {
                            action: "change `private-network off` to `private-network on`"
                                .to_string(),
                            at: existing.name.span.start,
                        },
                        edit::replace_arg(arg, "on"),
                    ),
                    None => return Err("`private-network` has no value".to_string()),
                },
                None => (
                    Step {
                        action: "add `private-network on;` to policy".to_string()
                            + &format!(" `{}`", block.name.value),
                        at: block.span.start,
                    },
                    edit::add_directive(self.source, block, "private-network on;"),
                ),
            },
            Target::Paths => return Err("the path".to_string()),
        };
        draft.push(target, step, edit);
        Ok(())
    }

    /// Appends `values` to the list directive `name` of `block`, or adds
    /// the directive.
    fn add_values(
        &self,
        block: &PolicyBlock,
        name: &str,
        values: &[String],
    ) -> Result<(Step, Edit), String> {
        if values.is_empty() {
            return Err(format!("nothing to add to `{name}`"));
        }
        let written: Vec<String> = values.iter().map(|v| edit::argument(v)).collect();
        Ok(match directive(block, name) {
            Some(existing) => (
                Step {
                    action: format!("add {} to {name}", quoted_list(values)),
                    at: existing.name.span.start,
                },
                edit::append_to_list(self.source, existing, &written),
            ),
            None => {
                let text = format!("{name} {};", written.join(" "));
                (
                    Step {
                        action: format!("add `{text}` to policy `{}`", block.name.value),
                        at: block.span.start,
                    },
                    edit::add_directive(self.source, block, &text),
                )
            }
        })
    }

    /// The requested header names `block`'s policy does not allow, as they
    /// are best written in the policy.
    fn missing_headers(&self, block: &PolicyBlock) -> Result<Vec<String>, String> {
        let list = self
            .request
            .request_headers
            .and_then(text)
            .ok_or("the requested headers are not UTF-8")?;
        let policy = self.policies.iter().find(|p| p.name == block.name.value);
        let listed: HashSet<&str> = policy
            .map(|p| p.allow_headers.names.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let any = policy.is_some_and(|p| p.allow_headers.any);
        let mut seen: HashSet<String> = HashSet::new();
        let mut missing: Vec<String> = Vec::new();
        for name in list.split(',').map(|n| n.trim_matches([' ', '\t'])) {
            if name.is_empty() {
                continue;
            }
            let lower = name.to_ascii_lowercase();
            let allowed = listed.contains(lower.as_str()) || (any && lower != "authorization");
            if !allowed && seen.insert(lower) {
                if missing.len() == MAX_HEADERS_ADDED {
                    return Err(format!(
                        "the request asks for more than {MAX_HEADERS_ADDED} headers the policy does not allow; no browser page sends that many"
                    ));
                }
                missing.push(header_display(name));
            }
        }
        Ok(missing)
    }

    /// The refusal of the last step of `draft`, from `check`'s `error`.
    fn refusal(&self, block: &PolicyBlock, draft: &Draft, error: &Diagnostic) -> Remedy {
        let Some(step) = draft.steps.last() else {
            return Remedy::NoFix(format!("the policy has errors ({})", error.code.as_str()));
        };
        let origin = self.request.origin.and_then(text).unwrap_or("");
        let instead = match error.code {
            Code::InsecureOriginWithCredentials => {
                let serve = match origin.strip_prefix("http://") {
                    Some(rest) => {
                        let secure = format!("https://{rest}");
                        if self.origin_allowed(&secure) {
                            format!("serve the page over HTTPS: `{secure}` is already allowed")
                        } else {
                            format!("serve the page over HTTPS and add \"{secure}\" to origins")
                        }
                    }
                    None => "serve the page over HTTPS and list its https:// origin".to_string(),
                };
                format!(
                    "{serve}; only if you accept that anyone on the network can forge requests from `{origin}` and act as the user, add `allow-insecure-origins on;` to policy `{}`",
                    block.name.value
                )
            }
            Code::NullOrigin => "give the page a real origin: serve it over https:// instead of from a file, a `data:` URL or a sandboxed iframe, and list that origin; any site can send `Origin: null`".to_string(),
            Code::AnyOriginWithCredentials | Code::AnyHeaderWithCredentials => {
                "list the origins and headers by name".to_string()
            }
            Code::LowercaseStandardMethod => {
                let method = String::from_utf8_lossy(self.method());
                format!(
                    "browsers upper-case `{method}` to `{}` before sending it, so this request did not come from a browser's fetch(); make the client send `{}`",
                    method.to_ascii_uppercase(),
                    method.to_ascii_uppercase()
                )
            }
            Code::ForbiddenMethod => "no browser sends CONNECT, TRACE or TRACK: fetch() and XMLHttpRequest refuse them; the client is not a browser".to_string(),
            // The value is not an origin at all: the client is at fault.
            Code::MalformedOrigin
            | Code::OriginWithPath
            | Code::OriginWithUserinfo
            | Code::DefaultPort
            | Code::InvalidPort
            | Code::InvalidHost
            | Code::NonCanonicalIpv6
            | Code::MisplacedWildcard => format!(
                "no browser sends `{}` as its Origin: fix the client or the proxy that sends it",
                origin.escape_debug()
            ),
            _ => error
                .help
                .clone()
                .unwrap_or_else(|| "change the request instead".to_string()),
        };
        Remedy::Unsafe(Refusal {
            step: step.clone(),
            code: error.code,
            why: error.message.clone(),
            instead,
        })
    }

    /// No policy covers the request's path: add its first segment to a
    /// policy that then allows the request with no other change, or else
    /// add a policy of its own for it.
    pub(super) fn uncovered_path(&self) -> Remedy {
        let path = self.request.path_without_query();
        let Some(path) = text(path) else {
            return Remedy::NoFix("the path is not UTF-8".to_string());
        };
        if !path.starts_with('/') {
            return Remedy::NoFix(format!(
                "the path `{}` does not start with `/`; no `paths` prefix can cover it",
                path.escape_debug()
            ));
        }
        // `/api/users` -> `/api/`; `/api` -> `/api`.
        let prefix = match path[1..].find('/') {
            Some(at) => &path[..at + 2],
            None => path,
        };
        let written = edit::argument(prefix);
        for (index, block) in self.file.policies.iter().enumerate() {
            let Some(paths) = directive(block, "paths") else {
                continue;
            };
            // Only a policy that already allows the request on a path of
            // its own gets the (costly) checked attempt.
            if !self.allows_on_own_path(&block.name.value) {
                continue;
            }
            let mut draft = Draft::default();
            draft.push(
                Target::Paths,
                Step {
                    action: format!(
                        "add \"{prefix}\" to the paths of policy `{}`",
                        block.name.value
                    ),
                    at: paths.name.span.start,
                },
                edit::append_to_list(self.source, paths, std::slice::from_ref(&written)),
            );
            if let Remedy::Fix(fix) = self.complete(index, draft) {
                if fix.steps.len() == 1 {
                    return Remedy::Fix(fix);
                }
            }
        }
        self.new_policy(prefix)
    }

    /// A policy of its own for `prefix`, allowing exactly this request.
    fn new_policy(&self, prefix: &str) -> Remedy {
        let Some(origin) = self.request.origin.and_then(text) else {
            return Remedy::NoFix("the Origin is not UTF-8".to_string());
        };
        let base: String = prefix
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let base = if base.is_empty() {
            "cors".to_string()
        } else {
            base
        };
        let taken = |name: &str| self.file.policies.iter().any(|b| b.name.value == name);
        let mut name = base.clone();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let mut lines = vec![
            format!("paths {};", edit::argument(prefix)),
            format!("origins {};", edit::argument(origin)),
        ];
        if let Some(method) = text(self.method()) {
            if !SAFELISTED_METHODS.contains(&method) {
                lines.push(format!("methods {};", edit::argument(method)));
            }
        }
        let headers: Vec<String> = self
            .request
            .request_headers
            .and_then(text)
            .unwrap_or("")
            .split(',')
            .map(|h| h.trim_matches([' ', '\t']))
            .filter(|h| !h.is_empty())
            .map(|h| edit::argument(&header_display(h)))
            .collect();
        if !headers.is_empty() && self.request.method == b"OPTIONS" {
            lines.push(format!("allow-headers {};", headers.join(" ")));
        }
        if self.request.wants_private_network() && self.request.method == b"OPTIONS" {
            lines.push("private-network on;".to_string());
        }
        let block = format!(
            "policy {name} {{\n{}}}",
            lines
                .iter()
                .map(|line| format!("    {line}\n"))
                .collect::<String>()
        );
        let edit = edit::add_policy(self.source, &block);
        let step = Step {
            action: format!("add policy `{name}` for \"{prefix}\" (no policy covers the path)"),
            at: self.source.len(),
        };
        match self.attempt(std::slice::from_ref(&edit)) {
            Attempt::Refused(error) => {
                let draft = Draft {
                    steps: vec![step],
                    edits: vec![edit],
                    targets: vec![Target::Paths],
                };
                // No block of the original to name: point at the new one.
                let fake = PolicyBlock {
                    name: crate::ast::Spanned::new(name, 0..0),
                    directives: Vec::new(),
                    span: 0..0,
                };
                self.refusal(&fake, &draft, &error)
            }
            Attempt::Evaluated {
                allowed: true,
                warnings,
                ..
            } => Remedy::Fix(Fix {
                steps: vec![step],
                edits: vec![edit.clone()],
                edit,
                warnings,
            }),
            Attempt::Evaluated { reason, .. } => Remedy::NoFix(format!(
                "even a policy of its own for \"{prefix}\" refuses the request ({})",
                reason.map_or("?", Reason::as_str)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::header_display;

    #[test]
    fn header_names_are_written_like_headers() {
        assert_eq!(header_display("content-type"), "Content-Type");
        assert_eq!(header_display("x-requested-with"), "X-Requested-With");
        assert_eq!(header_display("X-token"), "X-token");
        assert_eq!(header_display("a--b"), "A--B");
    }
}
