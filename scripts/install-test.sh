#!/usr/bin/env bash
# The install check (.ci/run): scripts/install.sh into a fresh prefix, then the installed
# blendsim, on PATH, runs the paper's experiment from another directory (plugins and posterior
# found beside it), then --uninstall leaves nothing behind. Prints "install: 1 passed, 0 failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repository=$(pwd)
prefix=$(mktemp -d /tmp/blendsim-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "$1" >&2; echo "install: 0 passed, 1 failed"; exit 1; }
bash scripts/install.sh --prefix "$prefix" > /dev/null
export PATH="$prefix/bin:$PATH"
[ "$(command -v blendsim)" = "$prefix/bin/blendsim" ] || fail "blendsim is not on PATH after installing"
(cd / && blendsim run "$repository/scenarios/paper-experiment.yaml" --replications 3 --quiet) || fail "the installed blendsim cannot run the paper's experiment from /"
(cd / && blendsim run "$repository/scenarios/paper-experiment.yaml" --replications 3 --quiet --uncertainty model) || fail "the installed blendsim finds no posterior"
# The installed command finds its plugin SDK: the tutorial's first step works from anywhere.
(cd "$prefix" && blendsim plugin new spaced-practice --kind model --dir "$prefix/work/spaced-practice" > /dev/null) || fail "the installed blendsim cannot scaffold a plugin"
grep -q "$prefix/share/blendsim/BlendSimSDK" "$prefix/work/spaced-practice/Package.swift" || fail "the scaffold does not depend on the installed SDK"
rm -rf "$prefix/work"
bash scripts/install.sh --prefix "$prefix" --uninstall > /dev/null
left=$(find "$prefix" -type f | head -5)
[ -z "$left" ] || fail "--uninstall left: $left"
echo "install: 1 passed, 0 failed"
