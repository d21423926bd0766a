//! The canonical layout of `.corspolicy` source (`corsc fmt`).
//!
//! The formatter works from the tokens of [`crate::lexer`] and the
//! comments between them, not from the [syntax tree](crate::ast): any item
//! of the shape `KEYWORD ARGS... { DIRECTIVE ARGS...; ... }` or
//! `DIRECTIVE ARGS...;` is laid out the same way, so `policy` blocks and
//! any other block the language grows (`test NAME { ... }`) are formatted
//! alike, and comments, which the lexer skips, are kept. The lexer skips
//! only whitespace and comments, so everything between two tokens is one
//! of those two, and the formatter reads the comments there.
//!
//! # The layout
//!
//! - One directive per line, indented by 4 spaces per block level; one space
//!   between the arguments; `;` right after the last argument. A block's
//!   head is `KEYWORD ARGS... {` on one line; its `}` on a line of its own;
//!   an empty block is `KEYWORD ARGS... {}`.
//! - A directive with two values or more is written one value per line,
//!   each aligned under the first, when its one-line form would be wider
//!   than [`MAX_WIDTH`] columns (its trailing comment not counted), when a
//!   comment sits among its values, or when the source already had its
//!   values on more than one line (the user's choice of a list one value
//!   per line is kept; written on one line, a list that fits stays there):
//!
//!   ```text
//!   origins https://app.example.com
//!           https://*.example.com     # any subdomain
//!           http://localhost:*;
//!   ```
//!
//!   A single argument is never broken, however long.
//! - Order is kept: directives and their values stay in the order written.
//!   The order of a list is meaningful to its readers (the main origin
//!   first, then its previews), comments refer to the values next to them,
//!   a sorted list would move comments away from what they describe, and
//!   the compiled table renders the method and header lists in the order
//!   written, so sorting would change the table's bytes (if not its
//!   decisions): formatting never changes the table.
//! - Blank lines: one after a top-level block, and between a top-level
//!   directive and a block; elsewhere at most one, and only where the
//!   source had at least one (so a comment written right above a block
//!   stays attached to it); none at the start or end of a block, none
//!   inside a directive.
//! - Comments are kept, their text verbatim (trailing spaces removed).
//!   A comment on a line of its own stays on a line of its own, indented
//!   like the directive it precedes, or under the values when it sits
//!   among a directive's values.
//! - A trailing comment stays after the code it followed. Alignment is the
//!   user's, kept: trailing comments that started in the same column in
//!   the same block stay in one column, the one they had, unless the code
//!   has grown into it; then the whole group moves to one space past its
//!   widest line. A comment whose line was reflowed (a one-line block
//!   written out, a list joined) goes one space after its code. (Columns
//!   are counted in characters, a tab advancing to the next multiple of 8,
//!   as terminals show it.) Re-aligning every comment to a computed column
//!   would be more uniform, but it would rewrite hand-aligned files such
//!   as `examples/api.corspolicy` whose comments are aligned on purpose.
//! - The few comments with no line of their own to keep (between a
//!   block's keyword and its `{`, or between the last value and the `;`)
//!   move just after the `{` or the `;`, in order.
//! - Words, quoted strings and regexes (`~"..."`) are written verbatim.
//! - Line endings: CRLF when the source's first line ends with CRLF, LF
//!   otherwise; always a final line ending; a byte order mark is kept.
//!
//! Formatting is idempotent (`format(format(x)) == format(x)`), and keeps
//! every token in order, so the compiled table and the diagnostics' codes
//! do not change (a property test checks both).
//!
//! # Limits
//!
//! Blocks nest at most [`MAX_DEPTH`] deep, and the output may be at most
//! 4 times the input plus 1 MiB (aligning one-letter values under a long
//! name could otherwise grow without bound); beyond either the formatter
//! returns an error instead of an output. It runs in time linear in its
//! input and output.

use std::fmt;
use std::ops::Range;

use rustc_hash::FxHashMap as HashMap;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::lexer::{self, TokenKind};
use crate::parser;
use crate::validate::is_directive;

/// The widest a directive may be on one line, in columns, before its
/// values go one per line.
pub const MAX_WIDTH: usize = 100;

/// Spaces per block level.
pub const INDENT: usize = 4;

/// How deep blocks may nest (the language has one level today).
pub const MAX_DEPTH: usize = 8;

/// Columns a tab advances to (the next multiple of), when a comment's
/// column is measured.
pub const TAB_WIDTH: usize = 8;

