#!/usr/bin/env bash
# The cost of a sweep's summary and page per point (docs/PERFORMANCE.md): Latin-hypercube sweeps
# of 10³, 10⁴ and 10⁵ points (one replication of one group of 5 students over 4 weeks, so the
# points, not the simulation, dominate), then `blendsim report` on each results directory. Prints
# summary.json's size per point and the report's seconds and peak memory: flat columns per point
# mean the page is built in time and memory linear in the points.
# Build first: swift build -c release
set -euo pipefail
cd "$(dirname "$0")/.."
blendsim=$(pwd)/${BLENDSIM:-.build/release/blendsim}
work=$(mktemp -d /tmp/blendsim-bench-report-XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/tiny.yaml" <<'YAML'
name: tiny
seed: 1
replications: 1
semester: {weeks: 4}
groups:
  - name: a
    students: 5
    levels: {intermediate: 1}
    model: flipped-classroom
    online_share: 0.4
YAML
printf '%8s  %16s  %12s  %14s  %12s\n' points "summary.json" "per point" "report" "peak memory"
for points in 1000 10000 100000; do
    cat > "$work/plan.yaml" <<YAML
scenario: tiny.yaml
design: latin_hypercube
points: $points
parameters:
  - name: groups.a.online_share
    min: 0.1
    max: 0.9
YAML
    "$blendsim" sweep "$work/plan.yaml" --out "$work/out" --quiet > /dev/null
    bytes=$(stat -c %s "$work/out/summary.json")
    /usr/bin/time -f "%e %M" -o "$work/time" "$blendsim" report "$work/out" > /dev/null
    read -r seconds kilobytes < "$work/time"
    awk -v n="$points" -v b="$bytes" -v s="$seconds" -v k="$kilobytes" \
        'BEGIN { printf "%8d  %13.1f MB  %9.0f B  %8.2f s  %9.0f MB\n", n, b / 1e6, b / n, s, k / 1024 }'
    rm -rf "$work/out"
done
