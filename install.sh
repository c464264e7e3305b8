#!/bin/sh
# install.sh — build handoff, install it, register its hooks, and prove that it works.
#
# POSIX sh. Idempotent: a second run changes nothing and says so. Every file it adds is listed in
# ${PREFIX}/share/handoff/install-manifest.txt, which --uninstall reads to remove exactly those and
# to put back what was there before. Run ./install.sh --help for the options.
set -u

usage() {
    cat <<'EOF'
Usage: ./install.sh [options]

Builds handoff (release, static Swift stdlib), installs the one executable (the CLI and every hook)
into ${PREFIX:-$HOME/.local}/bin with the hooks' old names as links to it, and the Claude Code
plugin into ${PREFIX}/share/handoff, and registers
the agent hooks in ~/.claude/settings.json and the handover commands (/handoff:dump,
/handoff:handoff-end) in ~/.claude/commands/handoff/, and, when a Codex home exists
(${CODEX_HOME:-~/.codex}), with Codex (hooks.json, their trust in config.toml, the $handoff-dump
and $handoff-end skills), and likewise with Grok Build (~/.grok), Mistral Vibe (${VIBE_HOME:-~/.vibe})
and OpenHands (~/.openhands) where their homes exist (handoff install --grok|--vibe|--openhands). Inside a git repository other than this checkout (or with --repo), it
also installs the git hooks there and creates .handoff/. With no repository, it proves the
installation on a scratch repository (commit, push, a blocked and a released stop, a compaction
snapshot) and prints what each hook recorded. It also installs the manual pages (man handoff) and
the bash, zsh and fish completions (in ~/.local/share, ~/.config/fish for the default prefix; under
${PREFIX}/share otherwise).

Options:
  --prefix DIR            install under DIR (default: $PREFIX, else $HOME/.local)
  --repo DIR              install the git hooks in the repository at DIR
  --claude-scope SCOPE    user (default): ~/.claude/settings.json;
                          project: the repository's .claude/settings.json, meant to be committed
                          (hooks named without a path, found on PATH; needs a repository);
                          local: the repository's .claude/settings.local.json (this machine only)
  --no-claude             do not register the agent hooks in any settings.json nor install the
                          handover commands
  --no-codex              do not register the hooks with Codex even when its home exists
  --no-grok               nor with Grok Build (~/.grok)
  --no-vibe               nor with Mistral Vibe (${VIBE_HOME:-~/.vibe})
  --no-openhands          nor with OpenHands (~/.openhands)
  --no-proof              skip the proof run on a scratch repository
  --uninstall             remove everything the manifest lists and restore what was there before
  --dry-run               print every change, make none
  --from-build DIR        for tests and packagers: take handoff from DIR (already built);
                          skips the toolchain check and the build
  --scratch-path DIR      SwiftPM scratch folder for the build (default: .build in this checkout)
  -h, --help              this text

A settings.json that is not valid JSON is never overwritten: the install stops with exit 1 after
installing the executables, names the file, and a rerun after fixing it completes the install.

Exit status: 0 done (or nothing to do); 1 something failed (the last line says what to do).
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Options

PREFIX_OPT="" REPO="" SCOPE=user CLAUDE=1 CODEX=1 GROK=1 VIBE=1 OPENHANDS=1 PROOF=1 UNINSTALL=0 DRY=0 FROM_BUILD="" SCRATCH=""
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value; see ./install.sh --help"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) need_value "$@"; PREFIX_OPT=$2; shift 2 ;;
        --prefix=*) PREFIX_OPT=${1#*=}; shift ;;
        --repo) need_value "$@"; REPO=$2; shift 2 ;;
        --repo=*) REPO=${1#*=}; shift ;;
        --claude-scope) need_value "$@"; SCOPE=$2; shift 2 ;;
        --claude-scope=*) SCOPE=${1#*=}; shift ;;
        --no-claude) CLAUDE=0; shift ;;
        --no-codex) CODEX=0; shift ;;
        --no-grok) GROK=0; shift ;;
        --no-vibe) VIBE=0; shift ;;
        --no-openhands) OPENHANDS=0; shift ;;
        --no-proof) PROOF=0; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        --dry-run) DRY=1; shift ;;
        --from-build) need_value "$@"; FROM_BUILD=$2; shift 2 ;;
        --from-build=*) FROM_BUILD=${1#*=}; shift ;;
        --scratch-path) need_value "$@"; SCRATCH=$2; shift 2 ;;
        --scratch-path=*) SCRATCH=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1'; see ./install.sh --help" ;;
    esac
done
case "$SCOPE" in user|project|local) ;; *) die "--claude-scope must be user, project or local, not '$SCOPE'" ;; esac