/// Why source was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The source has syntax errors: the parser's diagnostics (or, from
    /// [`format_generic`], the one place the generic grammar could not
    /// read). Nothing is formatted.
    Syntax(Diagnostics),
    /// The formatted text would exceed `limit` bytes.
    TooLarge {
        /// The limit, 4 times the input's size plus 1 MiB.
        limit: usize,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(diagnostics) => write!(
                f,
                "the source has {} syntax error(s); not formatted",
                diagnostics.error_count()
            ),
            FormatError::TooLarge { limit } => write!(
                f,
                "the formatted text would exceed {limit} bytes (4 times the input plus 1 MiB); not formatted"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats `.corspolicy` source in the canonical layout (see the
/// [module docs](self)).
///
/// # Errors
///
/// [`FormatError::Syntax`] with the parser's diagnostics when the source
/// has syntax errors (a file the parser rejects is never rewritten);
/// [`FormatError::TooLarge`] past the size limit. Errors of meaning (an
/// invalid origin, an unknown directive) do not stop formatting.
///
/// # Examples
///
/// ```
/// use cors_policy_lang::format_source::format_source;
///
/// let source = "policy api{origins https://a.example  https://b.example ;methods PUT;}";
/// assert_eq!(
///     format_source(source).unwrap(),
///     "policy api {\n    origins https://a.example https://b.example;\n    methods PUT;\n}\n"
/// );
/// ```
pub fn format_source(source: &str) -> Result<String, FormatError> {
    let (_, diagnostics) = parser::parse(source);
    if diagnostics.has_errors() {
        return Err(FormatError::Syntax(diagnostics));
    }
    format_generic(source)
}

/// Formats any source made of the generic grammar, without asking the
/// parser whether the language accepts it:
///
/// ```text
/// file      = item*
/// item      = WORD arg* ( ";" | "{" item* "}" )
/// arg       = WORD | STRING | REGEX
/// ```
///
/// # Errors
///
/// [`FormatError::Syntax`] with one diagnostic where the source leaves
/// that grammar (or nests blocks deeper than [`MAX_DEPTH`]);
/// [`FormatError::TooLarge`] past the size limit.
pub fn format_generic(source: &str) -> Result<String, FormatError> {
    let bom = if source.starts_with('\u{feff}') {
        "\u{feff}"
    } else {
        ""
    };
    let elements = scan(source, bom.len())?;
    let mut reader = Reader {
        elements: &elements,
        position: 0,
        source_len: source.len(),
    };
    let nodes = reader.sequence(0)?;
    if let Some(element) = reader.peek() {
        return Err(syntax_error(
            "unexpected `}`: no block is open here",
            element.span.clone(),
        ));
    }
    let limit = source.len().saturating_mul(4).saturating_add(1 << 20);
    let mut printer = Printer {
        lines: Vec::new(),
        bytes: 0,
        limit,
        groups: 0,
    };
    printer.sequence(&nodes, 0, true)?;
    let newline = match source.find('\n') {
        Some(at) if source[..at].ends_with('\r') => "\r\n",
        _ => "\n",
    };
    let text = printer.finish(bom, newline);
    if bom.is_empty() && text.starts_with('\u{feff}') {
        // At the start of the output a word's leading U+FEFF would be read
        // as a byte order mark and dropped.
        let at = source.find('\u{feff}').unwrap_or(0);
        return Err(syntax_error(
            "a word starting with U+FEFF (a byte order mark) cannot begin the file",
            at..at + 3,
        ));
    }
    if text.len() > limit {
        return Err(FormatError::TooLarge { limit });
    }
    Ok(text)
}

fn syntax_error(message: &str, span: Range<usize>) -> FormatError {
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(
        Diagnostic::error(Code::UnexpectedToken, message, span)
            .with_label("the formatter stops here"),
    );
    FormatError::Syntax(diagnostics)
}

/// `text` after `indent` spaces. (Not `format!`'s width, which is
/// limited to `u16::MAX` and panics past it.)
fn indented(indent: usize, text: &str) -> String {
    let mut line = String::with_capacity(indent + text.len());
    line.extend(std::iter::repeat_n(' ', indent));
    line.push_str(text);
    line
}

/// The width of `text` in columns: characters, a tab advancing to the next
/// multiple of [`TAB_WIDTH`].
fn width(text: &str) -> usize {
    text.chars().fold(0, |column, c| {
        if c == '\t' {
            (column / TAB_WIDTH + 1) * TAB_WIDTH
        } else {
            column + 1
        }
    })
}

// ---- scanning: tokens and the comments between them ------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A word, a quoted string or a regex: written verbatim.
    Word {
        bare: bool,
    },
    Semicolon,
    Open,
    Close,
    Comment(Comment),
    /// A token the generic grammar has no place for (an unterminated
    /// string, an invalid character).
    Invalid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Comment {
    /// Nothing but whitespace before it on its line.
    own_line: bool,
    /// The column of its `#`.
    column: usize,
    /// Where the first token of its line starts (`None` for a comment on
    /// its own line).
    line_first: Option<usize>,
}

#[derive(Clone, Debug)]
struct Element<'s> {
    kind: Kind,
    text: &'s str,
    span: Range<usize>,
    /// Line breaks between the previous element and this one.
    breaks: usize,
}

/// The tokens of `source` with the comments between them, in order.
fn scan(source: &str, start: usize) -> Result<Vec<Element<'_>>, FormatError> {
    let tokens = lexer::lex(source);
    let mut elements: Vec<Element<'_>> = Vec::with_capacity(tokens.len());
    let mut breaks = 0;
    let mut line_start = start;
    let mut line_first = None;
    let mut position = start;
    for token in tokens {
        gap(
            source,
            position..token.span.start,
            &mut elements,
            &mut breaks,
            &mut line_start,
            &mut line_first,
        )?;
        line_first.get_or_insert(token.span.start);
        let kind = match token.kind {
            TokenKind::Word => Kind::Word { bare: true },
            TokenKind::String | TokenKind::RegexString => Kind::Word { bare: false },
            TokenKind::Semicolon => Kind::Semicolon,
            TokenKind::OpenBrace => Kind::Open,
            TokenKind::CloseBrace => Kind::Close,
            TokenKind::UnterminatedString | TokenKind::Error | TokenKind::Eof => Kind::Invalid,
        };
        elements.push(Element {
            kind,
            text: source.get(token.span.clone()).unwrap_or(""),
            span: token.span.clone(),
            breaks,
        });
        breaks = 0;
        position = token.span.end;
    }
    gap(
        source,
        position..source.len(),
        &mut elements,
        &mut breaks,
        &mut line_start,
        &mut line_first,
    )?;
    Ok(elements)
}

/// Reads the whitespace and comments between two tokens.
fn gap<'s>(
    source: &'s str,
    range: Range<usize>,
    elements: &mut Vec<Element<'s>>,
    breaks: &mut usize,
    line_start: &mut usize,
    line_first: &mut Option<usize>,
) -> Result<(), FormatError> {
    let text = source.get(range.clone()).unwrap_or("");
    let mut offset = 0;
    while let Some(c) = text[offset..].chars().next() {
        let at = range.start + offset;
        if c == '#' {
            let end = text[offset..].find('\n').map_or(text.len(), |n| offset + n);
            let own_line = *breaks > 0 || elements.is_empty();
            let column = width(source.get(*line_start..at).unwrap_or(""));
            elements.push(Element {
                kind: Kind::Comment(Comment {
                    own_line,
                    column,
                    line_first: *line_first,
                }),
                text: text[offset..end].trim_end(),
                span: at..range.start + end,
                breaks: *breaks,
            });
            *breaks = 0;
            offset = end;
            continue;
        }
        if c == '\n' {
            *breaks += 1;
            *line_start = at + 1;
            *line_first = None;
        } else if !c.is_whitespace() {
            // The lexer skips only whitespace and comments.
            return Err(syntax_error("unexpected character", at..at + c.len_utf8()));
        }
        offset += c.len_utf8();
    }
    Ok(())
}

