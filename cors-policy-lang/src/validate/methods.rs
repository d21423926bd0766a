//! `methods`: RFC 9110 tokens, compared case-sensitively.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use super::Context;
use crate::ast::Directive;
use crate::diagnostics::{Code, Diagnostic};

/// The methods browsers upper-case before sending (Fetch "normalize").
const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
/// The methods browsers refuse to send (Fetch "forbidden method").
const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Validates a `methods` directive; returns the methods, deduplicated.
pub(super) fn validate(directive: &Directive, context: &mut Context<'_>) -> Vec<String> {
    let Some(args) = super::list_args(directive, context.diagnostics) else {
        return Vec::new();
    };
    let mut methods = Vec::new();
    let mut seen: HashMap<&str, Range<usize>> = HashMap::default();
    for arg in args {
        let method = arg.value.as_str();
        let span = arg.span.clone();
        if method == "*" {
            context.report(
                Diagnostic::error(Code::WildcardMethod, "`methods *` is not supported", span)
                    .with_label("wildcard")
                    .with_help("list the methods, e.g. `methods GET POST PUT DELETE;`"),
            );
            continue;
        }
        if !super::is_token(method) {
            context.report(
                Diagnostic::error(
                    Code::InvalidMethod,
                    format!("invalid method `{}`", method.escape_debug()),
                    span,
                )
                .with_label("not an HTTP method token")
                .with_help("a method is letters, digits and ``!#$%&'*+-.^_`|~``, e.g. `PATCH`"),
            );
            continue;
        }
        let upper = method.to_ascii_uppercase();
        if FORBIDDEN_METHODS.contains(&upper.as_str()) {
            context.report(
                Diagnostic::error(
                    Code::ForbiddenMethod,
                    format!("`{method}` is a forbidden method"),
                    span,
                )
                .with_label("browsers never send this method")
                .with_help("remove it: fetch() and XMLHttpRequest refuse CONNECT, TRACE and TRACK"),
            );
            continue;
        }
        if upper != method {
            if NORMALIZED_METHODS.contains(&upper.as_str()) {
                context.report(
                    Diagnostic::error(
                        Code::LowercaseStandardMethod,
                        format!("method `{method}` would never match"),
                        span,
                    )
                    .with_label("browsers send this method upper-case")
                    .with_help(format!("write `{upper}`; methods are case-sensitive")),
                );
                continue;
            }
            context.report(
                Diagnostic::warning(
                    Code::LowercaseMethod,
                    format!("method `{method}` is not upper-case"),
                    span.clone(),
                )
                .with_label("matched exactly as written")
                .with_help(format!(
                    "did you mean `{upper}`? browsers send `{method}` as the page wrote it, and methods are case-sensitive"
                )),
            );
        }
        if let Some(first) = seen.get(method) {
            context.report(
                Diagnostic::warning(
                    Code::DuplicateMethod,
                    format!("method `{method}` is listed twice"),
                    span,
                )
                .with_label("duplicate")
                .with_note(first.clone(), "first listed here")
                .with_help("remove the duplicate"),
            );
            continue;
        }
        seen.insert(method, span);
        methods.push(method.to_string());
    }
    methods
}
