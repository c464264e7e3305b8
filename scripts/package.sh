#!/usr/bin/env bash
# scripts/package.sh — build handoff's release packages into dist/ from a checkout, in one command:
#
#   dist/handoff-<version>-linux-<arch>.tar.gz          the install layout + install.sh (no toolchain needed)
#   dist/handoff_<version>_<debian-arch>.deb            /usr/bin/handoff, /usr/share/handoff, man pages, completions
#   dist/handoff_hooks-<version>-py3-none-manylinux_<glibc>_<arch>.whl
#                                                       the native executable in .data/scripts, the share tree in .data/data
#   dist/SHA256SUMS
#
# Every package holds the same tree, the install layout (README, "Layout"):
#   bin/handoff, bin/<hook name> (links to handoff, which dispatches on the name it was started under)
#   share/handoff/                                       the Claude Code plugin folder (and whatever else share/handoff holds)
#   share/man/man1/*.1                                   from share/man in the checkout
#   share/bash-completion/completions/handoff, share/zsh/vendor-completions/_handoff,
#   share/fish/vendor_completions.d/handoff.fish         from `handoff --generate-completion-script`
#
# Reproducible: every timestamp is SOURCE_DATE_EPOCH (the last commit's time unless set), archives list
# their entries sorted with owner root, gzip stores no name or time, the wheel's zip entries carry one
# fixed date. Whether the executable itself is byte-identical between two builds is measured in
# bench/RESULTS.md.
#
# Needs: bash, git, python3 (for the wheel), dpkg-deb (for the .deb; skipped with a warning where absent,
# unless --require-all), strip, objdump, and Swift 6 unless --bin-dir names an existing release build.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/package.sh [--bin-dir DIR] [--out DIR] [--require-all]

Builds handoff (swift build -c release --static-swift-stdlib), strips it, and writes the tarball,
the .deb, the wheel and SHA256SUMS into dist/ (or --out DIR).

  --bin-dir DIR    take the executables from DIR (an existing release build) instead of building
  --out DIR        write the packages into DIR (default: dist/ in the checkout)
  --require-all    fail when a package cannot be built (CI), instead of skipping it with a warning
  -h, --help       this text
EOF
}

die() { printf 'package.sh: %s\n' "$*" >&2; exit 1; }
warn() { printf 'package.sh: warning: %s\n' "$*" >&2; }

CHECKOUT=$(cd "$(dirname "$0")/.." && pwd -P)
BIN_DIR="" OUT="$CHECKOUT/dist" REQUIRE_ALL=0
while [ $# -gt 0 ]; do
    case "$1" in
        --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a folder"; BIN_DIR=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a folder"; OUT=$2; shift 2 ;;
        --require-all) REQUIRE_ALL=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1'; see scripts/package.sh --help" ;;
    esac
done
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd -P) || die "cannot create $OUT; choose another --out"

# The hook names every package provides next to bin/handoff (the names git and the agents' registrations call).
HOOK_NAMES="handoff-post-commit handoff-pre-push handoff-stop-gate handoff-compact handoff-session"
# The PyPI project of the wheel (free when chosen: `pip download --no-deps handoff-hooks` found no distribution).
WHEEL_PROJECT=handoff_hooks

# ---------------------------------------------------------------------------------------------
# Version (one source: VERSION at the root when it exists, else the plugin's manifest) and time

if [ -f "$CHECKOUT/VERSION" ]; then
    VERSION=$(tr -d ' \n' <"$CHECKOUT/VERSION")
else
    VERSION=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$CHECKOUT/hooks/claude/.claude-plugin/plugin.json") \
        || die "cannot read the version from hooks/claude/.claude-plugin/plugin.json"
fi
case "$VERSION" in ''|*[!0-9A-Za-z.+~-]*) die "the version '$VERSION' is not a plain version string; fix VERSION" ;; esac

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$CHECKOUT" log -1 --format=%ct 2>/dev/null) || SOURCE_DATE_EPOCH=""
    [ -n "$SOURCE_DATE_EPOCH" ] || die "no commit to take the time from; set SOURCE_DATE_EPOCH (seconds since 1970)"
fi
export SOURCE_DATE_EPOCH
export TZ=UTC LC_ALL=C

ARCH=$(uname -m)
case "$ARCH" in
    x86_64) DEB_ARCH=amd64 ;;
    aarch64) DEB_ARCH=arm64 ;;
    *) DEB_ARCH=$ARCH ;;
esac
[ "$(uname -s)" = Linux ] || die "packages are built on Linux only (this is $(uname -s))"

# ---------------------------------------------------------------------------------------------
# Build (or take) the executables

if [ -z "$BIN_DIR" ]; then
    command -v swift >/dev/null || die "swift is not on PATH; install Swift 6, or pass --bin-dir with a release build"
    printf 'package.sh: building (swift build -c release --static-swift-stdlib)…\n' >&2
    swift build -c release --static-swift-stdlib --package-path "$CHECKOUT" >&2 || die "the release build failed (its output is above)"
    BIN_DIR=$(swift build -c release --static-swift-stdlib --package-path "$CHECKOUT" --show-bin-path)
