#!/usr/bin/env bash
# Generates the large inputs the benchmark reads, cached in bench/.cache/ (git-ignored):
#
#   events-1m.jsonl        1,000,000 events in the store's own format (~190 MB): tool runs, file edits,
#                          commits and stops of 500 earlier sessions (none of them the benchmarked one)
#   transcript-200mb.jsonl a Claude Code transcript of ~200 MB: user/tool_result and assistant lines,
#                          ending with an assistant message that carries a Framework Reflection
#   transcript-small.jsonl the same last turn alone (a few lines)
#   events-1m-store/       the same 1,000,000 events laid out as a store keeps them after rotation
#
#   bench/make-data.sh [CACHE]     (default: bench/.cache)
# Written by awk in a few seconds; deterministic; existing files are kept.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-"$here/.cache"}
mkdir -p "$cache"

if [ ! -s "$cache/events-1m.jsonl" ]; then
    awk 'BEGIN {
        base = 1700000000
        for (i = 0; i < 1000000; i++) {
            t = base + int(i / 4)
            ts = strftime("%Y-%m-%dT%H:%M:%S", t, 1) sprintf(".%03dZ", i % 1000)
            s = sprintf("bench-old-%04d", int(i / 2000))
            k = i % 10
            if (k < 6) {
                printf "{\"ts\":\"%s\",\"type\":\"tool\",\"session\":\"%s\",\"tool\":\"Bash\",\"command\":\"grep -rn pattern Sources/Module%d | head -n %d\",\"exit_code\":0,\"class\":\"other\",\"ok\":true}\n", ts, s, i % 97, i % 50
            } else if (k < 9) {
                printf "{\"ts\":\"%s\",\"type\":\"file_edit\",\"session\":\"%s\",\"tool\":\"Edit\",\"paths\":[\"Sources/Module%d/File%d.swift\"]}\n", ts, s, i % 97, i % 31
            } else {
                printf "{\"ts\":\"%s\",\"type\":\"commit\",\"session\":\"%s\",\"sha\":\"%040x\",\"short\":\"%07x\",\"subject\":\"change number %d\",\"branch\":\"main\",\"detached\":false,\"parents\":1,\"files_changed\":2,\"insertions\":10,\"deletions\":3,\"author_time\":\"%s\"}\n", ts, s, i, i, i, ts
            }
        }
    }' > "$cache/events-1m.jsonl.tmp"
    mv "$cache/events-1m.jsonl.tmp" "$cache/events-1m.jsonl"
fi

# The same million events as a store keeps them: the log rotates into sessions/ once it reaches 32 MiB
# (HandoffStore.eventLogCap), so the live events.jsonl holds the newest 170,000 (~31 MB) and five
# rotated files hold the rest.
if [ ! -s "$cache/events-1m-store/events.jsonl" ]; then
    rm -rf "$cache/events-1m-store"
    mkdir -p "$cache/events-1m-store/sessions"
    head -n 830000 "$cache/events-1m.jsonl" | split -l 166000 -d -a 1 - "$cache/events-1m-store/sessions/part-"
    n=0
    for part in "$cache/events-1m-store/sessions"/part-*; do
        mv "$part" "$cache/events-1m-store/sessions/events-$((1700000000000 + n * 1000))-1.jsonl"
        n=$((n + 1))
    done
    tail -n 170000 "$cache/events-1m.jsonl" > "$cache/events-1m-store/events.jsonl.tmp"
    mv "$cache/events-1m-store/events.jsonl.tmp" "$cache/events-1m-store/events.jsonl"
fi

# The last turn: a user prompt, a tool call and its result, then the final assistant text
# (two text blocks of one message id, as Claude Code writes them, one a line).
last_turn() {
    cat <<'EOF'
{"type":"user","message":{"role":"user","content":"please finish and hand over"},"uuid":"u-last","sessionId":"bench-session"}
{"type":"assistant","message":{"id":"msg_last","role":"assistant","content":[{"type":"tool_use","id":"toolu_last","name":"Bash","input":{"command":"git status"}}]},"uuid":"a-last-0"}
{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_last","content":"nothing to commit, working tree clean"}]},"uuid":"u-last-1"}
{"type":"assistant","message":{"id":"msg_final","role":"assistant","content":[{"type":"text","text":"All work is committed and pushed."}]},"uuid":"a-last-1"}
{"type":"assistant","message":{"id":"msg_final","role":"assistant","content":[{"type":"text","text":"## Framework Reflection\n**Outcome**: success\n**Accomplishments**: benchmarked every hook\n**Friction points**: none\n**Next step**: none"}]},"uuid":"a-last-2"}
{"type":"system","subtype":"stop_hook_summary","hookErrors":[],"uuid":"s-last"}
EOF
}

if [ ! -s "$cache/transcript-200mb.jsonl" ]; then
    {
        awk 'BEGIN {
            pad = ""
            for (j = 0; j < 60; j++) pad = pad "lorem ipsum dolor sit amet "   # ~1.6 KB of text
            target = 200 * 1024 * 1024
            written = 0
            for (i = 0; written < target; i++) {
                if (i % 2 == 0) {
                    line = sprintf("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_%08d\",\"content\":\"%s\"}]},\"uuid\":\"u-%08d\",\"sessionId\":\"bench-session\"}", i, pad, i)
                } else {
                    line = sprintf("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_%08d\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"step %d: %s\"}]},\"uuid\":\"a-%08d\",\"sessionId\":\"bench-session\"}", i, i, substr(pad, 1, 400), i)
                }
                print line
                written += length(line) + 1
            }
        }'
        last_turn
    } > "$cache/transcript-200mb.jsonl.tmp"
    mv "$cache/transcript-200mb.jsonl.tmp" "$cache/transcript-200mb.jsonl"
fi

if [ ! -s "$cache/transcript-small.jsonl" ]; then
    last_turn > "$cache/transcript-small.jsonl"
fi

ls -l "$cache"/events-1m.jsonl "$cache"/transcript-200mb.jsonl "$cache"/transcript-small.jsonl | awk '{ printf "data: %s %.0f MB\n", $9, $5 / 1048576 }'
