//! Errors and warnings about a `.corspolicy` file, and their rendering.
//!
//! The lexer, the parser and the validator all report problems as
//! [`Diagnostic`] values collected in one [`Diagnostics`]; nothing stops at
//! the first error, so one run shows every problem. [`Diagnostics::render`]
//! prints them with `codespan-reporting`, either rustc-like
//! ([`RenderStyle::Rich`]) or one line each ([`RenderStyle::Short`], the form
//! nginx prints), always without colour and with ASCII characters only.
//! Rendering is linear in its output: identical diagnostics are grouped
//! into one "... and N more like this" line after the first
//! [`FULL_RENDERS_PER_GROUP`], and lines longer than [`MAX_LINE_WIDTH`]
//! are windowed (see [`Diagnostics::render`]).
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
//! | CORS0005 | [`Code::NameValueSeparator`] | error | `=` or `:` between a directive's name and its values (`max-age = 600;`, `credentials: on;`) |
//! | CORS0006 | [`Code::CommaSeparatedList`] | error | values separated by commas (`methods GET, POST;`) instead of spaces |
//! | CORS0007 | [`Code::QuotedList`] | error | one quoted string holding several values (`origins "https://a.com https://b.com";`) |
//! | CORS0008 | [`Code::BracketList`] | error | a JSON- or YAML-style `[ ... ]` list (`methods [GET, POST];`) |
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
//! | CORS0075 | [`Code::LegacyPrivateNetwork`] | warning | `private-network on`: only old embedded browsers still send Private Network Access preflights |
//! | CORS0080 | [`Code::RegexSeveralDomains`] | warning | a regex matching several registrable domains one letter apart |
//! | CORS0081 | [`Code::AutomatonTooLarge`] | error | a policy's origin automata exceed the compiler's budget |
//!
//! The importers (`corsc import`, [`crate::import`]) report through the same
//! type, with codes of their own ([`Code::is_import`]), located in the
//! imported settings file rather than in a `.corspolicy` file:
//!
//! | code | variant | severity | meaning |
//! |---|---|---|---|
//! | CORS0090 | [`Code::ImportNotLiteral`] | error | a setting's value is computed (a call, a name, an f-string, ...) or assigned inside an indented block: not imported |
//! | CORS0091 | [`Code::ImportWrongType`] | error | a setting or one of its items has a type django-cors-headers does not expect: not imported |
//! | CORS0092 | [`Code::ImportUntranslatable`] | error | a value with no `.corspolicy` translation: an origin django never matched, a regex or `CORS_URLS_REGEX` that cannot be rewritten |
//! | CORS0093 | [`Code::ImportUnsafe`] | error | a combination django allowed and corsc refuses: any origin, `null` or a plain `http://` origin, with credentials |
//! | CORS0094 | [`Code::ImportRefusedByCheck`] | error | the generated policy is refused by `corsc check` or cannot be compiled |
//! | CORS0095 | [`Code::ImportIgnored`] | warning | a setting or value left out: django ignores it too, or corsc has no equivalent |
//! | CORS0096 | [`Code::ImportAdjusted`] | warning | a value imported in another form than written, with the behaviour change said in the output |
//! | CORS0097 | [`Code::ImportFlagged`] | warning | a value imported as django had it, which `corsc check` warns about or refuses |
//!
//! `test` blocks ([`crate::policy_tests`]) are checked by `check` and
//! `compile` like the policies (an invalid test makes the file invalid),
//! and run by `corsc test`:
//!
//! | code | variant | severity | meaning |
//! |---|---|---|---|
//! | CORS0100 | [`Code::TestUnknownDirective`] | error | a directive a `test` block does not know |
//! | CORS0101 | [`Code::TestDuplicate`] | error | a directive written twice in a test (other than `expect-header`, `expect-no-header`), or two tests with one name |
//! | CORS0102 | [`Code::TestMissingDirective`] | error | a test without `request` or without `expect` |
//! | CORS0103 | [`Code::TestWrongArguments`] | error | missing or extra arguments, an empty test name |
//! | CORS0104 | [`Code::TestInvalidRequest`] | error | a method, path or header name a request cannot carry; a regex |
//! | CORS0105 | [`Code::TestMalformedOrigin`] | error | an unquoted `origin` that is not `null` or `scheme://host[:port]` in lower case |
//! | CORS0106 | [`Code::TestInvalidExpectation`] | error | an unknown decision or reason, a status outside 100..=599, a header corsc never sets |
//! | CORS0107 | [`Code::TestCannotPass`] | error | expectations no outcome of the request can meet |
//! | CORS0108 | [`Code::TestTooLarge`] | error | more than 1,000 tests, 64 directives per test, 64 arguments, 8 KiB per argument or test name |
//! | CORS0109 | [`Code::TestFailed`] | error | `corsc test`: the outcome differs from the test's expectations |

