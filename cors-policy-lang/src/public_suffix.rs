//! The Public Suffix List: which names anyone can register under.
//!
//! The whole list (ICANN and PRIVATE sections) is embedded from
//! `data/public_suffix_list.dat`, dated [`LIST_DATE`], and refreshed by
//! `scripts/update-psl`. It is parsed once, on first use, into sorted tables
//! keyed by the rules' domains in their ASCII (punycode) form, since hosts
//! are normalized to ASCII before they are looked up, and kept sorted.
//!
//! Lookups follow the list's algorithm (<https://publicsuffix.org/list/>):
//! the longest matching rule wins, a wildcard `*.d` matches any one label
//! under `d`, an exception `!e` wins over every other rule and makes `e`
//! registrable, and a host no rule matches has its last label as public
//! suffix (the implicit `*` rule). Every lookup costs a few binary searches
//! per label of the host (about 14 comparisons each).
//!
//! Hosts are expected in lower-case ASCII, as the parser normalizes them.

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

/// The list, as published (its `// VERSION:` line is checked against
/// [`LIST_DATE`] by a test).
const LIST: &str = include_str!("../data/public_suffix_list.dat");

/// The list's date (as recorded with the data file, in
/// `data/public_suffix_list.date`), e.g. `"2026-10-22"`.
pub const LIST_DATE: &str = include_str!("../data/public_suffix_list.date").trim_ascii();

/// About how many rules the list has: what a scan of the whole list costs,
/// in the steps budgets count (a test keeps it within 10% of the list).
pub const RULE_COUNT_HINT: usize = 10_000;

/// Labels tried, in order, for the attacker's label of an example host.
const EVIL_LABELS: [&str; 4] = ["evil", "attacker", "evil-site", "evil0"];
/// Labels tried, in order, for the label a wildcard rule stands for.
const WILDCARD_LABELS: [&str; 4] = ["x", "y", "z", "x0"];

/// A listed rule at or below a domain: see [`listed_suffix_at_or_below`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuffixBelow {
    /// The rule as written in the list, e.g. `"*.kawasaki.jp"` or
    /// `"s3.amazonaws.com"` (a rule written in Unicode is given in its
    /// ASCII form, like the hosts it is compared with).
    pub rule: String,
    /// A host an attacker could register that `*.domain` would match,
    /// e.g. `"evil.s3.amazonaws.com"` or `"evil.x.kawasaki.jp"`.
    pub example_host: String,
    /// Whether the rule is from the list's PRIVATE section (names that a
    /// company hands out, such as `github.io`), not the ICANN section.
    pub private: bool,
}

/// The kind of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `d`: `d` is a public suffix.
    Normal,
    /// `*.d`: every `x.d` is a public suffix.
    Wildcard,
    /// `!e`: `e` is registrable, although a wildcard matches it.
    Exception,
}

/// One rule of the list.
#[derive(Debug)]
struct Rule {
    /// As written (ASCII): `d`, `*.d` or `!e`.
    text: String,
    kind: Kind,
    private: bool,
}

impl Rule {
    /// The rule's domain: the text without `*.` or `!`.
    fn domain(&self) -> &str {
        match self.kind {
            Kind::Normal => &self.text,
            Kind::Wildcard => &self.text[2..],
            Kind::Exception => &self.text[1..],
        }
    }

    /// The order in which rules are chosen as representatives: shortest
    /// text first, then alphabetical, so that diagnostics are stable.
    fn rank(&self) -> (usize, &str) {
        (self.text.len(), &self.text)
    }
}

/// The parsed list. Every map is keyed by a rule's domain and gives the
/// index of the rule in `rules`.
#[derive(Debug)]
struct List {
    rules: Vec<Rule>,
    normal: Index,
    wildcard: Index,
    exception: Index,
    /// Every domain that is a normal or wildcard rule's domain or an
    /// ancestor of one, with the rule of least [`Rule::rank`] among those
    /// at or below it.
    at_or_below: Index,
    /// Every label of every rule's domain, sorted and without duplicates.
    labels: Vec<String>,
}

fn list() -> &'static List {
    static LIST_ONCE: OnceLock<List> = OnceLock::new();
    LIST_ONCE.get_or_init(|| parse(LIST))
}

