#!/usr/bin/env bash
# Parameter recovery for the shipped calibration: for each seed offset, the targets are replaced
# by what the evidence experiments give with the shipped defaults (the truth) under other random
# numbers, the fit starts a third of the way from the truth to the middle of each parameter's
# bounds (calibrate --synthetic), and every parameter is marked recovered
# (the truth within 1.96 approximate standard errors of the fit), not recovered, or not informed
# by the evidence. Prints one line per parameter and offset, then the totals.
#   scripts/recovery.sh [runs (default 3)] [path/to/blendsim]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
blendsim=${2:-.build/release/blendsim}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((k = 1; k <= runs; k++)); do
    offset=$((1000 * k))
    "$blendsim" calibrate scenarios/evidence-calibration.yaml --synthetic "$offset" 2>/dev/null \
        | grep -E ': (recovered|NOT RECOVERED|not informed)$' | sed "s/^/offset $offset:/" | tee -a "$out"
done
echo
echo "recovered:     $(grep -c ': recovered$' "$out" || true)"
echo "not recovered: $(grep -c 'NOT RECOVERED$' "$out" || true)"
echo "not informed:  $(grep -c 'not informed$' "$out" || true)"
