//! corsc's tower layer (`corsc-tower`) and tower-http's `CorsLayer`, side
//! by side through the same `Service` harness (`peers::serve`: `poll_ready`,
//! `call`, the response future polled once) around the same no-op inner
//! service, on the allowed preflight, the denied preflight and the allowed
//! `GET`, at 1, 100 and 10,000 origins. Both build `http` responses: the
//! times include the header work (names, values, the `HeaderMap`).
//!
//! Two floors at 1 origin: `no-middleware`, the inner service alone, and
//! `headers-only` (`peers::HeadersOnly`), a service that decides nothing
//! and only puts on the response the headers and status corsc-tower
//! answers with, in the cheapest way known: the lower bound of any CORS
//! middleware's time, and so of the ratio any can reach against
//! tower-http.
//!
//! Benchmark ids are `tower_SCENARIO/IMPLEMENTATION/ORIGINS`. Requests are
//! built outside the timed region (`iter_batched`: `call` consumes them),
//! and responses are dropped outside it. `CORSC_BENCH_QUICK=1`: a smoke run.

use std::time::Duration;

use corsc_benches::peers::{self, CorscTowerPeer};
use corsc_benches::{quick, tower_group, Fixture, Scenario, Variant, TOWER_SCENARIOS, TOWER_SIZES};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use http::header;

fn config() -> Criterion {
    let criterion = if quick() {
        Criterion::default()
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500))
            .sample_size(20)
    } else {
        Criterion::default()
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(2))
            .sample_size(60)
    };
    criterion.configure_from_args()
}

/// Both layers answer `scenario` alike (status and
/// `Access-Control-Allow-Origin`), where they are meant to.
fn verify(fixture: &mut Fixture, corsc: &mut CorscTowerPeer, scenario: Scenario) {
    let spec = scenario.request(&fixture.origins);
    let ours = corsc.call(spec.http());
    let theirs = fixture.tower.call(spec.http());
    let origin = |response: &http::Response<()>| {
        response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.as_bytes().to_vec())
    };
    let allowed = spec.origin.as_ref().map(|o| o.as_bytes().to_vec());
    assert_eq!(origin(&ours), allowed.filter(|_| scenario.allows()));
    assert_eq!(origin(&ours), origin(&theirs), "{}", scenario.name());
    let status = match scenario {
        Scenario::PreflightAllowed => 204,
        Scenario::PreflightDenied => 403,
        _ => 200,
    };
    assert_eq!(ours.status().as_u16(), status, "{}", scenario.name());
    // tower-http answers every preflight with 200.
    assert_eq!(theirs.status().as_u16(), 200, "{}", scenario.name());
}

/// The rows of one scenario, in the order they run: the pairs a goal
/// compares run next to each other (corsc-tower at 1 and at 10,000
/// origins; corsc-tower, tower-http and the floors at 1 origin), so that a
/// virtual machine's speed, which drifts over the run, moves them alike.
const ORDER: [(&str, usize); 8] = [
    (peers::CORSC_TOWER, TOWER_SIZES[0]),
    (peers::CORSC_TOWER, TOWER_SIZES[2]),
    (peers::TOWER, TOWER_SIZES[0]),
    (peers::HEADERS_ONLY, TOWER_SIZES[0]),
    (peers::NO_MIDDLEWARE, TOWER_SIZES[0]),
    (peers::CORSC_TOWER, TOWER_SIZES[1]),
    (peers::TOWER, TOWER_SIZES[1]),
    (peers::TOWER, TOWER_SIZES[2]),
];

fn tower(c: &mut Criterion) {
    let mut fixtures: Vec<(Fixture, CorscTowerPeer)> = TOWER_SIZES
        .iter()
        .map(|&size| {
            let fixture = Fixture::new(size, Variant::Exact);
            let corsc = CorscTowerPeer::new(&fixture.table);
            (fixture, corsc)
        })
        .collect();
    for scenario in TOWER_SCENARIOS {
        for (fixture, corsc) in &mut fixtures {
            verify(fixture, corsc, scenario);
        }
        // The headers-only floor answers with the very headers and status
        // corsc-tower answers the 1-origin request with.
        let mut headers_only = {
            let (fixture, corsc) = &mut fixtures[0];
            let spec = scenario.request(&fixture.origins);
            let answer = corsc.call(spec.http());
            peers::HeadersOnly::new(&answer, scenario.is_preflight(), spec.origin.as_deref())
        };
        let mut group = c.benchmark_group(tower_group(scenario));
        for (implementation, size) in ORDER {
            let Some(at) = TOWER_SIZES.iter().position(|&s| s == size) else {
                continue;
            };
            let (fixture, corsc) = &mut fixtures[at];
            let spec = scenario.request(&fixture.origins);
            let id = BenchmarkId::new(implementation, size);
            // Requests are built outside the timing (`call` consumes
            // them), responses dropped outside it.
            match implementation {
                peers::CORSC_TOWER => group.bench_function(id, |b| {
                    b.iter_batched(|| spec.http(), |r| corsc.call(r), BatchSize::SmallInput)
                }),
                peers::TOWER => {
                    let tower = &mut fixture.tower;
                    group.bench_function(id, |b| {
                        b.iter_batched(|| spec.http(), |r| tower.call(r), BatchSize::SmallInput)
                    })
                }
                // The floor: the inner service alone through the same
                // harness (the request dropped, an empty response), no
                // CORS at all.
                peers::NO_MIDDLEWARE => group.bench_function(id, |b| {
                    let mut noop = peers::TowerNoop;
                    b.iter_batched(
                        || spec.http(),
                        |r| peers::serve(&mut noop, r),
                        BatchSize::SmallInput,
                    )
                }),
                // The lower bound of any CORS middleware: only the
                // response headers a correct answer needs, no decision.
                _ => group.bench_function(id, |b| {
                    b.iter_batched(
                        || spec.http(),
                        |r| peers::serve(&mut headers_only, r),
                        BatchSize::SmallInput,
                    )
                }),
            };
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = tower
}
criterion_main!(benches);
