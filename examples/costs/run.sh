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
"$BLENDSIM" optimise "$here/optimise.yaml" --out "$out/optimise" > "$out/optimise.txt" 2> /dev/null
grep -q '"frontier"' "$out/optimise/summary.json"
grep -q '<svg' "$out/optimise/report.html"
# The verdict, as a planner reads it (the first lines of what optimise prints).
sed -n '3,4p' "$out/optimise.txt"
echo "costs example: compare and optimise ran; results in a temporary directory, removed on exit"
