#!/bin/sh
# The worked example of docs/COHORTS.md, every step, from a clean clone:
#   swift build && BLENDSIM=.build/debug/blendsim sh examples/university-pilot/run.sh
# Results go to examples/university-pilot/results/ (not kept in git). The data are made up.
set -eu
cd "$(dirname "$0")"
case "${BLENDSIM:-blendsim}" in /*) B=${BLENDSIM:-blendsim} ;; */*) B="$OLDPWD/$BLENDSIM" ;; *) B=${BLENDSIM:-blendsim} ;; esac
OUT=results
mkdir -p "$OUT"

echo "1. A starting scenario from the placement export"
"$B" init --cohort students.csv > start.yaml
"$B" run start.yaml --quiet --replications 5 > /dev/null
rm start.yaml

echo "2. The pilot as it was taught: the two streams, their own students"
"$B" validate pilot.yaml
"$B" run pilot.yaml --out "$OUT/pilot" --force --quiet

echo "3. The pilot's results as findings"
"$B" evidence from-results pilot.yaml --results pilot-results.csv \
  --university "Example University (made up)" --year 2026 --out evidence --force
"$B" evidence check evidence

echo "4. This university's flipped classroom, fitted to its pilot"
"$B" calibrate fit calibration.yaml --force --quiet
grep '^# study:' fitted.yaml
"$B" calibrate posterior calibration.yaml --sampler laplace --out "$OUT/posterior" --force --quiet

echo "5. What would 20/80 have done for our students?"
"$B" compare what-if.yaml --uncertainty model --posterior "$OUT/posterior/posterior.csv" \
  --out "$OUT/what-if" --force --report 2>/dev/null | sed -n '/^Verdict/,/^$/p'
echo "Report: examples/university-pilot/$OUT/what-if/report.html"
