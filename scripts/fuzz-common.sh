# Sourced by scripts/fuzz-smoke and scripts/fuzz-campaign: the toolchain
# checks both need (the nightly toolchain, cargo-fuzz), from the
# repository root. $fuzz_script names the caller in messages.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    . "$HOME/.cargo/env"
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "$fuzz_script: the nightly toolchain is missing (cargo-fuzz needs it):" >&2
    echo "    rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "$fuzz_script: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

# check_seeds TARGET...: every target has its committed seeds.
check_seeds() {
    local target
    for target in "$@"; do
        if [ ! -d "fuzz/seeds/$target" ]; then
            echo "$fuzz_script: no seeds for $target (expected fuzz/seeds/$target/)" >&2
            exit 1
        fi
    done
}
