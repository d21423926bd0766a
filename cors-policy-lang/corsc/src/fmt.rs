//! `corsc fmt`: rewrite policy files in the canonical layout
//! ([`cors_policy_lang::format_source`]), or with `--check` say which
//! would change.

use std::path::{Path, PathBuf};

use cors_policy_lang::format_source::{format_source, FormatError};
use corsc::text_diff;

use crate::files::{
    as_source, display_name, read, read_stdin, report, rewrite_in_place, write_stdout, Failure,
};
use crate::print_diagnostics;

/// Formats each of `files` (`-`, or no file at all, is stdin to stdout).
/// Returns the exit code: 0 when every file is formatted (or, with
/// `check`, already was), 1 when one has syntax errors or would change, 2
/// when one cannot be read or written.
pub(crate) fn fmt(files: &[PathBuf], check: bool) -> Result<u8, Failure> {
    let stdin = [PathBuf::from("-")];
    let files = if files.is_empty() { &stdin[..] } else { files };
    let mut exit = 0;
    let mut would_change = 0;
    for path in files {
        match fmt_one(path, check) {
            Ok(Outcome::Unchanged) => {}
            Ok(Outcome::Changed) => {
                if check {
                    would_change += 1;
                    exit = exit.max(1);
                }
            }
            Err(failure) => {
                report(&format!("corsc: {}\n", failure.message));
                exit = exit.max(failure.code);
            }
        }
    }
    if would_change > 0 {
        report(&format!(
            "corsc fmt --check: {would_change} file{} would be reformatted\n",
            if would_change == 1 { "" } else { "s" }
        ));
    }
    Ok(exit)
}

enum Outcome {
    Unchanged,
    Changed,
}

fn fmt_one(path: &Path, check: bool) -> Result<Outcome, Failure> {
    let is_stdin = path.as_os_str() == "-";
    let name = if is_stdin {
        PathBuf::from("<stdin>")
    } else {
        path.to_path_buf()
    };
    let bytes = if is_stdin { read_stdin()? } else { read(path)? };
    let source = as_source(&name, &bytes)?;
    let formatted = match format_source(source) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(diagnostics)) => {
            print_diagnostics(&name, source, &diagnostics);
            return Err(Failure::invalid(format!(
                "{}: not formatted: {} syntax error{}",
                name.display(),
                diagnostics.error_count(),
                if diagnostics.error_count() == 1 {
                    ""
                } else {
                    "s"
                }
            )));
        }
        Err(error @ FormatError::TooLarge { .. }) => {
            return Err(Failure::invalid(format!("{}: {error}", name.display())));
        }
    };
    let changed = formatted != source;
    if check {
        if changed {
            let shown = display_name(&name);
            write_stdout(
                text_diff::unified(source, &formatted, &shown, &format!("{shown} (formatted)"))
                    .as_bytes(),
            )?;
        }
    } else if is_stdin {
        write_stdout(formatted.as_bytes())?;
    } else if changed {
        rewrite_in_place(path, formatted.as_bytes())
            .map_err(|error| Failure::io(path, "write", &error))?;
    }
    Ok(if changed {
        Outcome::Changed
    } else {
        Outcome::Unchanged
    })
}
