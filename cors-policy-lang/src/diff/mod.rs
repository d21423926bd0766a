//! The semantic difference between two policy files: what requests are
//! newly allowed or newly denied, per policy and per path prefix.
//!
//! Both sides are validated models ([`PolicySet`]), so formatting, comments,
//! the order of lists and of policies, and different spellings of the same
//! origins (see [`origins`]) make no difference. What is compared is what
//! the evaluator decides:
//!
//! - **Routing.** Policies are matched by name; an unmatched old policy and
//!   an unmatched new one with the same set of path prefixes are a rename.
//!   Every path is then in one of a few *regions*: the paths whose longest
//!   matching prefix, among the prefixes of both files, is a given prefix,
//!   and the paths no prefix matches. Within a region both files select one
//!   policy each (or none), so a region whose old and new policies are not a
//!   matched pair is a [`RouteChange`]: its requests change policy, and the
//!   change is the difference between the two.
//! - **Settings** of a matched pair ([`PolicyDiff`]), counted only when the
//!   pair still serves a region together: origins (on the languages of
//!   their automata, with an example origin for each widened or narrowed
//!   pattern), the methods other than the always-allowed GET, HEAD and POST
//!   (case-sensitive), allowed and exposed header names (case-insensitive,
//!   `*` as the set it stands for: `allow-headers *` never covers
//!   `Authorization`), credentials and private network access, and the
//!   neutral `max-age` and `preflight-status`.
//!
//! Each [`Change`] widens access, narrows it, or is neutral; [`Diff::verdict`]
//! sums them up for a CI job.

pub mod origins;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashSet as HashSet;

use crate::model::{HeaderNames, OriginPattern, Origins, Policy, PolicySet, SAFELISTED_METHODS};
use crate::reference::MAX_ORIGIN_LEN;
use origins::{exact, language, shortest_difference, Language, Reading, Spending, TooLarge};

/// How a change affects access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Something is allowed that was not.
    Widened,
    /// Something allowed before is now denied.
    Narrowed,
    /// Neither: a different answer that allows and denies the same requests.
    Neutral,
}

impl Direction {
    /// `widened`, `narrowed` or `neutral`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Widened => "widened",
            Direction::Narrowed => "narrowed",
            Direction::Neutral => "neutral",
        }
    }

    fn of(widened: bool) -> Self {
        if widened {
            Direction::Widened
        } else {
            Direction::Narrowed
        }
    }
}

/// One difference in what a policy allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// An origin pattern admits origins the other side did not (widened:
    /// a pattern of the new side; narrowed: one of the old side).
    Origin {
        /// Widened or narrowed.
        direction: Direction,
        /// The pattern as the model writes it (`~"regex"` for a regex).
        pattern: String,
        /// The pattern matches one origin only (no wildcard, no regex).
        exact: bool,
        /// For a wildcard or regex, the shortest origin it admits that the
        /// other side does not.
        example: Option<String>,
    },
    /// `origins *` added (widened) or replaced by a list (narrowed).
    AnyOrigin {
        /// Widened or narrowed.
        direction: Direction,
    },
    /// A method other than GET, HEAD and POST.
    Method {
        /// Widened or narrowed.
        direction: Direction,
        /// The method, case preserved.
        method: String,
    },
    /// An `allow-headers` name, lower-case, or `*`.
    AllowHeader {
        /// Widened or narrowed.
        direction: Direction,
        /// The name, or `*`.
        name: String,
    },
    /// An `expose-headers` name, lower-case, or `*`.
    ExposeHeader {
        /// Widened or narrowed.
        direction: Direction,
        /// The name, or `*`.
        name: String,
    },
    /// `credentials` turned on (widened) or off (narrowed).
    Credentials {
        /// Widened or narrowed.
        direction: Direction,
    },
    /// `private-network` turned on (widened) or off (narrowed).
    PrivateNetwork {
        /// Widened or narrowed.
        direction: Direction,
    },
    /// `max-age` changed (neutral: it decides how long browsers cache an
    /// answer, not what is allowed). `None` is no `max-age`.
    MaxAge {
        /// The old value, in seconds.
        old: Option<u32>,
        /// The new value, in seconds.
        new: Option<u32>,
    },
    /// `preflight-status` changed (neutral: both are `ok` statuses).
    PreflightStatus {
        /// The old status.
        old: u16,
        /// The new status.
        new: u16,
    },
    /// The origin lists could not be compared within the diff's budgets;
    /// counted as widened, so that a CI job asks for review.
    OriginsNotCompared {
        /// What ran out.
        reason: String,
    },
}

