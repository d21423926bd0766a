//! A recursive-descent parser from tokens to the [`ast`](crate::ast).
//!
//! ```text
//! file      = (policy | test)*
//! policy    = "policy" NAME "{" directive* "}"
//! test      = "test" NAME "{" directive* "}"
//! directive = WORD arg* ";"
//! arg       = WORD | STRING
//! ```
//!
//! On an error the parser records a diagnostic, skips to a point where it
//! can resume (a `;`, a `}`, the next `policy NAME {`, or a known directive
//! name starting a line after a missing `;`), and keeps going, so one run
//! reports every syntax error, each once. The common slips in arguments
//! (`max-age = 600`, `GET, POST`, `"a b"`, `[a, b]`) are reported and
//! repaired (`parser/slips.rs`), so validation reports nothing more about them.
//! Every step consumes a token or returns, so parsing is linear in the
//! input and always terminates.

mod slips;

use std::ops::Range;

use crate::ast::{Arg, Directive, File, PolicyBlock, Spanned, TestBlock};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::lexer::{self, Token, TokenKind};

/// Parses `source`, returning the syntax tree of everything that could be
/// parsed and the syntax errors found.
pub fn parse(source: &str) -> (File, Diagnostics) {
    let mut parser = Parser {
        source,
        tokens: lexer::lex(source),
        position: 0,
        diagnostics: Diagnostics::new(),
    };
    let file = parser.file();
    (file, parser.diagnostics)
}

struct Parser<'s> {
    source: &'s str,
    tokens: Vec<Token>,
    position: usize,
    diagnostics: Diagnostics,
}

