"""Run adapters on documents, check their output at the boundary, score, and record the run.

One evaluation of one adapter configuration on a set of documents is one run folder
(``results/runs/<model>/<run_id>``; the run id hashes the adapter, its version and
options, and the documents). Each task's predictions are cached there under a key
that also covers the task version (and the gold, for adapters that read it): a re-run
with unchanged inputs reuses them unless ``force``.

Failures never stop other adapters or tasks: an adapter that raises, runs past its
timeout or returns malformed output is recorded as ``failed`` for that task, with the
reason in ``errors.json``; its scores are not written.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmark.adapters import Adapter, InputDocument, Prediction, get_adapter
from benchmark.document import Document
from benchmark.provenance import documents_fingerprint, environment, gold_hash, scrub, stable_hash
from benchmark.records import load_run, run_folder, write_run
from benchmark.schema import Entity, record_to_dict
from benchmark.scoring import score_task
from benchmark.tasks import Task, get_task
from benchmark.tasks.base import ScoringContext
from benchmark.validate import surface_problems


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
        f"record {i}: expected {task.record_type.__name__}, got {type(r).__name__}"
        for i, r in enumerate(records, start=1)
        if not isinstance(r, task.record_type)
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


@dataclass
class TaskOutcome:
    """What happened to one task of one run."""

    task: str
    status: str = "ok"
    reused: bool = False
    predictions: dict[str, list[Any]] = field(default_factory=dict)
    mentions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    exception: str | None = None
    grounding: dict[str, Any] = field(default_factory=dict)
    predict_seconds: float | None = None
    characters: int = 0
    info: dict[str, Any] = field(default_factory=dict)


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

    ``name`` defaults to the adapter's name; a scored predictions file uses ``--name``.
    """

    adapter: str | type[Adapter]
    options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None

    @property
    def model(self) -> str:
        if self.name:
            return self.name
        return self.adapter if isinstance(self.adapter, str) else self.adapter.name


def scoring_context(adapter: Adapter) -> ScoringContext:
    """The labels an adapter declares, as the scorer needs them."""
    from benchmark.tasks.ner import LABELS

    labels = tuple(getattr(adapter, "labels", ()) or ())
    return ScoringContext(
        labels=None if not labels or set(labels) >= set(LABELS) else labels,
        merged_labels=tuple(tuple(g) for g in getattr(adapter, "merged_labels", ()) or ()),
    )


def _context_of(meta: dict[str, Any]) -> ScoringContext:
    labels = meta.get("scoring", {}).get("labels")
    merged = meta.get("scoring", {}).get("merged_labels") or []
    return ScoringContext(tuple(labels) if labels else None, tuple(tuple(g) for g in merged))


def rescore(meta: dict[str, Any], predictions: dict[str, dict[str, list[Any]]], docs: Sequence[Document],
            *, n_resamples: int, seed: int) -> dict[str, Any]:  # fmt: skip
    """Scores of every ok task of a run from its predictions (used by runs and ``--rescore``)."""
    ctx = _context_of(meta)
    scores = {}
    for key, preds in sorted(predictions.items()):
        task = get_task(key)
        task_docs = [d for d in docs if key in d.gold]
        scores[key] = score_task(task, task_docs, preds, ctx, n_resamples=n_resamples, seed=seed)
    return scores