use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
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
    /// `=` or `:` between a directive's name and its values, as in
    /// `max-age = 600;` or `credentials: on;`.
    NameValueSeparator = 5 => "CORS0005",
    /// A list directive's values separated by commas (`methods GET, POST;`)
    /// instead of spaces.
    CommaSeparatedList = 6 => "CORS0006",
    /// One quoted string holding several values of a list directive
    /// (`origins "https://a.com https://b.com";`).
    QuotedList = 7 => "CORS0007",
    /// A JSON- or YAML-style `[ ... ]` list (`methods [GET, POST];`).
    BracketList = 8 => "CORS0008",
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
    /// `private-network on`: Chrome replaced Private Network Access
    /// preflights with the Local Network Access permission prompt, so only
    /// old embedded browsers send `Access-Control-Request-Private-Network`
    /// (warning).
    LegacyPrivateNetwork = 75 => "CORS0075",
    /// A regex origin pattern matches several registrable domains, two of
    /// which differ by one letter (`example\.com?`): warning.
    RegexSeveralDomains = 80 => "CORS0080",
    /// A policy's origin patterns together need more automaton states, or
    /// more work to build them, than the compiler's fixed budget.
    AutomatonTooLarge = 81 => "CORS0081",
    /// Import: a setting's value is not a literal the reader can evaluate
    /// without running Python (a call, a name, an f-string, a
    /// comprehension, ...), or the setting is assigned inside an indented
    /// block (`if DEBUG:`, a function). Not imported.
    ImportNotLiteral = 90 => "CORS0090",
    /// Import: a setting, or an item of a list setting, has a type the
    /// framework does not expect (a number where a list of strings is
    /// read, a list where an integer is). Not imported.
    ImportWrongType = 91 => "CORS0091",
    /// Import: a value that has no `.corspolicy` translation: a listed
    /// origin the framework never matched (or crashed on), a regex that
    /// cannot be rewritten, a `CORS_URLS_REGEX` that is not a path prefix,
    /// a control character in a name. Not imported, or (for the URL regex)
    /// imported as every path.
    ImportUntranslatable = 92 => "CORS0092",
    /// Import: a combination the framework allowed and corsc refuses as
    /// unsafe: any origin, the `null` origin, or a non-loopback `http://`
    /// origin, together with credentials.
    ImportUnsafe = 93 => "CORS0093",
    /// Import: the generated policy is refused by `corsc check` (the
    /// message names check's own code) or cannot be compiled, so the import
    /// is never complete when corsc would not accept its output.
    ImportRefusedByCheck = 94 => "CORS0094",
    /// Import: a setting or value left out (warning): the framework
    /// ignores it too (an earlier assignment, a legacy name the current
    /// one overrides, origin lists next to allow-all) or corsc has no
    /// equivalent (an unknown setting, `file://`, a forbidden method, a
    /// negative max-age).
    ImportIgnored = 95 => "CORS0095",
    /// Import: a value imported in another form than written (warning): a
    /// bare string as a one-element list, a non-boolean flag as its truth
    /// value, an origin or method corrected, a max-age capped, a regex
    /// matched against the whole origin. The output's summary says what
    /// behaviour changes.
    ImportAdjusted = 96 => "CORS0096",
    /// Import: a value imported as the framework had it, which `corsc
    /// check` warns about or refuses (warning): the `null` origin,
    /// `private-network on`, a regex with a lookaround, a backreference or
    /// case-insensitivity.
    ImportFlagged = 97 => "CORS0097",
    /// Test block: a directive a `test` block does not know.
    TestUnknownDirective = 100 => "CORS0100",
    /// Test block: a directive other than `expect-header` or
    /// `expect-no-header` written twice, or two tests with the same name.
    TestDuplicate = 101 => "CORS0101",
    /// Test block: no `request` or no `expect` directive.
    TestMissingDirective = 102 => "CORS0102",
    /// Test block: a directive with too few or too many arguments, or an
    /// empty test name.
    TestWrongArguments = 103 => "CORS0103",
    /// Test block: a method, path or header name that a request cannot
    /// carry, or a regex where a value is expected.
    TestInvalidRequest = 104 => "CORS0104",
    /// Test block: an unquoted `origin` that is not what a browser sends
    /// (`null` or `scheme://host[:port]` in lower case).
    TestMalformedOrigin = 105 => "CORS0105",
    /// Test block: an unknown decision or reason, a status that is not
    /// 100..=599, a header corsc never sets.
    TestInvalidExpectation = 106 => "CORS0106",
    /// Test block: expectations no outcome of its request can meet (a
    /// preflight decision for a request that is not one, a status for an
    /// actual request, a header both expected and forbidden, ...).
    TestCannotPass = 107 => "CORS0107",
    /// Test block: more tests, directives, arguments or bytes than the
    /// caps of [`crate::policy_tests`].
    TestTooLarge = 108 => "CORS0108",
    /// `corsc test`: a test whose outcome differs from its expectations.
    TestFailed = 109 => "CORS0109",
}

