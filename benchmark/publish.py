"""Rebuild the leaderboard files from the run records (under the results lock).

Writes ``leaderboard.md``, ``leaderboard.json``, ``leaderboard.csv``, ``leaderboard.html``
and ``plots/*.png`` into the results folder, each atomically; a plot no longer drawn is removed.
"""

from __future__ import annotations

from pathlib import Path

from benchmark import leaderboard
from benchmark.records import list_runs, locked
from benchmark.render import markdown, tabular
from benchmark.schema import atomic_write_text
from benchmark.validate import load_corpus


def publish(results: Path, *, seed: int = 0, n_resamples: int = 1000) -> list[Path]:
    """Build the leaderboard from every run under ``results`` and write all its formats."""
    docs = load_corpus()
    with locked(results):
        runs = list_runs(results)
        board = leaderboard.build(
            runs, docs, seed=seed, n_resamples=n_resamples, cache=results / ".cache" / "paired"
        )
        written = []
        for name, text in (
            ("leaderboard.md", markdown.render(board)),
            ("leaderboard.json", tabular.to_json(board)),
            ("leaderboard.csv", tabular.to_csv(board)),
        ):
            atomic_write_text(results / name, text)
            written.append(results / name)
        written += _extras(results, board, runs, docs)
    return written


def _extras(results: Path, board: dict, runs: list, docs: list) -> list[Path]:
    """The plots and the HTML page (matplotlib is imported only here, not on a light command's path)."""
    from benchmark.render import html, plots

    images = plots.render_all(board, results / "plots")
    for stale in sorted((results / "plots").glob("*.png")):  # a plot an older version wrote
        if stale not in images:
            stale.unlink()
    atomic_write_text(results / "leaderboard.html", html.render(board, runs, docs, images))
    return [*images, results / "leaderboard.html"]
