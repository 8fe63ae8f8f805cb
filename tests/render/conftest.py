"""Fixtures of the renderer tests: real runs of ``oracle``, ``rules``, ``rules-article``,
``majority`` and ``bm25-qa``, a real ``openai`` run against a fake LLM server (with parse
failures and wrong answers), and a hostile copy of the ``rules`` run; published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from render_fakes import add_evil_run, add_llm_run

SYSTEMS = (
    ("oracle", ["ner", "numeric", "topics", "qa"]),
    ("rules", ["ner", "numeric", "topics"]),
    ("rules-article", ["ner", "numeric", "topics"]),
    ("majority", ["topics"]),
    ("bm25-qa", ["qa"]),
)


@pytest.fixture(scope="session")
def render_results(tmp_path_factory: pytest.TempPathFactory, corpus: list[Any]) -> Path:
    """A results folder with the runs above, the ``evil`` copy and the fake LLM, published."""
    from benchmark.publish import publish
    from benchmark.runner import ModelSpec, run_model

    results = tmp_path_factory.mktemp("render-results")
    for name, tasks in SYSTEMS:
        summary = run_model(ModelSpec(name), corpus, tasks, results=results, n_resamples=50, timeout=None)
        assert summary.status == "ok", summary.message
    add_evil_run(results)
    add_llm_run(results, corpus[0])
    publish(results, n_resamples=50)
    assert (results / "leaderboard.html").is_file()
    return results


@pytest.fixture(scope="session")
def render_inputs(render_results: Path, corpus: list[Any]) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """(board, runs, docs) read back from :func:`render_results`."""
    from benchmark.records import list_runs

    board = json.loads((render_results / "leaderboard.json").read_text(encoding="utf-8"))
    return board, list_runs(render_results), list(corpus)