/// Parses the list's text. A rule is the first word of a line that is not
/// a comment; `// ===BEGIN PRIVATE DOMAINS===` starts the private section.
fn parse(text: &str) -> List {
    let mut rules = Vec::new();
    let [mut normal, mut wildcard, mut exception]: [HashMap<String, u32>; 3] = Default::default();
    let mut private = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix("//") {
            match comment.trim() {
                "===BEGIN PRIVATE DOMAINS===" => private = true,
                "===END PRIVATE DOMAINS===" => private = false,
                _ => {}
            }
            continue;
        }
        let Some(written) = line.split_whitespace().next() else {
            continue;
        };
        let (kind, domain) = if let Some(domain) = written.strip_prefix("*.") {
            (Kind::Wildcard, domain)
        } else if let Some(domain) = written.strip_prefix('!') {
            (Kind::Exception, domain)
        } else {
            (Kind::Normal, written)
        };
        // The list is in lower case; rules written in Unicode are looked
        // up in their ASCII form. A rule IDNA refuses could never match a
        // normalized host, so it is left out (a test checks there is none).
        let Ok(domain) = idna::domain_to_ascii(domain) else {
            continue;
        };
        let text = match kind {
            Kind::Normal => domain.clone(),
            Kind::Wildcard => format!("*.{domain}"),
            Kind::Exception => format!("!{domain}"),
        };
        let map = match kind {
            Kind::Normal => &mut normal,
            Kind::Wildcard => &mut wildcard,
            Kind::Exception => &mut exception,
        };
        if map.contains_key(&domain) {
            continue;
        }
        let index = u32::try_from(rules.len()).expect("the list has fewer than 2^32 rules");
        map.insert(domain, index);
        rules.push(Rule {
            text,
            kind,
            private,
        });
    }

    let mut at_or_below: HashMap<String, u32> = HashMap::default();
    let mut labels: Vec<String> = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        let domain = rule.domain();
        labels.extend(domain.split('.').map(str::to_owned));
        // An exception names a registrable domain: nobody but its owner
        // can register under it, so it makes no wildcard unsafe.
        if rule.kind == Kind::Exception {
            continue;
        }
        let index = index as u32;
        for ancestor in ancestors(domain) {
            at_or_below
                .entry(ancestor.to_owned())
                .and_modify(|best| {
                    if rule.rank() < rules[*best as usize].rank() {
                        *best = index;
                    }
                })
                .or_insert(index);
        }
    }
    labels.sort_unstable();
    labels.dedup();
    List {
        rules,
        normal: Index::new(normal),
        wildcard: Index::new(wildcard),
        exception: Index::new(exception),
        at_or_below: Index::new(at_or_below),
        labels,
    }
}

/// A map from domains to rule indexes, kept sorted and searched by
/// halving. Not a hash table: the list lives as long as the process, and a
/// hash table's interior pointers make memory checkers (valgrind, in the C
/// and nginx hosts' tests) report it as possibly lost.
#[derive(Debug)]
struct Index(Vec<(String, u32)>);

impl Index {
    fn new(map: HashMap<String, u32>) -> Index {
        let mut entries: Vec<(String, u32)> = map.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Index(entries)
    }

    fn get(&self, domain: &str) -> Option<&u32> {
        let at = self
            .0
            .binary_search_by(|(key, _)| key.as_str().cmp(domain))
            .ok()?;
        Some(&self.0[at].1)
    }

    fn contains_key(&self, domain: &str) -> bool {
        self.get(domain).is_some()
    }
}

/// `domain` and every domain above it: `a.b.c`, `b.c`, `c`.
fn ancestors(domain: &str) -> impl Iterator<Item = &str> {
    std::iter::once(domain).chain(domain.match_indices('.').map(|(dot, _)| &domain[dot + 1..]))
}

