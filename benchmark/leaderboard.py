"""Build the leaderboard from run records, as data (renderers turn it into files).

One table per task: each system's latest run with that task ``ok`` (see
:mod:`benchmark.run_selection`), ranked by the task's primary headline on the documents the
ranked runs share with today's text and gold (a stored score is used as is when it covers
exactly those documents and gold; otherwise the run is scored again from its predictions);
runs that miss a document are flagged ``incomplete`` with the command that re-runs them,
runs scored under an older task version, or of a system that reads the gold made before the
gold changed, ``stale``. Each row has all headline scores with
95% intervals, its ``label_rows`` (:meth:`~benchmark.tasks.base.Task.label_rows`), and a mark
where the system is not significantly different from the one ranked just above it (paired
bootstrap on the primary headline, p >= 0.05). The overall table averages the primary
headlines; see :data:`OVERALL_POLICY`. The same records give the same bytes: floats are
rounded once (:func:`benchmark.records.round_floats`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmark.document import GUIDELINES_VERSION, Document
from benchmark.provenance import documents_fingerprint, gold_hash, stable_hash
from benchmark.records import RunRecord, round_floats
from benchmark.robustness import run_documents, score_drops
from benchmark.run_record import context_of, rescore
from benchmark.run_selection import Candidate, candidates, ranking_documents, rerun_command, task_entry
from benchmark.schema import write_json
from benchmark.scoring import CI_NOTE, compare_task
from benchmark.tasks import TASKS, get_task

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


def _predictions(run: RunRecord, key: str, docs: Sequence[Document]) -> dict[str, list[Any]]:
    return {doc.id: run.predictions(key, doc.id) for doc in docs if key in doc.gold}


def _row(run: RunRecord, key: str, score: dict[str, Any]) -> dict[str, Any]:
    task = get_task(key)
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
    if task.labels:
        scoring = run.meta.get("scoring", {})
        supported = scoring.get("labels") or list(task.labels)
        row["labels"] = supported
        row["unsupported_labels"] = [label for label in task.labels if label not in supported]
        row["merged_labels"] = scoring.get("merged_labels") or []
    label_rows = task.label_rows(score)
    if label_rows:
        row["label_rows"] = label_rows
    return row


def _cached(cache: Path | None, key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``compute()``, stored as ``cache/<key>.json`` and read from there next time."""
    path = cache / f"{key}.json" if cache else None
    if path is not None and path.exists():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # a damaged cache entry is computed again
    result = compute()
    if path is not None:
        write_json(path, result)
    return result


def _score_on(cand: Candidate, key: str, docs: Sequence[Document], *, seed: int, n_resamples: int,
              cache: Path | None) -> dict[str, Any]:  # fmt: skip
    """The run's score of ``key`` on ``docs``: the stored one when it covers exactly these
    documents and today's gold, else computed again from its predictions (cached)."""
    run, entry = cand.run, task_entry(cand.run, key)
    ids = sorted(d.id for d in docs)
    recorded = sorted(doc_id for doc_id, _ in (entry.get("documents") or run.meta.get("documents") or []))
    if "gold_hash" in entry:
        same_gold = entry["gold_hash"] == gold_hash(docs, [key])
    else:  # older records: one hash over every task of the run's documents
        same_gold = run.meta.get("gold_hash") == gold_hash(docs)
    if ids == recorded and same_gold:
        return run.scores[key]

    def compute() -> dict[str, Any]:
        preds = {key: _predictions(run, key, docs)}
        score = rescore(run.meta, preds, docs, n_resamples=n_resamples, seed=seed)
        score[key].pop("errors", None)
        return score[key]

    parts = ["score", key, entry.get("cache_key"), run.meta.get("scoring"), gold_hash(docs, [key]),
             documents_fingerprint(docs), get_task(key).name, seed, n_resamples]  # fmt: skip
    return _cached(cache, stable_hash(parts), compute)


def _paired_key(key: str, a: tuple[RunRecord, dict[str, Any]], b: tuple[RunRecord, dict[str, Any]],
                seed: int, n_resamples: int) -> str:  # fmt: skip
    """Everything a paired test depends on: both runs' predictions (their cache keys), how they
    are scored, their primary scores on the ranked documents (which change when the metrics or
    the documents change), the seed."""

    def side(r: RunRecord, score: dict[str, Any]) -> list[Any]:
        return [task_entry(r, key).get("cache_key"), r.meta.get("scoring"), score["headline"]]

    return stable_hash([key, side(*a), side(*b), seed, n_resamples])


