#!/bin/sh
# The worked example of docs/COSTS.md, every step: the seed study's university priced, the
# traditional course against the flipped classroom at 40/60 and 20/80 with their costs, then the
# designs that move the most students up a level for 4 million tenge.
#   sh examples/costs/run.sh [path/to/blendsim]
set -eu
BLENDSIM=${1:-blendsim}
here=$(dirname "$0")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$BLENDSIM" compare "$here/university.yaml" --out "$out/compare" --quiet
grep -q '"costs"' "$out/compare/summary.json"
"$BLENDSIM" optimise "$here/optimise.yaml" --out "$out/optimise" --quiet
grep -q '"frontier"' "$out/optimise/summary.json"
grep -q '<svg' "$out/optimise/report.html"
# The verdict, as a planner reads it.
sed -n 's/^    "\(With .*\)",\{0,1\}$/\1/p' "$out/optimise/summary.json"
echo "costs example: compare and optimise ran; results in a temporary directory, removed on exit"