/// The public suffix of a lower-case ASCII DNS host, by the list's
/// algorithm: the longest matching rule (normal or wildcard), unless an
/// exception rule matches, which wins and makes its domain registrable;
/// with no matching rule, the last label (the implicit `*` rule, so an
/// unlisted TLD is a public suffix).
///
/// Returns the byte length of the suffix within `host` (its last bytes);
/// 0 for an empty host. Never panics, whatever the input.
///
/// # Examples
///
/// ```
/// use cors_policy_lang::public_suffix::suffix_len;
/// let host = "www.example.co.uk";
/// assert_eq!(&host[host.len() - suffix_len(host)..], "co.uk");
/// ```
pub fn suffix_len(host: &str) -> usize {
    let list = list();
    let mut longest: Option<usize> = None;
    // From the longest candidate suffix (the whole host) to the shortest.
    for suffix in ancestors(host) {
        if list.exception.contains_key(suffix) {
            // `!e`: the suffix is `e` without its first label.
            return suffix.find('.').map_or(0, |dot| suffix.len() - dot - 1);
        }
        if longest.is_some() {
            continue;
        }
        let wildcard = suffix
            .split_once('.')
            .is_some_and(|(_, parent)| list.wildcard.contains_key(parent));
        if wildcard || list.normal.contains_key(suffix) {
            longest = Some(suffix.len());
        }
    }
    longest.unwrap_or_else(|| host.rsplit('.').next().map_or(0, str::len))
}

/// The registrable domain (eTLD+1) of a lower-case ASCII DNS host: its
/// public suffix and the label before it, as a slice of `host`.
///
/// `None` when the host is itself a public suffix (`com`, `co.uk`,
/// `localhost`), is empty, has an empty label (a leading, trailing or
/// doubled dot), or looks like an IPv4 address (only digits and dots).
/// Other names ending in a number are judged like any name under an
/// unlisted TLD: `app.127` for `lh.app.127` (browsers refuse such hosts).
///
/// # Examples
///
/// ```
/// use cors_policy_lang::public_suffix::registrable_domain;
/// assert_eq!(registrable_domain("a.b.example.co.uk"), Some("example.co.uk"));
/// assert_eq!(registrable_domain("evil.s3.amazonaws.com"), Some("evil.s3.amazonaws.com"));
/// assert_eq!(registrable_domain("github.io"), None);
/// ```
pub fn registrable_domain(host: &str) -> Option<&str> {
    if host.split('.').any(str::is_empty) {
        return None;
    }
    // An address, not a name (`127.0.0.1`): nothing is registrable.
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let suffix_len = suffix_len(host);
    // `host` is `rest.suffix` unless the host is the suffix.
    let rest = host.len().checked_sub(suffix_len + 1)?;
    let start = host[..rest].rfind('.').map_or(0, |dot| dot + 1);
    Some(&host[start..])
}

/// Whether `domain` is itself a public suffix, counting the implicit `*`
/// rule: `com`, `co.uk`, `github.io`, `x.kawasaki.jp`, and also any
/// unlisted TLD such as `localhost` or `test` (and the empty string).
pub fn is_public_suffix_or_unknown(domain: &str) -> bool {
    suffix_len(domain) == domain.len()
}

/// A listed rule (ICANN or private; normal or wildcard) at or below
/// `domain`, if any: a rule for `domain` itself (`com`), a wildcard that
/// matches `domain` (`*.kawasaki.jp` for `x.kawasaki.jp`), or a rule for a
/// name under it (`s3.amazonaws.com` for `amazonaws.com`). Then a wildcard
/// `*.domain`, which matches names at any depth, matches names that anyone
/// can register; [`SuffixBelow::example_host`] is one.
///
/// Exception rules (`!city.kawasaki.jp`) are never the answer: they mark
/// registrable domains, under which only their owner can create names.
/// When several rules qualify, the one with the shortest text (then the
/// alphabetically first) is chosen, so diagnostics are stable.
///
/// Costs a few binary searches, however many rules lie under `domain`.
///
/// # Examples
///
/// ```
/// use cors_policy_lang::public_suffix::listed_suffix_at_or_below;
/// let below = listed_suffix_at_or_below("amazonaws.com").unwrap();
/// assert_eq!(below.rule, "s3.amazonaws.com");
/// assert_eq!(below.example_host, "evil.s3.amazonaws.com");
/// assert!(below.private);
/// assert_eq!(listed_suffix_at_or_below("example.com"), None);
/// assert_eq!(listed_suffix_at_or_below("localhost"), None);
/// ```
pub fn listed_suffix_at_or_below(domain: &str) -> Option<SuffixBelow> {
    let list = list();
    // A wildcard matching `domain` itself, unless an exception excludes it.
    let matching_wildcard = domain
        .split_once('.')
        .filter(|_| !list.exception.contains_key(domain))
        .and_then(|(_, parent)| list.wildcard.get(parent));
    let below = list.at_or_below.get(domain);
    let (index, instance) = match (matching_wildcard, below) {
        (Some(&wildcard), Some(&below))
            if list.rules[below as usize].rank() < list.rules[wildcard as usize].rank() =>
        {
            (below, None)
        }
        (Some(&wildcard), _) => (wildcard, Some(domain.to_owned())),
        (None, Some(&below)) => (below, None),
        (None, None) => return None,
    };
    let rule = &list.rules[index as usize];
    // A public suffix the rule makes: the rule's domain, or for a wildcard
    // under `domain`, one name it matches.
    let instance = instance.unwrap_or_else(|| match rule.kind {
        Kind::Wildcard => {
            let parent = rule.domain();
            let label = WILDCARD_LABELS
                .iter()
                .find(|label| !list.exception.contains_key(&format!("{label}.{parent}")))
                .unwrap_or(&WILDCARD_LABELS[0]);
            format!("{label}.{parent}")
        }
        Kind::Normal | Kind::Exception => rule.domain().to_owned(),
    });
    // A name registrable under it (not itself a suffix by a deeper rule).
    let example_host = EVIL_LABELS
        .iter()
        .map(|label| format!("{label}.{instance}"))
        .find(|host| !is_public_suffix_or_unknown(host))
        .unwrap_or_else(|| format!("{}.{instance}", EVIL_LABELS[0]));
    Some(SuffixBelow {
        rule: rule.text.clone(),
        example_host,
        private: rule.private,
    })
}