fi
BIN_DIR=$(cd "$BIN_DIR" 2>/dev/null && pwd -P) || die "--bin-dir $BIN_DIR does not exist"
[ -x "$BIN_DIR/handoff" ] || die "$BIN_DIR/handoff is missing; build it (swift build -c release --static-swift-stdlib) or pass the right --bin-dir"

BUILT_VERSION=$("$BIN_DIR/handoff" --version 2>/dev/null | tr -d '\n') || BUILT_VERSION="(handoff --version failed)"
[ "$BUILT_VERSION" = "$VERSION" ] || die "handoff --version says '$BUILT_VERSION' but the package version is '$VERSION'; rebuild from this checkout"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/handoff-package.XXXXXX") || die "cannot create a temporary folder; set TMPDIR"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------------
# The install layout, once, in $WORK/tree

TREE=$WORK/tree
mkdir -p "$TREE/bin" "$TREE/share/handoff" "$TREE/share/man/man1" \
    "$TREE/share/bash-completion/completions" "$TREE/share/zsh/vendor-completions" "$TREE/share/fish/vendor_completions.d"

strip_into() {
    cp "$1" "$2" && strip --strip-all "$2" && chmod 755 "$2" || die "cannot strip $1 into $2"
}
strip_into "$BIN_DIR/handoff" "$TREE/bin/handoff"
# One executable serves every hook, dispatching on the name it was started under.
for name in $HOOK_NAMES; do ln -s handoff "$TREE/bin/$name"; done

