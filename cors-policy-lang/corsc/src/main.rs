//! `corsc`: check, compile, test and explain `.corspolicy` files, and
//! import other frameworks' CORS settings.

mod diff;
mod explain;
mod files;
mod fmt;
mod message_format;
mod run_tests;
mod sources;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cors_policy_lang::{CompileFailure, Diagnostics, RenderStyle};
use corsc::emit;

use explain::explain;
use files::{
    as_source, display_name, read, report, same_file, write_atomically, write_stdout, Failure,
};
use message_format::MessageFormat;

/// Checks, compiles and explains CORS policies.
#[derive(Parser)]
#[command(name = "corsc", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policy files and print their diagnostics.
    ///
    /// Exits 0 when no file has errors (warnings are allowed), 1 when one
    /// has, 2 when a file cannot be read.
    Check {
        /// The `.corspolicy` files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// `human`: rustc-like text on stderr. `json`: one JSON object per
        /// line on stdout, one per diagnostic (with spans), then a summary.
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// Compile a policy file to a table.
    ///
    /// Writes nothing when the policy has errors.
    Compile {
        /// The `.corspolicy` file.
        file: PathBuf,
        /// Where to write the output.
        #[arg(short, long)]
        output: PathBuf,
        /// What to write: the binary table, a C source file defining
        /// `const uint8_t NAME[]` and `const size_t NAME_len`, or a Rust
        /// file for `include!` defining `static NAME` and `name_policy()`.
        #[arg(long, value_enum, default_value_t = Emit::Table)]
        emit: Emit,
        /// The array's name for `--emit c|rust` (default: from the output
        /// file's name). ASCII letters, digits and `_`.
        #[arg(long)]
        name: Option<String>,
    },
    /// Run the `test` blocks of policy files against their compiled tables.
    ///
    /// Reports each failing test as `file:line:col: error[CORS0109]: test
    /// "NAME" failed: ...` with the actual outcome as notes, then `N passed,
    /// M failed` per file. Exits 0 when every test passes, 1 when a test
    /// fails or a file has errors, 2 when a file cannot be read.
    Test {
        /// The `.corspolicy` files whose tests to run.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// `json` also prints one JSON object per test and per file on
        /// stdout.
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// Evaluate one request against a policy and show the answer.
    Explain(ExplainArgs),
    /// Show what NEW allows and denies that OLD did not, per policy and path.
    ///
    /// Exits 0 when the files mean the same, 1 when access only narrowed
    /// or changed neutrally, 3 when access widened (require review), 2
    /// when a file cannot be read or has errors.
    Diff(diff::DiffArgs),
    /// Rewrite policy files in the canonical layout.
    ///
    /// Four-space indentation, one directive per line, long lists one value
    /// per line; order and comments kept. A file with syntax errors is not
    /// touched: its diagnostics are printed and the exit status is 1.
    /// Files are rewritten atomically, and only when they change. Exits 0
    /// when done, 1 on syntax errors (or, with --check, when a file would
    /// change), 2 when a file cannot be read or written.
    Fmt {
        /// Write nothing: print the diff of each file that would change,
        /// and exit 1 if any would.
        #[arg(long)]
        check: bool,
        /// The `.corspolicy` files; `-` or none reads stdin and writes the
        /// formatted text to stdout.
        files: Vec<PathBuf>,
    },
    /// Translate another framework's CORS configuration to `.corspolicy`.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
}

/// The frameworks `corsc import` reads.
#[derive(Subcommand)]
enum ImportFrom {
    /// A Django settings module using django-cors-headers 4.x.
    ///
    /// Prints the policy (with comments and a summary of behaviour
    /// changes) to stdout or OUT, diagnostics to stderr. Exits 0 when every
    /// setting was imported, 1 when some could not be or the result is
    /// refused (what could be translated is still written), 2 when the
    /// file cannot be read.
    Django {
        /// The settings file, e.g. `settings.py`.
        file: PathBuf,
        /// Where to write the policy (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// The output formats of `corsc compile`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Emit {
    /// The binary table.
    Table,
    /// A C source file with the table as a `const uint8_t` array.
    C,
    /// A Rust file for `include!` with the table as a `static` array.
    Rust,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// A `.corspolicy` file or a compiled table (recognized by its magic).
    policy: PathBuf,
    /// The request method (with --console: overrides what the message says
    /// or what corsc assumes).
    #[arg(long, required_unless_present_any = ["console", "console_file", "har"])]
    method: Option<String>,
    /// The request path (a query is ignored).
    #[arg(long, required_unless_present_any = ["console", "console_file", "har"])]
    path: Option<String>,
    /// The `Origin` header value.
    #[arg(long)]
    origin: Option<String>,
    /// The `Access-Control-Request-Method` header value.
    #[arg(long)]
    request_method: Option<String>,
    /// The `Access-Control-Request-Headers` header value.
    #[arg(long)]
    request_headers: Option<String>,
    /// Send `Access-Control-Request-Private-Network: true`.
    #[arg(long)]
    private_network: bool,
    /// Print one JSON object instead of text (with --har: a JSON array).
    #[arg(long)]
    json: bool,
    /// A browser console message (Chromium, Firefox or Safari), `-` for
    /// stdin: the request is read from it. Exits 3 when the message is not
    /// about the policy (mixed content, a redirect, Local Network Access, a
    /// network error, not a CORS error).
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["console_file", "har"])]
    console: Option<String>,
    /// Like --console, the message read from a file.
    #[arg(long, value_name = "FILE", conflicts_with = "har")]
    console_file: Option<PathBuf>,
    /// A HAR 1.2 file (DevTools "Save all as HAR", Playwright's recordHar):
    /// every cross-origin request in it is explained.
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
}

