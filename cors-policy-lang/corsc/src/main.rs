//! `corsc`: check, compile and explain `.corspolicy` files, and import
//! other frameworks' CORS settings.

mod explain;
mod files;
mod fmt;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cors_policy_lang::{CompileFailure, Diagnostics, RenderStyle};
use corsc::emit;

use explain::explain;
use files::{
    as_source, display_name, read, report, same_file, write_atomically, write_stdout, Failure,
};

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
    /// Evaluate one request against a policy and show the answer.
    Explain(ExplainArgs),
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
    /// The request method.
    #[arg(long)]
    method: String,
    /// The request path (a query is ignored).
    #[arg(long)]
    path: String,
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
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
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
        Command::Check { files } => check(&files),
        Command::Compile {
            file,
            output,
            emit,
            name,
        } => compile(&file, &output, emit, name.as_deref()),
        Command::Explain(args) => explain(&args),
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
