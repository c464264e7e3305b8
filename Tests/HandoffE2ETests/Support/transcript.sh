#!/usr/bin/env bash
# A real session with the handoff plugin: the pinned Claude Code CLI, headless, against the loopback
# scripted model (fake_messages_server.py), in a scratch repository with handoff's git hooks and a
# local bare remote. The model commits and pushes, says it is done, the stop gate blocks that stop,
# the model prints its Framework Reflection, and the gate releases the next stop.
#
#   Tests/HandoffE2ETests/Support/transcript.sh
#
# It prints what the user would see: the conversation as the model received it (the stop gate's
# block reason arrives as "Stop hook feedback: …"), the reflection that releases the stop, the
# events handoff recorded (stop_blocked, handover, …) and `handoff status` afterwards. The README's
# transcript section is this script's output, trimmed.
#
# Env:
#   HANDOFF_BIN_DIR     folder with the built handoff executables (default: `swift build` in this
#                       checkout, then its bin path)
#   HANDOFF_CLAUDE_BIN  the claude executable (default: Tests/HandoffE2ETests/.claude-cli/…/claude,
#                       installed by: python3 -m pip install -q --no-deps --target
#                       Tests/HandoffE2ETests/.claude-cli claude-agent-sdk==0.2.184)
#   KEEP=1              keep the scratch folder
# Only loopback traffic: ANTHROPIC_BASE_URL is the local server, the API key is a dummy, and
# CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1. Every wait is bounded. Exit status 1 when the session
# did not go as described above.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SERVER="$HERE/fake_messages_server.py"
PLUGIN="$ROOT/hooks/claude"

CLAUDE_BIN="${HANDOFF_CLAUDE_BIN:-$ROOT/Tests/HandoffE2ETests/.claude-cli/claude_agent_sdk/_bundled/claude}"
[ -x "$CLAUDE_BIN" ] || {
    echo "transcript.sh: no Claude Code CLI at $CLAUDE_BIN; install the pinned one with:" >&2
    echo "  python3 -m pip install -q --no-deps --target Tests/HandoffE2ETests/.claude-cli claude-agent-sdk==0.2.184" >&2
    exit 1
}
if [ -z "${HANDOFF_BIN_DIR:-}" ]; then
    swift build --package-path "$ROOT" >&2 || { echo "transcript.sh: swift build failed" >&2; exit 1; }
    HANDOFF_BIN_DIR="$(swift build --package-path "$ROOT" --show-bin-path)"
fi
BIN="$(cd "$HANDOFF_BIN_DIR" && pwd)"
for name in handoff; do
    [ -x "$BIN/$name" ] || { echo "transcript.sh: $BIN/$name is not built" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/handoff-transcript.XXXXXX)"
SERVER_PID=""
cleanup() {
    # SIGKILL: a caller may have started this script with SIGTERM blocked (Foundation's Process
    # does), and the server would inherit that and live until its idle timeout.
    if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "(kept $WORK)"; fi
}
trap cleanup EXIT

# Nothing from the caller's git, handoff or Claude Code setup leaks into the scratch run.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE HANDOFF_DISABLED HANDOFF_GATE HANDOFF_GATE_MAX_BLOCKS HANDOFF_SESSION_ID \
    CLAUDECODE CLAUDE_CODE_ENTRYPOINT CLAUDE_CODE_SESSION_ID CLAUDE_PROJECT_DIR
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
mkdir -p "$HOME"
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