impl Parser<'_> {
    // ---- token access -------------------------------------------------

    fn kind_at(&self, position: usize) -> TokenKind {
        self.tokens
            .get(position)
            .map_or(TokenKind::Eof, |token| token.kind)
    }

    fn peek(&self) -> TokenKind {
        self.kind_at(self.position)
    }

    fn span_at(&self, position: usize) -> Range<usize> {
        match self.tokens.get(position) {
            Some(token) => token.span.clone(),
            None => self.source.len()..self.source.len(),
        }
    }

    fn peek_span(&self) -> Range<usize> {
        self.span_at(self.position)
    }

    fn text_at(&self, position: usize) -> &str {
        self.source.get(self.span_at(position)).unwrap_or("")
    }

    /// The end of the previous token: where a missing `;` belongs.
    fn previous_end(&self) -> usize {
        self.position
            .checked_sub(1)
            .and_then(|p| self.tokens.get(p))
            .map_or(0, |token| token.span.end)
    }

    fn bump(&mut self) -> Token {
        let token = Token {
            kind: self.peek(),
            span: self.peek_span(),
        };
        if self.position < self.tokens.len() {
            self.position += 1;
        }
        token
    }

    /// True at `policy NAME {`, the start of the next block.
    fn at_policy_start(&self) -> bool {
        self.peek() == TokenKind::Word
            && self.text_at(self.position) == "policy"
            && matches!(
                self.kind_at(self.position + 1),
                TokenKind::Word | TokenKind::String
            )
            && self.kind_at(self.position + 2) == TokenKind::OpenBrace
    }

    /// True at a known directive name that starts a line and has
    /// arguments: inside an argument list, the `;` before it is missing.
    /// (No origin, method or path is spelled like a directive name; a
    /// header could be, but not one written last, right before `;`.)
    fn at_next_directive(&self) -> bool {
        self.peek() == TokenKind::Word
            && crate::validate::is_directive(self.text_at(self.position))
            && self.kind_at(self.position + 1) != TokenKind::Semicolon
            && self
                .source
                .get(self.previous_end()..self.peek_span().start)
                .is_some_and(|gap| gap.contains('\n'))
    }

    // ---- errors ---------------------------------------------------------

    fn expected(&mut self, what: &str, help: Option<&str>) {
        let found = self.peek();
        let text = match found {
            TokenKind::Word => format!("`{}`", self.text_at(self.position)),
            other => other.describe().to_string(),
        };
        let mut diagnostic = Diagnostic::error(
            Code::UnexpectedToken,
            format!("expected {what}, found {text}"),
            self.peek_span(),
        )
        .with_label(format!("expected {what}"));
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
    }

    /// Reports lexical problems in the current token. Returns false for an
    /// error token, which carries no value.
    fn check_token(&mut self) -> bool {
        let span = self.peek_span();
        match self.peek() {
            TokenKind::Error => {
                self.diagnostics.push(
                    Diagnostic::error(Code::UnexpectedToken, "invalid character", span)
                        .with_label("not allowed here"),
                );
                false
            }
            TokenKind::UnterminatedString => {
                self.diagnostics.push(
                    Diagnostic::error(Code::UnterminatedString, "unterminated string", span)
                        .with_label("this string has no closing `\"` on its line")
                        .with_help("add the closing `\"`; strings cannot span lines"),
                );
                true
            }
            _ => true,
        }
    }

    /// The unescaped value of a string token, reporting invalid escapes.
    fn string_value(&mut self, span: Range<usize>) -> String {
        let unescaped = lexer::unescape(self.source.get(span.clone()).unwrap_or(""));
        for escape in unescaped.invalid_escapes {
            let at = span.start + escape.start..span.start + escape.end;
            self.diagnostics.push(
                Diagnostic::error(Code::InvalidEscape, "invalid escape in string", at)
                    .with_label("unknown escape")
                    .with_help(r#"the escapes are `\"`, `\\`, `\n` and `\t`"#),
            );
        }
        unescaped.value
    }

    /// Skips a `{ ... }` group (nested groups included) at the current `{`.
    fn skip_group(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.bump().kind {
                TokenKind::OpenBrace => depth += 1,
                TokenKind::CloseBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                TokenKind::Eof => return,
                _ => {}
            }
        }
    }

    // ---- grammar ----------------------------------------------------------

    fn file(&mut self) -> File {
        let mut file = File::default();
        while self.peek() != TokenKind::Eof {
            if self.peek() == TokenKind::Word && self.text_at(self.position) == "policy" {
                file.policies.push(self.policy());
                continue;
            }
            if self.peek() == TokenKind::Word && self.text_at(self.position) == "test" {
                file.tests.push(self.test_block());
                continue;
            }
            self.recover_top_level();
        }
        file
    }

    /// Reports one error for stray top-level text and skips it: to the end
    /// of a stray directive (`;`), past a stray group, or to the next
    /// `policy`.
    fn recover_top_level(&mut self) {
        if self.check_token() {
            let help = if self.peek() == TokenKind::Word {
                "directives belong inside a `policy NAME { ... }` block"
            } else {
                "a file is a list of `policy NAME { ... }` and `test NAME { ... }` blocks"
            };
            self.expected("`policy`", Some(help));
        }
        loop {
            match self.peek() {
                TokenKind::Eof => return,
                TokenKind::Semicolon | TokenKind::CloseBrace => {
                    self.bump();
                    return;
                }
                TokenKind::OpenBrace => {
                    self.skip_group();
                    return;
                }
                TokenKind::Word if matches!(self.text_at(self.position), "policy" | "test") => {
                    return
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn policy(&mut self) -> PolicyBlock {
        let keyword = self.bump();
        let name = match self.peek() {
            TokenKind::Word => {
                let token = self.bump();
                Spanned::new(self.text_at(self.position - 1).to_string(), token.span)
            }
            TokenKind::String | TokenKind::UnterminatedString => {
                self.check_token();
                let token = self.bump();
                let value = self.string_value(token.span.clone());
                Spanned::new(value, token.span)
            }
            _ => {
                self.check_token();
                self.expected(
                    "a policy name",
                    Some("write `policy NAME { ... }`, e.g. `policy api { ... }`"),
                );
                Spanned::new(String::new(), self.peek_span())
            }
        };

        if self.peek() == TokenKind::OpenBrace {
            let open = self.bump();
            let directives = self.block_body(&open.span);
            return PolicyBlock {
                name,
                directives,
                span: keyword.span.start..self.previous_end(),
            };
        }

        // `policy api` and then a directive: only the `{` is missing.
        // Say so where it belongs, and parse the block as if it were there,
        // so its directives are not lost (which would add "policy has no
        // `origins`").
        if self.peek() == TokenKind::Word
            && crate::validate::is_directive(self.text_at(self.position))
        {
            let at = self.previous_end();
            let found = self.text_at(self.position).to_string();
            let help = if name.value.is_empty() {
                "a policy's directives go between `{` and `}`".to_string()
            } else {
                format!(
                    "add `{{` after the policy's name: `policy {} {{`",
                    name.value
                )
            };
            self.diagnostics.push(
                Diagnostic::error(
                    Code::UnexpectedToken,
                    format!("expected `{{`, found `{found}`"),
                    at..at,
                )
                .with_label("expected `{` here")
                .with_help(help),
            );
            let directives = self.block_body(&name.span);
            return PolicyBlock {
                name,
                directives,
                span: keyword.span.start..self.previous_end(),
            };
        }
        // No `{`: report once, then resume at the next `{` (the block
        // probably starts there) or give up at `}` / the next policy.
        if self.check_token() {
            self.expected("`{`", Some("a policy's directives go between `{` and `}`"));
        }
        loop {
            match self.peek() {
                TokenKind::OpenBrace => {
                    let open = self.bump();
                    let directives = self.block_body(&open.span);
                    return PolicyBlock {
                        name,
                        directives,
                        span: keyword.span.start..self.previous_end(),
                    };
                }
                TokenKind::CloseBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Eof => break,
                TokenKind::Word if self.at_policy_start() => break,
                _ => {
                    self.bump();
                }
            }
        }
        PolicyBlock {
            name,
            directives: Vec::new(),
            span: keyword.span.start..self.previous_end(),
        }
    }

    /// True at `test NAME {`, the start of the next test block.
    fn at_test_start(&self) -> bool {
        self.peek() == TokenKind::Word
            && self.text_at(self.position) == "test"
            && matches!(
                self.kind_at(self.position + 1),
                TokenKind::Word | TokenKind::String
            )
            && self.kind_at(self.position + 2) == TokenKind::OpenBrace
    }

    /// `test NAME { directive* }` at the word `test`: the same directive
    /// grammar as a policy, so `corsc fmt` and the error recovery treat
    /// both alike. What the directives mean is checked by
    /// [`crate::policy_tests`].
    fn test_block(&mut self) -> TestBlock {
        let keyword = self.bump();
        let name = match self.peek() {
            TokenKind::Word => {
                let token = self.bump();
                Spanned::new(self.text_at(self.position - 1).to_string(), token.span)
            }
            TokenKind::String | TokenKind::UnterminatedString => {
                self.check_token();
                let token = self.bump();
                let value = self.string_value(token.span.clone());
                Spanned::new(value, token.span)
            }
            _ => {
                self.check_token();
                self.expected(
                    "a test name",
                    Some(r#"write `test NAME { ... }`, e.g. `test "preflight from the app" { ... }`"#),
                );
                Spanned::new(String::new(), self.peek_span())
            }
        };
        let mut directives = Vec::new();
        if self.peek() != TokenKind::OpenBrace {
            if self.check_token() {
                self.expected("`{`", Some("a test's directives go between `{` and `}`"));
            }
            // Resume at the `{` if there is one before the next block.
            while !matches!(self.peek(), TokenKind::OpenBrace | TokenKind::Eof)
                && !self.at_policy_start()
                && !self.at_test_start()
            {
                if self.bump().kind == TokenKind::CloseBrace {
                    return TestBlock {
                        name,
                        directives,
                        span: keyword.span.start..self.previous_end(),
                    };
                }
            }
            if self.peek() != TokenKind::OpenBrace {
                return TestBlock {
                    name,
                    directives,
                    span: keyword.span.start..self.previous_end(),
                };
            }
        }
        let open = self.bump();
        loop {
            match self.peek() {
                TokenKind::CloseBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Eof => {
                    self.report_unclosed_test(&open.span);
                    break;
                }
                TokenKind::Word if self.at_policy_start() || self.at_test_start() => {
                    self.report_unclosed_test(&open.span);
                    break;
                }
                TokenKind::Word => {
                    if let Some(directive) = self.directive() {
                        directives.push(directive);
                    }
                }
                TokenKind::OpenBrace => {
                    self.expected("a directive", Some("blocks cannot be nested"));
                    self.skip_group();
                }
                _ => {
                    if self.check_token() {
                        self.expected("a directive name", None);
                    }
                    while !matches!(
                        self.peek(),
                        TokenKind::CloseBrace | TokenKind::Eof | TokenKind::OpenBrace
                    ) {
                        if self.bump().kind == TokenKind::Semicolon {
                            break;
                        }
                    }
                }
            }
        }
        TestBlock {
            name,
            directives,
            span: keyword.span.start..self.previous_end(),
        }
    }

    fn report_unclosed_test(&mut self, open: &Range<usize>) {
        let at = self.previous_end();
        self.diagnostics.push(
            Diagnostic::error(Code::UnclosedBlock, "unclosed test block", at..at)
                .with_label("expected `}` here")
                .with_note(open.clone(), "block opened here")
                .with_help("add `}` after the test's last directive"),
        );
    }

    /// Directives up to and including the closing `}`.
    fn block_body(&mut self, open: &Range<usize>) -> Vec<Directive> {
        let mut directives = Vec::new();
        loop {
            match self.peek() {
                TokenKind::CloseBrace => {
                    self.bump();
                    return directives;
                }
                TokenKind::Eof => {
                    self.report_unclosed(open);
                    return directives;
                }
                TokenKind::Word if self.at_policy_start() => {
                    self.report_unclosed(open);
                    return directives;
                }
                TokenKind::Word => {
                    if let Some(directive) = self.directive() {
                        directives.push(directive);
                    }
                }
                TokenKind::OpenBrace => {
                    self.expected("a directive", Some("blocks cannot be nested"));
                    self.skip_group();
                }
                _ => {
                    if self.check_token() {
                        self.expected("a directive name", None);
                    }
                    // Skip to the end of this would-be directive.
                    while !matches!(
                        self.peek(),
                        TokenKind::CloseBrace | TokenKind::Eof | TokenKind::OpenBrace
                    ) {
                        if self.bump().kind == TokenKind::Semicolon {
                            break;
                        }
                    }
                }
            }
        }
    }

    fn report_unclosed(&mut self, open: &Range<usize>) {
        let at = self.previous_end();
        self.diagnostics.push(
            Diagnostic::error(Code::UnclosedBlock, "unclosed policy block", at..at)
                .with_label("expected `}` here")
                .with_note(open.clone(), "block opened here")
                .with_help("add `}` after the policy's last directive"),
        );
    }

    /// `name args... ;` at a word. Returns `None` when the directive was
    /// abandoned (a `{` in its arguments).
    fn directive(&mut self) -> Option<Directive> {
        let name_token = self.bump();
        let name = Spanned::new(
            self.source
                .get(name_token.span.clone())
                .unwrap_or("")
                .to_string(),
            name_token.span.clone(),
        );
        let mut args = Vec::new();
        loop {
            match self.peek() {
                // `policy NAME {` cannot be an argument list: the `;` (and
                // probably the `}`) before it is missing.
                TokenKind::Word if self.at_policy_start() => {
                    let end = self.previous_end();
                    let (directive, yaml) = self.finish(name, args, name_token.span.start..end);
                    if !yaml {
                        self.report_missing_semicolon(&directive.name.value);
                    }
                    return Some(directive);
                }
                // The next line starts the next directive: one missing `;`,
                // not a cascade of that directive taken as arguments.
                TokenKind::Word if self.at_next_directive() => {
                    let end = self.previous_end();
                    let (directive, yaml) = self.finish(name, args, name_token.span.start..end);
                    if !yaml {
                        self.report_missing_semicolon_before_directive(&directive);
                    }
                    return Some(directive);
                }
                TokenKind::Word
                    if self.text_at(self.position) == "~"
                        && matches!(
                            self.kind_at(self.position + 1),
                            TokenKind::String | TokenKind::UnterminatedString
                        ) =>
                {
                    // `~ "regex"`: one mistake, reported once (not as a bad
                    // origin plus the regex's backslashes as bad escapes).
                    let tilde = self.bump();
                    self.check_token();
                    let string = self.bump();
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidRegex,
                            "a regex origin is `~` directly followed by a quoted regex",
                            tilde.span.start..string.span.end,
                        )
                        .with_label("space between `~` and the regex")
                        .with_help("remove the space: `~\"...\"`"),
                    );
                }
                TokenKind::Word => {
                    let token = self.bump();
                    let value = self
                        .source
                        .get(token.span.clone())
                        .unwrap_or("")
                        .to_string();
                    args.push(Arg {
                        value,
                        quoted: false,
                        regex: false,
                        span: token.span,
                    });
                }
                TokenKind::String | TokenKind::UnterminatedString => {
                    self.check_token();
                    let token = self.bump();
                    let value = self.string_value(token.span.clone());
                    args.push(Arg {
                        value,
                        quoted: true,
                        regex: false,
                        span: token.span,
                    });
                }
                TokenKind::RegexString => {
                    let token = self.bump();
                    // Raw: between `~"` and the closing `"`.
                    let value = self
                        .source
                        .get(token.span.start + 2..token.span.end - 1)
                        .unwrap_or("")
                        .to_string();
                    args.push(Arg {
                        value,
                        quoted: true,
                        regex: true,
                        span: token.span,
                    });
                }
                TokenKind::Semicolon => {
                    let semicolon = self.bump();
                    let span = name_token.span.start..semicolon.span.end;
                    return Some(self.finish(name, args, span).0);
                }
                TokenKind::CloseBrace | TokenKind::Eof => {
                    let end = self.previous_end();
                    let (directive, yaml) = self.finish(name, args, name_token.span.start..end);
                    if !yaml {
                        self.report_missing_semicolon(&directive.name.value);
                    }
                    return Some(directive);
                }
                TokenKind::OpenBrace => {
                    self.expected("`;`", Some("blocks cannot be nested"));
                    self.skip_group();
                    return None;
                }
                TokenKind::Error => {
                    self.check_token();
                    self.bump();
                }
            }
        }
    }

    /// The directive, its slips (`name: value`, `a, b`, `"a b"`, `[a, b]`)
    /// reported once each and repaired, so validation sees what was meant
    /// and reports nothing more about them. True when it was a YAML list,
    /// whose diagnostic also stands for the missing `;`.
    fn finish(
        &mut self,
        name: Spanned<String>,
        args: Vec<Arg>,
        span: Range<usize>,
    ) -> (Directive, bool) {
        let mut directive = Directive { name, args, span };
        let yaml = slips::repair(&mut directive, self.source, &mut self.diagnostics);
        (directive, yaml)
    }

    /// A missing `;` before the directive on the next line (the current
    /// token).
    fn report_missing_semicolon_before_directive(&mut self, directive: &Directive) {
        let at = self.previous_end();
        let next = self.peek_span();
        let found = self.text_at(self.position).to_string();
        self.diagnostics.push(
            Diagnostic::error(
                Code::UnexpectedToken,
                format!("expected `;`, found `{found}`"),
                at..at,
            )
            .with_label("expected `;` here")
            .with_note(next, format!("`{found}` starts the next directive"))
            .with_help(format!(
                "end the `{}` directive with `;`: `{}`",
                directive.name.value,
                slips::corrected(directive)
            )),
        );
    }

    fn report_missing_semicolon(&mut self, directive: &str) {
        let at = self.previous_end();
        let found = self.peek().describe();
        self.diagnostics.push(
            Diagnostic::error(
                Code::UnexpectedToken,
                format!("expected `;`, found {found}"),
                at..at,
            )
            .with_label("expected `;` here")
            .with_help(format!("end the `{directive}` directive with `;`")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(source: &str) -> Vec<Code> {
        parse(source).1.iter().map(|d| d.code).collect()
    }

    #[test]
    fn parses_blocks_directives_and_args() {
        let (file, diagnostics) =
            parse("policy api {\n paths /api/ \"/v 2/\";\n credentials on;\n}\n");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(file.policies.len(), 1);
        let policy = &file.policies[0];
        assert_eq!(policy.name.value, "api");
        assert_eq!(policy.name.span, 7..10);
        assert_eq!(policy.directives.len(), 2);
        let paths = &policy.directives[0];
        assert_eq!(paths.name.value, "paths");
        assert_eq!(paths.args[0].value, "/api/");
        assert!(!paths.args[0].quoted);
        assert_eq!(paths.args[1].value, "/v 2/");
        assert!(paths.args[1].quoted);
        assert_eq!(paths.args[1].span, 26..33);
        assert_eq!(policy.span.end, 53);
    }

    #[test]
    fn recovery_reports_every_error() {
        let source = "\
origins x;
policy a {
    paths /a
}
policy b {
    origins \"bad\\q\";
    { nested }
    methods GET;
policy c {
    origins *;
}
";
        let (file, diagnostics) = parse(source);
        let codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![
                Code::UnexpectedToken, // origins at top level
                Code::UnexpectedToken, // missing ; after /a
                Code::InvalidEscape,
                Code::UnexpectedToken, // nested block
                Code::UnclosedBlock,   // policy b
            ]
        );
        let names: Vec<&str> = file
            .policies
            .iter()
            .map(|p| p.name.value.as_str())
            .collect();
        assert_eq!(names, vec!["a", "b", "c"]);
        assert_eq!(file.policies[1].directives.len(), 2);
        assert_eq!(file.policies[2].directives.len(), 1);
    }

    #[test]
    fn missing_name_and_brace() {
        assert_eq!(codes("policy { origins *; }"), vec![Code::UnexpectedToken]);
        assert_eq!(codes("policy a origins *; }"), vec![Code::UnexpectedToken]);
        assert_eq!(
            codes("policy a b { origins *; }"),
            vec![Code::UnexpectedToken]
        );
        assert_eq!(
            codes("policy"),
            vec![Code::UnexpectedToken, Code::UnexpectedToken]
        );
        assert_eq!(codes("policy a {"), vec![Code::UnclosedBlock]);
    }

    #[test]
    fn next_policy_ends_an_unterminated_directive() {
        let (file, diagnostics) = parse("policy a { origins x\npolicy b { origins y; }");
        let codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::UnexpectedToken, Code::UnclosedBlock]);
        assert_eq!(file.policies.len(), 2);
        assert_eq!(file.policies[1].directives[0].args[0].value, "y");
    }

    #[test]
    fn unterminated_string_is_reported_once() {
        assert_eq!(
            codes("policy a {\n origins \"https://x.com;\n}\n"),
            vec![Code::UnterminatedString, Code::UnexpectedToken]
        );
    }

    #[test]
    fn test_blocks_are_top_level_items_with_spans() {
        let source = "policy a { origins *; }\ntest \"from app\" {\n request GET /x;\n expect pass;\n}\ntest t2 { expect pass; }\n";
        let (file, diagnostics) = parse(source);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(file.policies.len(), 1);
        assert_eq!(file.tests.len(), 2);
        let test = &file.tests[0];
        assert_eq!(test.name.value, "from app");
        assert_eq!(&source[test.name.span.clone()], "\"from app\"");
        assert_eq!(
            &source[test.span.clone()],
            "test \"from app\" {\n request GET /x;\n expect pass;\n}"
        );
        assert_eq!(test.directives.len(), 2);
        assert_eq!(test.directives[0].name.value, "request");
        assert_eq!(test.directives[0].args[1].value, "/x");
        assert_eq!(file.tests[1].name.value, "t2");
    }

    #[test]
    fn test_block_recovery() {
        // Unclosed before the next block: one error, both blocks kept.
        let (file, diagnostics) =
            parse("test a { expect pass;\npolicy b { origins *; }\ntest c { expect pass; }");
        let found: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(found, vec![Code::UnclosedBlock]);
        assert_eq!(
            diagnostics.iter().next().map(|d| d.message.as_str()),
            Some("unclosed test block")
        );
        assert_eq!((file.tests.len(), file.policies.len()), (2, 1));
        let (file, _) = parse("test a { expect pass; test b { expect pass; }");
        assert_eq!(file.tests.len(), 2);
        assert_eq!(codes("test { expect pass; }"), vec![Code::UnexpectedToken]);
        assert_eq!(codes("test a expect pass; }"), vec![Code::UnexpectedToken]);
        assert_eq!(
            codes("test a { { x } expect pass; }"),
            vec![Code::UnexpectedToken]
        );
        assert_eq!(codes("test a {"), vec![Code::UnclosedBlock]);
        assert_eq!(
            codes("test"),
            vec![Code::UnexpectedToken, Code::UnexpectedToken]
        );
        // A stray top-level directive stops at the next `test`.
        let (file, diagnostics) = parse("stray x\ntest a { expect pass; }");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(file.tests.len(), 1);
    }

    #[test]
    fn arbitrary_junk_terminates() {
        for source in [
            "}}}{{{;;;",
            "{",
            "\"",
            "policy policy policy",
            "policy a { b { c { ; } } }",
            "test test test",
            "test a { test b { test",
            "#",
        ] {
            let _ = parse(source);
        }
    }
}
