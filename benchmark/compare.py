"""Compare two runs: paired tests per headline and the items one got right and the other did not.

Runs are matched on the documents both cover with the same text (a run made before a
document was added is compared on the documents it has, and the report says so). Items are
matched through the task (:meth:`~benchmark.tasks.base.Task.correct_keys`, shown with
:meth:`~benchmark.tasks.base.Task.describe`), so a new task needs no change here.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.document import Document, sha256_text
from benchmark.records import BrokenRun, RunRecord, list_runs, load_run
from benchmark.robustness import run_documents
from benchmark.run_record import context_of
from benchmark.scoring import compare_task
from benchmark.tasks import TASKS, get_task


class RunNotFound(LookupError):
    """No run matches what the user named (the message suggests the closest name)."""


class CannotCompare(ValueError):
    """The two runs share no document or no task."""


def _variant_name(run: RunRecord) -> str | None:
    variant = run.meta.get("variant")
    return variant.get("name") if isinstance(variant, dict) else None


def resolve_run(ref: str, results: Path, runs: Sequence[RunRecord] | None = None) -> RunRecord:
    """A run folder path, ``MODEL/RUN_ID``, or ``MODEL``: its latest run on the original documents.

    A run on a robustness variant is chosen only when named (``MODEL/RUN_ID`` or its folder).

    Raises:
        RunNotFound: no such model or run (with "did you mean" when a name is close).
    """
    path = Path(ref)
    if (path / "meta.json").exists():
        try:
            return load_run(path)
        except BrokenRun as exc:
            raise RunNotFound(f"broken run: {exc}") from None
    if runs is None:
        runs = list_runs(results)
    model, _, run_id = ref.partition("/")
    of_model = [r for r in runs if r.model == model]
    if not of_model:
        models = sorted({r.model for r in runs})
        close = difflib.get_close_matches(model, models, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise RunNotFound(
            f"no run {ref!r} under {results}/runs{hint} (models with runs: {', '.join(models) or 'none'})"
        )
    if run_id:
        matches = [r for r in of_model if r.run_id == run_id]
        if not matches:
            ids = ", ".join(r.run_id + (f" ({r.meta['variant']['name']})" if r.meta.get("variant") else "")
                            for r in of_model)  # fmt: skip
            raise RunNotFound(f"no run {ref!r}: {model} has runs {ids}")
        return matches[0]
    originals = [r for r in of_model if not r.meta.get("variant")]
    if not originals:
        ids = ", ".join(f"{model}/{r.run_id} ({_variant_name(r)})" for r in of_model)
        raise RunNotFound(f"{model} has runs on robustness variants only; name one: {ids}")
    return max(originals, key=lambda r: (r.meta.get("finished_at") or "", r.run_id))


def _covered(run: RunRecord, corpus: Sequence[Document]) -> dict[str, Document]:
    """The documents of the run (variant documents rebuilt) whose text is what the run saw."""
    seen = {doc_id: digest for doc_id, digest in run.meta.get("documents", [])}
    docs = run_documents(run.meta, corpus)
    return {d.id: d for d in docs if seen.get(d.id) == sha256_text(d.text)}


def _task_docs(run: RunRecord, key: str, docs: Sequence[Document]) -> set[str]:
    """Documents among ``docs`` that the run has predictions of task ``key`` for."""
    task = get_task(key)
    folder = run.path / "predictions"
    return {d.id for d in docs if key in d.gold and (folder / d.id / task.gold_file).exists()}


def disagreements(
    task_key: str, doc: Document, pred_a: Sequence[Any], pred_b: Sequence[Any]
) -> dict[str, Any]:
    """Gold items that one system got right and the other did not (the task decides "right").

    Each item is :meth:`Task.describe` of the gold record (``text`` is its short form).
    """
    task = get_task(task_key)
    right_a, right_b = task.correct_keys(doc, pred_a), task.correct_keys(doc, pred_b)
    gold = sorted(doc.gold.get(task_key, []), key=task.sort_key)

    def show(keys: set[Any]) -> list[dict[str, Any]]:
        return [task.describe(doc, g) for g in gold if task.record_key(g) in keys]

    return {"only_a": show(right_a - right_b), "only_b": show(right_b - right_a)}


def _task_result(key: str, a: RunRecord, b: RunRecord, docs: Sequence[Document], *, seed: int,
                 n_resamples: int) -> dict[str, Any]:  # fmt: skip
    task = get_task(key)
    try:
        preds_a = {d.id: a.predictions(key, d.id) for d in docs}
        preds_b = {d.id: b.predictions(key, d.id) for d in docs}
    except (OSError, ValueError) as exc:
        raise CannotCompare(f"cannot read the predictions of {key}: {str(exc)[:200]}") from None
    tests = compare_task(
        task, docs, (preds_a, context_of(a.meta)), (preds_b, context_of(b.meta)),
        n_resamples=n_resamples, seed=seed,
    )  # fmt: skip
    return {
        "task": task.name,
        "primary": task.primary.name,
        "documents": [d.id for d in docs],
        "headlines": tests,
        "disagreements": {d.id: disagreements(key, d, preds_a[d.id], preds_b[d.id]) for d in docs},
    }


def compare_runs(a: RunRecord, b: RunRecord, corpus: Sequence[Document], *, seed: int = 0,
                 n_resamples: int = 1000) -> dict[str, Any]:  # fmt: skip
    """Per task both runs scored: paired tests of every headline and the disagreeing items,
    on the documents both runs cover.

    Raises:
        CannotCompare: the runs share no document (e.g. a variant run and an original run).
    """
    docs_a, docs_b = _covered(a, corpus), _covered(b, corpus)
    shared = [docs_a[i] for i in sorted(set(docs_a) & set(docs_b))]
    if not shared:
        raise CannotCompare(
            f"{a.model}/{a.run_id} and {b.model}/{b.run_id} share no document with today's text "
            "(a variant run against another? see the leaderboard's robustness table)"
        )
    out: dict[str, Any] = {
        "a": {"model": a.model, "run_id": a.run_id, "variant": _variant_name(a)},
        "b": {"model": b.model, "run_id": b.run_id, "variant": _variant_name(b)},
        "documents": [d.id for d in shared],
        "tasks": {},
    }
    notes = []
    for side, run in (("A", a), ("B", b)):
        extra = sorted({doc_id for doc_id, _ in run.meta.get("documents", [])} - {d.id for d in shared})
        if extra:
            notes.append(f"{side} also covers {', '.join(extra)} (not in both, or its text changed)")
    if notes:
        out["note"] = f"compared on the {len(shared)} document(s) both runs cover; " + "; ".join(notes)
    registered = set(TASKS.names())
    ok_a = {k for k, t in a.meta.get("tasks", {}).items() if t.get("status") == "ok" and k in a.scores}
    ok_b = {k for k, t in b.meta.get("tasks", {}).items() if t.get("status") == "ok" and k in b.scores}
    for key in sorted(ok_a & ok_b & registered):
        ids = _task_docs(a, key, shared) & _task_docs(b, key, shared)
        if ids:
            out["tasks"][key] = _task_result(key, a, b, [d for d in shared if d.id in ids], seed=seed,
                                             n_resamples=n_resamples)  # fmt: skip
    out["only_in_a"] = sorted(ok_a - ok_b)
    out["only_in_b"] = sorted(ok_b - ok_a)
    if not out["tasks"]:
        raise CannotCompare(f"{a.model}/{a.run_id} and {b.model}/{b.run_id} have no task in common")
    return out


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def render_text(result: dict[str, Any], *, max_items: int = 15) -> str:
    """A plain-text report of :func:`compare_runs`."""
    a, b = result["a"], result["b"]

    def name(side: dict[str, Any]) -> str:
        variant = f", variant {side['variant']}" if side.get("variant") else ""
        return f"{side['model']} ({side['run_id']}{variant})"

    lines = [f"A = {name(a)}   B = {name(b)}"]
    if result.get("note"):
        lines.append(f"note: {result['note']}")
    lines.append("")
    for task in result["tasks"].values():
        lines.append(f"{task['task']}  (primary: {task['primary']})")
        lines.append(f"  {'metric':<22} {'A':>7} {'B':>7} {'A-B':>7}  {'95% interval':<18} p")
        for metric, t in task["headlines"].items():
            interval = f"[{_num(t['low'])}, {_num(t['high'])}]"
            p = "n/a" if t["p_value"] is None else f"{t['p_value']:.3f}"
            lines.append(
                f"  {metric:<22} {_num(t['score_a']):>7} {_num(t['score_b']):>7} {_num(t['difference']):>7}  "
                f"{interval:<18} {p}"
            )
        for doc_id, items in task["disagreements"].items():
            for side, label in (("only_a", "right in A only"), ("only_b", "right in B only")):
                shown = items[side][:max_items]
                more = len(items[side]) - len(shown)
                text = ", ".join(_short(i) for i in shown)
                lines.append(
                    f"  {doc_id}: {label} ({len(items[side])}): {text}" + (f" … +{more}" if more else "")
                )
        lines.append("")
    for side in ("only_in_a", "only_in_b"):
        if result[side]:
            lines.append(f"tasks {side.replace('_', ' ')}: {', '.join(result[side])}")
    return "\n".join(lines).rstrip() + "\n"


def _short(item: dict[str, Any]) -> str:
    """An item's short form: its ``text``, with its ``label`` when it has one (else its id)."""
    text = str(item.get("text", item.get("id", "?")))
    return f"{text}/{item['label']}" if "label" in item else text
