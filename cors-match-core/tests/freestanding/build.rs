//! Compiles the example policy into a table the freestanding program embeds,
//! and links the program without the C runtime or libc.

use std::path::PathBuf;

fn main() {
    let source_path = "../../../examples/api.corspolicy";
    println!("cargo:rerun-if-changed={source_path}");
    let source = std::fs::read_to_string(source_path).expect("examples/api.corspolicy is readable");
    let compiled = cors_policy_lang::compile(&source).expect("examples/api.corspolicy compiles");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("api.cors"), compiled.table).expect("OUT_DIR is writable");
    for arg in ["-nostartfiles", "-nostdlib", "-static"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
