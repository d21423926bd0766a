//! A small reader for the literal parts of a Python settings module.
//!
//! It finds the top-level assignments `NAME = value` and `NAME: type =
//! value` and evaluates `value` when it is a literal: strings (every quote
//! style, raw strings, adjacent concatenation, escapes), integers (and `*`
//! / `+` between them), `True`, `False`, `None`, lists and tuples, and the
//! few computed forms whose value is known without running Python:
//! `re.compile("...", flags)`, the names `default_headers` and
//! `default_methods` of `corsheaders.defaults`, `*` unpacking of those,
//! `list(...)` / `tuple(...)` of a literal sequence, and `+` between
//! sequences. Anything else is reported as [`NotLiteral`].
//!
//! The result is a [`Settings`], the values the library's importers
//! translate ([`cors_policy_lang::import::settings`]).
//!
//! Every other statement (imports, `if` blocks, functions, indented code)
//! is skipped, brackets and strings spanning lines included. The reader
//! never panics and runs in time linear in the input (values nest at most
//! [`MAX_DEPTH`] deep).

use cors_policy_lang::import::django::{DEFAULT_HEADERS, DEFAULT_METHODS};
use std::ops::Range;

use cors_policy_lang::import::settings::{
    Assignment, Nested, NotLiteral, SeqKind, Settings, Spanned, Value,
};

/// How deep brackets may nest inside one value.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    Int(String),
    /// A string literal: value, raw, and the prefix was `f` or `b`.
    Str {
        value: String,
        raw: bool,
        special: Option<char>,
    },
    Op(&'static str),
    /// A character the reader does not know (or an unterminated string).
    Other,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// Where it is, in bytes of the source after its byte order mark.
    span: Range<usize>,
}

/// A logical line: its tokens and whether it starts in column 1.
struct Line {
    tokens: Vec<Token>,
    top_level: bool,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
    "==", "!=", "<=", ">=", "**", "//", "<<", ">>", "(", ")", "[", "]", "{", "}", ",", ":", ";",
    ".", "=", "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "@",
];

struct Lexer {
    chars: Vec<char>,
    at: usize,
    /// The byte offset of `chars[at]`.
    byte: usize,
}

