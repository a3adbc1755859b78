#!/usr/bin/env bash
# The install check (.ci/run): scripts/install.sh into a fresh prefix, then the installed
# blendsim, on PATH, runs the paper's experiment from another directory (plugins and posterior
# found beside it), then --uninstall leaves nothing behind. Then the hostile cases: an empty
# prefix is refused, a relative one is taken from the caller's directory, and --uninstall removes
# neither a file the record names outside the prefix nor one changed since it was installed.
# Prints "install: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repository=$(pwd)
prefix=$(mktemp -d /tmp/blendsim-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
passed=0
fail() { echo "$1" >&2; echo "install: $passed passed, 1 failed"; exit 1; }
bash scripts/install.sh --prefix "$prefix" > /dev/null
export PATH="$prefix/bin:$PATH"
[ "$(command -v blendsim)" = "$prefix/bin/blendsim" ] || fail "blendsim is not on PATH after installing"
(cd / && blendsim run "$repository/scenarios/paper-experiment.yaml" --replications 3 --quiet) || fail "the installed blendsim cannot run the paper's experiment from /"
(cd / && blendsim run "$repository/scenarios/paper-experiment.yaml" --replications 3 --quiet --uncertainty model) || fail "the installed blendsim finds no posterior"
# The installed command finds its plugin SDK: the tutorial's first step works from anywhere.
(cd "$prefix" && blendsim plugin new spaced-practice --kind model --dir "$prefix/work/spaced-practice" > /dev/null) || fail "the installed blendsim cannot scaffold a plugin"
grep -q "$prefix/share/blendsim/BlendSimSDK" "$prefix/work/spaced-practice/Package.swift" || fail "the scaffold does not depend on the installed SDK"
# The installed evidence base is what `evidence check` reads from anywhere.
(cd / && blendsim evidence check --replications 2 | grep -q "findings reproduced") || fail "the installed blendsim cannot check its evidence from /"
# The installed what-if server starts from the installed scenarios (and stops on SIGTERM).
# `exec`: the recorded pid is the server's own (blendsim serve replaces itself with blendsim-serve),
# so the kill below stops it rather than the subshell around it.
(cd / && exec blendsim serve --port 0 > "$prefix/serve.out" 2>&1) & echo $! > "$prefix/serve.pid"
for _ in $(seq 1 100); do grep -q "open http" "$prefix/serve.out" 2>/dev/null && break; sleep 0.1; done
address=$(grep -o 'http://[^ ]*' "$prefix/serve.out" | head -1)
[ -n "$address" ] || fail "the installed blendsim serve did not start: $(cat "$prefix/serve.out")"
python3 -c "import json, sys, urllib.request; sys.exit(0 if 'ratio-40-60.yaml' in json.load(urllib.request.urlopen(sys.argv[1] + 'api/v1/scenarios'))['scenarios'] else 1)" "$address" \
    || fail "the installed server does not list the shipped scenarios"
pid=$(cat "$prefix/serve.pid")
kill "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$pid" 2>/dev/null || fail "the installed server is still running 5 s after SIGTERM"
rm -f "$prefix/serve.out" "$prefix/serve.pid"
rm -rf "$prefix/work"
bash scripts/install.sh --prefix "$prefix" --uninstall > /dev/null
left=$(find "$prefix" -type f | head -5)
[ -z "$left" ] || fail "--uninstall left: $left"
passed=$((passed + 1))

# An empty prefix is refused (it used to install into the checkout).
if bash scripts/install.sh --prefix= > /dev/null 2>&1; then fail "an empty --prefix was accepted"; fi
if bash scripts/install.sh --prefix "" > /dev/null 2>&1; then fail "an empty --prefix was accepted"; fi
passed=$((passed + 1))

# A relative prefix is taken from the caller's directory, not the checkout's.
mkdir -p "$prefix/caller"
(cd "$prefix/caller" && bash "$repository/scripts/install.sh" --prefix relative > /dev/null)
[ -x "$prefix/caller/relative/bin/blendsim" ] || fail "a relative --prefix did not install under the caller's directory"
[ ! -e "$repository/relative" ] || fail "a relative --prefix installed into the checkout"
passed=$((passed + 1))

# --uninstall removes only the files it installed, unchanged, under the prefix.
installed="$prefix/caller/relative"
echo "keep me" > "$prefix/victim"
printf '%s  %s\n' "$(sha256sum "$prefix/victim" | cut -d' ' -f1)" "../../victim" >> "$installed/share/blendsim/installed-files"
printf '%s  %s\n' "$(sha256sum "$prefix/victim" | cut -d' ' -f1)" "$prefix/victim" >> "$installed/share/blendsim/installed-files"
echo "a user's change" >> "$installed/share/blendsim/evidence-posterior.csv"
(cd / && bash "$repository/scripts/install.sh" --prefix "$installed" --uninstall > /dev/null 2>&1)
[ -f "$prefix/victim" ] || fail "--uninstall removed a file outside the prefix"
[ -f "$installed/share/blendsim/evidence-posterior.csv" ] || fail "--uninstall removed a file changed since it was installed"
[ ! -e "$installed/bin/blendsim" ] || fail "--uninstall left the command"
grep -q "share/blendsim/evidence-posterior.csv" "$installed/share/blendsim/installed-files" || fail "--uninstall forgot the file it left alone"
passed=$((passed + 1))

# A record written by an earlier install.sh (absolute paths, no checksums) still uninstalls what
# lies under the prefix.
legacy="$prefix/legacy"
bash scripts/install.sh --prefix "$legacy" > /dev/null
cut -d' ' -f3- "$legacy/share/blendsim/installed-files" | sed "s|^|$legacy/|" > "$legacy/record" && mv "$legacy/record" "$legacy/share/blendsim/installed-files"
bash scripts/install.sh --prefix "$legacy" --uninstall > /dev/null
[ -z "$(find "$legacy" -type f | head -1)" ] || fail "--uninstall of an earlier record left files"
passed=$((passed + 1))
echo "install: $passed passed, 0 failed"
