#!/bin/sh
# What sharing handovers costs, and that the cost stays bounded as handovers pile up: 50 handovers
# on 20 branches against 1 handover on 1 branch, through a local bare remote (loopback only).
#
#   bench/share.sh                  # build release, run, print the table
#   RUNS=20 bench/share.sh          # more runs (default 10)
#   BIN=.build/debug bench/share.sh # use an existing build folder instead of building release
#
# Rows (median of RUNS after 2 warm-ups, hyperfine):
#   - a handover with sharing on − off (`handoff end --skip-checks`): the ref writer's cost;
#   - `git push` of a branch when no handover changed, sharing on − off (what every push pays);
#   - `git push` with one changed handover ref (its own connection);
#   - `git fetch` with the handover refspec and nothing new (what every fetch pays);
#   - `handoff pull` with one changed branch;
#   - session start with sharing on (reads the refs already fetched, no network).
# Each at 1 branch/1 handover and at 20 branches/50 handovers. Target: the 20/50 row within 1.5× of
# the 1/1 row (cost bounded by what changed, not by the history), and no row above 150 ms.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-10}
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "hyperfine is missing; installing it with apt-get" >&2
    apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
fi
if [ -z "${BIN:-}" ]; then
    SCRATCH=${SCRATCH:-"$ROOT/.build-bench"}
    echo "building release products in $SCRATCH" >&2
    for product in handoff; do
        swift build -c release --scratch-path "$SCRATCH" --package-path "$ROOT" --product "$product" >/dev/null
    done
    BIN=$(swift build -c release --scratch-path "$SCRATCH" --package-path "$ROOT" --show-bin-path)
fi
BIN=$(cd "$BIN" && pwd)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/handoff-share-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE HANDOFF_SESSION_ID CLAUDE_CODE_SESSION_ID CLAUDECODE 2>/dev/null || true
mkdir -p "$HOME"
git config --global user.name Bench
git config --global user.email bench@example.invalid
git config --global init.defaultBranch main
git config --global advice.detachedHead false

JUDGEMENT='{"severity":"IN_PROGRESS","resume":{"next":"README.md:1 keep going","files":["README.md"],"context":"bench"},"watch_out_for":["none"]}'

# setup NAME BRANCHES HANDOVERS: a bare remote, clone A (sharing on, hooks installed, the handovers
# made round-robin over the branches and pushed) and clone B (sharing on, everything fetched).
setup() {
    dir="$WORK/$1"; mkdir -p "$dir"
    git init -q --bare "$dir/remote.git"
    git clone -q "$dir/remote.git" "$dir/a" 2>/dev/null
    (
        cd "$dir/a"
        echo hello > README.md && git add README.md && git commit -qm initial
        "$BIN/handoff" install --git >/dev/null 2>&1
        "$BIN/handoff" init >/dev/null
        "$BIN/handoff" share on >/dev/null
        git push -q -u origin main 2>/dev/null
        b=1
        while [ "$b" -lt "$2" ]; do git branch -q "topic/$b" main; git push -q origin "topic/$b" 2>/dev/null; b=$((b + 1)); done
        n=0
        while [ "$n" -lt "$3" ]; do
            b=$((n % $2))
            if [ "$b" = 0 ]; then git checkout -q main; else git checkout -q "topic/$b"; fi
            echo "$JUDGEMENT" | HANDOFF_SESSION_ID="bench-$n" "$BIN/handoff" end --skip-checks >/dev/null 2>&1
            n=$((n + 1))
        done
        git checkout -q main
        "$BIN/handoff" push >/dev/null
    )
    git clone -q "$dir/remote.git" "$dir/b" 2>/dev/null
    ( cd "$dir/b" && "$BIN/handoff" install --git >/dev/null 2>&1 && "$BIN/handoff" init >/dev/null && "$BIN/handoff" share on >/dev/null && git fetch -q )
    # A plain clone without sharing, for the "off" side of each difference.
    git clone -q "$dir/remote.git" "$dir/off" 2>/dev/null
    ( cd "$dir/off" && "$BIN/handoff" install --git >/dev/null 2>&1 && "$BIN/handoff" init >/dev/null )
}