impl Lexer {
    /// A lexer over `source`, which starts after any byte order mark.
    fn new(source: &str) -> Self {
        Lexer {
            chars: source.chars().collect(),
            at: 0,
            byte: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.at += 1;
        self.byte += c.len_utf8();
        Some(c)
    }

    /// Splits the source into logical lines.
    fn lines(mut self) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut current: Vec<Token> = Vec::new();
        let mut top_level = true;
        let mut depth: usize = 0;
        let mut at_line_start = true;
        while let Some(c) = self.peek(0) {
            if at_line_start && current.is_empty() {
                // The indentation of a new logical line.
                if c == ' ' || c == '\t' || c == '\x0c' {
                    top_level = false;
                    self.bump();
                    continue;
                }
            }
            at_line_start = false;
            match c {
                '\n' | '\r' => {
                    self.bump();
                    if depth == 0 {
                        if !current.is_empty() {
                            lines.push(Line {
                                tokens: std::mem::take(&mut current),
                                top_level,
                            });
                        }
                        top_level = true;
                        at_line_start = true;
                    }
                }
                '#' => {
                    while let Some(c) = self.peek(0) {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                    if current.is_empty() && depth == 0 {
                        // A comment line: the next line decides indentation.
                        at_line_start = true;
                        top_level = true;
                    }
                }
                '\\' if matches!(self.peek(1), Some('\n')) => {
                    self.bump();
                    self.bump();
                }
                '\\' if self.peek(1) == Some('\r') && self.peek(2) == Some('\n') => {
                    self.bump();
                    self.bump();
                    self.bump();
                }
                c if c.is_whitespace() => {
                    self.bump();
                }
                _ => {
                    let token = self.token();
                    match token.tok {
                        Tok::Op("(" | "[" | "{") => depth += 1,
                        Tok::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    current.push(token);
                }
            }
        }
        if !current.is_empty() {
            lines.push(Line {
                tokens: current,
                top_level,
            });
        }
        lines
    }

    fn token(&mut self) -> Token {
        let start = self.byte;
        let tok = self.tok();
        Token {
            tok,
            span: start..self.byte,
        }
    }

    fn tok(&mut self) -> Tok {
        let c = self.peek(0).unwrap_or(' ');
        if c.is_alphabetic() || c == '_' {
            let mut name = String::new();
            while let Some(c) = self.peek(0) {
                if c.is_alphanumeric() || c == '_' {
                    name.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            if let Some(q @ ('\'' | '"')) = self.peek(0) {
                let lower = name.to_ascii_lowercase();
                if lower.len() <= 2 && lower.chars().all(|c| "rbuf".contains(c)) {
                    let raw = lower.contains('r');
                    let special = lower.chars().find(|c| *c == 'f' || *c == 'b');
                    return self.string(q, raw, special);
                }
            }
            return Tok::Name(name);
        }
        if c.is_ascii_digit() || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) {
            let mut text = String::new();
            while let Some(c) = self.peek(0) {
                if c.is_alphanumeric() || c == '_' || c == '.' {
                    text.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            return Tok::Int(text);
        }
        if c == '\'' || c == '"' {
            return self.string(c, false, None);
        }
        for op in OPS {
            if op.chars().enumerate().all(|(i, o)| self.peek(i) == Some(o)) {
                for _ in 0..op.chars().count() {
                    self.bump();
                }
                return Tok::Op(op);
            }
        }
        self.bump();
        Tok::Other
    }

    /// Reads a string literal starting at its opening quote `q`.
    fn string(&mut self, q: char, raw: bool, special: Option<char>) -> Tok {
        let triple = self.peek(1) == Some(q) && self.peek(2) == Some(q);
        let quotes = if triple { 3 } else { 1 };
        for _ in 0..quotes {
            self.bump();
        }
        let mut value = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                return Tok::Other;
            };
            if c == q && (!triple || (self.peek(1) == Some(q) && self.peek(2) == Some(q))) {
                for _ in 0..quotes {
                    self.bump();
                }
                return Tok::Str {
                    value,
                    raw,
                    special,
                };
            }
            if (c == '\n' || c == '\r') && !triple {
                return Tok::Other;
            }
            self.bump();
            if c != '\\' {
                value.push(c);
                continue;
            }
            let Some(next) = self.peek(0) else {
                return Tok::Other;
            };
            if raw {
                // Raw strings keep the backslash; it still stops a quote or
                // a newline from ending the string.
                value.push('\\');
                value.push(next);
                self.bump();
                continue;
            }
            self.bump();
            match next {
                '\n' => {}
                '\r' => {
                    if self.peek(0) == Some('\n') {
                        self.bump();
                    }
                }
                '\\' => value.push('\\'),
                '\'' => value.push('\''),
                '"' => value.push('"'),
                'a' => value.push('\x07'),
                'b' => value.push('\x08'),
                'f' => value.push('\x0c'),
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                'v' => value.push('\x0b'),
                '0'..='7' => {
                    let mut code = next.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match self.peek(0).and_then(|d| d.to_digit(8)) {
                            Some(d) => {
                                code = code * 8 + d;
                                self.bump();
                            }
                            None => break,
                        }
                    }
                    value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                'x' | 'u' | 'U' => {
                    let digits = match next {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let mut code: u32 = 0;
                    for _ in 0..digits {
                        match self.peek(0).and_then(|d| d.to_digit(16)) {
                            Some(d) => {
                                code = code.saturating_mul(16).saturating_add(d);
                                self.bump();
                            }
                            // Python refuses the file; so does the reader.
                            None => return Tok::Other,
                        }
                    }
                    value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                other => {
                    // Unknown escapes keep their backslash, as in Python.
                    value.push('\\');
                    value.push(other);
                }
            }
        }
    }
}

/// Reads the assignments of a Python module. Never fails: statements that
/// are not assignments are skipped.
///
/// The spans in the result are byte ranges into [`Settings::source`]: the
/// source after a leading byte order mark, which Python skips too.
pub fn parse(source: &str) -> Settings {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut module = Settings {
        source: source.to_string(),
        ..Settings::default()
    };
    for line in Lexer::new(source).lines() {
        let tokens = &line.tokens;
        let Some(Token {
            tok: Tok::Name(name),
            span: name_span,
        }) = tokens.first()
        else {
            continue;
        };
        // NAME = value | NAME: type = value | NAME op= value
        let value_start = match tokens.get(1).map(|t| &t.tok) {
            Some(Tok::Op("=")) => Some(2),
            Some(Tok::Op(":")) => {
                let mut depth = 0usize;
                let mut found = None;
                for (i, t) in tokens.iter().enumerate().skip(2) {
                    match t.tok {
                        Tok::Op("(" | "[" | "{") => depth += 1,
                        Tok::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                        Tok::Op("=") if depth == 0 => {
                            found = Some(i + 1);
                            break;
                        }
                        _ => {}
                    }
                }
                found
            }
            Some(Tok::Op(op)) if op.ends_with('=') && !matches!(*op, "==" | "<=" | ">=" | "!=") => {
                if line.top_level {
                    module.assignments.push(Assignment {
                        name: name.clone(),
                        name_span: name_span.clone(),
                        value: Err(NotLiteral {
                            span: tokens.get(2).unwrap_or(&tokens[0]).span.clone(),
                            what: format!("an augmented assignment `{op}`"),
                        }),
                    });
                }
                continue;
            }
            _ => None,
        };
        let Some(start) = value_start else {
            continue;
        };
        if !line.top_level {
            module.nested.push(Nested {
                name: name.clone(),
                name_span: name_span.clone(),
            });
            continue;
        }
        let rest = &tokens[start.min(tokens.len())..];
        let value = if rest.is_empty() {
            Err(NotLiteral {
                span: name_span.clone(),
                what: "nothing".to_string(),
            })
        } else {
            let mut parser = ValueParser {
                tokens: rest,
                at: 0,
                depth: 0,
            };
            match parser.expression() {
                Ok(value) if parser.at == rest.len() => Ok(value),
                Ok(value) => Err(NotLiteral {
                    span: value.span,
                    what: describe_rest(&rest[parser.at..]),
                }),
                Err(error) => Err(error),
            }
        };
        module.assignments.push(Assignment {
            name: name.clone(),
            name_span: name_span.clone(),
            value,
        });
    }
    module
}

fn describe_rest(rest: &[Token]) -> String {
    match rest.first().map(|t| &t.tok) {
        Some(Tok::Op("=")) => "a chained assignment".to_string(),
        Some(Tok::Name(n)) if n == "if" => "a conditional expression".to_string(),
        Some(Tok::Name(n)) if n == "for" => "a comprehension".to_string(),
        Some(Tok::Name(n)) if n == "or" || n == "and" => format!("an `{n}` expression"),
        Some(Tok::Op(op)) => format!("an expression with `{op}`"),
        _ => "an expression".to_string(),
    }
}

struct ValueParser<'t> {
    tokens: &'t [Token],
    at: usize,
    depth: usize,
}

/// Places in a [`ValueParser`] are token indices, made byte spans when a
/// [`Spanned`] or a [`NotLiteral`] is built.
impl ValueParser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|t| &t.tok)
    }

    /// The span of token `i`, or of the last token when `i` is past the
    /// end.
    fn token_span(&self, i: usize) -> Range<usize> {
        self.tokens
            .get(i)
            .or_else(|| self.tokens.last())
            .map_or(0..0, |t| t.span.clone())
    }

    /// From token `from` to the end of the last token read.
    fn span_from(&self, from: usize) -> Range<usize> {
        let start = self.token_span(from).start;
        let end = self
            .at
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(start, |t| t.span.end);
        start..end.max(start)
    }

    /// A value written from token `from` to the last token read.
    fn spanned(&self, from: usize, value: Value, raw: bool) -> Spanned {
        Spanned {
            value,
            span: self.span_from(from),
            raw,
        }
    }

    /// `what` at token `at` is not a literal.
    fn not_literal(&self, at: usize, what: impl Into<String>) -> NotLiteral {
        NotLiteral {
            span: self.token_span(at),
            what: what.into(),
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// A top-level value: an expression, or a bare tuple `a, b` / `a,`.
    fn expression(&mut self) -> Result<Spanned, NotLiteral> {
        let from = self.at;
        let first = self.sum()?;
        if !matches!(self.peek(), Some(Tok::Op(","))) {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat(",") {
            if self.peek().is_none() {
                break;
            }
            self.item(&mut items)?;
        }
        Ok(self.spanned(from, Value::Seq(SeqKind::Tuple, items), false))
    }

    /// `a + b + ...` and `a * b` between integers, `+` between sequences.
    fn sum(&mut self) -> Result<Spanned, NotLiteral> {
        let from = self.at;
        let mut left = self.product()?;
        while matches!(self.peek(), Some(Tok::Op("+"))) {
            let op = self.at;
            self.at += 1;
            let right = self.product()?;
            let value = match (left.value, right.value) {
                (Value::Int(a), Value::Int(b)) => Value::Int(a.saturating_add(b)),
                (Value::Seq(ka, mut a), Value::Seq(kb, b)) if ka == kb => {
                    a.extend(b);
                    Value::Seq(ka, a)
                }
                (Value::Seq(..), Value::Seq(..)) => {
                    return Err(
                        self.not_literal(op, "a list added to a tuple (a TypeError in Python)")
                    )
                }
                (Value::Str(mut a), Value::Str(b)) => {
                    a.push_str(&b);
                    Value::Str(a)
                }
                _ => return Err(self.not_literal(op, "an expression with `+`")),
            };
            left = self.spanned(from, value, left.raw);
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Spanned, NotLiteral> {
        let from = self.at;
        let mut left = self.atom()?;
        while matches!(self.peek(), Some(Tok::Op("*"))) {
            let op = self.at;
            self.at += 1;
            let right = self.atom()?;
            match (&left.value, &right.value) {
                (Value::Int(a), Value::Int(b)) => {
                    left = self.spanned(from, Value::Int(a.saturating_mul(*b)), left.raw);
                }
                _ => return Err(self.not_literal(op, "an expression with `*`")),
            }
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Spanned, NotLiteral> {
        let from = self.at;
        let Some(tok) = self.peek().cloned() else {
            return Err(self.not_literal(from, "nothing"));
        };
        self.at += 1;
        match tok {
            Tok::Str {
                value,
                raw,
                special,
            } => {
                if let Some(kind) = special {
                    return Err(self.not_literal(from, prefixed(kind)));
                }
                let mut value = value;
                while let Some(Tok::Str {
                    value: more,
                    special,
                    ..
                }) = self.peek().cloned()
                {
                    if let Some(kind) = special {
                        return Err(self.not_literal(from, prefixed(kind)));
                    }
                    value.push_str(&more);
                    self.at += 1;
                }
                Ok(self.spanned(from, Value::Str(value), raw))
            }
            Tok::Int(text) => match parse_int(&text) {
                Some(n) => Ok(self.spanned(from, Value::Int(n), false)),
                None => Err(self.not_literal(from, format!("the number `{text}`"))),
            },
            Tok::Op("-") => {
                let inner = self.nested(|p| p.atom())?;
                match inner.value {
                    Value::Int(n) => Ok(self.spanned(from, Value::Int(n.saturating_neg()), false)),
                    _ => Err(self.not_literal(from, "an expression with `-`")),
                }
            }
            Tok::Op(open @ ("[" | "(")) => self.sequence(open, from),
            Tok::Op("{") => Err(self.not_literal(from, "a dict or set")),
            Tok::Op(op) => Err(self.not_literal(from, format!("`{op}`"))),
            Tok::Other => {
                Err(self.not_literal(from, "text Python cannot read (an unterminated string?)"))
            }
            Tok::Name(name) => self.named(name, from),
        }
    }

    /// After the name `name`, token `from`.
    fn named(&mut self, name: String, from: usize) -> Result<Spanned, NotLiteral> {
        match name.as_str() {
            "True" => return Ok(self.spanned(from, Value::Bool(true), false)),
            "False" => return Ok(self.spanned(from, Value::Bool(false), false)),
            "None" => return Ok(self.spanned(from, Value::None, false)),
            "default_headers" | "default_methods" if !self.at_call_or_attr() => {
                let names = if name == "default_headers" {
                    DEFAULT_HEADERS
                } else {
                    DEFAULT_METHODS
                };
                let items = names
                    .iter()
                    .map(|s| self.spanned(from, Value::Str((*s).to_string()), false))
                    .collect();
                return Ok(self.spanned(from, Value::Seq(SeqKind::Tuple, items), false));
            }
            _ => {}
        }
        // `re.compile(...)`
        if name == "re"
            && matches!(self.peek(), Some(Tok::Op(".")))
            && matches!(self.tokens.get(self.at + 1).map(|t| &t.tok), Some(Tok::Name(n)) if n == "compile")
            && matches!(
                self.tokens.get(self.at + 2).map(|t| &t.tok),
                Some(Tok::Op("("))
            )
        {
            self.at += 3;
            return self.re_compile(from);
        }
        if (name == "list" || name == "tuple") && self.eat("(") {
            let kind = if name == "list" {
                SeqKind::List
            } else {
                SeqKind::Tuple
            };
            if self.eat(")") {
                return Ok(self.spanned(from, Value::Seq(kind, Vec::new()), false));
            }
            let inner = self.nested(|p| p.sum())?;
            if !self.eat(")") {
                return Err(self.not_literal(from, format!("a call to `{name}`")));
            }
            return match inner.value {
                Value::Seq(_, items) => Ok(self.spanned(from, Value::Seq(kind, items), false)),
                _ => Err(self.not_literal(from, format!("a call to `{name}`"))),
            };
        }
        // Describe what it is: a dotted name, a call, a subscript.
        let mut dotted = name;
        while matches!(self.peek(), Some(Tok::Op("."))) {
            if let Some(Tok::Name(part)) = self.tokens.get(self.at + 1).map(|t| &t.tok) {
                dotted.push('.');
                dotted.push_str(part);
                self.at += 2;
            } else {
                break;
            }
        }
        let what = match self.peek() {
            Some(Tok::Op("(")) => format!("a call to `{dotted}`"),
            Some(Tok::Op("[")) => format!("a subscript of `{dotted}`"),
            _ => format!("the name `{dotted}`"),
        };
        Err(self.not_literal(from, what))
    }

    fn at_call_or_attr(&self) -> bool {
        matches!(self.peek(), Some(Tok::Op("(" | "." | "[")))
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, NotLiteral>,
    ) -> Result<T, NotLiteral> {
        if self.depth >= MAX_DEPTH {
            return Err(self.not_literal(self.at, "brackets nested too deeply"));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// After `re.compile(`, which starts at token `from`.
    fn re_compile(&mut self, from: usize) -> Result<Spanned, NotLiteral> {
        let pattern = self.nested(|p| p.sum())?;
        let Value::Str(text) = pattern.value else {
            return Err(NotLiteral {
                span: pattern.span,
                what: "`re.compile` of something other than a string".to_string(),
            });
        };
        let mut flags = Vec::new();
        if self.eat(",") && !matches!(self.peek(), Some(Tok::Op(")"))) {
            // flags: `re.I`, `re.I | re.M`, `flags=re.I`
            if matches!(self.peek(), Some(Tok::Name(n)) if n == "flags")
                && matches!(
                    self.tokens.get(self.at + 1).map(|t| &t.tok),
                    Some(Tok::Op("="))
                )
            {
                self.at += 2;
            }
            loop {
                let flag = self.at;
                let is_re = matches!(self.peek(), Some(Tok::Name(n)) if n == "re")
                    && matches!(
                        self.tokens.get(self.at + 1).map(|t| &t.tok),
                        Some(Tok::Op("."))
                    );
                match self.tokens.get(self.at + 2).map(|t| &t.tok) {
                    Some(Tok::Name(name)) if is_re => {
                        flags.push(name.clone());
                        self.at += 3;
                    }
                    _ => {
                        return Err(
                            self.not_literal(flag, "`re.compile` flags other than `re.NAME`")
                        )
                    }
                }
                if !self.eat("|") {
                    break;
                }
            }
            self.eat(",");
        }
        if !self.eat(")") {
            return Err(self.not_literal(self.at, "a `re.compile` call with unexpected arguments"));
        }
        Ok(self.spanned(from, Value::Regex(text, flags), pattern.raw))
    }

    fn item(&mut self, items: &mut Vec<Spanned>) -> Result<(), NotLiteral> {
        if matches!(self.peek(), Some(Tok::Op("*"))) {
            let star = self.at;
            self.at += 1;
            let inner = self.nested(|p| p.sum())?;
            match inner.value {
                Value::Seq(_, more) => items.extend(more),
                Value::Str(s) => items.extend(s.chars().map(|c| Spanned {
                    value: Value::Str(c.to_string()),
                    span: inner.span.clone(),
                    raw: inner.raw,
                })),
                _ => {
                    return Err(
                        self.not_literal(star, "`*` unpacking of something other than a sequence")
                    )
                }
            }
        } else {
            items.push(self.nested(|p| p.sum())?);
        }
        Ok(())
    }

    /// After `[` or `(`, token `from`.
    fn sequence(&mut self, open: &str, from: usize) -> Result<Spanned, NotLiteral> {
        let close = if open == "[" { "]" } else { ")" };
        let mut items = Vec::new();
        let mut saw_comma = false;
        let mut first_was_star = false;
        loop {
            if self.eat(close) {
                break;
            }
            if items.is_empty() && !saw_comma {
                first_was_star = matches!(self.peek(), Some(Tok::Op("*")));
            }
            self.item(&mut items)?;
            if self.eat(",") {
                saw_comma = true;
                continue;
            }
            if self.eat(close) {
                break;
            }
            let what = match self.peek() {
                Some(Tok::Name(n)) if n == "for" => "a comprehension",
                _ => "an expression",
            };
            return Err(self.not_literal(from, what));
        }
        if open == "(" && !saw_comma && !first_was_star {
            // Parentheses around one value, not a tuple.
            return match items.pop() {
                Some(mut inner) if items.is_empty() => {
                    inner.span = self.span_from(from);
                    Ok(inner)
                }
                _ => Ok(self.spanned(from, Value::Seq(SeqKind::Tuple, Vec::new()), false)),
            };
        }
        let kind = if open == "[" {
            SeqKind::List
        } else {
            SeqKind::Tuple
        };
        Ok(self.spanned(from, Value::Seq(kind, items), false))
    }
}

fn prefixed(kind: char) -> String {
    if kind == 'f' {
        "an f-string".to_string()
    } else {
        "a bytes literal".to_string()
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let (digits, radix) = if let Some(rest) = lower.strip_prefix("0x") {
        (rest, 16)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (rest, 8)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (rest, 2)
    } else {
        (lower.as_str(), 10)
    };
    i64::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(source: &str) -> Result<Value, String> {
        let module = parse(source);
        let a = module
            .assignments
            .into_iter()
            .last()
            .expect("an assignment");
        a.value.map(|v| v.value).map_err(|e| e.what)
    }

    fn strs(v: &Value) -> Vec<String> {
        match v {
            Value::Seq(_, items) => items
                .iter()
                .map(|i| match &i.value {
                    Value::Str(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn literals() {
        assert_eq!(value("X = 'a' \"b\"").unwrap(), Value::Str("ab".into()));
        assert_eq!(value("X = r'\\d\\.'").unwrap(), Value::Str("\\d\\.".into()));
        assert_eq!(value("X = '\\d\\n'").unwrap(), Value::Str("\\d\n".into()));
        assert_eq!(
            value("X = '''a\n'b'\n'''").unwrap(),
            Value::Str("a\n'b'\n".into())
        );
        assert_eq!(value("X = 60 * 60 * 24").unwrap(), Value::Int(86400));
        assert_eq!(value("X: int = 1_000").unwrap(), Value::Int(1000));
        assert_eq!(strs(&value("X = ('a',)").unwrap()), ["a"]);
        assert_eq!(value("X = ('a')").unwrap(), Value::Str("a".into()));
        assert_eq!(strs(&value("X = 'a', 'b'").unwrap()), ["a", "b"]);
        assert_eq!(
            strs(&value("X = [\n 'a', # c\n 'b',\n]").unwrap()),
            ["a", "b"]
        );
        assert_eq!(
            strs(&value("X = (*default_methods, 'PURGE')").unwrap()).len(),
            7
        );
        assert_eq!(
            strs(&value("X = list(default_headers) + ['x']").unwrap()).len(),
            7
        );
        assert_eq!(
            value("X = re.compile(r'^a$', re.I)").unwrap(),
            Value::Regex("^a$".into(), vec!["I".into()])
        );
    }

    #[test]
    fn computed() {
        assert_eq!(value("X = env('A')").unwrap_err(), "a call to `env`");
        assert_eq!(
            value("X = os.environ['A']").unwrap_err(),
            "a subscript of `os.environ`"
        );
        assert_eq!(value("X = f'{A}'").unwrap_err(), "an f-string");
        assert_eq!(value("X = BASE").unwrap_err(), "the name `BASE`");
        assert_eq!(value("X = [a for a in b]").unwrap_err(), "the name `a`");
        assert_eq!(
            value("X = ['a' for a in b]").unwrap_err(),
            "a comprehension"
        );
        assert!(value("X = default_headers + ['x']").is_err());
    }

    #[test]
    fn skips_other_statements() {
        let m = parse(
            "import os\nif DEBUG:\n    X = 1\ndef f():\n    Y = '''\nZ = 2\n'''\nW = (\n1)\n",
        );
        let names: Vec<_> = m.assignments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["W"]);
        assert_eq!(m.nested.len(), 2);
    }
}
