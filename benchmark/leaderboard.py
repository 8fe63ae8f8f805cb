"""Build the leaderboard from run records, as data (renderers turn it into files).

One table per task: every system with that task ``ok`` in its run record, ranked by the
task's primary headline; each row has all headline scores with 95% intervals, and a
mark where the system is not significantly different from the one ranked just above it
(paired bootstrap on the primary headline, p >= 0.05). The overall table averages the
primary headlines; see :data:`OVERALL_POLICY`. The same records give the same output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmark.document import GUIDELINES_VERSION, Document
from benchmark.provenance import gold_hash, stable_hash
from benchmark.records import RunRecord
from benchmark.robustness import run_documents, score_drops
from benchmark.run_record import context_of as _context_of
from benchmark.schema import write_json
from benchmark.scoring import CI_NOTE, compare_task
from benchmark.tasks import TASKS, get_task
from benchmark.tasks.ner import LABELS

ALPHA = 0.05
OVERALL_POLICY = (
    "Overall = the mean of each task's primary score ({primaries}). A task a system does not support, "
    "or failed, counts as 0 in the mean; the 'tasks' column says how many of the tasks it covers, so "
    "specialists are visible rather than hidden."
)
USES_GOLD_NOTE = (
    "Systems marked (gold) read gold labels: `oracle` returns the gold itself (it proves the pipeline); "
    "the other (gold) systems (`majority`, `tfidf-logreg`) are trained leave-one-paragraph-out on the "
    "other paragraphs' gold and never see the gold of the paragraph they predict."
)


def reads_of(run: RunRecord) -> str:
    """What the run's system has seen (``Adapter.reads``; older records said ``uses_gold``)."""
    adapter = run.meta.get("adapter", {})
    return adapter.get("reads") or ("gold" if adapter.get("uses_gold") else "nothing")


def _speed(run: RunRecord, key: str) -> float | None:
    return run.meta.get("tasks", {}).get(key, {}).get("chars_per_second")


def _per_label_f1(score: dict[str, Any]) -> dict[str, float | None]:
    """Strict per-label F1 from counts summed over documents."""
    totals: dict[str, list[float]] = {}
    for details in score.get("documents", {}).values():
        per_label = details.get("all_labels", {}).get("schemes", {}).get("strict", {}).get("per_label", {})
        for label, c in per_label.items():
            t = totals.setdefault(label, [0.0, 0.0, 0.0])
            t[0], t[1], t[2] = t[0] + c["tp"], t[1] + c["fp"], t[2] + c["fn"]
    return {
        label: (None if (2 * tp + fp + fn) == 0 else 2 * tp / (2 * tp + fp + fn))
        for label, (tp, fp, fn) in sorted(totals.items())
    }


def _predictions(run: RunRecord, key: str, docs: Sequence[Document]) -> dict[str, list[Any]]:
    return {doc.id: run.predictions(key, doc.id) for doc in docs if key in doc.gold}


def _row(run: RunRecord, key: str) -> dict[str, Any]:
    score = run.scores[key]
    scoring = run.meta.get("scoring", {})
    supported = scoring.get("labels") or list(LABELS)
    row = {
        "model": run.model,
        "run_id": run.run_id,
        "display_name": run.meta.get("display_name", run.model),
        "description": run.meta.get("adapter", {}).get("description", ""),
        "reads": reads_of(run),
        "uses_gold": reads_of(run) in ("gold", "other-units-gold"),
        "scores": {
            name: {k: v[k] for k in ("estimate", "low", "high")} for name, v in score["headline"].items()
        },
        "load_seconds": run.meta.get("load_seconds"),
        "chars_per_second": _speed(run, key),
    }
    if key == "ner":
        row["labels"] = supported
        row["unsupported_labels"] = [label for label in LABELS if label not in supported]
        row["merged_labels"] = scoring.get("merged_labels") or []
        row["per_label_f1"] = _per_label_f1(score)
    return row


def _paired_key(key: str, run: RunRecord, above: RunRecord, seed: int, n_resamples: int) -> str:
    """Everything a paired test depends on: both runs' predictions (their cache keys), how they
    are scored, their current primary scores (which change when the metrics change), the seed."""

    def side(r: RunRecord) -> list[Any]:
        return [r.meta["tasks"][key].get("cache_key"), r.meta.get("scoring"), r.scores[key]["headline"]]

    return stable_hash([key, side(run), side(above), seed, n_resamples])


