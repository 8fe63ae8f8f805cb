"""Robustness: scores on variants of the documents, and each system's score drop with a paired interval.

A variant run is an ordinary run on variant documents (``benchmark.variants``), recorded
with ``meta["variant"]``. The drop of a system on a variant is ``score(variant) -
score(original)`` for each headline, with a paired bootstrap over the original's units:
each original unit is paired with its image in the variant (through the variant's
``source_index``), and a unit the variant removed contributes an empty row, so the
resampled sums are exactly the variant's and the original's scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmark.document import Document
from benchmark.tasks import Task

VARIANT_SEED = 0


def variant_documents(docs: Sequence[Document], name: str, *, seed: int = VARIANT_SEED) -> list[Document]:
    """The variant ``name`` of every document (each with its ``source_index``)."""
    from benchmark.variants import make_variant

    return [make_variant(doc, name, seed=seed) for doc in docs]


def run_documents(meta: dict[str, Any], corpus: Sequence[Document]) -> list[Document]:
    """The documents a run was made on: the corpus, or its variant for a variant run."""
    variant = meta.get("variant")
    if not variant:
        return list(corpus)
    base = [d for d in corpus if d.id in set(variant["of"])]
    return variant_documents(base, variant["name"], seed=variant.get("seed", VARIANT_SEED))


def rebuild_variant(doc_id: str, corpus: Sequence[Document]) -> Document | None:
    """The variant document ``base~name[~name...]`` rebuilt from its corpus original.

    Its ``source_index`` maps the *original's* characters (chained variants composed).
    None when ``doc_id`` is not a variant of a corpus document.
    """
    from benchmark.variants import SEPARATOR, make_variant

    base_id, *names = doc_id.split(SEPARATOR)
    doc = next((d for d in corpus if d.id == base_id), None)
    if doc is None or not names:
        return None
    index: list[int | None] = list(range(len(doc.text)))
    for name in names:
        doc = make_variant(doc, name, seed=VARIANT_SEED)
        step = doc.source_index or []
        index = [None if i is None else step[i] for i in index]
    doc.source_index = index
    return doc


def _map_key(key: Any, index: Sequence[int | None]) -> Any:
    if not isinstance(key, tuple):
        return key
    from benchmark.variants import map_span

    return map_span(index, key[0], key[1])


def aligned_stats(
    task: Task, original: Document, variant: Document, stats_o: dict[str, np.ndarray],
    stats_v: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:  # fmt: skip
    """The variant's per-unit rows reordered onto the original's units (zeros where removed)."""
    if variant.source_index is None:
        raise ValueError(f"{variant.id} is not a derived document (no source_index)")
    position = {k: i for i, k in enumerate(task.unit_keys(variant))}
    rows = [position.get(_map_key(k, variant.source_index)) for k in task.unit_keys(original)]
    out = {}
    for name, v in stats_v.items():
        if name not in stats_o:
            continue
        aligned = np.zeros((len(rows), v.shape[1]))
        for i, j in enumerate(rows):
            if j is not None:
                aligned[i] = v[j]
        out[name] = aligned
    return out


def score_drops(
    task: Task,
    originals: Sequence[Document],
    variants: Sequence[Document],
    preds_o: dict[str, list[Any]],
    preds_v: dict[str, list[Any]],
    ctx_o: Any,
    ctx_v: Any,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Paired bootstrap of ``variant - original`` for every headline both have."""
    from benchmark.metrics import paired_bootstrap_test

    by_id = {v.meta.get("variant_of"): v for v in variants}
    stacked_o: dict[str, list[np.ndarray]] = {}
    stacked_v: dict[str, list[np.ndarray]] = {}
    for doc in originals:
        variant = by_id[doc.id]
        so = task.unit_stats(doc, preds_o.get(doc.id, []), ctx_o)
        sv = task.unit_stats(variant, preds_v.get(variant.id, []), ctx_v)
        for name, rows in aligned_stats(task, doc, variant, so, sv).items():
            stacked_o.setdefault(name, []).append(so[name])
            stacked_v.setdefault(name, []).append(rows)
    out = {}
    for spec in task.headlines:
        if spec.name in stacked_o:
            a, b = np.vstack(stacked_v[spec.name]), np.vstack(stacked_o[spec.name])
            result = paired_bootstrap_test(a, b, spec.score_fn, n_resamples=n_resamples, seed=seed)
            out[spec.name] = result.to_dict() | {"higher_is_better": spec.higher_is_better}
    return out