impl Change {
    /// Whether the change widens access, narrows it, or neither.
    pub fn direction(&self) -> Direction {
        match self {
            Change::Origin { direction, .. }
            | Change::AnyOrigin { direction }
            | Change::Method { direction, .. }
            | Change::AllowHeader { direction, .. }
            | Change::ExposeHeader { direction, .. }
            | Change::Credentials { direction }
            | Change::PrivateNetwork { direction } => *direction,
            Change::MaxAge { .. } | Change::PreflightStatus { .. } => Direction::Neutral,
            Change::OriginsNotCompared { .. } => Direction::Widened,
        }
    }

    /// What the change is about: `origin`, `origins`, `method`,
    /// `allow-header`, `expose-header`, `credentials`, `private-network`,
    /// `max-age`, `preflight-status` or `origins-not-compared`.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Origin { .. } => "origin",
            Change::AnyOrigin { .. } => "origins",
            Change::Method { .. } => "method",
            Change::AllowHeader { .. } => "allow-header",
            Change::ExposeHeader { .. } => "expose-header",
            Change::Credentials { .. } => "credentials",
            Change::PrivateNetwork { .. } => "private-network",
            Change::MaxAge { .. } => "max-age",
            Change::PreflightStatus { .. } => "preflight-status",
            Change::OriginsNotCompared { .. } => "origins-not-compared",
        }
    }
}

/// What happened to a policy, matched by name (or by paths for a rename).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyStatus {
    /// In both files under the same name.
    Kept,
    /// Only in the new file.
    Added,
    /// Only in the old file.
    Removed,
    /// The old policy `from` has the same path prefixes as this one.
    Renamed {
        /// The old name.
        from: String,
    },
}

/// One policy of either file and how it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDiff {
    /// The new name (the old one for a removed policy).
    pub name: String,
    /// Kept, added, removed or renamed.
    pub status: PolicyStatus,
    /// Path prefixes the new policy has and the old one had not.
    pub paths_added: Vec<String>,
    /// Path prefixes the old policy had and the new one has not.
    pub paths_removed: Vec<String>,
    /// What the requests it serves in both files gain or lose (empty when
    /// it serves no path in both files: see the [`RouteChange`]s).
    pub changes: Vec<Change>,
    /// The old policy's `max-age`, for the note on narrowing.
    pub old_max_age: Option<u32>,
}

impl PolicyDiff {
    /// Whether nothing about the policy changed.
    pub fn is_empty(&self) -> bool {
        self.status == PolicyStatus::Kept
            && self.paths_added.is_empty()
            && self.paths_removed.is_empty()
            && self.changes.is_empty()
    }
}

/// A set of paths: those whose longest matching prefix (among both files'
/// prefixes) is `Prefix`, or those no prefix matches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    /// The paths under this prefix (and under no longer one).
    Prefix(String),
    /// The paths no prefix of either file matches.
    Other,
}

/// Paths served by different policies in the two files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteChange {
    /// The paths concerned.
    pub regions: Vec<Region>,
    /// The old policy serving them; `None`: none (no CORS headers).
    pub old_policy: Option<String>,
    /// The new policy serving them; `None`: none (no CORS headers).
    pub new_policy: Option<String>,
    /// What their requests gain or lose.
    pub changes: Vec<Change>,
    /// The old policy's `max-age`, for the note on narrowing.
    pub old_max_age: Option<u32>,
}

/// The sum of a diff, for an exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No semantic difference.
    Unchanged,
    /// Access only narrowed, or changes that allow and deny the same
    /// requests (a rename, a `max-age`).
    Changed,
    /// Some request is allowed that was not.
    Widened,
}

/// The semantic difference between two policy sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Every policy that changed: the new file's in order, then the removed
    /// ones in the old file's order.
    pub policies: Vec<PolicyDiff>,
    /// Paths that changed policy, in the order of their regions.
    pub routes: Vec<RouteChange>,
}