# --- the scripted model -------------------------------------------------------------------------
REFLECTION='## Framework Reflection\n\n**Outcome**: success\n**Accomplishments**: added the 0.2.0 entry to CHANGELOG.md, committed and pushed it\n**Friction points**: none\n**Next step**: none\n\nHandover complete.'
cat > "$WORK/script.json" <<EOF
{"rules": [
  {"when_contains": "changelog entry", "times": 1,
   "reply": {"text": "Adding the entry, then committing and pushing.",
             "bash": "printf '\\\\n## 0.2.0\\\\n- post-merge records merge commits\\\\n' >> CHANGELOG.md && git commit -qam 'Changelog: 0.2.0' && git push -q origin main && git log --oneline -1"}},
  {"when_contains": "Stop hook feedback", "times": 1, "reply": {"text": "$REFLECTION"}}
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
[ -n "$PORT" ] || { echo "transcript.sh: the fake Messages server did not start" >&2; cat "$WORK/server.err" >&2; exit 1; }

PROMPT="add a changelog entry for 0.2.0, commit and push it"
set +e
ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY=dummy-loopback-key \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 HANDOFF_BIN_DIR="$BIN" \
    timeout 90 "$CLAUDE_BIN" -p "$PROMPT" --output-format json --allowedTools Bash \
    --plugin-dir "$PLUGIN" > "$WORK/claude.json" 2> "$WORK/claude.err"
RC=$?
set -e
[ $RC -eq 0 ] || { echo "transcript.sh: claude exited $RC" >&2; cat "$WORK/claude.err" >&2; exit 1; }

# --- what the user sees -------------------------------------------------------------------------
echo "\$ claude -p \"$PROMPT\" --plugin-dir hooks/claude --allowedTools Bash"
echo "  (Claude Code $("$CLAUDE_BIN" --version | awk '{print $1}'), scripted model on 127.0.0.1)"
echo
python3 - "$WORK/requests.jsonl" "$WORK/claude.json" <<'PYEOF'
import json, sys

requests = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
main = [r for r in requests if r.get("kind") == "main"]
result = json.load(open(sys.argv[2]))

def text_of(content):
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        kind = block.get("type")
        if kind == "text":
            parts.append(block["text"])
        elif kind == "tool_use":
            parts.append("[Bash] " + block["input"].get("command", ""))
        elif kind == "tool_result":
            inner = block.get("content")
            parts.append("[result] " + (text_of(inner) if inner is not None else ""))
    return "\n".join(parts)

def show(who, text):
    lines = text.rstrip("\n").split("\n")
    print(("%-10s %s" % (who, lines[0])).rstrip())
    for line in lines[1:]:
        print(("%-10s %s" % ("", line)).rstrip())

def system_text(text):
    # Claude Code sends hook output inside role "system" messages, followed by its own environment
    # blocks (after a blank line): keep the hook's part only.
    first = text.split("\n\n")[0]
    return first if " hook " in first else ""

# The last request holds the whole conversation as the model received it; the reply to it (the
# reflection) is the run's result.
messages = main[-1]["body"]["messages"]
for message in messages:
    role, text = message["role"], text_of(message["content"])
    if role == "system":
        text = system_text(text)
        if not text:
            continue
    if role == "user" and text.startswith("<system-reminder>"):
        continue
    show({"user": "user:", "assistant": "assistant:", "system": "system:"}[role], text)
    print()
show("assistant:", result.get("result", ""))
print()
print("(stop released; claude exited with is_error=%s after %s turns)" % (result.get("is_error"), result.get("num_turns")))
PYEOF

echo
echo "\$ handoff events --tail 12"
"$BIN/handoff" events --tail 12
echo
echo "\$ handoff events --type handover --json"
"$BIN/handoff" events --type handover --json
echo
echo "\$ handoff status"
"$BIN/handoff" status
echo
echo "\$ git log --oneline origin/main"
git log --oneline origin/main

# --- the session went as described --------------------------------------------------------------
python3 - "$REPO/.handoff/events.jsonl" "$WORK/requests.jsonl" <<'PYEOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
types = [e["type"] for e in events]
assert types.count("stop_blocked") == 1, types
assert types.count("handover") == 1, types
assert types.index("stop_blocked") < types.index("handover"), types
assert "gate_overridden" not in types, types
assert any(e["type"] == "push" for e in events), types
log = open(sys.argv[2]).read()
assert "Stop hook feedback:\\nhandoff: no handover yet" in log, "the block reason never reached the model"
PYEOF
