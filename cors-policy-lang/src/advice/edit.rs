//! Edits of `.corspolicy` source: a value appended to a directive's list, a
//! new directive in a policy, an argument replaced, a new policy at the end
//! of the file; and applying them. Every edit is a replacement of one byte
//! range, laid out the way the surrounding text is (a list written one value
//! per line gets its new value on a line of its own, aligned).

use std::ops::Range;

use crate::ast::{Arg, Directive, PolicyBlock};

/// Replace the source bytes `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The byte range replaced (empty for an insertion).
    pub span: Range<usize>,
    /// The new text.
    pub replacement: String,
}

/// `source` with `edits` applied. The edits' spans are in `source`; they
/// must not overlap (insertions at the same point are applied in the order
/// given). An edit that overlaps an earlier one, or whose span is outside
/// `source` or not on character boundaries, is skipped.
pub fn apply(source: &str, edits: &[Edit]) -> String {
    let mut ordered: Vec<&Edit> = edits.iter().collect();
    ordered.sort_by_key(|edit| edit.span.start); // stable: keeps same-point order
    let mut out = String::with_capacity(source.len() + 64);
    let mut cursor = 0;
    for edit in ordered {
        let Range { start, end } = edit.span;
        if start < cursor
            || end < start
            || source.get(cursor..start).is_none()
            || source.get(start..end).is_none()
        {
            continue;
        }
        out.push_str(&source[cursor..start]);
        out.push_str(&edit.replacement);
        cursor = end;
    }
    out.push_str(source.get(cursor..).unwrap_or_default());
    out
}

/// One edit equivalent to all of `edits`: it replaces the range from the
/// first edit's start to the last one's end with that range's text after
/// the edits. `None` when there are no edits.
pub fn combine(source: &str, edits: &[Edit]) -> Option<Edit> {
    let start = edits.iter().map(|edit| edit.span.start).min()?;
    let end = edits.iter().map(|edit| edit.span.end).max()?;
    let inner = source.get(start..end)?;
    let shifted: Vec<Edit> = edits
        .iter()
        .map(|edit| Edit {
            span: edit.span.start - start..edit.span.end - start,
            replacement: edit.replacement.clone(),
        })
        .collect();
    Some(Edit {
        span: start..end,
        replacement: apply(inner, &shifted),
    })
}

/// `text` as one argument: a bare word when the lexer reads it as one,
/// else a quoted string.
pub(crate) fn argument(text: &str) -> String {
    let bare = !text.is_empty()
        && !text.starts_with('~')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ';' | '{' | '}' | '"' | '#' | '\\'));
    if bare {
        return text.to_string();
    }
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// The start of the line holding byte `at`.
fn line_start(source: &str, at: usize) -> usize {
    source
        .get(..at)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |newline| newline + 1)
}

