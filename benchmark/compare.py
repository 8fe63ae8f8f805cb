"""Compare two runs on the same documents: paired tests per headline and the items they disagree on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.document import Document
from benchmark.records import RunRecord, list_runs, load_run
from benchmark.robustness import run_documents
from benchmark.run_record import context_of as _context_of
from benchmark.scoring import compare_task
from benchmark.tasks import get_task


class RunNotFound(LookupError):
    """No run matches what the user named."""


def resolve_run(ref: str, results: Path) -> RunRecord:
    """A run folder path, ``MODEL/RUN_ID``, or ``MODEL`` (its most recently finished run)."""
    path = Path(ref)
    if (path / "meta.json").exists():
        return load_run(path)
    runs = list_runs(results)
    model, _, run_id = ref.partition("/")
    matches = [r for r in runs if r.model == model and (not run_id or r.run_id == run_id)]
    if not matches:
        known = ", ".join(sorted({r.model for r in runs})) or "none"
        raise RunNotFound(f"no run {ref!r} under {results}/runs (models with runs: {known})")
    return max(matches, key=lambda r: (r.meta.get("finished_at") or "", r.run_id))


def _key(record: Any) -> tuple[Any, ...]:
    if hasattr(record, "label"):
        return (record.start, record.end, record.label)
    if hasattr(record, "value"):
        return (record.start, record.end, float(record.value), record.unit)
    return (record.start, record.end, record.section, record.topics)


def disagreements(
    task_key: str, doc: Document, pred_a: Sequence[Any], pred_b: Sequence[Any]
) -> dict[str, Any]:
    """Gold items that one system got exactly right and the other did not.

    Entities: strict ``(start, end, label)``; numeric facts: span, value and unit;
    paragraph units: section and topic list.
    """
    gold = {_key(g): g for g in doc.gold.get(task_key, [])}
    right_a = set(gold) & {_key(p) for p in pred_a}
    right_b = set(gold) & {_key(p) for p in pred_b}

    def show(keys: set[tuple[Any, ...]]) -> list[dict[str, Any]]:
        items = []
        for k in sorted(keys, key=lambda k: (k[0], k[1])):
            item = {"start": k[0], "end": k[1], "text": doc.text[k[0] : k[1]]}
            if task_key == "ner":
                item["label"] = k[2]
            elif task_key == "numeric":
                item["value"], item["unit"] = k[2], k[3]
            else:
                item["section"], item["topics"] = k[2], list(k[3])
            items.append(item)
        return items

    return {"only_a": show(right_a - right_b), "only_b": show(right_b - right_a)}


def compare_runs(a: RunRecord, b: RunRecord, docs: Sequence[Document], *, seed: int = 0,
                 n_resamples: int = 1000) -> dict[str, Any]:  # fmt: skip
    """Per shared task: paired tests of every headline and the disagreeing items."""
    out: dict[str, Any] = {
        "a": {"model": a.model, "run_id": a.run_id},
        "b": {"model": b.model, "run_id": b.run_id},
        "tasks": {},
    }
    if a.meta.get("variant") != b.meta.get("variant"):
        raise ValueError(
            "the runs were made on different documents (a variant and another); "
            "use the leaderboard's robustness table for score drops"
        )
    docs = run_documents(a.meta, docs)
    for key in sorted(set(a.scores) & set(b.scores)):
        task = get_task(key)
        task_docs = [d for d in docs if key in d.gold]
        preds_a = {d.id: a.predictions(key, d.id) for d in task_docs}
        preds_b = {d.id: b.predictions(key, d.id) for d in task_docs}
        tests = compare_task(
            task, task_docs, (preds_a, _context_of(a.meta)), (preds_b, _context_of(b.meta)),
            n_resamples=n_resamples, seed=seed,
        )  # fmt: skip
        out["tasks"][key] = {
            "task": task.name,
            "primary": task.primary.name,
            "headlines": tests,
            "disagreements": {d.id: disagreements(key, d, preds_a[d.id], preds_b[d.id]) for d in task_docs},
        }
    out["only_in_a"] = sorted(set(a.scores) - set(b.scores))
    out["only_in_b"] = sorted(set(b.scores) - set(a.scores))
    return out


def render_text(result: dict[str, Any], *, max_items: int = 15) -> str:
    """A plain-text report of :func:`compare_runs`."""
    a, b = result["a"], result["b"]
    lines = [f"A = {a['model']} ({a['run_id']})   B = {b['model']} ({b['run_id']})", ""]

    def num(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    for task in result["tasks"].values():
        lines.append(f"{task['task']}  (primary: {task['primary']})")
        lines.append(f"  {'metric':<22} {'A':>7} {'B':>7} {'A-B':>7}  {'95% interval':<18} p")
        for name, t in task["headlines"].items():
            interval = f"[{num(t['low'])}, {num(t['high'])}]"
            p = "n/a" if t["p_value"] is None else f"{t['p_value']:.3f}"
            lines.append(
                f"  {name:<22} {num(t['score_a']):>7} {num(t['score_b']):>7} {num(t['difference']):>7}  "
                f"{interval:<18} {p}"
            )
        for doc_id, items in task["disagreements"].items():
            for side, label in (("only_a", "right in A only"), ("only_b", "right in B only")):
                shown = items[side][:max_items]
                more = len(items[side]) - len(shown)
                text = ", ".join(f"{i['text']}" + (f"/{i['label']}" if "label" in i else "") for i in shown)
                lines.append(
                    f"  {doc_id}: {label} ({len(items[side])}): {text}" + (f" … +{more}" if more else "")
                )
        lines.append("")
    for side in ("only_in_a", "only_in_b"):
        if result[side]:
            lines.append(f"tasks {side.replace('_', ' ')}: {', '.join(result[side])}")
    return "\n".join(lines).rstrip() + "\n"
