//! `corsc explain`: one request against a policy, the outcome as text or
//! JSON.

use cors_match_core::format::MAGIC;
use cors_match_core::{Outcome, Request, Table};

use std::path::Path;

use crate::files::{read, write_stdout, Failure};
use crate::{compile_file, ExplainArgs};

/// A policy ready to answer requests: the table bytes, compiled from the
/// `.corspolicy` source or read as a table.
pub(crate) struct LoadedPolicy {
    table: Vec<u8>,
}

/// Reads and, when it is source, compiles the policy of `path` (its
/// diagnostics go to stderr); a table is validated once here.
pub(crate) fn load_policy(path: &Path) -> Result<LoadedPolicy, Failure> {
    let bytes = read(path)?;
    let table = if bytes.starts_with(&MAGIC) {
        bytes
    } else {
        compile_file(path)?.table
    };
    Table::from_bytes(&table)
        .map_err(|error| Failure::invalid(format!("{}: {error}", path.display())))?;
    Ok(LoadedPolicy { table })
}

/// explain's answer for one request, in both of its renderings.
pub(crate) struct Explained {
    /// The JSON object `--json` prints.
    pub(crate) json: serde_json::Value,
    /// The text explain prints without `--json`.
    pub(crate) text: String,
}

/// The one evaluation and rendering path of `corsc explain`: every request,
/// given on the command line or read from a console message or a HAR, is
/// answered here.
pub(crate) fn evaluate(policy: &LoadedPolicy, request: &Request<'_>) -> Explained {
    // `load_policy` validated these bytes; a failure here cannot happen,
    // and is still an answer rather than a panic.
    let table = match Table::from_bytes(&policy.table) {
        Ok(table) => table,
        Err(error) => {
            return Explained {
                json: serde_json::json!({ "error": error.to_string() }),
                text: format!("error: {error}\n"),
            }
        }
    };
    let outcome = table.eval(request);
    Explained {
        json: to_json(&outcome),
        text: to_text(&outcome),
    }
}

/// `corsc explain`: evaluates one request (or the requests of a console
/// message or a HAR file) and prints the outcome.
pub(crate) fn explain(args: &ExplainArgs) -> Result<u8, Failure> {
    if args.console.is_some() || args.console_file.is_some() {
        return crate::sources::explain_console(args);
    }
    if let Some(har) = &args.har {
        return crate::sources::explain_har(args, har);
    }
    let (Some(method), Some(path)) = (&args.method, &args.path) else {
        return Err(Failure::usage(
            "explain needs --method and --path (or --console, --console-file or --har)".to_string(),
        ));
    };
    let policy = load_policy(&args.policy)?;
    let request = Request {
        method: method.as_bytes(),
        path: path.as_bytes(),
        origin: args.origin.as_deref().map(str::as_bytes),
        request_method: args.request_method.as_deref().map(str::as_bytes),
        request_headers: args.request_headers.as_deref().map(str::as_bytes),
        request_private_network: args.private_network.then_some(&b"true"[..]),
    };
    let explained = evaluate(&policy, &request);
    let text = if args.json {
        format!("{}\n", explained.json)
    } else {
        explained.text
    };
    write_stdout(text.as_bytes())?;
    Ok(0)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn to_json(outcome: &Outcome<'_>) -> serde_json::Value {
    let headers: Vec<serde_json::Value> = outcome
        .headers
        .iter()
        .map(|h| serde_json::json!([h.name, lossy(h.value)]))
        .collect();
    serde_json::json!({
        "decision": outcome.decision.as_str(),
        "reason": outcome.reason.map(|r| r.as_str()),
        "policy": outcome.policy.map(lossy),
        "status": outcome.status,
        "headers": headers,
    })
}

fn to_text(outcome: &Outcome<'_>) -> String {
    let mut text = format!("decision: {}\n", outcome.decision);
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "-".to_string());
    text += &format!(
        "reason:   {}\n",
        or_dash(outcome.reason.map(|r| r.to_string()))
    );
    text += &format!("policy:   {}\n", or_dash(outcome.policy.map(lossy)));
    text += &format!(
        "status:   {}\n",
        or_dash(outcome.status.map(|s| s.to_string()))
    );
    if outcome.headers.is_empty() {
        text += "headers:  (none)\n";
    } else {
        text += "headers:\n";
        for header in &outcome.headers {
            text += &format!("  {}: {}\n", header.name, lossy(header.value));
        }
    }
    text
}
