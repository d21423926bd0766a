//! The values an importer translates: the assignments of a settings
//! module, as Python values with where they are written.
//!
//! This is the seam between reading a framework's configuration and
//! translating it. `corsc import django` reads `settings.py` with its own
//! Python-source reader and hands the result here; a host that gets the
//! values from the framework itself (a Python package asking Django) builds
//! a [`Settings`] from them and calls the same translation, so both give
//! the same policy and the same diagnostics.
//!
//! Places are byte ranges into [`Settings::source`], like the spans of
//! `.corspolicy` diagnostics: the importer's [`Diagnostic`](crate::Diagnostic)s
//! point there, and the line numbers its output mentions are counted there.
//! A host without a source file leaves `source` empty and uses the empty
//! span `0..0` everywhere: every place is then line 1, column 1, and the
//! output and messages cite no line. A span
//! past the end of `source` stands for its end.

use std::ops::Range;

/// Whether a sequence was written as a list or a tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqKind {
    /// `[...]`
    List,
    /// `(...)`, `x,` or a `corsheaders.defaults` tuple.
    Tuple,
}

/// An evaluated literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string, escapes applied.
    Str(String),
    /// An integer.
    Int(i64),
    /// `True` or `False`.
    Bool(bool),
    /// `None`.
    None,
    /// A list or tuple.
    Seq(SeqKind, Vec<Spanned>),
    /// `re.compile(pattern, flags)`: the pattern and the flag names
    /// (`I`, `IGNORECASE`, ...), without the `re.` prefix.
    Regex(String, Vec<String>),
}

impl Value {
    /// How the value is described in messages: "a string", "a list", ...
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Bool(_) => "a boolean",
            Value::None => "None",
            Value::Seq(SeqKind::List, _) => "a list",
            Value::Seq(SeqKind::Tuple, _) => "a tuple",
            Value::Regex(..) => "a compiled regex",
        }
    }
}

/// A value and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    /// The value.
    pub value: Value,
    /// Where its text is, in [`Settings::source`]; diagnostics about the
    /// value are located at its start.
    pub span: Range<usize>,
    /// Whether a string was written with an `r` prefix (the first part of a
    /// concatenation decides).
    pub raw: bool,
}

/// Why a value could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotLiteral {
    /// The part of the value that is not a literal, in
    /// [`Settings::source`].
    pub span: Range<usize>,
    /// What was found, e.g. "a call to `env`", "the name `BASE`".
    pub what: String,
}

/// One top-level assignment.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// The assigned name.
    pub name: String,
    /// Where the name is, in [`Settings::source`].
    pub name_span: Range<usize>,
    /// The value, or why it is not a literal.
    pub value: Result<Spanned, NotLiteral>,
}

/// A name assigned inside an indented block (`if DEBUG:` ...), whose value
/// the reader does not evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nested {
    /// The assigned name.
    pub name: String,
    /// Where the name is, in [`Settings::source`].
    pub name_span: Range<usize>,
}

/// The settings handed to an importer: what a settings module assigns.
///
/// `corsc import` fills it by reading the source of `settings.py`; a host
/// that gets the values from the running framework builds it directly, with
/// each setting once and no `nested` names, and (without a source file) an
/// empty `source` and `0..0` spans.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// The text every span points into: the settings module's source
    /// after a leading byte order mark (Python skips it too), or empty when
    /// the values were not read from a file. Line numbers in the
    /// importer's output and diagnostics are counted in it.
    pub source: String,
    /// Top-level assignments, in source order. A name assigned twice is
    /// reported, and the last assignment wins, as in Python.
    pub assignments: Vec<Assignment>,
    /// Assignments inside indented blocks, in source order: names whose
    /// value could not be known, each reported as not imported.
    pub nested: Vec<Nested>,
}
