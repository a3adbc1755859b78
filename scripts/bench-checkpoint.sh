#!/usr/bin/env bash
# The cost of a sweep's checkpoint per run (docs/PERFORMANCE.md): sweeps of about 10², 10³, 10⁴
# and 10⁵ runs of scenarios/sweep-online-share.yaml (18 points), each timed with --out (every run
# appended to the checkpoint journal as it finishes) and without (no checkpoint), printing the
# seconds per run of both. Flat columns mean the checkpoint costs the same per run at any size.
# Build first: swift build -c release
set -euo pipefail
cd "$(dirname "$0")/.."
blendsim=${BLENDSIM:-.build/release/blendsim}
plan=scenarios/sweep-online-share.yaml
work=$(mktemp -d /tmp/blendsim-bench-checkpoint-XXXXXX)
trap 'rm -rf "$work"' EXIT
seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }
printf '%8s  %14s  %14s\n' runs "with --out" "without"
for target in 100 1000 10000 100000; do
    replications=$(( (target + 17) / 18 ))
    runs=$(( replications * 18 ))
    with=$(seconds "$blendsim" sweep "$plan" --replications "$replications" --out "$work/out-$runs" --quiet)
    without=$(seconds "$blendsim" sweep "$plan" --replications "$replications" --quiet)
    awk -v n="$runs" -v a="$with" -v b="$without" 'BEGIN { printf "%8d  %11.1f µs  %11.1f µs   per run\n", n, a / n * 1e6, b / n * 1e6 }'
    rm -rf "$work/out-$runs"
done