impl Diff {
    /// Whether the two sets mean the same.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty() && self.routes.is_empty()
    }

    fn changes(&self) -> impl Iterator<Item = &Change> {
        self.policies
            .iter()
            .flat_map(|p| &p.changes)
            .chain(self.routes.iter().flat_map(|r| &r.changes))
    }

    /// Whether some request is allowed that was not.
    pub fn widened(&self) -> bool {
        self.changes().any(|c| c.direction() == Direction::Widened)
    }

    /// Whether some request allowed before is now denied.
    pub fn narrowed(&self) -> bool {
        self.changes().any(|c| c.direction() == Direction::Narrowed)
    }

    /// Unchanged, changed (narrowed or neutral only) or widened.
    pub fn verdict(&self) -> Verdict {
        if self.widened() {
            Verdict::Widened
        } else if self.is_empty() {
            Verdict::Unchanged
        } else {
            Verdict::Changed
        }
    }

    /// For every old policy that lost access, its name and `max-age`: the
    /// longest a browser may keep using a preflight it cached before.
    pub fn narrowed_max_ages(&self) -> Vec<(String, Option<u32>)> {
        let narrowed =
            |changes: &[Change]| changes.iter().any(|c| c.direction() == Direction::Narrowed);
        let mut out: Vec<(String, Option<u32>)> = Vec::new();
        let mut add = |name: &str, max_age| {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.to_string(), max_age));
            }
        };
        for policy in &self.policies {
            if narrowed(&policy.changes) {
                let name = match &policy.status {
                    PolicyStatus::Renamed { from } => from,
                    _ => &policy.name,
                };
                add(name, policy.old_max_age);
            }
        }
        for route in &self.routes {
            if let (true, Some(name)) = (narrowed(&route.changes), &route.old_policy) {
                add(name, route.old_max_age);
            }
        }
        out
    }
}

/// The semantic difference between `old` and `new` (two validated models).
///
/// Never panics and is bounded on any input: origin lists too large to
/// compare within the budgets of [`origins`] give a
/// [`Change::OriginsNotCompared`].
pub fn diff(old: &PolicySet, new: &PolicySet) -> Diff {
    let mut spending = Spending::default();
    let matched = match_policies(old, new);
    // old index -> new index.
    let partner: BTreeMap<usize, usize> = matched.iter().map(|&(o, n, _)| (o, n)).collect();

    let prefixes: BTreeSet<&str> = old
        .policies
        .iter()
        .chain(&new.policies)
        .flat_map(|p| p.paths.iter().map(String::as_str))
        .collect();
    let regions = prefixes
        .into_iter()
        .map(|p| Region::Prefix(p.to_string()))
        .chain([Region::Other]);
    let mut shared: BTreeSet<(usize, usize)> = BTreeSet::new();
    // (old policy, new policy) -> the regions moving between them.
    let mut moved: Vec<(Route, Vec<Region>)> = Vec::new();
    for region in regions {
        let (from, to) = (select(old, &region), select(new, &region));
        match (from, to) {
            (None, None) => {}
            (Some(o), Some(n)) if partner.get(&o) == Some(&n) => {
                shared.insert((o, n));
            }
            key => match moved.iter_mut().find(|(k, _)| *k == key) {
                Some((_, regions)) => regions.push(region),
                None => moved.push((key, vec![region])),
            },
        }
    }

    let mut policies = Vec::new();
    for (n, policy) in new.policies.iter().enumerate() {
        let entry = match matched.iter().find(|&&(_, m, _)| m == n) {
            Some(&(o, _, renamed)) => {
                let before = &old.policies[o];
                let changes = if shared.contains(&(o, n)) {
                    compare(Some(before), Some(policy), &mut spending)
                } else {
                    Vec::new()
                };
                PolicyDiff {
                    name: policy.name.clone(),
                    status: if renamed {
                        PolicyStatus::Renamed {
                            from: before.name.clone(),
                        }
                    } else {
                        PolicyStatus::Kept
                    },
                    paths_added: difference(&policy.paths, &before.paths),
                    paths_removed: difference(&before.paths, &policy.paths),
                    changes,
                    old_max_age: before.max_age,
                }
            }
            None => PolicyDiff {
                name: policy.name.clone(),
                status: PolicyStatus::Added,
                paths_added: policy.paths.clone(),
                paths_removed: Vec::new(),
                changes: Vec::new(),
                old_max_age: None,
            },
        };
        if !entry.is_empty() {
            policies.push(entry);
        }
    }
    for (o, policy) in old.policies.iter().enumerate() {
        if !partner.contains_key(&o) {
            policies.push(PolicyDiff {
                name: policy.name.clone(),
                status: PolicyStatus::Removed,
                paths_added: Vec::new(),
                paths_removed: policy.paths.clone(),
                changes: Vec::new(),
                old_max_age: policy.max_age,
            });
        }
    }

    let routes = moved
        .into_iter()
        .map(|((o, n), regions)| {
            let before = o.map(|o| &old.policies[o]);
            let after = n.map(|n| &new.policies[n]);
            RouteChange {
                regions,
                old_policy: before.map(|p| p.name.clone()),
                new_policy: after.map(|p| p.name.clone()),
                changes: compare(before, after, &mut spending),
                old_max_age: before.and_then(|p| p.max_age),
            }
        })
        .collect();
    Diff { policies, routes }
}

