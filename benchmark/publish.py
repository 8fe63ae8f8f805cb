"""Rebuild the leaderboard files from the run records (under the results lock).

Writes ``leaderboard.md``, ``leaderboard.json``, ``leaderboard.csv``, ``leaderboard.html``
and the plots under ``plots/`` into the results folder, each atomically; a plot no longer drawn
is removed. Only what changed is written or rendered: a file whose content is the same is not
rewritten, and the page and its plots are rendered again only when their inputs changed (the
board, the bytes of every run folder, the documents, the code that renders them; see
:func:`page_inputs`). Derived data (scores on other documents, paired tests, per-unit
statistics) is cached under ``.cache/`` keyed by content, so a rebuild reads stored results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from benchmark import leaderboard
from benchmark.board_runs import gold_hash_of
from benchmark.document import Document
from benchmark.provenance import documents_fingerprint, stable_hash
from benchmark.records import RunRecord, list_runs, locked
from benchmark.render import markdown, tabular
from benchmark.schema import atomic_write_text
from benchmark.validate import load_corpus

PACKAGE = Path(__file__).resolve().parent
#: Where the page's renderer lives (its code is part of the page's inputs).
PAGE_CODE = ("render", "tasks")
#: The file holding the inputs key of the page last rendered.
PAGE_KEY = "page.key"


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless ``path`` already holds exactly it; True when written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return True


def _files_digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def page_inputs(board_json: str, runs: Sequence[RunRecord], docs: Sequence[Document]) -> str:
    """A key of everything the page and the plots are made from.

    The board, every file of every run folder (relative path and bytes), the documents and
    their gold, and the renderer's code (``benchmark/render`` and ``benchmark/tasks``, whose
    views draw the error views).
    """
    run_files = sorted(p for run in runs for p in run.path.rglob("*") if p.is_file())
    code = sorted(p for part in PAGE_CODE for p in (PACKAGE / part).rglob("*")
                  if p.is_file() and p.suffix in (".py", ".css", ".js", ".txt", ".json"))  # fmt: skip
    return stable_hash([
        hashlib.sha256(board_json.encode("utf-8")).hexdigest(),
        [[str(run.path.relative_to(run.path.parent.parent)), run.model] for run in runs],
        _files_digest(run_files),
        _files_digest(code),
        documents_fingerprint(docs),
        gold_hash_of(docs),
    ])  # fmt: skip


def publish(results: Path, *, seed: int = 0, n_resamples: int = 1000) -> list[Path]:
    """Build the leaderboard from every run under ``results`` and write all its formats."""
    docs = load_corpus()
    with locked(results):
        runs = list_runs(results)
        board = leaderboard.build(
            runs, docs, seed=seed, n_resamples=n_resamples, cache=results / ".cache" / "paired"
        )
        board_json = tabular.to_json(board)
        written = []
        for name, text in (
            ("leaderboard.md", markdown.render(board)),
            ("leaderboard.json", board_json),
            ("leaderboard.csv", tabular.to_csv(board)),
        ):
            write_if_changed(results / name, text)
            written.append(results / name)
        written += _extras(results, board, board_json, runs, docs)
    return written


def _remove_stale_plots(folder: Path, keep: Sequence[Path]) -> None:
    """Delete the plots an older version drew (PNG or SVG files not in ``keep``)."""
    for stale in sorted(folder.glob("*")) if folder.is_dir() else []:
        if stale.is_file() and stale.suffix in (".png", ".svg") and stale not in keep:
            stale.unlink()


def _extras(results: Path, board: dict, board_json: str, runs: list, docs: list) -> list[Path]:
    """The plots and the HTML page, rendered only when their inputs changed."""
    key_file = results / ".cache" / PAGE_KEY
    key = page_inputs(board_json, runs, docs)
    page = results / "leaderboard.html"
    try:
        previous = json.loads(key_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    if isinstance(previous, dict) and previous.get("key") == key and page.is_file():
        images = [results / "plots" / str(name) for name in previous.get("images", [])]
        if all(p.is_file() for p in images):
            _remove_stale_plots(results / "plots", images)
            return [*images, page]
    from benchmark.render import html, plots

    images = plots.render_all(board, results / "plots")
    _remove_stale_plots(results / "plots", images)
    write_if_changed(page, html.render(board, runs, docs, images))
    record = {"key": key, "images": [p.name for p in images]}
    write_if_changed(key_file, json.dumps(record, ensure_ascii=False) + "\n")
    return [*images, page]
