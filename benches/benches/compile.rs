//! Compile time of `cors_policy_lang::compile` (source text to table bytes,
//! diagnostics included) for 1,000, 10,000 and 100,000 origins, exact only
//! (`compile_exact`) and with one wildcard pattern in ten
//! (`compile_wildcard10`). The table sizes are printed by
//! `cargo run --release -p corsc-benches --bin table_size`.
//!
//! `compile_adversarial`: large and adversarial sources
//! ([`corsc_benches::adversarial`]), timed whatever `compile` answers (a
//! refusal is an answer). Quick mode leaves out the pathological cases
//! (seconds to minutes a call at b6e1cc6: `adversarial::Case::pathological`).

use std::hint::black_box;
use std::time::Duration;

use corsc_benches::{adversarial, compile_sizes, quick, Origins, Variant};
use criterion::{criterion_group, criterion_main, Bencher, BenchmarkId, Criterion, SamplingMode};

fn config() -> Criterion {
    let criterion = if quick() {
        Criterion::default()
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_secs(1))
    } else {
        Criterion::default()
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5))
    };
    criterion.sample_size(10).configure_from_args()
}

fn compile(c: &mut Criterion) {
    for variant in [Variant::Exact, Variant::Wildcard10] {
        let mut group = c.benchmark_group(format!("compile_{}", variant.name()));
        group.sampling_mode(SamplingMode::Flat);
        for &size in compile_sizes() {
            let source = Origins::generate(size, variant).policy_source();
            if let Err(failure) = cors_policy_lang::compile(&source) {
                panic!("{size} origins: the benchmark policy must compile: {failure}");
            }
            group.bench_with_input(BenchmarkId::from_parameter(size), &source, |b, source| {
                b.iter(|| cors_policy_lang::compile(black_box(source)))
            });
        }
        group.finish();
    }
}

fn compile_adversarial(c: &mut Criterion) {
    let mut group = c.benchmark_group(adversarial::GROUP);
    // Some of these took seconds each: ten samples of one call at least.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    for case in adversarial::cases_for_this_run() {
        let source = case.source.as_str();
        let time =
            |b: &mut Bencher| b.iter(|| black_box(cors_policy_lang::compile(black_box(source))));
        match case.parameter {
            Some(parameter) => group.bench_function(BenchmarkId::new(case.name, parameter), time),
            None => group.bench_function(case.name, time),
        };
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = compile, compile_adversarial
}
criterion_main!(benches);
