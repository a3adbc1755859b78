#!/usr/bin/env bash
# The Slurm test: starts a single-node Slurm (scripts/slurm-local.sh), submits a sweep as a job
# array with a dependent merge job with the command `blendsim sweep --emit-slurm` prints (with job
# options), kills one array task, recovers with the printed resubmit command, and checks that the
# merged result is byte-identical to the same sweep run unsharded; then the same for calibrations
# and an optimise search. Needs root and a built
# blendsim (swift build). Prints "slurm: 1 passed, 0 failed" or fails.
set -euo pipefail
cd "$(dirname "$0")/.."
blendsim="$(pwd)/.build/debug/blendsim"
plan="$(pwd)/scenarios/sweep-online-share.yaml"
work=$(mktemp -d /tmp/blendsim-slurm-XXXXXX)
trap 'rm -rf "$work"' EXIT

bash scripts/slurm-local.sh

"$blendsim" sweep "$plan" --replications 2 --quiet --out "$work/whole"

fail() {
    echo "$1" >&2
    cat "$work"/results/shards/slurm-*.out "$work"/results/merge-*.out >&2 2>/dev/null || true
    echo "slurm: 0 passed, 1 failed"
    exit 1
}

# Waits until none of the given jobs is pending or running.
wait_for() {
    for _ in $(seq 1 300); do
        if [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; then return 0; fi
        sleep 1
    done
    squeue >&2
    fail "slurm jobs $1 did not finish in 300 s"
}

# The printed command, with job options; --hold (passed through) keeps the tasks from starting
# until one of them has been killed.
printed=$("$blendsim" sweep "$plan" --replications 2 --shards 3 --emit-slurm "$work/slurm" --out "$work/results" \
    --partition debug --time 00:10:00 --mem 200M --sbatch-option=--hold)
submit=$(echo "$printed" | sed -n 's/.*submit with: //p')
resubmit=$(echo "$printed" | sed -n 's/.*once the jobs have ended: //p')
[ -n "$submit" ] && [ -n "$resubmit" ] || fail "emit-slurm printed no commands: $printed"
read -r array merge < <($submit)
echo "submitted array job $array and merge job $merge with: $submit"
scancel "${array}_2"
scontrol release "$array"
wait_for "$array,$merge"
[ ! -f "$work/results/summary.json" ] || fail "the merge ran although task 2 was killed"
[ "$(cat "$work/results/shards/2.state" 2>/dev/null)" != done ] || fail "task 2 is recorded as done"
[ "$(cat "$work/results/shards/1.state")" = done ] || fail "task 1 is not recorded as done"

# The documented recovery: resubmit only what is missing, then the merge.
said=$($resubmit)
echo "$said"
echo "$said" | grep -q "resubmitted shards 2 as array job" || fail "resubmit.sh did not resubmit exactly shard 2: $said"
again=$(echo "$said" | sed -n 's/.*array job \([0-9]*\);.*/\1/p')
merge=$(echo "$said" | sed -n 's/.*merge job \([0-9]*\).*/\1/p')
scontrol release "$again,$merge"
wait_for "$again,$merge"
[ -f "$work/results/summary.json" ] || fail "the merge after resubmitting wrote no summary"
for file in summary.json runs.csv; do
    cmp -s "$work/whole/$file" "$work/results/$file" || fail "merged $file differs from the unsharded run"
done
echo "a sweep of 3 Slurm array tasks, one killed and resubmitted, merges to the unsharded result byte for byte"

# A calibration (tempered SMC, then ABC-SMC) in rounds of 3 array tasks, against the same
# calibration unsharded.
calibration="$(pwd)/Tests/Fixtures/scenarios/posterior-small.yaml"
for method in smc abc-smc; do
    "$blendsim" calibrate posterior "$calibration" --sampler "$method" --out "$work/$method-whole" --quiet >/dev/null
    "$blendsim" calibrate posterior "$calibration" --sampler "$method" --shards 3 --emit-slurm "$work/$method-slurm" --out "$work/$method" >/dev/null
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

# An exhaustive optimise search of 4 Slurm array tasks, against the same search unsharded.
optimise="$(pwd)/examples/costs/optimise.yaml"
"$blendsim" optimise "$optimise" --replications 4 --quiet --out "$work/optimise-whole"
"$blendsim" optimise "$optimise" --replications 4 --shards 4 --emit-slurm "$work/optimise-slurm" --out "$work/optimise" >/dev/null
read -r array merge < <(bash "$work/optimise-slurm/submit.sh")
wait_for "$array,$merge"
for file in summary.json designs.csv report.html; do
    cmp -s "$work/optimise-whole/$file" "$work/optimise/$file" || fail "the sharded optimise search's $file differs from the unsharded one"
done
echo "an optimise search of 4 Slurm array tasks merges to the unsharded result byte for byte"
echo "slurm: 1 passed, 0 failed"
