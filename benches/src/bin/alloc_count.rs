//! Counts the heap allocations of one call of corsc and of each peer, for
//! every scenario and policy size, with a counting `#[global_allocator]`.
//!
//! Each implementation first answers the request twice (warm-up: lazily
//! initialized statics, pools), then once more while counting. The
//! request is built before counting starts and the response dropped after
//! it ends, as in the benchmarks. Prints one tab-separated line per
//! implementation × scenario × size, after `#` comment lines:
//!
//! ```text
//! implementation  scenario  origins  allocations  bytes
//! ```
//!
//! `cargo run --release -p corsc-benches --bin alloc_count` (honours
//! `CORSC_BENCH_QUICK`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use corsc_benches::{each_verified_scenario, peers};

/// The system allocator, counting allocations (`alloc`, `alloc_zeroed`
/// and `realloc` each count one) and the bytes they ask for.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

fn record(size: usize) {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    BYTES.fetch_add(size as u64, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `call` on `input` and returns the allocations and bytes it made;
/// the input is built before and the output dropped after counting.
fn count<I, O>(input: I, call: impl FnOnce(I) -> O) -> (u64, u64) {
    let allocations = ALLOCATIONS.load(Ordering::SeqCst);
    let bytes = BYTES.load(Ordering::SeqCst);
    let output = black_box(call(black_box(input)));
    let counted = (
        ALLOCATIONS.load(Ordering::SeqCst) - allocations,
        BYTES.load(Ordering::SeqCst) - bytes,
    );
    drop(output);
    counted
}

fn main() {
    println!("# alloc_count: heap allocations during one call, after two warm-up calls,");
    println!("# counted by a #[global_allocator]; request built before, response dropped after.");
    println!("# implementation\tscenario\torigins\tallocations\tbytes");
    each_verified_scenario(|fixture, scenario, size| {
        let spec = scenario.request(&fixture.origins);
        let mut rows = Vec::new();

        let policy = cors_match_core::Table::from_bytes(&fixture.table).expect("table loads");
        let request = spec.corsc();
        for _ in 0..2 {
            black_box(policy.eval(&request));
        }
        rows.push(("corsc", count(&request, |request| policy.eval(request))));

        for _ in 0..2 {
            fixture.tower.call(spec.http());
        }
        let tower = &mut fixture.tower;
        rows.push((
            peers::TOWER,
            count(spec.http(), |request| tower.call(request)),
        ));

        for _ in 0..2 {
            fixture.actix.call(spec.actix());
        }
        let actix = &fixture.actix;
        rows.push((
            peers::ACTIX,
            count(spec.actix(), |request| actix.call(request)),
        ));

        let http_request = spec.http();
        for _ in 0..2 {
            fixture.django.handle(&http_request);
        }
        let django = &fixture.django;
        rows.push((
            peers::DJANGO,
            count(&http_request, |request| django.handle(request)),
        ));

        for (implementation, (allocations, bytes)) in rows {
            println!(
                "{implementation}\t{}\t{size}\t{allocations}\t{bytes}",
                scenario.name()
            );
        }
    });
}
