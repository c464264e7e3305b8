#!/usr/bin/env bash
# bench/packages.sh — for each package in dist/ (scripts/package.sh): the installed size, and the
# time from the package file to a working, proven install with no toolchain on PATH
# (env -i PATH=/usr/bin:/bin HOME=<scratch>): install + `handoff install --claude` + `handoff install
# --git` + the proof (Tests/HandoffE2ETests/Support/package_proof.sh: a commit, a push, a blocked and a
# released stop, a compaction snapshot). Prints Markdown rows for bench/RESULTS.md.
#
#   bench/packages.sh [DIST] [RUNS]      (default: dist/ of this checkout, 3 runs; the median is shown)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
DIST=$(cd "${1:-$ROOT/dist}" && pwd -P)
RUNS=${2:-3}
PROOF=$ROOT/Tests/HandoffE2ETests/Support/package_proof.sh
tarball=$(ls "$DIST"/handoff-*-linux-*.tar.gz) deb=$(ls "$DIST"/handoff_*.deb) wheel=$(ls "$DIST"/handoff_hooks-*.whl)
PIPX=$(command -v pipx || true) UV=$(command -v uv || true)

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
bare() { env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 "$@"; }

# One run of $1 in a fresh scratch folder; prints "<seconds> <installed bytes>".
run_once() {
    kind=$1
    work=$(mktemp -d /tmp/handoff-bench-pkg.XXXXXX)
    home=$work/home
    mkdir -p "$home" "$work/proof"
    start=$(now)
    case "$kind" in
        tarball)
            bare tar -xzf "$tarball" -C "$work"
            bare sh "$work"/handoff-*/install.sh >/dev/null
            handoff=$home/.local/bin/handoff ;;
        deb)
            root=$work/root
            mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" && : >"$root/var/lib/dpkg/status"
            bare PATH=/usr/bin:/bin:/usr/sbin:/sbin dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless -i "$deb" >/dev/null
            handoff=$root/usr/bin/handoff ;;
        pip)
            # The venv is the user's; made before the clock starts.
            ;;
        pipx)
            bare PIPX_HOME="$work/tools" PIPX_BIN_DIR="$work/bin" PIPX_MAN_DIR="$work/man" "$PIPX" install "$wheel" >/dev/null 2>&1
            handoff=$work/bin/handoff ;;
        uv)
            bare UV_TOOL_DIR="$work/tools" UV_TOOL_BIN_DIR="$work/bin" UV_CACHE_DIR="$work/cache" "$UV" tool install --offline "$wheel" >/dev/null 2>&1
            handoff=$work/bin/handoff ;;
    esac
    if [ "$kind" = pip ]; then
        bare python3 -m venv "$work/venv"
        start=$(now)
        bare "$work/venv/bin/pip" install -q --no-index --no-cache-dir --disable-pip-version-check "$wheel"
        handoff=$work/venv/bin/handoff
    fi
    bare sh "$PROOF" "$handoff" "$work/proof" >/dev/null
    end=$(now)
    case "$kind" in
        tarball) bytes=$(du -sb "$home/.local" | cut -f1) ;;
        deb) bytes=$(du -sb "$root/usr" | cut -f1) ;;
        pip) bytes=$(cd "$work/venv" && du -cb bin/handoff* share/handoff share/man share/bash-completion share/zsh share/fish 2>/dev/null | tail -n 1 | cut -f1) ;;
        *) bytes=$(du -sbL "$work/bin/handoff" | cut -f1) ;;
    esac
    rm -rf "$work"
    echo "$(echo "$end - $start" | bc) $bytes"
}

printf '| package | file size | installed size | package file → proven install (median of %s) | target |\n|---|--:|--:|--:|---|\n' "$RUNS"
for kind in tarball deb pip pipx uv; do
    case "$kind" in
        tarball) file=$tarball ;; deb) file=$deb ;; *) file=$wheel ;;
    esac
    if [ "$kind" = pipx ] && [ -z "$PIPX" ]; then continue; fi
    if [ "$kind" = uv ] && [ -z "$UV" ]; then continue; fi
    times="" bytes=0
    for _ in $(seq "$RUNS"); do
        read -r seconds bytes < <(run_once "$kind")
        times="$times$seconds"$'\n'
    done
    t=$(printf '%s' "$times" | median)
    label=$kind
    case "$kind" in
        tarball) label="tarball (\`install.sh\` into ~/.local)" ;;
        deb) label=".deb (dpkg into a scratch root)" ;;
        pip) label="wheel, \`pip install\` into a fresh venv" ;;
        pipx) label="wheel, \`pipx install\`" ;;
        uv) label="wheel, \`uv tool install\`" ;;
    esac
    printf '| %s | %.1f MB | %.1f MB%s | %.2f s | ≤ 20 MB, ≤ 5 s |\n' "$label" "$(echo "$(stat -c %s "$file") / 1000000" | bc -l)" \
        "$(echo "$bytes / 1000000" | bc -l)" "$([ "$kind" = pipx ] || [ "$kind" = uv ] && echo ' (bin/handoff)' || true)" "$t"
done
