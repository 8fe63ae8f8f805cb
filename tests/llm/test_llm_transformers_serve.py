"""``openai`` against a real OpenAI-compatible server: ``transformers serve`` on 127.0.0.1
serving the tiny local model from its folder (offline; the server is pinned to that folder,
so the request's ``model`` must be the folder path)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmark.adapters import InputDocument, get_adapter
from benchmark.tasks import get_task

pytest.importorskip("httpx")
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"transformers serve exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"transformers serve not ready after {STARTUP_SECONDS} s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def served(tiny_lm: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(API root, model name) of ``transformers serve`` running the tiny model; stopped afterwards."""
    exe = Path(sys.executable).with_name("transformers")
    missing = [m for m in ("fastapi", "uvicorn", "openai") if importlib.util.find_spec(m) is None]
    if missing or not exe.exists():
        pytest.skip(f"transformers serve needs the transformers[serving] extra (missing: {missing or exe})")
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [str(exe), "serve", str(tiny_lm), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc, log)
        yield f"http://127.0.0.1:{port}/v1", str(tiny_lm)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow  # starts `transformers serve` (about 9 s of setup)
def test_adapter_against_transformers_serve(served: tuple[str, str], small_doc: InputDocument) -> None:
    url, model = served
    adapter = get_adapter("openai").from_config({"base_url": url, "model": model, "max_tokens": 8,
                                                 "cache_dir": "", "concurrency": 2})  # fmt: skip
    adapter.load()
    requests = get_task("ner").llm_requests(small_doc)
    answers = adapter.complete(requests)
    assert len(answers) == 3 and all(a.text is not None and a.error is None for a in answers)
    assert all(a.meta["prompt_tokens"] > 100 and a.meta["completion_tokens"] > 0 for a in answers)
    # a random model writes no JSON: every answer fails to parse, so the task fails (no score of 0)
    with pytest.raises(RuntimeError, match="every answer failed to parse: 2 of 2 unusable"):
        adapter.predict("topics", [small_doc])
    # the server is pinned to the folder: another model name is a non-retryable 400
    assert adapter.client is not None
    adapter.client.model = "not-served"
    failed = adapter.client.complete_all([[{"role": "user", "content": "你好"}]])[0]
    assert failed.text is None and failed.meta["status"] == 400 and failed.meta["attempts"] == 1
