//! `paths`: path prefixes, and the rule that no prefix belongs to two
//! policies.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::ast::Directive;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// A valid path prefix and the span of the argument it came from.
pub(super) type Prefix = (String, Range<usize>);

/// Validates a `paths` directive; returns the valid prefixes with their
/// spans. Prefixes are kept byte-exact: a browser's request target is
/// matched as sent, so no normalisation would be sound.
pub(super) fn validate(directive: &Directive, diagnostics: &mut Diagnostics) -> Vec<Prefix> {
    let Some(args) = super::list_args(directive, diagnostics) else {
        return Vec::new();
    };
    let mut prefixes = Vec::new();
    for arg in args {
        let path = arg.value.as_str();
        let problem = if path.starts_with('/') {
            path.chars()
                .find(|c| matches!(c, '?' | '#') || c.is_whitespace() || c.is_control())
                .map(|c| match c {
                    '?' => "a path prefix cannot contain a query (`?`)".to_string(),
                    '#' => "a path prefix cannot contain a fragment (`#`)".to_string(),
                    other => format!(
                        "a path prefix cannot contain whitespace or control characters (found {other:?})"
                    ),
                })
        } else {
            Some("a path prefix must start with `/`".to_string())
        };
        match problem {
            Some(message) => {
                let help = if path.starts_with('/') {
                    "write the path only, e.g. `/api/`; the query is never part of the match"
                        .to_string()
                } else {
                    format!("write `/{}`", path.escape_debug())
                };
                diagnostics.push(
                    Diagnostic::error(Code::InvalidPath, message, arg.span.clone())
                        .with_label("invalid path prefix")
                        .with_help(help),
                );
            }
            None => prefixes.push((arg.value.clone(), arg.span.clone())),
        }
    }
    prefixes
}

/// Which policy claimed each path prefix, to report prefixes claimed twice.
#[derive(Default)]
pub(super) struct PrefixRegistry {
    prefixes: HashMap<String, Range<usize>>,
    /// The name span of the first policy without `paths`.
    every_path: Option<Range<usize>>,
}

impl PrefixRegistry {
    /// Records `prefix`, reporting it when already claimed.
    pub(super) fn claim(
        &mut self,
        prefix: String,
        span: Range<usize>,
        diagnostics: &mut Diagnostics,
    ) {
        if let Some(first) = self.prefixes.get(&prefix) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicatePathPrefix,
                    format!("path prefix `{}` is listed twice", prefix.escape_debug()),
                    span,
                )
                .with_label("listed again here")
                .with_note(first.clone(), "first listed here")
                .with_help("a request path must select exactly one policy: list each prefix once"),
            );
        } else {
            self.prefixes.insert(prefix, span);
        }
    }

    /// Records a policy without `paths` (it covers every path), reporting
    /// a second one.
    pub(super) fn claim_every_path(
        &mut self,
        name_span: &Range<usize>,
        diagnostics: &mut Diagnostics,
    ) {
        match &self.every_path {
            Some(first) => diagnostics.push(
                Diagnostic::error(
                    Code::DuplicatePathPrefix,
                    "two policies without `paths` both cover every path",
                    name_span.clone(),
                )
                .with_label("this policy has no `paths`")
                .with_note(first.clone(), "so does this one")
                .with_help(
                    "add `paths` to one of them; a policy without `paths` covers every path",
                ),
            ),
            None => self.every_path = Some(name_span.clone()),
        }
    }
}