/// What a host must end with to have a public suffix at or below
/// `domain` by some normal or wildcard rule: `.` followed by the rule's
/// domain (for `*.d`, the `.d` the wildcard label stands in front of). A
/// host equal to a normal rule's domain counts when read with a `.` in
/// front. Exception rules make nothing a suffix and are left out, so a
/// host that ends with one of these may still be registrable (check it
/// with [`registrable_domain`]). Sorted; a scan of the whole list.
///
/// ```
/// use cors_policy_lang::public_suffix::suffix_endings_at_or_below;
/// let endings = suffix_endings_at_or_below("amazonaws.com");
/// assert!(endings.contains(&".s3.amazonaws.com".to_string()));
/// assert!(suffix_endings_at_or_below("example.com").is_empty());
/// ```
pub fn suffix_endings_at_or_below(domain: &str) -> Vec<String> {
    let under = format!(".{domain}");
    let mut endings: Vec<String> = list()
        .rules
        .iter()
        .filter(|rule| match rule.kind {
            Kind::Normal => rule.domain() == domain || rule.domain().ends_with(&under),
            Kind::Wildcard => rule.domain() == domain || rule.domain().ends_with(&under),
            Kind::Exception => false,
        })
        .map(|rule| format!(".{}", rule.domain()))
        .collect();
    endings.sort();
    endings.dedup();
    endings
}

/// How many labels the list's deepest rule has (a wildcard's `*` counts):
/// the regex analysis keeps more literal labels than this.
#[cfg(test)]
pub(crate) fn deepest_rule_labels() -> usize {
    list()
        .rules
        .iter()
        .map(|rule| rule.text.trim_start_matches('!').split('.').count())
        .max()
        .unwrap_or(0)
}