/// The indices of the old and new policies serving some paths.
type Route = (Option<usize>, Option<usize>);

/// Pairs of (old index, new index, renamed): by name, then unmatched
/// policies with the same set of path prefixes, in order.
fn match_policies(old: &PolicySet, new: &PolicySet) -> Vec<(usize, usize, bool)> {
    let mut pairs: Vec<(usize, usize, bool)> = Vec::new();
    let mut new_taken = vec![false; new.policies.len()];
    let mut old_taken = vec![false; old.policies.len()];
    for (o, before) in old.policies.iter().enumerate() {
        if let Some(n) =
            (0..new.policies.len()).find(|&n| !new_taken[n] && new.policies[n].name == before.name)
        {
            new_taken[n] = true;
            old_taken[o] = true;
            pairs.push((o, n, false));
        }
    }
    let path_set = |p: &Policy| p.paths.iter().cloned().collect::<BTreeSet<String>>();
    for (o, before) in old.policies.iter().enumerate() {
        if old_taken[o] {
            continue;
        }
        let paths = path_set(before);
        if let Some(n) =
            (0..new.policies.len()).find(|&n| !new_taken[n] && path_set(&new.policies[n]) == paths)
        {
            new_taken[n] = true;
            pairs.push((o, n, true));
        }
    }
    pairs
}

