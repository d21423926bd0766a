//! `corsc check --message-format json`: diagnostics as JSON lines for
//! editors and CI, in the spirit of cargo's `--message-format json`.
//!
//! Each diagnostic is one object on one line of stdout, in source order,
//! its keys in this order:
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

use std::io::{self, Write};
use std::ops::Range;

use cors_policy_lang::diagnostics::Renderer;
use cors_policy_lang::{Diagnostics, RenderStyle};
use serde_json::json;

/// How `corsc check` and `corsc test` print what they find.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub(crate) enum MessageFormat {
    /// rustc-like text on stderr, a summary line per file.
    Human,
    /// JSON objects, one per line, on stdout (`check`: one per diagnostic
    /// then a summary, instead of the text; `test`: one per test and per
    /// file, besides the text).
    Json,
}

/// A JSON object with its keys in the order given (`serde_json`'s own
/// maps sort them; `type` first reads better and is cargo's habit).
/// `fields` holds each key and its value already serialized.
fn object(fields: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&json!(key).to_string());
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    out
}

/// A value as JSON text.
macro_rules! text {
    ($value:expr) => {
        json!($value).to_string()
    };
}

/// Writes the JSON lines for the diagnostics of one file to `out`, one
/// at a time (a file with a million diagnostics never has all its lines
/// in memory at once).
///
/// # Errors
///
/// When writing to `out` fails.
pub(crate) fn write_diagnostics(
    out: &mut impl Write,
    file: &str,
    source: &str,
    diagnostics: &Diagnostics,
) -> io::Result<()> {
    let renderer = Renderer::new(file, source, RenderStyle::Rich);
    // In source order, as the human output.
    for diagnostic in diagnostics.sorted() {
        let mut spans = vec![span(&renderer, &diagnostic.span, true, &diagnostic.label)];
        spans.extend(
            diagnostic
                .notes
                .iter()
                .map(|(range, label)| span(&renderer, range, false, label)),
        );
        let line = object(&[
            ("type", text!("diagnostic")),
            ("file", text!(file)),
            ("code", text!(diagnostic.code.as_str())),
            ("severity", text!(diagnostic.severity.to_string())),
            ("message", text!(diagnostic.message)),
            ("help", text!(diagnostic.help)),
            ("spans", format!("[{}]", spans.join(","))),
            ("rendered", text!(renderer.render(diagnostic))),
        ]);
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One span: where it is (clamped to the source, as rendering does) and
/// its label.
fn span(renderer: &Renderer<'_>, range: &Range<usize>, is_primary: bool, label: &str) -> String {
    let range = renderer.clamp(range);
    let (line_start, column_start) = renderer.locate(range.start);
    let (line_end, column_end) = renderer.locate(range.end);
    object(&[
        ("byte_start", text!(range.start)),
        ("byte_end", text!(range.end)),
        ("line_start", text!(line_start)),
        ("line_end", text!(line_end)),
        ("column_start", text!(column_start)),
        ("column_end", text!(column_end)),
        ("is_primary", text!(is_primary)),
        ("label", text!(label)),
    ])
}

/// The line for a file that could not be read or is not text.
pub(crate) fn file_error_line(file: &str, message: &str) -> String {
    let mut line = object(&[
        ("type", text!("file-error")),
        ("file", text!(file)),
        ("message", text!(message)),
    ]);
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
        let mut line = object(&[
            ("type", text!("summary")),
            ("files", text!(self.files)),
            ("errors", text!(self.errors)),
            ("warnings", text!(self.warnings)),
            ("unreadable", text!(self.unreadable)),
        ]);
        line.push('\n');
        line
    }
}
