"""Building a run record (``meta.json``, ``scores.json``, ``errors.json``) from a run's outcomes.

The runner (:mod:`benchmark.runner`) decides what to predict and what to reuse; this module
turns the outcome of each task into the three JSON documents of the run folder. Two rules
keep re-runs from churning committed files:

- provenance describes the run that *produced* the predictions: when every task reuses
  stored predictions, the start and end times, git commit, packages and hardware of the
  stored record are kept; whether predictions were reused is said on the console only;
- each task's ``scored`` entry (commit and time of the scoring) changes only when its
  scores or its task version change; floats are rounded once, by :func:`round_floats`,
  when the record is written (:func:`benchmark.records.write_run`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from benchmark.adapters import Adapter
from benchmark.document import Document, sha256_text
from benchmark.provenance import documents_fingerprint, environment, git_commit, gold_hash, scrub
from benchmark.records import RunRecord, round_floats
from benchmark.schema import record_to_dict
from benchmark.scoring import score_task
from benchmark.tasks import TASKS, get_task
from benchmark.tasks.base import ScoringContext, Task

#: Top-level ``meta.json`` keys that describe the run that produced the predictions.
PRODUCTION_KEYS = ("started_at", "finished_at", "load_seconds", "benchmark_version", "guidelines_version",
                   "python", "packages", "git_commit", "hardware")  # fmt: skip


#: ``Adapter.reads`` values of systems whose predictions depend on the gold.
READS_GOLD = ("gold", "other-units-gold")


def now() -> str:
    """The current UTC time, to the second, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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


def prediction_row(task: Task, record: Any) -> dict[str, Any]:
    """A predicted record as a row of the predictions file: the fields of the task's prediction
    type only (a gold-typed record returned by an adapter is stored as the lighter type), so a
    run stores the same bytes whether its predictions were made now or read back."""
    row = record_to_dict(record)
    if task.prediction_type is None or isinstance(record, task.prediction_type):
        return row
    names = {f.name for f in fields(task.prediction_type)}
    return {k: v for k, v in row.items() if k in names}


def all_labels(task_keys: Sequence[str]) -> set[str]:
    """Every label the given (registered) tasks declare."""
    return {label for key in task_keys if key in TASKS.names() for label in get_task(key).labels}


def scoring_context(adapter: Adapter) -> ScoringContext:
    """The labels an adapter declares, as the scorer needs them (None: every label of its tasks)."""
    labels = tuple(getattr(adapter, "labels", ()) or ())
    return ScoringContext(
        labels=None if not labels or set(labels) >= all_labels(adapter.tasks) else labels,
        merged_labels=tuple(tuple(g) for g in getattr(adapter, "merged_labels", ()) or ()),
    )


def context_of(meta: dict[str, Any]) -> ScoringContext:
    """The scoring context stored in a run's ``meta.json``."""
    labels = meta.get("scoring", {}).get("labels")
    merged = meta.get("scoring", {}).get("merged_labels") or []
    return ScoringContext(tuple(labels) if labels else None, tuple(tuple(g) for g in merged))


def rescore(meta: dict[str, Any], predictions: dict[str, dict[str, list[Any]]], docs: Sequence[Document],
            *, n_resamples: int, seed: int) -> dict[str, Any]:  # fmt: skip
    """Scores of every task in ``predictions`` (``{task: {doc_id: records}}``) on the documents
    that have its gold and a prediction entry (used by runs, ``--rescore`` and the leaderboard)."""
    ctx = context_of(meta)
    scores = {}
    for key, preds in sorted(predictions.items()):
        task = get_task(key)
        task_docs = [d for d in docs if key in d.gold and d.id in preds]
        scores[key] = score_task(task, task_docs, preds, ctx, n_resamples=n_resamples, seed=seed)
    return scores


def variant_of(docs: Sequence[Document]) -> dict[str, Any] | None:
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


def task_coverage(task_key: str, docs: Sequence[Document]) -> dict[str, Any]:
    """What a task's scores cover: its documents (id, text hash) and the hash of their gold."""
    task_docs = [d for d in docs if task_key in d.gold]
    return {"documents": documents_fingerprint(task_docs), "gold_hash": gold_hash(task_docs, [task_key])}


