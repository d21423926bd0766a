//! The syntax tree of a `.corspolicy` file: what was written, with byte
//! spans, before any meaning is checked. [`crate::validate`] turns it into
//! the [`crate::model`].

use std::ops::Range;

/// A value and the byte range of source it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Its byte range in the source.
    pub span: Range<usize>,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Range<usize>) -> Self {
        Spanned { value, span }
    }
}

/// A whole source file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct File {
    /// The `policy` blocks, in source order.
    pub policies: Vec<PolicyBlock>,
    /// The `test` blocks, in source order. Validation of the policies and
    /// the compiler never look at them: see [`crate::policy_tests`].
    pub tests: Vec<TestBlock>,
}

/// `policy NAME { directives }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyBlock {
    /// The name as written. Empty when the name was missing (the parser has
    /// already reported that).
    pub name: Spanned<String>,
    /// The directives inside the braces, in source order.
    pub directives: Vec<Directive>,
    /// From `policy` to the closing `}` (or as far as the block went).
    pub span: Range<usize>,
}

/// `test NAME { directives }`: a request and the outcome expected for it,
/// checked by [`crate::policy_tests`] and never compiled into the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestBlock {
    /// The name as written (a word, or a quoted string without its quotes).
    /// Empty when the name was missing (the parser has already reported
    /// that).
    pub name: Spanned<String>,
    /// The directives inside the braces, in source order.
    pub directives: Vec<Directive>,
    /// From `test` to the closing `}` (or as far as the block went).
    pub span: Range<usize>,
}

/// `name args... ;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The directive name, e.g. `origins`.
    pub name: Spanned<String>,
    /// The arguments, in order.
    pub args: Vec<Arg>,
    /// From the name to the `;` (or the last argument when `;` is missing).
    pub span: Range<usize>,
}

/// One argument of a directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// The text; for a quoted string, without quotes and with escapes
    /// resolved.
    pub value: String,
    /// Written as a `"quoted string"`.
    pub quoted: bool,
    /// Written as a regex, `~"..."`: `value` is the regex, taken raw.
    pub regex: bool,
    /// Its byte range in the source (quotes included).
    pub span: Range<usize>,
}

impl Directive {
    /// The span covering every argument, or the name when there are none.
    pub fn args_span(&self) -> Range<usize> {
        match (self.args.first(), self.args.last()) {
            (Some(first), Some(last)) => first.span.start..last.span.end,
            _ => self.name.span.clone(),
        }
    }
}
