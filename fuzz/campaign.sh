#!/usr/bin/env bash
# A fuzzing campaign in one command, and its report.
#
#   fuzz/campaign.sh run SECONDS TARGET...     run the targets side by side (nice 19),
#                                              each for SECONDS; logs in fuzz/logs/<target>.log
#                                              ($CAMPAIGN_LOGS overrides the folder)
#   fuzz/campaign.sh summary [TARGET...]       executions, exec/s, edge coverage, peak RSS
#                                              and crash artifacts per target, as a
#                                              Markdown table (from fuzz/logs)
#   fuzz/campaign.sh coverage TARGET...        source coverage of the corpus over vm/src
#                                              (cargo fuzz coverage + llvm-cov report)
#
# CAMPAIGN_PRODUCTION=1 builds the targets as Metron ships: no sanitizer, the threaded
# interpreter backend (the default build uses ASan and forces the loop backend); give it
# its own CAMPAIGN_LOGS folder.
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`); coverage also needs
# `rustup component add llvm-tools-preview --toolchain nightly`. Targets: see
# fuzz/README.md (gas_cost is built with this package's `cost` feature, added here). A crash is a divergence or a panic: libFuzzer stops that target and
# writes the input to fuzz/artifacts/<target>/. A reference engine's panic is not a
# crash: the module goes to target/fuzz-findings/ ($METRON_FUZZ_FINDINGS) and the run
# goes on; `summary` counts those files.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
logs="${CAMPAIGN_LOGS:-$here/logs}"

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

# The cargo features a target needs (gas_cost: the VM's work counters), and the build
# mode: by default ASan and the loop backend (feature `portable`); with
# CAMPAIGN_PRODUCTION=1, no sanitizer and the threaded backend that release builds run.
features() {
    case "$1" in
        gas_cost) echo "--features=cost" ;;
        *) ;;
    esac
    if [ "${CAMPAIGN_PRODUCTION:-0}" = 1 ]; then
        echo "--sanitizer=none --no-default-features"
    fi
}

run() {
    local seconds="$1"
    shift
    [ $# -gt 0 ] || usage
    mkdir -p "$logs"
    # shellcheck disable=SC2046 # `features` prints one word or none
    for t in "$@"; do cargo +nightly fuzz build -O $(features "$t") "$t" >/dev/null; done
    local pids=()
    for t in "$@"; do
        touch "$logs/$t.start"
        # shellcheck disable=SC2046
        nice -n 19 cargo +nightly fuzz run -O $(features "$t") "$t" -- \
            -max_total_time="$seconds" -rss_limit_mb=3072 -max_len=8192 \
            -print_final_stats=1 >"$logs/$t.log" 2>&1 &
        pids+=($!)
    done
    local status=0
    for p in "${pids[@]}"; do wait "$p" || status=1; done
    summary "$@"
    return $status
}

# The value of libFuzzer's final `stat::NAME:` line in a log.
stat() {
    sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

summary() {
    local targets=("$@")
    if [ ${#targets[@]} -eq 0 ]; then
        for f in "$logs"/*.log; do targets+=("$(basename "$f" .log)"); done
    fi
    echo "| target | executions | exec/s | cov (edges) | ft | corpus | peak RSS MB | artifacts |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    for t in "${targets[@]}"; do
        local log="$logs/$t.log"
        [ -f "$log" ] || { echo "| $t | no log | | | | | | |"; continue; }
        # The last status line carries the final coverage: "#N ... cov: C ft: F corp: K/...".
        local last
        last="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
        local cov ft corp
        cov="$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")"
        ft="$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")"
        corp="$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' <<<"$last")"
        # Crash inputs written since the run started (all, without a start marker).
        local newer=()
        [ -f "$logs/$t.start" ] && newer=(-newer "$logs/$t.start")
        local crashes
        crashes="$(find "artifacts/$t" -type f "${newer[@]}" 2>/dev/null | wc -l)"
        echo "| $t | $(stat number_of_executed_units "$log") | $(stat average_exec_per_sec "$log") | ${cov:-?} | ${ft:-?} | ${corp:-?} | $(stat peak_rss_mb "$log") | $crashes |"
    done
    # Modules on which a reference engine panicked (its bug, not a crash of the run).
    local findings="${METRON_FUZZ_FINDINGS:-$here/../target/fuzz-findings}"
    local n
    n="$(find "$findings" -name '*.wasm' ! -name 'metron-*' ! -name '*.instrumented.wasm' 2>/dev/null | wc -l)"
    echo
    echo "Reference-engine panics saved in $findings: $n module(s)"
}

coverage() {
    [ $# -gt 0 ] || usage
    local sysroot
    sysroot="$(rustc +nightly --print sysroot)"
    local llvm_cov
    llvm_cov="$(find "$sysroot" -name llvm-cov -type f | head -n 1)"
    [ -n "$llvm_cov" ] || { echo "llvm-cov not found: rustup component add llvm-tools-preview --toolchain nightly" >&2; exit 1; }
    local triple
    triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"
    for t in "$@"; do
        # A snapshot of the corpus: a running fuzzer deletes and rewrites corpus files,
        # which makes the replay fail on a file that vanished.
        local snap="$logs/$t.corpus-snapshot"
        rm -rf "$snap"
        mkdir -p "$snap"
        # (A file deleted by a running fuzzer mid-copy is simply not in the snapshot.)
        cp -r "corpus/$t/." "$snap/" 2>/dev/null || true
        # shellcheck disable=SC2046
        cargo +nightly fuzz coverage -O $(features "$t") "$t" "$snap" >"$logs/$t.coverage.log" 2>&1
        rm -rf "$snap"
        local bin="target/$triple/coverage/$triple/release/$t"
        echo "== $t: line coverage of vm/src by the corpus (file, lines, missed, covered)"
        "$llvm_cov" report "$bin" -instr-profile="coverage/$t/coverage.profdata" \
            --ignore-filename-regex='(\.cargo|rustc|/fuzz/|/bench/|chain-node|rpc)' \
            | awk '$1 ~ /\.rs$/ || $1 == "TOTAL" { printf "%-28s %6s %6s %8s\n", $1, $8, $9, $10 }'
    done
}

[ $# -gt 0 ] || usage
cmd="$1"
shift
case "$cmd" in
    run) [ $# -ge 2 ] || usage; run "$@" ;;
    summary) mkdir -p "$logs"; summary "$@" ;;
    coverage) mkdir -p "$logs"; coverage "$@" ;;
    *) usage ;;
esac
