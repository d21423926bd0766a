//! Why a layer could not be built.

use std::fmt;
use std::path::Path;

/// What kind of problem an [`Error`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The policy file could not be read, or is not UTF-8.
    Io,
    /// The policy source has errors: the message is corsc's rendered
    /// diagnostics, as `corsc check` prints them.
    Invalid,
    /// The compiled table was rejected.
    Table,
    /// Source was given to a build without the `compile` feature.
    NoCompiler,
}

/// A policy that could not be loaded: the kind, and the message to show
/// (for [`ErrorKind::Invalid`], every diagnostic, rendered).
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// What kind of problem this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message: for [`ErrorKind::Invalid`], corsc's rendered
    /// diagnostics (errors and warnings, with their `CORS00NN` codes).
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn io(path: &Path, error: &std::io::Error) -> Error {
        Error {
            kind: ErrorKind::Io,
            message: format!("{}: {error}", path.display()),
        }
    }

    pub(crate) fn not_utf8(path: &Path) -> Error {
        Error {
            kind: ErrorKind::Io,
            message: format!(
                "{}: neither a corsc table nor UTF-8 `.corspolicy` source",
                path.display()
            ),
        }
    }

    pub(crate) fn table(error: cors_match_core::LoadError) -> Error {
        Error {
            kind: ErrorKind::Table,
            message: format!("the compiled table was rejected: {error}"),
        }
    }

    #[cfg_attr(not(feature = "compile"), allow(dead_code))]
    pub(crate) fn invalid(rendered: String) -> Error {
        Error {
            kind: ErrorKind::Invalid,
            message: rendered,
        }
    }

    #[cfg_attr(feature = "compile", allow(dead_code))]
    pub(crate) fn no_compiler(name: &str) -> Error {
        Error {
            kind: ErrorKind::NoCompiler,
            message: format!(
                "{name}: corsc-tower was built without the `compile` feature: load a table \
                 compiled by `corsc compile` instead"
            ),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    // The message as is, so that `main() -> Result<_, Error>` and
    // `.unwrap()` show the diagnostics readably.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} error:\n{}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}