// ---- reading the generic grammar -------------------------------------------

/// A comment with its text.
#[derive(Clone, Copy, Debug)]
struct Note<'s> {
    text: &'s str,
    comment: Comment,
    breaks: usize,
}

#[derive(Debug)]
enum Node<'s> {
    Note(Note<'s>),
    Item(Item<'s>),
}

impl Node<'_> {
    fn breaks(&self) -> usize {
        match self {
            Node::Note(note) => note.breaks,
            Node::Item(item) => item.breaks,
        }
    }

    fn is_block(&self) -> bool {
        matches!(self, Node::Item(Item { body: Some(_), .. }))
    }

    fn is_item(&self) -> bool {
        matches!(self, Node::Item(_))
    }
}

/// `WORD args... ;` or `WORD args... { body }`.
#[derive(Debug)]
struct Item<'s> {
    breaks: usize,
    keyword: &'s str,
    keyword_start: usize,
    /// Where a block's `}` starts.
    close_start: usize,
    /// The arguments and the comments among them, in order.
    rest: Vec<Part<'s>>,
    /// `Some` for a block.
    body: Option<Vec<Node<'s>>>,
}

#[derive(Debug)]
enum Part<'s> {
    /// The text, where it starts in the source, and whether a line break
    /// came before it.
    Arg(&'s str, usize, bool),
    Note(Note<'s>),
}

struct Reader<'e, 's> {
    elements: &'e [Element<'s>],
    position: usize,
    source_len: usize,
}

