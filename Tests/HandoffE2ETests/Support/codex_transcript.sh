#!/usr/bin/env bash
# A real Codex session with handoff's hooks: the pinned Codex CLI, `codex exec` against the loopback
# scripted model (fake_responses_server.py), in a scratch repository with handoff's git hooks and a
# local bare remote, the hooks registered and trusted by `handoff install --codex` (no bypass flag).
# The model commits and pushes, says it is done, the stop gate blocks that stop, the model prints its
# Framework Reflection, and the gate releases the next stop.
#
#   Tests/HandoffE2ETests/Support/codex_transcript.sh
#
# It prints the conversation as the model received it (the block reason arrives as a <hook_prompt>
# user message), the reflection that released the stop, the events handoff recorded and
# `handoff status`. The README's Codex section is this script's output, trimmed.
#
# Env:
#   HANDOFF_BIN_DIR    folder with the built handoff executables (default: `swift build` here)
#   HANDOFF_CODEX_BIN  the codex executable (default: Tests/HandoffE2ETests/.codex-cli/codex_cli_bin/bin/codex,
#                      installed by: python3 -m pip install -q --no-deps --target
#                      Tests/HandoffE2ETests/.codex-cli openai-codex-cli-bin==0.163.0)
#   KEEP=1             keep the scratch folder
# Only loopback traffic. Every wait is bounded. Exit status 1 when the session did not go as described.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SERVER="$HERE/fake_responses_server.py"

CODEX_BIN="${HANDOFF_CODEX_BIN:-$ROOT/Tests/HandoffE2ETests/.codex-cli/codex_cli_bin/bin/codex}"
[ -x "$CODEX_BIN" ] || {
    echo "codex_transcript.sh: no Codex CLI at $CODEX_BIN; install the pinned one with:" >&2
    echo "  python3 -m pip install -q --no-deps --target Tests/HandoffE2ETests/.codex-cli openai-codex-cli-bin==0.163.0" >&2
    exit 1
}
if [ -z "${HANDOFF_BIN_DIR:-}" ]; then
    swift build --package-path "$ROOT" >&2 || { echo "codex_transcript.sh: swift build failed" >&2; exit 1; }
    HANDOFF_BIN_DIR="$(swift build --package-path "$ROOT" --show-bin-path)"
fi
BIN="$(cd "$HANDOFF_BIN_DIR" && pwd)"
for name in handoff; do
    [ -x "$BIN/$name" ] || { echo "codex_transcript.sh: $BIN/$name is not built" >&2; exit 1; }
done

# Codex warns about a CODEX_HOME under /tmp: the scratch folder is in this checkout's .build/.
mkdir -p "$ROOT/.build"
WORK="$(mktemp -d "$ROOT/.build/handoff-codex-transcript.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "(kept $WORK)"; fi
}
trap cleanup EXIT

unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE HANDOFF_DISABLED HANDOFF_GATE HANDOFF_GATE_MAX_BLOCKS HANDOFF_SESSION_ID \
    CLAUDECODE CLAUDE_CODE_ENTRYPOINT CLAUDE_CODE_SESSION_ID CLAUDE_PROJECT_DIR CODEX_THREAD_ID OPENAI_API_KEY OPENAI_BASE_URL
export HOME="$WORK/home" CODEX_HOME="$WORK/home/.codex" GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
mkdir -p "$CODEX_HOME"
git config --global user.name "Ada Example"
git config --global user.email ada@example.invalid
git config --global init.defaultBranch main

# --- a repository with a remote, handoff's git hooks and store ---------------------------------
REPO="$WORK/repo"
git init -q --bare "$WORK/origin.git"
git init -q "$REPO"
cd "$REPO"
printf '# notes\n' > CHANGELOG.md
git add CHANGELOG.md && git commit -qm "Start the changelog"
git remote add origin "$WORK/origin.git"
git push -q -u origin main 2>/dev/null
"$BIN/handoff" install --git --bin-dir "$BIN" > /dev/null

