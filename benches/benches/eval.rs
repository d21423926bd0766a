//! Eval cost of corsc, its peers and the limit, on the same requests and
//! the same origins, at every policy size (see `corsc_benches`).
//!
//! Benchmark ids are `eval_SCENARIO/IMPLEMENTATION/ORIGINS`, where
//! IMPLEMENTATION is `corsc`, `tower-http`, `actix-cors`, `django-style`,
//! `limit-hashset` (`HashSet<&str>::contains` of the request's origin, over
//! the policy's exact origins), `limit-eq` (one `==` of the origin bytes
//! with the allowed origin) or `limit-suffix` (the wildcard scenario: the
//! scheme and suffix check of the one matching pattern).
//!
//! The peers' requests are built outside the timed region
//! (`iter_batched`), because their `call` consumes them; their responses
//! are dropped outside it too. Set `CORSC_BENCH_QUICK=1` for a smoke run.
//!
//! Two groups time corsc alone on requested-headers lists:
//! `eval_request_headers/FORM/1` (see `REQUEST_HEADER_FORMS`) and
//! `request_headers_many_names/LIST/8`, the allowed preflight of a policy
//! of eight allowed names, more than its header index holds whole lists
//! of, so that the lists browsers send are answered name by name.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use cors_match_core::{Decision, Request, Table};
use corsc_benches::{
    compile_table, each_verified_scenario, matches_wildcard, peers, quick, Fixture, Scenario,
    Variant, REQUEST_HEADER_FORMS, REQUEST_HEADER_FORMS_GROUP, UNKNOWN_ORIGIN,
};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};

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

fn eval(c: &mut Criterion) {
    each_verified_scenario(|fixture, scenario, size| bench_scenario(c, fixture, scenario, size));
}

/// corsc's allowed preflight at one origin with each form of the same
/// requested-headers list, side by side (see `REQUEST_HEADER_FORMS`).
fn request_header_forms(c: &mut Criterion) {
    let fixture = Fixture::new(1, Variant::Exact);
    let policy = fixture.policy();
    let spec = Scenario::PreflightAllowed.request(&fixture.origins);
    let mut group = c.benchmark_group(REQUEST_HEADER_FORMS_GROUP);
    for (form, value) in REQUEST_HEADER_FORMS {
        let mut request = spec.corsc();
        request.request_headers = Some(value.as_bytes());
        let decision = policy.eval(&request).decision;
        assert_eq!(decision, Decision::PreflightAllowed, "{form}: {value:?}");
        group.bench_with_input(BenchmarkId::new(form, 1), &request, |b, request| {
            b.iter(|| policy.eval(black_box(request)))
        });
    }
    group.finish();
}

/// The policy of `request_headers_many_names`: eight allowed names.
const MANY_NAMES_POLICY: &str = "policy many {
    paths /api/;
    origins https://app.example.com;
    methods GET PUT;
    allow-headers content-type authorization x-requested-with accept-version
        x-csrf-token cache-control x-api-key if-match;
}
";

/// The lists timed against [`MANY_NAMES_POLICY`], as `(name, value)`:
/// browsers' (lower case, sorted, no whitespace) of three and five names,
/// and the three names as a proxy joins them.
const MANY_NAMES_LISTS: [(&str, &str); 3] = [
    ("three", "authorization,content-type,x-csrf-token"),
    (
        "five",
        "accept-version,authorization,cache-control,content-type,x-api-key",
    ),
    (
        "three_comma_space",
        "authorization, content-type, x-csrf-token",
    ),
];

/// corsc's allowed preflight with each of [`MANY_NAMES_LISTS`] against a
/// policy of eight allowed names.
fn request_headers_many_names(c: &mut Criterion) {
    let table = compile_table(MANY_NAMES_POLICY);
    let policy = Table::from_bytes(&table).expect("a freshly compiled table loads");
    let mut group = c.benchmark_group("request_headers_many_names");
    for (name, list) in MANY_NAMES_LISTS {
        let mut request = Request::new(b"OPTIONS", b"/api/users");
        request.origin = Some(b"https://app.example.com");
        request.request_method = Some(b"PUT");
        request.request_headers = Some(list.as_bytes());
        let decision = policy.eval(&request).decision;
        assert_eq!(decision, Decision::PreflightAllowed, "{name}: {list:?}");
        group.bench_with_input(BenchmarkId::new(name, 8), &request, |b, request| {
            b.iter(|| policy.eval(black_box(request)))
        });
    }
    group.finish();
}

fn bench_scenario(c: &mut Criterion, fixture: &mut Fixture, scenario: Scenario, size: usize) {
    let spec = scenario.request(&fixture.origins);
    let mut group = c.benchmark_group(format!("eval_{}", scenario.name()));

    {
        let policy = fixture.policy();
        let request = spec.corsc();
        group.bench_with_input(BenchmarkId::new("corsc", size), &request, |b, request| {
            b.iter(|| policy.eval(black_box(request)))
        });
    }

    let tower = &mut fixture.tower;
    group.bench_function(BenchmarkId::new(peers::TOWER, size), |b| {
        b.iter_batched(
            || spec.http(),
            |request| tower.call(request),
            BatchSize::SmallInput,
        )
    });

    let actix = &fixture.actix;
    group.bench_function(BenchmarkId::new(peers::ACTIX, size), |b| {
        b.iter_batched(
            || spec.actix(),
            |request| actix.call(request),
            BatchSize::SmallInput,
        )
    });

    let django = &fixture.django;
    let http_request = spec.http();
    group.bench_function(BenchmarkId::new(peers::DJANGO, size), |b| {
        b.iter_batched(
            || (),
            |()| django.handle(black_box(&http_request)),
            BatchSize::SmallInput,
        )
    });

    // The limit: what any CORS check has to do at least.
    match scenario {
        Scenario::PreflightAllowed | Scenario::PreflightDenied | Scenario::ActualAllowed => {
            let origin = spec.origin.as_deref().unwrap_or(UNKNOWN_ORIGIN);
            let set: HashSet<&str> = fixture.origins.exact.iter().map(String::as_str).collect();
            assert_eq!(set.contains(origin), scenario.allows());
            group.bench_with_input(
                BenchmarkId::new("limit-hashset", size),
                origin,
                |b, origin| b.iter(|| set.contains(black_box(origin))),
            );
            let allowed = fixture.origins.allowed.as_bytes();
            group.bench_with_input(
                BenchmarkId::new("limit-eq", size),
                origin.as_bytes(),
                |b, origin| b.iter(|| black_box(origin) == black_box(allowed)),
            );
        }
        Scenario::WildcardSubdomain => {
            let origin = spec.origin.as_deref().unwrap_or(UNKNOWN_ORIGIN).as_bytes();
            let suffix = fixture
                .origins
                .wildcard_suffixes
                .last()
                .expect("the wildcard variant ends with a wildcard")
                .as_str();
            assert!(matches_wildcard(origin, suffix));
            group.bench_with_input(
                BenchmarkId::new("limit-suffix", size),
                origin,
                |b, origin| b.iter(|| matches_wildcard(black_box(origin), black_box(suffix))),
            );
        }
        // No origin, nothing to compare.
        Scenario::NonCors => {}
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = eval, request_header_forms, request_headers_many_names
}
criterion_main!(benches);
