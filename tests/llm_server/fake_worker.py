"""A stand-in for ``benchmark.llm_server.worker`` (no model): the same protocol, a tiny server.

``python fake_worker.py SETTINGS_JSON MODE``: MODE ``ok`` serves ``/v1/models`` listing the
alias and prints ``{"listening": ...}``; ``error`` prints ``{"error": ...}`` and exits 1;
``silent`` exits 3 without a word; ``wrong-name`` lists another model. It serves until its
stdin closes, like the real worker.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main(settings: dict, mode: str) -> int:
    if mode == "error":
        print("loading...", file=sys.stderr)
        print(json.dumps({"error": "RuntimeError: failed to load model"}), flush=True)
        return 1
    if mode == "silent":
        return 3
    name = settings["alias"] if mode == "ok" else "another-model"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"object": "list", "data": [{"id": name}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((settings["host"], settings["port"]), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"listening": f"http://{settings['host']}:{settings['port']}"}), flush=True)
    sys.stdin.read()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1]), sys.argv[2]))
