//! `corsc diff OLD NEW`: the semantic difference between two policy files,
//! as text grouped per policy or as JSON, with an exit status for CI
//! (0 no difference, 1 narrowed or neutral only, 3 widened, 2 errors).
//!
//! The comparison is the library's (`cors_policy_lang::diff`); this module
//! reads the files and renders the result.

use std::path::{Path, PathBuf};

use cors_policy_lang::diff::{
    self, Change, Diff, Direction, PolicyDiff, PolicyStatus, Region, RouteChange, Verdict,
};
use cors_policy_lang::PolicySet;
use serde_json::{json, Value};

use crate::files::{as_source, read, report, write_stdout, Failure};
use crate::{print_diagnostics, summary};

/// The exit status when access widened: a CI job requires review.
pub(crate) const EXIT_WIDENED: u8 = 3;
/// The exit status when access only narrowed or changes are neutral.
pub(crate) const EXIT_CHANGED: u8 = 1;

/// Arguments of `corsc diff`.
#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The policy file before the change.
    old: PathBuf,
    /// The policy file after the change.
    new: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// The browsers' preflight cache lifetime when a response has no
/// `Access-Control-Max-Age` (the Fetch standard's default).
const DEFAULT_MAX_AGE: u32 = 5;

/// `corsc diff`: checks both files, compares them and prints the result.
pub(crate) fn diff(args: &DiffArgs) -> Result<u8, Failure> {
    // Both files are checked before giving up, so one run shows every error.
    let (old, new) = (load(&args.old), load(&args.new));
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(failure), Ok(_)) | (Ok(_), Err(failure)) => return Err(failure),
        (Err(first), Err(second)) => {
            report(&format!("corsc: {}\n", first.message));
            return Err(second);
        }
    };
    let result = diff::diff(&old, &new);
    let code = match result.verdict() {
        Verdict::Unchanged => 0,
        Verdict::Changed => EXIT_CHANGED,
        Verdict::Widened => EXIT_WIDENED,
    };
    let text = if args.json {
        format!("{}\n", to_json(&args.old, &args.new, &result, code))
    } else {
        to_text(&args.old, &args.new, &result)
    };
    write_stdout(text.as_bytes())?;
    Ok(code)
}

/// The checked model of `path`; an unreadable or invalid file is exit 2
/// (1 and 3 are answers of the comparison).
fn load(path: &Path) -> Result<PolicySet, Failure> {
    let bytes = read(path).map_err(|failure| Failure::usage(failure.message))?;
    let source = as_source(path, &bytes).map_err(|failure| Failure::usage(failure.message))?;
    let checked = cors_policy_lang::check(source);
    match checked.model {
        Some(model) => Ok(model),
        None => {
            print_diagnostics(path, source, &checked.diagnostics);
            Err(Failure::usage(format!(
                "{}; cannot compare an invalid policy",
                summary(path, &checked.diagnostics)
            )))
        }
    }
}

fn sign(direction: Direction) -> char {
    match direction {
        Direction::Widened => '+',
        Direction::Narrowed => '-',
        Direction::Neutral => '~',
    }
}

fn seconds(max_age: Option<u32>) -> String {
    match max_age {
        Some(seconds) => format!("{seconds} s"),
        None => format!("none ({DEFAULT_MAX_AGE} s default)"),
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on (was off)"
    } else {
        "off (was on)"
    }
}

