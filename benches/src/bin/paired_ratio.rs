//! The goal ratios of the allowed preflight measured **paired**: corsc,
//! `HashSet::contains` and (at one origin) tower-http are timed in short
//! interleaved batches, round after round, and each round's ratio is taken
//! between batches run a fraction of a millisecond apart. The median of
//! those ratios is what this prints. On a shared virtual machine, where the
//! speed of one process drifts by tens of percent over seconds, a ratio of
//! two criterion medians measured seconds apart carries that drift; paired
//! ratios do not. `scripts/bench-report` shows both.
//!
//! Prints one tab-separated line per policy size, after `#` comment lines:
//!
//! ```text
//! origins  rounds  corsc_ns  hashset_ns  tower_ns  corsc_per_hashset  tower_per_corsc
//! ```
//!
//! (`tower_ns` and `tower_per_corsc` are `-` above one origin, where the
//! goal does not ask and a scan of thousands of origins would take the
//! run's time.) `cargo run --release -p corsc-benches --bin paired_ratio`
//! (honours `CORSC_BENCH_QUICK`).
//!
//! With `--header-forms`, it times instead the allowed preflight with each
//! of `REQUEST_HEADER_FORMS` against the canonical form, batch after batch
//! in the same round, and prints one line per form:
//!
//! ```text
//! form  rounds  form_ns  canonical_ns  form_per_canonical
//! ```
//!
//! With `--tower`, it times the tower rows the tower goals compare
//! (`benches/tower.rs`): corsc-tower at 1 and at 10,000 origins,
//! tower-http and the headers-only floor at 1 origin, in interleaved
//! batches (requests built before the clock, responses dropped after it,
//! as criterion's `iter_batched`; the order reversed every other round),
//! and prints one line per scenario:
//!
//! ```text
//! scenario  rounds  corsc_1_ns  corsc_10000_ns  tower_ns  headers_only_ns  corsc_10000_per_1  tower_per_corsc  tower_per_headers_only
//! ```

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Instant;

use corsc_benches::peers::{self, CorscTowerPeer};
use corsc_benches::{
    eval_sizes, quick, Fixture, Scenario, Variant, CANONICAL_FORM, REQUEST_HEADER_FORMS,
    TOWER_SCENARIOS, TOWER_SIZES,
};

/// Calls per corsc or `HashSet` batch, and per tower-http batch.
const BATCH: u32 = 2_000;
const TOWER_BATCH: usize = 200;

/// Nanoseconds per call of `call`, over `BATCH` calls.
fn time_batch<T>(mut call: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    for _ in 0..BATCH {
        black_box(call());
    }
    start.elapsed().as_nanos() as f64 / f64::from(BATCH)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let rounds = if quick() { 50 } else { 1_500 };
    if std::env::args().any(|arg| arg == "--header-forms") {
        header_forms(rounds);
        return;
    }
    if std::env::args().any(|arg| arg == "--tower") {
        tower(rounds);
        return;
    }
    println!("# paired ratios of the allowed preflight: medians over interleaved rounds");
    println!(
        "# origins\trounds\tcorsc_ns\thashset_ns\ttower_ns\tcorsc_per_hashset\ttower_per_corsc"
    );
    for &size in eval_sizes() {
        let scenario = Scenario::PreflightAllowed;
        let mut fixture = Fixture::new(size, Variant::Exact);
        if let Err(error) = fixture.verify(scenario) {
            panic!("{size} origins: {error}");
        }
        let spec = scenario.request(&fixture.origins);
        let origin = spec.origin.clone().expect("a preflight has an origin");
        let table = fixture.table.clone();
        let policy = cors_match_core::Table::from_bytes(&table).expect("loads");
        let request = spec.corsc();
        let set: HashSet<&str> = fixture.origins.exact.iter().map(String::as_str).collect();
        assert!(set.contains(origin.as_str()));
        let with_tower = size == 1;

        let (mut corsc, mut hashset, mut tower) = (Vec::new(), Vec::new(), Vec::new());
        let (mut per_hashset, mut per_tower) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let c = time_batch(|| policy.eval(black_box(&request)));
            let h = time_batch(|| set.contains(black_box(origin.as_str())));
            corsc.push(c);
            hashset.push(h);
            per_hashset.push(c / h);
            if with_tower {
                // As criterion's `iter_batched`: requests built before the
                // clock starts, responses dropped after it stops.
                let requests: Vec<_> = (0..TOWER_BATCH).map(|_| spec.http()).collect();
                let mut responses = Vec::with_capacity(TOWER_BATCH);
                let start = Instant::now();
                for request in requests {
                    responses.push(fixture.tower.call(request));
                }
                let t = start.elapsed().as_nanos() as f64 / TOWER_BATCH as f64;
                drop(responses);
                tower.push(t);
                per_tower.push(t / c);
            }
        }
        let or_dash = |values: &mut Vec<f64>, digits: usize| {
            if values.is_empty() {
                "-".to_owned()
            } else {
                format!("{:.digits$}", median(values))
            }
        };
        println!(
            "{size}\t{rounds}\t{}\t{}\t{}\t{}\t{}",
            or_dash(&mut corsc, 1),
            or_dash(&mut hashset, 1),
            or_dash(&mut tower, 1),
            or_dash(&mut per_hashset, 2),
            or_dash(&mut per_tower, 2),
        );
    }
}

