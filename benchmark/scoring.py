"""Scores of one system on one task over a corpus: headlines with intervals, details, errors.

Headline scores come from per-unit statistics summed over every document's units
(lines for entities and numeric facts, paragraph units for topics), so a micro score
over several documents is exact, and the percentile bootstrap resamples those units
(``n_resamples`` resamples, seeded). With one article there are only ~40 units: the
intervals are wide, and reports say so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from benchmark.document import Document
from benchmark.tasks.base import ScoringContext, Task

CI_NOTE = (
    "95% intervals: percentile bootstrap over text units (lines; paragraph units for topics), "
    "seeded. One article gives about 40 units, so intervals are wide: differences inside them are "
    "not evidence that one system is better."
)


def headline_stats(
    task: Task, docs: Sequence[Document], preds: Mapping[str, Sequence[Any]], ctx: ScoringContext
) -> dict[str, np.ndarray]:
    """Per-unit statistics of every available headline, stacked over documents."""
    per_doc = [task.unit_stats(doc, preds.get(doc.id, []), ctx) for doc in docs]
    names = set.intersection(*(set(d) for d in per_doc)) if per_doc else set()
    return {name: np.vstack([d[name] for d in per_doc]) for name in names}


def score_task(
    task: Task,
    docs: Sequence[Document],
    preds: Mapping[str, Sequence[Any]],
    ctx: ScoringContext,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Score one task: headline values with 95% intervals, per-document details and errors.

    Returns:
        ``{"task", "headline": {name: {estimate, low, high, ...}}, "primary", "documents":
        {doc_id: details}, "errors": {doc_id: analysis}, "ci_note"}``; a headline that does
        not apply to this system is absent.
    """
    from benchmark.metrics import bootstrap_ci

    stats = headline_stats(task, docs, preds, ctx)
    headline = {}
    for spec in task.headlines:
        if spec.name in stats:
            result = bootstrap_ci(stats[spec.name], spec.score_fn, n_resamples=n_resamples, seed=seed)
            headline[spec.name] = result.to_dict() | {"higher_is_better": spec.higher_is_better}
    return {
        "task": task.name,
        "primary": task.primary.name,
        "headline": headline,
        "documents": {doc.id: task.details(doc, preds.get(doc.id, []), ctx) for doc in docs},
        "errors": {doc.id: task.errors(doc, preds.get(doc.id, []), ctx) for doc in docs},
        "ci_note": CI_NOTE,
    }


def compare_task(
    task: Task,
    docs: Sequence[Document],
    a: tuple[Mapping[str, Sequence[Any]], ScoringContext],
    b: tuple[Mapping[str, Sequence[Any]], ScoringContext],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Paired bootstrap of A - B for every headline both systems have, on the same units."""
    from benchmark.metrics import paired_bootstrap_test

    stats_a, stats_b = headline_stats(task, docs, *a), headline_stats(task, docs, *b)
    out = {}
    for spec in task.headlines:
        if spec.name in stats_a and spec.name in stats_b:
            result = paired_bootstrap_test(
                stats_a[spec.name], stats_b[spec.name], spec.score_fn, n_resamples=n_resamples, seed=seed
            )
            out[spec.name] = result.to_dict() | {"higher_is_better": spec.higher_is_better}
    return out