def _variant_of(docs: Sequence[Document]) -> dict[str, Any] | None:
    """For a run on robustness variants: the variant's name, seed and original documents."""
    names = {d.meta.get("variant") for d in docs}
    if names == {None}:
        return None
    if len(names) != 1:
        raise ValueError(f"a run mixes variants and originals: {sorted(map(str, names))}")
    return {
        "name": docs[0].meta["variant"],
        "seed": docs[0].meta.get("variant_seed"),
        "of": sorted(d.meta["variant_of"] for d in docs),
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
    if adapter.reads in ("gold", "other-units-gold"):
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
            mentions = path / "predictions" / doc.id / f"{task.key}.mentions.jsonl"
            if mentions.exists():
                rows = mentions.read_text(encoding="utf-8").splitlines()
                outcome.mentions[doc.id] = [json.loads(row) for row in rows if row.strip()]
        return outcome
    except (OSError, KeyError, ValueError):
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
    started_at = _now()
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
    _write(summary, adapter, spec, docs, outcomes, keys, started_at, load_seconds, seed, n_resamples, results)
    failed = [k for k, o in outcomes.items() if o.status != "ok"]
    if failed and summary.status != "failed":
        summary.status = "failed" if len(failed) == len(outcomes) else "partial"
        summary.message = "; ".join(f"{k}: {outcomes[k].exception}" for k in failed)
    return summary


def _write(summary: RunSummary, adapter: Adapter, spec: ModelSpec, docs: Sequence[Document],
           outcomes: dict[str, TaskOutcome], keys: dict[str, str], started_at: str,
           load_seconds: float | None, seed: int, n_resamples: int, results: Path) -> None:  # fmt: skip
    """Score the ok tasks, merge with the tasks already in the run folder, write it atomically."""
    previous = None
    if summary.run_path and (summary.run_path / "meta.json").exists():
        try:
            previous = load_run(summary.run_path)
        except (OSError, ValueError):
            previous = None
    loaded = any(not o.reused for o in outcomes.values())
    # An adapter may learn its labels in load() (hf-ner with label_map=auto): when every task
    # reused stored predictions it was not loaded, so the stored run's scoring context stands.
    ctx = scoring_context(adapter) if loaded or previous is None else _context_of(previous.meta)
    if load_seconds is None and previous:  # every task reused: keep the load time that was measured
        load_seconds = previous.meta.get("load_seconds")
    meta: dict[str, Any] = {
        "model": spec.model,
        "run_id": summary.run_path.name if summary.run_path else "",
        "display_name": spec.model,
        "adapter": {
            "name": adapter.name,
            "version": adapter.version,
            "config": scrub(adapter.config()),
            "description": adapter.description,
            "reads": adapter.reads,
            "offline": adapter.offline,
            "tasks": list(adapter.tasks),
        },
        "scoring": {
            "labels": list(ctx.labels) if ctx.labels else None,
            "merged_labels": [list(g) for g in ctx.merged_labels],
        },
        "documents": documents_fingerprint(docs),
        "variant": _variant_of(docs),
        "gold_hash": gold_hash(docs),
        "seed": seed,
        "n_resamples": n_resamples,
        "started_at": started_at,
        "load_seconds": load_seconds,
        "tasks": dict(previous.meta.get("tasks", {})) if previous else {},
    } | environment()
    scores = dict(previous.scores) if previous else {}
    errors = dict(previous.errors) if previous else {}
    predictions: dict[tuple[str, str], list[Any]] = {}
    extra: dict[str, Any] = {}
    if previous:  # keep the stored predictions of tasks not run this time
        for key, entry in previous.meta.get("tasks", {}).items():
            if key not in outcomes and entry.get("status") == "ok":
                for doc in docs:
                    predictions[(doc.id, get_task(key).gold_file)] = previous.predictions(key, doc.id)
    ok = {k: o for k, o in outcomes.items() if o.status == "ok"}
    for key, outcome in ok.items():
        for doc_id, records in outcome.predictions.items():
            predictions[(doc_id, get_task(key).gold_file)] = [record_to_dict(r) for r in records]
        for doc_id, rows in outcome.mentions.items():
            extra[f"predictions/{doc_id}/{key}.mentions.jsonl"] = rows
    task_docs = {k: {d.id: o.predictions[d.id] for d in docs if d.id in o.predictions} for k, o in ok.items()}
    scores.update(rescore(meta, task_docs, docs, n_resamples=n_resamples, seed=seed))
    for key, outcome in outcomes.items():
        if outcome.status != "ok":
            scores.pop(key, None)
        errors[key] = {
            "status": outcome.status,
            "exception": outcome.exception,
            "problems": outcome.problems,
            "grounding": outcome.grounding,
            "analysis": scores.get(key, {}).pop("errors", {}),
            "info": outcome.info,
        }
        cps = (outcome.characters / outcome.predict_seconds) if outcome.predict_seconds else None
        meta["tasks"][key] = {
            "task": get_task(key).name,
            "status": outcome.status,
            "cache_key": keys.get(key),
            "reused_predictions": outcome.reused,
            "predict_seconds": outcome.predict_seconds,
            "characters": outcome.characters,
            "chars_per_second": cps,
        }
    for key in scores:  # errors of kept tasks stay in errors.json, not scores.json
        scores[key].pop("errors", None)
    meta["finished_at"] = _now()
    summary.scores = scores
    write_run(results, spec.model, meta["run_id"], meta=meta, scores=scores, errors=errors,
              predictions=predictions, extra_files=extra)  # fmt: skip