impl<'s> Reader<'_, 's> {
    fn peek(&self) -> Option<&Element<'s>> {
        self.elements.get(self.position)
    }

    fn end_span(&self) -> Range<usize> {
        self.source_len..self.source_len
    }

    /// Items and comments up to a `}` (left for the caller) or the end.
    fn sequence(&mut self, depth: usize) -> Result<Vec<Node<'s>>, FormatError> {
        let mut nodes = Vec::new();
        while let Some(element) = self.peek() {
            match element.kind {
                Kind::Close => break,
                Kind::Comment(comment) => {
                    nodes.push(Node::Note(Note {
                        text: element.text,
                        comment,
                        breaks: element.breaks,
                    }));
                    self.position += 1;
                }
                Kind::Word { bare: true } => nodes.push(Node::Item(self.item(depth)?)),
                _ => {
                    return Err(syntax_error(
                        "expected a directive or block name",
                        element.span.clone(),
                    ))
                }
            }
        }
        Ok(nodes)
    }

    /// An item, at its keyword.
    fn item(&mut self, depth: usize) -> Result<Item<'s>, FormatError> {
        let first = &self.elements[self.position];
        let (keyword, breaks, keyword_start) = (first.text, first.breaks, first.span.start);
        self.position += 1;
        let mut rest = Vec::new();
        loop {
            let Some(element) = self.peek() else {
                return Err(syntax_error(
                    &format!("expected `;` or `{{` after `{keyword}`"),
                    self.end_span(),
                ));
            };
            let span = element.span.clone();
            match element.kind {
                Kind::Word { .. } => {
                    rest.push(Part::Arg(element.text, span.start, element.breaks > 0));
                }
                Kind::Comment(comment) => rest.push(Part::Note(Note {
                    text: element.text,
                    comment,
                    breaks: element.breaks,
                })),
                Kind::Semicolon => {
                    self.position += 1;
                    return Ok(Item {
                        breaks,
                        keyword,
                        keyword_start,
                        close_start: 0,
                        rest,
                        body: None,
                    });
                }
                Kind::Open => {
                    if depth >= MAX_DEPTH {
                        return Err(syntax_error(
                            &format!("blocks nested more than {MAX_DEPTH} deep"),
                            span,
                        ));
                    }
                    self.position += 1;
                    let body = self.sequence(depth + 1)?;
                    let close_start = match self.peek() {
                        Some(Element {
                            kind: Kind::Close,
                            span,
                            ..
                        }) => {
                            let start = span.start;
                            self.position += 1;
                            start
                        }
                        _ => {
                            return Err(syntax_error(
                                "unclosed block: expected `}`",
                                self.end_span(),
                            ))
                        }
                    };
                    return Ok(Item {
                        breaks,
                        keyword,
                        keyword_start,
                        close_start,
                        rest,
                        body: Some(body),
                    });
                }
                Kind::Close | Kind::Invalid => {
                    return Err(syntax_error(
                        &format!("expected `;` or `{{` after `{keyword}`"),
                        span,
                    ))
                }
            }
            self.position += 1;
        }
    }
}

// ---- printing ----------------------------------------------------------------

#[derive(Debug)]
struct Line<'s> {
    /// The code, indentation included (or a comment on its own line).
    code: String,
    /// A trailing comment may be added.
    open: bool,
    trailing: Option<Note<'s>>,
    /// Trailing comments align within a group: the lines of one block.
    group: usize,
    /// Where the line's first token starts in the source.
    first: Option<usize>,
}

impl Line<'_> {
    /// The group and source column of a trailing comment that keeps its
    /// column: one whose line starts with the token its source line
    /// started with. A comment whose line was joined or split (a one-line
    /// block written out) goes one space after its code instead.
    fn alignment_key(&self) -> Option<(usize, usize)> {
        let note = self.trailing.as_ref()?;
        (self.first.is_some() && note.comment.line_first == self.first)
            .then_some((self.group, note.comment.column))
    }
}

