//! The committed `include/cors.h` must be exactly what cbindgen generates
//! from the current source, so C hosts never compile against a stale API.

use std::path::Path;

#[test]
fn committed_header_is_up_to_date() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    let mut fresh = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut fresh);
    let path = crate_dir.join("include/cors.h");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("include/cors.h is writable");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/cors.h is stale: regenerate it with \
         `BLESS=1 cargo test -p cors-ffi --test it header::` and commit it"
    );
}
