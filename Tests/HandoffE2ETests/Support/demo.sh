#!/usr/bin/env bash
# End-to-end demo: real Claude Code CLI (headless, -p) against the loopback
# fake Messages server, with a Stop hook that blocks once and then allows.
#
#   Tests/HandoffE2ETests/Support/demo.sh
#
# Env: CLAUDE_BIN (default: `claude` on PATH, else the claude-agent-sdk bundled
# binary), KEEP=1 keeps the temp dir.  Everything lives under one mktemp dir
# in /tmp; every wait is bounded.  Takes ~3 s.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVER="$HERE/fake_messages_server.py"
BUNDLED=/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/claude_agent_sdk/_bundled/claude
CLAUDE_BIN="${CLAUDE_BIN:-$(command -v claude || echo "$BUNDLED")}"
[ -x "$CLAUDE_BIN" ] || { echo "claude CLI not found (set CLAUDE_BIN)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/handoff-e2e-demo.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "(kept $WORK)"; fi
}
trap cleanup EXIT

mkdir -p "$WORK/home" "$WORK/repo" "$WORK/cap"

# --- a throw-away git repository -------------------------------------------
git -C "$WORK/repo" init -q
git -C "$WORK/repo" config user.email demo@example.invalid
git -C "$WORK/repo" config user.name demo
echo "hello" > "$WORK/repo/README"
git -C "$WORK/repo" add README
git -C "$WORK/repo" commit -qm "initial"

# --- the scripted model -----------------------------------------------------
cat > "$WORK/script.json" <<'EOF'
{
  "rules": [
    {"when_contains": "commit the change", "times": 1,
     "reply": {"text": "Committing.", "bash": "echo more >> README && git commit -qam 'demo change' && git log --oneline -1"}},
    {"when_contains": "HANDOVER-MISSING", "times": 1,
     "reply": {"text": "Handover written; now I am done."}},
    {"reply": {"text": "Done: committed the change."}}
  ],
  "default": {"text": "Done."}
}
EOF

# --- hooks: Stop blocks once (stop_hook_active false) then allows -----------
cat > "$WORK/stop_hook.py" <<'EOF'
#!/usr/bin/env python3
import json, os, sys
raw = sys.stdin.read()
data = json.loads(raw)
cap = os.environ["DEMO_CAP"]
n = len([f for f in os.listdir(cap) if f.startswith("Stop-")])
with open(os.path.join(cap, "Stop-%d.json" % n), "w") as fh:
    fh.write(raw)
if not data.get("stop_hook_active"):
    print(json.dumps({"decision": "block",
                      "reason": "HANDOVER-MISSING: write the handover before stopping."}))
sys.exit(0)
EOF
cat > "$WORK/record_hook.sh" <<'EOF'
#!/usr/bin/env bash
# $1 = event label; stores stdin as $DEMO_CAP/<label>-<n>.json
n=$(ls "$DEMO_CAP" | grep -c "^$1-" || true)
cat > "$DEMO_CAP/$1-$n.json"
EOF
chmod +x "$WORK/stop_hook.py" "$WORK/record_hook.sh"
cat > "$WORK/settings.json" <<EOF
{"hooks": {
  "Stop":         [{"hooks": [{"type": "command", "command": "python3 $WORK/stop_hook.py", "timeout": 10}]}],
  "SessionStart": [{"hooks": [{"type": "command", "command": "$WORK/record_hook.sh SessionStart"}]}],
  "PostToolUse":  [{"matcher": "Bash", "hooks": [{"type": "command", "command": "$WORK/record_hook.sh PostToolUse"}]}],
  "SessionEnd":   [{"hooks": [{"type": "command", "command": "$WORK/record_hook.sh SessionEnd"}]}]
}}
EOF

# --- start the server, wait (bounded) for "PORT <n>" ------------------------
python3 "$SERVER" "$WORK/script.json" "$WORK/requests.jsonl" 60 > "$WORK/server.out" 2> "$WORK/server.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 50); do
  PORT="$(awk '/^PORT /{print $2; exit}' "$WORK/server.out" 2>/dev/null || true)"
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "server did not start" >&2; cat "$WORK/server.err" >&2; exit 1; }
echo "fake server on 127.0.0.1:$PORT (pid $SERVER_PID)"

# --- run claude headless ----------------------------------------------------
START=$(date +%s)
set +e
( cd "$WORK/repo" && env -u CLAUDECODE -u CLAUDE_CODE_ENTRYPOINT \
    HOME="$WORK/home" DEMO_CAP="$WORK/cap" \
    ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY=test \
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
    timeout 60 "$CLAUDE_BIN" -p "please commit the change" \
      --output-format json --allowedTools Bash --settings "$WORK/settings.json" \
    > "$WORK/claude.json" 2> "$WORK/claude.err" )
RC=$?
set -e
echo "claude exit code $RC after $(( $(date +%s) - START )) s"

# --- show what happened -----------------------------------------------------
for f in $(ls "$WORK/cap" | sort -t- -k2n); do
  echo "=== hook payload $f"
  python3 -m json.tool "$WORK/cap/$f"
done
echo "=== claude result (selected fields)"
python3 - "$WORK/claude.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({k: r.get(k) for k in ("type", "subtype", "is_error", "result", "num_turns",
                                         "session_id", "stop_reason", "terminal_reason")}, indent=1))
EOF
echo "=== requests seen by the fake server"
python3 - "$WORK/requests.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    msgs = (e.get("body") or {}).get("messages") or []
    tail = []
    for m in reversed(msgs):
        if m.get("role") == "assistant":
            break
        c = m.get("content")
        txt = c if isinstance(c, str) else " | ".join(
            (b.get("text") or str(b.get("content")) or "") for b in c)
        tail.append("%s: %s" % (m["role"], txt[:110].replace("\n", "\\n")))
    print("#%s %s kind=%s rule=%s" % (e["seq"], e["path"], e["kind"], e["rule"]))
    for t in reversed(tail[:2]):
        print("    " + t)
EOF
echo "=== git log"
git -C "$WORK/repo" log --oneline

# --- assertions -------------------------------------------------------------
python3 - "$WORK" <<'EOF'
import json, os, sys
w = sys.argv[1]
stops = sorted(f for f in os.listdir(w + "/cap") if f.startswith("Stop-"))
assert len(stops) == 2, stops
s0 = json.load(open(w + "/cap/Stop-0.json")); s1 = json.load(open(w + "/cap/Stop-1.json"))
assert s0["stop_hook_active"] is False and s1["stop_hook_active"] is True
log = open(w + "/requests.jsonl").read()
assert "Stop hook feedback:\\nHANDOVER-MISSING" in log, "block reason not delivered"
r = json.load(open(w + "/claude.json"))
assert r["result"] == "Handover written; now I am done.", r["result"]
print("DEMO OK")
EOF
