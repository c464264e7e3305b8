#!/usr/bin/env python3
"""Loopback fake of the Anthropic Messages API, good enough for Claude Code.

Usage:
    fake_messages_server.py SCRIPT.json REQUEST_LOG.jsonl [IDLE_TIMEOUT_SECONDS]

Standard library only.  Binds 127.0.0.1 on an ephemeral port and prints
``PORT <n>`` as the first line of stdout (flushed), then serves until no
request has arrived for IDLE_TIMEOUT_SECONDS (default 120).

Script file (JSON)::

    {
      "rules": [
        {"when_contains": "substring", "times": 1,
         "reply": {"bash": "git commit -m x", "text": "optional text first",
                   "description": "optional Bash description"}},
        {"reply": {"tool": "Write", "input": {"file_path": "/tmp/x", "content": "hi"}}},
        {"reply": {"text": "done"}}
      ],
      "default": {"text": "OK."}
    }

A bare JSON list is accepted as the "rules" list.  For every *main
conversation* request the first rule whose ``when_contains`` (optional; a
string or a list of strings that must all occur) is a substring of the text
of the LAST user turn (every message after the last assistant message: text
blocks, tool_result contents, system-reminder text, and the role "system"
messages Claude Code 2.1.x interleaves, e.g. hook feedback) and whose ``times`` (optional, default unlimited) is not exhausted
wins; otherwise ``default`` is used (itself defaulting to {"text": "OK."}).
``when_not_contains`` (string or list) excludes a rule when present.

A reply is one of:
    {"text": "..."}                                  plain assistant text, stop_reason end_turn
    {"bash": "cmd", "text": "...", "description": "..."}   tool_use of Bash
    {"tool": "Name", "input": {...}, "text": "..."}  tool_use of any tool
A reply's strings may hold "{{ho_id}}": it is replaced by the last handoff task id
(ho-...) in the last user turn (e.g. the result of an MCP create_task call), so the
scripted model can name a task it just created.
Any reply may add "input_tokens": N (reported in usage; a value close to the
context window, e.g. 990000, makes Claude Code auto-compact before its next
request).

Auxiliary requests (title / topic generation, compaction summaries, quota
probes, ...) are recognised heuristically and answered without consuming
the script.  Every request is appended to REQUEST_LOG as one JSON object per
line: {"seq", "time", "method", "path", "kind", "rule", "body"} where kind is
"main", "compact", "title", "quota", "aux" or "other" and rule is the index
of the rule that fired (null for default / non-main).
"""

import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT_PATH = sys.argv[1] if len(sys.argv) > 1 else None
LOG_PATH = sys.argv[2] if len(sys.argv) > 2 else None
IDLE_TIMEOUT = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0

LOCK = threading.Lock()
STATE = {"last": time.monotonic(), "seq": 0}


def load_script():
    if not SCRIPT_PATH:
        return [], {"text": "OK."}
    with open(SCRIPT_PATH, "r", encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, list):
        return data, {"text": "OK."}
    return list(data.get("rules", [])), data.get("default", {"text": "OK."})


RULES, DEFAULT_REPLY = load_script()
FIRED = [0] * len(RULES)


# --------------------------------------------------------------------------
# request inspection


def block_text(block):
    """Flatten one content block (or a string) to text."""
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return ""
    btype = block.get("type")
    if btype == "text":
        return block.get("text", "")
    if btype == "tool_result":
        content = block.get("content")
        if isinstance(content, list):
            return "\n".join(block_text(b) for b in content)
        return content if isinstance(content, str) else ""
    if btype == "tool_use":
        return json.dumps(block.get("input", {}))
    return ""


def message_text(message):
    content = message.get("content")
    if isinstance(content, list):
        return "\n".join(block_text(b) for b in content)
    return content if isinstance(content, str) else ""


