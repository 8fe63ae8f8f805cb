"""Run records on disk: ``results/runs/MODEL/RUN_ID/`` written atomically, under a lock.

A run folder holds ``predictions/<doc_id>/<gold file>`` (gold field names),
``scores.json``, ``errors.json`` and ``meta.json``. A run is written into a hidden
temporary folder and swapped in with renames while ``results/.lock`` is held, so a
reader (the leaderboard) never sees half a run, and two evaluations at once do not
corrupt each other. Hidden folders (``.name``) are never read as runs.

Every float is rounded once, to :data:`SIGNIFICANT_DIGITS` significant digits, when a run
is written (:func:`round_floats`), so a re-run that changes nothing rewrites the same bytes.
A broken run folder (unreadable JSON, a missing file, a record of the wrong shape) is
skipped by :func:`list_runs` with one warning line naming the folder and what is wrong;
:func:`broken_runs` lists them (``leaderboard.py --check``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import marshal
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.schema import atomic_write_bytes, read_jsonl, write_json, write_jsonl
from benchmark.tasks import get_task

#: Significant digits of every float written into a run record or the leaderboard.
SIGNIFICANT_DIGITS = 6
#: The files every run folder has, and the type of their top-level value.
RUN_FILES = ("meta.json", "scores.json", "errors.json")


class BrokenRun(ValueError):
    """A run folder that cannot be read; the message names the folder and what is wrong."""


def round_floats(obj: Any, digits: int = SIGNIFICANT_DIGITS) -> Any:
    """A copy of ``obj`` with every float rounded to ``digits`` significant digits (tuples -> lists).

    Example:
        >>> round_floats({"f1": 0.6666666666666666, "n": [3, 1e-9 / 3, None, True, 0.0]})
        {'f1': 0.666667, 'n': [3, 3.33333e-10, None, True, 0.0]}
    """
    if isinstance(obj, float):
        return obj if not math.isfinite(obj) or obj == 0 else float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [round_floats(v, digits) for v in obj]
    return obj


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

    def mentions(self, task_key: str, doc_id: str) -> list[dict[str, Any]] | None:
        """The stored string mentions of one task on one document (None: the run kept none)."""
        path = self.path / "predictions" / doc_id / f"{task_key}.mentions.jsonl"
        if not path.is_file():
            return None
        return [json.loads(row) for row in path.read_text(encoding="utf-8").splitlines() if row.strip()]

    def predictions(self, task_key: str, doc_id: str) -> list[Any]:
        """The stored (validated) predictions of one task on one document."""
        task = get_task(task_key)
        records, problems = read_jsonl(self.path / "predictions" / doc_id / task.gold_file, task.pred_type)
        if problems:
            raise ValueError("; ".join(str(p) for p in problems))
        return records


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def run_folder(results: Path, model: str, run_id: str) -> Path:
    return results / "runs" / model / run_id


def _shape_problem(meta: Any, scores: Any, errors: Any) -> str | None:
    """What is wrong with the shape of a run's three documents (None: nothing)."""
    for name, value in zip(RUN_FILES, (meta, scores, errors), strict=True):
        if not isinstance(value, dict):
            return f"{name}: expected a JSON object, got {type(value).__name__}"
    for key in ("model", "run_id"):
        if not isinstance(meta.get(key), str) or not meta.get(key):
            return f"meta.json: {key}: missing or not a string"
    tasks = meta.get("tasks", {})
    if not isinstance(tasks, dict) or not all(isinstance(t, dict) for t in tasks.values()):
        return "meta.json: tasks: expected an object of objects"
    for where, pairs in [("documents", meta.get("documents", []))] + [
        (f"tasks.{k}.documents", t.get("documents", [])) for k, t in tasks.items()
    ]:
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in pairs
        ):
            return f"meta.json: {where}: expected a list of [document id, text sha256]"
    for key, score in scores.items():
        if not isinstance(score, dict) or not isinstance(score.get("headline"), dict):
            return f"scores.json: {key}: expected an object with a 'headline' object"
        for name, value in score["headline"].items():
            if not isinstance(value, dict) or "estimate" not in value:
                return f"scores.json: {key}: headline {name}: expected an object with 'estimate'"
    return None


