//! The values an importer translates: the assignments of a settings
//! module, as Python values with their positions.
//!
//! This is the seam between reading a framework's configuration and
//! translating it. `corsc import django` reads `settings.py` with its own
//! Python-source reader and hands the result here; a host that gets the
//! values from the framework itself (a Python package asking Django) builds
//! a [`Settings`] from them and calls the same translation, so both give
//! the same policy and the same diagnostics.

/// A position in the settings' source: 1-based line, 1-based column in
/// characters. A host without a source file uses line 1, column 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, counted in characters.
    pub col: usize,
}

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

/// A value and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    /// The value.
    pub value: Value,
    /// Where its text starts.
    pub pos: Pos,
    /// Whether a string was written with an `r` prefix (the first part of a
    /// concatenation decides).
    pub raw: bool,
}

/// Why a value could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotLiteral {
    /// Where the value starts.
    pub pos: Pos,
    /// What was found, e.g. "a call to `env`", "the name `BASE`".
    pub what: String,
}

/// One top-level assignment.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// The assigned name.
    pub name: String,
    /// Where the name is.
    pub name_pos: Pos,
    /// The value, or why it is not a literal.
    pub value: Result<Spanned, NotLiteral>,
}

/// A name assigned inside an indented block (`if DEBUG:` ...), whose value
/// the reader does not evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nested {
    /// The assigned name.
    pub name: String,
    /// Where it is.
    pub pos: Pos,
}

/// The settings handed to an importer: what a settings module assigns.
///
/// `corsc import` fills it by reading the source of `settings.py`; a host
/// that gets the values from the running framework builds it directly, with
/// each setting once and no `nested` names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// Top-level assignments, in source order. A name assigned twice is
    /// reported, and the last assignment wins, as in Python.
    pub assignments: Vec<Assignment>,
    /// Assignments inside indented blocks, in source order: names whose
    /// value could not be known, each reported as not imported.
    pub nested: Vec<Nested>,
}
