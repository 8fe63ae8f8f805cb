"""The leaderboard's robustness table: each system's change in score on each variant.

For each variant run, the latest run of the same model and configuration on the variant's
original documents is its base; the change of the primary score is a paired bootstrap over
the original's units (:func:`benchmark.robustness.score_drops`), cached on disk.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmark.board_runs import gold_hash_of, kind_of, latest, predictions_by_doc, run_path
from benchmark.board_significance import cached
from benchmark.document import Document
from benchmark.metrics.significance import excludes_zero
from benchmark.provenance import documents_fingerprint, stable_hash
from benchmark.records import RunRecord
from benchmark.robustness import run_documents, score_drops
from benchmark.run_record import context_of
from benchmark.run_selection import task_entry
from benchmark.tasks import TASKS, get_task


@functools.cache
def _variant_code() -> str:
    """What variant documents depend on besides their originals: the code that makes them and OpenCC."""
    from importlib import metadata

    import benchmark.variants

    digest = hashlib.sha256(Path(benchmark.variants.__file__).read_bytes())
    for package in ("opencc", "opencc-python-reimplemented"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()


def _paired_key(key: str, a: tuple[RunRecord, dict[str, Any]], b: tuple[RunRecord, dict[str, Any]],
                seed: int, n_resamples: int) -> str:  # fmt: skip
    """Everything a paired test depends on: both runs' predictions (their cache keys), how they
    are scored, their primary scores (which change when the metrics or the documents change), the seed."""

    def side(r: RunRecord, score: dict[str, Any]) -> list[Any]:
        return [task_entry(r, key).get("cache_key"), r.meta.get("scoring"), score["headline"]]

    return stable_hash([key, side(*a), side(*b), seed, n_resamples])


ROBUSTNESS_NOTE = (
    "Change = score on the variant minus score on the original documents (primary score of each task), "
    "with a paired 95% bootstrap interval over the original's units (a unit the variant removes counts "
    "as empty on the variant side); a change is significant exactly when its interval excludes 0 (the "
    "paired p-value is shown, but the interval decides, so the two cannot disagree; one interval per "
    "row, not corrected for the number of rows). Variants: traditional (OpenCC, character by "
    "character), fullwidth (ASCII punctuation in Chinese sentences made full-width), no_furniture "
    "(masthead and byline removed), shuffled (paragraphs in a seeded random order)."
)


def _base_run(variant_run: RunRecord, base_runs: Sequence[RunRecord]) -> RunRecord | None:
    """The latest run of the same model and configuration on the variant's original documents."""
    of = set(variant_run.meta["variant"]["of"])
    return latest([
        run for run in base_runs
        if run.model == variant_run.model and run.meta.get("adapter") == variant_run.meta.get("adapter")
        and {d for d, _ in run.meta.get("documents", [])} == of
    ])  # fmt: skip


def _drop(key: str, variant_run: RunRecord, base: RunRecord, originals: Sequence[Document],
          variants: Callable[[], list[Document]], *, seed: int, n_resamples: int,
          cache: Path | None) -> dict[str, Any]:  # fmt: skip
    """The paired change of the primary score from ``base`` to ``variant_run`` (cached)."""
    task = get_task(key)

    def compute() -> dict[str, Any]:
        task_originals = [d for d in originals if key in d.gold]
        task_variants = [v for v in variants() if key in v.gold]
        return score_drops(
            task,
            task_originals,
            task_variants,
            predictions_by_doc(base, key, task_originals),
            {v.id: variant_run.predictions(key, v.id) for v in task_variants},
            context_of(base.meta),
            context_of(variant_run.meta),
            n_resamples=n_resamples,
            seed=seed,
        ).get(task.primary.name, {})

    sides = ((variant_run, variant_run.scores[key]), (base, base.scores[key]))
    parts = ["drop", _paired_key(key, *sides, seed, n_resamples), gold_hash_of(originals, [key])]
    key_hash = stable_hash(parts)
    return cached(cache, key_hash, compute)


def robustness_table(
    runs: Sequence[RunRecord], docs: Sequence[Document], *, seed: int = 0, n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Each system's change in score on each variant (its latest run of it), with its paired interval.

    A variant run whose base run is missing, or whose documents no longer match today's
    originals, is listed in ``without_original_run`` with the reason.
    """
    base_runs = [r for r in runs if not r.meta.get("variant")]
    groups: dict[tuple[str, str], list[RunRecord]] = {}
    for run in (r for r in runs if r.meta.get("variant")):
        groups.setdefault((run.model, run.meta["variant"]["name"]), []).append(run)
    rows, orphans = [], []
    built: dict[str, list[Document]] = {}
    for (_, name), group in sorted(groups.items()):
        run = latest(group)
        base = _base_run(run, base_runs)
        orphan = {"model": run.model, "run_id": run.run_id, "variant": name}
        if base is None:
            orphans.append(orphan | {"reason": "no run on the original documents"})
            continue
        originals = [d for d in docs if d.id in set(run.meta["variant"]["of"])]
        cache_id = stable_hash([run.meta["variant"], documents_fingerprint(originals), _variant_code()])

        def variants(run: RunRecord = run, cache_id: str = cache_id) -> list[Document]:
            if cache_id not in built:
                built[cache_id] = run_documents(run.meta, docs)
            return built[cache_id]

        made = cached(cache, stable_hash(["variant-fingerprint", cache_id]),
                      lambda variants=variants: documents_fingerprint(variants()))  # fmt: skip
        if made != sorted(map(list, run.meta.get("documents", []))):
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
                 "run_id": run.run_id, "base_run_id": base.run_id, "variant": name, "kind": kind_of(run),
                 "run_path": run_path(run), "base_run_path": run_path(base),
                 "task": task.name, "key": key, "metric": task.primary.name, "original": drop.get("score_b"),
                 "on_variant": drop.get("score_a"), "change": drop.get("difference"), "low": drop.get("low"),
                 "high": drop.get("high"), "p_value": drop.get("p_value"),
                 "significant": excludes_zero(drop.get("low"), drop.get("high"))}
            )  # fmt: skip
    rows.sort(key=lambda r: (r["key"], r["variant"], r["model"], r["run_id"]))
    return {"note": ROBUSTNESS_NOTE, "rows": rows, "without_original_run": orphans}
