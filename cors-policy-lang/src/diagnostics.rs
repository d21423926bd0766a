//! Errors and warnings about a `.corspolicy` file, and their rendering.
//!
//! The lexer, the parser and the validator all report problems as
//! [`Diagnostic`] values collected in one [`Diagnostics`]; nothing stops at
//! the first error, so one run shows every problem. [`Diagnostics::render`]
//! prints them with `codespan-reporting`, either rustc-like
//! ([`RenderStyle::Rich`]) or one line each ([`RenderStyle::Short`], the form
//! nginx prints), always without colour and with ASCII characters only.
//!
//! Every class of problem has a stable [`Code`] (`CORS0001`, ...). Numbers
//! are never reused or renumbered; tools and documentation may rely on them.
//!
//! | code | variant | severity | meaning |
//! |---|---|---|---|
//! | CORS0001 | [`Code::UnterminatedString`] | error | a `"` string without its closing quote on the same line |
//! | CORS0002 | [`Code::InvalidEscape`] | error | an escape other than `\"` `\\` `\n` `\t` in a string |
//! | CORS0003 | [`Code::UnexpectedToken`] | error | the grammar expected something else here |
//! | CORS0004 | [`Code::UnclosedBlock`] | error | a `policy { ...` block without its `}` |
//! | CORS0010 | [`Code::UnknownDirective`] | error | a directive name the language does not know |
//! | CORS0011 | [`Code::DuplicateDirective`] | error | a directive written twice in one policy |
//! | CORS0012 | [`Code::WrongArgumentCount`] | error | missing arguments, an empty list, or too many arguments |
//! | CORS0013 | [`Code::InvalidSwitch`] | error | an `on`/`off` directive with another value |
//! | CORS0014 | [`Code::InvalidPolicyName`] | error | a policy name outside `[A-Za-z0-9_-]+` |
//! | CORS0015 | [`Code::DuplicatePolicyName`] | error | two policies with the same name |
//! | CORS0016 | [`Code::MissingOrigins`] | error | a policy without `origins` |
//! | CORS0017 | [`Code::InvalidPreflightStatus`] | error | `preflight-status` outside 200..=299 |
//! | CORS0018 | [`Code::NoPolicies`] | warning | a file without any policy: every request passes |
//! | CORS0020 | [`Code::InvalidPath`] | error | a path prefix that is not `/...` without `?`, `#`, spaces, controls |
//! | CORS0021 | [`Code::DuplicatePathPrefix`] | error | a path prefix (or "every path") claimed twice |
//! | CORS0030 | [`Code::MalformedOrigin`] | error | not `*`, `null` or `scheme://host[:port]` |
//! | CORS0031 | [`Code::OriginWithPath`] | error | an origin with a path, query or fragment |
//! | CORS0032 | [`Code::OriginWithUserinfo`] | error | an origin with `user@` |
//! | CORS0033 | [`Code::DefaultPort`] | error | an origin spelling out its scheme's default port |
//! | CORS0034 | [`Code::InvalidPort`] | error | a port that is empty, not decimal, has a leading zero or is above 65535 |
//! | CORS0035 | [`Code::InvalidHost`] | error | a host with an empty label, a trailing dot, a bad character or a bad IDN |
//! | CORS0036 | [`Code::NonCanonicalIpv6`] | error | an `[IPv6]` host not written in canonical form |
//! | CORS0037 | [`Code::MisplacedWildcard`] | error | `*` anywhere but the whole leftmost label or the whole port |
//! | CORS0038 | [`Code::WildcardUnderPublicSuffix`] | error with credentials, else warning | `*.D` with a listed public suffix at or below `D`: `*.com`, `*.co.uk`, `*.amazonaws.com` |
//! | CORS0039 | [`Code::UppercaseOrigin`] | warning | an origin with upper-case letters (normalized) |
//! | CORS0040 | [`Code::NullOrigin`] | error with credentials, else warning | the `null` origin |
//! | CORS0041 | [`Code::AnyOriginWithCredentials`] | error | `origins *` with `credentials on` |
//! | CORS0042 | [`Code::InsecureOriginWithCredentials`] | error | a non-loopback `http://` origin with `credentials on` |
//! | CORS0043 | [`Code::DuplicateOrigin`] | warning | the same origin listed twice |
//! | CORS0044 | [`Code::RedundantOrigin`] | warning | origins listed next to `*` |
//! | CORS0050 | [`Code::InvalidMethod`] | error | a method that is not an RFC 9110 token |
//! | CORS0051 | [`Code::LowercaseStandardMethod`] | error | `get`, `Post`, ...: browsers upper-case these six |
//! | CORS0052 | [`Code::LowercaseMethod`] | warning | `patch`: browsers send it as written |
//! | CORS0053 | [`Code::ForbiddenMethod`] | error | CONNECT, TRACE, TRACK |
//! | CORS0054 | [`Code::WildcardMethod`] | error | `methods *` |
//! | CORS0055 | [`Code::DuplicateMethod`] | warning | the same method listed twice |
//! | CORS0060 | [`Code::InvalidHeaderName`] | error | a header name that is not an RFC 9110 token |
//! | CORS0061 | [`Code::DuplicateHeader`] | warning | the same header listed twice |
//! | CORS0062 | [`Code::ForbiddenRequestHeader`] | warning | a header a page can never set, in `allow-headers` |
//! | CORS0063 | [`Code::AnyHeaderWithCredentials`] | error | `allow-headers *` or `expose-headers *` with `credentials on` |
//! | CORS0070 | [`Code::InvalidDuration`] | error | a `max-age` that is not `N`, `Ns`, `Nm` or `Nh` |
//! | CORS0071 | [`Code::MaxAgeTooLarge`] | error | `max-age` above 86400 s |
//! | CORS0072 | [`Code::MaxAgeAboveBrowserCap`] | warning | `max-age` above 7200 s, which browsers cap |
//! | CORS0073 | [`Code::MixedScriptHost`] | warning | a host written in Unicode with a label mixing scripts (`аpple.com`) |

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::NoColor, Chars, DisplayStyle};

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The file is rejected.
    Error,
    /// The file is accepted, but probably does not mean what was intended.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Declares [`Code`] with its numbers and text in one place, so the three
