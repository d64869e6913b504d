#!/usr/bin/env bash
# The README's Quick start: sets up a fresh machine, then starts the devnet or runs the
# test suite. Works from any directory.
#
#   scripts/dev.sh setup            install what is missing, nothing else
#   scripts/dev.sh devnet [ARGS...] setup, then start the devnet on http://127.0.0.1:8545
#                                   (cargo run --release -p metron-node -- node --dev ARGS...)
#   scripts/dev.sh test [ARGS...]   setup, then run the test suite
#                                   (cargo test --workspace --locked ARGS...)
#   scripts/dev.sh help             this text
#
# setup installs, only when absent: libclang-dev (RocksDB's bindgen) and build-essential
# (RocksDB is C++) through apt, with sudo when not root; the toolchain named by
# rust-toolchain.toml, its wasm32-unknown-unknown target and the rustfmt and clippy
# components through rustup (which does not add a rust-toolchain.toml target to a
# toolchain that is already installed). It prints one line per thing it installs and
# nothing on a machine that has everything. Needs rustup; apt only on Debian/Ubuntu.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

say() {
    echo "dev.sh setup: $*" >&2
}

have_libclang() {
    if command -v dpkg >/dev/null 2>&1; then
        dpkg -s libclang-dev >/dev/null 2>&1
    else
        [ -n "${LIBCLANG_PATH:-}" ] || ldconfig -p 2>/dev/null | grep -q 'libclang[-.]'
    fi
}

setup() {
    # System packages (apt).
    local need_apt=()
    have_libclang || need_apt+=(libclang-dev)
    if ! command -v cc >/dev/null 2>&1 || ! command -v c++ >/dev/null 2>&1; then
        need_apt+=(build-essential)
    fi
    if [ "${#need_apt[@]}" -gt 0 ]; then
        if ! command -v apt-get >/dev/null 2>&1; then
            echo "dev.sh setup: apt-get not found (not Debian/Ubuntu); install by hand:" \
                "${need_apt[*]} (libclang for RocksDB's bindgen, a C and C++ compiler as" \
                "cc and c++ for RocksDB), then run this again" >&2
            exit 1
        fi
        local sudo=()
        if [ "$(id -u)" -ne 0 ]; then
            if ! command -v sudo >/dev/null 2>&1; then
                echo "dev.sh setup: need root or sudo to apt-get install ${need_apt[*]}" >&2
                exit 1
            fi
            sudo=(sudo)
        fi
        local pkg
        for pkg in "${need_apt[@]}"; do
            say "installing $pkg (apt)"
        done
        # apt's progress goes to stderr: stdout is the devnet's own output.
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
    fi

    # Rust (rustup): the toolchain rust-toolchain.toml names, then its target and
    # components (checked first: no network work when they are there).
    if ! command -v rustup >/dev/null 2>&1; then
        echo "dev.sh setup: rustup not found; install it from https://rustup.rs" >&2
        exit 1
    fi
    if ! RUSTUP_AUTO_INSTALL=0 rustup show active-toolchain >/dev/null 2>&1; then
        say "installing the Rust toolchain named by rust-toolchain.toml (rustup)"
        rustup toolchain install
    fi
    # (Captured first: `grep -q` closing the pipe early would fail it under pipefail.)
    local installed comp
    installed="$(rustup target list --installed)"
    if ! grep -qx wasm32-unknown-unknown <<<"$installed"; then
        say "installing the wasm32-unknown-unknown target (rustup)"
        rustup target add wasm32-unknown-unknown
    fi
    installed="$(rustup component list --installed)"
    for comp in rustfmt clippy; do
        if ! grep -qE "^${comp}(-|\$)" <<<"$installed"; then
            say "installing the $comp component (rustup)"
            rustup component add "$comp"
        fi
    done
}

case "${1:-help}" in
    setup)
        setup
        ;;
    devnet)
        shift
        setup
        exec cargo run --release -p metron-node -- node --dev "$@"
        ;;
    test)
        shift
        setup
        exec cargo test --workspace --locked "$@"
        ;;
    help | -h | --help)
        usage
        ;;
    *)
        echo "dev.sh: unknown command: $1" >&2
        usage >&2
        exit 2
        ;;
esac