impl Code {
    /// The code's number, e.g. `11` for `CORS0011`.
    pub fn number(self) -> u16 {
        self as u16
    }

    /// Whether an importer reports this code (CORS0090 to CORS0099), about
    /// an imported settings file, rather than `check` or the compiler about
    /// a `.corspolicy` file.
    pub fn is_import(self) -> bool {
        (90..100).contains(&self.number())
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

    /// Renders the diagnostics, sorted by position, as plain text (no
    /// colour, ASCII only). `file_name` is printed as given.
    ///
    /// The output grows linearly with the number of diagnostics, never with
    /// the length of the lines they point into:
    ///
    /// - Identical diagnostics (same severity, code, message, label and
    ///   help; only the place differs) form a group. The first
    ///   [`FULL_RENDERS_PER_GROUP`] of a group, in source order, are
    ///   rendered in full; where the next one would be, a single summary
    ///   line stands for all the others, with their exact count:
    ///
    ///   ```text
    ///   warning[CORS0043]: origin `https://a.test` is listed twice ... and 7,998 more like this
    ///   ```
    ///
    ///   In [`RenderStyle::Short`] it is one line located at the first one
    ///   left out: `file:1:65: warning[CORS0043]: origin ... and 7,998 more
    ///   like this`. [`Diagnostics::iter`] still yields every diagnostic.
    /// - A source line longer than [`MAX_LINE_WIDTH`] bytes is not printed
    ///   whole: each label gets a window of that line around its span,
    ///   marked `...` where it is cut, with the real line and column
    ///   numbers. A label spanning several lines is then shown on its first
    ///   line.
    ///
    /// Spans are clamped to `source` and to character boundaries, so this
    /// never panics, even on a span past the end or inside a multi-byte
    /// character.
    pub fn render(&self, file_name: &str, source: &str, style: RenderStyle) -> String {
        let index = SourceIndex::new(file_name, source);
        let config = term::Config {
            display_style: match style {
                RenderStyle::Rich => DisplayStyle::Rich,
                RenderStyle::Short => DisplayStyle::Short,
            },
            chars: Chars::ascii(),
            ..term::Config::default()
        };
        let sorted = self.sorted();
        let mut totals: HashMap<GroupKey<'_>, usize> = HashMap::default();
        for diagnostic in &sorted {
            *totals.entry(GroupKey::of(diagnostic)).or_default() += 1;
        }
        let mut seen: HashMap<GroupKey<'_>, usize> = HashMap::default();
        let mut writer = NoColor::new(Vec::new());
        for diagnostic in sorted {
            let key = GroupKey::of(diagnostic);
            let count = seen.entry(key).or_default();
            *count += 1;
            if *count <= FULL_RENDERS_PER_GROUP {
                emit(&mut writer, &config, &index, diagnostic);
            } else if *count == FULL_RENDERS_PER_GROUP + 1 {
                let more = totals[&key] - FULL_RENDERS_PER_GROUP;
                let text = format!(
                    "{}[{}]: {} ... and {} more like this",
                    diagnostic.severity,
                    diagnostic.code,
                    diagnostic.message,
                    thousands(more)
                );
                let out = writer.get_mut();
                match style {
                    RenderStyle::Rich => {
                        out.extend_from_slice(text.as_bytes());
                        out.extend_from_slice(b"\n\n");
                    }
                    RenderStyle::Short => {
                        let start = clamp_span(&diagnostic.span, source).start;
                        let line = index.line_index(start);
                        let location = format!(
                            "{file_name}:{}:{}: {text}\n",
                            line + 1,
                            index.column(line, start)
                        );
                        out.extend_from_slice(location.as_bytes());
                    }
                }
            }
        }
        String::from_utf8_lossy(&writer.into_inner()).into_owned()
    }
}

/// Renders diagnostics one at a time against one source, and locates byte
/// offsets in it: for machine-readable output (`corsc check
/// --message-format json`), where each diagnostic is its own record,
/// never grouped as in [`Diagnostics::render`].
///
/// The source is indexed once (linear); rendering one diagnostic costs
/// O(log lines) plus its output, whose long lines are windowed as in
/// [`Diagnostics::render`]. Lines count from 1, columns from 1 in
/// characters (not bytes), as the rendered text shows them.
pub struct Renderer<'s> {
    index: SourceIndex<'s>,
    config: term::Config,
}