def last_user_text(body):
    """Text of the last user turn: every message after the last assistant
    message (user messages plus the role "system" messages Claude Code
    interleaves, e.g. SessionStart additionalContext or Stop-hook wrappers)."""
    messages = body.get("messages") or []
    tail = []
    for message in reversed(messages):
        if message.get("role") == "assistant":
            break
        tail.append(message)
    return "\n".join(message_text(m) for m in reversed(tail))


def system_text(body):
    system = body.get("system")
    if isinstance(system, list):
        return "\n".join(block_text(b) for b in system)
    return system if isinstance(system, str) else ""


def classify(body):
    """Return the request kind: main / compact / title / quota / aux."""
    last = last_user_text(body)
    system = system_text(body)
    messages = body.get("messages") or []
    low_last = last.lower()
    low_sys = system.lower()
    if "your task is to create a detailed summary of the conversation" in low_last \
            or "summarize this conversation" in low_sys \
            or "helpful ai assistant tasked with summarizing conversations" in low_sys:
        return "compact"
    if len(messages) == 1 and last.strip() == "quota" and body.get("max_tokens", 0) <= 1:
        return "quota"
    if "title" in low_sys and ("session" in low_sys or "conversation" in low_sys) \
            and not body.get("tools"):
        return "title"
    if "new conversation topic" in low_sys or "isnewtopic" in low_sys:
        return "title"
    if not body.get("tools"):
        # Claude Code's main loop always sends tools; tool-less calls are
        # helper prompts (summaries, classification, hook prompts ...).
        return "aux"
    return "main"


def fill_task_id(reply, text):
    """Replaces {{ho_id}} in the reply's strings with the last ho-... id of the user turn."""
    ids = re.findall(r"\bho-[0-9a-z]{4,32}\b", text)
    if not ids:
        return reply
    def fill(value):
        if isinstance(value, str):
            return value.replace("{{ho_id}}", ids[-1])
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value
    return fill(reply)


def pick_reply(body):
    index, reply = choose_reply(body)
    return index, fill_task_id(reply, last_user_text(body))


def choose_reply(body):
    text = last_user_text(body)
    with LOCK:
        for index, rule in enumerate(RULES):
            times = rule.get("times")
            if times is not None and FIRED[index] >= int(times):
                continue
            needles = rule.get("when_contains")
            if needles is not None:
                if isinstance(needles, str):
                    needles = [needles]
                if not all(n in text for n in needles):
                    continue
            excl = rule.get("when_not_contains")
            if excl is not None:
                if isinstance(excl, str):
                    excl = [excl]
                if any(n in text for n in excl):
                    continue
            FIRED[index] += 1
            return index, rule.get("reply", {"text": "OK."})
    return None, DEFAULT_REPLY


def aux_reply(kind, body):
    if kind == "compact":
        return {"text": "<summary>Summary: the user asked for scripted test actions; "
                        "the assistant ran them. Nothing is pending.</summary>"}
    if kind == "quota":
        return {"text": "ok"}
    if kind == "title":
        return {"text": '{"isNewTopic": false, "title": "Scripted session"}'}
    return {"text": "OK."}


# --------------------------------------------------------------------------
# response building


def reply_blocks(reply):
    blocks = []
    if reply.get("text"):
        blocks.append({"type": "text", "text": reply["text"]})
    if "bash" in reply:
        blocks.append({
            "type": "tool_use",
            "id": "toolu_" + uuid.uuid4().hex[:24],
            "name": "Bash",
            "input": {"command": reply["bash"],
                      "description": reply.get("description", "Run scripted command")},
        })
    elif "tool" in reply:
        blocks.append({
            "type": "tool_use",
            "id": "toolu_" + uuid.uuid4().hex[:24],
            "name": reply["tool"],
            "input": reply.get("input", {}),
        })
    if not blocks:
        blocks.append({"type": "text", "text": "OK."})
    stop = "tool_use" if blocks[-1]["type"] == "tool_use" else "end_turn"
    return blocks, stop


