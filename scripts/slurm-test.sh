#!/usr/bin/env bash
# The Slurm test: starts a single-node Slurm (scripts/slurm-local.sh), submits a sweep as a job
# array with a dependent merge job (`blendsim sweep --emit-slurm`), waits, and checks that the
# merged result is byte-identical to the same sweep run unsharded. Needs root and a built
# blendsim (swift build). Prints "slurm: 1 passed, 0 failed" or fails.
set -euo pipefail
cd "$(dirname "$0")/.."
blendsim="$(pwd)/.build/debug/blendsim"
plan="$(pwd)/scenarios/sweep-online-share.yaml"
work=$(mktemp -d /tmp/blendsim-slurm-XXXXXX)
trap 'rm -rf "$work"' EXIT

bash scripts/slurm-local.sh

"$blendsim" sweep "$plan" --replications 2 --quiet --out "$work/whole"
"$blendsim" sweep "$plan" --replications 2 --shards 3 --emit-slurm "$work/slurm" --out "$work/results" >/dev/null
read -r array merge < <(bash "$work/slurm/submit.sh")
echo "submitted array job $array and merge job $merge"

for _ in $(seq 1 300); do
    if [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then break; fi
    sleep 1
done
if [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then
    echo "slurm jobs did not finish in 300 s" >&2
    squeue >&2
    exit 1
fi

state=$(sacct -n -X -j "$merge" -o State 2>/dev/null | tr -d ' ' | head -1 || true)
if [ ! -f "$work/results/summary.json" ]; then
    echo "the merge job wrote no summary (state: ${state:-unknown})" >&2
    cat "$work"/results/shards/slurm-*.out "$work"/results/merge-*.out >&2 2>/dev/null || true
    echo "slurm: 0 passed, 1 failed"
    exit 1
fi
for file in summary.json runs.csv; do
    if ! cmp -s "$work/whole/$file" "$work/results/$file"; then
        echo "merged $file differs from the unsharded run" >&2
        echo "slurm: 0 passed, 1 failed"
        exit 1
    fi
done
echo "merged result of 3 Slurm array tasks is byte-identical to the unsharded sweep"

# A calibration (tempered SMC, then ABC-SMC) in rounds of 3 array tasks, against the same
# calibration unsharded.
calibration="$(pwd)/Tests/Fixtures/scenarios/posterior-small.yaml"
for method in smc abc-smc; do
    "$blendsim" calibrate "$calibration" --method "$method" --out "$work/$method-whole" --quiet >/dev/null
    "$blendsim" calibrate "$calibration" --method "$method" --shards 3 --emit-slurm "$work/$method-slurm" --out "$work/$method" >/dev/null
    if ! timeout 600 bash "$work/$method-slurm/run.sh"; then
        echo "the sharded $method calibration did not finish" >&2
        cat "$work/$method"/.checkpoint/slurm-*.out >&2 2>/dev/null || true
        echo "slurm: 0 passed, 1 failed"
        exit 1
    fi
    for file in posterior.csv calibration.json; do
        if ! cmp -s "$work/$method-whole/$file" "$work/$method/$file"; then
            echo "the sharded $method calibration's $file differs from the unsharded one" >&2
            echo "slurm: 0 passed, 1 failed"
            exit 1
        fi
    done
    echo "$method posterior from rounds of 3 Slurm array tasks is byte-identical to the unsharded calibration"
done
echo "slurm: 1 passed, 0 failed"