def _paired_test(key: str, a: tuple[RunRecord, dict[str, Any]], b: tuple[RunRecord, dict[str, Any]],
                 docs: Sequence[Document], *, seed: int, n_resamples: int,
                 cache: Path | None) -> dict[str, Any]:  # fmt: skip
    """The paired bootstrap of run ``a`` against run ``b`` (ranked above) on the primary score."""
    task = get_task(key)

    def compute() -> dict[str, Any]:
        return compare_task(
            task,
            docs,
            (_predictions(a[0], key, docs), context_of(a[0].meta)),
            (_predictions(b[0], key, docs), context_of(b[0].meta)),
            n_resamples=n_resamples,
            seed=seed,
        ).get(task.primary.name, {})

    return _cached(cache, _paired_key(key, a, b, seed, n_resamples), compute)


def _flag(cand: Candidate, kind: str, reason: str, **extra: Any) -> dict[str, Any]:
    run = cand.run
    command = rerun_command(run)
    if kind == "stale" and "rescore" in reason:
        command = f".venv/bin/python scripts/leaderboard.py --rescore, or {command}"
    return {"model": run.model, "run_id": run.run_id, "display_name": run.meta.get("display_name", run.model),
            "kind": kind, "reason": reason, **extra, "command": command}  # fmt: skip