/// Whether `prefix` covers `path` on a segment boundary (the evaluator's
/// rule).
fn prefix_matches(prefix: &str, path: &str) -> bool {
    path.starts_with(prefix)
        && (prefix.ends_with('/')
            || path.len() == prefix.len()
            || path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

/// The policy the evaluator selects for the paths of `region`: for a
/// prefix, the policy with the longest prefix matching the prefix itself
/// (every path of the region gets the same one: a prefix matching a path of
/// the region and no longer than the region's own prefix matches that
/// prefix too); for the other paths, the first policy without prefixes.
fn select(set: &PolicySet, region: &Region) -> Option<usize> {
    if let Region::Prefix(path) = region {
        let mut best: Option<(usize, usize)> = None;
        for (index, policy) in set.policies.iter().enumerate() {
            for prefix in &policy.paths {
                if prefix_matches(prefix, path) && best.is_none_or(|(_, len)| prefix.len() > len) {
                    best = Some((index, prefix.len()));
                }
            }
        }
        if let Some((index, _)) = best {
            return Some(index);
        }
    }
    set.policies.iter().position(|p| p.paths.is_empty())
}

/// The items of `a` that are not in `b`.
fn difference(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

/// What requests served by `old` (or by no policy: `None`) gain or lose
/// when served by `new` instead.
fn compare(old: Option<&Policy>, new: Option<&Policy>, spending: &mut Spending) -> Vec<Change> {
    let nothing = Origins::List(Vec::new());
    let mut changes = compare_origins(
        old.map_or(&nothing, |p| &p.origins),
        new.map_or(&nothing, |p| &p.origins),
        spending,
    );
    let methods = |p: Option<&Policy>| -> BTreeSet<String> {
        p.map(|p| {
            p.methods
                .iter()
                .filter(|m| !SAFELISTED_METHODS.contains(&m.as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
    };
    let (before, after) = (methods(old), methods(new));
    for (from, to, widened) in [(&after, &before, true), (&before, &after, false)] {
        changes.extend(from.difference(to).map(|method| Change::Method {
            direction: Direction::of(widened),
            method: method.clone(),
        }));
    }
    let none = HeaderNames::default();
    fn headers<'a>(p: Option<&'a Policy>, allow: bool, none: &'a HeaderNames) -> &'a HeaderNames {
        match p {
            Some(p) if allow => &p.allow_headers,
            Some(p) => &p.expose_headers,
            None => none,
        }
    }
    for allow in [true, false] {
        let (before, after) = (headers(old, allow, &none), headers(new, allow, &none));
        for (from, to, widened) in [(after, before, true), (before, after, false)] {
            changes.extend(header_difference(from, to, allow).map(|name| {
                let direction = Direction::of(widened);
                if allow {
                    Change::AllowHeader { direction, name }
                } else {
                    Change::ExposeHeader { direction, name }
                }
            }));
        }
    }
    let flag = |p: Option<&Policy>, get: fn(&Policy) -> bool| p.is_some_and(get);
    let credentials = (flag(old, |p| p.credentials), flag(new, |p| p.credentials));
    if credentials.0 != credentials.1 {
        changes.push(Change::Credentials {
            direction: Direction::of(credentials.1),
        });
    }
    let private = (
        flag(old, |p| p.private_network),
        flag(new, |p| p.private_network),
    );
    if private.0 != private.1 {
        changes.push(Change::PrivateNetwork {
            direction: Direction::of(private.1),
        });
    }
    // Caching and the status of an allowed preflight: only between two
    // policies (no policy answers no preflight at all).
    if let (Some(old), Some(new)) = (old, new) {
        if old.max_age != new.max_age {
            changes.push(Change::MaxAge {
                old: old.max_age,
                new: new.max_age,
            });
        }
        if old.preflight_status != new.preflight_status {
            changes.push(Change::PreflightStatus {
                old: old.preflight_status,
                new: new.preflight_status,
            });
        }
    }
    changes
}

/// The names `from` allows and `to` does not: `*` when `from` has a
/// wildcard `to` lacks, else names. `allow-headers *` never covers
/// `authorization` (the Fetch standard's exception); `expose-headers *`
/// covers every name.
fn header_difference(
    from: &HeaderNames,
    to: &HeaderNames,
    allow: bool,
) -> impl Iterator<Item = String> {
    let covered_by_any = |name: &str| !(allow && name == "authorization");
    let allows = |set: &HeaderNames, name: &str| {
        set.names.iter().any(|n| n == name) || (set.any && covered_by_any(name))
    };
    let mut out: Vec<String> = Vec::new();
    if from.any && !to.any {
        out.push("*".to_string());
    }
    let mut names: Vec<&String> = from
        .names
        .iter()
        .filter(|name| !allows(to, name))
        // Already said by the `*` line.
        .filter(|name| !(from.any && !to.any && covered_by_any(name)))
        .collect();
    names.sort();
    names.dedup();
    out.extend(names.into_iter().cloned());
    out.into_iter()
}

/// What the origins of `new` admit that `old`'s do not (widened), and the
/// reverse (narrowed).
fn compare_origins(old: &Origins, new: &Origins, spending: &mut Spending) -> Vec<Change> {
    let (old, new) = match (old, new) {
        (Origins::Any, Origins::Any) => return Vec::new(),
        (Origins::List(_), Origins::Any) => {
            return vec![Change::AnyOrigin {
                direction: Direction::Widened,
            }]
        }
        (Origins::Any, Origins::List(_)) => {
            return vec![Change::AnyOrigin {
                direction: Direction::Narrowed,
            }]
        }
        (Origins::List(old), Origins::List(new)) => (old, new),
    };
    match pattern_changes(old, new, spending) {
        Ok(changes) => changes,
        Err(TooLarge { what }) => vec![Change::OriginsNotCompared { reason: what }],
    }
}

fn pattern_changes(
    old: &[OriginPattern],
    new: &[OriginPattern],
    spending: &mut Spending,
) -> Result<Vec<Change>, TooLarge> {
    if old == new {
        return Ok(Vec::new());
    }
    pattern_changes_reading(old, new, Reading::Forwards, spending)
        .or_else(|_| pattern_changes_reading(old, new, Reading::Backwards, spending))
}

fn pattern_changes_reading(
    old: &[OriginPattern],
    new: &[OriginPattern],
    reading: Reading,
    spending: &mut Spending,
) -> Result<Vec<Change>, TooLarge> {
    let (old_language, new_language) = (
        Language::of(old, reading, spending)?,
        Language::of(new, reading, spending)?,
    );
    let mut changes = Vec::new();
    for (from, to, to_language, widened) in [
        (new, old, &old_language, true),
        (old, new, &new_language, false),
    ] {
        let to: HashSet<&OriginPattern> = to.iter().collect();
        for pattern in from {
            // The same pattern on both sides admits nothing new.
            if to.contains(pattern) {
                continue;
            }
            let (exact_origin, example) = match exact(pattern) {
                Some(origin) => {
                    // Eval refuses an over-long origin whatever the list.
                    if origin.len() > MAX_ORIGIN_LEN || to_language.accepts(&origin) {
                        continue;
                    }
                    (true, None)
                }
                None => {
                    let alone = language([pattern], reading, spending)?;
                    match shortest_difference(&alone, to_language, spending)? {
                        Some(example) => (false, Some(reading.order(example))),
                        None => continue,
                    }
                }
            };
            changes.push(Change::Origin {
                direction: Direction::of(widened),
                pattern: pattern.to_string(),
                exact: exact_origin,
                example: example.map(|e| String::from_utf8_lossy(&e).into_owned()),
            });
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests;