def scored_entry(previous_task: dict[str, Any] | None, previous_score: Any, new_score: Any,
                 task_name: str) -> dict[str, Any]:  # fmt: skip
    """The task's ``scored`` record: kept unless its scores or its task version changed."""
    if (
        previous_task
        and previous_task.get("scored")
        and previous_task.get("task") == task_name
        and round_floats(previous_score) == round_floats(new_score)
    ):
        return previous_task["scored"]
    return {"git_commit": git_commit(), "at": now()}


@dataclass
class RunContext:
    """Everything about one run besides its task outcomes."""

    model: str
    run_id: str
    adapter: Adapter
    docs: Sequence[Document]
    keys: dict[str, str]
    started_at: str
    load_seconds: float | None
    seed: int
    n_resamples: int
    previous: RunRecord | None = None


def _meta_head(run: RunContext, ctx: ScoringContext, produced: bool) -> dict[str, Any]:
    adapter, previous = run.adapter, run.previous
    meta: dict[str, Any] = {
        "model": run.model,
        "run_id": run.run_id,
        "display_name": run.model,
        "adapter": {
            "name": adapter.name,
            "version": adapter.version,
            "config": scrub(adapter.config()),
            "description": adapter.description,
            "reads": adapter.reads,
            "kind": adapter.kind,
            "offline": adapter.offline,
            "tasks": list(adapter.tasks),
        },
        "scoring": {
            "labels": list(ctx.labels) if ctx.labels else None,
            "merged_labels": [list(g) for g in ctx.merged_labels],
        },
        "documents": documents_fingerprint(run.docs),
        "variant": variant_of(run.docs),
        "gold_hash": gold_hash(run.docs),
        "seed": run.seed,
        "n_resamples": run.n_resamples,
        "tasks": dict(previous.meta.get("tasks", {})) if previous else {},
    }
    if produced or previous is None:  # finished_at is set when the record is complete
        now_run = {"started_at": run.started_at, "load_seconds": run.load_seconds} | environment()
        meta |= {k: now_run.get(k) for k in PRODUCTION_KEYS}
    else:  # nothing was predicted: the stored record's provenance stands
        meta |= {k: previous.meta.get(k) for k in PRODUCTION_KEYS}
    return meta


def _keep_stored_files(
    previous: RunRecord, keys: Sequence[str], docs: Sequence[Document],
    predictions: dict[tuple[str, str], list[Any]], extra: dict[str, Any],
) -> None:  # fmt: skip
    """Copy the stored predictions and string mentions of the ``ok`` tasks ``keys`` (not run now)."""
    for key in keys:
        if previous.meta["tasks"][key].get("status") != "ok":
            continue
        for doc in docs:
            if key in doc.gold:
                predictions[(doc.id, get_task(key).gold_file)] = previous.predictions(key, doc.id)
            rows = previous.mentions(key, doc.id)
            if rows is not None:
                extra[f"predictions/{doc.id}/{key}.mentions.jsonl"] = rows


