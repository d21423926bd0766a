//! Diagnostics rendering on hostile input: 8,000 problems on one line.
//! Rendering must cost O(output), not O(problems x line length): identical
//! diagnostics are grouped and long lines are windowed
//! (`Diagnostics::render`).

use std::hint::black_box;

use cors_policy_lang::{check, RenderStyle};
use criterion::{criterion_group, criterion_main, Criterion};

/// `policy a { origins` followed by 8,001 copies of one origin on one line
/// (8,000 identical warnings), then 8,000 different invalid methods on the
/// same line (8,000 distinct errors).
fn source() -> String {
    let origins = vec!["https://a.test"; 8001].join(" ");
    let methods: Vec<String> = (0..8000).map(|i| format!("g@{i}")).collect();
    format!(
        "policy a {{ origins {origins}; methods {}; }}\n",
        methods.join(" ")
    )
}

fn diagnostics_8000_on_one_line(c: &mut Criterion) {
    let source = source();
    let checked = check(&source);
    assert_eq!(checked.diagnostics.len(), 16_000);
    let mut group = c.benchmark_group("diagnostics");
    group.sample_size(10);
    group.bench_function("diagnostics_8000_on_one_line/check", |b| {
        b.iter(|| check(black_box(&source)))
    });
    group.bench_function("diagnostics_8000_on_one_line", |b| {
        b.iter(|| {
            checked
                .diagnostics
                .render("hostile.corspolicy", black_box(&source), RenderStyle::Rich)
        })
    });
    group.finish();
}

criterion_group!(benches, diagnostics_8000_on_one_line);
criterion_main!(benches);
