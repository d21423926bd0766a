//! Quick check that eval cost does not grow with the number of origins: the
//! same preflight against a 10-origin and a 10,000-origin policy, the
//! allowed origin being the last one written (the worst case for a scan).
//! The full comparison with peer crates lives in its own benchmark suite.

use std::hint::black_box;

use cors_match_core::{Decision, Request, Table};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// `origins` hosts with pseudo-random labels (a fixed-seed xorshift), so the
/// automaton cannot fold them into a small counter; the last is
/// `https://tenant-N.example.com`.
fn policy_source(origins: usize) -> String {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let list: Vec<String> = (1..=origins)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if i == origins {
                format!("https://tenant-{i}.example.com")
            } else {
                format!("https://{:08x}-{i}.example.com", seed as u32)
            }
        })
        .collect();
    format!(
        "policy tenants {{ paths /api/; origins {}; methods GET PUT; \
         allow-headers content-type authorization; credentials on; }}",
        list.join(" ")
    )
}

fn eval_scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("preflight_allowed");
    for origins in [10usize, 10_000] {
        let compiled = cors_policy_lang::compile(&policy_source(origins))
            .unwrap_or_else(|failure| panic!("benchmark policy must compile: {failure}"));
        let policy = Table::from_bytes(&compiled.table).expect("compiled table loads");
        let origin = format!("https://tenant-{origins}.example.com");
        let mut request = Request::new(b"OPTIONS", b"/api/users");
        request.origin = Some(origin.as_bytes());
        request.request_method = Some(b"PUT");
        request.request_headers = Some(b"content-type,authorization");
        assert_eq!(policy.eval(&request).decision, Decision::PreflightAllowed);
        group.bench_with_input(
            BenchmarkId::from_parameter(origins),
            &request,
            |b, request| b.iter(|| policy.eval(black_box(request))),
        );
    }
    group.finish();
}

criterion_group!(benches, eval_scaling);
criterion_main!(benches);
