#!/usr/bin/env python3
"""Loopback fake of OpenAI's chat-completions API (with SSE streaming), good
enough for the agents that speak it: Grok Build (`grok -p`), Mistral Vibe,
OpenHands (through LiteLLM).

Usage:
    fake_chat_server.py SCRIPT.json REQUEST_LOG.jsonl [IDLE_TIMEOUT_SECONDS]

Standard library only.  Binds 127.0.0.1 on an ephemeral port and prints
``PORT <n>`` as the first line of stdout (flushed), then serves until no
request has arrived for IDLE_TIMEOUT_SECONDS (default 120).  Bounded: a body
above 8 MiB is refused (413), at most 2,000 requests are answered (then 429),
and the log keeps at most 2,000 entries.

Script file (JSON), the same shape as fake_responses_server.py's::

    {
      "rules": [
        {"when_contains": "substring", "times": 1,
         "reply": {"text": "optional text first", "shell": "git commit -m x"}},
        {"reply": {"text": "done"}}
      ],
      "default": {"text": "OK."}
    }

For every *main* request the first rule whose ``when_contains`` (a string or
a list of strings that must all occur) is found in the text of the LAST user
turn (every message after the last assistant message: user, system and tool
messages) and whose ``times`` is not exhausted wins; otherwise ``default``.
``when_not_contains`` excludes a rule.

A shell call fills the tool's other required parameters with placeholders.

A reply is one of:
    {"text": "..."}                      an assistant message; the turn ends
    {"shell": "cmd", "text": "..."}      optional text, then a call of the
                                         client's shell tool with that command
    {"tool": "name", "arguments": {...}} a call of any tool, arguments as given
Any reply may add "input_tokens": N, reported as the request's usage.

The shell tool is found among the request's ``tools`` by name (``bash``,
``run_terminal_cmd``, ``execute_bash``, ``shell``, ``run_command`` …) or else
by a ``command``/``cmd`` parameter; its argument is named as the tool's schema
names it (``command`` or ``cmd``).

Side requests are answered without consuming the script: a request that
forces one function through ``tool_choice`` (grok's session title: answered
with a call of it, every parameter "Scripted session") or has no tools and
asks for a title or a summary (kind "title"), and anything
that is not a POST to .../chat/completions (kind "other"; GET .../models lists
one model, "stub-model").  Every request is appended to REQUEST_LOG as one
JSON object per line: {"seq", "time", "method", "path", "kind", "rule",
"body"}; kind is "main", "title" or "other".
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

MAX_BODY = 8 * 1024 * 1024
MAX_REQUESTS = 2000

LOCK = threading.Lock()
STATE = {"last": time.monotonic(), "seq": 0}

SHELL_TOOL_NAMES = ("bash", "run_terminal_command", "run_terminal_cmd", "execute_bash", "terminal",
                    "shell", "run_command", "run_shell_command", "exec_command", "shell_command")


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
                text = part.get("text")
                parts.append(text if isinstance(text, str) else "")
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    return ""


def messages(body):
    value = body.get("messages")
    return [m for m in value if isinstance(m, dict)] if isinstance(value, list) else []


def last_user_text(body):
    tail = []
    for message in reversed(messages(body)):
        if message.get("role") == "assistant":
            break
        tail.append(message)
    return "\n".join(content_text(m.get("content")) for m in reversed(tail))


def forced_function(body):
    """The function a side request forces (`tool_choice` naming one), e.g. grok's session_title."""
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        name = choice["function"].get("name")
        return name if isinstance(name, str) else None
    return None


def classify(body):
    if forced_function(body):
        return "title"
    if body.get("tools"):
        return "main"
    text = last_user_text(body).lower()
    if "title" in text or "summar" in text:
        return "title"
    return "main"


def side_calls(body):
    """A forced function's call, each string parameter filled in."""
    name = forced_function(body)
    if not name:
        return []
    function = function_named(body, name)
    arguments = {key: "Scripted session" for key in parameter_names(function)}
    return [{"id": "call_" + uuid.uuid4().hex[:24], "type": "function",
             "function": {"name": name, "arguments": json.dumps(arguments)}}]


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


def tool_functions(body):
    found = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            function = tool.get("function") if isinstance(tool.get("function"), dict) else tool
            if isinstance(function.get("name"), str):
                found.append(function)
    return found


