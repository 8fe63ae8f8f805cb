"""Concurrency of the ``openai`` adapter's request layer against a fixed-latency local server.

A benchmark, not a test. A stdlib HTTP server on 127.0.0.1 answers every
``/v1/chat/completions`` request after a fixed delay (as a model server with a constant
generation time would); :class:`benchmark.adapters.openai_compatible.ChatClient` sends
``--requests`` distinct requests with ``--concurrency`` in flight (no cache). Prints the
wall time, the ideal time (requests x delay / concurrency) and their ratio.

Goal: ratio <= 1.25 (200 requests, concurrency 16, 0.2 s each: ideal 2.5 s).
Usage: python perf/bench_openai_concurrency.py [--requests 200] [--concurrency 16] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmark.adapters.openai_compatible import ChatClient

BODY = json.dumps({
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "[]"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 100, "completion_tokens": 2, "total_tokens": 102},
}).encode()  # fmt: skip


class Server(ThreadingHTTPServer):
    """A threaded server with a listen backlog large enough for every connection at once.

    Attributes:
        active: Requests being answered now.
        peak: The most requests answered at once.
    """

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    """Answers every POST with a fixed body after the server's delay."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.active += 1
            self.server.peak = max(self.server.peak, self.server.active)
        time.sleep(self.server.delay)
        with self.server.lock:
            self.server.active -= 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def main() -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()

    server = Server(args.delay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    client = ChatClient(url, "bench", concurrency=args.concurrency, max_retries=0, timeout=30.0)
    conversations = [[{"role": "user", "content": f"request {i}"}] for i in range(args.requests)]
    try:
        started = time.perf_counter()
        completions = client.complete_all(conversations)
        wall = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    failed = sum(c.text is None for c in completions)
    ideal = math.ceil(args.requests / args.concurrency) * args.delay
    ideal_flat = args.requests * args.delay / args.concurrency
    ratio = wall / ideal_flat
    print(f"requests {args.requests}, concurrency {args.concurrency}, server delay {args.delay:g} s")
    latencies = sorted(c.meta.get("latency_s", 0.0) for c in completions)
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    print(f"failed requests: {failed}; peak requests in flight at the server: {server.peak}")
    print(f"request latency: p50 {p50:.3f} s, p95 {p95:.3f} s (server delay {args.delay:g} s)")
    print(f"wall time:  {wall:.3f} s")
    print(f"ideal:      {ideal_flat:.3f} s  (requests x delay / concurrency; {ideal:.3f} s in whole waves)")
    print(f"ratio:      {ratio:.3f}  (goal <= 1.25: {'met' if ratio <= 1.25 else 'NOT met'})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
