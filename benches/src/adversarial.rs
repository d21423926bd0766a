//! Large and adversarial policy sources for the `compile_adversarial`
//! benchmark group: what a hostile or careless author could hand the
//! compiler. Each must be compiled or refused quickly; a refusal is an
//! answer, so the benchmark times `compile` whatever its result.
//!
//! The sources are generated at run time (nothing large is built into
//! the benchmark binary).

use crate::quick;

/// The criterion group of these benchmarks.
pub const GROUP: &str = "compile_adversarial";

/// The largest source the time goal covers (1 MiB).
pub const GOAL_SOURCE_BYTES: usize = 1 << 20;

/// The regex the `compile` fuzz target found slow (a one-regex policy;
/// the input is kept in `cors-policy-lang/tests/hostile/fuzz-regressions/`).
pub const FUZZ_FOUND_REGEX: &str = r"^https://([a--z0-9-]+\.)*example\.co\.uk(:[0-9]{1,5})?$";

/// Numbers of any-depth regexes (`^https://([a-z0-9-]+\.)*appN\.example\.com$`)
/// in one policy.
pub const ANY_DEPTH_COUNTS: [usize; 3] = [500, 1_000, 2_000];

/// The numbers of `^https://[a-z]*X[a-z]{8}\.example\.com$` regexes
/// (X = a, b, c, ...) in one policy: their union's deterministic automaton
/// grows exponentially with the count.
pub const CLASS_THEN_COUNT_COUNTS: [usize; 2] = [4, 5];

/// One adversarial source.
pub struct Case {
    /// The criterion function id (`compile_adversarial/NAME[/PARAMETER]`).
    pub name: &'static str,
    /// The criterion parameter, if any.
    pub parameter: Option<usize>,
    /// What the source is, for the report.
    pub what: String,
    /// The source.
    pub source: String,
    /// Slow enough at b6e1cc6 that quick mode leaves it out: 2,000
    /// any-depth regexes took 9 s, four class-then-count regexes 13 s and
    /// 580 MB (one run each, release); five were reported at 2 GB and
    /// minutes (not run here).
    pub pathological: bool,
}

impl Case {
    /// `NAME` or `NAME/PARAMETER`, as criterion prints it.
    pub fn id(&self) -> String {
        match self.parameter {
            Some(parameter) => format!("{}/{parameter}", self.name),
            None => self.name.to_owned(),
        }
    }
}

/// `count` regexes `^https://([a-z0-9-]+\.)*appN\.example\.com$`, N =
/// 0..count, in one policy with credentials off.
pub fn any_depth_regexes(count: usize) -> String {
    let mut source = String::from("policy any_depth {\n    origins");
    for n in 0..count {
        source.push_str(&format!(
            "\n        ~\"^https://([a-z0-9-]+\\.)*app{n}\\.example\\.com$\""
        ));
    }
    source.push_str(";\n}\n");
    source
}

/// `count` regexes `^https://[a-z]*X[a-z]{8}\.example\.com$`, X = `a`,
/// `b`, ... in one policy.
pub fn class_then_count(count: usize) -> String {
    let mut source = String::from("policy class_then_count {\n    origins");
    for letter in ('a'..='z').take(count) {
        source.push_str(&format!(
            "\n        ~\"^https://[a-z]*{letter}[a-z]{{8}}\\.example\\.com$\""
        ));
    }
    source.push_str(";\n}\n");
    source
}

/// The fuzz-found regex alone in a policy.
pub fn fuzz_found() -> String {
    format!("policy a {{ origins ~\"{FUZZ_FOUND_REGEX}\"; }}\n")
}

/// What the mixed source repeats on its second `origins` line: problems
/// of every kind (errors and warnings under `credentials on`) between
/// plain, wildcard and regex origins.
const MIXED: &[&str] = &[
    "https://a.test",
    "https://A.TEST",
    "https://a.test:443",
    "https://a.test/",
    "http://a.test",
    "https://*.co.uk",
    "https://*.a.test",
    "https://a.test:*",
    "null",
    "~\"^https://a\\.test$\"",
    "https://user@a.test",
    "https://b\u{fc}cher.test",
    "https://a..test",
    "https://a.test.",
    "\"https://a.test\"",
    "https://[::1]",
];

/// A source of exactly `bytes` bytes (at least 128 KiB) of mixed content
/// on a few very long lines: one `origins` directive of 8,192 copies of
/// `https://a.test` on one line (8,191 duplicates), then, on the next line,
/// [`MIXED`]'s problems in turn, each followed by a host of its own
/// (`https://hN.test`), up to the size; a comment line pads to it.
pub fn mixed(bytes: usize) -> String {
    const TAIL: &str = ";\n    allow-headers X-A X-A x-a;\n    max-age 10m;\n}\n";
    let mut source = String::with_capacity(bytes);
    source.push_str(
        "policy mixed {\n    paths /api/ /api/ /api;\n    methods GET PUT PUT get;\n    \
         credentials on;\n    origins",
    );
    for _ in 0..8_192 {
        source.push_str(" https://a.test");
    }
    // The same directive goes on (a second `origins` would be refused
    // whole, its patterns never looked at).
    source.push_str("\n           ");
    let room = bytes
        .checked_sub(TAIL.len() + 64)
        .expect("a mixed source of at least 128 KiB");
    let mut n = 0usize;
    loop {
        let next = format!(" {} https://h{n}.test", MIXED[n % MIXED.len()]);
        if source.len() + next.len() > room {
            break;
        }
        source.push_str(&next);
        n += 1;
    }
    source.push_str(TAIL);
    source.push('#');
    while source.len() + 1 < bytes {
        source.push('x');
    }
    source.push('\n');
    assert_eq!(source.len(), bytes);
    source
}

/// Every case, in report order; `quick` leaves out the pathological ones
/// and the largest regex count.
pub fn cases(quick: bool) -> Vec<Case> {
    let mut cases = Vec::new();
    for count in ANY_DEPTH_COUNTS {
        cases.push(Case {
            name: "any_depth_regexes",
            parameter: Some(count),
            what: format!(
                "{count} regexes `^https://([a-z0-9-]+\\.)*appN\\.example\\.com$`, credentials off"
            ),
            source: any_depth_regexes(count),
            pathological: count >= 2_000,
        });
    }
    for count in CLASS_THEN_COUNT_COUNTS {
        cases.push(Case {
            name: "class_then_count_regexes",
            parameter: Some(count),
            what: format!(
                "{count} regexes `^https://[a-z]*X[a-z]{{8}}\\.example\\.com$`, X = a, b, ..."
            ),
            source: class_then_count(count),
            pathological: true,
        });
    }
    cases.push(Case {
        name: "fuzz_found_regex",
        parameter: None,
        what: format!("the fuzz-found regex `{FUZZ_FOUND_REGEX}`"),
        source: fuzz_found(),
        pathological: false,
    });
    cases.push(Case {
        name: "mixed_one_line",
        parameter: Some(GOAL_SOURCE_BYTES),
        what: "1 MiB, one `origins`: 8,192 `https://a.test` on one line, then \
               duplicates, errors and warnings of every kind on another"
            .to_owned(),
        source: mixed(GOAL_SOURCE_BYTES),
        pathological: false,
    });
    cases.retain(|case| !(quick && case.pathological));
    cases
}

/// [`cases`] for this run (quick mode: see [`crate::quick`]).
pub fn cases_for_this_run() -> Vec<Case> {
    cases(quick())
}