def parameter_names(function):
    parameters = function.get("parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("properties"), dict):
        return list(parameters["properties"].keys())
    return []


def required_defaults(function, given):
    """Placeholders for the required parameters the script did not give (grok's shell tool requires a
    `description`): strings "scripted step", booleans false, numbers 0."""
    parameters = function.get("parameters") if isinstance(function.get("parameters"), dict) else {}
    properties = parameters.get("properties") if isinstance(parameters.get("properties"), dict) else {}
    filled = dict(given)
    for key in parameters.get("required") or []:
        if key in filled:
            continue
        kind = (properties.get(key) or {}).get("type")
        filled[key] = False if kind == "boolean" else 0 if kind in ("integer", "number") else "scripted step"
    return filled


def function_named(body, name):
    return next((f for f in tool_functions(body) if f["name"] == name), {"name": name})


def shell_tool(body):
    """The client's shell tool: (name, argument name)."""
    functions = tool_functions(body)
    by_name = {f["name"].lower(): f for f in functions}
    for name in SHELL_TOOL_NAMES:
        if name in by_name:
            function = by_name[name]
            params = parameter_names(function)
            return function["name"], ("cmd" if "cmd" in params and "command" not in params else "command")
    for function in functions:
        params = parameter_names(function)
        if "command" in params:
            return function["name"], "command"
        if "cmd" in params:
            return function["name"], "cmd"
    return "bash", "command"


# --------------------------------------------------------------------------
# response building


def tool_calls(body, reply):
    calls = []
    if "shell" in reply:
        name, argument = shell_tool(body)
        calls.append({"name": name, "arguments": required_defaults(function_named(body, name), {argument: reply["shell"]})})
    if "tool" in reply:
        calls.append({"name": reply["tool"], "arguments": reply.get("arguments", {})})
    return [{"id": "call_" + uuid.uuid4().hex[:24], "type": "function",
             "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}} for c in calls]


def chunks(body, reply, kind):
    """The SSE chunks of one streamed completion, then its usage."""
    completion_id = "chatcmpl-" + uuid.uuid4().hex[:24]
    base = {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": body.get("model", "stub-model")}

    def chunk(delta, finish=None):
        return dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}])

    calls = side_calls(body) if kind == "title" else tool_calls(body, reply)
    text = ("" if calls else "Scripted session") if kind == "title" else reply.get("text", "")
    if not text and not calls:
        text = "OK."
    yield chunk({"role": "assistant", "content": ""})
    if text:
        step = max(1, len(text) // 2 + 1)
        for i in range(0, len(text), step):
            yield chunk({"content": text[i:i + step]})
    for index, call in enumerate(calls):
        arguments = call["function"]["arguments"]
        yield chunk({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                     "function": {"name": call["function"]["name"], "arguments": ""}}]})
        yield chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments}}]})
    yield chunk({}, "tool_calls" if calls else "stop")
    tokens = int(reply.get("input_tokens", 100))
    yield dict(base, choices=[], usage={"prompt_tokens": tokens, "completion_tokens": 5,
                                        "total_tokens": tokens + 5})


def completion(body, reply, kind):
    """The same answer, not streamed."""
    calls = side_calls(body) if kind == "title" else tool_calls(body, reply)
    text = ("" if calls else "Scripted session") if kind == "title" else reply.get("text", "")
    message = {"role": "assistant", "content": text or (None if calls else "OK.")}
    if calls:
        message["tool_calls"] = calls
    tokens = int(reply.get("input_tokens", 100))
    return {"id": "chatcmpl-" + uuid.uuid4().hex[:24], "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "stub-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop",
                         "logprobs": None}],
            "usage": {"prompt_tokens": tokens, "completion_tokens": 5, "total_tokens": tokens + 5}}


# --------------------------------------------------------------------------
# HTTP


def log_request(entry):
    with LOCK:
        STATE["seq"] += 1
        seq = STATE["seq"]
        if not LOG_PATH or seq > MAX_REQUESTS:
            return seq
        entry = dict(entry, seq=seq, time=time.time())
        with open(LOG_PATH, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
        return seq


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-chat/1.0"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def _touch(self):
        with LOCK:
            STATE["last"] = time.monotonic()

    def _read_body(self):
        """The JSON body, or None after answering 413 for one that is too large."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            self._send_json(413, {"error": {"message": "body too large", "type": "invalid_request_error"}})
            return None
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            value = json.loads(raw.decode("utf-8")) if raw else {}
            return value if isinstance(value, dict) else {"_raw": value}
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

    def _other(self, body=None):
        self._touch()
        if body is None and self.command in ("POST", "PUT", "PATCH"):
            body = self._read_body()
            if body is None:
                return
        log_request({"method": self.command, "path": self.path, "kind": "other", "rule": None, "body": body})
        if self.path.split("?", 1)[0].endswith("/models"):
            self._send_json(200, {"object": "list", "data": [
                {"id": "stub-model", "object": "model", "created": 0, "owned_by": "stub"}]})
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
        body = self._read_body()
        if body is None:
            return
        if not path.endswith("/chat/completions"):
            self._other(body)
            return
        kind = classify(body)
        rule = None
        reply = {}
        if kind == "main":
            rule, reply = pick_reply(body)
        seq = log_request({"method": "POST", "path": self.path, "kind": kind, "rule": rule, "body": body})
        if seq > MAX_REQUESTS:
            self._send_json(429, {"error": {"message": "request cap reached", "type": "rate_limit_error"}})
            return
        if not body.get("stream"):
            self._send_json(200, completion(body, reply, kind))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for event in chunks(body, reply, kind):
                self.wfile.write(("data: %s\n\n" % json.dumps(event)).encode("utf-8"))
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
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