struct Printer<'s> {
    lines: Vec<Line<'s>>,
    bytes: usize,
    limit: usize,
    groups: usize,
}

impl<'s> Printer<'s> {
    fn push(
        &mut self,
        code: String,
        first: Option<usize>,
        group: usize,
    ) -> Result<(), FormatError> {
        self.bytes = self.bytes.saturating_add(code.len() + 2);
        if self.bytes > self.limit {
            return Err(FormatError::TooLarge { limit: self.limit });
        }
        self.lines.push(Line {
            code,
            open: first.is_some(),
            trailing: None,
            group,
            first,
        });
        Ok(())
    }

    /// Appends to the last line's code.
    fn append(&mut self, text: &str) -> Result<(), FormatError> {
        self.bytes = self.bytes.saturating_add(text.len());
        if self.bytes > self.limit {
            return Err(FormatError::TooLarge { limit: self.limit });
        }
        if let Some(line) = self.lines.last_mut() {
            line.code.push_str(text);
        }
        Ok(())
    }

    fn own_line(
        &mut self,
        note: &Note<'s>,
        indent: usize,
        group: usize,
    ) -> Result<(), FormatError> {
        self.push(indented(indent, note.text), None, group)
    }

    /// A comment after the last line's code, or on a line of its own when
    /// that line cannot take one.
    fn trailing(
        &mut self,
        note: &Note<'s>,
        indent: usize,
        group: usize,
    ) -> Result<(), FormatError> {
        match self.lines.last_mut() {
            Some(line) if line.open && line.trailing.is_none() => {
                line.trailing = Some(*note);
                Ok(())
            }
            _ => self.own_line(note, indent, group),
        }
    }

    fn comment(&mut self, note: &Note<'s>, indent: usize, group: usize) -> Result<(), FormatError> {
        if note.comment.own_line {
            self.own_line(note, indent, group)
        } else {
            self.trailing(note, indent, group)
        }
    }

