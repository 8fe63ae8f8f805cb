"""Run adapters on documents, check their output at the boundary, score, and record the run.

One evaluation of one adapter configuration on a set of documents is one run folder
(``results/runs/<model>/<run_id>``; the run id hashes the adapter, its version and
options, and the documents). Each task's predictions are cached there under a key
that also covers the task version (and the gold, for adapters that read it): a re-run
with unchanged inputs reuses them unless ``force``.

Failures never stop other adapters or tasks: an adapter that raises, runs past its
timeout or returns malformed output is recorded as ``failed`` for that task, with the
reason in ``errors.json``; its scores are not written. A user mistake found by the
adapter's ``preflight()`` (a missing model folder, an unreachable server) is not a
failure: :class:`~benchmark.adapters.base.PreflightError` propagates and no run is written.

This module only orchestrates; :mod:`benchmark.run_record` builds the record's contents.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.adapters import Adapter, InputDocument, Prediction, get_adapter
from benchmark.document import Document
from benchmark.names import default_name
from benchmark.provenance import documents_fingerprint, gold_hash, stable_hash
from benchmark.records import BrokenRun, load_run, run_folder, write_run
from benchmark.run_record import (
    READS_GOLD,
    RunContext,
    TaskOutcome,
    build_record,
    now,
    rescore,
    scoring_context,
)
from benchmark.schema import Entity
from benchmark.tasks import Task, get_task
from benchmark.validate import surface_problems

__all__ = ["AdapterTimeout", "MalformedOutput", "ModelSpec", "RunSummary", "TaskOutcome", "accept",
           "call_with_timeout", "ground", "rescore", "run_model", "scoring_context"]  # fmt: skip


class AdapterTimeout(RuntimeError):
    """The adapter ran past its timeout."""


class MalformedOutput(ValueError):
    """The adapter returned records that fail validation; ``problems`` lists them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} invalid record(s): {problems[0]}")