/// can never disagree.
macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $number:literal => $text:literal, )*) => {
        /// The stable identifier of a class of diagnostics, rendered
        /// `CORS0001`...; see the [module documentation](self) for the table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Code {
            $( $(#[doc = $doc])* $name = $number, )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The code as written in diagnostics, e.g. `"CORS0011"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Code::$name => $text, )*
                }
            }
        }
    };
}

codes! {
    /// A quoted string is not closed on its line.
    UnterminatedString = 1 => "CORS0001",
    /// A quoted string contains an escape other than `\"`, `\\`, `\n`, `\t`.
    InvalidEscape = 2 => "CORS0002",
    /// The parser expected something else (`expected X, found Y`).
    UnexpectedToken = 3 => "CORS0003",
    /// A `policy NAME {` block is not closed by `}`.
    UnclosedBlock = 4 => "CORS0004",
    /// A directive name the language does not know.
    UnknownDirective = 10 => "CORS0010",
    /// The same directive appears twice in one policy.
    DuplicateDirective = 11 => "CORS0011",
    /// A directive has too few or too many arguments.
    WrongArgumentCount = 12 => "CORS0012",
    /// An `on`/`off` directive has another value.
    InvalidSwitch = 13 => "CORS0013",
    /// A policy name is not `[A-Za-z0-9_-]+`.
    InvalidPolicyName = 14 => "CORS0014",
    /// Two policies share a name.
    DuplicatePolicyName = 15 => "CORS0015",
    /// A policy has no `origins` directive.
    MissingOrigins = 16 => "CORS0016",
    /// `preflight-status` is not an integer in 200..=299.
    InvalidPreflightStatus = 17 => "CORS0017",
    /// The file defines no policy, so every request gets `no-policy`.
    NoPolicies = 18 => "CORS0018",
    /// A path prefix does not start with `/` or contains `?`, `#`,
    /// whitespace or a control character.
    InvalidPath = 20 => "CORS0020",
    /// A path prefix is listed twice, or two policies cover every path.
    DuplicatePathPrefix = 21 => "CORS0021",
    /// An origin is not `*`, `null` or `scheme://host[:port]`.
    MalformedOrigin = 30 => "CORS0030",
    /// An origin has a path, query or fragment.
    OriginWithPath = 31 => "CORS0031",
    /// An origin has a userinfo (`user@`).
    OriginWithUserinfo = 32 => "CORS0032",
    /// An origin spells out its scheme's default port.
    DefaultPort = 33 => "CORS0033",
    /// A port is empty, not decimal, has a leading zero or exceeds 65535.
    InvalidPort = 34 => "CORS0034",
    /// A host has an empty label, a trailing dot, a character browsers
    /// never serialize, or is an invalid IDN or IPv4 address.
    InvalidHost = 35 => "CORS0035",
    /// An `[IPv6]` host is not in its canonical (RFC 5952) form.
    NonCanonicalIpv6 = 36 => "CORS0036",
    /// `*` appears somewhere other than the whole leftmost host label or
    /// the whole port.
    MisplacedWildcard = 37 => "CORS0037",
    /// `*.D` where the Public Suffix List has a rule for `D` or under it
    /// (`*.com`, `*.amazonaws.com`): an error with `credentials on`, a
    /// warning otherwise.
    WildcardUnderPublicSuffix = 38 => "CORS0038",
    /// An origin has upper-case letters; it is matched lower-cased (warning).
    UppercaseOrigin = 39 => "CORS0039",
    /// The `null` origin: an error with `credentials on`, a warning otherwise.
    NullOrigin = 40 => "CORS0040",
    /// `origins *` together with `credentials on`.
    AnyOriginWithCredentials = 41 => "CORS0041",
    /// A non-loopback `http://` origin with `credentials on` and without
    /// `allow-insecure-origins on`.
    InsecureOriginWithCredentials = 42 => "CORS0042",
    /// The same origin is listed twice (warning).
    DuplicateOrigin = 43 => "CORS0043",
    /// Origins listed next to `*`, which already allows them (warning).
    RedundantOrigin = 44 => "CORS0044",
    /// A regex origin pattern (`~"..."`) is not a valid regex, or uses a
    /// feature an automaton cannot run (backreferences, look-around, word
    /// boundaries, anchors inside the pattern, repetitions above 255).
    InvalidRegex = 45 => "CORS0045",
    /// A regex origin pattern can match an origin whose registrable domain
    /// it does not spell out literally (a missing `\.`, an open `.*`, a
    /// class where the domain should be).
    RegexOutsideDomain = 46 => "CORS0046",
    /// A regex origin pattern can match a string no browser sends as an
    /// `Origin`: upper case, a path, a userinfo, an empty label, `null`.
    RegexMatchesNonOrigin = 47 => "CORS0047",
    /// A regex origin pattern is too complex to compile or to prove safe.
    RegexTooComplex = 48 => "CORS0048",
    /// A regex (`~"..."`) is written in a directive other than `origins`.
    RegexOutsideOrigins = 49 => "CORS0049",
    /// A method is not an RFC 9110 token.
    InvalidMethod = 50 => "CORS0050",
    /// `get`, `Post`, ...: one of the six methods browsers upper-case,
    /// written otherwise, so it would never match.
    LowercaseStandardMethod = 51 => "CORS0051",
    /// Another method not in upper case, e.g. `patch` (warning).
    LowercaseMethod = 52 => "CORS0052",
    /// CONNECT, TRACE or TRACK, which browsers refuse to send.
    ForbiddenMethod = 53 => "CORS0053",
    /// `methods *`, which is not supported.
    WildcardMethod = 54 => "CORS0054",
    /// The same method is listed twice (warning).
    DuplicateMethod = 55 => "CORS0055",
    /// A header name is not an RFC 9110 token.
    InvalidHeaderName = 60 => "CORS0060",
    /// The same header name is listed twice (warning).
    DuplicateHeader = 61 => "CORS0061",
    /// `allow-headers` lists a forbidden request header, which a page can
    /// never set (warning).
    ForbiddenRequestHeader = 62 => "CORS0062",
    /// `allow-headers *` or `expose-headers *` with `credentials on`.
    AnyHeaderWithCredentials = 63 => "CORS0063",
    /// `max-age` is not `N`, `Ns`, `Nm` or `Nh`.
    InvalidDuration = 70 => "CORS0070",
    /// `max-age` above 86400 seconds.
    MaxAgeTooLarge = 71 => "CORS0071",
    /// `max-age` above 7200 seconds, more than browsers honour (warning).
    MaxAgeAboveBrowserCap = 72 => "CORS0072",
    /// A host written in Unicode has a label that mixes scripts (UTS #39),
    /// such as a Cyrillic `а` among Latin letters: a look-alike (warning).
    MixedScriptHost = 73 => "CORS0073",
}

