#!/usr/bin/env bash
# Installs blendsim under a prefix (default ~/.local):
#   PREFIX/bin/blendsim                          the command
#   PREFIX/lib/blendsim/libblendsim-*.so         its model and policy plugins (found there by the
#                                                installed command: ../lib/blendsim beside it)
#   PREFIX/share/blendsim/evidence-posterior.csv the posterior --uncertainty model uses by default
#   PREFIX/share/blendsim/BlendSimSDK/          the plugin SDK `blendsim plugin new` packages use
#   PREFIX/share/blendsim/installed-files        what was installed, for --uninstall
# The command is linked against the Swift runtime of the toolchain that built it, which must stay
# installed. Usage:
#   scripts/install.sh [--prefix DIR]            build (release) and install
#   scripts/install.sh [--prefix DIR] --uninstall
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$HOME/.local"
uninstall=false
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --uninstall) uninstall=true; shift ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
record="$prefix/share/blendsim/installed-files"

if $uninstall; then
    if [ ! -f "$record" ]; then echo "install.sh: no blendsim installed under $prefix ($record is missing)" >&2; exit 1; fi
    while IFS= read -r file; do rm -f -- "$file"; done < "$record"
    rm -f -- "$record"
    # Directories the SDK's files were in, deepest first, then blendsim's own.
    find "$prefix/share/blendsim/BlendSimSDK" -depth -type d -empty -delete 2>/dev/null || true
    rmdir -- "$prefix/lib/blendsim" "$prefix/share/blendsim" 2>/dev/null || true
    echo "blendsim removed from $prefix"
    exit 0
fi

swift build -c release
bin=$(swift build -c release --show-bin-path)
install -d -m 0755 "$prefix/bin" "$prefix/lib/blendsim" "$prefix/share/blendsim"
files=()
install -m 0755 "$bin/blendsim" "$prefix/bin/blendsim"
files+=("$prefix/bin/blendsim")
for library in "$bin"/libblendsim-*.so; do
    install -m 0644 "$library" "$prefix/lib/blendsim/"
    files+=("$prefix/lib/blendsim/$(basename "$library")")
done
install -m 0644 scenarios/evidence-posterior.csv "$prefix/share/blendsim/evidence-posterior.csv"
files+=("$prefix/share/blendsim/evidence-posterior.csv")
# The plugin SDK, for `blendsim plugin new` (it finds ../share/blendsim/BlendSimSDK beside itself).
while IFS= read -r file; do
    install -D -m 0644 "BlendSimSDK/$file" "$prefix/share/blendsim/BlendSimSDK/$file"
    files+=("$prefix/share/blendsim/BlendSimSDK/$file")
done < <(cd BlendSimSDK && find . -type f \( -name '*.swift' -o -name '*.h' -o -name '*.c' \) | sed 's|^\./||' | sort)
printf '%s\n' "${files[@]}" > "$record"
echo "blendsim installed: $prefix/bin/blendsim with ${#files[@]} files (plugins in $prefix/lib/blendsim)"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "add $prefix/bin to your PATH, e.g.: export PATH=\"$prefix/bin:\$PATH\"" ;; esac
