//! `no_std`, zero-allocation evaluation of compiled CORS policies.
//!
//! A table compiled by `corsc` is loaded with [`Table::from_bytes`], which
//! validates untrusted bytes once; [`Table::eval`] then answers each request
//! in time proportional to the length of its header values, independent of
//! how many origins the policy lists, without allocating.
//!
//! ```text
//! table bytes ──Table::from_bytes──► Table<'a> ──eval(&Request)──► Outcome<'a>
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod automaton;
mod bytes;
mod eval;
pub mod format;
mod index;
mod load;
pub mod outcome;
pub mod request;

pub use load::{LoadError, Table};
pub use outcome::{Decision, Header, Outcome, Reason, MAX_HEADERS};
pub use request::Request;
