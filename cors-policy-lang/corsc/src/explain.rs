//! `corsc explain`: one request against a policy, the outcome as text or
//! JSON; for a request the browser would refuse, the deciding policy's
//! place, the smallest safe fix (or why there is none) and the listed
//! origins the request's just misses, from
//! [`cors_policy_lang::advice`].
//!
//! [`load`] and [`answer`] are the entry points for every way of giving
//! the request (flags, a console message, a HAR file).

use std::path::Path;

use cors_match_core::format::MAGIC;
use cors_match_core::{Decision, Outcome, Reason, Request, Table};
use cors_policy_lang::advice::{self, Advice, Remedy};

use crate::files::{as_source, display_name, read, write_stdout, Failure};
use crate::{compile_file, ExplainArgs};

/// A policy ready to answer requests: its table, and its source when the
/// file was a `.corspolicy` (fixes need it).
pub(crate) struct Loaded {
    /// How the file is named in messages (`file` in JSON).
    pub(crate) name: String,
    /// The compiled table.
    pub(crate) table: Vec<u8>,
    /// The source text; `None` for a compiled table.
    pub(crate) source: Option<String>,
}

/// Reads `path`: a compiled table (recognized by its magic) or a
/// `.corspolicy` file, compiled here (its warnings go to stderr).
pub(crate) fn load(path: &Path) -> Result<Loaded, Failure> {
    let bytes = read(path)?;
    let name = display_name(path);
    if bytes.starts_with(&MAGIC) {
        return Ok(Loaded {
            name,
            table: bytes,
            source: None,
        });
    }
    let table = compile_file(path)?.table;
    let source = as_source(path, &bytes)?.to_string();
    Ok(Loaded {
        name,
        table,
        source: Some(source),
    })
}

/// explain's answer for one request, in both of its renderings.
pub(crate) struct Explained {
    /// The JSON object `--json` prints.
    pub(crate) json: serde_json::Value,
    /// The text explain prints without `--json`.
    pub(crate) text: String,
}

/// The one evaluation and rendering path of `corsc explain` for requests
/// read from a console message or a HAR: both renderings of [`answer`].
pub(crate) fn evaluate(loaded: &Loaded, request: &Request<'_>) -> Result<Explained, Failure> {
    Ok(Explained {
        json: answer_json(loaded, request)?,
        text: answer_text(loaded, request)?,
    })
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
    let loaded = load(&args.policy)?;
    let request = Request {
        method: method.as_bytes(),
        path: path.as_bytes(),
        origin: args.origin.as_deref().map(str::as_bytes),
        request_method: args.request_method.as_deref().map(str::as_bytes),
        request_headers: args.request_headers.as_deref().map(str::as_bytes),
        request_private_network: args.private_network.then_some(&b"true"[..]),
    };
    let text = answer(&loaded, &request, args.json)?;
    write_stdout(text.as_bytes())?;
    Ok(0)
}

/// The answer to `request` under `loaded`, as `explain` prints it: text,
/// or one line of JSON.
pub(crate) fn answer(
    loaded: &Loaded,
    request: &Request<'_>,
    json: bool,
) -> Result<String, Failure> {
    Ok(if json {
        format!("{}\n", answer_json(loaded, request)?)
    } else {
        answer_text(loaded, request)?
    })
}

/// Evaluates `request`, and advises when the browser would refuse it.
fn evaluate_and_advise<'t>(
    loaded: &'t Loaded,
    request: &Request<'t>,
) -> Result<(Outcome<'t>, Option<Advised<'t>>), Failure> {
    let table = Table::from_bytes(&loaded.table)
        .map_err(|error| Failure::invalid(format!("{}: {error}", loaded.name)))?;
    let outcome = table.eval(request);
    let refused = match outcome.decision {
        Decision::ActualDenied | Decision::PreflightDenied => true,
        Decision::Pass => outcome.reason == Some(Reason::NoPolicy) && request.origin.is_some(),
        Decision::ActualAllowed | Decision::PreflightAllowed => false,
    };
    let advised = refused.then(|| Advised {
        loaded,
        advice: loaded
            .source
            .as_deref()
            .map(|source| advice::advise(source, request)),
    });
    Ok((outcome, advised))
}

/// Advice on a refused request, with what it needs to name places.
struct Advised<'a> {
    loaded: &'a Loaded,
    /// `None` for a compiled table.
    advice: Option<Advice>,
}

/// Said when the policy was given as a compiled table.
const NEEDS_SOURCE: &str =
    "fixes need the policy source: explain the .corspolicy file, not its compiled table";

