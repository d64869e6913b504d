#!/usr/bin/env bash
# Same bits on every CPU: the cross-architecture determinism check (docs/determinism.md).
#
#   scripts/cross.sh [--quick] [--targets "aarch64 riscv64"] [--modules N] [--chain] [--no-install]
#
# Builds `metron-determinism` natively (x86-64) and for each target, both interpreter
# backends (the threaded one, and the loop forced by `metron-vm/portable-dispatch`), runs
# the cross builds under qemu-user and compares every part's digest with the native one
# (`metron-determinism --expect`). Also runs the spec suite (`metron-conformance`, gas
# off and on) and the NaN regression test (`vm/tests/nan.rs`, optimized) under qemu with
# both backends. Exits non-zero at the first difference; `--trace` files are left in
# target/cross/ to find the first module and value that differ (`diff` them).
#
#   --quick       the reduced corpus CI runs (500 generated modules, no riscv64 unless
#                 --targets names it); the full check is the default: 20 000 modules
#   --targets T   space-separated: aarch64, riscv64 (default both)
#   --modules N   generated modules (overrides --quick's and the default count)
#   --chain       also the `chain` part (the token through 200 transactions on a devnet
#                 chain, real RocksDB): cross-builds RocksDB with the cross g++ (about 20
#                 minutes per target on two cores; installs g++-<target>-linux-gnu)
#   --no-install  do not apt-get / rustup anything (fail if something is missing)
#
# Installs what is missing: qemu-user, gcc-aarch64-linux-gnu, gcc-riscv64-linux-gnu
# (apt, with sudo when not root) and the rustup targets.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
targets="aarch64 riscv64"
modules=""
install=1
chain=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --targets) targets="$2"; shift ;;
        --modules) modules="$2"; shift ;;
        --no-install) install=0 ;;
        --chain) chain=1 ;;
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$modules" ]; then
    if [ "$quick" -eq 1 ]; then modules=500; else modules=20000; fi
fi

triple() {
    case "$1" in
        aarch64) echo aarch64-unknown-linux-gnu ;;
        riscv64) echo riscv64gc-unknown-linux-gnu ;;
        *) echo "unknown target: $1" >&2; exit 2 ;;
    esac
}
gnu() {
    case "$1" in
        aarch64) echo aarch64-linux-gnu ;;
        riscv64) echo riscv64-linux-gnu ;;
    esac
}

# ---- what a fresh machine lacks ----
need_apt=()
for t in $targets; do
    command -v "qemu-$t" >/dev/null 2>&1 || need_apt+=(qemu-user)
    command -v "$(gnu "$t")-gcc" >/dev/null 2>&1 || need_apt+=("gcc-$(gnu "$t")")
    if [ "$chain" -eq 1 ]; then
        command -v "$(gnu "$t")-g++" >/dev/null 2>&1 || need_apt+=("g++-$(gnu "$t")")
    fi
done
if [ "$chain" -eq 1 ]; then
    dpkg -s libclang-dev >/dev/null 2>&1 || need_apt+=(libclang-dev)
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
    [ "$install" -eq 1 ] || { echo "missing: ${need_apt[*]}" >&2; exit 1; }
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2046 # unique package names, one word each
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $(printf '%s\n' "${need_apt[@]}" | sort -u)
fi
for t in $targets; do
    tr_="$(triple "$t")"
    if ! rustup target list --installed | grep -qx "$tr_"; then
        [ "$install" -eq 1 ] || { echo "missing rustup target $tr_" >&2; exit 1; }
        rustup target add "$tr_"
    fi
done

out=target/cross
mkdir -p "$out"
args=(--modules "$modules")
# The chain part needs RocksDB (feature `chain` of metron-determinism).
features_chain=()
if [ "$chain" -eq 1 ]; then
    args+=(--part spec --part generated --part workloads --part chain)
    features_chain=(--features metron-determinism/chain)
fi

# ---- native reference ----
echo "== native x86-64: metron-determinism (threaded, then portable-dispatch)"
cargo build --release --locked -p metron-determinism "${features_chain[@]}"
cp target/release/metron-determinism "$out/native-threaded"
cargo build --release --locked -p metron-determinism "${features_chain[@]}" \
    --features metron-vm/portable-dispatch
cp target/release/metron-determinism "$out/native-portable"
start=$(date +%s)
"$out/native-threaded" "${args[@]}" --json --trace "$out/native.trace" >"$out/native.json"
echo "   native digests ($(($(date +%s) - start)) s):"
sed 's/^/   /' "$out/native.json"
"$out/native-portable" "${args[@]}" --expect "$out/native.json" --trace "$out/native-portable.trace"

# ---- each target, both backends, under qemu ----
for t in $targets; do
    tr_="$(triple "$t")"
    upper="$(echo "$tr_" | tr 'a-z-' 'A-Z_')"
    export "CARGO_TARGET_${upper}_LINKER=$(gnu "$t")-gcc"
    export "CARGO_TARGET_${upper}_RUNNER=qemu-$t -L /usr/$(gnu "$t")"
    # RocksDB's C++ (the chain part): the cc crate reads CC_<triple> and CXX_<triple>.
    lower="$(echo "$tr_" | tr '-' '_')"
    export "CC_${lower}=$(gnu "$t")-gcc" "CXX_${lower}=$(gnu "$t")-g++"
    run=(qemu-"$t" -L "/usr/$(gnu "$t")")
    for backend in threaded portable; do
        features=()
        [ "$backend" = portable ] && features=(--features metron-vm/portable-dispatch)
        echo "== $t ($tr_), $backend backend"
        cargo build --release --locked --target "$tr_" --target-dir "$out/build" \
            -p metron-determinism -p metron-conformance "${features[@]}" "${features_chain[@]}"
        bin="$out/build/$tr_/release"
        start=$(date +%s)
        "${run[@]}" "$bin/metron-conformance" >"$out/$t-$backend-conformance.txt" ||
            { tail -20 "$out/$t-$backend-conformance.txt"; echo "spec suite failed on $t ($backend)" >&2; exit 1; }
        grep 'TOTAL non-SIMD' "$out/$t-$backend-conformance.txt" | sed 's/^/   /'
        "${run[@]}" "$bin/metron-determinism" "${args[@]}" --expect "$out/native.json" \
            --trace "$out/$t-$backend.trace" ||
            { echo "digest differs on $t ($backend): diff $out/native.trace $out/$t-$backend.trace" >&2; exit 1; }
        echo "   digests equal to x86-64 ($(($(date +%s) - start)) s under qemu)"
        # The NaN regression test, optimized: the unit-test build of the VM folds float
        # code differently and did not show the aarch64 bug (vm/tests/nan.rs).
        cargo test --release --locked --target "$tr_" --target-dir "$out/build" \
            -p metron-vm --test nan "${features[@]}" -q
    done
done
echo "== all digests equal on x86-64 and $targets, both backends"
