#!/usr/bin/env bash
# Fuzzes the YAML reader, the scenario loader, the evidence-file decoder, posterior samples and
# calibration checkpoints (seeded from Tests/Fixtures/checkpoints/) with libFuzzer for a
# bounded time (default 60 s), seeded from scenarios/, evidence/ and the bad-input corpus. Fails
# on any crash, leak or timeout; the input that caused it is left in .build-fuzz/crashes/ (make
# it a corpus entry).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
swift build --package-path Fuzz --scratch-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address \
    --product FuzzScenario 2>&1 | tail -1
corpus=.build-fuzz/corpus
mkdir -p "$corpus" .build-fuzz/crashes
cp scenarios/*.yaml scenarios/*.csv evidence/*.yaml Tests/Fixtures/results/* Tests/Fixtures/bad-scenarios/*.yaml Tests/Fixtures/scenarios/*.yaml Tests/Fixtures/checkpoints/*.json "$corpus"/ 2>/dev/null || true
.build-fuzz/debug/FuzzScenario "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=.build-fuzz/crashes/ -print_final_stats=1 2>&1 | tail -15
echo "fuzz: 1 passed, 0 failed"
