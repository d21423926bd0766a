//! The parts of the `corsc` command-line tool that are not argument
//! handling: writing a compiled table as C or Rust source ([`emit`]),
//! reading framework settings files for `corsc import` ([`import`]), and
//! reading browser console messages ([`console`]) and HAR files ([`har`])
//! for `corsc explain`, and the line diff `corsc fmt --check` prints
//! ([`text_diff`]).
//!
//! The tool is its own package so that the `.corspolicy` library
//! (`cors-policy-lang`) links no command-line crates: hosts that embed the
//! compiler (the C library, the nginx module) stay small. These modules are
//! a library only so the tool's tests can call them in process; the
//! command line is the interface.
#![deny(missing_docs)]

pub mod console;
pub mod emit;
pub mod har;
pub mod import;
pub mod text_diff;
