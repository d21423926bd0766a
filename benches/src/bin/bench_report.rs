//! Writes `BENCHMARKS.md` from criterion's output and the measurement
//! files `scripts/bench-report` collects; computes every goal's PASS/MISS
//! from the numbers.
//!
//! ```text
//! bench_report --criterion target/criterion --data target/bench-report --out BENCHMARKS.md
//! ```
//!
//! The data directory holds `machine.txt` (`key: value` lines),
//! `command.txt`, `alloc.tsv` (from `alloc_count`), `tables.tsv` (from
//! `table_size`), `code-size.txt` (from `scripts/code-size`) and
//! optionally `stamp`: when present, only criterion results written after
//! it are read, so that stale results of other runs never mix in.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use corsc_benches::adversarial::{self, GOAL_SOURCE_BYTES};
use corsc_benches::{
    peers, tower_group, Origins, Scenario, Variant, CANONICAL_FORM, REQUEST_HEADER_FORMS,
    REQUEST_HEADER_FORMS_GROUP, TOWER_SCENARIOS, TOWER_SIZES,
};

/// The implementations of the eval benchmarks, in report order.
const IMPLEMENTATIONS: [&str; 7] = [
    "corsc",
    peers::TOWER,
    peers::ACTIX,
    peers::DJANGO,
    "limit-hashset",
    "limit-eq",
    "limit-suffix",
];
const PEERS: [&str; 3] = [peers::TOWER, peers::ACTIX, peers::DJANGO];
const LIMITS: [&str; 3] = ["limit-hashset", "limit-eq", "limit-suffix"];

/// One benchmark's median and its confidence interval, in nanoseconds.
#[derive(Clone, Copy, Debug)]
struct Estimate {
    median: f64,
    lower: f64,
    upper: f64,
}

/// Criterion results by (group, function, parameter).
type Results = BTreeMap<(String, String, String), Estimate>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench_report: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut criterion = PathBuf::from("target/criterion");
    let mut data = PathBuf::from("target/bench-report");
    let mut out = PathBuf::from("BENCHMARKS.md");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--criterion" => criterion = value()?.into(),
            "--data" => data = value()?.into(),
            "--out" => out = value()?.into(),
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    let since = fs::metadata(data.join("stamp"))
        .and_then(|meta| meta.modified())
        .ok();
    let mut results = Results::new();
    collect(&criterion, since, &mut results)?;
    if results.is_empty() {
        return Err(format!(
            "no criterion results under {} (newer than the stamp)",
            criterion.display()
        ));
    }
    let inputs = Inputs {
        results,
        machine: read_optional(&data.join("machine.txt")),
        command: read_optional(&data.join("command.txt")),
        allocations: parse_tsv(&read_optional(&data.join("alloc.tsv"))),
        tables: parse_tsv(&read_optional(&data.join("tables.tsv"))),
        paired: parse_tsv(&read_optional(&data.join("paired.tsv"))),
        tower_paired: parse_tsv(&read_optional(&data.join("tower-paired.tsv"))),
        code_size: read_optional(&data.join("code-size.txt")),
    };
    let mut report = render(&inputs);
    // The nginx comparison runs apart (scripts/nginx-load needs nginx, wrk
    // and minutes of loopback load); its last report is kept in the repo.
    let nginx = read_optional(Path::new("benches/nginx-load.md"));
    if !nginx.trim().is_empty() {
        report.push_str("\n## nginx module (scripts/nginx-load)\n\n");
        report.push_str(nginx.trim_start_matches("### nginx module: wrk on loopback\n"));
    }
    // So does the Python middleware comparison (scripts/python-bench needs
    // the wheel and the frameworks from PyPI).
    let python = read_optional(Path::new("benches/python-middleware.md"));
    if !python.trim().is_empty() {
        report.push_str("\n## Python middleware (scripts/python-bench)\n\n");
        report
            .push_str(python.trim_start_matches(
                "### Python middleware: corsc vs the middleware it replaces\n",
            ));
    }
    fs::write(&out, report).map_err(|error| format!("{}: {error}", out.display()))?;
    println!("bench_report: wrote {}", out.display());
    Ok(())
}

fn read_optional(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

/// The tab-separated rows of `text`, comment lines (`#`) skipped.
fn parse_tsv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

/// Reads every `new/benchmark.json` + `new/estimates.json` pair under `dir`.
fn collect(dir: &Path, since: Option<SystemTime>, results: &mut Results) -> Result<(), String> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => return Err(format!("{}: {error}", dir.display())),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            if let Some((key, estimate)) = read_result(&path, since) {
                results.insert(key, estimate);
            }
        } else {
            collect(&path, since, results)?;
        }
    }
    Ok(())
}

fn read_result(
    dir: &Path,
    since: Option<SystemTime>,
) -> Option<((String, String, String), Estimate)> {
    let estimates_path = dir.join("estimates.json");
    if let Some(since) = since {
        let modified = fs::metadata(&estimates_path).ok()?.modified().ok()?;
        if modified < since {
            return None;
        }
    }
    let benchmark: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("benchmark.json")).ok()?).ok()?;
    let estimates: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(estimates_path).ok()?).ok()?;
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    let key = (
        text(&benchmark["group_id"]),
        text(&benchmark["function_id"]),
        text(&benchmark["value_str"]),
    );
    let median = &estimates["median"];
    let estimate = Estimate {
        median: median["point_estimate"].as_f64()?,
        lower: median["confidence_interval"]["lower_bound"].as_f64()?,
        upper: median["confidence_interval"]["upper_bound"].as_f64()?,
    };
    Some((key, estimate))
}

struct Inputs {
    results: Results,
    machine: String,
    command: String,
    allocations: Vec<Vec<String>>,
    tables: Vec<Vec<String>>,
    /// `paired_ratio`'s rows: origins, rounds, corsc, hashset and tower
    /// medians (ns), corsc per hashset, tower per corsc.
    paired: Vec<Vec<String>>,
    /// `paired_ratio --tower`'s rows: scenario, rounds, corsc-tower at 1
    /// and at 10,000 origins, tower-http and headers-only at 1 (ns), then
    /// corsc-tower 10,000 per 1, tower-http per corsc-tower and tower-http
    /// per headers-only.
    tower_paired: Vec<Vec<String>>,
    code_size: String,
}

impl Inputs {
    /// `paired_ratio`'s figure in `column` (2: corsc ns, 3: hashset ns,
    /// 4: tower ns, 5: corsc per hashset, 6: tower per corsc) at `size`.
    fn paired(&self, size: usize, column: usize) -> Option<f64> {
        let row = self
            .paired
            .iter()
            .find(|row| row.first().is_some_and(|s| s == &size.to_string()))?;
        row.get(column)?.parse().ok()
    }

    fn eval(&self, scenario: Scenario, implementation: &str, size: usize) -> Option<f64> {
        self.results
            .get(&(
                format!("eval_{}", scenario.name()),
                implementation.to_owned(),
                size.to_string(),
            ))
            .map(|estimate| estimate.median)
    }

