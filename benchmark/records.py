"""Run records on disk: ``results/runs/MODEL/RUN_ID/`` written atomically, under a lock.

A run folder holds ``predictions/<doc_id>/<gold file>`` (gold field names),
``scores.json``, ``errors.json`` and ``meta.json``. A run is written into a hidden
temporary folder and swapped in with renames while ``results/.lock`` is held, so a
reader (the leaderboard) never sees half a run, and two evaluations at once do not
corrupt each other. Hidden folders (``.name``) are never read as runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.schema import read_jsonl, write_json, write_jsonl
from benchmark.tasks import get_task


@contextlib.contextmanager
def locked(results: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``results/.lock`` (blocks until free)."""
    results.mkdir(parents=True, exist_ok=True)
    with open(results / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class RunRecord:
    """A run folder's contents, loaded."""

    path: Path
    meta: dict[str, Any]
    scores: dict[str, Any]
    errors: dict[str, Any]

    @property
    def model(self) -> str:
        return self.meta["model"]

    @property
    def run_id(self) -> str:
        return self.meta["run_id"]

    def predictions(self, task_key: str, doc_id: str) -> list[Any]:
        """The stored (validated) predictions of one task on one document."""
        task = get_task(task_key)
        records, problems = read_jsonl(self.path / "predictions" / doc_id / task.gold_file, task.record_type)
        if problems:
            raise ValueError("; ".join(str(p) for p in problems))
        return records


def run_folder(results: Path, model: str, run_id: str) -> Path:
    return results / "runs" / model / run_id


def load_run(path: Path) -> RunRecord:
    """Load a run folder (raises FileNotFoundError / JSONDecodeError on a broken one)."""

    def read(name: str) -> dict[str, Any]:
        return json.loads((path / name).read_text(encoding="utf-8"))

    return RunRecord(path, read("meta.json"), read("scores.json"), read("errors.json"))


def list_runs(results: Path) -> list[RunRecord]:
    """Every complete run under ``results/runs``, sorted by model then run id."""
    runs = []
    for meta in sorted((results / "runs").glob("*/*/meta.json")):
        folder = meta.parent
        if folder.name.startswith(".") or folder.parent.name.startswith("."):
            continue
        runs.append(load_run(folder))
    return sorted(runs, key=lambda r: (r.model, r.run_id))


def write_run(
    results: Path,
    model: str,
    run_id: str,
    *,
    meta: dict[str, Any],
    scores: dict[str, Any],
    errors: dict[str, Any],
    predictions: dict[tuple[str, str], list[Any]],
    extra_files: dict[str, Any] | None = None,
) -> Path:
    """Write a whole run folder atomically (temporary folder, then rename, under the lock).

    Args:
        predictions: ``{(doc_id, gold_file): records}``.
        extra_files: More JSONL files, ``{"predictions/<doc>/mentions.jsonl": rows}``.
    """
    final = run_folder(results, model, run_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.", dir=final.parent))
    try:
        for (doc_id, gold_file), records in sorted(predictions.items()):
            write_jsonl(tmp / "predictions" / doc_id / gold_file, records)
        for name, rows in (extra_files or {}).items():
            write_jsonl(tmp / name, rows)
        write_json(tmp / "scores.json", scores)
        write_json(tmp / "errors.json", errors)
        write_json(tmp / "meta.json", meta)
        with locked(results):
            old = None
            if final.exists():
                old = final.with_name(f".{run_id}.old.{os.getpid()}")
                os.replace(final, old)
            os.replace(tmp, final)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
