#!/usr/bin/env bash
# The coverage study of the posterior (docs/CALIBRATION.md): N recoveries (default 20) of
# scenarios/posterior-recovery.yaml from synthetic observations (--synthetic 1…N), each reporting
# per parameter whether the true value lies inside the 90% credible interval. Prints the coverage
# over the parameters the evidence informs (the target is 80–98%) and the simulations used.
# METHOD=smc (default) or METHOD=abc-smc chooses the sampler. Build first: swift build -c release
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
out=${OUT:-.build-recovery}
blendsim=${BLENDSIM:-.build/release/blendsim}
method=${METHOD:-smc}
mkdir -p "$out"
start=$(date +%s)
for k in $(seq 1 "$runs"); do
    "$blendsim" calibrate recover scenarios/posterior-recovery.yaml --sampler "$method" --offset "$k" --out "$out/$k" --force --quiet > "$out/$k.txt"
done
python3 - "$out" "$runs" "$(( $(date +%s) - start ))" <<'PY'
import json, sys
out, runs, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
covered = informed = simulations = 0
per = {}
for k in range(1, runs + 1):
    report = json.load(open(f"{out}/{k}/calibration.json"))
    simulations += report["simulations"]
    for p in report["parameters"]:
        row = per.setdefault(p["name"], [0, 0, 0])
        row[2] += 1
        if p["informed"]:
            informed += 1
            row[1] += 1
            if p["covered"]:
                covered += 1
                row[0] += 1
for name, (c, i, n) in per.items():
    print(f"{name:32s} informed in {i:2d} of {n} recoveries, true value inside the 90% interval in {c} of them")
print(f"coverage: {covered} of {informed} informed parameter recoveries ({100 * covered / max(informed, 1):.0f}%); "
      f"{simulations} simulations in {seconds} s over {runs} recoveries")
PY
