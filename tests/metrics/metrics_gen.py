"""Seeded random cases and reference adapters shared by the metrics tests."""

from __future__ import annotations

import random
from typing import Any

Span = tuple[int, int, str]

GOLD_LABELS = ("A", "B", "C")
PRED_LABELS = ("A", "B", "C", "D")


def non_overlapping(rng: random.Random, length: int, labels: tuple[str, ...], density: float):
    """Random non-overlapping spans, adjacent spans (often same type) included."""
    spans: list[Span] = []
    i = 0
    while i < length:
        if rng.random() < density:
            n = rng.randint(1, 5)
            if i + n > length:
                break
            spans.append((i, i + n, rng.choice(labels)))
            i += n
            if rng.random() < 0.3:
                continue  # adjacent next span
        i += rng.randint(1, 4)
    return spans


def perturb(rng: random.Random, gold: list[Span], length: int) -> list[Span]:
    """Predictions derived from gold: kept, retyped, re-bounded, dropped, plus spurious."""
    out: list[Span] = []
    for s, e, lab in gold:
        r = rng.random()
        if r < 0.4:
            out.append((s, e, lab))
        elif r < 0.55:
            out.append((s, e, rng.choice(PRED_LABELS)))
        elif r < 0.8:
            ns = min(length - 1, max(0, s + rng.randint(-2, 2)))
            ne = min(length, max(ns + 1, e + rng.randint(-2, 2)))
            out.append((ns, ne, rng.choice((lab, lab, rng.choice(PRED_LABELS)))))
        # else dropped
    for _ in range(rng.randint(0, 3)):
        s = rng.randrange(0, length - 1)
        out.append((s, min(length, s + rng.randint(1, 5)), rng.choice(PRED_LABELS)))
    return out


def remove_overlaps(rng: random.Random, spans: list[Span]) -> list[Span]:
    """Keep a random non-overlapping subset (for IOB2 encodings)."""
    order = spans[:]
    rng.shuffle(order)
    taken: list[Span] = []
    for sp in order:
        if all(sp[1] <= t[0] or t[1] <= sp[0] for t in taken):
            taken.append(sp)
    return sorted(taken)


def random_case(rng: random.Random, *, non_overlap: bool) -> tuple[list[Span], list[Span], int]:
    """A gold/pred pair; about 8% of cases have empty gold and 8% empty predictions."""
    length = rng.randint(10, 60)
    gold = non_overlapping(rng, length, GOLD_LABELS, rng.choice((0.1, 0.3, 0.6)))
    pred = perturb(rng, gold, length)
    r = rng.random()
    if r < 0.08:
        gold = []
    elif r < 0.16:
        pred = []
    pred = sorted(set(pred))
    if non_overlap:
        pred = remove_overlaps(rng, pred)
    else:
        rng.shuffle(pred)
    return gold, pred, length


def one_to_one(gold: list[Span], pred: list[Span]) -> bool:
    """True when each prediction overlaps at most one gold span and vice versa."""
    g_n = [0] * len(gold)
    for p in pred:
        hits = [i for i, g in enumerate(gold) if p[0] < g[1] and g[0] < p[1]]
        if len(hits) > 1:
            return False
        for i in hits:
            g_n[i] += 1
    return all(n <= 1 for n in g_n)


def iob2(spans: list[Span], length: int) -> list[str]:
    """Character-level IOB2 tags from non-overlapping spans, B- at every span start."""
    tags = ["O"] * length
    for s, e, lab in spans:
        tags[s] = f"B-{lab}"
        for k in range(s + 1, e):
            tags[k] = f"I-{lab}"
    return tags


def nerv_dicts(spans: list[Span]) -> list[dict[str, Any]]:
    """nervaluate dict-loader entities (its ``end`` is inclusive)."""
    return [{"start": s, "end": e - 1, "label": lab} for s, e, lab in spans]


def z(x: float | None) -> float:
    """Map the undefined value to the references' 0.0."""
    return 0.0 if x is None else x
