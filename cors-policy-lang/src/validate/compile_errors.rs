//! Diagnostics for a valid model the compiler cannot turn into a table
//! within its budgets, pointed at the patterns responsible: `check` runs
//! the compiler, so that it refuses everything `compile` would.

use std::ops::Range;

use crate::ast::{self, Directive};
use crate::diagnostics::{Code, Diagnostic};

/// The diagnostic for a model the compiler could not turn into a table,
/// pointed at the patterns responsible in `file` (the file the model was
/// validated from: its policies are in the same order).
pub(crate) fn diagnostic(file: &ast::File, error: &crate::compile::CompileError) -> Diagnostic {
    use crate::compile::CompileError;
    let whole_file = 0..0;
    let CompileError::AutomatonTooLarge {
        policy,
        what,
        patterns,
        alone,
    } = error
    else {
        return Diagnostic::error(Code::AutomatonTooLarge, error.to_string(), whole_file)
            .with_label("the table cannot be built");
    };
    let block = file
        .policies
        .iter()
        .find(|block| &block.name.value == policy);
    let directive_name = match *what {
        "method" => "methods",
        "path" => "paths",
        _ => "origins",
    };
    let directive = block.and_then(|block| {
        block
            .directives
            .iter()
            .find(|d| d.name.value == directive_name)
    });
    // The spans of the named patterns, as written.
    let spans: Vec<Range<usize>> = directive
        .map(|directive| {
            patterns
                .iter()
                .filter_map(|pattern| {
                    directive.args.iter().find(|arg| {
                        let written = if arg.regex {
                            format!("~\"{}\"", arg.value)
                        } else {
                            arg.value.to_ascii_lowercase()
                        };
                        &written == pattern
                    })
                })
                .map(|arg| arg.span.clone())
                .collect()
        })
        .unwrap_or_default();
    let span = spans
        .first()
        .cloned()
        .or_else(|| directive.map(Directive::args_span))
        .or_else(|| block.map(|block| block.name.span.clone()))
        .unwrap_or(whole_file);
    let message = if *alone {
        "this regex's automaton is too large to compile".to_string()
    } else {
        format!("the {what} automaton of policy `{policy}` is too large to compile")
    };
    let label = if *alone {
        format!(
            "needs more than {} states or {} steps, in either direction",
            crate::compile::MAX_PATTERN_STATES,
            crate::compile::MAX_PATTERN_WORK
        )
    } else {
        format!(
            "these patterns together need more than the file's {} states or {} steps{}",
            crate::compile::MAX_STATES,
            crate::compile::MAX_WORK,
            if patterns.is_empty() {
                String::new()
            } else {
                format!(": {}", patterns.join(", "))
            }
        )
    };
    let mut diagnostic =
        Diagnostic::error(Code::AutomatonTooLarge, message, span).with_label(label);
    for other in spans.iter().skip(1) {
        diagnostic = diagnostic.with_note(other.clone(), "also in this automaton");
    }
    diagnostic.with_help(
        "a class followed by a fixed count (`[a-z]*x[a-z]{8}`) makes an automaton remember \
         every recent character: write such patterns more simply, split them across \
         policies, or list the origins",
    )
}
