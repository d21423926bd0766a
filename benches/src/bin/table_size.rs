//! Prints the size of corsc's compiled table for generated policies (the
//! ones the compile benchmarks time), exact only and with one wildcard
//! pattern in ten. One tab-separated line per variant × size, after `#`
//! comment lines:
//!
//! ```text
//! variant  origins  table_bytes  pattern_bytes
//! ```
//!
//! `cargo run --release -p corsc-benches --bin table_size` (honours
//! `CORSC_BENCH_QUICK`).

use corsc_benches::{compile_sizes, compile_table, Origins, Variant};

fn main() {
    println!("# table_size: bytes of the compiled table; pattern_bytes is the length of the");
    println!("# origin patterns as written (without separators).");
    println!("# variant\torigins\ttable_bytes\tpattern_bytes");
    for variant in [Variant::Exact, Variant::Wildcard10] {
        for &size in compile_sizes() {
            let origins = Origins::generate(size, variant);
            let table = compile_table(&origins.policy_source());
            println!(
                "{}\t{size}\t{}\t{}",
                variant.name(),
                table.len(),
                origins.pattern_bytes()
            );
        }
    }
}
