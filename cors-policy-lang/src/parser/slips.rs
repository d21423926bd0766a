//! The common slips in a directive's arguments, each reported once and
//! repaired so that validation sees what was meant and reports nothing
//! more about it:
//!
//! | slip | code | repaired to |
//! |---|---|---|
//! | `max-age = 600;`, `credentials: on;`, `max-age=600;` | CORS0005 | `max-age 600;` |
//! | `methods GET, POST;` | CORS0006 | `methods GET POST;` |
//! | `origins "https://a.com https://b.com";` | CORS0007 | two arguments |
//! | `methods [GET, POST];`, `origins ["https://a.com"];` | CORS0008 | `methods GET POST;` |
//! | `methods:` `- GET` `- POST` (YAML) | CORS0008 | `methods GET POST;` |
//!
//! A comma, a bracket or a space can never be part of an origin, a method
//! or a header name, so for those directives the repair cannot change the
//! meaning of a valid file. A path may hold a comma (`/a,b/`), so in
//! `paths` only a comma between arguments (`/a/, /b/`) is a slip, and a
//! quoted path is left whole (validation refuses its spaces).
//!
//! Every step is linear in the directive's arguments.

use std::ops::Range;

use crate::ast::{Arg, Directive, Spanned};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::validate::is_directive;

/// Directives whose arguments are a list of values, and what one value is
/// called in messages.
const LIST_DIRECTIVES: &[(&str, &str)] = &[
    ("paths", "path prefixes"),
    ("origins", "origins"),
    ("methods", "methods"),
    ("allow-headers", "header names"),
    ("expose-headers", "header names"),
];

/// What one of the directive's values is called, if it takes a list.
fn list_values(name: &str) -> Option<&'static str> {
    LIST_DIRECTIVES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, values)| *values)
}

/// Arguments shown in a corrected directive before `...`.
const SHOWN_ARGS: usize = 4;
/// Characters of one argument shown in a corrected directive before `...`.
const SHOWN_CHARS: usize = 60;

/// Reports and repairs the slips of `directive` (see the module docs).
/// Returns true for a YAML `- item` list, which never has a `;`: its
/// diagnostic (whose help ends in `;`) stands for that too.
pub(super) fn repair(
    directive: &mut Directive,
    source: &str,
    diagnostics: &mut Diagnostics,
) -> bool {
    let mut separator = separator(directive);
    let list = list_slips(directive, source);
    let yaml = list.iter().any(|slip| matches!(slip, ListSlip::Dashes(_)));
    // `origins:` and a `- item` list are one slip: YAML.
    if yaml && matches!(separator, Some((':', _))) {
        separator = None;
    }
    if separator.is_none() && list.is_empty() {
        return false;
    }
    // Each help shows the directive with every slip repaired.
    let fixed = corrected(directive);
    let name = &directive.name.value;
    if let Some((character, span)) = separator {
        let values = if list_values(name).is_some() {
            "values"
        } else {
            "value"
        };
        diagnostics.push(
            Diagnostic::error(
                Code::NameValueSeparator,
                format!("unexpected `{character}` between `{name}` and its {values}"),
                span,
            )
            .with_label(format!("remove this `{character}`"))
            .with_help(format!(
                "a directive is its name, a space and its {values}: `{fixed}`"
            )),
        );
    }
    for slip in list {
        let values = list_values(name).unwrap_or("values");
        let diagnostic = match slip {
            ListSlip::Brackets(span) => Diagnostic::error(
                Code::BracketList,
                format!("`{name}` takes values separated by spaces, not a `[...]` list"),
                span,
            )
            .with_label("a bracketed list")
            .with_help(format!("remove the brackets and commas: `{fixed}`")),
            ListSlip::Quoted { span, count } => Diagnostic::error(
                Code::QuotedList,
                format!("one quoted string holds {count} {values}"),
                span,
            )
            .with_label(format!("{count} values in one string"))
            .with_help(format!("write each as its own argument: `{fixed}`")),
            ListSlip::Dashes(span) => Diagnostic::error(
                Code::BracketList,
                format!("`{name}` takes values separated by spaces, not a `- item` list"),
                span,
            )
            .with_label("a YAML list")
            .with_help(format!("remove the dashes: `{fixed}`")),
            ListSlip::Commas(span) => Diagnostic::error(
                Code::CommaSeparatedList,
                format!("`{name}` takes values separated by spaces, not commas"),
                span,
            )
            .with_label("a comma between values")
            .with_help(format!("remove the commas: `{fixed}`")),
        };
        diagnostics.push(diagnostic);
    }
    yaml
}