/// One line for a change, without its indentation.
fn change_line(change: &Change) -> String {
    let widened = change.direction() == Direction::Widened;
    let body = match change {
        Change::Origin {
            pattern, example, ..
        } => match example {
            Some(example) if widened => format!("origin {pattern} (newly admits {example})"),
            Some(example) => format!("origin {pattern} (no longer admits {example})"),
            None => format!("origin {pattern}"),
        },
        Change::AnyOrigin { .. } if widened => "origins * (every origin)".to_string(),
        Change::AnyOrigin { .. } => "origins * (no longer every origin)".to_string(),
        Change::Method { method, .. } => format!("method {method}"),
        Change::AllowHeader { name, .. } if name == "*" => {
            "allow-header * (any name but authorization)".to_string()
        }
        Change::AllowHeader { name, .. } => format!("allow-header {name}"),
        Change::ExposeHeader { name, .. } if name == "*" => {
            "expose-header * (every response header)".to_string()
        }
        Change::ExposeHeader { name, .. } => format!("expose-header {name}"),
        Change::Credentials { .. } => format!("credentials {}", on_off(widened)),
        Change::PrivateNetwork { .. } => format!("private-network {}", on_off(widened)),
        Change::MaxAge { old, new } => {
            format!("max-age {} (was {})", seconds(*new), seconds(*old))
        }
        Change::PreflightStatus { old, new } => format!("preflight-status {new} (was {old})"),
        Change::OriginsNotCompared { reason } => {
            format!("origins not compared exactly ({reason}): review them")
        }
    };
    format!("{} {body}", sign(change.direction()))
}

