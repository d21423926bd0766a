//! The README's example is the compiled example: its code blocks are
//! `examples/axum.rs` and `examples/api.corspolicy`, byte for byte.

const README: &str = include_str!("../../README.md");

/// The code block that follows the line `marker` in the README.
fn block_after(marker: &str) -> String {
    let at = README
        .find(marker)
        .unwrap_or_else(|| panic!("README has no {marker:?}"));
    let rest = &README[at..];
    let open = rest.find("```").expect("a code block after the marker");
    let rest = &rest[open..];
    let body_start = rest.find('\n').expect("a fence line") + 1;
    let body_end = rest[body_start..].find("\n```").expect("a closing fence") + body_start + 1;
    rest[body_start..body_end].to_owned()
}

#[test]
fn the_readme_shows_the_example_files() {
    assert_eq!(
        block_after("`examples/api.corspolicy`:"),
        include_str!("../../examples/api.corspolicy")
    );
    assert_eq!(
        block_after("`examples/axum.rs`:"),
        include_str!("../../examples/axum.rs")
    );
}
