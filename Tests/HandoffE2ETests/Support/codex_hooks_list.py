#!/usr/bin/env python3
"""Asks the real Codex which hooks it discovered and whether it trusts them: runs `codex app-server`
(JSON-RPC over stdio), sends initialize and hooks/list for one working directory, prints the
result's hook entries as one JSON array on stdout.

Usage: codex_hooks_list.py CODEX_BINARY CWD     (CODEX_HOME comes from the environment)
"""

import json
import subprocess
import sys
import threading


def main():
    codex, cwd = sys.argv[1], sys.argv[2]
    process = subprocess.Popen([codex, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, cwd=cwd, text=True)
    timer = threading.Timer(30, process.kill)
    timer.start()
    try:
        def send(message):
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()

        def answer(request_id):
            for _ in range(10000):
                line = process.stdout.readline()
                if not line:
                    raise SystemExit("codex app-server closed its output before answering")
                message = json.loads(line)
                if message.get("id") == request_id:
                    if "error" in message:
                        raise SystemExit("codex app-server: %s" % message["error"])
                    return message["result"]
            raise SystemExit("no answer from codex app-server")

        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"clientInfo": {"name": "handoff-e2e", "version": "0"}}})
        answer(1)
        send({"jsonrpc": "2.0", "method": "initialized"})
        send({"jsonrpc": "2.0", "id": 2, "method": "hooks/list", "params": {"cwds": [cwd]}})
        result = answer(2)
        hooks = [hook for entry in result.get("data", []) for hook in entry.get("hooks", [])]
        print(json.dumps(hooks))
    finally:
        timer.cancel()
        process.kill()


if __name__ == "__main__":
    main()