def build_record(run: RunContext, outcomes: dict[str, TaskOutcome]) -> dict[str, Any]:
    """Meta, scores, errors and prediction files of a run, merged with its stored record.

    Tasks not run this time keep their stored predictions, scores and errors.

    Returns:
        ``{"meta", "scores", "errors", "predictions": {(doc_id, gold_file): rows},
        "extra_files": {relative path: rows}}``.
    """
    previous = run.previous
    produced = any(not o.reused for o in outcomes.values())
    # An adapter may learn its labels in load() (hf-ner with label_map=auto): when every task
    # reused stored predictions it was not loaded, so the stored run's scoring context stands.
    ctx = scoring_context(run.adapter) if produced or previous is None else context_of(previous.meta)
    if run.load_seconds is None and previous:  # every task reused: keep the load time that was measured
        run.load_seconds = previous.meta.get("load_seconds")
    meta = _meta_head(run, ctx, produced)
    scores = dict(previous.scores) if previous else {}
    errors = dict(previous.errors) if previous else {}
    predictions: dict[tuple[str, str], list[Any]] = {}
    extra: dict[str, Any] = {}
    if previous:
        kept = [k for k in previous.meta.get("tasks", {}) if k not in outcomes]
        _keep_stored_files(previous, kept, run.docs, predictions, extra)
    ok = {k: o for k, o in outcomes.items() if o.status == "ok"}
    for key, outcome in ok.items():
        task = get_task(key)
        for doc_id, records in outcome.predictions.items():
            predictions[(doc_id, task.gold_file)] = [prediction_row(task, r) for r in records]
        for doc_id, rows in outcome.mentions.items():
            extra[f"predictions/{doc_id}/{key}.mentions.jsonl"] = rows
    task_docs = {k: {d.id: o.predictions[d.id] for d in run.docs if d.id in o.predictions}
                 for k, o in ok.items()}  # fmt: skip
    new_scores = rescore(meta, task_docs, run.docs, n_resamples=run.n_resamples, seed=run.seed)
    for key, outcome in outcomes.items():
        score = new_scores.get(key, {})
        analysis = score.pop("errors", {})
        errors[key] = {
            "status": outcome.status,
            "exception": outcome.exception,
            "problems": outcome.problems,
            "grounding": outcome.grounding,
            "analysis": analysis,
            "info": outcome.info,
        }
        before = previous.meta.get("tasks", {}).get(key) if previous else None
        cps = (outcome.characters / outcome.predict_seconds) if outcome.predict_seconds else None
        if outcome.reused and before:  # measured when the predictions were made (and rounded then)
            cps = before.get("chars_per_second")
        entry = {
            "task": get_task(key).name,
            "status": outcome.status,
            "cache_key": run.keys.get(key),
            "predict_seconds": outcome.predict_seconds,
            "characters": outcome.characters,
            "chars_per_second": cps,
        } | task_coverage(key, run.docs)
        if run.adapter.reads in READS_GOLD and outcome.status == "ok":  # its predictions depend on the gold
            stored = (before or {}).get("predicted_gold_hash") if outcome.reused else None
            entry["predicted_gold_hash"] = stored or entry["gold_hash"]
        if outcome.status == "ok":
            entry["scored"] = scored_entry(before, previous.scores.get(key) if previous else None, score,
                                           entry["task"])  # fmt: skip
            scores[key] = score
        else:
            scores.pop(key, None)
        meta["tasks"][key] = entry
    for key in scores:  # errors of kept tasks stay in errors.json, not scores.json
        scores[key].pop("errors", None)
    if produced or previous is None:
        meta["finished_at"] = now()
    return {"meta": meta, "scores": scores, "errors": errors, "predictions": predictions,
            "extra_files": extra}  # fmt: skip


def rescore_record(run: RunRecord, corpus: Sequence[Document], *, seed: int | None = None,
                   n_resamples: int | None = None) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any],
                                                            list[str]]:  # fmt: skip
    """A stored run scored again: every ``ok`` task on the documents it has predictions for, made
    on today's text, against today's gold and task version.

    Returns:
        The new ``meta``, ``scores`` and ``errors``, and one note per task that could not be
        rescored (its task is gone, its predictions do not read) or misses documents (re-run).
    """
    from benchmark.robustness import run_documents

    meta = json.loads(json.dumps(run.meta))
    scores, errors, notes = dict(run.scores), dict(run.errors), []
    seed = meta.get("seed", 0) if seed is None else seed
    n_resamples = meta.get("n_resamples", 1000) if n_resamples is None else n_resamples
    meta["seed"], meta["n_resamples"] = seed, n_resamples
    docs = run_documents(meta, corpus)
    for key, entry in sorted(meta.get("tasks", {}).items()):
        if entry.get("status") != "ok":
            continue
        if key not in TASKS.names():
            notes.append(f"{key}: the task is no longer registered: kept as it was")
            continue
        task = get_task(key)
        seen = {doc_id: digest for doc_id, digest in (entry.get("documents") or meta.get("documents") or [])}
        covered = [d for d in docs if key in d.gold and seen.get(d.id) == sha256_text(d.text)
                   and (run.path / "predictions" / d.id / task.gold_file).is_file()]  # fmt: skip
        missing = [d.id for d in docs if key in d.gold and d not in covered]
        if missing:
            notes.append(f"{key}: no predictions for {', '.join(missing)}: incomplete, re-run")
        try:
            preds = {d.id: run.predictions(key, d.id) for d in covered}
        except (OSError, ValueError) as exc:
            notes.append(f"{key}: its predictions do not read as {task.name} ({str(exc)[:120]}): re-run")
            continue
        if not covered:
            continue
        score = rescore(meta, {key: preds}, covered, n_resamples=n_resamples, seed=seed)[key]
        errors.setdefault(key, {})["analysis"] = score.pop("errors", {})
        new_entry = entry | {"task": task.name} | task_coverage(key, covered)
        new_entry["scored"] = scored_entry(entry, run.scores.get(key), score, task.name)
        meta["tasks"][key], scores[key] = new_entry, score
    return meta, scores, errors, notes