    fn eval_estimate(
        &self,
        scenario: Scenario,
        implementation: &str,
        size: usize,
    ) -> Option<Estimate> {
        self.results
            .get(&(
                format!("eval_{}", scenario.name()),
                implementation.to_owned(),
                size.to_string(),
            ))
            .copied()
    }

    /// `paired_ratio --tower`'s figure in `column` for `scenario` (see
    /// [`Inputs::tower_paired`]).
    fn tower_paired(&self, scenario: Scenario, column: usize) -> Option<f64> {
        let row = self
            .tower_paired
            .iter()
            .find(|row| row.first().is_some_and(|s| s == scenario.name()))?;
        row.get(column)?.parse().ok()
    }

    /// A tower benchmark (`benches/tower.rs`): `implementation` is
    /// `corsc-tower` or `tower-http`.
    fn tower(&self, scenario: Scenario, implementation: &str, size: usize) -> Option<Estimate> {
        self.results
            .get(&(
                tower_group(scenario),
                implementation.to_owned(),
                size.to_string(),
            ))
            .copied()
    }

    /// The median of corsc's allowed preflight with one form of the
    /// requested-headers list (see `REQUEST_HEADER_FORMS`).
    fn header_form(&self, form: &str) -> Option<f64> {
        self.results
            .get(&(
                REQUEST_HEADER_FORMS_GROUP.to_owned(),
                form.to_owned(),
                "1".to_owned(),
            ))
            .map(|estimate| estimate.median)
    }

    fn compile(&self, variant: &str, size: usize) -> Option<f64> {
        self.results
            .get(&(
                format!("compile_{variant}"),
                String::new(),
                size.to_string(),
            ))
            .map(|estimate| estimate.median)
    }

    /// Every policy size with an eval result, ascending.
    fn eval_sizes(&self) -> Vec<usize> {
        let sizes: BTreeSet<usize> = self
            .results
            .keys()
            .filter(|(group, _, _)| group.starts_with("eval_"))
            .filter_map(|(_, _, size)| size.parse().ok())
            .collect();
        sizes.into_iter().collect()
    }

    /// The median of one `compile_adversarial` case.
    fn adversarial(&self, case: &adversarial::Case) -> Option<f64> {
        self.results
            .get(&(
                adversarial::GROUP.to_owned(),
                case.name.to_owned(),
                case.parameter.map_or_else(String::new, |p| p.to_string()),
            ))
            .map(|estimate| estimate.median)
    }

    fn compile_sizes(&self) -> Vec<usize> {
        let sizes: BTreeSet<usize> = self
            .results
            .keys()
            .filter(|(group, _, _)| group.starts_with("compile_") && group != adversarial::GROUP)
            .filter_map(|(_, _, size)| size.parse().ok())
            .collect();
        sizes.into_iter().collect()
    }

    /// (allocations, bytes) of one call.
    fn allocation(
        &self,
        implementation: &str,
        scenario: Scenario,
        size: usize,
    ) -> Option<(u64, u64)> {
        let size = size.to_string();
        self.allocations
            .iter()
            .find_map(|row| match row.as_slice() {
                [i, s, n, allocations, bytes]
                    if i == implementation && s == scenario.name() && *n == size =>
                {
                    Some((allocations.parse().ok()?, bytes.parse().ok()?))
                }
                _ => None,
            })
    }

    fn allocation_sizes(&self) -> Vec<usize> {
        let sizes: BTreeSet<usize> = self
            .allocations
            .iter()
            .filter_map(|row| row.get(2)?.parse().ok())
            .collect();
        sizes.into_iter().collect()
    }

    /// (table bytes, pattern bytes) of a generated policy.
    fn table(&self, variant: &str, size: usize) -> Option<(u64, u64)> {
        let size = size.to_string();
        self.tables.iter().find_map(|row| match row.as_slice() {
            [v, n, table, patterns] if v == variant && *n == size => {
                Some((table.parse().ok()?, patterns.parse().ok()?))
            }
            _ => None,
        })
    }

    fn table_sizes(&self) -> Vec<usize> {
        let sizes: BTreeSet<usize> = self
            .tables
            .iter()
            .filter_map(|row| row.get(1)?.parse().ok())
            .collect();
        sizes.into_iter().collect()
    }

    /// A `key=NUMBER` figure of scripts/code-size's summary line.
    fn code_size_figure(&self, key: &str) -> Option<u64> {
        let start = self.code_size.find(&format!("{key}="))? + key.len() + 1;
        let digits: String = self.code_size[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }
}

fn time(ns: f64) -> String {
    if ns < 100.0 {
        format!("{ns:.1} ns")
    } else if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn ratio(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}×")
    } else if value >= 10.0 {
        format!("{value:.1}×")
    } else {
        format!("{value:.2}×")
    }
}

fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 origin`, `10,000 origins`.
fn origins(n: usize) -> String {
    if n == 1 {
        "1 origin".to_owned()
    } else {
        format!("{} origins", count(n))
    }
}

fn cell<T>(value: Option<T>, format: impl Fn(T) -> String) -> String {
    value.map_or_else(|| "–".to_owned(), format)
}

/// The paired measurements of the allowed preflight, when `paired_ratio` ran.
fn paired_section(o: &mut String, inputs: &Inputs) {
    if inputs.paired.is_empty() {
        return;
    }
    o.push_str("## Paired ratios\n\n");
    o.push_str(
        "On a shared virtual machine the speed of one process can drift over seconds (compare \
         the `limit-eq` and `limit-suffix` rows across sizes above: the same work), so a ratio \
         of two criterion medians measured seconds apart carries that drift. `paired_ratio` (`cargo run --release -p corsc-benches --bin \
         paired_ratio`) times corsc, `HashSet::contains` and, at one origin, tower-http on the \
         allowed preflight in interleaved batches (2,000 calls; 200 for tower-http, requests \
         built before and responses dropped after the clock, as criterion's `iter_batched`), \
         round after round, and takes each round's ratio between batches run a fraction of a \
         millisecond apart: the median of those ratios. The goals' status above is still the \
         criterion figure.\n\n",
    );
    o.push_str(
        "| origins | rounds | corsc | `HashSet::contains` | tower-http | corsc / HashSet | \
         tower-http / corsc |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in &inputs.paired {
        let cell = |i: usize| row.get(i).map_or("–", String::as_str);
        let with_unit = |i: usize, unit: &str| match cell(i) {
            "-" | "–" => "–".to_owned(),
            value => format!("{value}{unit}"),
        };
        let (ns, times) = (|i| with_unit(i, " ns"), |i| with_unit(i, "×"));
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(0),
            cell(1),
            ns(2),
            ns(3),
            ns(4),
            times(5),
            times(6)
        );
    }
    o.push('\n');
}

/// `; paired: R×` after a goal's criterion figures, when `paired_ratio` ran.
fn paired_note(paired: Option<f64>) -> String {
    paired.map_or_else(String::new, |r| format!("; paired: {}", ratio(r)))
}

/// One row of the goal checklist.
struct Goal {
    goal: String,
    target: String,
    measured: String,
    status: Status,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Pass,
    Miss,
    NotMeasured,
}

impl Status {
    fn of(pass: bool) -> Status {
        if pass {
            Status::Pass
        } else {
            Status::Miss
        }
    }

    fn text(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Miss => "**MISS**",
            Status::NotMeasured => "NOT MEASURED",
        }
    }
}

fn goals(inputs: &Inputs) -> Vec<Goal> {
    let mut goals = Vec::new();
    let scenario = Scenario::PreflightAllowed;
    let sizes = [1, 100, 10_000, 100_000];

    for size in sizes {
        let corsc = inputs.eval(scenario, "corsc", size);
        let limit = inputs.eval(scenario, "limit-hashset", size);
        let goal = format!(
            "allowed preflight, {}: corsc at most 3× `HashSet::contains`",
            origins(size)
        );
        goals.push(match (corsc, limit) {
            (Some(corsc), Some(limit)) => Goal {
                goal,
                target: "≤ 3×".into(),
                measured: format!(
                    "{} ({} vs {}){}",
                    ratio(corsc / limit),
                    time(corsc),
                    time(limit),
                    paired_note(inputs.paired(size, 5))
                ),
                status: Status::of(corsc / limit <= 3.0),
            },
            _ => not_measured(goal, "≤ 3×"),
        });
    }

    let goal = "allowed preflight, 1 origin: corsc at least 10× faster than tower-http".to_owned();
    goals.push(
        match (
            inputs.eval(scenario, "corsc", 1),
            inputs.eval(scenario, peers::TOWER, 1),
        ) {
            (Some(corsc), Some(tower)) => Goal {
                goal,
                target: "≥ 10×".into(),
                measured: format!(
                    "{} ({} vs {}){}",
                    ratio(tower / corsc),
                    time(tower),
                    time(corsc),
                    paired_note(inputs.paired(1, 6))
                ),
                status: Status::of(tower / corsc >= 10.0),
            },
            _ => not_measured(goal, "≥ 10×"),
        },
    );

    let goal = "scaling: corsc's allowed preflight at 100,000 origins vs 1 origin".to_owned();
    goals.push(
        match (
            inputs.eval(scenario, "corsc", 100_000),
            inputs.eval(scenario, "corsc", 1),
        ) {
            (Some(large), Some(small)) => Goal {
                goal,
                target: "≤ 1.3×".into(),
                measured: format!(
                    "{} ({} vs {})",
                    ratio(large / small),
                    time(large),
                    time(small)
                ),
                status: Status::of(large / small <= 1.3),
            },
            _ => not_measured(goal, "≤ 1.3×"),
        },
    );

    goals.push(header_forms_goal(inputs));
    tower_goals(inputs, &mut goals);

    // Allocations: corsc none in any row; every peer allocates on every
    // allowed preflight ("several": at least 2).
    let goal = "allocations per call: corsc 0 in every scenario and size; each peer several (≥ 2) on an allowed preflight".to_owned();
    let corsc_rows: Vec<u64> = inputs
        .allocations
        .iter()
        .filter(|row| row.first().is_some_and(|i| i == "corsc"))
        .filter_map(|row| row.get(3)?.parse().ok())
        .collect();
    if corsc_rows.is_empty() {
        goals.push(not_measured(goal, "0 vs ≥ 2"));
    } else {
        let corsc_max = corsc_rows.iter().copied().max().unwrap_or(0);
        let mut measured = format!("corsc max {corsc_max} over {} rows", corsc_rows.len());
        let mut pass = corsc_max == 0;
        for peer in PEERS {
            let counts: Vec<u64> = inputs
                .allocation_sizes()
                .into_iter()
                .filter_map(|size| inputs.allocation(peer, scenario, size))
                .map(|(allocations, _)| allocations)
                .collect();
            let min = counts.iter().copied().min();
            let max = counts.iter().copied().max();
            match (min, max) {
                (Some(min), Some(max)) => {
                    pass &= min >= 2;
                    let range = if min == max {
                        min.to_string()
                    } else {
                        format!("{min}–{max}")
                    };
                    let _ = write!(measured, "; {peer} {range}");
                }
                _ => {
                    pass = false;
                    let _ = write!(measured, "; {peer} not measured");
                }
            }
        }
        goals.push(Goal {
            goal,
            target: "0 vs ≥ 2".into(),
            measured,
            status: Status::of(pass),
        });
    }

    for variant in ["exact", "wildcard10"] {
        let what = if variant == "exact" {
            "exact origins"
        } else {
            "10% wildcard patterns"
        };
        let goal = format!("compile 100,000 origins ({what}) in under 1 s");
        goals.push(match inputs.compile(variant, 100_000) {
            Some(ns) => Goal {
                goal,
                target: "< 1 s".into(),
                measured: time(ns),
                status: Status::of(ns < 1e9),
            },
            None => not_measured(goal, "< 1 s"),
        });
    }

    adversarial_goals(inputs, &adversarial::cases(false), &mut goals);

    let goal = "table size for typical host names (exact origins, every measured size)".to_owned();
    let per_origin: Vec<(usize, f64)> = inputs
        .table_sizes()
        .into_iter()
        .filter_map(|size| {
            let (table, _) = inputs.table("exact", size)?;
            Some((size, table as f64 / size as f64))
        })
        .collect();
    goals.push(if per_origin.is_empty() {
        not_measured(goal, "< 64 B/origin")
    } else {
        let worst = per_origin.iter().map(|&(_, b)| b).fold(0.0, f64::max);
        Goal {
            goal,
            target: "< 64 B/origin".into(),
            measured: per_origin
                .iter()
                .map(|&(size, bytes)| format!("{bytes:.1} B at {}", count(size)))
                .collect::<Vec<_>>()
                .join(", "),
            status: Status::of(worst < 64.0),
        }
    });
    goals
}

/// Columns of `paired_ratio --tower`'s rows (see [`Inputs::tower_paired`]).
const LARGE_PER_SMALL: usize = 6;
const TOWER_PER_CORSC: usize = 7;

/// How many times faster than tower-http's `CorsLayer` the tower layer's
/// goal asks corsc-tower to be at 1 origin.
const TOWER_GOAL: f64 = 5.0;

/// What the headers-only floor says of a "≥ 5× faster than tower-http"
/// goal: no CORS middleware is faster than the floor, so none is more than
/// `tower / floor` times faster than tower-http.
fn bound_note(tower: f64, floor: f64) -> String {
    let best = tower / floor;
    format!(
        "; any middleware ≤ {} (headers-only floor {}){}",
        ratio(best),
        time(floor),
        if best < TOWER_GOAL {
            ": out of reach"
        } else {
            ""
        }
    )
}

/// The tower layer's goals: at least 5× faster than tower-http's
/// `CorsLayer` at 1 origin, the `http` header work included, and flat from
/// 1 to 10,000 origins; one row per scenario.
fn tower_goals(inputs: &Inputs, goals: &mut Vec<Goal>) {
    let (smallest, largest) = (TOWER_SIZES[0], TOWER_SIZES[TOWER_SIZES.len() - 1]);
    for scenario in TOWER_SCENARIOS {
        let goal = format!(
            "tower layer, {}, 1 origin: corsc-tower at least 5× faster than tower-http's \
             `CorsLayer` (the `http` header work included)",
            scenario.name()
        );
        let ours = inputs.tower(scenario, peers::CORSC_TOWER, smallest);
        let theirs = inputs.tower(scenario, peers::TOWER, smallest);
        let floor = inputs.tower(scenario, peers::HEADERS_ONLY, smallest);
        goals.push(match (ours, theirs) {
            (Some(ours), Some(theirs)) => Goal {
                goal,
                target: format!("≥ {TOWER_GOAL}×"),
                measured: format!(
                    "{} ({} vs {}){}{}",
                    ratio(theirs.median / ours.median),
                    time(theirs.median),
                    time(ours.median),
                    paired_note(inputs.tower_paired(scenario, TOWER_PER_CORSC)),
                    floor.map_or(String::new(), |floor| bound_note(
                        theirs.median,
                        floor.median
                    ))
                ),
                status: Status::of(theirs.median / ours.median >= TOWER_GOAL),
            },
            _ => not_measured(goal, &format!("≥ {TOWER_GOAL}×")),
        });
    }
    for scenario in TOWER_SCENARIOS {
        let goal = format!(
            "tower layer, {}: corsc-tower at {} vs {}",
            scenario.name(),
            origins(largest),
            origins(smallest)
        );
        let large = inputs.tower(scenario, peers::CORSC_TOWER, largest);
        let small = inputs.tower(scenario, peers::CORSC_TOWER, smallest);
        goals.push(match (large, small) {
            (Some(large), Some(small)) => Goal {
                goal,
                target: "≤ 1.3×".into(),
                measured: format!(
                    "{} ({} vs {}){}",
                    ratio(large.median / small.median),
                    time(large.median),
                    time(small.median),
                    paired_note(inputs.tower_paired(scenario, LARGE_PER_SMALL))
                ),
                status: Status::of(large.median / small.median <= 1.3),
            },
            _ => not_measured(goal, "≤ 1.3×"),
        });
    }
}

/// The tower layer next to tower-http's `CorsLayer` (`benches/tower.rs`).
fn render_tower(o: &mut String, inputs: &Inputs) {
    o.push_str(
        "## tower: corsc-tower vs tower-http's CorsLayer

",
    );
    o.push_str(
        "`corsc_tower::CorsLayer` (`cors-ffi/tower/`) and tower-http's `CorsLayer`, each around \
         the same no-op inner service, through the same `Service` harness (`poll_ready`, `call`, \
         the response future polled once: `benches/src/peers.rs` `serve`), on the same requests \
         and origins (`benches/benches/tower.rs`, groups `tower_*`). Both build `http` \
         responses, so every time includes the header work (the `HeaderMap`, names and values) \
         and dropping the request; tower-http is configured as in the eval benchmarks \
         (`peers::TowerPeer`). Columns are policy sizes (origins).\n\n",
    );
    let _ = write!(o, "| scenario / implementation |");
    for &size in &TOWER_SIZES {
        let _ = write!(o, " {} |", count(size));
    }
    let _ = write!(
        o,
        " {} vs {} |\n|---|",
        count(TOWER_SIZES[2]),
        count(TOWER_SIZES[0])
    );
    for _ in 0..=TOWER_SIZES.len() {
        o.push_str("---:|");
    }
    o.push('\n');
    for scenario in TOWER_SCENARIOS {
        for implementation in [
            peers::CORSC_TOWER,
            peers::TOWER,
            peers::HEADERS_ONLY,
            peers::NO_MIDDLEWARE,
        ] {
            let floor = [peers::HEADERS_ONLY, peers::NO_MIDDLEWARE].contains(&implementation);
            if floor
                && inputs
                    .tower(scenario, implementation, TOWER_SIZES[0])
                    .is_none()
            {
                continue;
            }
            let _ = write!(o, "| {} / {implementation} |", scenario.name());
            for &size in &TOWER_SIZES {
                let _ = write!(
                    o,
                    " {} |",
                    cell(inputs.tower(scenario, implementation, size), |e| {
                        format!(
                            "{} ±{:.0}%",
                            time(e.median),
                            (e.upper - e.lower) / 2.0 / e.median * 100.0
                        )
                    })
                );
            }
            let scaling = inputs
                .tower(scenario, implementation, TOWER_SIZES[2])
                .zip(inputs.tower(scenario, implementation, TOWER_SIZES[0]))
                .map(|(large, small)| large.median / small.median);
            let _ = writeln!(o, " {} |", cell(scaling, ratio));
        }
    }
    o.push_str("\n| scenario |");
    for &size in &TOWER_SIZES {
        let _ = write!(o, " tower-http / corsc-tower, {} |", origins(size));
    }
    o.push_str("\n|---|");
    for _ in TOWER_SIZES {
        o.push_str("---:|");
    }
    o.push('\n');
    for scenario in TOWER_SCENARIOS {
        let _ = write!(o, "| {} |", scenario.name());
        for &size in &TOWER_SIZES {
            let value = inputs
                .tower(scenario, peers::TOWER, size)
                .zip(inputs.tower(scenario, peers::CORSC_TOWER, size))
                .map(|(theirs, ours)| theirs.median / ours.median);
            let _ = write!(o, " {} |", cell(value, ratio));
        }
        o.push('\n');
    }
    render_tower_goal_needs(o, inputs);
    render_tower_paired(o, inputs);
    o.push_str(
        "\nAt one origin both middlewares do the same `http` work (a `HeaderMap` of the same \
         headers; corsc-tower answers a preflight in the request's own map, with no \
         allocation, and adds `http`'s two to another response; tower-http makes six to \
         eight: `cargo test -p corsc-tower --test it no_alloc -- --nocapture`), which is most \
         of the time; tower-http's scan of the origin list is what grows with the list. Two \
         floors, through the same harness (the request built outside the timing, dropped \
         inside it): `no-middleware`, the inner service alone (an empty response), and \
         `headers-only` (`peers::HeadersOnly`), a service that decides nothing and only puts \
         on the response the headers and status corsc-tower answers with, the cheapest way \
         known (values built ahead, the request's own `Origin` value echoed, a preflight \
         answered in the request's map): no CORS middleware can be faster than it.\n\n",
    );
}

/// `paired_ratio --tower`'s table, when it ran.
fn render_tower_paired(o: &mut String, inputs: &Inputs) {
    if inputs.tower_paired.is_empty() {
        return;
    }
    let (small, large) = (TOWER_SIZES[0], TOWER_SIZES[TOWER_SIZES.len() - 1]);
    let _ = write!(
        o,
        "\nThe same rows paired (`paired_ratio --tower`: batches of 200 calls of each, \
         interleaved round after round, each round's ratios taken between batches run a \
         fraction of a millisecond apart; medians), so that the machine's drift over a run \
         does not enter the ratios the goals compare:\n\n\
         | scenario | rounds | corsc-tower, {s} | corsc-tower, {l} | tower-http, {s} | \
         headers-only, {s} | corsc-tower {l} / {s} | tower-http / corsc-tower | tower-http / \
         headers-only |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        s = origins(small),
        l = origins(large)
    );
    for row in &inputs.tower_paired {
        let text = |i: usize| row.get(i).map_or("–", String::as_str);
        let number = |i: usize| row.get(i).and_then(|v| v.parse::<f64>().ok());
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            text(0),
            text(1),
            cell(number(2), time),
            cell(number(3), time),
            cell(number(4), time),
            cell(number(5), time),
            cell(number(6), ratio),
            cell(number(7), ratio),
            cell(number(8), ratio),
        );
    }
}

/// The tower goal's arithmetic at 1 origin: the time "≥ 5× faster than
/// tower-http" allows, next to the floors no middleware can go under.
fn render_tower_goal_needs(o: &mut String, inputs: &Inputs) {
    let size = TOWER_SIZES[0];
    let _ = write!(
        o,
        "\nWhat the goal needs, at {}: a time of at most tower-http's / {TOWER_GOAL}; no \
         middleware does better than `headers-only`, so none is more than tower-http / \
         headers-only times faster than tower-http.\n\n\
         | scenario | tower-http | goal: at most | corsc-tower | headers-only | no-middleware \
         | tower-http / corsc-tower | tower-http / headers-only (the most any middleware can \
         reach) | goal reachable |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
        origins(size)
    );
    for scenario in TOWER_SCENARIOS {
        let median = |implementation| {
            inputs
                .tower(scenario, implementation, size)
                .map(|e| e.median)
        };
        let theirs = median(peers::TOWER);
        let ours = median(peers::CORSC_TOWER);
        let floor = median(peers::HEADERS_ONLY);
        let per = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a / b);
        let reachable =
            per(theirs, floor).map(|best| if best >= TOWER_GOAL { "yes" } else { "no" });
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            scenario.name(),
            cell(theirs, time),
            cell(theirs.map(|t| t / TOWER_GOAL), time),
            cell(ours, time),
            cell(floor, time),
            cell(median(peers::NO_MIDDLEWARE), time),
            cell(per(theirs, ours), ratio),
            cell(per(theirs, floor), ratio),
            reachable.unwrap_or("–"),
        );
    }
}

/// Every form of one allowed requested-headers list (whitespace around
/// commas, mixed case, another order, one name) costs at most 1.25× the
/// browser's canonical form: the slowest form is reported.
fn header_forms_goal(inputs: &Inputs) -> Goal {
    let goal = "request-header list forms within 1.25× of canonical (allowed preflight, 1 origin: \
                `, ` and tab separated, mixed case, reversed, one name vs `authorization,content-type`)"
        .to_owned();
    let Some(canonical) = inputs.header_form(CANONICAL_FORM) else {
        return not_measured(goal, "≤ 1.25×");
    };
    let measured: Vec<(&str, f64)> = REQUEST_HEADER_FORMS
        .iter()
        .filter(|(form, _)| *form != CANONICAL_FORM)
        .filter_map(|&(form, _)| Some((form, inputs.header_form(form)?)))
        .collect();
    let Some(&(worst, ns)) = measured.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
        return not_measured(goal, "≤ 1.25×");
    };
    let missing = REQUEST_HEADER_FORMS.len() - 1 - measured.len();
    let text = format!(
        "slowest `{worst}` {} ({} vs {}) of {} forms",
        ratio(ns / canonical),
        time(ns),
        time(canonical),
        measured.len()
    );
    partly_measured(goal, "≤ 1.25×", text, ns / canonical <= 1.25, missing)
}

/// Every form of the requested-headers list next to the canonical one
/// (`eval_request_headers/FORM/1`): the goal row shows only the slowest.
fn render_header_forms(o: &mut String, inputs: &Inputs) {
    let Some(canonical) = inputs.header_form(CANONICAL_FORM) else {
        return;
    };
    o.push_str(
        "## Requested-headers forms\n\nThe allowed preflight at 1 origin with each form of the \
         same two names (`eval_request_headers/FORM/1`, corsc alone), and its median divided by the \
         canonical form's (goal: at most 1.25×).\n\n\
         | form | `Access-Control-Request-Headers` | median | vs canonical |\n\
         |---|---|---:|---:|\n",
    );
    for (form, value) in REQUEST_HEADER_FORMS {
        let shown = value.replace('\t', "\\t");
        let _ = writeln!(
            o,
            "| {form} | `{shown}` | {} | {} |",
            cell(inputs.header_form(form), time),
            cell(inputs.header_form(form), |ns| ratio(ns / canonical)),
        );
    }
    o.push('\n');
}

/// A goal measured on several benchmarks, `missing` of which are not in
/// this run: a miss when `pass` is false, else not measured while some are
/// missing (said after `measured`), else a pass.
fn partly_measured(
    goal: String,
    target: &str,
    mut measured: String,
    pass: bool,
    missing: usize,
) -> Goal {
    if missing > 0 {
        let _ = write!(measured, "; {missing} not in this run");
    }
    Goal {
        goal,
        target: target.into(),
        measured,
        status: if !pass {
            Status::Miss
        } else if missing > 0 {
            Status::NotMeasured
        } else {
            Status::Pass
        },
    }
}

/// The time goal of an adversarial source: every source up to 1 MiB is
/// compiled or refused in under 2 s, 2,000 any-depth regexes in under 1 s.
fn adversarial_limit(case: &adversarial::Case) -> Option<f64> {
    if case.name == "any_depth_regexes" && case.parameter == Some(2_000) {
        Some(1e9)
    } else if case.source.len() <= GOAL_SOURCE_BYTES {
        Some(2e9)
    } else {
        None
    }
}

fn adversarial_goals(inputs: &Inputs, cases: &[adversarial::Case], goals: &mut Vec<Goal>) {
    let goal = "compile time, adversarial policies: any source of at most 1 MiB compiled or \
                refused in under 2 s"
        .to_owned();
    let covered: Vec<&adversarial::Case> = cases
        .iter()
        .filter(|case| case.source.len() <= GOAL_SOURCE_BYTES)
        .collect();
    let measured: Vec<(&adversarial::Case, f64)> = covered
        .iter()
        .filter_map(|&case| Some((case, inputs.adversarial(case)?)))
        .collect();
    let worst = measured.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
    goals.push(match worst {
        None => not_measured(goal, "< 2 s"),
        Some((case, ns)) => {
            let missing = covered.len() - measured.len();
            let over = measured.iter().filter(|&&(_, ns)| ns >= 2e9).count();
            let mut text = format!(
                "slowest {} (`{}`) of {} measured",
                time(ns),
                case.id(),
                measured.len()
            );
            if over > 0 {
                let _ = write!(text, "; {over} over 2 s");
            }
            partly_measured(goal, "< 2 s", text, over == 0, missing)
        }
    });

    let goal = "compile time, adversarial policies: 2,000 any-depth regexes \
                (`^https://([a-z0-9-]+\\.)*appN\\.example\\.com$`) compiled or refused in \
                under 1 s"
        .to_owned();
    let case = cases
        .iter()
        .find(|case| case.name == "any_depth_regexes" && case.parameter == Some(2_000));
    goals.push(match case.and_then(|case| inputs.adversarial(case)) {
        Some(ns) => Goal {
            goal,
            target: "< 1 s".into(),
            measured: time(ns),
            status: Status::of(ns < 1e9),
        },
        None => not_measured(goal, "< 1 s"),
    });
}

