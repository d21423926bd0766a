//! corsc's tower layer (`corsc-tower`) and tower-http's `CorsLayer`, side
//! by side through the same `Service` harness (`peers::serve`: `poll_ready`,
//! `call`, the response future polled once) around the same no-op inner
//! service, on the allowed preflight, the denied preflight and the allowed
//! `GET`, at 1, 100 and 10,000 origins. Both build `http` responses: the
//! times include the header work (names, values, the `HeaderMap`).
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

fn tower(c: &mut Criterion) {
    for size in TOWER_SIZES {
        let mut fixture = Fixture::new(size, Variant::Exact);
        let mut corsc = CorscTowerPeer::new(&fixture.table);
        for scenario in TOWER_SCENARIOS {
            verify(&mut fixture, &mut corsc, scenario);
            let spec = scenario.request(&fixture.origins);
            let mut group = c.benchmark_group(tower_group(scenario));
            group.bench_function(BenchmarkId::new(peers::CORSC_TOWER, size), |b| {
                b.iter_batched(
                    || spec.http(),
                    |request| corsc.call(request),
                    BatchSize::SmallInput,
                )
            });
            let tower = &mut fixture.tower;
            group.bench_function(BenchmarkId::new(peers::TOWER, size), |b| {
                b.iter_batched(
                    || spec.http(),
                    |request| tower.call(request),
                    BatchSize::SmallInput,
                )
            });
            // The floor: the inner service alone through the same harness
            // (the request dropped, an empty response), no CORS at all.
            if size == TOWER_SIZES[0] {
                let mut noop = peers::TowerNoop;
                group.bench_function(BenchmarkId::new(peers::NO_MIDDLEWARE, size), |b| {
                    b.iter_batched(
                        || spec.http(),
                        |request| peers::serve(&mut noop, request),
                        BatchSize::SmallInput,
                    )
                });
            }
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = tower
}
criterion_main!(benches);
