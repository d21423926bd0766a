//! Importers: translate another framework's CORS configuration into a
//! `.corspolicy` file, with a comment for every translated line and a
//! summary of every behaviour that changes.
//!
//! - [`django`]: the settings of django-cors-headers 4.x.
//!
//! An importer translates values ([`settings::Settings`]), not files:
//! reading a configuration file is the job of the `corsc` tool (`corsc
//! import django SETTINGS.py`), and a host that gets the values from the
//! framework itself uses the same translation.
//!
//! An importer never panics and never fails: what it cannot translate
//! becomes an error [`Diagnostic`](crate::Diagnostic) and a comment in the
//! output.
//!
//! Importers report through the one diagnostics type,
//! [`Diagnostic`](crate::Diagnostic) in a [`Diagnostics`], with the import codes CORS0090 to CORS0097
//! ([`Code::is_import`](crate::Code::is_import); the table is in
//! [`crate::diagnostics`]). Their spans are byte ranges into the imported
//! settings' [`source`](settings::Settings::source), not into the generated
//! policy; [`Import::render_diagnostics`] prints them one per line.

pub mod django;
pub mod settings;

use std::fmt::Write as _;

pub use crate::diagnostics::Severity;
use crate::diagnostics::{Diagnostics, SourceIndex};

/// The result of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The `.corspolicy` text, comments and summary included. Always
    /// produced, even when some settings could not be imported.
    pub policy: String,
    /// Errors and warnings about the imported settings, in source order
    /// (reports about the same place keep the order they were made in),
    /// located in the settings' [`source`](settings::Settings::source).
    /// Every error `corsc check` reports on [`policy`](Self::policy) is
    /// one of them too
    /// ([`Code::ImportRefusedByCheck`](crate::Code::ImportRefusedByCheck)),
    /// so an import whose output corsc refuses is never
    /// [complete](Self::is_complete).
    pub diagnostics: Diagnostics,
    /// What `corsc check` reports on [`policy`](Self::policy), located in
    /// that text (a compiler failure is in `diagnostics` only); render them with
    /// [`Diagnostics::render`](crate::Diagnostics::render) against it.
    pub checked: crate::Diagnostics,
}

impl Import {
    /// Whether every setting was imported and nothing was refused (no
    /// error diagnostics).
    pub fn is_complete(&self) -> bool {
        !self.diagnostics.has_errors()
    }

    /// The diagnostics as `FILE:LINE:COL: error: MESSAGE` lines (no code),
    /// in the order of [`diagnostics`](Self::diagnostics). `source` is the
    /// settings text the values were read from; the line and the column
    /// (from 1, in characters) are those of each span's start in it, a
    /// leading byte order mark skipped as the reader skips it. For values
    /// without a source, pass `""`: every place is `1:1`.
    pub fn render_diagnostics(&self, file_name: &str, source: &str) -> String {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let index = SourceIndex::new(file_name, source);
        let mut out = String::new();
        for d in &self.diagnostics {
            let line = index.line_index(d.span.start);
            let _ = writeln!(
                out,
                "{file_name}:{}:{}: {}: {}",
                line + 1,
                index.column(line, d.span.start),
                d.severity,
                d.message
            );
        }
        out
    }
}

/// Whether `name` can name a policy (`[A-Za-z0-9_-]+`).
pub fn is_policy_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `text` as one `.corspolicy` argument: a bare word when it can be one,
/// else a quoted string with `\"` and `\\` escaped. `None` when it cannot
/// be written at all (a line break or another control character).
pub fn argument(text: &str) -> Option<String> {
    if text.chars().any(char::is_control) {
        return None;
    }
    let bare = !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ';' | '{' | '}' | '"' | '#' | '\\' | '~'));
    if bare {
        return Some(text.to_string());
    }
    let mut quoted = String::from("\"");
    for c in text.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    Some(quoted)
}

/// Wraps `text` into `#` comment lines of at most about 78 columns, the
/// first starting with `first`, the others with `rest`.
pub(crate) fn comment(indent: &str, first: &str, rest: &str, text: &str) -> Vec<String> {
    // A line break in user text must not end the comment.
    let text: String = text
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    let mut lines = Vec::new();
    let mut line = format!("{indent}# {first}");
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.chars().count() + 1 + word.chars().count() > 78 {
            lines.push(std::mem::replace(&mut line, format!("{indent}# {rest}")));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}