/// `credentials: on`, `max-age=600`, `max-age = 600`, `max-age =600`:
/// removes the separator; returns it and where it was.
fn separator(directive: &mut Directive) -> Option<(char, Range<usize>)> {
    let name = directive.name.clone();
    if let Some(index) = name.value.find(['=', ':']) {
        let prefix = &name.value[..index];
        let rest = &name.value[index + 1..];
        // `origins:` or `max-age=600`; not `http://...` (an origin taken
        // as a name after some other slip).
        if !prefix.is_empty() && (is_directive(prefix) || rest.is_empty()) {
            let character = if name.value.as_bytes()[index] == b'=' {
                '='
            } else {
                ':'
            };
            let at = name.span.start + index;
            let end = name.span.end;
            if !rest.is_empty() {
                let value = rest.to_string();
                directive.args.insert(
                    0,
                    Arg {
                        value,
                        quoted: false,
                        regex: false,
                        span: at + 1..end,
                    },
                );
            }
            directive.name = Spanned::new(prefix.to_string(), name.span.start..at);
            return Some((character, at..at + 1));
        }
    }
    let first = directive.args.first_mut()?;
    if first.quoted || !(first.value.starts_with('=') || first.value.starts_with(':')) {
        return None;
    }
    let character = if first.value.starts_with('=') {
        '='
    } else {
        ':'
    };
    let span = first.span.start..first.span.start + 1;
    if first.value.len() == 1 {
        directive.args.remove(0);
    } else {
        first.value.remove(0);
        first.span.start += 1;
    }
    Some((character, span))
}

/// One slip in the way a list is written.
enum ListSlip {
    /// `[a, b]`, over the whole list.
    Brackets(Range<usize>),
    /// `"a b"`: the first such string, and how many values it holds.
    Quoted { span: Range<usize>, count: usize },
    /// `a, b`: the first comma.
    Commas(Range<usize>),
    /// `- a - b`, YAML's block list, from the first `-`.
    Dashes(Range<usize>),
}

/// Finds and repairs bracketed, quoted and comma-separated lists. A
/// bracketed list is one slip (its commas belong to it).
fn list_slips(directive: &mut Directive, source: &str) -> Vec<ListSlip> {
    let name = directive.name.value.as_str();
    let args = &mut directive.args;
    let Some(first) = args.first() else {
        return Vec::new();
    };
    let inner_commas = name != "paths";
    if is_bare(first) && first.value.starts_with('[') {
        let span = first.span.start..args.last().map_or(first.span.end, |last| last.span.end);
        if let Some(first) = args.first_mut() {
            first.value.remove(0);
            first.span.start += 1;
        }
        if let Some(last) = args.last_mut().filter(|last| is_bare(last)) {
            if last.value.ends_with(']') {
                last.value.pop();
                last.span.end -= 1;
            }
        }
        split_commas(args, true);
        args.retain(|arg| !arg.value.is_empty() || !is_bare(arg));
        return vec![ListSlip::Brackets(span)];
    }
    if list_values(name).is_none() {
        return Vec::new();
    }
    // A YAML block list: `- a` `- b`. (No origin, method, header or path
    // is a lone `-`.)
    if let Some(dash) = args.iter().position(|arg| is_bare(arg) && arg.value == "-") {
        let span = args[dash].span.start..args.last().map_or(0, |last| last.span.end);
        args.retain(|arg| !(is_bare(arg) && arg.value == "-"));
        return vec![ListSlip::Dashes(span)];
    }
    let mut slips = Vec::new();
    if name != "paths" {
        if let Some(slip) = split_quoted(args, source) {
            slips.push(slip);
        }
    }
    if let Some(comma) = first_comma(args, inner_commas) {
        split_commas(args, inner_commas);
        slips.push(ListSlip::Commas(comma..comma + 1));
    }
    slips
}

/// Written as a plain word (not quoted, not a regex).
fn is_bare(arg: &Arg) -> bool {
    !arg.quoted && !arg.regex
}