fn not_measured(goal: String, target: &str) -> Goal {
    Goal {
        goal,
        target: target.into(),
        measured: "not in this run".into(),
        status: Status::NotMeasured,
    }
}

fn render(inputs: &Inputs) -> String {
    let mut out = String::new();
    let o = &mut out;
    let sizes = inputs.eval_sizes();
    let header = |o: &mut String, first: &str, sizes: &[usize]| {
        let _ = write!(o, "| {first} |");
        for &size in sizes {
            let _ = write!(o, " {} |", count(size));
        }
        o.push_str("\n|---|");
        for _ in sizes {
            o.push_str("---:|");
        }
        o.push('\n');
    };

    o.push_str("# Benchmarks\n\n");
    o.push_str(
        "Generated by `scripts/bench-report` from criterion's output \
         (`target/criterion/**/new/estimates.json`), `alloc_count`, `table_size` and \
         `scripts/code-size`; do not edit by hand. Every time is a **median** of one run, \
         and every comparison is between benchmarks of the same run, on the same inputs.\n\n",
    );

    o.push_str("## Machine and command\n\n");
    for line in inputs.machine.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(o, "- {line}");
    }
    let command = inputs.command.trim();
    if !command.is_empty() {
        let _ = writeln!(o, "- command: `{command}`");
    }
    o.push_str(
        "\nTo reproduce: `scripts/bench-report` (the whole suite, about 10 minutes, then this \
         file); `scripts/bench-report --quick` for a smoke run; `scripts/bench-report \
         --from-existing` to rewrite this file from the last run's results; one group alone: \
         `cargo bench -p corsc-benches --bench eval -- eval_preflight_allowed`.\n\n",
    );

    o.push_str("## Goals\n\n");
    o.push_str(
        "Computed by the report from the criterion medians below (status), with the same \
         ratio measured paired, where `paired_ratio` ran (see [Paired ratios](#paired-ratios)).\n\n",
    );
    o.push_str("| goal | target | measured | status |\n|---|---|---|---|\n");
    for goal in goals(inputs) {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            goal.goal,
            goal.target,
            goal.measured,
            goal.status.text()
        );
    }
    o.push('\n');

    o.push_str(WHAT_IS_MEASURED);

    o.push_str("## Eval: medians\n\n");
    o.push_str(
        "Columns are policy sizes (origins); ± is half the width of criterion's 95% confidence \
         interval of the median; `–`: not measured (or not applicable).\n\n",
    );
    for scenario in Scenario::ALL {
        let _ = writeln!(o, "### {}\n", scenario.name());
        header(o, "implementation", &sizes);
        for implementation in IMPLEMENTATIONS {
            if sizes
                .iter()
                .all(|&size| inputs.eval(scenario, implementation, size).is_none())
            {
                continue;
            }
            let _ = write!(o, "| {implementation} |");
            for &size in &sizes {
                let _ = write!(
                    o,
                    " {} |",
                    cell(inputs.eval_estimate(scenario, implementation, size), |e| {
                        format!(
                            "{} ±{:.0}%",
                            time(e.median),
                            (e.upper - e.lower) / 2.0 / e.median * 100.0
                        )
                    })
                );
            }
            o.push('\n');
        }
        o.push('\n');
    }

    o.push_str("## corsc vs each peer\n\n");
    o.push_str("The peer's median divided by corsc's: how many times faster corsc answers.\n\n");
    header(o, "scenario / peer", &sizes);
    for scenario in Scenario::ALL {
        for peer in PEERS {
            let _ = write!(o, "| {} / {peer} |", scenario.name());
            for &size in &sizes {
                let value = inputs
                    .eval(scenario, peer, size)
                    .zip(inputs.eval(scenario, "corsc", size))
                    .map(|(peer, corsc)| peer / corsc);
                let _ = write!(o, " {} |", cell(value, ratio));
            }
            o.push('\n');
        }
    }
    o.push('\n');

    paired_section(o, inputs);
    render_header_forms(o, inputs);
    render_tower(o, inputs);

    o.push_str("## corsc vs the limit\n\n");
    o.push_str(
        "corsc's median divided by the limit's: how many times the bare lookup corsc costs \
         (lower is better; 1× would be free). The limit does none of the rest of the work \
         (path, method, requested headers, response headers).\n\n",
    );
    header(o, "scenario / limit", &sizes);
    for scenario in Scenario::ALL {
        for limit in LIMITS {
            if sizes
                .iter()
                .all(|&size| inputs.eval(scenario, limit, size).is_none())
            {
                continue;
            }
            let _ = write!(o, "| {} / {limit} |", scenario.name());
            for &size in &sizes {
                let value = inputs
                    .eval(scenario, "corsc", size)
                    .zip(inputs.eval(scenario, limit, size))
                    .map(|(corsc, limit)| corsc / limit);
                let _ = write!(o, " {} |", cell(value, ratio));
            }
            o.push('\n');
        }
    }
    o.push('\n');

    let (Some(&smallest), Some(&largest)) = (sizes.first(), sizes.last()) else {
        return out;
    };
    let _ = writeln!(
        o,
        "## Scaling: {} origins vs {}\n\nThe median at {} origins divided by the median at {}. \
         `limit-eq` and `limit-suffix` do (nearly) the same work at every size: how far their \
         ratios are from 1× shows this run's noise.\n",
        count(largest),
        count(smallest),
        count(largest),
        count(smallest)
    );
    o.push_str("| scenario |");
    for implementation in IMPLEMENTATIONS {
        let _ = write!(o, " {implementation} |");
    }
    o.push_str("\n|---|");
    for _ in IMPLEMENTATIONS {
        o.push_str("---:|");
    }
    o.push('\n');
    for scenario in Scenario::ALL {
        let _ = write!(o, "| {} |", scenario.name());
        for implementation in IMPLEMENTATIONS {
            let value = inputs
                .eval(scenario, implementation, largest)
                .zip(inputs.eval(scenario, implementation, smallest))
                .map(|(large, small)| large / small);
            let _ = write!(o, " {} |", cell(value, ratio));
        }
        o.push('\n');
    }
    o.push('\n');

    render_compile(o, inputs);
    render_adversarial(o, inputs, &adversarial::cases(false));
    render_allocations(o, inputs);

    o.push_str("## Code size\n\n");
    if let Some(bytes) = inputs.code_size_figure("linked_eval_bytes") {
        let _ = writeln!(
            o,
            "The eval path (`cors_policy_view_init` + `cors_eval` of the no-heap C library, \
             `--profile firmware`, x86_64) adds **{} bytes** of code and read-only data to a \
             freestanding program linked with `--gc-sections` (`scripts/code-size`):\n",
            count(bytes as usize)
        );
    }
    if inputs.code_size.trim().is_empty() {
        o.push_str("Not measured in this run.\n\n");
    } else {
        let _ = writeln!(o, "```text\n{}\n```\n", inputs.code_size.trim_end());
    }
    out
}

