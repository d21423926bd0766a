//! Splits `.corspolicy` source into tokens.
//!
//! The language has only bare words, quoted strings, `;`, `{` and `}`.
//! A bare word is any run of characters other than whitespace and
//! `;` `{` `}` `"` `#`, so `https://*.example.com:*`, `/api/`, `10m` and
//! `X-Request-Id` are each one word. `#` starts a comment that runs to the
//! end of the line. A quoted string may not span lines; its escapes are
//! `\"`, `\\`, `\n` and `\t`.
//!
//! Lexing never fails: malformed input becomes [`TokenKind::UnterminatedString`]
//! or [`TokenKind::Error`] tokens, which the parser reports.

use std::ops::Range;

use logos::Logos;

/// The kinds of token.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"\s+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum TokenKind {
    /// A bare word: `policy`, `origins`, `https://app.example.com`, `10m`.
    #[regex(r##"[^\s;{}"#]+"##)]
    Word,
    /// A complete `"quoted string"`, quotes included.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    String,
    /// A regex origin pattern: `~` and a complete quoted string, taken raw
    /// (backslashes belong to the regex).
    #[regex(r#"~"([^"\\\n]|\\[^\n])*""#)]
    RegexString,
    /// A `"` whose string ends at the end of the line (or file) without a
    /// closing quote.
    #[regex(r#""([^"\\\n]|\\[^\n])*\\?"#)]
    UnterminatedString,
    /// `;`
    #[token(";")]
    Semicolon,
    /// `{`
    #[token("{")]
    OpenBrace,
    /// `}`
    #[token("}")]
    CloseBrace,
    /// Text the lexer could not classify.
    Error,
    /// The end of the source (never produced by [`lex`]; the parser's
    /// placeholder when it looks past the last token).
    Eof,
}

impl TokenKind {
    /// How the token is described in "expected X, found Y" messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Word => "a word",
            TokenKind::String | TokenKind::UnterminatedString => "a quoted string",
            TokenKind::RegexString => "a regex (`~\"...\"`)",
            TokenKind::Semicolon => "`;`",
            TokenKind::OpenBrace => "`{`",
            TokenKind::CloseBrace => "`}`",
            TokenKind::Error => "an invalid character",
            TokenKind::Eof => "the end of the file",
        }
    }
}

/// A token and where it is in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its byte range in the source.
    pub span: Range<usize>,
}

/// Splits `source` into tokens, skipping whitespace and comments.
///
/// Runs in linear time and never fails; see the [module docs](self).
pub fn lex(source: &str) -> Vec<Token> {
    // Editors on Windows often start UTF-8 files with a byte order mark;
    // it is not part of the first token.
    let start = if source.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut lexer = TokenKind::lexer(&source[start..]);
    let mut tokens = Vec::new();
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        tokens.push(Token {
            kind: result.unwrap_or(TokenKind::Error),
            span: span.start + start..span.end + start,
        });
    }
    tokens
}

/// The value of a quoted string, with the problems found in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unescaped {
    /// The text between the quotes with escapes resolved; an invalid
    /// escape `\\x` becomes `x`.
    pub value: String,
    /// Byte ranges (relative to the start of the token) of invalid escapes.
    pub invalid_escapes: Vec<Range<usize>>,
}