def usage(output_tokens=1, input_tokens=10):
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def message_json(body, blocks, stop, input_tokens=10):
    return {
        "id": "msg_" + uuid.uuid4().hex[:24],
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-fake"),
        "content": blocks,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage(5, input_tokens),
    }


def sse_events(body, blocks, stop, input_tokens=10):
    msg = message_json(body, [], None)
    msg["usage"] = usage(1, input_tokens)
    yield "message_start", {"type": "message_start", "message": msg}
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {"type": "text", "text": ""}}
            text = block["text"]
            step = max(1, len(text) // 2 + 1)
            for i in range(0, len(text), step):
                yield "content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "text_delta", "text": text[i:i + step]}}
        else:
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {"type": "tool_use", "id": block["id"],
                                                            "name": block["name"], "input": {}}}
            raw = json.dumps(block["input"])
            step = max(1, len(raw) // 2 + 1)
            for i in range(0, len(raw), step):
                yield "content_block_delta", {
                    "type": "content_block_delta", "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": raw[i:i + step]}}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield "message_delta", {"type": "message_delta",
                            "delta": {"stop_reason": stop, "stop_sequence": None},
                            "usage": {"output_tokens": 5}}
    yield "message_stop", {"type": "message_stop"}


# --------------------------------------------------------------------------
# HTTP


def log_request(entry):
    if not LOG_PATH:
        return
    with LOCK:
        STATE["seq"] += 1
        entry = dict(entry, seq=STATE["seq"], time=time.time())
        with open(LOG_PATH, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-messages/1.0"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def _touch(self):
        with LOCK:
            STATE["last"] = time.monotonic()

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            return {"_raw": raw.decode("utf-8", "replace")}

    def _send_json(self, status, obj, extra_headers=None):
        data = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("request-id", "req_" + uuid.uuid4().hex[:24])
        for key, value in (extra_headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _other(self):
        self._touch()
        body = self._read_body() if self.command in ("POST", "PUT", "PATCH") else None
        log_request({"method": self.command, "path": self.path, "kind": "other",
                     "rule": None, "body": body})
        self._send_json(200, {})

    do_GET = _other
    do_HEAD = _other
    do_PUT = _other
    do_PATCH = _other
    do_DELETE = _other

    def do_POST(self):
        self._touch()
        path = self.path.split("?", 1)[0]
        if path == "/v1/messages/count_tokens":
            body = self._read_body()
            log_request({"method": "POST", "path": self.path, "kind": "count_tokens",
                         "rule": None, "body": body})
            size = len(json.dumps(body))
            self._send_json(200, {"input_tokens": max(1, size // 4)})
            return
        if path != "/v1/messages":
            self._other_post()
            return
        body = self._read_body()
        kind = classify(body)
        rule = None
        if kind == "main":
            rule, reply = pick_reply(body)
        else:
            reply = aux_reply(kind, body)
        log_request({"method": "POST", "path": self.path, "kind": kind, "rule": rule,
                     "body": body})
        blocks, stop = reply_blocks(reply)
        tokens = int(reply.get("input_tokens", 10))
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.send_header("request-id", "req_" + uuid.uuid4().hex[:24])
            self.end_headers()
            self.close_connection = True
            try:
                for event, data in sse_events(body, blocks, stop, tokens):
                    chunk = "event: %s\ndata: %s\n\n" % (event, json.dumps(data))
                    self.wfile.write(chunk.encode("utf-8"))
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self._send_json(200, message_json(body, blocks, stop, tokens))

    def _other_post(self):
        body = self._read_body()
        log_request({"method": "POST", "path": self.path, "kind": "other", "rule": None,
                     "body": body})
        self._send_json(200, {})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)

    def watchdog():
        while True:
            time.sleep(0.5)
            with LOCK:
                idle = time.monotonic() - STATE["last"]
            if idle > IDLE_TIMEOUT:
                server.shutdown()
                return

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
