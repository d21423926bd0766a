//! `corsc explain`: one request against a policy, the outcome as text or
//! JSON.

use cors_match_core::format::MAGIC;
use cors_match_core::{Outcome, Request, Table};

use crate::files::{read, write_stdout, Failure};
use crate::{compile_file, ExplainArgs};

/// `corsc explain`: evaluates one request and prints the outcome.
pub(crate) fn explain(args: &ExplainArgs) -> Result<u8, Failure> {
    let bytes = read(&args.policy)?;
    let table = if bytes.starts_with(&MAGIC) {
        bytes
    } else {
        compile_file(&args.policy)?.table
    };
    let policy = Table::from_bytes(&table)
        .map_err(|error| Failure::invalid(format!("{}: {error}", args.policy.display())))?;
    let request = Request {
        method: args.method.as_bytes(),
        path: args.path.as_bytes(),
        origin: args.origin.as_deref().map(str::as_bytes),
        request_method: args.request_method.as_deref().map(str::as_bytes),
        request_headers: args.request_headers.as_deref().map(str::as_bytes),
        request_private_network: args.private_network.then_some(&b"true"[..]),
    };
    let outcome = policy.eval(&request);
    let text = if args.json {
        to_json(&outcome)
    } else {
        to_text(&outcome)
    };
    write_stdout(text.as_bytes())?;
    Ok(0)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn to_json(outcome: &Outcome<'_>) -> String {
    let headers: Vec<serde_json::Value> = outcome
        .headers
        .iter()
        .map(|h| serde_json::json!([h.name, lossy(h.value)]))
        .collect();
    let object = serde_json::json!({
        "decision": outcome.decision.as_str(),
        "reason": outcome.reason.map(|r| r.as_str()),
        "policy": outcome.policy.map(lossy),
        "status": outcome.status,
        "headers": headers,
    });
    format!("{object}\n")
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