/// The `--header-forms` table: each requested-headers form against the
/// canonical one, at one origin, as the `eval_request_headers` benchmarks.
fn header_forms(rounds: usize) {
    let fixture = Fixture::new(1, Variant::Exact);
    let policy = fixture.policy();
    let spec = Scenario::PreflightAllowed.request(&fixture.origins);
    let requests: Vec<_> = REQUEST_HEADER_FORMS
        .iter()
        .map(|&(form, value)| {
            let mut request = spec.corsc();
            request.request_headers = Some(value.as_bytes());
            let decision = policy.eval(&request).decision;
            assert_eq!(
                decision,
                cors_match_core::Decision::PreflightAllowed,
                "{form}"
            );
            request
        })
        .collect();
    let canonical = REQUEST_HEADER_FORMS
        .iter()
        .position(|&(form, _)| form == CANONICAL_FORM)
        .expect("the canonical form is a form");
    let forms = REQUEST_HEADER_FORMS.len();
    let (mut ns, mut canonical_ns, mut ratios) = (
        vec![Vec::new(); forms],
        vec![Vec::new(); forms],
        vec![Vec::new(); forms],
    );
    for round in 0..rounds {
        for (i, request) in requests.iter().enumerate() {
            // Which of the pair runs first alternates from round to round.
            let time = |request| time_batch(|| policy.eval(black_box(request)));
            let (form, base) = if round % 2 == 0 {
                let form = time(request);
                (form, time(&requests[canonical]))
            } else {
                let base = time(&requests[canonical]);
                (time(request), base)
            };
            ns[i].push(form);
            canonical_ns[i].push(base);
            ratios[i].push(form / base);
        }
    }
    println!("# requested-headers forms against {CANONICAL_FORM}, allowed preflight, 1 origin");
    println!("# form\trounds\tform_ns\tcanonical_ns\tform_per_canonical");
    for (i, &(form, _)) in REQUEST_HEADER_FORMS.iter().enumerate() {
        println!(
            "{form}\t{rounds}\t{:.1}\t{:.1}\t{:.3}",
            median(&mut ns[i]),
            median(&mut canonical_ns[i]),
            median(&mut ratios[i])
        );
    }
}

/// Nanoseconds per call of `call` on `TOWER_BATCH` fresh requests `make`s,
/// the requests built before the clock starts and the responses dropped
/// after it stops.
fn time_tower(
    make: impl Fn() -> http::Request<()>,
    mut call: impl FnMut(http::Request<()>) -> http::Response<()>,
) -> f64 {
    let requests: Vec<_> = (0..TOWER_BATCH).map(|_| make()).collect();
    let mut responses = Vec::with_capacity(TOWER_BATCH);
    let start = Instant::now();
    for request in requests {
        responses.push(call(request));
    }
    let ns = start.elapsed().as_nanos() as f64 / TOWER_BATCH as f64;
    drop(black_box(responses));
    ns
}

/// The `--tower` table: the rows the tower goals compare, interleaved.
fn tower(rounds: usize) {
    let (small, large) = (TOWER_SIZES[0], TOWER_SIZES[TOWER_SIZES.len() - 1]);
    let mut fixtures: Vec<(Fixture, CorscTowerPeer)> = [small, large]
        .into_iter()
        .map(|size| {
            let fixture = Fixture::new(size, Variant::Exact);
            let corsc = CorscTowerPeer::new(&fixture.table);
            (fixture, corsc)
        })
        .collect();
    println!("# the tower rows the tower goals compare: medians over interleaved rounds");
    println!(
        "# scenario\trounds\tcorsc_{small}_ns\tcorsc_{large}_ns\ttower_ns\theaders_only_ns\t\
         corsc_{large}_per_{small}\ttower_per_corsc\ttower_per_headers_only"
    );
    for scenario in TOWER_SCENARIOS {
        for (fixture, _) in &mut fixtures {
            if let Err(error) = fixture.verify(scenario) {
                panic!("{}: {error}", scenario.name());
            }
        }
        let [(small_fixture, small_corsc), (large_fixture, large_corsc)] = &mut fixtures[..] else {
            unreachable!("two fixtures")
        };
        let small_spec = scenario.request(&small_fixture.origins);
        let large_spec = scenario.request(&large_fixture.origins);
        let mut floor = {
            let answer = small_corsc.call(small_spec.http());
            peers::HeadersOnly::new(
                &answer,
                scenario.is_preflight(),
                small_spec.origin.as_deref(),
            )
        };
        let mut rows: [Vec<f64>; 4] = Default::default();
        let mut ratios: [Vec<f64>; 3] = Default::default();
        for round in 0..rounds {
            let mut t = [0.0; 4];
            for k in 0..4 {
                let which = if round % 2 == 0 { k } else { 3 - k };
                t[which] = match which {
                    0 => time_tower(|| small_spec.http(), |r| small_corsc.call(r)),
                    1 => time_tower(|| large_spec.http(), |r| large_corsc.call(r)),
                    2 => time_tower(|| small_spec.http(), |r| small_fixture.tower.call(r)),
                    _ => time_tower(|| small_spec.http(), |r| peers::serve(&mut floor, r)),
                };
            }
            for (row, value) in rows.iter_mut().zip(t) {
                row.push(value);
            }
            ratios[0].push(t[1] / t[0]);
            ratios[1].push(t[2] / t[0]);
            ratios[2].push(t[2] / t[3]);
        }
        let [a, b, c, d] = &mut rows;
        let [x, y, z] = &mut ratios;
        println!(
            "{}\t{rounds}\t{:.1}\t{:.1}\t{:.1}\t{:.1}\t{:.3}\t{:.2}\t{:.2}",
            scenario.name(),
            median(a),
            median(b),
            median(c),
            median(d),
            median(x),
            median(y),
            median(z),
        );
    }
}
