//! `corsc explain --console` and `--har`: the request read from what the
//! user has (a browser's console message, a HAR export), then answered by
//! explain's one evaluation path ([`crate::explain::evaluate`]).

use std::io::Read as _;
use std::path::Path;

use cors_match_core::Request;
use corsc::console::{self, Failed, Message, Unattributable, MAX_CONSOLE_BYTES};
use corsc::har::{self, HarRequest, Kind};
use serde_json::{json, Value};

use crate::explain::{evaluate, load, Explained};
use crate::files::{read, write_stdout, Failure};
use crate::ExplainArgs;

/// The exit status when the message is not about the policy.
const NOT_THE_POLICY: u8 = 3;

fn console_text(args: &ExplainArgs) -> Result<String, Failure> {
    let bytes = match (&args.console, &args.console_file) {
        (Some(text), _) if text == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_CONSOLE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
            bytes
        }
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(file)) => read(file)?,
        (None, None) => Vec::new(),
    };
    if bytes.len() > MAX_CONSOLE_BYTES {
        return Err(Failure::usage(format!(
            "the console message is larger than {} KiB: paste the CORS line only",
            MAX_CONSOLE_BYTES >> 10
        )));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The request the message describes, the user's flags winning, and what
/// had to be assumed.
struct Built {
    method: String,
    path: String,
    origin: String,
    request_method: Option<String>,
    request_headers: Option<String>,
    private_network: bool,
    assumed: Vec<String>,
    /// A preflight whose method and headers the message does not name.
    unknown_preflight: bool,
}

fn build(message: &Message, args: &ExplainArgs) -> Result<Built, Failure> {
    let browser = message.browser.map_or("the", |b| match b {
        console::Browser::Chromium => "Chromium's",
        console::Browser::Firefox => "Firefox's",
        console::Browser::Safari => "Safari's",
    });
    let mut assumed = Vec::new();
    let path = match (&args.path, &message.url) {
        (Some(path), _) => path.clone(),
        (None, Some(url)) => console::path_of(url).ok_or_else(|| {
            Failure::usage(format!(
                "{browser} message names the URL `{url}`, which has no path; pass --path"
            ))
        })?,
        (None, None) => {
            return Err(Failure::usage(format!(
                "{browser} message does not name the URL; pass --path (and --origin)"
            )))
        }
    };
    let Some(origin) = args.origin.clone().or_else(|| message.origin.clone()) else {
        return Err(Failure::usage(format!(
            "{browser} message does not name the page's origin; pass --origin \
             (the page's scheme://host:port, as in its address bar)"
        )));
    };
    let private_network = args.private_network || message.failed == Some(Failed::PrivateNetwork);
    let request_headers = args
        .request_headers
        .clone()
        .or_else(|| message.header.as_ref().map(|h| h.to_ascii_lowercase()));
    // A preflight when the message says so, or the user gives what only a
    // preflight carries.
    let preflight = message.preflight == Some(true)
        || args.request_method.is_some()
        || args.request_headers.is_some()
        || (message.preflight.is_none() && message.header.is_some());
    let named_method = args
        .request_method
        .clone()
        .or_else(|| message.method.clone())
        .or_else(|| {
            // With --console, --method names the page's request, not OPTIONS.
            args.method.clone().filter(|m| m != "OPTIONS")
        });
    if preflight {
        let method_known = named_method.is_some();
        let mut unknown_preflight = false;
        let request_method = match (named_method, &request_headers) {
            (Some(method), _) => method,
            (None, Some(_)) => {
                assumed.push(
                    "the method: the message does not name it; a preflight for GET was evaluated \
                     (pass --method or --request-method to set it)"
                        .to_string(),
                );
                "GET".to_string()
            }
            (None, None) => {
                unknown_preflight = true;
                assumed.push(
                    "the method and headers: the message names neither (the reason for the \
                     preflight); only the origin and the path were evaluated, as a preflight for \
                     GET without headers (pass --request-method and --request-headers: DevTools' \
                     Network tab shows them on the preflight)"
                        .to_string(),
                );
                "GET".to_string()
            }
        };
        if method_known && request_headers.is_none() {
            assumed.push(
                "the requested headers: the message does not name them; none were evaluated \
                 (pass --request-headers, or read them in DevTools' Network tab)"
                    .to_string(),
            );
        }
        Ok(Built {
            method: "OPTIONS".to_string(),
            path,
            origin,
            request_method: Some(request_method),
            request_headers,
            private_network,
            assumed,
            unknown_preflight,
        })
    } else {
        let method = match named_method {
            Some(method) => method,
            None => {
                let why = if message.preflight == Some(false) {
                    "the message says no preflight was sent, so the request was GET, HEAD or POST"
                } else {
                    "the message does not say whether a preflight was sent"
                };
                assumed.push(format!(
                    "the method: {why}; GET was evaluated (pass --method to set it)"
                ));
                "GET".to_string()
            }
        };
        Ok(Built {
            method,
            path,
            origin,
            request_method: None,
            request_headers: None,
            private_network: false,
            assumed,
            unknown_preflight: false,
        })
    }
}

/// What the browser's complaint means next to corsc's answer, when it adds
/// something the answer does not say.
fn note(message: &Message, built: &Built, explained: &Explained) -> Option<String> {
    let decision = explained
        .json
        .get("decision")
        .and_then(Value::as_str)
        .unwrap_or("");
    let allowed = decision.ends_with("-allowed");
    let has_header = |name: &str| {
        explained.json["headers"].as_array().is_some_and(|headers| {
            headers.iter().any(|h| {
                h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name))
                    && h[1].as_str() == Some("true")
            })
        })
    };
    match message.failed {
        Some(Failed::Credentials) if !has_header("Access-Control-Allow-Credentials") => Some(
            "the page sent credentials (cookies, fetch's credentials: 'include'), and the policy \
             answers without `Access-Control-Allow-Credentials: true`: the policy needs \
             `credentials on;` for this origin, or the page must not send credentials"
                .to_string(),
        ),
        Some(Failed::AllowOriginMismatch) => Some(format!(
            "the browser got `Access-Control-Allow-Origin: {}`, which corsc never sends for this \
             origin: another layer (a cache without `Vary: Origin`, a proxy, the application) \
             wrote it",
            message.allow_origin.as_deref().unwrap_or("?")
        )),
        Some(Failed::PreflightStatus) if allowed => {
            Some(format!(
            "the policy answers this preflight with {}, yet the browser got {}: the preflight did \
             not reach the policy (a framework's OPTIONS handler, authentication or a proxy \
             answered it first; put the CORS layer first)",
            explained.json["status"],
            message.status.as_deref().unwrap_or("a status that is not 2xx")
        ))
        }
        _ if allowed && built.unknown_preflight => Some(
            "the policy allows this origin on this path: the preflight must have asked for a \
             method or a header the message does not name; evaluate it with --request-method \
             and --request-headers, or read the whole exchange with --har"
                .to_string(),
        ),
        _ if allowed => Some(
            "the policy allows this request, yet the browser blocked it: is the host running \
             this policy (a stale compiled table, the middleware after another that answers \
             first), or did the response lose its headers (an error page from a proxy, a 413 or \
             502 before the application)? With an assumed method or headers, pass the real ones"
                .to_string(),
        ),
        _ => None,
    }
}