fn main() -> ExitCode {
    // A bug must still end with one line, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        report(&format!(
            "corsc: internal error: {info}; please report this bug\n"
        ));
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            files,
            message_format: MessageFormat::Human,
        } => check(&files),
        Command::Check {
            files,
            message_format: MessageFormat::Json,
        } => check_json(&files),
        Command::Compile {
            file,
            output,
            emit,
            name,
        } => compile(&file, &output, emit, name.as_deref()),
        Command::Test {
            files,
            message_format,
        } => run_tests::test(&files, message_format),
        Command::Explain(args) => explain(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Fmt { check, files } => fmt::fmt(&files, check),
        Command::Import {
            from: ImportFrom::Django { file, output },
        } => import_django(&file, output.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            report(&format!("corsc: {}\n", failure.message));
            ExitCode::from(failure.code)
        }
    }
}

fn print_diagnostics(path: &Path, source: &str, diagnostics: &Diagnostics) {
    if !diagnostics.is_empty() {
        report(&diagnostics.render(&display_name(path), source, RenderStyle::Rich));
    }
}

fn summary(path: &Path, diagnostics: &Diagnostics) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}: {}, {}",
        path.display(),
        plural(diagnostics.error_count(), "error"),
        plural(diagnostics.warning_count(), "warning")
    )
}

fn check(files: &[PathBuf]) -> Result<u8, Failure> {
    let mut exit = 0;
    for path in files {
        let checked = read(path).and_then(|bytes| {
            let source = as_source(path, &bytes)?;
            let checked = cors_policy_lang::check(source);
            print_diagnostics(path, source, &checked.diagnostics);
            Ok(checked.diagnostics)
        });
        match checked {
            Ok(diagnostics) => {
                report(&format!("{}\n", summary(path, &diagnostics)));
                if diagnostics.has_errors() {
                    exit = exit.max(1);
                }
            }
            Err(failure) => {
                report(&format!("corsc: {}\n", failure.message));
                exit = exit.max(failure.code);
            }
        }
    }
    Ok(exit)
}

/// `check --message-format json`: the same checks and exit codes as
/// [`check`], reported as JSON lines on stdout.
fn check_json(files: &[PathBuf]) -> Result<u8, Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // After a closed pipe (`| head`), the files are still checked, for
    // the exit status, but nothing more is written.
    let mut open = true;
    let mut exit = 0;
    let mut totals = message_format::Totals::default();
    for path in files {
        totals.files += 1;
        let name = display_name(path);
        let bytes = read(path);
        let source = bytes
            .as_ref()
            .map_err(|failure| Failure {
                message: failure.message.clone(),
                code: failure.code,
            })
            .and_then(|bytes| as_source(path, bytes));
        let source = match source {
            Ok(source) => source,
            Err(failure) => {
                totals.unreadable += 1;
                exit = exit.max(failure.code);
                if open {
                    let line = message_format::file_error_line(&name, &failure.message);
                    open = stdout_ok(out.write_all(line.as_bytes()))?;
                }
                continue;
            }
        };
        let diagnostics = cors_policy_lang::check(source).diagnostics;
        totals.errors += diagnostics.error_count();
        totals.warnings += diagnostics.warning_count();
        if diagnostics.has_errors() {
            exit = exit.max(1);
        }
        if open {
            let written = message_format::write_diagnostics(&mut out, &name, source, &diagnostics);
            open = stdout_ok(written)?;
        }
    }
    if open {
        let written = out
            .write_all(totals.line().as_bytes())
            .and_then(|()| out.flush());
        stdout_ok(written)?;
    }
    Ok(exit)
}

