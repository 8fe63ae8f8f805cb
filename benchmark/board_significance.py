"""The leaderboard's significance data per task: pairwise tests, letter groups, detectable difference.

Every pair of ranked systems is compared by the paired bootstrap on the task's primary score
with Bonferroni-adjusted percentile intervals (:mod:`benchmark.metrics.significance`); a pair
is significantly different exactly when its adjusted interval excludes 0. Groups of systems
that are not distinguishable are shown as letters (compact letter display). The detectable
difference is the smallest difference of the primary score the corrected test detects with
80% power, simulated from the two best ranked systems' units.

Everything is cached on disk under the board's cache folder, keyed by content: a system's
per-unit statistics by the bytes of its predictions files, the scoring context, the gold and
the documents; a pair's test by both systems' statistics and the test's settings. A rebuild
that changes nothing reads the cache only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.board_runs import gold_hash_of
from benchmark.document import Document
from benchmark.provenance import documents_fingerprint, stable_hash
from benchmark.records import RunRecord
from benchmark.schema import write_json
from benchmark.tasks import get_task

ALPHA = 0.05
POWER = 0.8
#: Simulated articles and bootstrap resamples of each, for the detectable difference.
SIMULATIONS, SIMULATION_RESAMPLES = 400, 1000

SIGNIFICANCE_NOTE = (
    "Every pair of ranked systems is compared by the paired bootstrap on the task's primary score, "
    "with Bonferroni-adjusted percentile intervals (each at level {alpha} / m for the m pairs of the "
    "task); a pair is significantly different exactly when its adjusted interval excludes 0 (the "
    "p-value is shown too, but the interval decides, so the two cannot disagree). Systems sharing a "
    "letter are not significantly different (compact letter display); the marks are per pair, so they "
    "stay true in any order."
)


def cached(cache: Path | None, key: str, compute: Callable[[], Any]) -> Any:
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


def predictions_digest(run: RunRecord, key: str, docs: Sequence[Document]) -> str:
    """sha256 over the bytes of the run's predictions file of ``key`` for each of ``docs``."""
    digest = hashlib.sha256()
    gold_file = get_task(key).gold_file
    for doc in docs:
        path = run.path / "predictions" / doc.id / gold_file
        digest.update(doc.id.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


Stats = list[list[float]]


def primary_stats(run: RunRecord, key: str, docs: Sequence[Document], *, cache: Path | None) -> Stats | None:
    """The run's per-unit statistics of the primary score of ``key`` on ``docs`` (cached by content).

    None when the primary score does not apply to the run.
    """
    from benchmark.run_record import context_of
    from benchmark.scoring import headline_stats

    task = get_task(key)

    def compute() -> Stats | None:
        preds = {doc.id: run.predictions(key, doc.id) for doc in docs}
        stats = headline_stats(task, docs, preds, context_of(run.meta))
        found = stats.get(task.primary.name)
        return None if found is None else found.tolist()

    parts = ["unit-stats", task.name, predictions_digest(run, key, docs), run.meta.get("scoring"),
             gold_hash_of(docs, [key]), documents_fingerprint(docs)]  # fmt: skip
    return cached(cache, stable_hash(parts), compute)


def _detectable(key: str, best: Sequence[tuple[str, Stats]], comparisons: int, *, seed: int,
                cache: Path | None) -> dict[str, Any] | None:  # fmt: skip
    """The detectable difference of ``key`` from the two best ranked systems' statistics."""
    from benchmark.metrics.significance import DETECTABLE_METHOD, detectable_difference

    if len(best) < 2:
        return None
    task = get_task(key)
    alpha = ALPHA / comparisons
    (name_a, a), (name_b, b) = best[0], best[1]

    def compute() -> float | None:
        return detectable_difference(
            np.array(a), np.array(b), task.primary.score_fn, alpha=alpha, power=POWER,
            n_simulations=SIMULATIONS, n_resamples=SIMULATION_RESAMPLES, seed=seed,
        )  # fmt: skip

    parts = ["detectable", task.name, a, b, alpha, POWER, SIMULATIONS, SIMULATION_RESAMPLES, seed]
    difference = cached(cache, stable_hash(parts), compute)
    method = DETECTABLE_METHOD.format(simulations=SIMULATIONS, resamples=SIMULATION_RESAMPLES, power=POWER)
    return {"difference": difference, "power": POWER, "alpha": alpha, "metric": task.primary.name,
            "systems": [name_a, name_b], "units": len(a), "method": method}  # fmt: skip


def task_significance(
    key: str,
    ranked: Sequence[tuple[str, RunRecord]],
    docs: Sequence[Document],
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Pairwise tests, letter groups and the detectable difference of one task's ranked systems.

    Args:
        key: The task.
        ranked: ``(model, run)`` of the ranked systems, best first.
        docs: The documents the table ranks on.
        seed: Seed of every bootstrap.
        n_resamples: Resamples of each pairwise test.
        cache: Folder of cached results (None: no cache).

    Returns:
        ``{"pairwise": {...}, "groups": {model: letters}, "detectable": {...} | None}``: the
        task table's ``pairwise`` and ``detectable`` and its rows' ``group``
        (:mod:`benchmark.leaderboard` documents the shapes).
    """
    from benchmark.metrics.significance import letter_display, pair_test

    task = get_task(key)
    primary = task.primary
    stats = [(name, primary_stats(run, key, docs, cache=cache)) for name, run in ranked]
    usable = [(name, s) for name, s in stats if s]
    m = max(1, len(usable) * (len(usable) - 1) // 2)
    pairs = []
    for i, (name_a, a) in enumerate(usable):
        for name_b, b in usable[i + 1 :]:

            def compute(a: Stats = a, b: Stats = b) -> dict[str, Any]:
                return pair_test(
                    np.array(a), np.array(b), primary.score_fn, comparisons=m, alpha=ALPHA,
                    higher_is_better=primary.higher_is_better, n_resamples=n_resamples, seed=seed,
                )  # fmt: skip

            parts = ["pair", task.name, a, b, m, ALPHA, primary.higher_is_better, n_resamples, seed]
            test = dict(cached(cache, stable_hash(parts), compute))
            test["better"] = {"a": name_a, "b": name_b}.get(test.get("better") or "")
            pairs.append({"a": name_a, "b": name_b, **test})
    different = [(p["a"], p["b"]) for p in pairs if p["significant"]]
    return {
        "pairwise": {
            "method": SIGNIFICANCE_NOTE.format(alpha=ALPHA),
            "metric": primary.name,
            "alpha": ALPHA,
            "comparisons": len(pairs),
            "confidence": 1 - ALPHA / m,
            "n_resamples": n_resamples,
            "pairs": pairs,
        },
        "groups": letter_display([name for name, _ in usable], different),
        "detectable": _detectable(key, usable[:2], m, seed=seed, cache=cache),
    }
