//! Links the freestanding program without the C runtime or libc.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // memcpy and the rest, shared with the C freestanding program
    // (cors-ffi/tests/freestanding/main.c), built as scripts/check-freestanding-c
    // builds them.
    let mem_c = "mem.c";
    println!("cargo:rerun-if-changed={mem_c}");
    println!("cargo:rerun-if-env-changed=CC");
    let mem_o = out.join("mem.o");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = std::process::Command::new(&cc)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-O2",
            "-ffreestanding",
            "-fno-builtin",
            "-fno-tree-loop-distribute-patterns",
            "-fno-stack-protector",
            "-c",
            mem_c,
            "-o",
        ])
        .arg(&mem_o)
        .status()
        .unwrap_or_else(|error| panic!("{cc} runs: {error}"));
    assert!(status.success(), "{cc} compiles {mem_c}");
    println!("cargo:rustc-link-arg-bins={}", mem_o.display());
    for arg in ["-nostartfiles", "-nostdlib", "-static"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