/// The byte offset of the first comma that separates values: a lone `,`,
/// one ending an argument that another follows, one starting an argument
/// after another, or (with `inner`) any comma in a bare argument.
fn first_comma(args: &[Arg], inner: bool) -> Option<usize> {
    let last = args.len().saturating_sub(1);
    args.iter().enumerate().find_map(|(i, arg)| {
        if !is_bare(arg) {
            return None;
        }
        let value = &arg.value;
        let index = if inner {
            value.find(',')
        } else if value.starts_with(',') && i > 0 {
            Some(0)
        } else if value.ends_with(',') && i < last {
            Some(value.len() - 1)
        } else {
            None
        }?;
        Some(arg.span.start + index)
    })
}

/// Splits bare arguments at their commas (every comma with `inner`, else
/// only leading and trailing ones), dropping empty pieces.
fn split_commas(args: &mut Vec<Arg>, inner: bool) {
    let mut out = Vec::with_capacity(args.len());
    for arg in args.drain(..) {
        if !is_bare(&arg) || !arg.value.contains(',') {
            out.push(arg);
            continue;
        }
        let pieces: Vec<(usize, &str)> = if inner {
            arg.value
                .split(',')
                .scan(0, |offset, piece| {
                    let start = *offset;
                    *offset += piece.len() + 1;
                    Some((start, piece))
                })
                .collect()
        } else {
            let start = arg.value.len() - arg.value.trim_start_matches(',').len();
            let trimmed = arg.value.trim_matches(',');
            vec![(start, trimmed)]
        };
        for (offset, piece) in pieces {
            if piece.is_empty() {
                continue;
            }
            let start = arg.span.start + offset;
            out.push(Arg {
                value: piece.to_string(),
                quoted: false,
                regex: false,
                span: start..start + piece.len(),
            });
        }
    }
    *args = out;
}

/// Splits quoted arguments that hold several values (separated by spaces
/// or commas) into one argument each; returns the first such string.
fn split_quoted(args: &mut Vec<Arg>, source: &str) -> Option<ListSlip> {
    // Spaces make a list; commas are split off only inside such a list
    // (`"PUT,POST"` alone is one invalid method). A string with escapes
    // (its text between the quotes differs from its value) was written on
    // purpose: validation reports what is wrong with it (a `\n` in a
    // header name is an injection attempt, not a list).
    let is_separator = |c: char| matches!(c, ' ' | '\t' | ',');
    let holds_several = |arg: &Arg| {
        arg.quoted
            && !arg.regex
            && arg.span.start < arg.span.end
            && source.get(arg.span.start + 1..arg.span.end - 1) == Some(arg.value.as_str())
            && arg
                .value
                .split([' ', '\t'])
                .filter(|p| !p.is_empty())
                .nth(1)
                .is_some()
    };
    let first = args.iter().find(|arg| holds_several(arg))?;
    let slip = ListSlip::Quoted {
        span: first.span.clone(),
        count: first
            .value
            .split(is_separator)
            .filter(|p| !p.is_empty())
            .count(),
    };
    let mut out = Vec::with_capacity(args.len());
    for arg in args.drain(..) {
        if !holds_several(&arg) {
            out.push(arg);
            continue;
        }
        // No escapes: the value is the text between the quotes, so each
        // piece has an exact span.
        let mut offset = 0;
        for piece in arg.value.split(is_separator) {
            let start = offset;
            offset += piece.len() + 1;
            if piece.is_empty() {
                continue;
            }
            let at = arg.span.start + 1 + start;
            let span = at..at + piece.len();
            out.push(Arg {
                value: piece.to_string(),
                quoted: true,
                regex: false,
                span,
            });
        }
    }
    *args = out;
    Some(slip)
}

/// The directive as it should be written, for help lines: at most
/// [`SHOWN_ARGS`] arguments of at most [`SHOWN_CHARS`] characters, quoted
/// only where a word cannot hold the value.
pub(super) fn corrected(directive: &Directive) -> String {
    let mut text = directive.name.value.clone();
    for (i, arg) in directive.args.iter().enumerate() {
        text.push(' ');
        if i == SHOWN_ARGS && directive.args.len() > SHOWN_ARGS + 1 {
            text.push_str("...");
            break;
        }
        let value: String = if arg.value.chars().count() > SHOWN_CHARS {
            let cut: String = arg.value.chars().take(SHOWN_CHARS).collect();
            format!("{cut}...")
        } else {
            arg.value.clone()
        };
        if arg.regex {
            text.push_str(&format!("~\"{value}\""));
        } else if arg.quoted && needs_quotes(&arg.value) {
            text.push('"');
            for c in value.chars() {
                match c {
                    '"' => text.push_str("\\\""),
                    '\\' => text.push_str("\\\\"),
                    '\n' => text.push_str("\\n"),
                    '\t' => text.push_str("\\t"),
                    c => text.push(c),
                }
            }
            text.push('"');
        } else {
            text.push_str(&value);
        }
    }
    text.push(';');
    text
}