CHECKOUT=$(cd "$(dirname "$0")" && pwd -P) || die "cannot find the checkout holding install.sh"
[ -n "${HOME:-}" ] || die "HOME is not set; set it (or pass --prefix) and rerun"
PREFIX=${PREFIX_OPT:-${PREFIX:-$HOME/.local}}
case "$PREFIX" in /*) ;; *) PREFIX=$(pwd -P)/$PREFIX ;; esac
BIN=$PREFIX/bin
SHARE=$PREFIX/share/handoff
MANIFEST=$SHARE/install-manifest.txt
BACKUP=$SHARE/backup
# One executable serves every hook; the hooks' names from the separate-executables layout stay as
# links to it, so that entries an earlier install wrote (settings, git hooks) keep working.
HOOK_LINKS="handoff-post-commit handoff-pre-push handoff-stop-gate handoff-compact handoff-session"
CHANGES=0
PENDING=""

if [ -n "$FROM_BUILD" ]; then
    FROM_BUILD=$(cd "$FROM_BUILD" 2>/dev/null && pwd -P) || die "--from-build folder does not exist; pass the folder holding the built handoff"
fi

# ---------------------------------------------------------------------------------------------
# The manifest: one line per thing added, "<kind> <fields...> <path>" (the path last, so it may hold spaces).

record() {
    [ "$DRY" = 1 ] && return 0
    if [ -f "$MANIFEST" ]; then
        grep -Fxq -- "$1" "$MANIFEST" 2>/dev/null || printf '%s\n' "$1" >>"$MANIFEST" || die "cannot write $MANIFEST; check the folder's permissions"
    else
        # The manifest's folder does not exist yet: keep the line until it does.
        PENDING="$PENDING$1
"
    fi
}

flush_manifest() {
    [ "$DRY" = 1 ] && return 0
    [ -f "$MANIFEST" ] || : >"$MANIFEST" || die "cannot create $MANIFEST; check the folder's permissions"
    if [ -n "$PENDING" ]; then
        pending=$PENDING
        PENDING=""
        printf '%s' "$pending" | while IFS= read -r line; do
            [ -n "$line" ] && { grep -Fxq -- "$line" "$MANIFEST" || printf '%s\n' "$line" >>"$MANIFEST"; }
        done
    fi
}

in_manifest() { [ -f "$MANIFEST" ] && grep -Fxq -- "$1" "$MANIFEST"; }

changed() { CHANGES=$((CHANGES + 1)); say "  $*"; }

# mkdir -p that records every folder it creates, so uninstall can remove exactly those.
make_dirs() {
    [ -d "$1" ] && return 0
    parent=$(dirname "$1")
    make_dirs "$parent"
    if [ "$DRY" = 1 ]; then
        changed "would create $1/"
        return 0
    fi
    mkdir "$1" 2>/dev/null || [ -d "$1" ] || die "cannot create $1; check permissions or choose another --prefix"
    changed "created $1/"
    record "dir $1"
}

# Copies $1 to $2 with mode $3 when the bytes differ. A file that was there before and is not ours
# is moved into the backup folder first, and put back by --uninstall.
install_file() {
    src=$1 dst=$2 mode=$3
    if [ -f "$dst" ] && cmp -s "$src" "$dst"; then
        # Same bytes: nothing to copy (identical bytes placed by someone else stay theirs: not
        # recorded, so never removed); only a lost executable bit is put right.
        if [ "$mode" = 755 ] && [ ! -x "$dst" ]; then
            [ "$DRY" = 1 ] && changed "would chmod 755 $dst" || { chmod 755 "$dst" && changed "made $dst executable again"; }
        fi
        return 0
    fi
    if [ "$DRY" = 1 ]; then
        if [ -e "$dst" ] && ! in_manifest "file $dst"; then changed "would keep the existing $dst in $BACKUP and install handoff's"
        elif [ -e "$dst" ]; then changed "would update $dst"
        else changed "would install $dst"; fi
        return 0
    fi
    make_dirs "$(dirname "$dst")"
    if { [ -e "$dst" ] || [ -L "$dst" ]; } && ! in_manifest "file $dst" && ! in_manifest "link $dst"; then
        make_dirs "$(dirname "$BACKUP$dst")"
        mv "$dst" "$BACKUP$dst" || die "cannot move the existing $dst aside; check permissions"
        record "backup $dst"
        say "  kept the existing $dst as $BACKUP$dst (--uninstall puts it back)"
    fi
    tmp="$dst.handoff-tmp.$$"
    cp "$src" "$tmp" && chmod "$mode" "$tmp" && mv -f "$tmp" "$dst" || { rm -f "$tmp"; die "cannot install $dst; check permissions or choose another --prefix"; }
    record "file $dst"
    changed "installed $dst"
}

# A symbolic link $2 -> $1, recorded like a file.
install_link() {
    target=$1 link=$2
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then return 0; fi
    if [ "$DRY" = 1 ]; then changed "would link $link -> $target"; return 0; fi
    make_dirs "$(dirname "$link")"
    # A file of ours there (an earlier install's executable of that name) is simply replaced.
    if { [ -e "$link" ] || [ -L "$link" ]; } && ! in_manifest "link $link" && ! in_manifest "file $link"; then
        make_dirs "$(dirname "$BACKUP$link")"
        mv "$link" "$BACKUP$link" || die "cannot move the existing $link aside; check permissions"
        record "backup $link"
    fi
    rm -f "$link"
    ln -s "$target" "$link" || die "cannot create the link $link; check permissions"
    record "link $link"
    changed "linked $link -> $target"
}

# Bytes of the given files (absent ones count as absent): how install.sh tells whether a
# `handoff install` step changed anything.
fingerprint() {
    for f in "$@"; do
        if [ -e "$f" ] || [ -L "$f" ]; then cksum <"$f" 2>/dev/null || echo unreadable; ls -ld "$f" | cut -c1-10; else echo absent; fi
    done
}

# The store's fingerprint: unchanged since install means nothing was recorded in it yet.
store_sum() {
    cat "$1/.handoff/state.json" "$1/.handoff/events.jsonl" 2>/dev/null | cksum | tr ' ' '-'
}

# ---------------------------------------------------------------------------------------------
# Uninstall

uninstall() {
    if [ ! -f "$MANIFEST" ]; then
        say "Nothing to uninstall: there is no manifest at $MANIFEST."
        exit 0
    fi
    handoff=$BIN/handoff
    [ -x "$handoff" ] || handoff=${FROM_BUILD:+$FROM_BUILD/handoff}
    [ -n "$handoff" ] && [ -x "$handoff" ] || die "$BIN/handoff is missing, so the hook entries cannot be removed; rerun ./install.sh, then ./install.sh --uninstall"
    dry=""
    [ "$DRY" = 1 ] && dry=--dry-run
    say "Uninstalling handoff from $PREFIX${dry:+ (dry run: nothing is changed)}:"

    # Hook entries first, while the executables that remove them still exist.
    while IFS= read -r line; do
        case "$line" in
            "settings user")
                out=$("$handoff" uninstall --claude --scope user $dry 2>&1) || die "removing the agent hooks failed: $(printf '%s' "$out" | tail -n 1)"
                printf '%s\n' "$out" | sed 's/^/  /' ;;
            "codex user"|"grok user"|"vibe user"|"openhands user")
                flag=${line% user}
                out=$("$handoff" uninstall --"$flag" --scope user $dry 2>&1) || die "removing the $flag hooks failed: $(printf '%s' "$out" | tail -n 1)"
                printf '%s\n' "$out" | sed 's/^/  /' ;;
            "settings project "*|"settings local "*)
                rest=${line#settings }
                kind=${rest%% *}
                dir=${rest#* }
                if [ -d "$dir" ]; then
                    out=$(cd "$dir" && "$handoff" uninstall --claude --scope "$kind" $dry 2>&1) || die "removing the agent hooks from $dir failed: $(printf '%s' "$out" | tail -n 1)"
                    printf '%s\n' "$out" | sed 's/^/  /'
                fi ;;
            "repo "*)
                dir=${line#repo }
                if [ -d "$dir" ]; then
                    out=$(cd "$dir" && "$handoff" uninstall --git $dry 2>&1) || die "removing the git hooks from $dir failed: $(printf '%s' "$out" | tail -n 1)"
                    printf '%s\n' "$out" | sed 's/^/  /'
                fi ;;
            "store "*)
                rest=${line#store }
                sum=${rest%% *}
                dir=${rest#* }
                if [ -d "$dir/.handoff" ]; then
                    if [ "$(store_sum "$dir")" = "$sum" ]; then
                        [ "$DRY" = 1 ] && say "  would remove $dir/.handoff (created by install.sh, nothing recorded since)" \
                            || { rm -rf "$dir/.handoff" && say "  removed $dir/.handoff (created by install.sh, nothing recorded since)"; }
                    else
                        say "  kept $dir/.handoff: it holds what the hooks recorded since install (remove it with: rm -rf '$dir/.handoff')"
                    fi
                fi ;;
        esac
    done <"$MANIFEST"

    # Files and links, then the files they displaced, then the folders (deepest first).
    while IFS= read -r line; do
        case "$line" in
            "file "*|"link "*)
                path=${line#* }
                if [ -e "$path" ] || [ -L "$path" ]; then
                    [ "$DRY" = 1 ] && say "  would remove $path" || { rm -f "$path" && say "  removed $path"; }
                fi ;;
        esac
    done <"$MANIFEST"
    while IFS= read -r line; do
        case "$line" in
            "backup "*)
                path=${line#backup }
                if [ -e "$BACKUP$path" ] || [ -L "$BACKUP$path" ]; then
                    [ "$DRY" = 1 ] && say "  would restore $path" || { mv "$BACKUP$path" "$path" && say "  restored $path"; }
                fi ;;
        esac
    done <"$MANIFEST"
    if [ "$DRY" = 1 ]; then
        grep '^dir ' "$MANIFEST" | sed 's/^dir /  would remove the folder (when empty) /'
        say "Dry run: nothing was changed."
        exit 0
    fi
    # Backup folders hold nothing now; the manifest goes last but before its folder.
    if [ -d "$BACKUP" ]; then find "$BACKUP" -depth -type d -exec rmdir {} \; 2>/dev/null; fi
    dirs=$(grep '^dir ' "$MANIFEST" | sed 's/^dir //' | sort -r)
    rm -f "$MANIFEST"
    printf '%s\n' "$dirs" | while IFS= read -r dir; do
        [ -n "$dir" ] && [ -d "$dir" ] && rmdir "$dir" 2>/dev/null && say "  removed the folder $dir"
    done
    say "handoff is uninstalled."
    exit 0
}

[ "$UNINSTALL" = 1 ] && uninstall

# ---------------------------------------------------------------------------------------------
# Toolchain and build

have() { command -v "$1" >/dev/null 2>&1; }

have git || die "git is not on PATH; install git (e.g. apt-get install git) and rerun"

# On Linux the executables link Debian's static libgit2 and the archives of its dependencies
# (Package.swift), which libgit2-dev's dependencies ship (libssl-dev for libssh2's libcrypto).
STATIC_ARCHIVES="git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 crypto pcre2-8 z"
have_libgit2() {
    if [ "$(uname -s)" = Linux ]; then
        [ -f /usr/include/git2.h ] || return 1
        for archive in $STATIC_ARCHIVES; do
            found=0
            for dir in /usr/lib/*-linux-gnu* /usr/lib /usr/lib64 /usr/local/lib; do
                [ -f "$dir/lib$archive.a" ] && { found=1; break; }
            done
            [ "$found" = 1 ] || return 1
        done
        return 0
    fi
    if have pkg-config; then pkg-config --exists libgit2 && return 0; fi
    [ -f /usr/local/include/git2.h ] || [ -f /opt/homebrew/include/git2.h ]
}

if [ -z "$FROM_BUILD" ]; then
    have swift || die "swift is not on PATH; install Swift 6 (https://www.swift.org/install) and rerun"
    if ! have_libgit2; then
        if have apt-get; then
            if [ "$DRY" = 1 ]; then
                say "would install libgit2-dev and libssl-dev with apt-get"
            elif [ "$(id -u)" = 0 ]; then
                say "Installing libgit2-dev (apt-get)…"
                { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgit2-dev libssl-dev; } >/dev/null \
                    || die "apt-get could not install libgit2-dev; run: apt-get install -y libgit2-dev libssl-dev, then rerun ./install.sh"
            elif have sudo && sudo -n true 2>/dev/null; then
                say "Installing libgit2-dev (sudo apt-get)…"
                { sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgit2-dev libssl-dev; } >/dev/null \
                    || die "apt-get could not install libgit2-dev; run: sudo apt-get install -y libgit2-dev libssl-dev, then rerun ./install.sh"
            else
                die "libgit2-dev (with its static archives) is missing; run: sudo apt-get install -y libgit2-dev libssl-dev, then rerun ./install.sh"
            fi
        elif have brew; then
            die "libgit2 is missing; run: brew install libgit2 pkg-config, then rerun ./install.sh"
        else
            die "libgit2 (development files) is missing; install it with your package manager (Debian/Ubuntu: apt-get install libgit2-dev), then rerun ./install.sh"
        fi
    fi
fi

if [ -n "$FROM_BUILD" ]; then
    SRC=$FROM_BUILD
else
    # The Swift runtime is linked in, so the installed executables do not depend on the toolchain's
    # location; so is libgit2 (Debian's static archives, see Package.swift): every hook maps nothing
    # but libc.
    set -- -c release --static-swift-stdlib --package-path "$CHECKOUT"
    [ -n "$SCRATCH" ] && set -- "$@" --scratch-path "$SCRATCH"
    if [ "$DRY" = 1 ]; then
        say "would build: swift build $*"
    else
        say "Building (swift build $*)…"
        swift build "$@" >&2 || die "the release build failed (its output is above); fix the first error, or run 'swift build $*' to see it again"
    fi
    SRC=$(swift build "$@" --show-bin-path 2>/dev/null) || die "swift build --show-bin-path failed; run 'swift build $* --show-bin-path' to see why"
fi
if [ "$DRY" = 0 ]; then
    [ -x "$SRC/handoff" ] || die "$SRC/handoff was not built; run 'swift build -c release' in $CHECKOUT and look for errors"
fi

# ---------------------------------------------------------------------------------------------
# Which repository (if any) gets the git hooks

TARGET=""
if [ -n "$REPO" ]; then
    TARGET=$(cd "$REPO" 2>/dev/null && git rev-parse --show-toplevel 2>/dev/null) \
        || die "--repo $REPO is not a git repository with a working tree; pass the folder of a clone (or run 'git init' there)"
else
    here=$(git rev-parse --show-toplevel 2>/dev/null || true)
    if [ -n "$here" ] && [ "$(cd "$here" && pwd -P)" != "$CHECKOUT" ]; then TARGET=$here; fi
fi
[ -n "$TARGET" ] && TARGET=$(cd "$TARGET" && pwd -P)
if [ "$SCOPE" != user ] && [ "$CLAUDE" = 1 ] && [ -z "$TARGET" ]; then
    die "--claude-scope $SCOPE needs a repository: pass --repo DIR, or run ./install.sh from inside the repository"
fi

# ---------------------------------------------------------------------------------------------
# Executables and plugin

if [ "$DRY" = 1 ]; then say "Installing into $PREFIX (dry run: nothing is changed):"; else say "Installing into $PREFIX:"; fi
if [ "$DRY" = 0 ]; then
    make_dirs "$SHARE"
    flush_manifest
fi
if [ -x "$SRC/handoff" ]; then install_file "$SRC/handoff" "$BIN/handoff" 755
else changed "would install $BIN/handoff (once built)"; fi
for name in $HOOK_LINKS; do
    install_link handoff "$BIN/$name"
done

# The plugin (for `claude --plugin-dir`): its files as they are in the checkout; its bin/ wrappers
# find handoff at ../../../bin/handoff, which is $BIN/handoff.
PLUGIN_SRC=$CHECKOUT/hooks/claude
if [ -d "$PLUGIN_SRC" ]; then
    plugin_files=$(cd "$PLUGIN_SRC" && find . -type f ! -name '*.pyc' ! -name '.DS_Store' | sed 's|^\./||' | sort)
    OLDIFS=$IFS
    IFS='
'
    for rel in $plugin_files; do
        IFS=$OLDIFS
        if [ -x "$PLUGIN_SRC/$rel" ]; then mode=755; else mode=644; fi
        install_file "$PLUGIN_SRC/$rel" "$SHARE/$rel" "$mode"
        IFS='
'
    done
    IFS=$OLDIFS
fi

case ":${PATH:-}:" in
    *":$BIN:"*) ;;
    *) warn "$BIN is not on PATH; add it (e.g. echo 'export PATH=\"$BIN:\$PATH\"' >> ~/.profile). Hooks use absolute paths and work without it." ;;
esac

HANDOFF=$BIN/handoff
installed() { [ -x "$HANDOFF" ] && for name in $HOOK_LINKS; do [ -x "$BIN/$name" ] || return 1; done; }
dry=""
[ "$DRY" = 1 ] && dry=--dry-run

# ---------------------------------------------------------------------------------------------
# Manual pages and shell completions, both generated by swift-argument-parser: the pages by its
# GenerateManual plugin (checked in under share/man/man1; the README's Development section says how
# to regenerate them), the completion scripts by the installed handoff itself
# (--generate-completion-script), so they always match its commands and options. They go where
# man, bash-completion, zsh and fish look: for the default prefix (~/.local) the user's own folders
# (the XDG data home, which man finds through ~/.local/bin on PATH; bash-completion's user folder;
# fish's completions folder), for any other prefix its share/ folder (as for /usr/local).

if [ "$PREFIX" = "$HOME/.local" ]; then
    DATA=${XDG_DATA_HOME:-$HOME/.local/share}
    BASH_COMPLETIONS=${BASH_COMPLETION_USER_DIR:-$DATA/bash-completion}/completions
    FISH_COMPLETIONS=${XDG_CONFIG_HOME:-$HOME/.config}/fish/completions
else
    DATA=$PREFIX/share
    BASH_COMPLETIONS=$DATA/bash-completion/completions
    FISH_COMPLETIONS=$DATA/fish/vendor_completions.d
fi
MAN1=$DATA/man/man1
ZSH_FUNCTIONS=$DATA/zsh/site-functions

for page in "$CHECKOUT"/share/man/man1/*.1; do
    [ -f "$page" ] && install_file "$page" "$MAN1/$(basename "$page")" 644
done
if [ "$DRY" = 1 ] && ! installed; then
    changed "would install the bash, zsh and fish completions in $BASH_COMPLETIONS, $ZSH_FUNCTIONS and $FISH_COMPLETIONS"
else
    completions=$(mktemp -d "${TMPDIR:-/tmp}/handoff-completions.XXXXXX") || die "cannot create a temporary folder; set TMPDIR to a writable folder"
    for shell in bash zsh fish; do
        "$HANDOFF" --generate-completion-script "$shell" >"$completions/$shell" 2>/dev/null && [ -s "$completions/$shell" ] \
            || { rm -rf "$completions"; die "$HANDOFF --generate-completion-script $shell failed; run it to see why"; }
    done
    install_file "$completions/bash" "$BASH_COMPLETIONS/handoff" 644
    zsh_before=$CHANGES
    install_file "$completions/zsh" "$ZSH_FUNCTIONS/_handoff" 644
    # zsh searches no folder of the user's by default: say the one line that makes it.
    if [ "$CHANGES" != "$zsh_before" ] && [ "$PREFIX" = "$HOME/.local" ]; then
        say "  (zsh: add  fpath=($ZSH_FUNCTIONS \$fpath)  before compinit in ~/.zshrc to complete handoff)"
    fi
    install_file "$completions/fish" "$FISH_COMPLETIONS/handoff.fish" 644
    rm -rf "$completions"
fi

# ---------------------------------------------------------------------------------------------
# Agent hooks in settings.json, the MCP server and the handover commands /handoff:dump and
# /handoff:handoff-end in ~/.claude/commands/handoff/: all `handoff install --claude`, which copies
# the commands from the plugin folder installed above ($SHARE, beside $BIN).

if [ "$CLAUDE" = 1 ]; then
    case "$SCOPE" in
        user) settings=$HOME/.claude/settings.json; where=$HOME ;;
        project) settings=$TARGET/.claude/settings.json; where=$TARGET ;;
        local) settings=$TARGET/.claude/settings.local.json; where=$TARGET ;;
    esac
    if [ "$DRY" = 1 ] && ! installed; then
        changed "would register the agent hooks in $settings (handoff install --claude --scope $SCOPE)"
    else
        COMMANDS=$HOME/.claude/commands/handoff
        claude_files() { fingerprint "$settings" "$settings.pre-handoff" "$COMMANDS/dump.md" "$COMMANDS/handoff-end.md"; }
        before=$(claude_files)
        out=$(cd "$where" && "$HANDOFF" install --claude --scope "$SCOPE" --bin-dir "$BIN" $dry 2>&1)
        status=$?
        printf '%s\n' "$out" | sed 's/^/  /'
        if [ $status -ne 0 ]; then
            die "agent hooks not registered: $(printf '%s' "$out" | grep '^handoff:' | tail -n 1 | sed 's/^handoff: //')"
        fi
        if [ "$DRY" = 0 ] && [ "$before" != "$(claude_files)" ]; then
            CHANGES=$((CHANGES + 1))
            if [ "$SCOPE" = user ]; then record "settings user"; else record "settings $SCOPE $TARGET"; fi
        elif [ "$DRY" = 1 ] && printf '%s' "$out" | grep -q '^  - .*\(registered "\|updated\|created\|removed a duplicate\|would install\|would replace\)'; then
            CHANGES=$((CHANGES + 1))
        fi
    fi
fi

# ---------------------------------------------------------------------------------------------
# The other agents: each only where it is in use (its home exists). The merge, the trust and the
# skills are Swift (`handoff install --<agent>`); install.sh decides which, records what changed
# (the files' fingerprints) and prints what handoff said.

# register_agent FLAG NAME HOME FILE...: `handoff install --FLAG --scope user` when HOME exists;
# FILE... are the files that install may change (their fingerprints tell whether it did).
register_agent() {
    flag=$1 name=$2 home=$3
    shift 3
    [ -d "$home" ] || return 0
    if [ "$DRY" = 1 ] && ! installed; then
        changed "would register the hooks with $name in $home (handoff install --$flag)"
        return 0
    fi
    before=$(fingerprint "$@")
    out=$(cd "$HOME" && "$HANDOFF" install --"$flag" --scope user --bin-dir "$BIN" $dry 2>&1)
    status=$?
    printf '%s\n' "$out" | sed 's/^/  /'
    if [ $status -ne 0 ]; then
        die "$name hooks not registered: $(printf '%s' "$out" | grep '^handoff:' | tail -n 1 | sed 's/^handoff: //')"
    fi
    if [ "$DRY" = 0 ] && [ "$before" != "$(fingerprint "$@")" ]; then
        CHANGES=$((CHANGES + 1))
        record "$flag user"
    elif [ "$DRY" = 1 ] && printf '%s' "$out" | grep -q '^  - .*\(registered\|updated\|recorded\)'; then
        CHANGES=$((CHANGES + 1))
    fi
}

codex_home=${CODEX_HOME:-$HOME/.codex}
[ "$CODEX" = 1 ] && register_agent codex Codex "$codex_home" "$codex_home/hooks.json" "$codex_home/config.toml"
[ "$GROK" = 1 ] && register_agent grok "Grok Build" "$HOME/.grok" "$HOME/.grok/hooks/handoff.json"
vibe_home=${VIBE_HOME:-$HOME/.vibe}
[ "$VIBE" = 1 ] && register_agent vibe "Mistral Vibe" "$vibe_home" "$vibe_home/hooks.toml"
[ "$OPENHANDS" = 1 ] && register_agent openhands OpenHands "$HOME/.openhands" "$HOME/.openhands/hooks.json"

# ---------------------------------------------------------------------------------------------
# Git hooks in the target repository

if [ -n "$TARGET" ]; then
    hooks_dir=$(cd "$TARGET" && git rev-parse --path-format=absolute --git-path hooks 2>/dev/null) || hooks_dir=$TARGET/.git/hooks
    if [ "$DRY" = 1 ] && ! installed; then
        changed "would install the git hooks in $hooks_dir and create $TARGET/.handoff (handoff install --git)"
    else
        had_store=0
        [ -d "$TARGET/.handoff" ] && had_store=1
        # Every file `handoff install --git` may write: its entries (and the hooks they keep), the
        # marker of a hooks folder it created, and husky's scripts when husky runs the hooks.
        hook_files() {
            for hook in post-commit post-merge pre-push; do
                printf '%s\n' "$hooks_dir/$hook" "$hooks_dir/$hook.pre-handoff" "$TARGET/.husky/$hook" "${hooks_dir%/_}/$hook"
            done
            printf '%s\n' "$hooks_dir/.handoff-created"
        }
        before=$(hook_files | while IFS= read -r f; do fingerprint "$f"; done)
        out=$(cd "$TARGET" && "$HANDOFF" install --git --bin-dir "$BIN" $dry 2>&1)
        status=$?
        printf '%s\n' "$out" | sed 's/^/  /'
        [ $status -eq 0 ] || die "git hooks not installed in $TARGET: $(printf '%s' "$out" | tail -n 1 | sed 's/^ *- //; s/^handoff: //')"
        if [ "$DRY" = 0 ]; then
            if [ "$before" != "$(hook_files | while IFS= read -r f; do fingerprint "$f"; done)" ]; then
                CHANGES=$((CHANGES + 1))
                record "repo $TARGET"
            fi
            if [ $had_store = 0 ] && [ -d "$TARGET/.handoff" ]; then
                CHANGES=$((CHANGES + 1))
                record "repo $TARGET"
                record "store $(store_sum "$TARGET") $TARGET"
            fi
        elif printf '%s' "$out" | grep -q '^  - .*\(installed\|updated\|kept\|created\)'; then
            CHANGES=$((CHANGES + 1))
        fi
    fi
fi

# ---------------------------------------------------------------------------------------------
# Proof run on a scratch repository (no repository to install into)

prove() {
    proof=$(mktemp -d "${TMPDIR:-/tmp}/handoff-proof.XXXXXX") || die "cannot create a temporary folder for the proof run; set TMPDIR to a writable folder"
    trap 'rm -rf "$proof"' EXIT
    trap 'rm -rf "$proof"; exit 130' INT
    trap 'rm -rf "$proof"; exit 143' TERM
    (
        # The proof must not be switched off or redirected by the caller's environment.
        unset HANDOFF_DISABLED HANDOFF_GATE GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE CLAUDE_PROJECT_DIR CLAUDE_CODE_SESSION_ID
        # Nor may it add the scratch repository to the user's list of opted-in repositories.
        export XDG_STATE_HOME="$proof/state"
        repo=$proof/repo remote=$proof/remote.git sid=handoff-proof-$$
        fail() { printf 'install.sh: the proof run failed at %s: %s; run "handoff doctor" for the cause\n' "$1" "$2" >&2; exit 1; }
        git init -q --bare "$remote" || fail "git init" "cannot create a bare remote"
        git init -q "$repo" || fail "git init" "cannot create the scratch repository"
        cd "$repo" || exit 1
        git symbolic-ref HEAD refs/heads/main
        # Local settings only, so the user's global git config (signing, a global core.hooksPath) cannot interfere.
        git config user.name "handoff proof" && git config user.email proof@example.invalid
        git config commit.gpgsign false && git config core.hooksPath .git/hooks
        git remote add origin "$remote"
        printf 'hello\n' >README.md && git add README.md && git commit -q -m "initial commit" || fail "the first commit" "git commit failed"
        git push -q -u origin main 2>/dev/null || fail "the first push" "git push to $remote failed"

        say ""
        say "Proof run in a scratch repository ($repo):"
        "$HANDOFF" install --git --bin-dir "$BIN" >/dev/null 2>"$proof/err" || fail "handoff install --git" "$(tail -n 1 "$proof/err")"
        say "  1. git hooks installed, .handoff/ created"

        payload() { printf '{"session_id":"%s","transcript_path":"%s","cwd":"%s","hook_event_name":"%s"%s}' "$sid" "$proof/transcript.jsonl" "$repo" "$1" "$2"; }
        payload SessionStart ',"source":"startup"' | CLAUDE_PROJECT_DIR=$repo "$HANDOFF" hook session >/dev/null 2>"$proof/err" \
            || fail "SessionStart" "$(tail -n 1 "$proof/err")"
        say "  2. agent session started (SessionStart)"

        printf 'a change\n' >>README.md && git commit -q -am "proof: change README" || fail "the commit" "git commit failed"
        say "  3. committed (post-commit hook)"
        git push -q origin main 2>"$proof/err" || fail "the push" "$(tail -n 1 "$proof/err")"
        say "  4. pushed to a local bare remote (pre-push hook)"

        out=$(payload Stop ',"stop_hook_active":false,"last_assistant_message":"All done."' | CLAUDE_PROJECT_DIR=$repo "$HANDOFF" hook stop-gate 2>"$proof/err")
        case "$out" in *'"block"'*) ;; *) fail "the first stop" "the stop gate did not block a session without a handover (it answered: ${out:-nothing})" ;; esac
        say "  5. stop without a handover: BLOCKED"
        reflection='## Framework Reflection\n**Outcome**: success\n**Accomplishments**: changed README.md, committed and pushed it\n**Friction points**: none\n**Next step**: none'
        out=$(payload Stop ",\"stop_hook_active\":true,\"last_assistant_message\":\"$reflection\"" | CLAUDE_PROJECT_DIR=$repo "$HANDOFF" hook stop-gate 2>"$proof/err")
        case "$out" in *'"block"'*) fail "the second stop" "the stop gate blocked after a complete reflection: $out" ;; esac
        say "  6. stop after a Framework Reflection: released"
        payload PreCompact ',"trigger":"manual","custom_instructions":null' | CLAUDE_PROJECT_DIR=$repo "$HANDOFF" hook compact >/dev/null 2>"$proof/err" \
            || fail "PreCompact" "$(tail -n 1 "$proof/err")"
        say "  7. compaction snapshot taken (PreCompact)"
        say ""
        say "What the hooks recorded (handoff events):"
        "$HANDOFF" events 2>&1 | sed 's/^/  /'
    ) || exit 1
    rm -rf "$proof"
    trap - EXIT INT TERM
    say "The scratch repository was removed."
}

if [ -z "$TARGET" ] && [ "$PROOF" = 1 ]; then
    if [ "$DRY" = 1 ]; then
        say "would prove the installation on a scratch repository in ${TMPDIR:-/tmp} (removed afterwards)"
    else
        prove
    fi
fi

# ---------------------------------------------------------------------------------------------

say ""
if [ "$DRY" = 1 ]; then
    [ "$CHANGES" = 0 ] && say "Dry run: nothing would change; handoff is already installed in $PREFIX." \
        || say "Dry run: $CHANGES change(s) listed above; nothing was changed."
elif [ "$CHANGES" = 0 ]; then
    say "Nothing changed: handoff is already installed in $PREFIX."
else
    say "Done: $CHANGES change(s). Check with: $HANDOFF doctor${TARGET:+ (in $TARGET)}. Undo with: ./install.sh --uninstall${PREFIX_OPT:+ --prefix $PREFIX}"
fi
exit 0
