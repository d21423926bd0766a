//! `corsc check --message-format json`: diagnostics as JSON lines for
//! editors and CI, in the spirit of cargo's `--message-format json`.
//!
//! Each diagnostic is one object on one line of stdout, in source order
//! (keys in alphabetical order):
//!
//! ```text
//! {"type":"diagnostic","file":"api.corspolicy","code":"CORS0003","severity":"error",
//!  "message":"...","help":"..." or null,"spans":[{"byte_start":..,"byte_end":..,
//!  "line_start":..,"line_end":..,"column_start":..,"column_end":..,
//!  "is_primary":true,"label":"..."}],"rendered":"error[CORS0003]: ...\n"}
//! ```
//!
//! Lines and columns count from 1, columns in characters (as in the human
//! output); byte offsets count from 0, `byte_end` exclusive. The primary
//! span comes first, then the secondary ones. A file that cannot be read is
//! `{"type":"file-error","file":..,"message":..}`. The last line is always
//! `{"type":"summary","files":..,"errors":..,"warnings":..,"unreadable":..}`.

use std::ops::Range;

use cors_policy_lang::diagnostics::Locator;
use cors_policy_lang::{Diagnostics, RenderStyle};
use serde_json::{json, Value};

/// How `corsc check` prints what it finds.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub(crate) enum MessageFormat {
    /// rustc-like text on stderr, a `N errors, M warnings` line per file.
    Human,
    /// One JSON object per line on stdout: one per diagnostic, then a
    /// summary.
    Json,
}

/// The JSON lines for the diagnostics of one file, each ending in `\n`.
pub(crate) fn diagnostic_lines(file: &str, source: &str, diagnostics: &Diagnostics) -> String {
    // In source order, as the human output.
    let mut sorted = Diagnostics::new();
    sorted.extend(diagnostics.sorted().into_iter().cloned());
    let diagnostics = &sorted;
    let locator = Locator::new(source);
    let rendered = diagnostics.render_each(file, source, RenderStyle::Rich);
    let mut out = String::new();
    for (diagnostic, rendered) in diagnostics.iter().zip(rendered) {
        let mut spans = vec![span(&locator, &diagnostic.span, true, &diagnostic.label)];
        spans.extend(
            diagnostic
                .notes
                .iter()
                .map(|(range, label)| span(&locator, range, false, label)),
        );
        let object = json!({
            "type": "diagnostic",
            "file": file,
            "code": diagnostic.code.as_str(),
            "severity": diagnostic.severity.to_string(),
            "message": diagnostic.message,
            "help": diagnostic.help,
            "spans": spans,
            "rendered": rendered,
        });
        out.push_str(&object.to_string());
        out.push('\n');
    }
    out
}

/// One span: where it is (clamped to the source, as rendering does) and
/// its label.
fn span(locator: &Locator<'_>, range: &Range<usize>, is_primary: bool, label: &str) -> Value {
    let range = locator.clamp(range);
    let (line_start, column_start) = locator.locate(range.start);
    let (line_end, column_end) = locator.locate(range.end);
    json!({
        "byte_start": range.start,
        "byte_end": range.end,
        "line_start": line_start,
        "line_end": line_end,
        "column_start": column_start,
        "column_end": column_end,
        "is_primary": is_primary,
        "label": label,
    })
}

/// The line for a file that could not be read or is not text.
pub(crate) fn file_error_line(file: &str, message: &str) -> String {
    let mut line = json!({ "type": "file-error", "file": file, "message": message }).to_string();
    line.push('\n');
    line
}

/// Counts over every file checked, for the final summary line.
#[derive(Default)]
pub(crate) struct Totals {
    pub(crate) files: usize,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) unreadable: usize,
}

impl Totals {
    /// The final `{"type":"summary",...}` line.
    pub(crate) fn line(&self) -> String {
        let mut line = json!({
            "type": "summary",
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "unreadable": self.unreadable,
        })
        .to_string();
        line.push('\n');
        line
    }
}