    /// The items and comments of a file (`top`) or of a block's body.
    fn sequence(&mut self, nodes: &[Node<'s>], depth: usize, top: bool) -> Result<(), FormatError> {
        self.groups += 1;
        let group = self.groups;
        let indent = depth * INDENT;
        let mut previous: Option<&Node<'s>> = None;
        for node in nodes {
            if let Node::Note(note) = node {
                if !note.comment.own_line {
                    self.trailing(note, indent, group)?;
                    continue;
                }
            }
            let blank = match previous {
                None => false,
                Some(previous) => {
                    node.breaks() >= 2
                        || (top && (previous.is_block() || (node.is_block() && previous.is_item())))
                }
            };
            if blank {
                self.push(String::new(), None, group)?;
            }
            match node {
                Node::Note(note) => self.own_line(note, indent, group)?,
                Node::Item(item) => self.item(item, depth, group)?,
            }
            previous = Some(node);
        }
        Ok(())
    }

    fn item(&mut self, item: &Item<'s>, depth: usize, group: usize) -> Result<(), FormatError> {
        let indent = depth * INDENT;
        let args = item.rest.iter().filter_map(|part| match part {
            Part::Arg(arg, ..) => Some(*arg),
            Part::Note(_) => None,
        });
        let notes = || {
            item.rest.iter().filter_map(|part| match part {
                Part::Note(note) => Some(note),
                Part::Arg(..) => None,
            })
        };
        let Some(body) = &item.body else {
            return self.directive(item, indent, group);
        };
        let mut head = indented(indent, item.keyword);
        for arg in args {
            head.push(' ');
            head.push_str(arg);
        }
        if body.is_empty() && notes().next().is_none() {
            head.push_str(" {}");
            return self.push(head, Some(item.keyword_start), group);
        }
        head.push_str(" {");
        self.push(head, Some(item.keyword_start), group)?;
        // Comments between the keyword and `{` have no line of their own
        // to keep: they go just after the `{`, in order.
        for note in notes() {
            self.comment(note, indent + INDENT, group)?;
        }
        self.sequence(body, depth + 1, false)?;
        self.push(indented(indent, "}"), Some(item.close_start), group)
    }

    fn directive(
        &mut self,
        item: &Item<'s>,
        indent: usize,
        group: usize,
    ) -> Result<(), FormatError> {
        // The parts up to the last argument; the comments after it move
        // after the `;`.
        let split = item
            .rest
            .iter()
            .rposition(|part| matches!(part, Part::Arg(..)))
            .map_or(0, |last| last + 1);
        let (inner, tail) = item.rest.split_at(split);
        let args: Vec<&str> = inner
            .iter()
            .filter_map(|part| match part {
                Part::Arg(arg, ..) => Some(*arg),
                Part::Note(_) => None,
            })
            .collect();
        let has_notes = args.len() != inner.len();
        // The user's choice of one value per line is kept.
        let multiline = inner
            .iter()
            .any(|part| matches!(part, Part::Arg(_, _, true)));
        let flat_width =
            indent + width(item.keyword) + args.iter().map(|arg| 1 + width(arg)).sum::<usize>() + 1;
        let mut line = indented(indent, item.keyword);
        if !has_notes && (args.len() < 2 || (!multiline && flat_width <= MAX_WIDTH)) {
            for arg in &args {
                line.push(' ');
                line.push_str(arg);
            }
            line.push(';');
            self.push(line, Some(item.keyword_start), group)?;
        } else {
            // One value per line, aligned under the first.
            let column = indent + width(item.keyword) + 1;
            self.push(line, Some(item.keyword_start), group)?;
            let mut on_first_line = true;
            let mut after_arg = false;
            let mut left = args.len();
            for part in inner {
                match part {
                    Part::Arg(arg, ..) if on_first_line => {
                        self.append(" ")?;
                        self.append(arg)?;
                        on_first_line = false;
                    }
                    // A directive's name that starts a line and has values
                    // after it ends the directive before it (the parser's
                    // missing-`;` recovery): such a value stays on the line
                    // of the value before it, as it was in the source (a
                    // comment before it would have put it at a line start
                    // there too, which is a syntax error fmt refuses).
                    Part::Arg(arg, ..) if after_arg && left > 1 && is_directive(arg) => {
                        self.append(" ")?;
                        self.append(arg)?;
                    }
                    Part::Arg(arg, start, _) => {
                        self.push(indented(column, arg), Some(*start), group)?;
                    }
                    Part::Note(note) => {
                        self.comment(note, column, group)?;
                        on_first_line = false;
                    }
                }
                after_arg = matches!(part, Part::Arg(..));
                if after_arg {
                    left -= 1;
                }
            }
            self.append(";")?;
        }
        for part in tail {
            if let Part::Note(note) = part {
                self.comment(note, indent, group)?;
            }
        }
        Ok(())
    }

    /// The text: trailing comments aligned, lines joined by `newline`.
    fn finish(self, bom: &str, newline: &str) -> String {
        // Each group of trailing comments (same block, same column in the
        // source) goes to its column, or past its widest line.
        let mut columns: HashMap<(usize, usize), usize> = HashMap::default();
        for line in &self.lines {
            if let Some(key) = line.alignment_key() {
                let wanted = key.1.max(width(&line.code) + 1);
                let column = columns.entry(key).or_insert(wanted);
                *column = (*column).max(wanted);
            }
        }
        let mut text = String::with_capacity(self.bytes + bom.len());
        text.push_str(bom);
        for line in &self.lines {
            text.push_str(&line.code);
            if let Some(note) = &line.trailing {
                let column = line
                    .alignment_key()
                    .and_then(|key| columns.get(&key).copied())
                    .unwrap_or(0);
                let pad = column.saturating_sub(width(&line.code)).max(1);
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(note.text);
            }
            text.push_str(newline);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(source: &str) -> String {
        let formatted = format_generic(source).unwrap_or_else(|e| panic!("{e}: {e:?}"));
        assert_eq!(
            format_generic(&formatted).as_deref(),
            Ok(formatted.as_str()),
            "not idempotent"
        );
        formatted
    }

    #[test]
    fn the_example_is_a_fixed_point() {
        let source = include_str!("../../examples/api.corspolicy");
        assert_eq!(format(source), source);
    }

    /// A header named like a directive, inside a list too wide for one
    /// line, must not start a line: the parser would read it as the next
    /// directive after a missing `;`.
    #[test]
    fn a_value_named_like_a_directive_does_not_start_a_line() {
        let source = "policy api {\n    origins https://app.example.com;\n    allow-headers \
                      X-Request-Identifier-Long-Name X-Another-Quite-Long-Header-Name origins \
                      X-Yet-Another-Long-Header-Name;\n}\n";
        let formatted = format_source(source).expect("formats");
        assert!(formatted.contains("-Header-Name origins\n"), "{formatted}");
        let (before, after) = (crate::check(source), crate::check(&formatted));
        assert!(before.table.is_some());
        assert_eq!(after.table, before.table, "{formatted}");
    }
}