/// Whether `value` must be quoted to be one argument.
fn needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value.starts_with('~')
        || value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ';' | '{' | '}' | '"' | '#'))
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Code;
    use crate::parser::parse;

    /// The codes reported and the arguments each directive ends with.
    fn repaired(source: &str) -> (Vec<Code>, Vec<(String, Vec<String>)>) {
        let (file, diagnostics) = parse(source);
        let codes = diagnostics.iter().map(|d| d.code).collect();
        let directives = file
            .policies
            .iter()
            .flat_map(|p| &p.directives)
            .map(|d| {
                (
                    d.name.value.clone(),
                    d.args.iter().map(|a| a.value.clone()).collect(),
                )
            })
            .collect();
        (codes, directives)
    }

    fn one(name: &str, args: &[&str]) -> Vec<(String, Vec<String>)> {
        vec![(
            name.to_string(),
            args.iter().map(|a| a.to_string()).collect(),
        )]
    }

    #[test]
    fn separators_are_removed() {
        for source in [
            "policy a { max-age = 600; }",
            "policy a { max-age: 600; }",
            "policy a { max-age=600; }",
            "policy a { max-age:600; }",
            "policy a { max-age =600; }",
        ] {
            assert_eq!(
                repaired(source),
                (vec![Code::NameValueSeparator], one("max-age", &["600"])),
                "{source}"
            );
        }
        // An unknown name with a trailing `:` loses it (validation then
        // suggests a directive); an origin-like word is left alone.
        assert_eq!(
            repaired("policy a { Access-Control-Max-Age: 600; }").1,
            one("Access-Control-Max-Age", &["600"])
        );
        assert_eq!(
            repaired("policy a { https://x.com; }"),
            (vec![], one("https://x.com", &[]))
        );
    }

    #[test]
    fn comma_lists_are_split() {
        for source in [
            "policy a { methods GET, POST; }",
            "policy a { methods GET,POST; }",
            "policy a { methods GET , POST; }",
            "policy a { methods GET ,POST; }",
        ] {
            assert_eq!(
                repaired(source),
                (
                    vec![Code::CommaSeparatedList],
                    one("methods", &["GET", "POST"])
                ),
                "{source}"
            );
        }
        // In paths a comma inside a prefix is a valid path character.
        assert_eq!(
            repaired("policy a { paths /a,b/ /c/; }"),
            (vec![], one("paths", &["/a,b/", "/c/"]))
        );
        assert_eq!(
            repaired("policy a { paths /a/, /c/; }"),
            (
                vec![Code::CommaSeparatedList],
                one("paths", &["/a/", "/c/"])
            )
        );
        // Not a list directive: left to validation.
        assert_eq!(repaired("policy a { max-age 1,2; }").0, vec![]);
    }

    #[test]
    fn quoted_lists_are_split_with_exact_spans() {
        let source = "policy a { origins \"https://a.com https://b.com\"; }";
        let (file, diagnostics) = parse(source);
        assert_eq!(
            diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            [Code::QuotedList]
        );
        let args = &file.policies[0].directives[0].args;
        let texts: Vec<&str> = args.iter().map(|a| &source[a.span.clone()]).collect();
        assert_eq!(texts, ["https://a.com", "https://b.com"]);
        // One value in quotes is fine; paths keep their (invalid) spaces.
        assert_eq!(repaired("policy a { origins \"https://a.com\"; }").0, []);
        assert_eq!(repaired("policy a { paths \"/a b/\"; }").0, []);
    }

    #[test]
    fn bracket_lists_are_one_slip() {
        for source in [
            "policy a { methods [GET, POST]; }",
            "policy a { methods [GET,POST]; }",
            "policy a { methods [ GET , POST ]; }",
            "policy a { methods [\"GET\", \"POST\"]; }",
            "policy a { methods [\n  \"GET\",\n  \"POST\"\n]; }",
        ] {
            assert_eq!(
                repaired(source),
                (vec![Code::BracketList], one("methods", &["GET", "POST"])),
                "{source}"
            );
        }
        // YAML: the `:` and the missing `;` are part of the one slip.
        assert_eq!(
            repaired("policy a {\n methods:\n  - GET\n  - POST\n max-age 10m;\n}"),
            (
                vec![Code::BracketList],
                vec![
                    (
                        "methods".to_string(),
                        vec!["GET".to_string(), "POST".to_string()]
                    ),
                    ("max-age".to_string(), vec!["10m".to_string()]),
                ]
            )
        );
        // An IPv6 origin ends with `]` but is no list.
        assert_eq!(repaired("policy a { origins https://[::1]; }").0, []);
    }

    #[test]
    fn a_missing_semicolon_before_the_next_directive_is_one_error() {
        let source = "policy a {\n  origins https://a.com # c\n  methods GET;\n  max-age 10m\n  credentials on;\n}";
        let (file, diagnostics) = parse(source);
        let found: Vec<(Code, &str)> = diagnostics
            .iter()
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (Code::UnexpectedToken, "expected `;`, found `methods`"),
                (Code::UnexpectedToken, "expected `;`, found `credentials`"),
            ]
        );
        // Pointing just after the last argument, before the comment.
        assert_eq!(
            diagnostics.iter().next().map(|d| d.span.clone()),
            Some(34..34)
        );
        let names: Vec<&str> = file.policies[0]
            .directives
            .iter()
            .map(|d| d.name.value.as_str())
            .collect();
        assert_eq!(names, ["origins", "methods", "max-age", "credentials"]);
        // On the same line, or last before `;`, a directive name is an
        // argument (a header may be called `credentials`).
        assert_eq!(repaired("policy a { origins a methods GET; }").0, []);
        assert_eq!(
            repaired("policy a {\n  allow-headers X-A\n    credentials;\n}"),
            (vec![], one("allow-headers", &["X-A", "credentials"]))
        );
    }

    #[test]
    fn corrected_text_is_bounded() {
        let (_, diagnostics) = parse(&format!(
            "policy a {{ origins {}; }}",
            (0..1000)
                .map(|i| format!("https://{}{i}.com,", "x".repeat(100)))
                .collect::<String>()
        ));
        let help = diagnostics.iter().next().and_then(|d| d.help.clone());
        let help = help.expect("a help line");
        assert!(help.len() < 400, "{help}");
        assert!(help.ends_with("...;`"), "{help}");
    }
}

