#!/usr/bin/env bash
# Start-up of every hook: the separate executables (one per hook, before issue #22) against the one
# `handoff` (started under a hook's name through a link, and as `handoff hook <name>`), measured side
# by side in one run: callgrind instruction counts (deterministic) and hyperfine wall times.
#
#   bench/startup.sh OLD_BIN_DIR NEW_HANDOFF [MORE_HANDOFF...]
#
# OLD_BIN_DIR holds handoff-session, handoff-stop-gate, handoff-compact, handoff-post-commit and
# handoff-pre-push of an older revision (e.g. `git worktree add /tmp/old ca53a75 && cd /tmp/old &&
# swift build -c release --static-swift-stdlib`); each NEW_HANDOFF is a one-executable build (e.g.
# .build/release/handoff). Every run starts from a copy of the same prepared repository, so each
# variant does the same work. valgrind 3.19 cannot read the toolchain's DWARF: the executables are
# measured as copies with `strip --strip-debug`.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
OLD="$(cd "$1" && pwd)"; shift
command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 1; }
WORK="$(mktemp -d /tmp/handoff-bench-startup.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
HOOKS="session stop-gate compact post-commit pre-push"

# Variants: name and the command prefix per hook ("{}" is the hook's name).
mkdir -p "$WORK/old"
for hook in $HOOKS; do strip --strip-debug -o "$WORK/old/handoff-$hook" "$OLD/handoff-$hook"; done
VARIANTS=("separate executables")
i=0
for new in "$@"; do
  i=$((i + 1))
  mkdir -p "$WORK/new$i"
  strip --strip-debug -o "$WORK/new$i/handoff" "$new"
  for hook in $HOOKS; do ln -s handoff "$WORK/new$i/handoff-$hook"; done
  VARIANTS+=("$(basename "$new") via link" "$(basename "$new") hook")
done
command_for() { # variant index, hook
  local v=$1 hook=$2
  if [ "$v" = 0 ]; then echo "$WORK/old/handoff-$hook"; return; fi
  local n=$(( (v + 1) / 2 ))
  if [ $((v % 2)) = 1 ]; then echo "$WORK/new$n/handoff-$hook"; else echo "$WORK/new$n/handoff hook $hook"; fi
}

# The prepared repository: 200 files, one commit, a bare remote, opted in, one session started.
TEMPLATE="$WORK/template"
mkdir -p "$TEMPLATE/repo/src"
git init -q --bare "$TEMPLATE/remote.git"
(
  cd "$TEMPLATE/repo"
  git init -q -b main && git config user.email bench@example.invalid && git config user.name bench
  for i in $(seq 1 200); do echo "line $i" > "src/file$i.txt"; done
  git add -A && git commit -qm initial && git remote add origin "$TEMPLATE/remote.git" && git push -q -u origin main
  "$WORK/new1/handoff" init > /dev/null
)
REPO="$WORK/run/repo"
export CLAUDE_PROJECT_DIR="$REPO" HANDOFF_GATE_MAX_BLOCKS=1000000 HANDOFF_HOOK_TIMEOUT=600
p() { printf '{"session_id":"bench","cwd":"%s","hook_event_name":"%s"%s}' "$REPO" "$1" "${2:-}"; }
p SessionStart ',"source":"startup"' > "$WORK/session.json"
p Stop ',"stop_hook_active":false,"last_assistant_message":"Done."' > "$WORK/stop-gate.json"
p PreCompact ',"trigger":"auto","custom_instructions":null' > "$WORK/compact.json"
: > "$WORK/post-commit.json"
fresh() {
  rm -rf "$WORK/run" && mkdir -p "$WORK/run" && cp -a "$TEMPLATE/repo" "$REPO"
  git -C "$REPO" remote set-url origin "$TEMPLATE/remote.git"
  git -C "$REPO" update-index -q --refresh
  echo wip > "$REPO/src/wip.txt"   # something for the stop gate to judge
  # pre-push reads git's ref lines from stdin
  printf 'refs/heads/main %s refs/heads/main %s\n' "$(git -C "$REPO" rev-parse HEAD)" 0000000000000000000000000000000000000000 > "$WORK/pre-push.json"
}
args_for() { case "$1" in pre-push) echo "origin $TEMPLATE/remote.git" ;; *) echo "" ;; esac; }

printf '| hook |'; for v in "${VARIANTS[@]}"; do printf ' %s |' "$v"; done; printf '\n|---|'; for _ in "${VARIANTS[@]}"; do printf -- '--:|'; done; printf '\n'
for hook in $HOOKS; do
  printf '| %s |' "$hook"
  base=""
  for v in "${!VARIANTS[@]}"; do
    fresh
    cmd="$(command_for "$v" "$hook") $(args_for "$hook")"
    n=$(cd "$REPO" && valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd < "$WORK/$hook.json" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    if [ -z "$base" ]; then base=$n; printf ' %.2f M |' "$(echo "$n / 1000000" | bc -l)"
    else printf ' %.2f M (%+.1f %%) |' "$(echo "$n / 1000000" | bc -l)" "$(echo "($n - $base) * 100 / $base" | bc -l)"; fi
  done
  printf '\n'
done

# Wall time: every variant of a hook run in turn (interleaved, so that a change in the machine's
# load hits all alike), RUNS times each (default 40) after 3 warm-up rounds; median and spread
# (interquartile range) in ms. The repository is not reset between runs: each hook appends to the
# same store, as in a session.
fresh
printf '\n| hook (wall, ms, median ± IQR/2) |'; for v in "${VARIANTS[@]}"; do printf ' %s |' "$v"; done; printf '\n|---|'; for _ in "${VARIANTS[@]}"; do printf -- '--:|'; done; printf '\n'
for hook in $HOOKS; do
  cmds=()
  for v in "${!VARIANTS[@]}"; do cmds+=("$(command_for "$v" "$hook") $(args_for "$hook")"); done
  python3 - "$REPO" "$WORK/$hook.json" "${RUNS:-40}" "$hook" "${cmds[@]}" <<'PY'
import subprocess, sys, time, statistics
repo, payload, runs, hook, commands = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
data = open(payload, "rb").read()
times = [[] for _ in commands]
for round in range(runs + 3):
    for i, command in enumerate(commands):
        start = time.perf_counter()
        subprocess.run(command.split(), cwd=repo, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if round >= 3: times[i].append((time.perf_counter() - start) * 1000)
cells = []
for t in times:
    q = statistics.quantiles(t, n=4)
    cells.append(f"{statistics.median(t):.2f} ± {(q[2] - q[0]) / 2:.2f}")
print(f"| {hook} | " + " | ".join(cells) + " |")
PY
done