fn render_compile(o: &mut String, inputs: &Inputs) {
    o.push_str("## Compile: time and table size\n\n");
    o.push_str(
        "`cors_policy_lang::compile` from source text to table bytes (parsing, validation, \
         diagnostics, automaton construction and minimization, serialization). Pattern bytes: \
         the length of the origins as written.\n\n",
    );
    o.push_str(
        "| variant | origins | compile (median) | table bytes | table bytes / origin | pattern bytes / origin |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    let sizes: BTreeSet<usize> = inputs
        .compile_sizes()
        .into_iter()
        .chain(inputs.table_sizes())
        .collect();
    for variant in ["exact", "wildcard10"] {
        for &size in &sizes {
            let compile = inputs.compile(variant, size);
            let table = inputs.table(variant, size);
            if compile.is_none() && table.is_none() {
                continue;
            }
            let _ = writeln!(
                o,
                "| {variant} | {} | {} | {} | {} | {} |",
                count(size),
                cell(compile, time),
                cell(table, |(t, _)| count(t as usize)),
                cell(table, |(t, _)| format!("{:.1}", t as f64 / size as f64)),
                cell(table, |(_, p)| format!("{:.1}", p as f64 / size as f64)),
            );
        }
    }
    o.push('\n');
}

fn render_adversarial(o: &mut String, inputs: &Inputs, cases: &[adversarial::Case]) {
    o.push_str("## Compile time, adversarial policies\n\n");
    o.push_str(
        "`cors_policy_lang::compile` on large and adversarial sources \
         (`benches/src/adversarial.rs`, group `compile_adversarial`), timed whatever it \
         answers: a refusal is an answer. Goals: any source of at most 1 MiB compiled or \
         refused in under 2 s; 2,000 any-depth regexes in under 1 s. Quick mode leaves out \
         the cases marked pathological (seconds to minutes a call, and gigabytes, when they \
         were added).\n\n",
    );
    o.push_str(
        "| case | source | source bytes | compile (median) | goal | status |\n\
         |---|---|---:|---:|---:|---|\n",
    );
    for case in cases {
        let median = inputs.adversarial(case);
        let limit = adversarial_limit(case);
        let status = match (median, limit) {
            (Some(ns), Some(limit)) => Status::of(ns < limit).text(),
            (None, Some(_)) => Status::NotMeasured.text(),
            (_, None) => "–",
        };
        let _ = writeln!(
            o,
            "| `{}`{} | {} | {} | {} | {} | {status} |",
            case.id(),
            if case.pathological {
                " (pathological)"
            } else {
                ""
            },
            case.what,
            count(case.source.len()),
            cell(median, time),
            cell(limit, |limit| format!("< {} s", limit / 1e9)),
        );
    }
    // The largest generated policy, measured by the compile group above.
    let size = 100_000;
    let source_bytes = Origins::generate(size, Variant::Wildcard10)
        .policy_source()
        .len();
    let _ = writeln!(
        o,
        "| `compile_wildcard10/{size}` | {}, one wildcard in ten (the compile group above) | {} | \
         {} | over 1 MiB: < 1 s by the 100,000-origin goal | – |",
        origins(size),
        count(source_bytes),
        cell(inputs.compile("wildcard10", size), time),
    );
    o.push('\n');
}

fn render_allocations(o: &mut String, inputs: &Inputs) {
    o.push_str("## Allocations per call\n\n");
    let sizes = inputs.allocation_sizes();
    if sizes.is_empty() {
        o.push_str("Not measured in this run.\n\n");
        return;
    }
    o.push_str(
        "Heap allocations (and bytes requested) during one call, after two warm-up calls, \
         counted by a `#[global_allocator]` (`cargo run --release -p corsc-benches --bin \
         alloc_count`). The request is built before counting and the response dropped after, \
         as in the timings.\n\n",
    );
    o.push_str("| implementation | scenario |");
    for &size in &sizes {
        let _ = write!(o, " {} |", count(size));
    }
    o.push_str("\n|---|---|");
    for _ in &sizes {
        o.push_str("---:|");
    }
    o.push('\n');
    for implementation in ["corsc", peers::TOWER, peers::ACTIX, peers::DJANGO] {
        for scenario in Scenario::ALL {
            let _ = write!(o, "| {implementation} | {} |", scenario.name());
            for &size in &sizes {
                let _ = write!(
                    o,
                    " {} |",
                    cell(
                        inputs.allocation(implementation, scenario, size),
                        |(allocations, bytes)| format!(
                            "{allocations} ({} B)",
                            count(bytes as usize)
                        )
                    )
                );
            }
            o.push('\n');
        }
    }
    o.push('\n');
}

const WHAT_IS_MEASURED: &str = "\
## What is measured

The benchmark crate is `benches/` (`corsc-benches`); its library generates the inputs and \
configures every implementation from them, and checks before timing that each one gives the \
expected answer to each request (`Access-Control-Allow-Origin` present with the request's \
origin, or absent), so that no misconfigured peer is measured.

- **Policies**: N origins (1, 100, 10,000, 100,000) with pseudo-random typical host names, \
`https://{8 hex}-{i}.example.com`, the allowed one written **last** (the worst case for a scan); \
one policy for `/api/`, methods `GET PUT`, allowed headers `content-type authorization`, \
credentials on. The wildcard variant makes one pattern in ten (and the last) \
`https://*.{8 hex}-{i}.example.org`.
- **Scenarios**: `preflight_allowed` (`OPTIONS /api/users` from the last origin, \
`Access-Control-Request-Method: PUT`, `-Headers: content-type,authorization`); \
`preflight_denied` (the same from `https://unknown.example.net`); `actual_allowed` (`GET` from \
the last origin); `wildcard_subdomain` (the allowed preflight from `https://app.` + the last, \
wildcard, pattern's domain, against the wildcard variant); `non_cors` (`GET` without `Origin`).
- **corsc**: `Table::eval(&Request)` on the compiled table (path selection, origin, method, \
requested headers, the response header list). On the allowed preflight: `/api/` is one literal \
run of the path automaton; the origin one hash and one comparison in the origin index; `PUT` \
one bit of the policy record; `content-type,authorization` one entry of the header \
index (for up to four allowed names the index holds every list of them in every order; a \
policy of more names answers such a list one name at a time, the order browsers send still in \
one lookup up to six: see cors-match-core/README.md, \"The table\"). The 256-byte `Outcome` is returned by \
value, and criterion's `black_box` of it is a copy inside the timed region.
- **tower-http** 0.7 (`cors` feature only): `Cors` around a no-op inner service, with \
`AllowOrigin::list` of the exact origins (a linear scan of `HeaderValue`s), or, for the wildcard \
variant, `AllowOrigin::predicate` scanning the same list then the wildcard suffixes. Timed: \
`poll_ready` + `call` + polling the response future once with a no-op waker (no runtime), \
response headers built and inserted.
- **actix-cors** 0.7 (actix-web 4 without default features): the `CorsMiddleware` from \
`Cors::new_transform` around a no-op inner service, driven the same way (no `App`, no server, \
no runtime); exact origins via `allowed_origin` (actix keeps them in a `HashSet`), wildcards via \
one `allowed_origin_fn`. Requests are `actix_web::test::TestRequest::to_srv_request()`.
- **django-style**: what settings-based middlewares (django-cors-headers) do, in Rust: a linear \
scan of the exact origins, then of anchored regexes (`^https://[^.]+(\\.[^.]+)*\\.LABEL\\.example\\.org$`, \
`regex` crate), then the response headers into an `http::Response`.
- **The limit**: `limit-hashset` is `HashSet<&str>::contains(origin)` over the exact origins \
(std's SipHash); `limit-eq` one `==` of the origin bytes with the allowed origin; for the \
wildcard scenario `limit-suffix`, the scheme + suffix check of the one matching pattern \
(a `HashSet` cannot answer a wildcard). No limit for `non_cors` (there is nothing to compare).
- The peers' `call` consumes the request: it is built outside the timed region \
(criterion's `iter_batched`), and every peer's response is dropped outside it too; neither is \
counted. corsc's `Request` borrows the header values and its `Outcome` needs no drop.
- **Requested-headers forms** (`eval_request_headers/FORM/1`, corsc alone): the allowed \
preflight at 1 origin with the same two names written as browsers send them \
(`authorization,content-type`, the canonical form) and as proxies that join header lines, \
older WebKit and hand-written clients do (`, ` or tab separated, spaces around commas, mixed \
case, reversed, one name); the goal above compares the slowest with the canonical one.

";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_section_shows_every_form_against_the_canonical_one() {
        let mut inputs = tower_inputs(&[], "");
        for (index, (form, _)) in REQUEST_HEADER_FORMS.iter().enumerate() {
            let median = 40.0 + 5.0 * index as f64;
            inputs.results.insert(
                (
                    REQUEST_HEADER_FORMS_GROUP.to_owned(),
                    (*form).to_owned(),
                    "1".to_owned(),
                ),
                Estimate {
                    median,
                    lower: median,
                    upper: median,
                },
            );
        }
        let mut o = String::new();
        render_header_forms(&mut o, &inputs);
        assert!(
            o.contains("| canonical | `authorization,content-type` | 40.0 ns | 1.00× |"),
            "{o}"
        );
        assert!(
            o.contains("| comma_tab | `authorization,\\tcontent-type` | 70.0 ns | 1.75× |"),
            "{o}"
        );
        assert_eq!(
            o.matches("\n| ").count(),
            REQUEST_HEADER_FORMS.len() + 1,
            "{o}"
        );
    }

    /// Inputs with only tower results: `(scenario, implementation, size,
    /// median ns)`, and `paired_ratio --tower` rows.
    fn tower_inputs(rows: &[(Scenario, &str, usize, f64)], paired: &str) -> Inputs {
        let mut results = Results::new();
        for &(scenario, implementation, size, median) in rows {
            results.insert(
                (
                    tower_group(scenario),
                    implementation.to_owned(),
                    size.to_string(),
                ),
                Estimate {
                    median,
                    lower: median,
                    upper: median,
                },
            );
        }
        Inputs {
            results,
            machine: String::new(),
            command: String::new(),
            allocations: Vec::new(),
            tables: Vec::new(),
            paired: Vec::new(),
            tower_paired: parse_tsv(paired),
            code_size: String::new(),
        }
    }

    #[test]
    fn the_bound_says_when_the_goal_is_out_of_reach() {
        assert_eq!(
            bound_note(400.0, 200.0),
            "; any middleware ≤ 2.00× (headers-only floor 200 ns): out of reach"
        );
        assert_eq!(
            bound_note(1000.0, 100.0),
            "; any middleware ≤ 10.0× (headers-only floor 100 ns)"
        );
    }

    #[test]
    fn the_tower_section_shows_both_floors_and_what_the_goal_needs() {
        let allowed = Scenario::PreflightAllowed;
        let inputs = tower_inputs(
            &[
                (allowed, peers::CORSC_TOWER, 1, 380.0),
                (allowed, peers::CORSC_TOWER, 10_000, 390.0),
                (allowed, peers::TOWER, 1, 400.0),
                (allowed, peers::HEADERS_ONLY, 1, 220.0),
                (allowed, peers::NO_MIDDLEWARE, 1, 130.0),
            ],
            "# comment\npreflight_allowed\t1500\t370.0\t372.0\t400.0\t225.0\t1.005\t1.08\t1.78\n",
        );
        let mut o = String::new();
        render_tower(&mut o, &inputs);
        assert!(o.contains("| preflight_allowed / headers-only | 220 ns ±0% | – | – | – |"));
        assert!(o.contains("| preflight_allowed / no-middleware | 130 ns ±0% | – | – | – |"));
        assert!(o.contains(
            "| preflight_allowed | 400 ns | 80.0 ns | 380 ns | 220 ns | 130 ns | 1.05× | 1.82× | no |"
        ));
        assert!(o.contains(
            "| preflight_allowed | 1500 | 370 ns | 372 ns | 400 ns | 225 ns | 1.00× | 1.08× | 1.78× |"
        ));
        // A scenario without results: no floor rows, dashes elsewhere.
        assert!(!o.contains("preflight_denied / headers-only"));
        assert!(o.contains("| preflight_denied | – | – | – | – | – | – | – | – |"));

        let mut goals = Vec::new();
        tower_goals(&inputs, &mut goals);
        assert_eq!(
            goals[0].measured,
            "1.05× (400 ns vs 380 ns); paired: 1.08×; any middleware ≤ 1.82× (headers-only \
             floor 220 ns): out of reach"
        );
        assert!(goals[0].status == Status::Miss);
        let flat = &goals[TOWER_SCENARIOS.len()];
        assert_eq!(flat.measured, "1.03× (390 ns vs 380 ns); paired: 1.00×");
        assert!(flat.status == Status::Pass);
    }
}