median() { python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"; }

# script NAME DIR TEXT → a small sh script that runs TEXT in DIR; prints its path
script() {
    printf 'cd %s || exit 1\n%s\n' "$2" "$3" > "$WORK/$1.sh"
    echo "$WORK/$1.sh"
}

# measure DIR PREPARE COMMAND → the median in ms of COMMAND run in DIR (PREPARE before each run)
measure() {
    prep=$(script prep "$1" "$2")
    cmd=$(script cmd "$1" "$3")
    hyperfine -N --runs "$RUNS" --warmup 2 --prepare "sh $prep" --export-json "$WORK/m.json" "sh $cmd" >/dev/null 2>&1
    median "$WORK/m.json"
}

printf '%s\n' "| what | 1 branch, 1 handover (ms) | 20 branches, 50 handovers (ms) | ratio |" "|---|--:|--:|--:|"
setup small 1 1 >&2
setup large 20 50 >&2
row() {
    ratio=$(python3 -c "print('%.2f' % ($2 / $1) if $1 > 0 else '-')")
    printf '| %s | %s | %s | %s× |\n' "$3" "$1" "$2" "$ratio"
}
END="echo '$JUDGEMENT' | $BIN/handoff end --skip-checks >/dev/null 2>&1"
for scale in small large; do
    d="$WORK/$scale"
    # The same clone (same store, same history) with sharing toggled, so only sharing differs.
    eval "end_off_$scale=\$(measure $d/a 'git config handoff.share false' \"\$END\")"
    eval "end_on_$scale=\$(measure $d/a 'git config handoff.share true' \"\$END\")"
    # A push of an already-pushed branch still runs the pre-push hook (git runs it before deciding).
    eval "push_off_$scale=\$(measure $d/a 'git config handoff.share false' 'git push -q origin main 2>/dev/null')"
    eval "push_on_$scale=\$(measure $d/a 'git config handoff.share true; $BIN/handoff push >/dev/null' 'git push -q origin main 2>/dev/null')"
    eval "push_changed_$scale=\$(measure $d/a \"\$END\" '$BIN/handoff push >/dev/null')"
    eval "fetch_on_$scale=\$(measure $d/b true 'git fetch -q')"
    eval "fetch_off_$scale=\$(measure $d/off true 'git fetch -q')"
    eval "pull_$scale=\$(measure $d/b \"cd $d/a && \$END && $BIN/handoff push >/dev/null\" '$BIN/handoff pull >/dev/null')"
    echo "{\"session_id\":\"bench-start\",\"hook_event_name\":\"SessionStart\",\"source\":\"startup\",\"cwd\":\"$d/b\"}" > "$WORK/start-$scale.json"
    eval "start_$scale=\$(measure $d/b true '$BIN/handoff hook session < $WORK/start-$scale.json >/dev/null')"
done
sub() { python3 -c "print('%.1f' % ($1 - $2))"; }
row "$(sub "$end_on_small" "$end_off_small")" "$(sub "$end_on_large" "$end_off_large")" "handover: sharing on − off (\`handoff end\`)"
row "$(sub "$push_on_small" "$push_off_small")" "$(sub "$push_on_large" "$push_off_large")" "\`git push\`, no handover changed: sharing on − off"
row "$push_changed_small" "$push_changed_large" "\`handoff push\`, one handover ref changed"
row "$(sub "$fetch_on_small" "$fetch_off_small")" "$(sub "$fetch_on_large" "$fetch_off_large")" "\`git fetch\`, nothing new: with the handover refspec − without"
row "$pull_small" "$pull_large" "\`handoff pull\`, one branch changed"
row "$start_small" "$start_large" "session start with sharing on (brief from fetched refs)"
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(git --version), RUNS=$RUNS; load average $(cut -d' ' -f1-3 /proc/loadavg)."
