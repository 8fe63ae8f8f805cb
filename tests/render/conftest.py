"""Fixtures of the renderer tests: real runs of ``oracle`` and ``rules`` plus a hostile fake run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from render_fakes import add_evil_run


@pytest.fixture(scope="session")
def render_results(tmp_path_factory: pytest.TempPathFactory, corpus: list[Any]) -> Path:
    """A results folder with real ``oracle`` and ``rules`` runs, the ``evil`` copy, published."""
    from benchmark.publish import publish
    from benchmark.runner import ModelSpec, run_model

    results = tmp_path_factory.mktemp("render-results")
    for name in ("oracle", "rules"):
        summary = run_model(ModelSpec(name), corpus, ["ner", "numeric", "topics"], results=results,
                            n_resamples=50, timeout=None)  # fmt: skip
        assert summary.status == "ok", summary.message
    add_evil_run(results)
    publish(results, n_resamples=50)
    assert (results / "leaderboard.html").is_file()
    return results


@pytest.fixture(scope="session")
def render_inputs(render_results: Path, corpus: list[Any]) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """(board, runs, docs) read back from :func:`render_results`."""
    from benchmark.records import list_runs

    board = json.loads((render_results / "leaderboard.json").read_text(encoding="utf-8"))
    return board, list_runs(render_results), list(corpus)
