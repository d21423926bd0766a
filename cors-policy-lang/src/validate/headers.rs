//! `allow-headers` and `expose-headers`: RFC 9110 tokens, compared
//! case-insensitively, stored lower-case.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use super::Context;
use crate::ast::Directive;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::HeaderNames;

/// Which of the two header directives is being validated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `allow-headers`: request headers a page may send.
    Allow,
    /// `expose-headers`: response headers a page may read.
    Expose,
}

/// Fetch's forbidden request header names (lower-case); names starting
/// with `proxy-` or `sec-` are forbidden too.
const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether `lower` (a lower-case header name) is one of Fetch's forbidden
/// request headers, which a page can never set.
pub fn is_forbidden_request_header(lower: &str) -> bool {
    FORBIDDEN_REQUEST_HEADERS.contains(&lower)
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
}

/// Validates `allow-headers` or `expose-headers`.
pub(super) fn validate(
    directive: &Directive,
    kind: Kind,
    context: &mut Context<'_>,
) -> HeaderNames {
    let mut headers = HeaderNames::default();
    let Some(args) = super::list_args(directive, context.diagnostics) else {
        return headers;
    };
    let directive_name = directive.name.value.as_str();
    let mut seen: HashMap<String, Range<usize>> = HashMap::default();
    for arg in args {
        let name = arg.value.as_str();
        let span = arg.span.clone();
        if name == "*" {
            if context.credentials.is_some() {
                let diagnostic = Diagnostic::error(
                    Code::AnyHeaderWithCredentials,
                    format!("`{directive_name} *` cannot be used with `credentials on`"),
                    span,
                )
                .with_label("with credentials, browsers treat `*` as a header literally named `*`")
                .with_help("list the header names instead");
                let diagnostic = context.with_credentials_note(diagnostic);
                context.report(diagnostic);
                continue;
            }
            if headers.any {
                context.report(
                    Diagnostic::warning(Code::DuplicateHeader, "`*` is listed twice", span)
                        .with_label("duplicate")
                        .with_help("remove the duplicate"),
                );
            }
            headers.any = true;
            continue;
        }
        if !super::is_token(name) {
            context.report(
                Diagnostic::error(
                    Code::InvalidHeaderName,
                    format!("invalid header name `{}`", name.escape_debug()),
                    span,
                )
                .with_label("not a header name token")
                .with_help("a header name is letters, digits and ``!#$%&'*+-.^_`|~``, without `:`, e.g. `X-Request-Id`"),
            );
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if let Some(first) = seen.get(&lower) {
            context.report(
                Diagnostic::warning(
                    Code::DuplicateHeader,
                    format!("header `{name}` is listed twice"),
                    span,
                )
                .with_label("duplicate (header names are case-insensitive)")
                .with_note(first.clone(), "first listed here")
                .with_help("remove the duplicate"),
            );
            continue;
        }
        if kind == Kind::Allow && is_forbidden_request_header(&lower) {
            context.report(
                Diagnostic::warning(
                    Code::ForbiddenRequestHeader,
                    format!("`{name}` is a forbidden request header"),
                    span.clone(),
                )
                .with_label("a page can never set this header")
                .with_help(
                    "remove it: browsers set it themselves and never ask a preflight for it",
                ),
            );
        }
        seen.insert(lower.clone(), span);
        headers.names.push(lower);
    }
    headers
}