impl Advised<'_> {
    fn source(&self) -> &str {
        self.loaded.source.as_deref().unwrap_or_default()
    }

    /// `file:line:col` of byte `at`.
    fn place(&self, at: usize) -> (String, usize, usize) {
        let (line, column) = advice::line_column(self.source(), at);
        (self.loaded.name.clone(), line, column)
    }

    fn place_text(&self, at: usize) -> String {
        let (file, line, column) = self.place(at);
        format!("{file}:{line}:{column}")
    }

    fn place_json(&self, at: usize) -> serde_json::Value {
        let (file, line, column) = self.place(at);
        serde_json::json!({"file": file, "line": line, "column": column})
    }

    fn step_text(&self, step: &advice::Step) -> String {
        format!("{} at {}", step.action, self.place_text(step.at))
    }

    fn refusal_text(&self, refusal: &advice::Refusal) -> String {
        format!(
            "{} is refused: {} ({})",
            self.step_text(&refusal.step),
            refusal.why,
            refusal.code.as_str()
        )
    }

    fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::{json, Value};
        let mut object = serde_json::Map::new();
        let Some(advice) = &self.advice else {
            object.insert("policy_location".into(), Value::Null);
            object.insert("fix".into(), Value::Null);
            object.insert("unsafe_fix".into(), Value::Null);
            object.insert("no_fix".into(), NEEDS_SOURCE.into());
            object.insert("did_you_mean".into(), json!([]));
            return object;
        };
        object.insert(
            "policy_location".into(),
            advice
                .policy
                .as_ref()
                .map_or(Value::Null, |site| self.place_json(site.span.start)),
        );
        let (mut fix, mut unsafe_fix, mut no_fix) = (Value::Null, Value::Null, Value::Null);
        match &advice.remedy {
            Remedy::Fix(found) => {
                let first = found.steps.first().map_or(found.edit.span.start, |s| s.at);
                let (file, line, column) = self.place(first);
                let steps: Vec<String> = found.steps.iter().map(|s| self.step_text(s)).collect();
                let edits: Vec<Value> = found
                    .edits
                    .iter()
                    .map(|e| json!({"span": [e.span.start, e.span.end], "replacement": e.replacement}))
                    .collect();
                let warnings: Vec<Value> = found
                    .warnings
                    .iter()
                    .map(|(code, message)| json!({"code": code.as_str(), "message": message}))
                    .collect();
                fix = json!({
                    "message": steps.join("; "),
                    "file": file,
                    "line": line,
                    "column": column,
                    "span": [found.edit.span.start, found.edit.span.end],
                    "replacement": found.edit.replacement,
                    "edits": edits,
                    "warnings": warnings,
                });
            }
            Remedy::Unsafe(refusal) => {
                let (file, line, column) = self.place(refusal.step.at);
                unsafe_fix = json!({
                    "message": self.refusal_text(refusal),
                    "code": refusal.code.as_str(),
                    "instead": refusal.instead,
                    "file": file,
                    "line": line,
                    "column": column,
                });
            }
            Remedy::NoFix(why) => no_fix = why.as_str().into(),
            Remedy::NotNeeded => {}
        }
        object.insert("fix".into(), fix);
        object.insert("unsafe_fix".into(), unsafe_fix);
        object.insert("no_fix".into(), no_fix);
        let near: Vec<Value> = advice
            .did_you_mean
            .iter()
            .map(|miss| {
                let (file, line, column) = self.place(miss.span.start);
                json!({
                    "origin": miss.origin,
                    "file": file,
                    "line": line,
                    "column": column,
                    "kind": miss.kind.as_str(),
                    "difference": miss.difference,
                })
            })
            .collect();
        object.insert("did_you_mean".into(), Value::Array(near));
        object
    }

    fn text(&self) -> String {
        let Some(advice) = &self.advice else {
            return format!("location: -\nfix:      none: {NEEDS_SOURCE}\n");
        };
        let mut text = match &advice.policy {
            Some(site) => format!("location: {}\n", self.place_text(site.span.start)),
            None => "location: - (no policy covers the path)\n".to_string(),
        };
        match &advice.remedy {
            Remedy::Fix(fix) => {
                for (index, step) in fix.steps.iter().enumerate() {
                    let label = if index == 0 { "fix:     " } else { "         " };
                    text += &format!("{label} {}\n", self.step_text(step));
                }
                for (code, message) in &fix.warnings {
                    text += &format!(
                        "note:     corsc check will warn: {message} ({})\n",
                        code.as_str()
                    );
                }
            }
            Remedy::Unsafe(refusal) => {
                text += &format!(
                    "fix:      none that is safe: {}\n",
                    self.refusal_text(refusal)
                );
                text += &format!("instead:  {}\n", refusal.instead);
            }
            Remedy::NoFix(why) => text += &format!("fix:      none: {why}\n"),
            Remedy::NotNeeded => {}
        }
        for miss in &advice.did_you_mean {
            text += &format!(
                "did you mean: {} at {}: {}\n",
                miss.origin,
                self.place_text(miss.span.start),
                miss.difference
            );
        }
        text
    }
}

/// The answer to `request` as a JSON value: `decision`, `reason`,
/// `policy`, `status`, `headers`, and for a refused request
/// `policy_location`, `fix`, `unsafe_fix`, `no_fix`, `did_you_mean`.
pub(crate) fn answer_json(
    loaded: &Loaded,
    request: &Request<'_>,
) -> Result<serde_json::Value, Failure> {
    let (outcome, advised) = evaluate_and_advise(loaded, request)?;
    let headers: Vec<serde_json::Value> = outcome
        .headers
        .iter()
        .map(|h| serde_json::json!([h.name, lossy(h.value)]))
        .collect();
    let mut object = serde_json::Map::new();
    object.insert("decision".into(), outcome.decision.as_str().into());
    object.insert("reason".into(), outcome.reason.map(|r| r.as_str()).into());
    object.insert("policy".into(), outcome.policy.map(lossy).into());
    object.insert("status".into(), outcome.status.into());
    object.insert("headers".into(), headers.into());
    if let Some(advised) = advised {
        object.extend(advised.json());
    }
    Ok(serde_json::Value::Object(object))
}

/// The answer to `request` as text, one `name: value` line each.
pub(crate) fn answer_text(loaded: &Loaded, request: &Request<'_>) -> Result<String, Failure> {
    let (outcome, advised) = evaluate_and_advise(loaded, request)?;
    let mut text = to_text(&outcome);
    if let Some(advised) = advised {
        text += &advised.text();
    }
    Ok(text)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
