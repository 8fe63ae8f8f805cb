"""Build the leaderboard from run records, as data (renderers turn it into files).

One table per task: each system's latest run with that task ``ok`` (see
:mod:`benchmark.run_selection`), on the documents the ranked runs share with today's text and
gold (a stored score is used as is when it covers exactly those documents and gold; otherwise
the run is scored again from its predictions); runs that miss a document are flagged
``incomplete`` with the command that re-runs them, runs scored under an older task version, or
of a system that reads the gold made before the gold changed, ``stale``.

A task table (``board["tasks"][key]``) holds:

- ``rows``: first the reference rows (a system that reads the gold itself, the oracle: the
  ceiling, ``"reference": true``, ``"rank": null``), then the ranked systems by the task's
  primary score (``rank`` 1..n). Each row has all headline scores with 95% intervals, its
  ``label_rows`` (:meth:`~benchmark.tasks.base.Task.label_rows`), ``reads`` (the badge),
  ``group`` (letters: rows sharing a letter are not significantly different), ``run_path``
  (``runs/MODEL/RUN_ID/``, relative to the board), ``finished_at``, ``git_commit`` and, for an
  LLM, ``llm`` (its failure rates summed over the documents).
- ``pairwise``: every pair of ranked systems, Bonferroni-adjusted paired bootstrap
  (:mod:`benchmark.board_significance`); ``detectable``: the smallest difference the corrected
  test detects with 80% power, with how it was computed.
- ``failed`` (with the ``reason``, e.g. every answer failed to parse), ``incomplete``.

The overall table ranks systems only against systems covering the same tasks
(:mod:`benchmark.board_overall`). The same records give the same bytes: floats are rounded
once (:func:`benchmark.records.round_floats`) and no clock is read (the newest run's time and
commit come from the run records).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.board_overall import OVERALL_POLICY, overall_table
from benchmark.board_robustness import ROBUSTNESS_NOTE, robustness_table
from benchmark.board_runs import (
    REFERENCE,
    forget_gold_hashes,
    gold_hash_of,
    kind_of,
    latest,
    llm_failures,
    predictions_by_doc,
    reads_of,
    run_path,
)
from benchmark.board_significance import (
    ALPHA,
    SIGNIFICANCE_NOTE,
    cached,
    predictions_digest,
    task_significance,
)
from benchmark.document import GUIDELINES_VERSION, Document
from benchmark.provenance import documents_fingerprint, stable_hash
from benchmark.records import RunRecord, round_floats
from benchmark.run_record import rescore
from benchmark.run_selection import Candidate, candidates, ranking_documents, rerun_command, task_entry
from benchmark.scoring import CI_NOTE
from benchmark.tasks import TASKS, get_task

__all__ = [
    "ALPHA", "OVERALL_POLICY", "ROBUSTNESS_NOTE", "build", "newest_run", "overall_table", "robustness_table",
    "task_table",
]  # fmt: skip

USES_GOLD_NOTE = (
    "The oracle returns the gold itself: it proves the pipeline and is shown as the ceiling, not "
    "ranked. Systems badged \"other units' gold\" (majority, tfidf-logreg) are trained "
    "leave-one-paragraph-out on the other paragraphs' gold and never see the gold of the paragraph "
    "they predict; they are ranked, with their badge."
)


def _speed(run: RunRecord, key: str) -> float | None:
    return run.meta.get("tasks", {}).get(key, {}).get("chars_per_second")


def _row(run: RunRecord, key: str, score: dict[str, Any]) -> dict[str, Any]:
    task = get_task(key)
    row = {
        "model": run.model,
        "run_id": run.run_id,
        "display_name": run.meta.get("display_name", run.model),
        "description": run.meta.get("adapter", {}).get("description", ""),
        "reads": reads_of(run),
        "uses_gold": reads_of(run) in ("gold", "other-units-gold"),
        "reference": reads_of(run) == REFERENCE,
        "kind": kind_of(run),
        "scores": {
            name: {k: v[k] for k in ("estimate", "low", "high")} for name, v in score["headline"].items()
        },
        "load_seconds": run.meta.get("load_seconds"),
        "chars_per_second": _speed(run, key),
        "run_path": run_path(run),
        "finished_at": run.meta.get("finished_at"),
        "git_commit": run.meta.get("git_commit"),
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
    llm = llm_failures(run, key)
    if llm is not None:
        row["llm"] = llm
    return row


def _score_on(cand: Candidate, key: str, docs: Sequence[Document], *, seed: int, n_resamples: int,
              cache: Path | None) -> dict[str, Any]:  # fmt: skip
    """The run's score of ``key`` on ``docs``: the stored one when it covers exactly these
    documents and today's gold, else computed again from its predictions (cached)."""
    run, entry = cand.run, task_entry(cand.run, key)
    ids = sorted(d.id for d in docs)
    recorded = sorted(doc_id for doc_id, _ in (entry.get("documents") or run.meta.get("documents") or []))
    if "gold_hash" in entry:
        same_gold = entry["gold_hash"] == gold_hash_of(docs, [key])
    else:  # older records: one hash over every task of the run's documents
        same_gold = run.meta.get("gold_hash") == gold_hash_of(docs)
    if ids == recorded and same_gold:
        return run.scores[key]

    def compute() -> dict[str, Any]:
        preds = {key: predictions_by_doc(run, key, docs)}
        score = rescore(run.meta, preds, docs, n_resamples=n_resamples, seed=seed)
        score[key].pop("errors", None)
        return score[key]

    parts = ["score", key, entry.get("cache_key"), run.meta.get("scoring"), gold_hash_of(docs, [key]),
             documents_fingerprint(docs), get_task(key).name, seed, n_resamples]  # fmt: skip
    return cached(cache, stable_hash(parts), compute)