# The plugin folder, as the checkout has it (install.sh's layout: share/handoff is the plugin's root).
PLUGIN=$CHECKOUT/hooks/claude
[ -f "$PLUGIN/.claude-plugin/plugin.json" ] || die "$PLUGIN is not the plugin folder (no .claude-plugin/plugin.json)"
(cd "$PLUGIN" && find . \( -type f -o -type l \) ! -name '*.pyc' ! -name '.DS_Store' | sort) | while IFS= read -r rel; do
    rel=${rel#./}
    mkdir -p "$TREE/share/handoff/$(dirname "$rel")"
    cp -P "$PLUGIN/$rel" "$TREE/share/handoff/$rel"
    if [ -x "$PLUGIN/$rel" ]; then chmod 755 "$TREE/share/handoff/$rel"; else chmod 644 "$TREE/share/handoff/$rel"; fi
done
# Anything the checkout keeps for share/handoff itself (e.g. Codex skills) goes beside it.
if [ -d "$CHECKOUT/share/handoff" ]; then
    (cd "$CHECKOUT/share/handoff" && find . -type f | sort) | while IFS= read -r rel; do
        rel=${rel#./}
        mkdir -p "$TREE/share/handoff/$(dirname "$rel")"
        cp "$CHECKOUT/share/handoff/$rel" "$TREE/share/handoff/$rel" && chmod 644 "$TREE/share/handoff/$rel"
    done
fi
for page in "$CHECKOUT"/share/man/man1/*.1; do
    [ -f "$page" ] && install -m 644 "$page" "$TREE/share/man/man1/"
done
"$TREE/bin/handoff" --generate-completion-script bash >"$TREE/share/bash-completion/completions/handoff" || die "handoff --generate-completion-script bash failed"
"$TREE/bin/handoff" --generate-completion-script zsh >"$TREE/share/zsh/vendor-completions/_handoff" || die "handoff --generate-completion-script zsh failed"
"$TREE/bin/handoff" --generate-completion-script fish >"$TREE/share/fish/vendor_completions.d/handoff.fish" || die "handoff --generate-completion-script fish failed"
chmod 644 "$TREE"/share/bash-completion/completions/handoff "$TREE"/share/zsh/vendor-completions/_handoff "$TREE"/share/fish/vendor_completions.d/handoff.fish

# The minimum glibc: the highest GLIBC_x.y among the versions the executables' dynamic symbols need.
GLIBC=$(for f in "$TREE"/bin/*; do [ -L "$f" ] || objdump -T "$f"; done | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
[ -n "$GLIBC" ] || die "objdump -T found no GLIBC_ symbol versions in bin/handoff; is binutils installed?"
GLIBC_MAJOR=${GLIBC%%.*} GLIBC_MINOR=${GLIBC#*.}
GLIBC_MINOR=${GLIBC_MINOR%%.*}

# Fixed times on everything, links included.
stamp() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# ---------------------------------------------------------------------------------------------
# Tarball: handoff-<version>-linux-<arch>/ = the tree + install.sh

NAME=handoff-$VERSION-linux-$ARCH
mkdir -p "$WORK/tar/$NAME"
cp -a "$TREE/." "$WORK/tar/$NAME/"
install -m 755 "$CHECKOUT/scripts/install-package.sh" "$WORK/tar/$NAME/install.sh"
stamp "$WORK/tar/$NAME"
TARBALL=$OUT/$NAME.tar.gz
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$WORK/tar" -cf - "$NAME" | gzip -9n >"$TARBALL.tmp" && mv "$TARBALL.tmp" "$TARBALL" || die "cannot write $TARBALL"
printf 'package.sh: %s\n' "$TARBALL"

# ---------------------------------------------------------------------------------------------
# Debian package

DEB=""
build_deb() {
    command -v dpkg-deb >/dev/null || { [ "$REQUIRE_ALL" = 1 ] && die "dpkg-deb is not installed (apt-get install dpkg)"; warn "dpkg-deb is not installed: no .deb"; return 0; }
    root=$WORK/deb
    mkdir -p "$root/DEBIAN" "$root/usr/share/doc/handoff"
    cp -a "$TREE/bin" "$root/usr/bin"
    cp -a "$TREE/share/." "$root/usr/share/"
    # Debian keeps manual pages compressed.
    for page in "$root"/usr/share/man/man1/*.1; do gzip -9n "$page"; done
    cat >"$root/usr/share/doc/handoff/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: handoff
Source: the handoff repository

Files: *
Copyright: 2026 the handoff authors
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 associated documentation files (the "Software"), to deal in the Software without restriction,
 including without limitation the rights to use, copy, modify, merge, publish, distribute,
 sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or
 substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.
EOF
    changelog_date=$(date -u -d "@$SOURCE_DATE_EPOCH" -R)
    printf 'handoff (%s) unstable; urgency=low\n\n  * Built by scripts/package.sh.\n\n -- handoff <handoff@example.invalid>  %s\n' \
        "$VERSION" "$changelog_date" | gzip -9n >"$root/usr/share/doc/handoff/changelog.gz"
    # libgit2 and its libraries are linked in on purpose (Package.swift: a hook maps no shared library
    # but libc's, which saves every hook ~4 ms at start); lintian flags that for Debian's archive.
    mkdir -p "$root/usr/share/lintian/overrides"
    for library in libssh2 mbedtls zlib; do
        printf 'handoff: embedded-library %s [usr/bin/*]\n' "$library"
    done >"$root/usr/share/lintian/overrides/handoff"
    chmod 644 "$root/usr/share/doc/handoff/copyright" "$root/usr/share/doc/handoff/changelog.gz" "$root/usr/share/lintian/overrides/handoff"
    size=$(du -sk --apparent-size "$root/usr" | cut -f1)
    # The shared objects the executable still maps (README, "Dependencies"): libc, libm, libstdc++, libgcc_s.
    cat >"$root/DEBIAN/control" <<EOF
Package: handoff
Version: $VERSION
Architecture: $DEB_ARCH
Maintainer: handoff <handoff@example.invalid>
Installed-Size: $size
Depends: libc6 (>= $GLIBC), libstdc++6, libgcc-s1
Recommends: git
Section: devel
Priority: optional
Homepage: https://example.invalid/handoff
Description: honest, structured handovers for coding agents
 Git hooks and Claude Code / Codex hooks that keep an agent from stopping
 before its work is committed and pushed and a handover is written, and
 bring that handover to the next session. Run "handoff install" once as
 the user who runs the agent.
EOF
    (cd "$root" && find usr -type f | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
    chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
    find "$root" -type d -exec chmod 755 {} +
    stamp "$root"
    DEB=$OUT/handoff_${VERSION}_$DEB_ARCH.deb
    dpkg-deb --root-owner-group -Zxz --build "$root" "$DEB" >/dev/null || die "dpkg-deb could not build $DEB"
    printf 'package.sh: %s\n' "$DEB"
}
build_deb

# ---------------------------------------------------------------------------------------------
# Wheel: handoff_hooks-<version>.data/scripts/handoff is the executable itself (no Python shim);
# .data/data/ is installed at the environment's root, so <venv>/share/handoff exists. A wheel holds no
# links: the hook names are left out; `handoff install` registers every hook as `handoff hook <name>`.

WHEEL=""
build_wheel() {
    command -v python3 >/dev/null || { [ "$REQUIRE_ALL" = 1 ] && die "python3 is not installed"; warn "python3 is not installed: no wheel"; return 0; }
    tag=py3-none-manylinux_${GLIBC_MAJOR}_${GLIBC_MINOR}_$ARCH
    WHEEL=$OUT/$WHEEL_PROJECT-$VERSION-$tag.whl
    python3 "$CHECKOUT/scripts/make-wheel.py" --tree "$TREE" --project "$WHEEL_PROJECT" --version "$VERSION" \
        --tag "$tag" --epoch "$SOURCE_DATE_EPOCH" --out "$WHEEL" || die "cannot build the wheel"
    printf 'package.sh: %s\n' "$WHEEL"
}
build_wheel

# ---------------------------------------------------------------------------------------------

(cd "$OUT" && sha256sum -- "$(basename "$TARBALL")" ${DEB:+"$(basename "$DEB")"} ${WHEEL:+"$(basename "$WHEEL")"} >SHA256SUMS) \
    || die "cannot write $OUT/SHA256SUMS"
printf 'package.sh: %s\n' "$OUT/SHA256SUMS"