def call_with_timeout(fn: Callable[[], Any], timeout: float | None) -> Any:
    """Run ``fn`` in a worker thread; raise :class:`AdapterTimeout` if it is not done in time.

    Whatever the adapter prints goes to stderr, so the harness's own stdout (``--json``)
    stays clean. A thread cannot be killed: a timed-out call keeps running in the
    background (as a daemon) while the harness moves on, and ends with the process.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # reported to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    with contextlib.redirect_stdout(sys.stderr):
        worker.start()
        worker.join(timeout)
    if worker.is_alive():
        raise AdapterTimeout(f"no answer after {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def ground(doc: InputDocument, prediction: Prediction) -> tuple[list[Entity], dict[str, Any]]:
    """Ground string mentions to offsets; overlapping groundings keep the longer, earlier span."""
    from benchmark.metrics import ground_mentions

    mentions = [(m.line_index, m.text, m.label) for m in prediction.mentions]
    result = ground_mentions(doc.text, list(doc.lines), mentions)
    kept: list[Entity] = []
    dropped = 0
    taken = [False] * len(doc.text)
    for span in sorted(result.spans, key=lambda s: (-(s["end"] - s["start"]), s["start"], s["label"])):
        if any(taken[span["start"] : span["end"]]):
            dropped += 1
            continue
        taken[span["start"] : span["end"]] = [True] * (span["end"] - span["start"])
        kept.append(Entity(span["start"], span["end"], span["text"], span["label"]))
    info = {
        "returned": result.n_returned,
        "grounded": result.n_grounded,
        "ungrounded": result.n_ungrounded,
        "ungrounded_mentions": [list(m) for m in result.ungrounded],
        "dropped_overlapping": dropped,
        "grounding_failure_rate": (result.n_ungrounded / result.n_returned) if result.n_returned else None,
    }
    return sorted(kept, key=lambda e: (e.start, e.end)), info


def accept(task: Task, doc: Document, records: Sequence[Any]) -> list[Any]:
    """Check predicted records at the boundary; raise :class:`MalformedOutput` if any is invalid."""
    problems = [
        f"record {i}: expected {task.pred_type.__name__}, got {type(r).__name__}"
        for i, r in enumerate(records, start=1)
        if not isinstance(r, (task.pred_type, task.record_type))
    ]
    if not problems:
        file = f"{doc.id}/{task.gold_file}"
        found = surface_problems(doc.text, records, file=file) + task.check(
            doc, records, file=file, gold=False
        )
        problems = [str(p) for p in found]
    if problems:
        raise MalformedOutput(problems)
    return sorted(records, key=task.sort_key)


def _predict(adapter: Adapter, task: Task, docs: Sequence[Document], timeout: float | None) -> TaskOutcome:
    outcome = TaskOutcome(task.key)
    inputs = [InputDocument.from_document(doc) for doc in docs]
    outcome.characters = sum(len(doc.text) for doc in docs)
    started = time.perf_counter()
    try:
        predictions = call_with_timeout(lambda: adapter.predict(task.key, inputs), timeout)
        outcome.predict_seconds = time.perf_counter() - started
        if not isinstance(predictions, list) or len(predictions) != len(inputs):
            raise MalformedOutput(
                [f"expected a list of {len(inputs)} Prediction(s), got {predictions!r:.80}"]
            )
        for doc, inp, pred in zip(docs, inputs, predictions, strict=True):
            if not isinstance(pred, Prediction) or pred.doc_id != doc.id:
                raise MalformedOutput([f"expected the Prediction of {doc.id!r}, got {repr(pred)[:80]}"])
            records = list(pred.records)
            if pred.mentions:
                grounded, outcome.grounding[doc.id] = ground(inp, pred)
                records += grounded
                outcome.mentions[doc.id] = [
                    {"line": m.line_index, "text": m.text, "label": m.label} for m in pred.mentions
                ]
            outcome.predictions[doc.id] = accept(task, doc, records)
            outcome.problems += [f"{doc.id}: {p}" for p in pred.problems]
            if pred.info:
                outcome.info[doc.id] = pred.info
    except MalformedOutput as exc:
        outcome.status, outcome.exception, outcome.problems = "failed", "malformed output", exc.problems
    except AdapterTimeout as exc:
        outcome.status, outcome.exception = "failed", f"timeout: {exc}"
    except Exception as exc:
        outcome.status = "failed"
        outcome.exception = "".join(traceback.format_exception_only(exc)).strip()
        outcome.info["traceback"] = traceback.format_exc(limit=8)
    if outcome.status == "failed":
        outcome.predictions = {}
    return outcome


@dataclass(frozen=True)
class ModelSpec:
    """An adapter (registry name or class), its raw options, and the model name of its run folder.

    ``name`` (YAML ``as:``, ``--name``) overrides the default name: the adapter's name, plus a
    slug of its ``model`` option when it has one (:func:`benchmark.names.default_name`).
    """

    adapter: str | type[Adapter]
    options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None

    @property
    def model(self) -> str:
        """The system's name: its run folder and leaderboard row."""
        if self.name:
            return self.name
        adapter = self.adapter if isinstance(self.adapter, str) else self.adapter.name
        return default_name(adapter, self.options)


@dataclass
class RunSummary:
    """The outcome of one model's evaluation, for the console and the exit code."""

    model: str
    status: str  # ok | partial | failed | skipped
    run_path: Path | None = None
    message: str = ""
    outcomes: dict[str, TaskOutcome] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)


def task_cache_key(adapter: Adapter, task: Task, docs: Sequence[Document]) -> str:
    """Everything the predictions of ``task`` depend on (gold too, for an adapter that reads it)."""
    parts = {
        "adapter": adapter.name,
        "adapter_version": adapter.version,
        "config": adapter.identity_config(),
        "task": task.name,
        "documents": documents_fingerprint(docs),
    }
    if adapter.reads in READS_GOLD:
        parts["gold"] = gold_hash(docs)
    return stable_hash(parts)


def run_id_of(adapter: Adapter, docs: Sequence[Document]) -> str:
    """A run folder per (adapter, version, options, documents)."""
    return stable_hash(
        {"adapter": adapter.name, "version": adapter.version, "config": adapter.identity_config(),
         "documents": documents_fingerprint(docs)},
        length=12,
    )  # fmt: skip