def _paired_test(
    key: str,
    run: RunRecord,
    above: RunRecord,
    docs: Sequence[Document],
    *,
    seed: int,
    n_resamples: int,
    cache: Path | None,
) -> dict[str, Any]:
    """The paired bootstrap of ``run`` against ``above`` on the primary score (cached on disk)."""
    task = get_task(key)

    def compute() -> dict[str, Any]:
        task_docs = [d for d in docs if key in d.gold]
        return compare_task(
            task,
            task_docs,
            (_predictions(run, key, task_docs), _context_of(run.meta)),
            (_predictions(above, key, task_docs), _context_of(above.meta)),
            n_resamples=n_resamples,
            seed=seed,
        ).get(task.primary.name, {})

    return _cached(cache, _paired_key(key, run, above, seed, n_resamples), compute)


def _cached(cache: Path | None, key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``compute()``, stored as ``cache/<key>.json`` and read from there next time."""
    path = cache / f"{key}.json" if cache else None
    if path is not None and path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    result = compute()
    if path is not None:
        write_json(path, result)
    return result


def task_table(
    key: str,
    runs: Sequence[RunRecord],
    docs: Sequence[Document],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:
    """The leaderboard table of one task."""
    task = get_task(key)
    primary = task.primary
    ok = [r for r in runs if key in r.scores and r.meta.get("tasks", {}).get(key, {}).get("status") == "ok"]
    sign = 1 if primary.higher_is_better else -1

    def order(run: RunRecord) -> tuple[float, str, str]:
        value = run.scores[key]["headline"].get(primary.name, {}).get("estimate")
        return (-sign * (value if value is not None else -sign * float("inf")), run.model, run.run_id)

    ok.sort(key=order)
    rows = []
    for i, run in enumerate(ok):
        row = _row(run, key) | {"rank": i + 1}
        if i > 0:
            test = _paired_test(key, run, ok[i - 1], docs, seed=seed, n_resamples=n_resamples, cache=cache)
            p = test.get("p_value")
            row["p_value_vs_above"] = p
            row["not_significantly_different_from_above"] = p is not None and p >= ALPHA
        rows.append(row)
    failed = [
        {
            "model": r.model,
            "run_id": r.run_id,
            "status": r.meta["tasks"][key].get("status"),
            "exception": r.errors.get(key, {}).get("exception"),
        }
        for r in runs
        if r.meta.get("tasks", {}).get(key, {}).get("status") not in (None, "ok")
    ]
    return {
        "task": task.name,
        "key": key,
        "description": task.description,
        "primary": primary.name,
        "headlines": [
            {"name": h.name, "description": h.description, "higher_is_better": h.higher_is_better}
            for h in task.headlines
        ],
        "rows": rows,
        "failed": failed,
    }


ROBUSTNESS_NOTE = (
    "Change = score on the variant minus score on the original documents (primary score of each task), "
    "with a paired 95% bootstrap interval over the original's units (a unit the variant removes counts "
    "as empty on the variant side) and the paired p-value. Variants: traditional (OpenCC, character by "
    "character), fullwidth (ASCII punctuation in Chinese sentences made full-width), no_furniture "
    "(masthead and byline removed), shuffled (paragraphs in a seeded random order)."
)


def _base_run(variant_run: RunRecord, base_runs: Sequence[RunRecord]) -> RunRecord | None:
    """The run of the same model and configuration on the variant's original documents."""
    of = set(variant_run.meta["variant"]["of"])
    for run in base_runs:
        same = run.model == variant_run.model and run.meta.get("adapter") == variant_run.meta.get("adapter")
        if same and {d for d, _ in run.meta.get("documents", [])} == of:
            return run
    return None


def _drop(key: str, variant_run: RunRecord, base: RunRecord, docs: Sequence[Document], *, seed: int,
          n_resamples: int, cache: Path | None) -> dict[str, Any]:  # fmt: skip
    """The paired change of the primary score from ``base`` to ``variant_run`` (cached)."""
    task = get_task(key)

    def compute() -> dict[str, Any]:
        originals = [d for d in docs if key in d.gold and d.id in set(variant_run.meta["variant"]["of"])]
        variants = [v for v in run_documents(variant_run.meta, docs) if key in v.gold]
        return score_drops(
            task,
            originals,
            variants,
            _predictions(base, key, originals),
            {v.id: variant_run.predictions(key, v.id) for v in variants},
            _context_of(base.meta),
            _context_of(variant_run.meta),
            n_resamples=n_resamples,
            seed=seed,
        ).get(task.primary.name, {})

    key_hash = stable_hash(["drop", _paired_key(key, variant_run, base, seed, n_resamples)])
    return _cached(cache, key_hash, compute)


def robustness_table(
    runs: Sequence[RunRecord], docs: Sequence[Document], *, seed: int = 0, n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Each system's change in score on each variant, with its paired interval."""
    base_runs = [r for r in runs if not r.meta.get("variant")]
    rows, orphans = [], []
    for run in (r for r in runs if r.meta.get("variant")):
        base = _base_run(run, base_runs)
        if base is None:
            orphans.append({"model": run.model, "run_id": run.run_id, "variant": run.meta["variant"]["name"]})
            continue
        for key in sorted(set(run.scores) & set(base.scores)):
            drop = _drop(key, run, base, docs, seed=seed, n_resamples=n_resamples, cache=cache)
            task = get_task(key)
            rows.append(
                {"model": run.model, "display_name": run.meta.get("display_name", run.model),
                 "run_id": run.run_id, "base_run_id": base.run_id, "variant": run.meta["variant"]["name"],
                 "task": task.name, "key": key, "metric": task.primary.name, "original": drop.get("score_b"),
                 "on_variant": drop.get("score_a"), "change": drop.get("difference"), "low": drop.get("low"),
                 "high": drop.get("high"), "p_value": drop.get("p_value")}
            )  # fmt: skip
    rows.sort(key=lambda r: (r["key"], r["variant"], r["model"], r["run_id"]))
    return {"note": ROBUSTNESS_NOTE, "rows": rows, "without_original_run": orphans}


def overall_table(tables: dict[str, dict[str, Any]], runs: Sequence[RunRecord]) -> dict[str, Any]:
    """Mean of primary scores per system (see :data:`OVERALL_POLICY`)."""
    rows = []
    for run in runs:
        per_task = {}
        for key, table in tables.items():
            match = [r for r in table["rows"] if r["run_id"] == run.run_id and r["model"] == run.model]
            per_task[key] = match[0]["scores"][table["primary"]]["estimate"] if match else None
        covered = sum(v is not None for v in per_task.values())
        if covered == 0:
            continue
        mean = sum(v or 0.0 for v in per_task.values()) / len(tables)
        rows.append(
            {
                "model": run.model,
                "run_id": run.run_id,
                "display_name": run.meta.get("display_name", run.model),
                "reads": reads_of(run),
        "uses_gold": reads_of(run) in ("gold", "other-units-gold"),
                "overall": mean,
                "tasks_covered": covered,
                "per_task": per_task,
            }
        )
    rows.sort(key=lambda r: (-r["overall"], r["model"], r["run_id"]))
    for i, row in enumerate(rows):
        row["rank"] = i + 1
    primaries = ", ".join(f"{key}: {table['primary']}" for key, table in tables.items())
    return {"policy": OVERALL_POLICY.format(primaries=primaries), "tasks": list(tables), "rows": rows}


def build(
    runs: Sequence[RunRecord],
    docs: Sequence[Document],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:
    """The whole leaderboard as data (``cache``: a folder for paired-test results)."""
    base_runs = [r for r in runs if not r.meta.get("variant")]  # variant runs go to robustness only
    tables = {
        key: task_table(key, base_runs, docs, seed=seed, n_resamples=n_resamples, cache=cache)
        for key in TASKS.names()
    }
    return {
        "benchmark": "zh-ie-benchmark",
        "guidelines_version": GUIDELINES_VERSION,
        "gold_hash": gold_hash(docs),
        "documents": [doc.id for doc in docs],
        "ci_note": CI_NOTE,
        "uses_gold_note": USES_GOLD_NOTE,
        "significance": f"paired bootstrap on the primary score against the system ranked above; "
        f"'≈' marks p >= {ALPHA} (not significantly different)",
        "tasks": tables,
        "overall": overall_table(tables, base_runs),
        "robustness": robustness_table(runs, docs, seed=seed, n_resamples=n_resamples, cache=cache),
        "runs": [
            {
                "model": r.model,
                "run_id": r.run_id,
                "git_commit": r.meta.get("git_commit"),
                "finished_at": r.meta.get("finished_at"),
            }
            for r in runs
        ],
    }
