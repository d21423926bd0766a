//! The `.corspolicy` language: lexer, parser, diagnostics, validation, the
//! normalized policy model, the compiler to table bytes, the importers'
//! translations of other frameworks' settings, and the reference evaluator
//! used as a test oracle.
//!
//! The `corsc` command-line tool is a package of its own
//! (`cors-policy-lang/corsc`), so this library links no command-line
//! crates.
//!
//! ```text
//! source ──lexer──► tokens ──parser──► AST ──validate──► model ──compile──► table bytes
//! ```
//!
//! [`advice`] answers the question after that: why a request is refused,
//! where the deciding policy is written, and the smallest safe edit of the
//! source that would allow it (`corsc explain` prints it).
#![deny(missing_docs)]

pub mod advice;
pub mod ast;
pub mod compile;
pub mod diagnostics;
pub mod diff;
pub mod format_source;
pub mod import;
pub mod lexer;
pub mod model;
pub mod parser;
pub mod policy_tests;
pub mod public_suffix;
pub mod reference;
pub mod regex_origin;
pub mod validate;

pub use diagnostics::{Code, Diagnostic, Diagnostics, RenderStyle, Severity};
pub use model::PolicySet;

/// The result of checking a source file: every diagnostic, and the model
/// and its table when there were no errors.
#[derive(Debug)]
pub struct Checked {
    /// The validated model; `None` when `diagnostics` has errors.
    pub model: Option<PolicySet>,
    /// Errors and warnings, in source order.
    pub diagnostics: Diagnostics,
    /// The compiled table, present exactly when `model` is: `check` builds
    /// everything `compile` builds, under the same budgets, so the two
    /// always agree.
    pub table: Option<Vec<u8>>,
}

/// Parses, validates and compiles `.corspolicy` source, reporting every
/// problem found, a table that would exceed the compiler's budgets
/// included.
///
/// `test` blocks are checked too (an invalid test is an error), but never
/// reach the model or the table; [`policy_tests::load`] keeps them to run.
pub fn check(source: &str) -> Checked {
    check_with_tests(source).0
}

/// [`check`], and the valid `test` blocks of the file.
fn check_with_tests(source: &str) -> (Checked, Vec<policy_tests::TestCase>) {
    let (file, mut diagnostics) = parser::parse(source);
    let model = validate::validate(&file, &mut diagnostics);
    // After the policies: their diagnostics come first for the same place,
    // and the tests play no part in the model.
    let cases = policy_tests::validate(&file, &mut diagnostics);
    let model = if diagnostics.has_errors() {
        None
    } else {
        model
    };
    let table = match &model {
        Some(model) => match compile::compile(model) {
            Ok(table) => Some(table),
            Err(error) => {
                diagnostics.push(validate::compile_errors::diagnostic(&file, &error));
                None
            }
        },
        None => None,
    };
    let model = model.filter(|_| table.is_some());
    let cases = if table.is_some() { cases } else { Vec::new() };
    (
        Checked {
            model,
            diagnostics,
            table,
        },
        cases,
    )
}

/// A successfully compiled policy file.
#[derive(Debug)]
pub struct Compiled {
    /// The table bytes, loadable by `cors_match_core::Table::from_bytes`.
    pub table: Vec<u8>,
    /// The model the table was compiled from.
    pub model: PolicySet,
    /// Warnings (there are no errors, or compilation would have failed).
    pub diagnostics: Diagnostics,
}

/// Why source could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileFailure {
    /// The source has errors; every diagnostic, warnings included.
    #[error("the policy has {} error(s)", .0.error_count())]
    Invalid(Diagnostics),
    /// The policy is valid but does not fit the table format. (Not
    /// returned by [`compile()`] any more, which reports this as a
    /// diagnostic of [`Code::AutomatonTooLarge`]; kept for callers that
    /// match on it.)
    #[error(transparent)]
    Table(#[from] compile::CompileError),
}

/// Checks and compiles `.corspolicy` source to table bytes.
///
/// # Errors
///
/// [`CompileFailure::Invalid`] with every diagnostic when the source has
/// errors; [`CompileFailure::Table`] when the table would be too large.
pub fn compile(source: &str) -> Result<Compiled, CompileFailure> {
    let Checked {
        model,
        diagnostics,
        table,
    } = check(source);
    match (model, table) {
        (Some(model), Some(table)) => Ok(Compiled {
            table,
            model,
            diagnostics,
        }),
        _ => Err(CompileFailure::Invalid(diagnostics)),
    }
}