fn message_json(message: &Message) -> Value {
    json!({
        "browser": message.browser.map(console::Browser::as_str),
        "failed": message.failed.map(Failed::as_str),
        "url": message.url,
        "origin": message.origin,
        "preflight": message.preflight,
        "method": message.method,
        "header": message.header,
        "status": message.status,
        "line": message.line,
    })
}

fn describe(built: &Built) -> String {
    let mut text = format!("{} {} from {}", built.method, built.path, built.origin);
    if let Some(method) = &built.request_method {
        text += &format!(" (preflight for {method}");
        if let Some(headers) = &built.request_headers {
            text += &format!(", headers: {headers}");
        }
        if built.private_network {
            text += ", private network";
        }
        text += ")";
    }
    text
}

/// `corsc explain --console`: reads the message, builds the request and
/// answers it; exits 3 when the message is not about the policy.
pub(crate) fn explain_console(args: &ExplainArgs) -> Result<u8, Failure> {
    let text = console_text(args)?;
    let message = console::parse(&text);
    if let Some(kind) = message.unattributable {
        // The policy is not read: it cannot change this answer.
        let out = if args.json {
            let mut object = json!({
                "attributable": false,
                "kind": kind.as_str(),
                "why": kind.why(),
            });
            object["console"] = message_json(&message);
            format!("{object}\n")
        } else {
            let what = match kind {
                Unattributable::NotCors => "not a CORS error",
                _ => "not the policy",
            };
            let mut out = format!("message:  {what} ({})\n", kind.as_str());
            if let Some(url) = &message.url {
                out += &format!("url:      {url}\n");
            }
            out += &format!("why:      {}\n", kind.why());
            out
        };
        write_stdout(out.as_bytes())?;
        return Ok(NOT_THE_POLICY);
    }
    let built = build(&message, args)?;
    let policy = load(&args.policy)?;
    let request = Request {
        method: built.method.as_bytes(),
        path: built.path.as_bytes(),
        origin: Some(built.origin.as_bytes()),
        request_method: built.request_method.as_deref().map(str::as_bytes),
        request_headers: built.request_headers.as_deref().map(str::as_bytes),
        request_private_network: built.private_network.then_some(&b"true"[..]),
    };
    let explained = evaluate(&policy, &request)?;
    let note = note(&message, &built, &explained);
    let out = if args.json {
        let mut object = explained.json.clone();
        object["attributable"] = json!(true);
        object["console"] = message_json(&message);
        object["request"] = json!({
            "method": built.method,
            "path": built.path,
            "origin": built.origin,
            "request_method": built.request_method,
            "request_headers": built.request_headers,
            "private_network": built.private_network,
        });
        object["assumed"] = json!(built.assumed);
        object["note"] = json!(note);
        format!("{object}\n")
    } else {
        let browser = message.browser.map_or("?", console::Browser::as_str);
        let failed = message.failed.map_or("?", Failed::as_str);
        let mut out = format!("message:  {browser}: {failed}\n");
        out += &format!("request:  {}\n", describe(&built));
        for assumption in &built.assumed {
            out += &format!("assumed:  {assumption}\n");
        }
        out += &explained.text;
        if let Some(note) = &note {
            out += &format!("note:     {note}\n");
        }
        out
    };
    write_stdout(out.as_bytes())?;
    Ok(0)
}

