"""Rebuild the leaderboard files from the run records (under the results lock).

Writes ``leaderboard.md``, ``leaderboard.json``, ``leaderboard.csv``, ``leaderboard.html``
and the plots under ``plots/`` into the results folder, each atomically; a plot no longer drawn
is removed. Only what changed is written or rendered: a file whose content is the same is not
rewritten, and the page and its plots are rendered again only when their inputs changed (the
board, every file of every run folder, the documents, the code that renders them; see
:func:`page_inputs`). When the page is rendered again, each run's error-view section (the
largest part of the page) is taken from ``.cache/sections/`` when that run folder, its place on
the page, the documents and the renderer's code are what they were (:func:`section_key`).
Derived data (scores on other documents, paired tests, per-unit statistics) is cached under
``.cache/`` keyed by content, so a rebuild reads stored results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
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


def run_digest(run: RunRecord) -> str:
    """A digest of every file of the run's folder: its path in the folder, size and modification time.

    Size and modification time (in nanoseconds) stand for the bytes, as for ``make`` and
    ``rsync``: a run is rewritten atomically (new files, new times), and an edit by hand or a
    copy gives the file a new time, so a changed file is never taken for the one cached.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in run.path.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(run.path)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def code_digest() -> str:
    """A digest of the renderer's code (``benchmark/render`` and ``benchmark/tasks``)."""
    code = sorted(p for part in PAGE_CODE for p in (PACKAGE / part).rglob("*")
                  if p.is_file() and p.suffix in (".py", ".css", ".js", ".txt", ".json"))  # fmt: skip
    return _files_digest(code)


def documents_key(docs: Sequence[Document]) -> str:
    """The documents' texts and their gold."""
    return stable_hash([documents_fingerprint(docs), gold_hash_of(docs)])


def page_inputs(
    board_json: str, runs: Sequence[RunRecord], digests: dict[Path, str], code: str, documents: str
) -> str:
    """A key of everything the page and the plots are made from.

    The board, every file of every run folder (``digests``: :func:`run_digest` per run folder),
    the renderer's code (``code``: :func:`code_digest`; ``benchmark/render`` and
    ``benchmark/tasks``, whose views draw the error views), the documents and their gold
    (``documents``: :func:`documents_key`).
    """
    return stable_hash([
        hashlib.sha256(board_json.encode("utf-8")).hexdigest(),
        [[str(run.path.relative_to(run.path.parent.parent)), run.model, digests[run.path]] for run in runs],
        code,
        documents,
    ])  # fmt: skip


def section_key(index: int, run: RunRecord, digest: str, code: str, documents: str) -> str:
    """What one run's error-view section is made from: its place, its folder, the code, the documents."""
    where = str(run.path.relative_to(run.path.parent.parent))
    return stable_hash([index, where, digest, code, documents])


class SectionCache:
    """Rendered error-view sections under ``folder``, one file per :func:`section_key`.

    ``digests``, ``code`` and ``documents`` are as for :func:`page_inputs`.
    :meth:`prune` removes the sections this render did not use, so the folder holds one page's.
    """

    def __init__(self, folder: Path, digests: dict[Path, str], code: str, documents: str) -> None:
        self.folder, self.digests, self.code, self.documents = folder, digests, code, documents
        self.used: set[str] = set()

    def __call__(self, index: int, run: RunRecord, render: Callable[[], str]) -> str:
        key = section_key(index, run, self.digests[run.path], self.code, self.documents)
        self.used.add(key)
        path = self.folder / f"{key}.html"
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = render()
            atomic_write_text(path, text)
            return text

    def prune(self) -> None:
        for path in sorted(self.folder.glob("*.html")) if self.folder.is_dir() else []:
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def publish(
    results: Path, *, seed: int = 0, n_resamples: int = 1000, docs: Sequence[Document] | None = None
) -> list[Path]:
    """Build the leaderboard from every run under ``results`` and write all its formats.

    ``docs``: the whole corpus when the caller has loaded it already (else it is loaded here).
    """
    docs = list(docs) if docs is not None else load_corpus()
    with locked(results):
        runs = list_runs(results, cache=results / ".cache" / "runs")
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
    digests = {run.path: run_digest(run) for run in runs}
    code, documents = code_digest(), documents_key(docs)
    key = page_inputs(board_json, runs, digests, code, documents)
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
    sections = SectionCache(results / ".cache" / "sections", digests, code, documents)
    write_if_changed(page, html.render(board, runs, docs, images, sections=sections))
    sections.prune()
    record = {"key": key, "images": [p.name for p in images]}
    write_if_changed(key_file, json.dumps(record, ensure_ascii=False) + "\n")
    return [*images, page]
