#!/usr/bin/env bash
# Installs blendsim under a prefix (default ~/.local):
#   PREFIX/bin/blendsim                          the command
#   PREFIX/bin/blendsim-serve                    the what-if server `blendsim serve` runs
#   PREFIX/lib/blendsim/libblendsim-*.so         its model and policy plugins (found there by the
#                                                installed command: ../lib/blendsim beside it)
#   PREFIX/share/blendsim/evidence-posterior.csv the posterior --uncertainty model uses by default
#   PREFIX/share/blendsim/BlendSimSDK/          the plugin SDK `blendsim plugin new` packages use
#   PREFIX/share/blendsim/scenarios/             the shipped scenarios the what-if page starts from
#   PREFIX/share/blendsim/evidence/              the evidence base `blendsim evidence check` reads
#   PREFIX/share/blendsim/installed-files        what was installed (SHA-256 and path), for --uninstall
# The command is linked against the Swift runtime of the toolchain that built it, which must stay
# installed. A relative PREFIX is taken from the directory you run this in. Usage:
#   scripts/install.sh [--prefix DIR]            build (release) and install
#   scripts/install.sh [--prefix DIR] --uninstall
# --uninstall removes only regular files under PREFIX that this script installed and that still
# hold what it installed; a file changed since, or a record line naming anything else, is left
# alone and reported.
set -euo pipefail
caller=$(pwd)
prefix="$HOME/.local"
uninstall=false
fail() { echo "install.sh: $1" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || fail "--prefix needs a directory"; prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --uninstall) uninstall=true; shift ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) fail "unknown argument '$1' (try --help)" ;;
    esac