impl<'s> Renderer<'s> {
    /// Indexes `source`, named `file_name` in the rendered text.
    pub fn new(file_name: &'s str, source: &'s str, style: RenderStyle) -> Self {
        Renderer {
            index: SourceIndex::new(file_name, source),
            config: term::Config {
                display_style: match style {
                    RenderStyle::Rich => DisplayStyle::Rich,
                    RenderStyle::Short => DisplayStyle::Short,
                },
                chars: Chars::ascii(),
                ..term::Config::default()
            },
        }
    }

    /// `diagnostic` rendered alone, as [`Diagnostics::render`] renders it
    /// in full.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let mut writer = NoColor::new(Vec::new());
        emit(&mut writer, &self.config, &self.index, diagnostic);
        String::from_utf8_lossy(&writer.into_inner()).into_owned()
    }

    /// `span` limited to the source and widened to character boundaries,
    /// as rendering does; never panics, even on a reversed span.
    pub fn clamp(&self, span: &Range<usize>) -> Range<usize> {
        clamp_span(span, self.index.source)
    }

    /// The line and column (both from 1) of byte `at`, clamped to the
    /// source.
    pub fn locate(&self, at: usize) -> (usize, usize) {
        let at = self.clamp(&(at..at)).start;
        let line = self.index.line_index(at);
        (line + 1, self.index.column(line, at))
    }
}

/// How many diagnostics of one group [`Diagnostics::render`] renders in
/// full before summing the rest up in one line.
pub const FULL_RENDERS_PER_GROUP: usize = 2;

/// The longest source line [`Diagnostics::render`] prints whole, in bytes;
/// a longer one is shown as a window of about this width around each label.
pub const MAX_LINE_WIDTH: usize = 160;

/// What makes two diagnostics "the same" for grouping: all but the place.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey<'d> {
    severity: Severity,
    code: Code,
    message: &'d str,
    label: &'d str,
    help: Option<&'d str>,
}

impl<'d> GroupKey<'d> {
    fn of(diagnostic: &'d Diagnostic) -> Self {
        GroupKey {
            severity: diagnostic.severity,
            code: diagnostic.code,
            message: &diagnostic.message,
            label: &diagnostic.label,
            help: diagnostic.help.as_deref(),
        }
    }
}

