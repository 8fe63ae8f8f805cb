"""LlamaServer's start and stop, with a stand-in worker (no model, no xllamacpp needed)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest

from benchmark.llm_server.config import ServeConfig, ServeError
from benchmark.llm_server.process import LlamaServer, free_port, port_in_use

FAKE = Path(__file__).resolve().parent / "fake_worker.py"


class FakeServer(LlamaServer):
    """LlamaServer whose child is fake_worker.py in ``mode``."""

    mode = "ok"

    def check_runtime(self) -> None:
        pass

    def command(self, settings):
        import json

        return [sys.executable, str(FAKE), json.dumps(settings), self.mode]


@pytest.fixture()
def gguf(tmp_path):
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF")
    return path


def _server(gguf, mode="ok", **kw):
    server = FakeServer(
        ServeConfig(str(gguf), alias="tiny", startup_timeout=kw.pop("startup_timeout", 20), **kw)
    )
    server.mode = mode
    return server


def test_start_waits_for_the_model_and_stop_ends_the_child(gguf):
    with _server(gguf) as server:
        assert server.base_url.startswith("http://127.0.0.1:") and server.running()
        ids = [m["id"] for m in httpx.get(f"{server.base_url}/models").json()["data"]]
        assert ids == ["tiny"] and server.load_seconds is not None
        proc, log = server._proc, server.log_path
        assert log.exists()
    assert proc.poll() == 0, "the child did not stop when its stdin closed"
    assert not port_in_use(server.port) and not log.exists()


def test_the_settings_the_worker_gets(gguf):
    server = _server(gguf, threads=3, ctx=4096, parallel=2)
    server.gguf, server.port = gguf, 1234
    settings = server.settings()
    assert settings == {"model": str(gguf), "alias": "tiny", "chat_template": "", "host": "127.0.0.1",
                        "port": 1234, "ctx": 4096, "parallel": 2, "threads": 3}  # fmt: skip
    server = FakeServer(ServeConfig(str(gguf), chat_template="gemma"))
    assert "<start_of_turn>" in server.settings()["chat_template"]
    assert ServeConfig("x.gguf").n_threads() >= 1


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error", "did not start: RuntimeError: failed to load model; log "),
        ("silent", "did not start: exited with status 3; log "),
        ("wrong-name", "/v1/models lists ['another-model'], not 'tiny'"),
    ],
)
def test_a_failed_start_is_one_error_naming_the_kept_log(gguf, mode, message):
    timeout = 3 if mode == "wrong-name" else 20
    server = _server(gguf, mode, startup_timeout=timeout)
    with pytest.raises(ServeError) as exc:
        server.start()
    text = str(exc.value)
    assert message in text and "\n" not in text, text
    assert server.log_path is not None and str(server.log_path) in text
    if mode == "error":
        assert "loading..." in text  # the log's last lines
    assert not server.running()
    server.log_path.unlink()


def test_a_busy_fixed_port_is_a_user_mistake(gguf):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} on 127.0.0.1 is in use"):
            _server(gguf, port=port).start()


def test_the_child_stops_when_its_parent_dies(gguf, tmp_path):
    """A parent killed outright (no cleanup) still leaves no server: the child's stdin closes."""
    import subprocess

    port = free_port()
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_llm_server_process import _server\n"
        f"s = _server({str(gguf)!r}, port={port}).start()\n"
        "print('up', flush=True)\n"
        "time.sleep(60)\n",
        encoding="utf-8",
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline().strip() == "up"
    assert port_in_use(port)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while port_in_use(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not port_in_use(port), "the server outlived its parent"