def task_table(
    key: str,
    runs: Sequence[RunRecord],
    docs: Sequence[Document],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:
    """The leaderboard table of one task (``runs``: runs on the original documents)."""
    task = get_task(key)
    primary = task.primary
    found = candidates(runs, key, docs)
    failed = [c for c in found if task_entry(c.run, key).get("status") != "ok" or key not in c.run.scores]
    usable = [c for c in found if c not in failed and c.stale is None and c.covered]
    ranked_ids = ranking_documents(usable, key, docs)
    ranked_docs = [d for d in docs if d.id in ranked_ids]
    full = sorted(d.id for d in docs if key in d.gold)
    flagged = [_flag(c, "stale", c.stale) for c in found if c not in failed and c.stale]
    ok: list[tuple[RunRecord, dict[str, Any]]] = []
    for c in usable:
        if not c.covered >= ranked_ids:
            missing = sorted(set(full) - c.covered)
            flagged.append(_flag(c, "incomplete", f"no predictions for {', '.join(missing)}: re-run",
                                 missing_documents=missing))  # fmt: skip
            continue
        try:
            _predictions(c.run, key, ranked_docs)  # a damaged predictions file flags the run, not the board
            score = _score_on(c, key, ranked_docs, seed=seed, n_resamples=n_resamples, cache=cache)
            ok.append((c.run, score))
        except (OSError, ValueError, LookupError) as exc:
            flagged.append(_flag(c, "broken", f"cannot be scored: {str(exc)[:200]}"))
    sign = 1 if primary.higher_is_better else -1

    def order(item: tuple[RunRecord, dict[str, Any]]) -> tuple[float, str, str]:
        value = item[1]["headline"].get(primary.name, {}).get("estimate")
        return (-sign * (value if value is not None else -sign * float("inf")), item[0].model, item[0].run_id)

    ok.sort(key=order)
    rows = []
    for i, (run, score) in enumerate(ok):
        row = _row(run, key, score) | {"rank": i + 1}
        if i > 0:
            test = _paired_test(key, (run, score), ok[i - 1], ranked_docs, seed=seed, n_resamples=n_resamples,
                                cache=cache)  # fmt: skip
            p = test.get("p_value")
            row["p_value_vs_above"] = p
            row["not_significantly_different_from_above"] = p is not None and p >= ALPHA
        rows.append(row)
    return {
        "task": task.name,
        "key": key,
        "description": task.description,
        "primary": primary.name,
        "headlines": [
            {"name": h.name, "description": h.description, "higher_is_better": h.higher_is_better}
            for h in task.headlines
        ],
        "documents": sorted(ranked_ids),
        "missing_documents": sorted(set(full) - ranked_ids),
        "rows": rows,
        "incomplete": sorted(flagged, key=lambda f: (f["model"], f["run_id"])),
        "failed": [
            {
                "model": c.run.model,
                "run_id": c.run.run_id,
                "status": task_entry(c.run, key).get("status"),
                "exception": (c.run.errors.get(key) or {}).get("exception"),
            }
            for c in failed
        ],
    }

ROBUSTNESS_NOTE = (
    "Change = score on the variant minus score on the original documents (primary score of each task), "
    "with a paired 95% bootstrap interval over the original's units (a unit the variant removes counts "
    "as empty on the variant side) and the paired p-value. Variants: traditional (OpenCC, character by "
    "character), fullwidth (ASCII punctuation in Chinese sentences made full-width), no_furniture "
    "(masthead and byline removed), shuffled (paragraphs in a seeded random order)."
)


def _latest(runs: Sequence[RunRecord]) -> RunRecord | None:
    return max(runs, key=lambda r: (r.meta.get("finished_at") or "", r.run_id), default=None)


def _base_run(variant_run: RunRecord, base_runs: Sequence[RunRecord]) -> RunRecord | None:
    """The latest run of the same model and configuration on the variant's original documents."""
    of = set(variant_run.meta["variant"]["of"])
    return _latest([
        run for run in base_runs
        if run.model == variant_run.model and run.meta.get("adapter") == variant_run.meta.get("adapter")
        and {d for d, _ in run.meta.get("documents", [])} == of
    ])  # fmt: skip


def _drop(key: str, variant_run: RunRecord, base: RunRecord, originals: Sequence[Document],
          variants: Sequence[Document], *, seed: int, n_resamples: int,
          cache: Path | None) -> dict[str, Any]:  # fmt: skip
    """The paired change of the primary score from ``base`` to ``variant_run`` (cached)."""
    task = get_task(key)

    def compute() -> dict[str, Any]:
        task_originals = [d for d in originals if key in d.gold]
        task_variants = [v for v in variants if key in v.gold]
        return score_drops(
            task,
            task_originals,
            task_variants,
            _predictions(base, key, task_originals),
            {v.id: variant_run.predictions(key, v.id) for v in task_variants},
            context_of(base.meta),
            context_of(variant_run.meta),
            n_resamples=n_resamples,
            seed=seed,
        ).get(task.primary.name, {})

    sides = ((variant_run, variant_run.scores[key]), (base, base.scores[key]))
    key_hash = stable_hash(["drop", _paired_key(key, *sides, seed, n_resamples), gold_hash(originals, [key])])
    return _cached(cache, key_hash, compute)


def robustness_table(
    runs: Sequence[RunRecord], docs: Sequence[Document], *, seed: int = 0, n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Each system's change in score on each variant (its latest run of it), with its paired interval.

    A variant run whose base run is missing, or whose documents no longer match today's
    originals, is listed in ``without_original_run`` with the reason.
    """
    base_runs = [r for r in runs if not r.meta.get("variant")]
    latest: dict[tuple[str, str], list[RunRecord]] = {}
    for run in (r for r in runs if r.meta.get("variant")):
        latest.setdefault((run.model, run.meta["variant"]["name"]), []).append(run)
    rows, orphans = [], []
    built: dict[str, list[Document]] = {}
    for (_, name), group in sorted(latest.items()):
        run = _latest(group)
        base = _base_run(run, base_runs)
        orphan = {"model": run.model, "run_id": run.run_id, "variant": name}
        if base is None:
            orphans.append(orphan | {"reason": "no run on the original documents"})
            continue
        originals = [d for d in docs if d.id in set(run.meta["variant"]["of"])]
        cache_id = stable_hash([run.meta["variant"], documents_fingerprint(originals)])
        if cache_id not in built:
            built[cache_id] = run_documents(run.meta, docs)
        variants = built[cache_id]
        if documents_fingerprint(variants) != sorted(map(list, run.meta.get("documents", []))):
            orphans.append(orphan | {"reason": "the original documents changed since this run: re-run it"})
            continue
        for key in sorted(set(run.scores) & set(base.scores) & set(TASKS.names())):
            try:
                drop = _drop(key, run, base, originals, variants, seed=seed, n_resamples=n_resamples,
                             cache=cache)  # fmt: skip
            except (OSError, ValueError, LookupError) as exc:
                orphans.append(orphan | {"reason": f"{key}: cannot be scored: {str(exc)[:200]}"})
                continue
            task = get_task(key)
            rows.append(
                {"model": run.model, "display_name": run.meta.get("display_name", run.model),
                 "run_id": run.run_id, "base_run_id": base.run_id, "variant": name,
                 "task": task.name, "key": key, "metric": task.primary.name, "original": drop.get("score_b"),
                 "on_variant": drop.get("score_a"), "change": drop.get("difference"), "low": drop.get("low"),
                 "high": drop.get("high"), "p_value": drop.get("p_value")}
            )  # fmt: skip
    rows.sort(key=lambda r: (r["key"], r["variant"], r["model"], r["run_id"]))
    return {"note": ROBUSTNESS_NOTE, "rows": rows, "without_original_run": orphans}


def overall_table(tables: dict[str, dict[str, Any]], runs: Sequence[RunRecord]) -> dict[str, Any]:
    """Mean of primary scores per system (see :data:`OVERALL_POLICY`), from the tables' rows."""
    by_model: dict[str, dict[str, Any]] = {}
    for key, table in tables.items():
        for row in table["rows"]:
            entry = by_model.setdefault(row["model"], {"row": row, "per_task": {}})
            entry["per_task"][key] = row["scores"][table["primary"]]["estimate"]
    rows = []
    for model, entry in sorted(by_model.items()):
        per_task = {key: entry["per_task"].get(key) for key in tables}
        first = entry["row"]
        rows.append(
            {
                "model": model,
                "run_id": first["run_id"],
                "display_name": first["display_name"],
                "reads": first["reads"],
                "uses_gold": first["uses_gold"],
                "overall": sum(v or 0.0 for v in per_task.values()) / len(tables),
                "tasks_covered": sum(v is not None for v in per_task.values()),
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
    return round_floats({
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
    })
