#!/usr/bin/env bash
# The execution benchmark over random code layouts.
#
# Usage: bench/layouts.sh [SEEDS [ROUNDS [exec options...]]]   (default: 4 seeds, 2 rounds)
#
# Metron and wasmi are linked into one binary, so a change to either moves the other's
# code too, and on a Zen 4 guest that alone has moved one engine by up to 40% on a
# workload. This script links `metron-bench` SEEDS times with the functions in a random
# order (lld's `--shuffle-sections`, seeds 1..SEEDS: the same layouts for every checkout
# of the same code), then runs `metron-bench exec --samples 5` on each binary ROUNDS
# times, interleaved, and prints each layout's geomean ratios (metering on and off) and
# their mean, min and max. Compare two checkouts by running it in each with the same
# SEEDS: the layouts differ between them but are drawn the same way.
#
# Needs the Rust toolchain's default linker on x86_64 Linux, rust-lld (rustc >= 1.90);
# the shuffled binaries and the tables go to target/layouts/.
set -euo pipefail
SEEDS=${1:-4}
ROUNDS=${2:-2}
shift $(( $# > 2 ? 2 : $# ))
EXTRA=("$@")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${CARGO_TARGET_DIR:-$ROOT/target}/layouts
mkdir -p "$OUT"
cd "$ROOT"
for seed in $(seq 1 "$SEEDS"); do
  cargo rustc --quiet --release -p metron-bench --bin metron-bench -- \
    -C "link-arg=-Wl,--shuffle-sections=.text.*=$seed"
  cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/metron-bench" "$OUT/metron-bench-$seed"
done
# Leave the ordinary binary behind, not the last shuffled one.
cargo build --quiet --release -p metron-bench
for round in $(seq 1 "$ROUNDS"); do
  for seed in $(seq 1 "$SEEDS"); do
    echo "round $round, layout $seed" >&2
    "$OUT/metron-bench-$seed" exec --samples 5 "${EXTRA[@]}" > "$OUT/exec-$seed-$round.md" 2>/dev/null
  done
done
# Per layout: the geomean ratios of each round (the table's `**geomean**` line: on, off).
for seed in $(seq 1 "$SEEDS"); do
  for round in $(seq 1 "$ROUNDS"); do
    grep '^| \*\*geomean\*\*' "$OUT/exec-$seed-$round.md" |
      awk -F'|' -v s="$seed" '{gsub(/[* ]/, "", $6); gsub(/[* ]/, "", $9); print s, $6, $9}'
  done
done | awk -v seeds="$SEEDS" '
  { on[$1] += $2; off[$1] += $3; n[$1]++ }
  END {
    printf "| layout | geomean ratio on | geomean ratio off |\n|---:|---:|---:|\n"
    min = 1e9; max = 0
    for (s = 1; s <= seeds; s++) {
      a = on[s] / n[s]; b = off[s] / n[s]
      printf "| %s | %.3f | %.3f |\n", s, a, b
      total += a; totaloff += b; k++
      if (a < min) min = a; if (a > max) max = a
    }
    printf "\nmetering on: mean %.3f over %d layouts (min %.3f, max %.3f); metering off: mean %.3f\n", total / k, k, min, max, totaloff / k
  }'
