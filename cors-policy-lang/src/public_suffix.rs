//! TEMPORARY stand-in (replaced by the whole-list module being written on
//! branch h-psl): lookups through the `psl` crate.

/// The list's date.
pub const LIST_DATE: &str = "psl crate";

/// A listed rule at or below a domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuffixBelow {
    /// The rule as written in the list.
    pub rule: String,
    /// A host an attacker could register that `*.domain` would match.
    pub example_host: String,
    /// From the list's PRIVATE section.
    pub private: bool,
}

/// Byte length of the public suffix of `host`.
pub fn suffix_len(host: &str) -> usize {
    psl::suffix(host.as_bytes()).map_or(0, |s| s.as_bytes().len())
}

/// The registrable domain of `host`.
pub fn registrable_domain(host: &str) -> Option<&str> {
    let domain = psl::domain(host.as_bytes())?;
    let len = domain.as_bytes().len();
    host.get(host.len() - len..)
}

/// Whether `domain` is itself a public suffix, unlisted TLDs included.
pub fn is_public_suffix_or_unknown(domain: &str) -> bool {
    psl::suffix(domain.as_bytes()).is_none_or(|suffix| suffix.as_bytes() == domain.as_bytes())
}

/// A listed rule at or below `domain`.
pub fn listed_suffix_at_or_below(domain: &str) -> Option<SuffixBelow> {
    let known = psl::suffix(domain.as_bytes())
        .is_some_and(|s| s.is_known() && s.as_bytes() == domain.as_bytes());
    known.then(|| SuffixBelow {
        rule: domain.to_string(),
        example_host: format!("evil.{domain}"),
        private: false,
    })
}

/// Whether some label of some rule of the list starts with `prefix`
/// (wildcard labels aside).
pub fn is_label_prefix(prefix: &str) -> bool {
    const LABELS: &[&str] = &[
        "com",
        "co",
        "uk",
        "jp",
        "kawasaki",
        "city",
        "amazonaws",
        "s3",
        "github",
        "io",
        "ck",
        "www",
        "org",
        "net",
    ];
    LABELS.iter().any(|label| label.starts_with(prefix))
}