done
[ -n "$prefix" ] || fail "--prefix is empty; name the directory to install under"
case "$prefix" in *$'\n'*|*$'\r'*) fail "--prefix holds a line break" ;; esac
# Relative to where the script was run, then normalised (no '.', '..' or doubled slashes).
case "$prefix" in /*) ;; *) prefix="$caller/$prefix" ;; esac
prefix=$(realpath -m -- "$prefix")
[ "$prefix" != "/" ] || fail "refusing to install into /"
cd "$(dirname "$0")/.."
record="$prefix/share/blendsim/installed-files"

if $uninstall; then
    [ -f "$record" ] && [ ! -L "$record" ] || { echo "install.sh: no blendsim installed under $prefix ($record is missing)" >&2; exit 1; }
    kept=0
    left=()
    # Each line: the SHA-256 of what was installed, two spaces, its path relative to PREFIX. A
    # record written by an earlier install.sh holds absolute paths alone: those are removed only
    # when they lie under PREFIX and are regular files (their content was not recorded).
    while IFS= read -r line || [ -n "$line" ]; do
        sum=${line%%  *}
        path=${line#*  }
        if [[ "$line" == "$prefix"/* ]] && [[ "$line" != *"  "* ]]; then
            sum=""
            path=${line#"$prefix"/}
        elif ! [[ "$sum" =~ ^[0-9a-f]{64}$ ]] || [ "$path" = "$line" ] || [ -z "$path" ]; then
            echo "install.sh: not removed: unreadable record line '$line'" >&2; kept=$((kept + 1)); left+=("$line"); continue
        fi
        case "/$path/" in
            //*|*/../*|*/./*) echo "install.sh: not removed: '$path' is not a plain path under $prefix" >&2; kept=$((kept + 1)); left+=("$line"); continue ;;
        esac
        file="$prefix/$path"
        # Only a regular file whose real location is under the prefix, with the content installed.
        if [ -L "$file" ] || [ ! -f "$file" ]; then
            [ -e "$file" ] || [ -L "$file" ] && { echo "install.sh: not removed: $file is not a regular file" >&2; kept=$((kept + 1)); left+=("$line"); }
            continue
        fi
        case "$(realpath -- "$file")" in "$prefix"/*) ;; *) echo "install.sh: not removed: $file lies outside $prefix" >&2; kept=$((kept + 1)); left+=("$line"); continue ;; esac
        if [ -n "$sum" ] && [ "$(sha256sum -- "$file" | cut -d' ' -f1)" != "$sum" ]; then
            echo "install.sh: not removed: $file has changed since it was installed" >&2; kept=$((kept + 1)); left+=("$line"); continue
        fi
        rm -f -- "$file"
    done < "$record"
    # The record keeps the lines of the files left alone, so a later --uninstall still knows them.
    if [ "${#left[@]}" -gt 0 ]; then printf '%s\n' "${left[@]}" > "$record.tmp" && mv -f -- "$record.tmp" "$record"; else rm -f -- "$record"; fi
    # Directories the SDK's files were in, deepest first, then blendsim's own (only if empty).
    for tree in BlendSimSDK evidence; do
        [ -d "$prefix/share/blendsim/$tree" ] && [ ! -L "$prefix/share/blendsim/$tree" ] \
            && find "$prefix/share/blendsim/$tree" -depth -type d -empty -delete 2>/dev/null || true
    done
    rmdir -- "$prefix/lib/blendsim" "$prefix/share/blendsim/scenarios" "$prefix/share/blendsim" 2>/dev/null || true
    if [ "$kept" -gt 0 ]; then echo "blendsim removed from $prefix; $kept file(s) left alone (above)"; else echo "blendsim removed from $prefix"; fi
    exit 0
fi

swift build -c release
bin=$(swift build -c release --show-bin-path)
install -d -m 0755 "$prefix/bin" "$prefix/lib/blendsim" "$prefix/share/blendsim"
files=()
install -m 0755 "$bin/blendsim" "$prefix/bin/blendsim"
files+=("bin/blendsim")
install -m 0755 "$bin/blendsim-serve" "$prefix/bin/blendsim-serve"
files+=("bin/blendsim-serve")
install -d -m 0755 "$prefix/share/blendsim/scenarios"
for scenario in scenarios/*.yaml; do
    install -m 0644 "$scenario" "$prefix/share/blendsim/scenarios/"
    files+=("share/blendsim/scenarios/$(basename "$scenario")")
done
for library in "$bin"/libblendsim-*.so; do
    install -m 0644 "$library" "$prefix/lib/blendsim/"
    files+=("lib/blendsim/$(basename "$library")")
done
install -m 0644 scenarios/evidence-posterior.csv "$prefix/share/blendsim/evidence-posterior.csv"
files+=("share/blendsim/evidence-posterior.csv")
# The evidence base with its experiments, for `blendsim evidence check` from anywhere.
while IFS= read -r file; do
    install -D -m 0644 "evidence/$file" "$prefix/share/blendsim/evidence/$file"
    files+=("share/blendsim/evidence/$file")
done < <(cd evidence && find . -type f -name '*.yaml' | sed 's|^\./||' | sort)
# The plugin SDK, for `blendsim plugin new` (it finds ../share/blendsim/BlendSimSDK beside itself).
while IFS= read -r file; do
    install -D -m 0644 "BlendSimSDK/$file" "$prefix/share/blendsim/BlendSimSDK/$file"
    files+=("share/blendsim/BlendSimSDK/$file")
done < <(cd BlendSimSDK && find . -type f \( -name '*.swift' -o -name '*.h' -o -name '*.c' \) | sed 's|^\./||' | sort)
# The record, written whole and then moved into place.
{ for file in "${files[@]}"; do printf '%s  %s\n' "$(sha256sum -- "$prefix/$file" | cut -d' ' -f1)" "$file"; done; } > "$record.tmp"
mv -f -- "$record.tmp" "$record"
echo "blendsim installed: $prefix/bin/blendsim with ${#files[@]} files (plugins in $prefix/lib/blendsim)"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "add $prefix/bin to your PATH, e.g.: export PATH=\"$prefix/bin:\$PATH\"" ;; esac