/// `n` with `,` between thousands: `7,998`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Renders one diagnostic: against the whole source when every label sits
/// on one short line, else against an [`Excerpt`] of windows.
fn emit(
    writer: &mut NoColor<Vec<u8>>,
    config: &term::Config,
    index: &SourceIndex<'_>,
    diagnostic: &Diagnostic,
) {
    let source = index.source;
    let primary = clamp_span(&diagnostic.span, source);
    let notes: Vec<(Range<usize>, &str)> = diagnostic
        .notes
        .iter()
        .map(|(span, text)| (clamp_span(span, source), text.as_str()))
        .collect();
    let short = std::iter::once(&primary)
        .chain(notes.iter().map(|(span, _)| span))
        .all(|span| {
            let line = index.line_index(span.start);
            let range = index.line_range(line);
            span.end <= range.end && range.len() <= MAX_LINE_WIDTH
        });
    // Emitting into a Vec cannot fail, and the spans were clamped, so an
    // error here would be a codespan bug: skip rather than panic.
    if short {
        let rendered = to_codespan(diagnostic, primary, &notes);
        let _ = term::emit(writer, config, index, &rendered);
    } else {
        let excerpt = Excerpt::new(
            index,
            std::iter::once(&primary).chain(notes.iter().map(|(s, _)| s)),
        );
        let primary = excerpt.map(&primary);
        let notes: Vec<(Range<usize>, &str)> =
            notes.iter().map(|(s, t)| (excerpt.map(s), *t)).collect();
        let rendered = to_codespan(diagnostic, primary, &notes);
        let _ = term::emit(writer, config, &excerpt, &rendered);
    }
}

/// Line starts and character counts of a source, computed once per
/// [`Diagnostics::render`] (and per import, for its settings file and its
/// one-line rendering), so that locating a diagnostic costs
/// O(log lines + [`CHECKPOINT`]) whatever the file's size.
pub(crate) struct SourceIndex<'s> {
    name: &'s str,
    source: &'s str,
    /// The byte where each line starts.
    line_starts: Vec<usize>,
    /// `checkpoints[k]`: how many characters start before byte
    /// `k * CHECKPOINT`.
    checkpoints: Vec<usize>,
}

/// The distance between two [`SourceIndex`] character counts, in bytes.
const CHECKPOINT: usize = 1024;

impl<'s> SourceIndex<'s> {
    pub(crate) fn new(name: &'s str, source: &'s str) -> Self {
        let line_starts = codespan_reporting::files::line_starts(source).collect();
        let mut checkpoints = vec![0];
        let mut chars = 0;
        for chunk in source.as_bytes().chunks(CHECKPOINT) {
            chars += chunk.iter().filter(|b| !is_continuation(**b)).count();
            checkpoints.push(chars);
        }
        SourceIndex {
            name,
            source,
            line_starts,
            checkpoints,
        }
    }

    /// The line (from 0) holding byte `at`; the last line past the end.
    pub(crate) fn line_index(&self, at: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= at)
            .saturating_sub(1)
    }

    /// Line `line`'s text, without its line break.
    fn line_range(&self, line: usize) -> Range<usize> {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.source.len());
        let next = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.source.len());
        let text = &self.source[start..next];
        start..start + text.trim_end_matches(['\n', '\r']).len()
    }

    /// How many characters start before byte `at`.
    fn chars_before(&self, at: usize) -> usize {
        let at = at.min(self.source.len());
        let k = at / CHECKPOINT;
        let from = k * CHECKPOINT;
        self.checkpoints[k]
            + self.source.as_bytes()[from..at]
                .iter()
                .filter(|b| !is_continuation(**b))
                .count()
    }

    /// The column (from 1, in characters) of byte `at` on line `line`.
    pub(crate) fn column(&self, line: usize, at: usize) -> usize {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.source.len());
        self.chars_before(at)
            .saturating_sub(self.chars_before(start))
            + 1
    }
}

/// A UTF-8 continuation byte (`10xxxxxx`), which starts no character.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