/// Whether some label of some rule of the list starts with `prefix`
/// (the `*` of wildcard rules aside; the labels of exception rules
/// included), in ASCII form: `is_label_prefix("amazon")` is true since
/// `s3.amazonaws.com` is listed.
pub fn is_label_prefix(prefix: &str) -> bool {
    let labels = &list().labels;
    let first = labels.partition_point(|label| label.as_str() < prefix);
    labels
        .get(first)
        .is_some_and(|label| label.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registrable(host: &str) -> Option<&str> {
        registrable_domain(host)
    }

    fn suffix(host: &str) -> &str {
        &host[host.len() - suffix_len(host)..]
    }

    /// The list's own test vectors (`tests/test_psl.txt` of the list's
    /// repository, refreshed with it by `scripts/update-psl`): every
    /// `checkPublicSuffix(input, registrable)` line. Inputs are lower-cased
    /// and converted to ASCII as corsc's parser does; an input with a
    /// leading dot is not a host, so its expected answer is `null`.
    #[test]
    fn the_lists_own_test_vectors() {
        let vectors = include_str!("../data/test_psl.txt");
        let quoted = |text: &str| -> Option<String> {
            let text = text.trim();
            (text != "null").then(|| text.trim_matches('\'').to_owned())
        };
        let mut checked = 0;
        for line in vectors.lines() {
            let Some(args) = line
                .trim()
                .strip_prefix("checkPublicSuffix(")
                .and_then(|rest| rest.strip_suffix(");"))
            else {
                continue;
            };
            let (input, expected) = args.split_once(',').expect("two arguments");
            let (Some(input), expected) = (quoted(input), quoted(expected)) else {
                continue;
            };
            let host = match idna::domain_to_ascii(&input.to_lowercase()) {
                Ok(host) => host,
                // Not a valid host name: nothing is registrable.
                Err(_) => {
                    assert_eq!(expected, None, "{line}");
                    continue;
                }
            };
            let expected = expected.map(|e| idna::domain_to_ascii(&e).expect("valid expected"));
            assert_eq!(registrable(&host), expected.as_deref(), "{line}");
            checked += 1;
        }
        assert!(checked >= 70, "only {checked} test vectors found");
    }

    #[test]
    fn the_date_is_the_lists_version() {
        assert_eq!(LIST_DATE.len(), "2026-10-22".len());
        let version = LIST
            .lines()
            .find_map(|line| line.strip_prefix("// VERSION: "))
            .expect("the data file records its version");
        assert!(version.starts_with(LIST_DATE), "{version} vs {LIST_DATE}");
    }

    #[test]
    fn the_whole_list_is_parsed() {
        let list = list();
        assert!(list.rules.len() > 9_000, "{}", list.rules.len());
        assert!(list.rules.iter().any(|rule| rule.private));
        assert!(list.rules.iter().any(|rule| !rule.private));
        // Every rule line of the file is kept: none refused by IDNA.
        let lines = LIST
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .count();
        assert_eq!(list.rules.len(), lines);
        assert!(list.rules.iter().all(|rule| rule.text.is_ascii()));
        // Unicode rules are stored in punycode: `公司.cn` and `*.ไทย`-style.
        assert!(list.normal.contains_key("xn--55qx5d.cn"));
        assert_eq!(suffix("example.xn--55qx5d.cn"), "xn--55qx5d.cn");
    }

    #[test]
    fn suffixes_and_registrable_domains() {
        let cases = [
            ("com", "com", None),
            ("example.com", "com", Some("example.com")),
            ("a.b.example.co.uk", "co.uk", Some("example.co.uk")),
            ("co.uk", "co.uk", None),
            ("github.io", "github.io", None),
            ("evil.github.io", "github.io", Some("evil.github.io")),
            ("s3.amazonaws.com", "s3.amazonaws.com", None),
            (
                "evil.s3.amazonaws.com",
                "s3.amazonaws.com",
                Some("evil.s3.amazonaws.com"),
            ),
            ("amazonaws.com", "com", Some("amazonaws.com")),
            ("x.kawasaki.jp", "x.kawasaki.jp", None),
            (
                "evil.x.kawasaki.jp",
                "x.kawasaki.jp",
                Some("evil.x.kawasaki.jp"),
            ),
            ("city.kawasaki.jp", "kawasaki.jp", Some("city.kawasaki.jp")),
            (
                "a.city.kawasaki.jp",
                "kawasaki.jp",
                Some("city.kawasaki.jp"),
            ),
            ("ck", "ck", None),
            ("foo.ck", "foo.ck", None),
            ("evil.foo.ck", "foo.ck", Some("evil.foo.ck")),
            ("www.ck", "ck", Some("www.ck")),
            ("a.www.ck", "ck", Some("www.ck")),
            ("localhost", "localhost", None),
            ("app.localhost", "localhost", Some("app.localhost")),
            ("a.b.internal", "internal", Some("b.internal")),
            ("", "", None),
            ("1.2.3.4", "4", None),
            ("127", "127", None),
            ("lh.app.127", "127", Some("app.127")),
            (".com", "com", None),
            ("example..com", "com", None),
        ];
        for (host, expected_suffix, expected_domain) in cases {
            assert_eq!(suffix(host), expected_suffix, "{host}");
            assert_eq!(registrable(host), expected_domain, "{host}");
        }
        assert!(is_public_suffix_or_unknown("com"));
        assert!(is_public_suffix_or_unknown("co.uk"));
        assert!(is_public_suffix_or_unknown("x.kawasaki.jp"));
        assert!(is_public_suffix_or_unknown("localhost"));
        assert!(is_public_suffix_or_unknown("test"));
        assert!(!is_public_suffix_or_unknown("city.kawasaki.jp"));
        assert!(!is_public_suffix_or_unknown("example.com"));
        assert!(!is_public_suffix_or_unknown("amazonaws.com"));
    }

    #[test]
    fn rules_at_or_below() {
        let found = |domain: &str| {
            listed_suffix_at_or_below(domain)
                .map(|below| (below.rule, below.example_host, below.private))
        };
        let some = |rule: &str, host: &str, private: bool| {
            Some((rule.to_owned(), host.to_owned(), private))
        };
        let cases = [
            ("com", some("com", "evil.com", false)),
            ("co.uk", some("co.uk", "evil.co.uk", false)),
            ("github.io", some("github.io", "evil.github.io", true)),
            (
                "amazonaws.com",
                some("s3.amazonaws.com", "evil.s3.amazonaws.com", true),
            ),
            (
                "s3.amazonaws.com",
                some("s3.amazonaws.com", "evil.s3.amazonaws.com", true),
            ),
            (
                "kawasaki.jp",
                some("*.kawasaki.jp", "evil.x.kawasaki.jp", false),
            ),
            (
                "foo.kawasaki.jp",
                some("*.kawasaki.jp", "evil.foo.kawasaki.jp", false),
            ),
            ("ck", some("*.ck", "evil.x.ck", false)),
            ("uk", some("uk", "evil.uk", false)),
            // `!city.kawasaki.jp`: registrable, owned by the city.
            ("city.kawasaki.jp", None),
            ("a.city.kawasaki.jp", None),
            ("www.ck", None),
            ("example.com", None),
            ("evil.s3.amazonaws.com", None),
            ("localhost", None),
            ("test", None),
            ("internal", None),
            ("example", None),
            ("", None),
        ];
        for (domain, expected) in cases {
            assert_eq!(found(domain), expected, "{domain}");
        }
        // Every example is registrable, and under the domain asked about.
        for domain in ["com", "amazonaws.com", "kawasaki.jp", "ck", "jp", "io"] {
            let below = listed_suffix_at_or_below(domain).unwrap();
            let registrable = registrable_domain(&below.example_host);
            assert_eq!(registrable, Some(below.example_host.as_str()), "{domain}");
            assert!(below.example_host.ends_with(&format!(".{domain}")));
        }
    }

    /// The representative rule is the least by (length, text) among every
    /// rule at or below the domain, as a scan of the whole list says.
    #[test]
    fn representatives_match_a_scan_of_the_list() {
        let list = list();
        for domain in [
            "com",
            "amazonaws.com",
            "jp",
            "kawasaki.jp",
            "io",
            "uk",
            "no",
        ] {
            let best = list
                .rules
                .iter()
                .filter(|rule| rule.kind != Kind::Exception)
                .filter(|rule| {
                    let d = rule.domain();
                    d == domain || d.ends_with(&format!(".{domain}"))
                })
                .min_by(|a, b| a.rank().cmp(&b.rank()))
                .map(|rule| rule.text.clone());
            assert_eq!(
                listed_suffix_at_or_below(domain).map(|below| below.rule),
                best,
                "{domain}"
            );
        }
    }

    #[test]
    fn the_rule_count_hint_is_close() {
        let count = list().rules.len();
        assert!(
            count.abs_diff(RULE_COUNT_HINT) * 10 <= RULE_COUNT_HINT,
            "{count} rules"
        );
    }

    #[test]
    fn label_prefixes() {
        for prefix in [
            "",
            "c",
            "com",
            "amazon",
            "amazonaws",
            "kawa",
            "city",
            "xn--",
        ] {
            assert!(is_label_prefix(prefix), "{prefix}");
        }
        for prefix in ["amazonawsx", "*", "zzzzzz", "com."] {
            assert!(!is_label_prefix(prefix), "{prefix}");
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for host in [
            "",
            ".",
            "..",
            "a.",
            ".a",
            "*",
            "*.com",
            "!",
            "a..b",
            "\u{e9}.com",
        ] {
            let _ = suffix_len(host);
            let _ = registrable_domain(host);
            let _ = is_public_suffix_or_unknown(host);
            let _ = listed_suffix_at_or_below(host);
        }
    }
}