def _check_readable(run: RunRecord, key: str, docs: Sequence[Document], cache: Path | None) -> None:
    """Raise ValueError (or OSError) when the run's predictions of ``key`` on ``docs`` cannot be read.

    The answer is cached by the files' bytes, so an unchanged run is not parsed again.
    """
    task_name = get_task(key).name
    cached(cache, stable_hash(["readable", task_name, predictions_digest(run, key, docs)]),
           lambda: bool(predictions_by_doc(run, key, docs)) or True)  # fmt: skip


def _flag(cand: Candidate, kind: str, reason: str, **extra: Any) -> dict[str, Any]:
    run = cand.run
    command = rerun_command(run)
    if kind == "stale" and "rescore" in reason:
        command = f".venv/bin/python scripts/leaderboard.py --rescore, or {command}"
    return {"model": run.model, "run_id": run.run_id, "display_name": run.meta.get("display_name", run.model),
            "kind": kind, "reason": reason, **extra, "command": command}  # fmt: skip


def _failed(cand: Candidate, key: str) -> dict[str, Any]:
    """A run whose task failed, with why (an LLM whose every answer failed says so)."""
    run = cand.run
    exception = (run.errors.get(key) or {}).get("exception")
    status = task_entry(run, key).get("status")
    why = str(exception or f"status {status}").strip()
    reason = why.splitlines()[0][:300] if why else "no score recorded"
    name = run.meta.get("display_name", run.model)
    entry = {"model": run.model, "run_id": run.run_id, "display_name": name, "reads": reads_of(run),
             "status": status, "exception": exception, "reason": reason, "run_path": run_path(run)}
    llm = llm_failures(run, key)
    if llm is not None:
        entry["llm"] = llm
    return entry


def _order(primary_higher: bool, primary: str) -> Any:
    sign = 1 if primary_higher else -1

    def order(item: tuple[RunRecord, dict[str, Any]]) -> tuple[float, str, str]:
        value = item[1]["headline"].get(primary, {}).get("estimate")
        return (-sign * (value if value is not None else -sign * float("inf")), item[0].model, item[0].run_id)

    return order


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
            _check_readable(c.run, key, ranked_docs, cache)  # a damaged predictions file flags the run
            score = _score_on(c, key, ranked_docs, seed=seed, n_resamples=n_resamples, cache=cache)
            ok.append((c.run, score))
        except (OSError, ValueError, LookupError) as exc:
            flagged.append(_flag(c, "broken", f"cannot be scored: {str(exc)[:200]}"))
    ok.sort(key=_order(primary.higher_is_better, primary.name))
    reference = [item for item in ok if reads_of(item[0]) == REFERENCE]
    ranked = [item for item in ok if reads_of(item[0]) != REFERENCE]
    significance = task_significance(key, [(run.model, run) for run, _ in ranked], ranked_docs, seed=seed,
                                     n_resamples=n_resamples, cache=cache)  # fmt: skip
    rows = [_row(run, key, score) | {"rank": None} for run, score in reference]
    for i, (run, score) in enumerate(ranked):
        group = significance["groups"].get(run.model, "")
        rows.append(_row(run, key, score) | {"rank": i + 1, "group": group})
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
        "pairwise": significance["pairwise"],
        "detectable": significance["detectable"],
        "incomplete": sorted(flagged, key=lambda f: (f["model"], f["run_id"])),
        "failed": [_failed(c, key) for c in failed],
    }


def newest_run(runs: Sequence[RunRecord]) -> dict[str, Any] | None:
    """The run that finished last, from the run records (never the clock): time, commit, name."""
    run = latest(runs)
    if run is None:
        return None
    return {"finished_at": run.meta.get("finished_at"), "git_commit": run.meta.get("git_commit"),
            "model": run.model, "run_id": run.run_id, "run_path": run_path(run)}  # fmt: skip


def build(
    runs: Sequence[RunRecord],
    docs: Sequence[Document],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:
    """The whole leaderboard as data (``cache``: a folder for derived results: scores, tests)."""
    forget_gold_hashes()  # the documents may be other objects than last time
    base_runs = [r for r in runs if not r.meta.get("variant")]  # variant runs go to robustness only
    tables = {
        key: task_table(key, base_runs, docs, seed=seed, n_resamples=n_resamples, cache=cache)
        for key in TASKS.names()
    }
    return round_floats({
        "benchmark": "zh-ie-benchmark",
        "guidelines_version": GUIDELINES_VERSION,
        "gold_hash": gold_hash_of(docs),
        "documents": [doc.id for doc in docs],
        "newest_run": newest_run(runs),
        "ci_note": CI_NOTE,
        "uses_gold_note": USES_GOLD_NOTE,
        "significance": SIGNIFICANCE_NOTE.format(alpha=ALPHA),
        "tasks": tables,
        "overall": overall_table(tables),
        "robustness": robustness_table(runs, docs, seed=seed, n_resamples=n_resamples, cache=cache),
        "runs": [
            {
                "model": r.model,
                "run_id": r.run_id,
                "path": run_path(r),
                "git_commit": r.meta.get("git_commit"),
                "finished_at": r.meta.get("finished_at"),
            }
            for r in runs
        ],
    })