fn regions_text(regions: &[Region]) -> String {
    regions
        .iter()
        .map(|region| match region {
            Region::Prefix(prefix) => prefix.clone(),
            Region::Other => "(paths no prefix matches)".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn heading(policy: &PolicyDiff) -> String {
    match &policy.status {
        PolicyStatus::Kept => format!("policy {}", policy.name),
        PolicyStatus::Added => format!("policy {} (added)", policy.name),
        PolicyStatus::Removed => format!("policy {} (removed)", policy.name),
        PolicyStatus::Renamed { from } => format!("policy {} (renamed from {from})", policy.name),
    }
}

/// The heading a route change is shown under: its new policy, else its
/// old one.
fn route_owner(route: &RouteChange) -> &str {
    route
        .new_policy
        .as_deref()
        .or(route.old_policy.as_deref())
        .unwrap_or_default()
}

fn route_text(route: &RouteChange) -> String {
    let paths = regions_text(&route.regions);
    let mut text = match (&route.old_policy, &route.new_policy) {
        (Some(old), Some(_)) => format!("  requests to {paths} (served by policy {old} before):\n"),
        (None, _) => format!("  requests to {paths} (served by no policy before):\n"),
        (Some(_), None) => {
            format!("  requests to {paths} (served by no policy now: no CORS headers):\n")
        }
    };
    if route.changes.is_empty() {
        text += "    ~ same access under another policy\n";
    }
    for change in &route.changes {
        text += &format!("    {}\n", change_line(change));
    }
    text
}

fn to_text(old: &Path, new: &Path, result: &Diff) -> String {
    let mut text = format!("--- {}\n+++ {}\n", old.display(), new.display());
    let mut shown: Vec<&str> = Vec::new();
    fn routes_of<'a>(result: &'a Diff, name: &'a str) -> impl Iterator<Item = &'a RouteChange> {
        result
            .routes
            .iter()
            .filter(move |route| route_owner(route) == name)
    }
    for policy in &result.policies {
        shown.push(&policy.name);
        text += &format!("{}\n", heading(policy));
        if !policy.paths_added.is_empty() && policy.status != PolicyStatus::Added {
            text += &format!("  ~ paths added: {}\n", policy.paths_added.join(" "));
        }
        if !policy.paths_removed.is_empty() && policy.status != PolicyStatus::Removed {
            text += &format!("  ~ paths removed: {}\n", policy.paths_removed.join(" "));
        }
        for change in &policy.changes {
            text += &format!("  {}\n", change_line(change));
        }
        for route in routes_of(result, &policy.name) {
            text += &route_text(route);
        }
    }
    // Routes into a policy that did not change itself.
    for route in &result.routes {
        let owner = route_owner(route);
        if !shown.contains(&owner) {
            shown.push(owner);
            text += &format!("policy {owner}\n");
            for route in routes_of(result, owner) {
                text += &route_text(route);
            }
        }
    }
    let count = |direction| {
        result
            .policies
            .iter()
            .flat_map(|p| &p.changes)
            .chain(result.routes.iter().flat_map(|r| &r.changes))
            .filter(|c| c.direction() == direction)
            .count()
    };
    let (widened, narrowed) = (count(Direction::Widened), count(Direction::Narrowed));
    text += &match result.verdict() {
        Verdict::Unchanged => "no semantic difference\n".to_string(),
        Verdict::Changed if narrowed > 0 => {
            format!("access narrowed ({narrowed} narrowing change(s)), nothing widened\n")
        }
        Verdict::Changed => "changed, but every request gets the same access\n".to_string(),
        Verdict::Widened => format!(
            "access widened ({widened} widening, {narrowed} narrowing change(s)): review required\n"
        ),
    };
    let max_ages = result.narrowed_max_ages();
    if !max_ages.is_empty() {
        let each = max_ages
            .iter()
            .map(|(name, max_age)| format!("policy {name}: {}", seconds(*max_age)))
            .collect::<Vec<_>>()
            .join("; ");
        text += &format!(
            "note: browsers keep a cached preflight until its max-age runs out, so the narrowing \
             reaches them only after the old max-age ({each})\n"
        );
    }
    text
}

fn change_json(change: &Change) -> Value {
    let mut object = json!({
        "direction": change.direction().as_str(),
        "kind": change.kind(),
    });
    let extra = match change {
        Change::Origin {
            pattern,
            exact,
            example,
            ..
        } => json!({"pattern": pattern, "exact": exact, "example": example}),
        Change::AnyOrigin { direction } => json!({"value": *direction == Direction::Widened}),
        Change::Method { method, .. } => json!({"method": method}),
        Change::AllowHeader { name, .. } | Change::ExposeHeader { name, .. } => {
            json!({"name": name})
        }
        Change::Credentials { direction } | Change::PrivateNetwork { direction } => {
            json!({"value": *direction == Direction::Widened})
        }
        Change::MaxAge { old, new } => json!({"old": old, "new": new}),
        Change::PreflightStatus { old, new } => json!({"old": old, "new": new}),
        Change::OriginsNotCompared { reason } => json!({"reason": reason}),
    };
    if let (Value::Object(object), Value::Object(extra)) = (&mut object, extra) {
        object.extend(extra);
    }
    object
}

fn to_json(old: &Path, new: &Path, result: &Diff, code: u8) -> Value {
    let changes = |changes: &[Change]| changes.iter().map(change_json).collect::<Vec<_>>();
    let policies: Vec<Value> = result
        .policies
        .iter()
        .map(|policy| {
            let (status, renamed_from) = match &policy.status {
                PolicyStatus::Kept => ("kept", None),
                PolicyStatus::Added => ("added", None),
                PolicyStatus::Removed => ("removed", None),
                PolicyStatus::Renamed { from } => ("renamed", Some(from)),
            };
            json!({
                "name": policy.name,
                "status": status,
                "renamed_from": renamed_from,
                "paths_added": policy.paths_added,
                "paths_removed": policy.paths_removed,
                "changes": changes(&policy.changes),
            })
        })
        .collect();
    let routes: Vec<Value> = result
        .routes
        .iter()
        .map(|route| {
            let paths: Vec<Option<&str>> = route
                .regions
                .iter()
                .map(|region| match region {
                    Region::Prefix(prefix) => Some(prefix.as_str()),
                    Region::Other => None,
                })
                .collect();
            json!({
                "paths": paths,
                "old_policy": route.old_policy,
                "new_policy": route.new_policy,
                "changes": changes(&route.changes),
            })
        })
        .collect();
    let verdict = match result.verdict() {
        Verdict::Unchanged => "unchanged",
        Verdict::Changed => "changed",
        Verdict::Widened => "widened",
    };
    let max_ages: Vec<Value> = result
        .narrowed_max_ages()
        .into_iter()
        .map(|(name, max_age)| json!({"policy": name, "old_max_age": max_age}))
        .collect();
    json!({
        "old": old.display().to_string(),
        "new": new.display().to_string(),
        "verdict": verdict,
        "widened": result.widened(),
        "narrowed": result.narrowed(),
        "exit_status": code,
        "policies": policies,
        "routes": routes,
        "narrowed_max_ages": max_ages,
    })
}
