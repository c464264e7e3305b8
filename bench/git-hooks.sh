#!/bin/sh
# Time added to `git commit` by handoff's post-commit hook and to `git push` (to a local bare
# remote) by its pre-push hook, against the same operation with no hook, on a small repository and
# on one of 100,000 files. Target: at most 10 ms added (median).
#
#   bench/git-hooks.sh              # build release, run, print medians
#   RUNS=50 bench/git-hooks.sh      # more runs
#   SKIP_LARGE=1 bench/git-hooks.sh # small repository only (SKIP_SMALL=1: large only)
#
# The 100,000-file repository is generated once by bench/make-large-repo.sh and cached in
# bench/.cache/large-repo (git-ignored; LARGE_REPO=dir uses another copy). Each run works on a
# fresh clone of it, so the cache is never modified.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/bench/.cache"
SCRATCH=${SCRATCH:-"$ROOT/.build-bench"}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
LARGE_FILES=100000

if ! command -v hyperfine >/dev/null 2>&1; then
    echo "hyperfine is missing; installing it with apt-get" >&2
    apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
fi

# The Swift runtime linked statically, as a release of the hooks should be: it saves the loading
# and binding of libswiftCore and friends (≈2.5 ms a hook run). STATIC_STDLIB=0 measures without.
STATIC_FLAG=--static-swift-stdlib
[ "${STATIC_STDLIB:-1}" = 0 ] && STATIC_FLAG=
echo "building release products in $SCRATCH ${STATIC_FLAG:-(dynamic Swift runtime)}" >&2
for product in handoff; do
    swift build -c release $STATIC_FLAG --scratch-path "$SCRATCH" --package-path "$ROOT" --product "$product" >/dev/null
