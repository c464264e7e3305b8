#!/bin/sh
# The proof that an installed package works, through what `handoff install` registered:
#
#   package_proof.sh HANDOFF [WORK]
#
# HANDOFF is the installed executable (e.g. ~/.local/bin/handoff, /usr/bin/handoff, <venv>/bin/handoff).
# It runs `handoff install --claude` (the agent hooks into $HOME/.claude/settings.json), makes a
# scratch repository with a local bare remote under WORK (default: a new folder in /tmp, removed
# afterwards), runs `handoff install --git` there, then: a session start, a commit and a push (git's
# hooks), a stop without a handover (must be blocked), a stop after a Framework Reflection (must be
# released) and a compaction (must leave a snapshot) — each agent hook run as the command
# settings.json holds for its event, the way Claude Code runs it (sh -c). It checks each step in
# .handoff/events.jsonl and prints one line per step. Exit 1 at the first step that did not happen.
#
# It registers nothing it does not remove: the caller's uninstall (the package's) must leave HOME as
# it was; the test compares.
set -u

HANDOFF=${1:?usage: package_proof.sh HANDOFF [WORK]}
WORK=${2:-}
fail() { printf 'package_proof.sh: %s\n' "$*" >&2; exit 1; }
[ -x "$HANDOFF" ] || fail "$HANDOFF is not an executable"
[ -n "${HOME:-}" ] || fail "HOME is not set"
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d /tmp/handoff-package-proof.XXXXXX) || fail "cannot create a temporary folder"
    trap 'rm -rf "$WORK"' EXIT
fi
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE HANDOFF_DISABLED HANDOFF_GATE CLAUDE_PROJECT_DIR CLAUDE_CODE_SESSION_ID HANDOFF_SESSION_ID
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

out=$("$HANDOFF" install --claude 2>&1) || fail "handoff install --claude failed: $out"
settings=$HOME/.claude/settings.json
[ -f "$settings" ] || fail "handoff install --claude wrote no $settings: $out"
echo "proof: handoff install --claude registered the agent hooks"

# The command settings.json runs for an event (the first of handoff's entries).
command_for() {
    python3 - "$settings" "$1" <<'EOF'
import json, sys
settings = json.load(open(sys.argv[1]))
for group in settings.get("hooks", {}).get(sys.argv[2], []):
    for hook in group.get("hooks", []):
        if "handoff" in hook.get("command", ""):
            print(hook["command"])
            sys.exit(0)
sys.exit(1)
EOF
}
STOP=$(command_for Stop) || fail "no Stop hook of handoff's in $settings"
SESSION=$(command_for SessionStart) || fail "no SessionStart hook of handoff's in $settings"
COMPACT=$(command_for PreCompact) || fail "no PreCompact hook of handoff's in $settings"

repo=$WORK/repo remote=$WORK/remote.git sid=package-proof-$$
git init -q --bare "$remote" || fail "git init --bare failed"
git init -q "$repo" || fail "git init failed"
cd "$repo" || exit 1
git symbolic-ref HEAD refs/heads/main
git config user.name "package proof" && git config user.email proof@example.invalid && git config commit.gpgsign false
git remote add origin "$remote"
printf 'hello\n' >README.md && git add README.md && git commit -qm "initial commit" || fail "the first commit failed"
git push -q -u origin main 2>/dev/null || fail "the first push failed"
out=$("$HANDOFF" install --git 2>&1) || fail "handoff install --git failed: $out"
echo "proof: handoff install --git installed the git hooks"

events() { cat "$repo/.handoff/events.jsonl" 2>/dev/null; }
has_event() { events | grep -q "\"type\":\"$1\"" ; }
payload() { printf '{"session_id":"%s","transcript_path":"%s","cwd":"%s","hook_event_name":"%s"%s}' "$sid" "$WORK/transcript.jsonl" "$repo" "$1" "$2"; }
hook() { CLAUDE_PROJECT_DIR=$repo sh -c "$1"; }

payload SessionStart ',"source":"startup"' | hook "$SESSION" >/dev/null 2>"$WORK/err" || fail "the SessionStart hook failed: $(tail -n 1 "$WORK/err")"
has_event session_start || fail "the SessionStart hook ($SESSION) recorded no session_start"
echo "proof: session started"

printf 'a change\n' >>README.md && git commit -qam "proof: change README" || fail "the commit failed"
has_event commit || fail "the post-commit hook recorded no commit"
echo "proof: committed (post-commit hook recorded it)"
git push -q origin main 2>"$WORK/err" || fail "the push failed: $(tail -n 1 "$WORK/err")"
has_event push || fail "the pre-push hook recorded no push"
echo "proof: pushed (pre-push hook recorded it)"

answer=$(payload Stop ',"stop_hook_active":false,"last_assistant_message":"All done."' | hook "$STOP" 2>"$WORK/err")
case "$answer" in *'"block"'*) ;; *) fail "the stop gate ($STOP) did not block a stop without a handover: ${answer:-no answer} $(tail -n 1 "$WORK/err")" ;; esac
has_event stop_blocked || fail "no stop_blocked event"
echo "proof: a stop without a handover was blocked"

reflection='## Framework Reflection\n**Outcome**: success\n**Accomplishments**: changed README.md, committed and pushed it\n**Friction points**: none\n**Next step**: none'
answer=$(payload Stop ",\"stop_hook_active\":true,\"last_assistant_message\":\"$reflection\"" | hook "$STOP" 2>"$WORK/err")
case "$answer" in *'"block"'*) fail "the stop gate blocked after a complete reflection: $answer" ;; esac
has_event handover || fail "no handover event after the reflection"
echo "proof: a stop after a Framework Reflection was released"

payload PreCompact ',"trigger":"manual","custom_instructions":null' | hook "$COMPACT" >/dev/null 2>"$WORK/err" || fail "the PreCompact hook failed: $(tail -n 1 "$WORK/err")"
has_event compaction || fail "the PreCompact hook ($COMPACT) recorded no compaction"
ls "$repo/.handoff/sessions/" 2>/dev/null | grep -q "$sid" || fail "no snapshot of session $sid in .handoff/sessions/"
echo "proof: compaction snapshot taken"

# Nothing of the proof stays registered in the repository (it is removed with WORK anyway).
"$HANDOFF" uninstall --git >/dev/null 2>&1 || fail "handoff uninstall --git failed in the scratch repository"
echo "proof: done"