def load_run(path: Path) -> RunRecord:
    """Load a run folder; raise :class:`BrokenRun` naming the folder, the file and the fault."""

    def read(name: str) -> Any:
        try:
            return json.loads((path / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BrokenRun(f"{path}: {name}: missing") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BrokenRun(f"{path}: {name}: unreadable ({exc})") from None
        except json.JSONDecodeError as exc:
            raise BrokenRun(f"{path}: {name}: invalid JSON ({exc})") from None

    meta, scores, errors = (read(name) for name in RUN_FILES)
    problem = _shape_problem(meta, scores, errors)
    if problem:
        raise BrokenRun(f"{path}: {problem}")
    return RunRecord(path, meta, scores, errors)


def run_folders(results: Path) -> list[Path]:
    """Every visible ``runs/MODEL/RUN_ID`` folder (hidden ones, being written, are left out)."""
    folders = []
    for model in sorted((results / "runs").glob("*")):
        if model.is_dir() and not model.name.startswith("."):
            folders += [f for f in sorted(model.iterdir()) if f.is_dir() and not f.name.startswith(".")]
    return folders


def warn(message: str) -> None:
    """One warning line on stderr."""
    print(f"warning: {message}", file=sys.stderr)


#: The code that validates a record (this module), part of every parsed-record cache key.
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _stat_key(folder: Path) -> str:
    """The run files' sizes and modification times, the Python that reads the cache and the code
    that validated the record (this module)."""
    stats = [(name, (folder / name).stat()) for name in RUN_FILES]
    return "|".join([sys.version, _CODE, *(f"{n}:{st.st_size}:{st.st_mtime_ns}" for n, st in stats)])


def _load_cached(folder: Path, cache: Path) -> tuple[RunRecord, Path | None]:
    """:func:`load_run` through a cache of parsed records (``marshal``: plain data, no code).

    A cached record is used only while the run's files have the size and modification time they
    had when it was parsed and validated; otherwise the files are read again and the cache
    rewritten. Returns the run and its cache file (None when the cache could not be used).
    """
    try:
        key = _stat_key(folder)
    except OSError:
        return load_run(folder), None  # load_run names the missing or unreadable file
    file = cache / folder.parent.name / f"{folder.name}.marshal"
    try:
        stored, meta, scores, errors = marshal.loads(file.read_bytes())
        if stored == key:
            return RunRecord(folder, meta, scores, errors), file
    except (OSError, ValueError, EOFError, TypeError):
        pass  # no cache yet, or an unreadable one: parse the run
    run = load_run(folder)
    try:
        atomic_write_bytes(file, marshal.dumps((key, run.meta, run.scores, run.errors)))
    except (OSError, ValueError):
        return run, None
    return run, file


def list_runs(
    results: Path, *, on_broken: Callable[[str], None] | None = warn, cache: Path | None = None
) -> list[RunRecord]:
    """Every readable run under ``results/runs``, sorted by model then run id.

    A broken run folder is skipped; ``on_broken`` (default: a warning on stderr) gets one line
    naming it and what is wrong. ``cache``: a folder of parsed run records (the leaderboard's
    ``.cache/runs``), read instead of the JSON files while those are unchanged, and pruned to
    the runs found.
    """
    runs, used = [], set()
    for folder in run_folders(results):
        try:
            if cache is None:
                runs.append(load_run(folder))
                continue
            run, file = _load_cached(folder, cache)
            runs.append(run)
            used.add(file)
        except BrokenRun as exc:
            if on_broken is not None:
                on_broken(f"skipping broken run {exc}")
    if cache is not None and cache.is_dir():
        for stale in sorted(cache.glob("*/*")):
            if stale not in used:
                stale.unlink(missing_ok=True)
    return sorted(runs, key=lambda r: (r.model, r.run_id))


def broken_runs(results: Path) -> list[str]:
    """One line per broken run folder: its JSON files, and every stored predictions file."""
    found = []
    for folder in run_folders(results):
        try:
            run = load_run(folder)
        except BrokenRun as exc:
            found.append(str(exc))
            continue
        for key, entry in run.meta.get("tasks", {}).items():
            if not isinstance(entry, dict) or entry.get("status") != "ok":
                continue
            covered = entry.get("documents")  # older records: every document that has a folder
            try:
                for doc_id, _ in covered or run.meta.get("documents") or []:
                    if covered or (folder / "predictions" / doc_id).is_dir():
                        run.predictions(key, doc_id)
            except (ValueError, LookupError, OSError, TypeError) as exc:
                found.append(f"{folder}: predictions of {key}: {str(exc)[:200]}")
                break
    return found


def update_run(path: Path, *, meta: dict[str, Any], scores: dict[str, Any], errors: dict[str, Any]) -> None:
    """Rewrite a run's three JSON files (floats rounded; each file atomically); hold the lock."""
    write_json(path / "scores.json", round_floats(scores))
    write_json(path / "errors.json", round_floats(errors))
    write_json(path / "meta.json", round_floats(meta))


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
    os.chmod(tmp, 0o777 & ~_UMASK)  # mkdtemp makes 0700: give the run folder the usual permissions
    meta, scores, errors = round_floats(meta), round_floats(scores), round_floats(errors)
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