/// Resolves the escapes of a [`TokenKind::String`] or
/// [`TokenKind::UnterminatedString`] token's text (quotes included).
pub fn unescape(token_text: &str) -> Unescaped {
    let body = token_text.strip_prefix('"').unwrap_or(token_text);
    let mut value = String::with_capacity(body.len());
    let mut invalid_escapes = Vec::new();
    let mut chars = body.char_indices();
    while let Some((index, c)) = chars.next() {
        if c == '"' {
            // The closing quote (an escaped one is consumed below).
            break;
        }
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => value.push('"'),
            Some((_, '\\')) => value.push('\\'),
            Some((_, 'n')) => value.push('\n'),
            Some((_, 't')) => value.push('\t'),
            other => {
                // +1 for the opening quote.
                let start = index + 1;
                let end = other.map_or(start + 1, |(i, c)| i + 1 + c.len_utf8());
                invalid_escapes.push(start..end);
                // Keep the escaped character, as if the `\\` were a typo,
                // so the value does not cause further, confusing errors.
                if let Some((_, c)) = other {
                    value.push(c);
                }
            }
        }
    }
    Unescaped {
        value,
        invalid_escapes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// logos' default code generator recurses once per byte of a token
    /// (a tail call that debug builds do not eliminate): a 100 KB word
    /// overflowed the stack. The state-machine generator loops instead; this
    /// lexes megabyte tokens on a 128 KiB stack to keep it that way.
    #[test]
    fn huge_tokens_do_not_grow_the_stack() {
        const MIB: usize = 1 << 20;
        let sources = [
            format!("policy {} {{ }}", "p".repeat(MIB)),
            format!("\"{}\"", "s".repeat(MIB)),
            format!("\"{}", "u".repeat(MIB)),
            format!("#{}\nword", "c".repeat(MIB)),
            format!("{}word", "# c\n".repeat(MIB / 4)),
            format!("{}word", " \n\t".repeat(MIB / 3)),
        ];
        let counts = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || sources.iter().map(|s| lex(s).len()).collect::<Vec<_>>())
            .expect("spawn")
            .join()
            .expect("lexing huge tokens must not overflow the stack");
        assert_eq!(counts, [4, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_spans_stay_in_the_source() {
        let source = "\u{feff}policy p {";
        assert_eq!(
            kinds_and_text(source),
            [
                (TokenKind::Word, "policy"),
                (TokenKind::Word, "p"),
                (TokenKind::OpenBrace, "{"),
            ]
        );
        assert_eq!(lex(source)[0].span, 3..9);
        // Only at the start: elsewhere it is part of a word.
        assert_eq!(
            kinds_and_text("a \u{feff}b"),
            [(TokenKind::Word, "a"), (TokenKind::Word, "\u{feff}b")]
        );
    }

    fn kinds_and_text(source: &str) -> Vec<(TokenKind, &str)> {
        lex(source)
            .into_iter()
            .map(|t| (t.kind, &source[t.span]))
            .collect()
    }

    #[test]
    fn words_are_runs_of_non_delimiters() {
        use TokenKind::*;
        assert_eq!(
            kinds_and_text("origins https://*.example.com:* /api/ 10m X-Request-Id;"),
            vec![
                (Word, "origins"),
                (Word, "https://*.example.com:*"),
                (Word, "/api/"),
                (Word, "10m"),
                (Word, "X-Request-Id"),
                (Semicolon, ";"),
            ]
        );
    }

    #[test]
    fn spans_skip_comments_and_whitespace() {
        let tokens = lex("policy a { # comment ;\n  paths /x;}");
        let spans: Vec<_> = tokens.iter().map(|t| t.span.clone()).collect();
        assert_eq!(
            spans,
            vec![0..6, 7..8, 9..10, 25..30, 31..33, 33..34, 34..35]
        );
    }

    #[test]
    fn strings_and_unterminated_strings() {
        use TokenKind::*;
        assert_eq!(
            kinds_and_text(r#"a "b \" c" "open"#),
            vec![
                (Word, "a"),
                (String, r#""b \" c""#),
                (UnterminatedString, r#""open"#)
            ]
        );
        assert_eq!(
            kinds_and_text("\"x\ny"),
            vec![(UnterminatedString, "\"x"), (Word, "y")]
        );
        assert_eq!(kinds_and_text("\"x\\"), vec![(UnterminatedString, "\"x\\")]);
    }

    #[test]
    fn unescape_resolves_and_reports() {
        let ok = unescape(r#""a\"b\\c\nd\te""#);
        assert_eq!(ok.value, "a\"b\\c\nd\te");
        assert!(ok.invalid_escapes.is_empty());
        let bad = unescape(r#""a\qb""#);
        assert_eq!(bad.value, "aqb");
        assert_eq!(bad.invalid_escapes, vec![2..4]);
        let trailing = unescape("\"a\\");
        assert_eq!(trailing.invalid_escapes, vec![2..3]);
    }

    #[test]
    fn multibyte_text_lexes() {
        let tokens = lex("origins https://bücher.de;é");
        assert_eq!(tokens.len(), 4);
    }
}