impl Code {
    /// The code's number, e.g. `11` for `CORS0011`.
    pub fn number(self) -> u16 {
        self as u16
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The class of problem.
    pub code: Code,
    /// The headline, e.g. ``unknown directive `orgins` ``.
    pub message: String,
    /// Byte range of the offending source text (the primary label).
    pub span: Range<usize>,
    /// Text shown under the caret; may be empty.
    pub label: String,
    /// Secondary labels: other places that explain the problem, such as
    /// the first occurrence of a duplicate.
    pub notes: Vec<(Range<usize>, String)>,
    /// How to fix it, shown as `= help: ...`.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of the given severity with no label, notes or help.
    pub fn new(
        severity: Severity,
        code: Code,
        message: impl Into<String>,
        span: Range<usize>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            span,
            label: String::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// An error.
    pub fn error(code: Code, message: impl Into<String>, span: Range<usize>) -> Self {
        Self::new(Severity::Error, code, message, span)
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>, span: Range<usize>) -> Self {
        Self::new(Severity::Warning, code, message, span)
    }

    /// Sets the text under the caret.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a secondary label at `span`.
    #[must_use]
    pub fn with_note(mut self, span: Range<usize>, message: impl Into<String>) -> Self {
        self.notes.push((span, message.into()));
        self
    }

    /// Sets the help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How [`Diagnostics::render`] lays diagnostics out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RenderStyle {
    /// rustc-like: headline, `--> file:line:col`, the source line, a caret
    /// with its label, secondary labels, `= help: ...`.
    #[default]
    Rich,
    /// One line per diagnostic: `file:line:col: error[CORS0011]: message`.
    Short,
}

/// Every diagnostic reported about one source file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// The diagnostics, in the order they were reported.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many diagnostics were reported.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when at least one error was reported.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// How many errors were reported.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// How many warnings were reported.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// The diagnostics sorted by source position (stable, so reports about
    /// the same place keep their order).
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut sorted: Vec<&Diagnostic> = self.items.iter().collect();
        sorted.sort_by_key(|d| (d.span.start, d.span.end));
        sorted
    }

