//! `corsc test`: runs the `test` blocks of policy files against their
//! compiled tables and reports each failure like a diagnostic.

use std::path::{Path, PathBuf};

use cors_policy_lang::policy_tests::{self, Suite, TestResult};
use cors_policy_lang::{Diagnostics, RenderStyle};

use crate::files::{as_source, display_name, read, report, write_stdout, Failure};
use crate::message_format::MessageFormat;
use crate::{print_diagnostics, summary};

/// `corsc test FILE...`: exit 0 when every test passes, 1 when one fails
/// or a file has errors, 2 when a file cannot be read.
pub(crate) fn test(files: &[PathBuf], format: MessageFormat) -> Result<u8, Failure> {
    let mut exit = 0;
    for path in files {
        let outcome = read(path).and_then(|bytes| {
            let source = as_source(path, &bytes)?;
            test_file(path, source, format)
        });
        match outcome {
            Ok(code) => exit = exit.max(code),
            Err(failure) => {
                report(&format!("corsc: {}\n", failure.message));
                exit = exit.max(failure.code);
            }
        }
    }
    Ok(exit)
}

fn test_file(path: &Path, source: &str, format: MessageFormat) -> Result<u8, Failure> {
    let suite = policy_tests::load(source);
    let diagnostics = &suite.checked.diagnostics;
    print_diagnostics(path, source, diagnostics);
    let Some(results) = suite.run() else {
        report(&format!("{}; tests not run\n", summary(path, diagnostics)));
        if format == MessageFormat::Json {
            json_line(&serde_json::json!({
                "type": "file",
                "file": display_name(path),
                "errors": diagnostics.error_count(),
                "passed": 0,
                "failed": 0,
            }))?;
        }
        return Ok(1);
    };
    let mut failed = 0;
    for result in &results {
        if let Some(diagnostic) = Suite::failure_diagnostic(result) {
            failed += 1;
            report(&failure_text(path, source, result, diagnostic));
        }
        if format == MessageFormat::Json {
            json_line(&result_json(path, source, result))?;
        }
    }
    let passed = results.len() - failed;
    report(&format!(
        "{}: {passed} passed, {failed} failed\n",
        path.display()
    ));
    if format == MessageFormat::Json {
        json_line(&serde_json::json!({
            "type": "file",
            "file": display_name(path),
            "errors": 0,
            "passed": passed,
            "failed": failed,
        }))?;
    }
    Ok(u8::from(failed > 0))
}

/// `file:line:col: error[CORS0109]: test "..." failed: ...` (the short form
/// of `check`), then the other mismatches and the actual outcome as notes.
fn failure_text(
    path: &Path,
    source: &str,
    result: &TestResult<'_>,
    diagnostic: cors_policy_lang::Diagnostic,
) -> String {
    let mut headline = diagnostic;
    // The notes are written below as text, not as source labels.
    headline.notes.clear();
    let mut one = Diagnostics::new();
    one.push(headline);
    let mut text = one.render(&display_name(path), source, RenderStyle::Short);
    for mismatch in result.mismatches.iter().skip(1) {
        text += &format!("  = note: also {mismatch}\n");
    }
    let actual = &result.actual;
    let mut got = format!("  = note: got {}", actual.summary());
    if let Some(policy) = &actual.policy {
        got += &format!(", policy `{policy}`");
    }
    if let Some(status) = actual.status {
        got += &format!(", status {status}");
    }
    text += &got;
    text += "\n";
    if actual.headers.is_empty() {
        text += "  = note: no response headers\n";
    }
    for (name, value) in &actual.headers {
        text += &format!("  = note: header {name}: {value}\n");
    }
    text
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn result_json(path: &Path, source: &str, result: &TestResult<'_>) -> serde_json::Value {
    let case = result.case;
    let (line, column) = line_column(source, case.span.start);
    let actual = &result.actual;
    let headers: Vec<serde_json::Value> = actual
        .headers
        .iter()
        .map(|(name, value)| serde_json::json!([name, value]))
        .collect();
    serde_json::json!({
        "type": "test",
        "file": display_name(path),
        "name": case.name.value,
        "line": line,
        "column": column,
        "span": { "start": case.span.start, "end": case.span.end },
        "passed": result.passed(),
        "mismatches": result.mismatches.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "actual": {
            "decision": actual.decision.as_str(),
            "reason": actual.reason.map(|r| r.as_str()),
            "policy": actual.policy,
            "status": actual.status,
            "headers": headers,
        },
    })
}

fn json_line(value: &serde_json::Value) -> Result<(), Failure> {
    write_stdout(format!("{value}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nxé", 5), (2, 3));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
