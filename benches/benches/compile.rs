//! Compile time of `cors_policy_lang::compile` (source text to table bytes,
//! diagnostics included) for 1,000, 10,000 and 100,000 origins, exact only
//! (`compile_exact`) and with one wildcard pattern in ten
//! (`compile_wildcard10`). The table sizes are printed by
//! `cargo run --release -p corsc-benches --bin table_size`.

use std::hint::black_box;
use std::time::Duration;

use corsc_benches::{compile_sizes, quick, Origins, Variant};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};

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

criterion_group! {
    name = benches;
    config = config();
    targets = compile
}
criterion_main!(benches);