impl<'a> Files<'a> for SourceIndex<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.source)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(SourceIndex::line_index(self, byte_index))
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        match self.line_starts.get(line_index) {
            Some(&start) => Ok(start
                ..self
                    .line_starts
                    .get(line_index + 1)
                    .copied()
                    .unwrap_or(self.source.len())),
            None => Err(files::Error::LineTooLarge {
                given: line_index,
                max: self.line_starts.len().saturating_sub(1),
            }),
        }
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        Ok(self.column(line_index, byte_index))
    }
}

/// The marker for text cut from an excerpt line.
const CUT: &str = "...";

/// Windows of long source lines, one per label, laid out as the text
/// codespan renders, with the original line and column numbers.
struct Excerpt<'s> {
    index: &'s SourceIndex<'s>,
    text: String,
    windows: Vec<Window>,
}

/// One excerpt line: `text[start..end]` shows `source[from..to]` (after a
/// [`CUT`] marker when `from` is not the line's start).
struct Window {
    start: usize,
    end: usize,
    /// Where `source[from..]` begins in `text`.
    body: usize,
    from: usize,
    to: usize,
    line: usize,
}

impl<'s> Excerpt<'s> {
    /// Windows for the lines of `spans` (each span on its first line), in
    /// source order; spans sharing a window share it.
    fn new<'r>(index: &'s SourceIndex<'s>, spans: impl Iterator<Item = &'r Range<usize>>) -> Self {
        let source = index.source;
        let mut wanted: Vec<(usize, usize, usize)> = spans
            .map(|span| (index.line_index(span.start), span.start, span.end))
            .collect();
        wanted.sort_unstable();
        let mut windows: Vec<Window> = Vec::new();
        let mut text = String::new();
        for (line, start, end) in wanted {
            if let Some(last) = windows.last() {
                if last.line == line && start >= last.from && end <= last.to {
                    continue;
                }
            }
            let range = index.line_range(line);
            // About MAX_LINE_WIDTH bytes: some context before the span, the
            // span itself (cut if longer), the rest after it.
            let before = MAX_LINE_WIDTH / 4;
            let mut from = start.saturating_sub(before).max(range.start);
            let mut to = (from + MAX_LINE_WIDTH).min(range.end).max(from);
            while !source.is_char_boundary(from) {
                from -= 1;
            }
            while !source.is_char_boundary(to) {
                to += 1;
            }
            let window_start = text.len();
            if from > range.start {
                text.push_str(CUT);
            }
            let body = text.len();
            text.push_str(&source[from..to]);
            if to < range.end {
                text.push_str(CUT);
            }
            let window_end = text.len();
            text.push('\n');
            windows.push(Window {
                start: window_start,
                end: window_end,
                body,
                from,
                to,
                line,
            });
        }
        Excerpt {
            index,
            text,
            windows,
        }
    }

    /// `span` (clamped to the source) moved into the excerpt, cut to its
    /// window.
    fn map(&self, span: &Range<usize>) -> Range<usize> {
        let line = self.index.line_index(span.start);
        let window = self
            .windows
            .iter()
            .find(|w| w.line == line && w.from <= span.start && span.start <= w.to)
            .or_else(|| self.windows.iter().find(|w| w.line == line));
        match window {
            Some(w) => {
                let start = w.body + (span.start.clamp(w.from, w.to) - w.from);
                let end = w.body + (span.end.clamp(w.from, w.to) - w.from);
                start..end.max(start)
            }
            None => 0..0,
        }
    }

    /// The window holding excerpt byte `at`.
    fn window(&self, at: usize) -> usize {
        self.windows
            .partition_point(|w| w.start <= at)
            .saturating_sub(1)
    }
}