done
BIN=$(swift build -c release $STATIC_FLAG --scratch-path "$SCRATCH" --package-path "$ROOT" --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/handoff-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE" "$WORK/home" "$WORK/no-hooks"

# A clean, fixed git setup: no user or system config, no inherited GIT_* or HANDOFF_* variables.
for name in $(env | sed -n 's/^\(GIT_[A-Za-z_]*\)=.*/\1/p; s/^\(HANDOFF_[A-Za-z_]*\)=.*/\1/p; s/^\(CLAUDE[A-Za-z_]*\)=.*/\1/p'); do
    unset "$name"
done
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1
git config --global user.name "Bench"
git config --global user.email "bench@example.invalid"
git config --global init.defaultBranch main

# The hook entries exactly as `handoff install --git` writes them (without the store creation,
# which setup does with the same library call through the entry's first commit below).
install_hooks() { # <repo> <hooks dir>
    mkdir -p "$2"
    for hook in post-commit pre-push; do
        sed "s|@HANDOFF_BINARY@|'$BIN/handoff'|" "$ROOT/hooks/git/$hook" >"$2/$hook"
        chmod 755 "$2/$hook"
    done
}

make_small() { # <dir>
    git init -q "$1"
    for i in 1 2 3 4 5 6 7 8 9 10; do echo "file $i" >"$1/f$i.txt"; done
    git -C "$1" add -A && git -C "$1" commit -q -m "small repository"
}

make_large() { # <dir>: 100,000 files in 1,000 folders
    # The suite's shared generator (5,000 commits of history) when present; else a one-commit tree.
    if [ -x "$ROOT/bench/make-large-repo.sh" ]; then
        "$ROOT/bench/make-large-repo.sh" "$1" >&2
        return
    fi
    git init -q "$1"
    python3 - "$1" "$LARGE_FILES" <<'EOF'
import os, sys
root, total = sys.argv[1], int(sys.argv[2])
per = 100
for d in range(total // per):
    folder = os.path.join(root, "src", f"m{d:04d}")
    os.makedirs(folder, exist_ok=True)
    for f in range(per):
        with open(os.path.join(folder, f"f{f:03d}.txt"), "w") as out:
            out.write(f"module {d} file {f}\n")
EOF
    git -C "$1" add -A && git -C "$1" commit -q -m "large repository"
}

# prepare_repo <name> <maker>: a working copy with handoff's store and hooks, and a bare remote.
prepare_repo() {
    name=$1
    cached="$CACHE/$name"
    [ "$name" = large ] && cached="${LARGE_REPO:-$CACHE/large-repo}"
    if [ ! -d "$cached/.git" ] || { [ "$name" = large ] && [ -x "$ROOT/bench/make-large-repo.sh" ] && [ ! -f "$cached/.git/bench-complete" ]; }; then
        echo "generating the $name repository in $cached (once)" >&2
        rm -rf "$cached"
        $2 "$cached"
    fi
    repo="$WORK/$name"
    git clone -q "$cached" "$repo"
    git -C "$repo" remote remove origin
    git clone -q --bare "$repo" "$WORK/$name-remote.git"
    git -C "$repo" remote add origin "$WORK/$name-remote.git"
    git -C "$repo" fetch -q origin
    install_hooks "$repo" "$WORK/$name-hooks"
    # Store: created as `handoff init` would, through the kit (the opt-in autoinit path).
    git -C "$repo" config handoff.autoinit true
    git -C "$repo" -c core.hooksPath="$WORK/$name-hooks" commit -q --allow-empty -m "store created by the hook"
    git -C "$repo" config --unset handoff.autoinit
    test -d "$repo/.handoff" || { echo "setup failed: no .handoff in $repo" >&2; exit 1; }
    git -C "$repo" -c core.hooksPath="$WORK/no-hooks" push -q origin main
}

# An agent session that owns state.json: the commit hook then also updates the runtime file and
# state.json under the store lock (the heavier path).
start_session() { # <repo>
    mkdir -p "$1/.handoff/runtime"
    now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
    printf '{"session_id":"bench-session","started_at":"%s","hostname":"bench"}\n' "$now" >"$1/.handoff/runtime/bench-session.json"
    python3 - "$1/.handoff/state.json" <<'EOF'
import json, sys
path = sys.argv[1]
state = json.load(open(path))
state["session_id"] = "bench-session"
json.dump(state, open(path, "w"), indent=2)
EOF
}

median() { # <json> <index>
    python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"]*1000))' "$1" "$2"
}

RESULTS="$WORK/results.txt"
: >"$RESULTS"

# compare <label> <repo> <prepare> <command with HOOKS placeholder>
compare() {
    label=$1 repo=$2 prepare=$3 command=$4
    json="$WORK/$label.json"
    base=$(printf '%s' "$command" | sed "s|HOOKS|$WORK/no-hooks|")
    hooked=$(printf '%s' "$command" | sed "s|HOOKS|$WORK/$(basename "$repo")-hooks|")
    (cd "$repo" && hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
        --prepare "$prepare" --export-json "$json" \
        -n "no hook" "$base" -n "handoff" "$hooked" >&2)
    a=$(median "$json" 0) b=$(median "$json" 1)
    python3 -c 'import sys; a,b=float(sys.argv[2]),float(sys.argv[3]); print("%-34s no hook %7.2f ms   handoff %7.2f ms   added %+6.2f ms   ratio %.2f" % (sys.argv[1], a, b, b-a, b/a))' "$label" "$a" "$b" | tee -a "$RESULTS"
}

run_suite() { # <name>
    repo="$WORK/$1"
    # Each timed commit changes one tracked file, staged by the (untimed) prepare step.
    compare "$1: git commit" "$repo" \
        "sh -c 'date +%s%N >>\"$repo/bench-touch.txt\" && git -C \"$repo\" add bench-touch.txt'" \
        "git -c core.hooksPath=HOOKS commit -q -m bench"
    start_session "$repo"
    compare "$1: git commit, session active" "$repo" \
        "sh -c 'date +%s%N >>\"$repo/bench-touch.txt\" && git -C \"$repo\" add bench-touch.txt'" \
        "git -c core.hooksPath=HOOKS commit -q -m bench"
    # Each timed push sends one new commit, made by the prepare step without hooks.
    compare "$1: git push (local bare remote)" "$repo" \
        "git -C $repo -c core.hooksPath=$WORK/no-hooks commit -q --allow-empty -m push-bench" \
        "git -c core.hooksPath=HOOKS push -q origin main"
}

if [ "${SKIP_SMALL:-0}" != 1 ]; then
    prepare_repo small make_small
    run_suite small
fi
if [ "${SKIP_LARGE:-0}" != 1 ]; then
    prepare_repo large make_large
    echo "large repository: $(git -C "$WORK/large" ls-files | wc -l) tracked files" >&2
    run_suite large
fi

echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); $(git --version); runs=$RUNS"
cat "$RESULTS"