fn har_request_json(request: &HarRequest) -> Value {
    json!({
        "entry": request.entry,
        "kind": request.kind.as_str(),
        "paired_with": request.paired_with,
        "method": request.method,
        "url": request.url,
        "origin": request.origin,
        "origin_from": request.origin_from,
        "request_method": request.request_method,
        "request_headers": request.request_headers,
        "browser_status": request.status,
        "browser_failure": request.failure,
    })
}

fn har_title(request: &HarRequest) -> String {
    let mut title = format!(
        "entry {}: {} {} from {}",
        request.entry, request.method, request.url, request.origin
    );
    match request.kind {
        Kind::Preflight | Kind::InferredPreflight => {
            let what = if request.kind == Kind::Preflight {
                "preflight"
            } else {
                "inferred preflight"
            };
            title += &format!(
                " ({what} for {}",
                request.request_method.as_deref().unwrap_or("?")
            );
            if let Some(headers) = &request.request_headers {
                title += &format!(", headers: {headers}");
            }
            if request.kind == Kind::InferredPreflight {
                title += "; not in the HAR";
            }
            title += ")";
        }
        Kind::Actual => {
            if let Some(p) = request.paired_with {
                title += &format!(" (after the preflight of entry {p})");
            }
        }
    }
    match request.origin_from {
        "page" => title += " (the page's origin: the HAR has no Origin header)",
        "referer" => title += " (the Referer's origin: the HAR has no Origin header)",
        "redirect" => title += " (Origin null: a cross-origin redirect led here)",
        _ => {}
    }
    match (request.status, &request.failure) {
        (_, Some(failure)) => title += &format!("; the browser failed it: {failure}"),
        (Some(status), None) if status > 0 => title += &format!("; the browser got {status}"),
        _ => {}
    }
    title
}

/// `corsc explain --har`: every cross-origin request of the HAR, answered.
pub(crate) fn explain_har(args: &ExplainArgs, har_path: &Path) -> Result<u8, Failure> {
    let bytes = read(har_path)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Failure::invalid(format!(
            "{}: not valid UTF-8 (invalid byte at offset {}); not a HAR file",
            har_path.display(),
            e.valid_up_to()
        ))
    })?;
    let requests = har::requests(text)
        .map_err(|e| Failure::invalid(format!("{}: not a HAR file: {e}", har_path.display())))?;
    let policy = load(&args.policy)?;
    let mut array = Vec::new();
    let mut out = String::new();
    // The entry whose preflight the policy denies: the browser never sent
    // its actual request, so that one is not evaluated.
    let mut denied_preflight_of: Option<usize> = None;
    for request in &requests {
        if request.kind == Kind::Actual && denied_preflight_of == Some(request.entry) {
            if !args.json {
                out += &format!(
                    "entry {}: {} {}: not evaluated: the policy denies its preflight, so the browser would not send it\n\n",
                    request.entry, request.method, request.url
                );
            }
            continue;
        }
        let evaluated = Request {
            method: request.method.as_bytes(),
            path: request.path.as_bytes(),
            origin: Some(request.origin.as_bytes()),
            request_method: request.request_method.as_deref().map(str::as_bytes),
            request_headers: request.request_headers.as_deref().map(str::as_bytes),
            request_private_network: request
                .request_private_network
                .as_deref()
                .map(str::as_bytes),
        };
        let explained = evaluate(&policy, &evaluated)?;
        if explained.json["decision"] == "preflight-denied" {
            denied_preflight_of = match request.kind {
                Kind::InferredPreflight => Some(request.entry),
                _ => request.paired_with,
            };
        }
        if args.json {
            let mut object = explained.json;
            object["har"] = har_request_json(request);
            array.push(object);
        } else {
            out += &format!("{}\n", har_title(request));
            for line in explained.text.lines() {
                out += &format!("  {line}\n");
            }
            out += "\n";
        }
    }
    let out = if args.json {
        format!("{}\n", Value::Array(array))
    } else if requests.is_empty() {
        format!("{}: no cross-origin requests\n", har_path.display())
    } else {
        out
    };
    write_stdout(out.as_bytes())?;
    Ok(0)
}
