#!/usr/bin/env python3
"""Loopback fake of OpenAI's Responses API, good enough for `codex exec`.

Usage:
    fake_responses_server.py SCRIPT.json REQUEST_LOG.jsonl [IDLE_TIMEOUT_SECONDS]

Standard library only.  Binds 127.0.0.1 on an ephemeral port and prints
``PORT <n>`` as the first line of stdout (flushed), then serves until no
request has arrived for IDLE_TIMEOUT_SECONDS (default 120).

Script file (JSON), the same shape as fake_messages_server.py's::

    {
      "rules": [
        {"when_contains": "substring", "times": 1,
         "reply": {"text": "optional text first", "shell": "git commit -m x"}},
        {"reply": {"text": "done", "input_tokens": 900000}}
      ],
      "default": {"text": "OK."}
    }

For every *main* request the first rule whose ``when_contains`` (a string or
a list of strings that must all occur) is found in the text of the LAST user
turn (every input item after the last assistant message or function call:
user and developer messages, function call outputs) and whose ``times`` is
not exhausted wins; otherwise ``default``.  ``when_not_contains`` excludes a
rule.

A reply is one of:
    {"text": "..."}                      an assistant message; the turn ends
    {"shell": "cmd", "text": "..."}      optional text, then a call of Codex's
                                         shell tool with that command line
Any reply may add "input_tokens": N, reported as the request's usage: a value
above the configured `model_auto_compact_token_limit` makes Codex compact the
conversation before its next request.

Compaction requests (Codex asks for a "handoff summary" with its checkpoint
prompt) are answered with a fixed summary and never consume the script.
Every request is appended to REQUEST_LOG as one JSON object per line:
{"seq", "time", "method", "path", "kind", "rule", "body"}; kind is "main",
"compact" or "other".
"""

import json
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

COMPACT_MARKER = "CONTEXT CHECKPOINT COMPACTION"
SUMMARY = ("Summary of the work so far: the user asked for scripted test actions and "
           "the assistant ran them. Nothing else is pending.")


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


def content_text(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict):
                parts.append(part.get("text") or part.get("output") or "")
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    return ""


def item_text(item):
    if not isinstance(item, dict):
        return ""
    kind = item.get("type")
    if kind == "function_call_output" or kind == "custom_tool_call_output":
        output = item.get("output")
        return output if isinstance(output, str) else content_text(output)
    return content_text(item.get("content"))


def is_assistant_turn(item):
    if not isinstance(item, dict):
        return False
    if item.get("type") in ("function_call", "custom_tool_call", "local_shell_call"):
        return True
    return item.get("role") == "assistant"


def last_user_text(body):
    items = body.get("input") or []
    tail = []
    for item in reversed(items):
        if is_assistant_turn(item):
            break
        tail.append(item)
    return "\n".join(item_text(i) for i in reversed(tail))


def all_text(body):
    return "\n".join(item_text(i) for i in body.get("input") or [])


def classify(body):
    if COMPACT_MARKER in last_user_text(body):
        return "compact"
    return "main"


def pick_reply(body):
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


def shell_tool(body):
    """The name and argument shape of the shell tool this Codex offers."""
    names = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            names.append(tool.get("name") or "")
    for name in ("exec_command", "shell_command", "shell"):
        if name in names:
            return name
    return "shell_command"


def shell_arguments(tool, command):
    if tool == "exec_command":
        return {"cmd": command}
    if tool == "shell":
        return {"command": ["bash", "-lc", command]}
    return {"command": command}


# --------------------------------------------------------------------------
# response building


def output_items(body, reply):
    items = []
    if reply.get("text"):
        items.append({
            "type": "message", "id": "msg_" + uuid.uuid4().hex[:24], "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": reply["text"], "annotations": []}],
        })
    if "shell" in reply:
        tool = shell_tool(body)
        items.append({
            "type": "function_call", "id": "fc_" + uuid.uuid4().hex[:24], "status": "completed",
            "call_id": "call_" + uuid.uuid4().hex[:24], "name": tool,
            "arguments": json.dumps(shell_arguments(tool, reply["shell"])),
        })
    if not items:
        items.append({
            "type": "message", "id": "msg_" + uuid.uuid4().hex[:24], "role": "assistant",
            "status": "completed", "content": [{"type": "output_text", "text": "OK.", "annotations": []}],
        })
    return items


def sse_events(body, items, input_tokens):
    response_id = "resp_" + uuid.uuid4().hex[:24]
    base = {"id": response_id, "object": "response", "created_at": int(time.time()),
            "model": body.get("model", "fake"), "status": "in_progress", "output": []}
    yield {"type": "response.created", "response": base}
    for index, item in enumerate(items):
        if item["type"] == "message":
            text = item["content"][0]["text"]
            started = dict(item, status="in_progress", content=[])
            yield {"type": "response.output_item.added", "output_index": index, "item": started}
            step = max(1, len(text) // 2 + 1)
            for i in range(0, len(text), step):
                yield {"type": "response.output_text.delta", "item_id": item["id"], "output_index": index,
                       "content_index": 0, "delta": text[i:i + step]}
        else:
            yield {"type": "response.output_item.added", "output_index": index, "item": item}
        yield {"type": "response.output_item.done", "output_index": index, "item": item}
    done = dict(base, status="completed", output=items, usage={
        "input_tokens": input_tokens, "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + 5})
    yield {"type": "response.completed", "response": done}


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
    server_version = "fake-responses/1.0"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def _touch(self):
        with LOCK:
            STATE["last"] = time.monotonic()

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding") == "zstd":
            return {"_raw": "zstd body (not decoded)"}
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            return {"_raw": raw.decode("utf-8", "replace")}

    def _send_json(self, status, obj):
        data = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _other(self):
        self._touch()
        body = self._read_body() if self.command in ("POST", "PUT", "PATCH") else None
        log_request({"method": self.command, "path": self.path, "kind": "other", "rule": None, "body": body})
        if self.path.split("?", 1)[0].endswith("/models"):
            self._send_json(200, {"object": "list", "data": [], "models": []})
            return
        self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    do_GET = _other
    do_HEAD = _other
    do_PUT = _other
    do_PATCH = _other
    do_DELETE = _other

    def do_POST(self):
        self._touch()
        path = self.path.split("?", 1)[0]
        if not path.endswith("/responses"):
            self._other()
            return
        body = self._read_body()
        kind = classify(body)
        rule = None
        if kind == "compact":
            reply = {"text": SUMMARY}
        else:
            rule, reply = pick_reply(body)
        log_request({"method": "POST", "path": self.path, "kind": kind, "rule": rule, "body": body})
        items = output_items(body, reply)
        tokens = int(reply.get("input_tokens", 100))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for event in sse_events(body, items, tokens):
                chunk = "event: %s\ndata: %s\n\n" % (event["type"], json.dumps(event))
                self.wfile.write(chunk.encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


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