def _reuse(path: Path, task: Task, key: str, docs: Sequence[Document]) -> TaskOutcome | None:
    """The stored predictions of ``task`` if the run folder has them under the same cache key."""
    try:
        record = load_run(path)
        entry = record.meta["tasks"][task.key]
        if entry.get("status") != "ok" or entry.get("cache_key") != key:
            return None
        outcome = TaskOutcome(task.key, reused=True, predict_seconds=entry.get("predict_seconds"))
        outcome.characters = entry.get("characters", 0)
        stored = record.errors.get(task.key, {})  # what the adapter reported when it predicted
        outcome.problems = list(stored.get("problems", []))
        outcome.grounding = dict(stored.get("grounding", {}))
        outcome.info = dict(stored.get("info", {}))
        for doc in docs:
            outcome.predictions[doc.id] = accept(task, doc, record.predictions(task.key, doc.id))
            rows = record.mentions(task.key, doc.id)
            if rows is not None:
                outcome.mentions[doc.id] = rows
        return outcome
    except (OSError, KeyError, ValueError, TypeError, BrokenRun):
        return None


def run_model(
    spec: ModelSpec,
    docs: Sequence[Document],
    task_keys: Sequence[str],
    *,
    results: Path,
    force: bool = False,
    seed: int = 0,
    n_resamples: int = 1000,
    timeout: float | None = 600.0,
    on_task: Callable[[str, str], None] | None = None,
) -> RunSummary:
    """Evaluate one adapter configuration on ``docs`` for ``task_keys`` and write its run folder.

    Args:
        spec: Adapter name and raw options (already known to exist).
        docs: Gold documents.
        task_keys: Tasks to run; tasks the adapter does not support are skipped.
        results: The results folder.
        force: Ignore cached predictions.
        seed: Seed of the bootstrap (and of adapters that take one through their options).
        n_resamples: Bootstrap resamples.
        timeout: Seconds allowed for ``load()`` and for each task's ``predict()``.
        on_task: Called with (task key, status) after each task (progress display).
    """
    started_at = now()
    cls = spec.adapter if isinstance(spec.adapter, type) else None

    adapter_cls = cls or get_adapter(spec.adapter)
    adapter = adapter_cls.from_config(spec.options)
    tasks = [get_task(k) for k in task_keys if k in adapter_cls.tasks]
    run_id = run_id_of(adapter, docs)
    path = run_folder(results, spec.model, run_id)
    summary = RunSummary(spec.model, "ok", path)
    loaded = False
    load_seconds = None
    outcomes: dict[str, TaskOutcome] = {}
    keys = {}
    for task in tasks:
        task_docs = [d for d in docs if task.key in d.gold]
        keys[task.key] = task_cache_key(adapter, task, task_docs)
        outcome = None if force else _reuse(path, task, keys[task.key], task_docs)
        if outcome is None:
            if not loaded:
                adapter.preflight()  # a user mistake (PreflightError) stops here: no run is written
                t0 = time.perf_counter()
                try:
                    call_with_timeout(adapter.load, timeout)
                except Exception as exc:  # a load failure fails every task of this run
                    message = "".join(traceback.format_exception_only(exc)).strip()
                    summary.status, summary.message = "failed", f"load failed: {message}"
                    for t in tasks:
                        outcomes[t.key] = TaskOutcome(t.key, status="failed", exception=summary.message)
                    break
                load_seconds, loaded = time.perf_counter() - t0, True
            outcome = _predict(adapter, task, task_docs, timeout)
        outcomes[task.key] = outcome
        if on_task:
            on_task(task.key, outcome.status + (" (cached)" if outcome.reused else ""))
    summary.outcomes = outcomes
    _write(summary, RunContext(spec.model, run_id, adapter, docs, keys, started_at, load_seconds, seed,
                               n_resamples, _previous(path)), results)  # fmt: skip
    failed = [k for k, o in outcomes.items() if o.status != "ok"]
    if failed and summary.status != "failed":
        summary.status = "failed" if len(failed) == len(outcomes) else "partial"
        summary.message = "; ".join(f"{k}: {outcomes[k].exception}" for k in failed)
    reused = [k for k, o in outcomes.items() if o.reused]
    if reused and not summary.message:  # said on the console only, never in the run record
        summary.message = f"stored predictions reused ({', '.join(reused)}; --force predicts again)"
    return summary


def _previous(path: Path) -> Any:
    """The run record already in ``path`` (None when there is none, or it is broken)."""
    if not (path / "meta.json").exists():
        return None
    try:
        return load_run(path)
    except (OSError, ValueError, BrokenRun):
        return None


def _write(summary: RunSummary, run: RunContext, results: Path) -> None:
    """Build the record (merged with the stored one) and write the run folder atomically."""
    record = build_record(run, summary.outcomes)
    summary.scores = record["scores"]
    write_run(results, run.model, run.run_id, **record)
