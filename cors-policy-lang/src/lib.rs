//! The `.corspolicy` language: lexer, parser, diagnostics, validation, the
//! normalized policy model, the compiler to table bytes, and the reference
//! evaluator used as a test oracle.
//!
//! ```text
//! source ──lexer──► tokens ──parser──► AST ──validate──► model ──compile──► table bytes
//! ```
#![deny(missing_docs)]

pub mod ast;
pub mod compile;
pub mod diagnostics;
pub mod emit;
pub mod import;
pub mod lexer;
pub mod model;
pub mod parser;
pub mod public_suffix;
pub mod reference;
pub mod regex_origin;
pub mod validate;

pub use diagnostics::{Code, Diagnostic, Diagnostics, RenderStyle, Severity};
pub use model::PolicySet;

/// The result of checking a source file: every diagnostic, and the model
/// when there were no errors.
#[derive(Debug)]
pub struct Checked {
    /// The validated model; `None` when `diagnostics` has errors.
    pub model: Option<PolicySet>,
    /// Errors and warnings, in source order.
    pub diagnostics: Diagnostics,
}

/// Parses and validates `.corspolicy` source, reporting every problem found.
pub fn check(source: &str) -> Checked {
    let (file, mut diagnostics) = parser::parse(source);
    let model = validate::validate(&file, &mut diagnostics);
    let model = if diagnostics.has_errors() {
        None
    } else {
        model
    };
    Checked { model, diagnostics }
}

/// A successfully compiled policy file.
#[derive(Debug)]
pub struct Compiled {
    /// The table bytes, loadable by `cors_match_core::Policy::from_bytes`.
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
    /// The policy is valid but does not fit the table format.
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
    let Checked { model, diagnostics } = check(source);
    match model {
        Some(model) => Ok(Compiled {
            table: compile::compile(&model)?,
            model,
            diagnostics,
        }),
        None => Err(CompileFailure::Invalid(diagnostics)),
    }
}