    /// Renders every diagnostic, sorted by position, as plain text (no
    /// colour, ASCII only). `file_name` is printed as given.
    ///
    /// Spans are clamped to `source` and to character boundaries, so this
    /// never panics, even on a span past the end or inside a multi-byte
    /// character.
    pub fn render(&self, file_name: &str, source: &str, style: RenderStyle) -> String {
        let file = SimpleFile::new(file_name, source);
        let config = term::Config {
            display_style: match style {
                RenderStyle::Rich => DisplayStyle::Rich,
                RenderStyle::Short => DisplayStyle::Short,
            },
            chars: Chars::ascii(),
            ..term::Config::default()
        };
        let mut writer = NoColor::new(Vec::new());
        for diagnostic in self.sorted() {
            let rendered = to_codespan(diagnostic, source);
            // Emitting into a Vec cannot fail, and the spans were clamped,
            // so an error here would be a codespan bug: skip rather than panic.
            let _ = term::emit(&mut writer, &config, &file, &rendered);
        }
        String::from_utf8_lossy(&writer.into_inner()).into_owned()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, iter: T) {
        self.items.extend(iter);
    }
}

/// Converts to codespan's type, clamping spans into `source`.
fn to_codespan(diagnostic: &Diagnostic, source: &str) -> cs::Diagnostic<()> {
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = vec![cs::Label::primary((), clamp_span(&diagnostic.span, source))
        .with_message(diagnostic.label.clone())];
    labels.extend(diagnostic.notes.iter().map(|(span, text)| {
        cs::Label::secondary((), clamp_span(span, source)).with_message(text.clone())
    }));
    let notes = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {help}"))
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// `span` limited to `source` and widened to character boundaries.
fn clamp_span(span: &Range<usize>, source: &str) -> Range<usize> {
    let mut start = span.start.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_text_matches_number() {
        for code in Code::ALL {
            assert_eq!(code.as_str(), format!("CORS{:04}", code.number()));
        }
    }

    #[test]
    fn code_numbers_are_unique_and_sorted() {
        for pair in Code::ALL.windows(2) {
            assert!(pair[0].number() < pair[1].number());
        }
    }

    #[test]
    fn render_never_panics_on_odd_spans() {
        let sources = ["", "é", "policy é {\n", "a\nb\n"];
        // A reversed span (start > end) must not panic either.
        #[allow(clippy::reversed_empty_ranges)]
        let spans = [0..0, 0..1, 1..2, 2..100, 100..200, 5..3];
        for source in sources {
            let mut diagnostics = Diagnostics::new();
            for span in spans.clone() {
                diagnostics.push(
                    Diagnostic::error(Code::UnexpectedToken, "x", span.clone())
                        .with_note(span, "y")
                        .with_help("z"),
                );
            }
            for style in [RenderStyle::Rich, RenderStyle::Short] {
                let _ = diagnostics.render("f", source, style);
            }
        }
    }

    #[test]
    fn short_style_is_one_line_each() {
        let source = "policy a {\n  orgins x;\n}\n";
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(Diagnostic::error(Code::UnknownDirective, "unknown", 13..19));
        diagnostics.push(Diagnostic::warning(Code::DuplicateHeader, "dup", 0..6));
        let text = diagnostics.render("api.corspolicy", source, RenderStyle::Short);
        assert_eq!(
            text,
            "api.corspolicy:1:1: warning[CORS0061]: dup\napi.corspolicy:2:3: error[CORS0010]: unknown\n"
        );
    }
}