// Excerpt line `i` is reported as line index `3 * i`, so codespan never
// takes two windows for neighbouring lines: it prints a `...` break
// between them instead of asking for the line in between.
impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.index.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(3 * self.window(byte_index))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, files::Error> {
        self.windows
            .get(line_index / 3)
            .filter(|_| line_index.is_multiple_of(3))
            .map(|w| w.line + 1)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: 3 * self.windows.len().saturating_sub(1),
            })
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        self.windows
            .get(line_index / 3)
            .filter(|_| line_index.is_multiple_of(3))
            .map(|w| w.start..w.end + 1)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: 3 * self.windows.len().saturating_sub(1),
            })
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let Some(w) = self.windows.get(line_index / 3) else {
            return Ok(1);
        };
        let offset = byte_index.clamp(w.body, w.body + (w.to - w.from)) - w.body;
        Ok(self.index.column(w.line, w.from + offset))
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

/// Converts to codespan's type, with the (clamped, possibly moved) spans.
fn to_codespan(
    diagnostic: &Diagnostic,
    primary: Range<usize>,
    notes: &[(Range<usize>, &str)],
) -> cs::Diagnostic<()> {
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = vec![cs::Label::primary((), primary).with_message(diagnostic.label.clone())];
    labels.extend(
        notes
            .iter()
            .map(|(span, text)| cs::Label::secondary((), span.clone()).with_message(*text)),
    );
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
        let long = format!("{}\n{}\n", "é".repeat(300), "a".repeat(500));
        let sources = ["", "é", "policy é {\n", "a\nb\n", &long];
        // A reversed span (start > end) must not panic either; the last
        // ones cross the long lines and their line breaks.
        #[allow(clippy::reversed_empty_ranges)]
        let spans = [
            0..0,
            0..1,
            1..2,
            2..100,
            100..200,
            5..3,
            599..602,
            1..1000,
            600..601,
            1100..1102,
        ];
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
    fn renderer_locates_in_characters_and_clamps() {
        let source = "ab\né x\n";
        let renderer = Renderer::new("f", source, RenderStyle::Short);
        assert_eq!(renderer.locate(0), (1, 1));
        assert_eq!(renderer.locate(3), (2, 1));
        // `x` is byte 6 but character 3 of its line.
        assert_eq!(renderer.locate(6), (2, 3));
        // Inside `é` (bytes 3..5): its start; past the end: the end.
        assert_eq!(renderer.locate(4), (2, 1));
        assert_eq!(renderer.locate(100), (3, 1));
        assert_eq!(renderer.clamp(&(4..100)), 3..8);
    }

    #[test]
    fn renderer_renders_one_diagnostic_as_render_does() {
        let source = "policy a { x y }\n";
        let diagnostic = Diagnostic::error(Code::UnexpectedToken, "m", 13..14).with_label("l");
        let short = Renderer::new("f", source, RenderStyle::Short);
        assert_eq!(short.render(&diagnostic), "f:1:14: error[CORS0003]: m\n");
        let mut one = Diagnostics::new();
        one.push(diagnostic.clone());
        assert_eq!(
            Renderer::new("f", source, RenderStyle::Rich).render(&diagnostic),
            one.render("f", source, RenderStyle::Rich)
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(7998), "7,998");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn source_index_counts_characters() {
        let source = format!("ab\n{}x\n", "é".repeat(3000));
        let index = SourceIndex::new("f", &source);
        assert_eq!(index.line_index(0), 0);
        assert_eq!(index.line_index(3), 1);
        assert_eq!(index.line_index(source.len() + 10), 2);
        let x = source.find('x').expect("x");
        assert_eq!(index.column(1, x), 3001);
        assert_eq!(index.column(0, 1), 2);
        assert_eq!(index.line_range(1), 3..x + 1);
    }

    #[test]
    fn groups_differ_by_label_and_help() {
        let source = "policy a { x y z w }\n";
        let mut diagnostics = Diagnostics::new();
        for (i, label) in ["l", "l", "l", "other"].iter().enumerate() {
            diagnostics.push(
                Diagnostic::error(Code::UnexpectedToken, "m", 11 + 2 * i..12 + 2 * i)
                    .with_label(*label),
            );
        }
        let text = diagnostics.render("f", source, RenderStyle::Short);
        assert_eq!(
            text,
            "f:1:12: error[CORS0003]: m\nf:1:14: error[CORS0003]: m\n\
             f:1:16: error[CORS0003]: m ... and 1 more like this\nf:1:18: error[CORS0003]: m\n"
        );
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