/// The whitespace that starts the line holding byte `at`.
fn indentation(source: &str, at: usize) -> &str {
    let start = line_start(source, at);
    let line = source.get(start..).unwrap_or_default();
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// Appends `items` (already written as arguments) to `directive`'s
/// arguments: on lines of their own, aligned with the last one, when the
/// list is written one value per line; else after it on the same line.
pub(crate) fn append_to_list(source: &str, directive: &Directive, items: &[String]) -> Edit {
    let (Some(first), Some(last)) = (directive.args.first(), directive.args.last()) else {
        // A list directive without arguments does not pass `check`; put the
        // values after the name.
        let at = directive.name.span.end;
        return Edit {
            span: at..at,
            replacement: items.iter().map(|item| format!(" {item}")).collect(),
        };
    };
    let at = last.span.end;
    let start = line_start(source, last.span.start);
    let before = source.get(start..last.span.start).unwrap_or_default();
    let one_per_line = first.span.start < start && before.trim().is_empty();
    let replacement = if one_per_line {
        items
            .iter()
            .map(|item| format!("\n{before}{item}"))
            .collect()
    } else {
        items.iter().map(|item| format!(" {item}")).collect()
    };
    Edit {
        span: at..at,
        replacement,
    }
}

/// Adds the directive `text` (`methods PATCH;`) to `block`, after its last
/// directive: on a line of its own with the same indentation, or on the
/// same line when the whole policy is written on one line.
pub(crate) fn add_directive(source: &str, block: &PolicyBlock, text: &str) -> Edit {
    let Some(last) = block.directives.last() else {
        // After the `{` (a policy without directives does not pass `check`).
        let open = source
            .get(block.name.span.end..block.span.end)
            .and_then(|rest| rest.find('{'))
            .map_or(block.name.span.end, |at| block.name.span.end + at + 1);
        return Edit {
            span: open..open,
            replacement: format!(" {text}"),
        };
    };
    let at = last.span.end;
    let same_line = line_start(source, last.span.start) == line_start(source, block.span.start);
    let replacement = if same_line {
        format!(" {text}")
    } else {
        format!("\n{}{text}", indentation(source, last.span.start))
    };
    Edit {
        span: at..at,
        replacement,
    }
}

/// Replaces the argument `arg` with `text`.
pub(crate) fn replace_arg(arg: &Arg, text: &str) -> Edit {
    Edit {
        span: arg.span.clone(),
        replacement: text.to_string(),
    }
}

/// Appends `block_text` (a whole `policy NAME { ... }`) to the end of
/// `source`, separated by an empty line.
pub(crate) fn add_policy(source: &str, block_text: &str) -> Edit {
    let at = source.len();
    let separator = if source.is_empty() || source.ends_with("\n\n") {
        ""
    } else if source.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    Edit {
        span: at..at,
        replacement: format!("{separator}{block_text}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;

    fn edit(span: Range<usize>, text: &str) -> Edit {
        Edit {
            span,
            replacement: text.to_string(),
        }
    }

    #[test]
    fn apply_and_combine_agree() {
        let source = "abcdef";
        let edits = [edit(1..1, "X"), edit(3..4, "Y"), edit(1..1, "Z")];
        assert_eq!(apply(source, &edits), "aXZbcYef");
        let one = combine(source, &edits).unwrap();
        assert_eq!(one.span, 1..4);
        assert_eq!(apply(source, &[one]), "aXZbcYef");
        assert_eq!(combine(source, &[]), None);
        // Overlapping and out-of-range edits are skipped, never a panic.
        assert_eq!(apply(source, &[edit(1..3, "-"), edit(2..4, "+")]), "a-def");
        assert_eq!(apply(source, &[edit(4..99, "-")]), "abcdef");
        assert_eq!(apply("é", &[edit(1..1, "x")]), "é");
    }

    #[test]
    fn arguments_are_quoted_when_needed() {
        assert_eq!(argument("Content-Type"), "Content-Type");
        assert_eq!(argument("http://[::1]:*"), "http://[::1]:*");
        assert_eq!(argument("a#b"), "\"a#b\"");
        assert_eq!(argument("~x"), "\"~x\"");
        assert_eq!(argument("a\"b\\"), "\"a\\\"b\\\\\"");
        assert_eq!(argument(""), "\"\"");
    }

    #[test]
    fn lists_keep_their_layout() {
        let source = "policy p {\n    origins https://a.test\n            https://b.test;\n    methods PUT;\n}\n";
        let (file, _) = parse(source);
        let block = &file.policies[0];
        let origins = &block.directives[0];
        let e = append_to_list(source, origins, &["https://c.test".into()]);
        assert_eq!(
            apply(source, &[e]),
            "policy p {\n    origins https://a.test\n            https://b.test\n            https://c.test;\n    methods PUT;\n}\n"
        );
        let e = append_to_list(source, &block.directives[1], &["PATCH".into(), "X".into()]);
        assert!(apply(source, &[e]).contains("methods PUT PATCH X;"));
        let e = add_directive(source, block, "allow-headers X-A;");
        assert!(apply(source, &[e]).contains("    methods PUT;\n    allow-headers X-A;\n}"));

        let one_line = "policy p { origins *; }";
        let (file, _) = parse(one_line);
        let e = add_directive(one_line, &file.policies[0], "methods PUT;");
        assert_eq!(
            apply(one_line, &[e]),
            "policy p { origins *; methods PUT; }"
        );
        let e = add_policy(one_line, "policy q { origins *; }");
        assert_eq!(
            apply(one_line, &[e]),
            "policy p { origins *; }\n\npolicy q { origins *; }\n"
        );
    }
}
