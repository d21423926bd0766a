//! The compiler: from the validated model to table bytes.
//!
//! The byte layout belongs to `cors_match_core::format`; this module only
//! fills it in, with the core's constants.

pub mod automaton;
mod table;

use crate::model::{default_port, Host, OriginPattern, PortPattern};
use automaton::Symbol;

pub use table::{
    compile, CompileError, MAX_PATTERN_STATES, MAX_PATTERN_WORK, MAX_STATES, MAX_WORK,
};

/// The symbols of one origin pattern, as the origin automaton reads it.
pub fn origin_symbols(pattern: &OriginPattern) -> Vec<Symbol> {
    let mut symbols = Vec::new();
    let bytes = |symbols: &mut Vec<Symbol>, text: &str| {
        symbols.extend(text.bytes().map(Symbol::Byte));
    };
    match pattern {
        OriginPattern::Null => bytes(&mut symbols, "null"),
        // Not a string of symbols: the compiler grafts the regex's own
        // automaton into the origin automaton instead.
        OriginPattern::Regex(_) => {}
        OriginPattern::Tuple(origin) => {
            bytes(&mut symbols, &origin.scheme);
            bytes(&mut symbols, "://");
            if origin.any_subdomain {
                symbols.push(Symbol::Labels);
            }
            match &origin.host {
                Host::Domain(name) => bytes(&mut symbols, name),
                host @ (Host::Ipv4(_) | Host::Ipv6(_)) => bytes(&mut symbols, &host.to_string()),
            }
            match origin.port {
                PortPattern::Default => {}
                PortPattern::Exact(port) => bytes(&mut symbols, &format!(":{port}")),
                PortPattern::Any => symbols.push(Symbol::AnyPort {
                    default: default_port(&origin.scheme),
                }),
            }
        }
    }
    symbols
}

/// The symbols of a pattern read from its last byte to its first, for the
/// automaton that walks origins backwards; `None` for a pattern with a port
/// wildcard, which only reads forwards.
///
/// A subdomain wildcard walked forwards must guess, at every label, whether
/// the listed domain starts there: the deterministic automaton tracks every
/// listed domain at once, and grows with their number times their length.
/// Backwards, the listed domain comes first and is read like a plain string;
/// the wildcard labels come last, where nothing is left to guess.
pub fn origin_symbols_reversed(pattern: &OriginPattern) -> Option<Vec<Symbol>> {
    if matches!(pattern, OriginPattern::Regex(_)) {
        return None;
    }
    origin_symbols(pattern)
        .into_iter()
        .rev()
        .map(|symbol| match symbol {
            Symbol::Byte(_) => Some(symbol),
            Symbol::Labels => Some(Symbol::LabelsReversed),
            Symbol::LabelsReversed | Symbol::AnyPort { .. } => None,
        })
        .collect()
}
