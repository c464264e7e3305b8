#!/bin/sh
# install.sh (inside handoff's tarball) — copies handoff into a prefix; needs no toolchain.
#
# POSIX sh. Every file, link and folder it adds is listed in <prefix>/share/handoff/install-manifest.txt
# (the format the checkout's install.sh uses too), which --uninstall reads to remove exactly those and
# to put back a file it displaced. Registering the hooks is `handoff install`'s job, run afterwards.
set -u

usage() {
    cat <<'EOF'
Usage: ./install.sh [--prefix DIR] [--uninstall]

Copies bin/handoff (and its hook names), share/handoff (the Claude Code plugin), the manual pages and
the bash, zsh and fish completions from this folder into ${PREFIX:-$HOME/.local}. Then run
`handoff install --claude` (and/or --codex) once, and `handoff install --git` in each repository.

  --prefix DIR   install under DIR (default: $PREFIX, else $HOME/.local)
  --uninstall    run `handoff uninstall --all` (removes what handoff registered under HOME), then
                 remove every file this installer added and put back what it displaced
  -h, --help     this text
EOF
}

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

PREFIX_OPT="" UNINSTALL=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] && [ -n "$2" ] || die "--prefix needs a folder; see ./install.sh --help"; PREFIX_OPT=$2; shift 2 ;;
        --prefix=*) PREFIX_OPT=${1#*=}; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1'; see ./install.sh --help" ;;
    esac
done

HERE=$(cd "$(dirname "$0")" && pwd -P) || die "cannot find the folder holding install.sh"
[ -n "${HOME:-}" ] || [ -n "$PREFIX_OPT" ] || die "HOME is not set; set it or pass --prefix"
PREFIX=${PREFIX_OPT:-${PREFIX:-$HOME/.local}}
case "$PREFIX" in /*) ;; *) PREFIX=$(pwd -P)/$PREFIX ;; esac
MANIFEST=$PREFIX/share/handoff/install-manifest.txt
BACKUP=$PREFIX/share/handoff/backup
PENDING=""
CHANGES=0

record() {
    if [ -f "$MANIFEST" ]; then
        grep -Fxq -- "$1" "$MANIFEST" 2>/dev/null || printf '%s\n' "$1" >>"$MANIFEST" || die "cannot write $MANIFEST; check permissions"
    else
        PENDING="$PENDING$1
"
    fi
}
in_manifest() { [ -f "$MANIFEST" ] && grep -Fxq -- "$1" "$MANIFEST"; }

# ---------------------------------------------------------------------------------------------
# Uninstall

if [ "$UNINSTALL" = 1 ]; then
    [ -f "$MANIFEST" ] || { say "Nothing to uninstall: there is no manifest at $MANIFEST."; exit 0; }
    if [ -x "$PREFIX/bin/handoff" ]; then
        # What handoff registered under HOME goes first, while the executable that removes it exists.
        if "$PREFIX/bin/handoff" uninstall --help 2>/dev/null | grep -q -- '--all'; then
            out=$("$PREFIX/bin/handoff" uninstall --all 2>&1)
        else
            # A handoff from before `uninstall --all`: its two user-level registrations.
            out=$("$PREFIX/bin/handoff" uninstall --claude 2>&1 && "$PREFIX/bin/handoff" uninstall --codex 2>&1)
        fi || die "handoff uninstall --all failed, so nothing was removed: $(printf '%s' "$out" | tail -n 1); fix that and rerun ./install.sh --uninstall"
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/  /'
    fi
    while IFS= read -r line; do
        case "$line" in
            "file "*|"link "*)
                path=${line#* }
                if [ -e "$path" ] || [ -L "$path" ]; then rm -f "$path" && CHANGES=$((CHANGES + 1)); fi ;;
        esac
    done <"$MANIFEST"
    while IFS= read -r line; do
        case "$line" in
            "backup "*)
                path=${line#backup }
                if [ -e "$BACKUP$path" ] || [ -L "$BACKUP$path" ]; then mv "$BACKUP$path" "$path" && say "  restored $path"; fi ;;
        esac
    done <"$MANIFEST"
    if [ -d "$BACKUP" ]; then find "$BACKUP" -depth -type d -exec rmdir {} \; 2>/dev/null; fi
    dirs=$(grep '^dir ' "$MANIFEST" | sed 's/^dir //' | sort -r)
    rm -f "$MANIFEST"
    printf '%s\n' "$dirs" | while IFS= read -r dir; do
        [ -n "$dir" ] && [ -d "$dir" ] && rmdir "$dir" 2>/dev/null
    done
    say "handoff is uninstalled from $PREFIX ($CHANGES files and links removed)."
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Install

[ -x "$HERE/bin/handoff" ] || die "$HERE/bin/handoff is missing; unpack the whole tarball and run its install.sh"

make_dirs() {
    [ -d "$1" ] && return 0
    make_dirs "$(dirname "$1")"
    mkdir "$1" 2>/dev/null || [ -d "$1" ] || die "cannot create $1; check permissions or choose another --prefix"
    record "dir $1"
}

# Moves a file that is not ours out of the way (put back by --uninstall).
displace() {
    if { [ -e "$1" ] || [ -L "$1" ]; } && ! in_manifest "file $1" && ! in_manifest "link $1"; then
        make_dirs "$(dirname "$BACKUP$1")"
        mv "$1" "$BACKUP$1" || die "cannot move the existing $1 aside; check permissions"
        record "backup $1"
        say "  kept the existing $1 as $BACKUP$1 (--uninstall puts it back)"
    fi
}

install_entry() {
    src=$HERE/$1 dst=$PREFIX/$1
    if [ -L "$src" ]; then
        target=$(readlink "$src")
        [ -L "$dst" ] && [ "$(readlink "$dst")" = "$target" ] && return 0
        make_dirs "$(dirname "$dst")"
        displace "$dst"
        rm -f "$dst"
        ln -s "$target" "$dst" || die "cannot create the link $dst; check permissions"
        record "link $dst"
    else
        if [ -f "$dst" ] && [ ! -L "$dst" ] && cmp -s "$src" "$dst"; then
            if [ -x "$src" ] && [ ! -x "$dst" ]; then chmod 755 "$dst"; fi
            return 0
        fi
        make_dirs "$(dirname "$dst")"
        displace "$dst"
        if [ -x "$src" ]; then mode=755; else mode=644; fi
        tmp="$dst.handoff-tmp.$$"
        cp "$src" "$tmp" && chmod "$mode" "$tmp" && mv -f "$tmp" "$dst" || { rm -f "$tmp"; die "cannot install $dst; check permissions or choose another --prefix"; }
        record "file $dst"
    fi
    CHANGES=$((CHANGES + 1))
}

make_dirs "$PREFIX/share/handoff"
[ -f "$MANIFEST" ] || : >"$MANIFEST" || die "cannot create $MANIFEST; check permissions"
printf '%s' "$PENDING" | while IFS= read -r line; do
    [ -n "$line" ] && { grep -Fxq -- "$line" "$MANIFEST" || printf '%s\n' "$line" >>"$MANIFEST"; }
done
PENDING=""

# The executable first, then its links, then the rest (so a link never points at nothing).
entries=$(cd "$HERE" && { find bin -type f; find bin -type l; find share \( -type f -o -type l \); } | grep -v '^share/handoff/install-manifest.txt$') \
    || die "cannot list the files in $HERE"
OLDIFS=$IFS
IFS='
'
for rel in $entries; do
    IFS=$OLDIFS
    install_entry "$rel"
    IFS='
'
done
IFS=$OLDIFS

version=$("$PREFIX/bin/handoff" --version 2>/dev/null) || die "$PREFIX/bin/handoff does not run on this machine ($(uname -m), glibc $(getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/glibc //')); see the README's Dependencies"
if [ "$CHANGES" = 0 ]; then
    say "Nothing changed: handoff $version is already installed in $PREFIX."
else
    say "Installed handoff $version into $PREFIX ($CHANGES files and links)."
fi
case ":${PATH:-}:" in
    *":$PREFIX/bin:"*) handoff=handoff ;;
    *) handoff=$PREFIX/bin/handoff
       say "$PREFIX/bin is not on PATH; add it (e.g. echo 'export PATH=\"$PREFIX/bin:\$PATH\"' >> ~/.profile)." ;;
esac
say "Next: $handoff install --claude   (and/or --codex), then in each repository: $handoff install --git"
say "Undo: $HERE/install.sh --uninstall${PREFIX_OPT:+ --prefix $PREFIX}"
exit 0