# --- the scripted model, and Codex pointed at it -------------------------------------------------
REFLECTION='## Framework Reflection\n\n**Outcome**: success\n**Accomplishments**: added the 0.2.0 entry to CHANGELOG.md, committed and pushed it\n**Friction points**: none\n**Next step**: none\n\nHandover complete.'
cat > "$WORK/script.json" <<EOF
{"rules": [
  {"when_contains": "changelog entry", "times": 1,
   "reply": {"text": "Adding the entry, then committing and pushing.",
             "shell": "printf '\\\\n## 0.2.0\\\\n- Codex hooks\\\\n' >> CHANGELOG.md && git commit -qam 'Changelog: 0.2.0' && git push -q origin main && git log --oneline -1"}},
  {"when_contains": "no handover yet", "times": 1, "reply": {"text": "$REFLECTION"}}
], "default": {"text": "Done: the changelog entry is committed and pushed."}}
EOF
python3 "$SERVER" "$WORK/script.json" "$WORK/requests.jsonl" 60 > "$WORK/server.out" 2> "$WORK/server.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
    PORT="$(awk '/^PORT /{print $2; exit}' "$WORK/server.out" 2>/dev/null || true)"
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "codex_transcript.sh: the fake Responses server did not start" >&2; cat "$WORK/server.err" >&2; exit 1; }
cat > "$CODEX_HOME/config.toml" <<EOF
model = "scripted-model"
model_provider = "loopback"

[model_providers.loopback]
name = "loopback"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"
env_key = "HANDOFF_LOOPBACK_KEY"
EOF
"$BIN/handoff" install --codex --bin-dir "$BIN" > "$WORK/install.out"

PROMPT="add a changelog entry for 0.2.0, commit and push it"
set +e
# A caller may start this script with signals blocked (Foundation's Process does); a Codex that
# inherits a blocked SIGCHLD never sees its hooks exit, so the mask is cleared first.
HANDOFF_LOOPBACK_KEY=dummy timeout 90 python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])' \
    "$CODEX_BIN" exec --dangerously-bypass-approvals-and-sandbox --color never "$PROMPT" > "$WORK/codex.out" 2> "$WORK/codex.err"
RC=$?
set -e
[ $RC -eq 0 ] || { echo "codex_transcript.sh: codex exited $RC" >&2; cat "$WORK/codex.err" >&2; exit 1; }

# --- what the user sees -------------------------------------------------------------------------
echo "\$ handoff install --codex"
sed "s|$WORK|…|g" "$WORK/install.out" | head -4
echo "  …"
echo
echo "\$ codex exec --dangerously-bypass-approvals-and-sandbox \"$PROMPT\""
echo "  ($("$CODEX_BIN" --version), scripted model on 127.0.0.1; no --dangerously-bypass-hook-trust)"
echo
python3 - "$WORK/requests.jsonl" "$WORK/codex.out" "$WORK" <<'PYEOF'
import json, sys

requests = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
main = [r for r in requests if r.get("kind") == "main"]
final = open(sys.argv[2]).read().strip()

def show(who, text):
    lines = text.replace(sys.argv[3], "…").rstrip("\n").split("\n")
    print(("%-10s %s" % (who, lines[0])).rstrip())
    for line in lines[1:]:
        print(("%-10s %s" % ("", line)).rstrip())
    print()

def texts(item):
    return "\n".join(part.get("text", "") for part in item.get("content") or [] if isinstance(part, dict))

# The last request holds the conversation as the model received it; the reply to it is the result.
for item in main[-1]["body"]["input"]:
    kind, role = item.get("type"), item.get("role")
    if kind == "function_call":
        show("", "[shell] " + json.loads(item["arguments"]).get("cmd", ""))
    elif kind == "function_call_output":
        output = item.get("output", "")
        show("tool:", "[result] " + (output.split("Output:\n", 1)[1] if "Output:\n" in output else output).strip())
    elif role == "developer":
        text = texts(item)
        if text.startswith("handoff"):
            show("developer:", text)
    elif role == "user":
        text = texts(item)
        if not text.startswith("<environment_context>"):
            show("user:", text)
    elif role == "assistant":
        show("assistant:", texts(item))
show("assistant:", final)
print("(stop released; codex exec exited 0)")
PYEOF

echo
echo "\$ handoff events --tail 12"
"$BIN/handoff" events --tail 12 | sed "s|$WORK|…|g"
echo
echo "\$ handoff status"
"$BIN/handoff" status

# --- the session went as described --------------------------------------------------------------
python3 - "$REPO/.handoff/events.jsonl" "$WORK/requests.jsonl" "$WORK/codex.err" <<'PYEOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
types = [e["type"] for e in events]
assert types.count("stop_blocked") == 1, types
assert types.count("handover") == 1, types
assert types.index("stop_blocked") < types.index("handover"), types
assert "gate_overridden" not in types, types
assert any(e["type"] == "push" for e in events), types
assert "<hook_prompt" in open(sys.argv[2]).read(), "the block reason never reached the model"
assert "bypass-hook-trust" not in open(sys.argv[3]).read(), "the hooks ran only because trust was bypassed"
PYEOF