#[cfg(test)]
mod properties {
    use crate::parser::parse;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// Fragments that reach every slip and the missing-`;` recovery.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("policy a {".to_string()),
            Just("policy a\n".to_string()),
            Just("}".to_string()),
            Just(";".to_string()),
            Just("\n  origins ".to_string()),
            Just("\n  methods ".to_string()),
            Just("\n  paths ".to_string()),
            Just(" max-age".to_string()),
            Just(" https://a.com".to_string()),
            Just(" GET".to_string()),
            Just(",".to_string()),
            Just(" , ".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(" [ ".to_string()),
            Just("=".to_string()),
            Just(":".to_string()),
            Just(" = ".to_string()),
            Just(" - ".to_string()),
            Just(" [GET, POST]".to_string()),
            Just(" [\"a\", b]".to_string()),
            Just(" GET]".to_string()),
            Just(" a,b, c ,".to_string()),
            Just(" max-age:600".to_string()),
            Just("\n  credentials=".to_string()),
            Just(" \"a b,c\" ".to_string()),
            Just(" \"x\\ty \" ".to_string()),
            Just(" ~\"a b\" ".to_string()),
            Just("\"".to_string()),
            Just("é".to_string()),
            "[a-z,:=\\[\\] -]{0,8}",
        ]
    }

    proptest! {
        #![proptest_config(Config {
            cases: 512,
            rng_seed: RngSeed::Fixed(21),
            failure_persistence: None,
            ..Config::default()
        })]

        /// Repairs never panic, and every repaired plain argument still
        /// points at its own text in the source (quoted ones inside their
        /// string), so diagnostics about it land in the right place.
        #[test]
        fn repaired_arguments_point_at_their_text(parts in proptest::collection::vec(fragment(), 0..24)) {
            let source: String = parts.concat();
            let (file, _) = parse(&source);
            for directive in file.policies.iter().flat_map(|p| &p.directives) {
                prop_assert_eq!(source.get(directive.name.span.clone()), Some(directive.name.value.as_str()));
                for arg in &directive.args {
                    let text = source.get(arg.span.clone());
                    prop_assert!(text.is_some(), "span {:?} in {:?}", arg.span, source);
                    if !arg.quoted {
                        prop_assert_eq!(text, Some(arg.value.as_str()));
                    }
                }
            }
        }
    }
}