/// Whether writing to stdout may go on: a closed pipe (`| head`) ends the
/// output quietly, as for [`write_stdout`]; another error is a failure.
fn stdout_ok(written: std::io::Result<()>) -> Result<bool, Failure> {
    match written {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(error) => Err(Failure::usage(format!("cannot write output: {error}"))),
    }
}

fn compile_file(path: &Path) -> Result<cors_policy_lang::Compiled, Failure> {
    let bytes = read(path)?;
    let source = as_source(path, &bytes)?;
    match cors_policy_lang::compile(source) {
        Ok(compiled) => {
            print_diagnostics(path, source, &compiled.diagnostics);
            Ok(compiled)
        }
        Err(CompileFailure::Invalid(diagnostics)) => {
            print_diagnostics(path, source, &diagnostics);
            Err(Failure::invalid(summary(path, &diagnostics)))
        }
        Err(error @ CompileFailure::Table(_)) => {
            Err(Failure::invalid(format!("{}: {error}", path.display())))
        }
    }
}

fn compile(path: &Path, output: &Path, emit: Emit, name: Option<&str>) -> Result<u8, Failure> {
    if same_file(path, output) {
        return Err(Failure::usage(format!(
            "refusing to overwrite the policy {} with its table: choose another -o",
            path.display()
        )));
    }
    let name = match name {
        Some(name) => {
            emit::validate_name(name)
                .map_err(|error| Failure::usage(format!("invalid --name: {error}")))?;
            name.to_string()
        }
        None => emit::name_from_stem(
            &output
                .file_stem()
                .unwrap_or(path.as_os_str())
                .to_string_lossy(),
        ),
    };
    let compiled = compile_file(path)?;
    let origin = path
        .file_name()
        .map_or_else(|| display_name(path), |n| n.to_string_lossy().into_owned());
    let (bytes, format) = match emit {
        Emit::Table => (compiled.table.clone(), "a table".to_string()),
        Emit::C => (
            emit::to_c(&compiled.table, &name, &origin).into_bytes(),
            format!("C array `{name}`"),
        ),
        Emit::Rust => (
            emit::to_rust(&compiled.table, &name, &origin).into_bytes(),
            format!("Rust static `{}`", name.to_ascii_uppercase()),
        ),
    };
    write_atomically(output, &bytes).map_err(|error| Failure::io(output, "write", &error))?;
    let count = compiled.model.policies.len();
    report(&format!(
        "{}: compiled {count} polic{} to {format} in {} ({} table bytes)\n",
        path.display(),
        if count == 1 { "y" } else { "ies" },
        output.display(),
        compiled.table.len()
    ));
    Ok(0)
}

fn import_django(path: &Path, output: Option<&Path>) -> Result<u8, Failure> {
    let bytes = read(path)?;
    let source = std::str::from_utf8(&bytes).map_err(|error| {
        Failure::usage(format!(
            "cannot read {}: not valid UTF-8 (invalid byte at offset {})",
            path.display(),
            error.valid_up_to()
        ))
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let import = corsc::import::django::import(source, &stem);
    report(&import.render_diagnostics(&display_name(path), source));
    if import.checked.has_errors() {
        // What `corsc check` would print on the output (its errors only: the
        // warnings are for when the user runs check on the reviewed file).
        let mut errors = Diagnostics::new();
        errors.extend(import.checked.iter().filter(|d| d.is_error()).cloned());
        let name = output.map_or_else(|| "<generated policy>".to_string(), display_name);
        report(&format!(
            "corsc check refuses the generated policy; fix the settings (or the policy by hand):\n{}",
            errors.render(&name, &import.policy, RenderStyle::Rich)
        ));
    }
    match output {
        Some(output) => {
            if same_file(path, output) {
                return Err(Failure::usage(format!(
                    "refusing to overwrite the settings {} with the policy: choose another -o",
                    path.display()
                )));
            }
            write_atomically(output, import.policy.as_bytes())
                .map_err(|error| Failure::io(output, "write", &error))?;
        }
        None => write_stdout(import.policy.as_bytes())?,
    }
    Ok(if import.is_complete() { 0 } else { 1 })
}
