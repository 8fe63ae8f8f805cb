"""Benchmark the entity metrics against seqeval and nervaluate (a benchmark, not a test).

Generates (seeded) a 1,000,000-character document split into 10,000 sentences of 100
characters, with ~50,000 gold spans (3 labels) and ~50,000 predicted spans (4 labels; kept,
retyped, re-bounded, dropped or spurious, non-overlapping so IOB2 can encode them). Scores
strict with :mod:`benchmark.metrics` (whole document), seqeval ``f1_score`` (character IOB2,
one sequence per sentence) and nervaluate (one document per sentence), checks that the
numbers are identical (exit status 1 if not), then times the four schemes plus the error
analysis together.

Usage: ``python perf/bench_metrics.py [--seed N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from nervaluate import Evaluator
from seqeval.metrics import f1_score as seqeval_f1

from benchmark.metrics import analyze_errors, score_entities, strict_counts

N_SENT = 10_000
SENT_LEN = 100
GOLD_LABELS = ("PER", "ORG", "GPE")
PRED_LABELS = ("PER", "ORG", "GPE", "LOC")

Span = tuple[int, int, str]


def make_sentence(rng: random.Random) -> tuple[list[Span], list[Span]]:
    """Gold and predicted spans inside one 100-character sentence (local offsets)."""
    gold: list[Span] = []
    i = rng.randint(0, 8)
    while i < SENT_LEN - 1 and len(gold) < 8:
        n = rng.randint(2, 7)
        if i + n > SENT_LEN:
            break
        gold.append((i, i + n, rng.choice(GOLD_LABELS)))
        i += n + (0 if rng.random() < 0.1 else rng.randint(4, 30))
    pred: list[Span] = []
    for s, e, lab in gold:
        r = rng.random()
        if r < 0.65:
            pred.append((s, e, lab))
        elif r < 0.75:
            pred.append((s, e, rng.choice(PRED_LABELS)))
        elif r < 0.92:
            ns = min(e - 1, max(0, s + rng.randint(-2, 2)))
            ne = min(SENT_LEN, max(ns + 1, e + rng.randint(-2, 2)))
            pred.append((ns, ne, lab))
    for _ in range(rng.choice((0, 0, 1))):
        s = rng.randrange(0, SENT_LEN - 4)
        pred.append((s, s + rng.randint(1, 4), rng.choice(PRED_LABELS)))
    kept: list[Span] = []
    for sp in sorted(pred):  # drop predictions that overlap an earlier one (IOB2 needs this)
        if not kept or kept[-1][1] <= sp[0]:
            kept.append(sp)
    return gold, kept


def iob2(spans: list[Span]) -> list[str]:
    tags = ["O"] * SENT_LEN
    for s, e, lab in spans:
        tags[s] = "B-" + lab
        for k in range(s + 1, e):
            tags[k] = "I-" + lab
    return tags


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    best = math.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3, help="best of N for the fast timings")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    sents = [make_sentence(rng) for _ in range(N_SENT)]
    gold = [(k * SENT_LEN + s, k * SENT_LEN + e, lab) for k, (g, _) in enumerate(sents) for s, e, lab in g]
    pred = [(k * SENT_LEN + s, k * SENT_LEN + e, lab) for k, (_, p) in enumerate(sents) for s, e, lab in p]
    gold_d = [{"start": s, "end": e, "label": lab} for s, e, lab in gold]
    pred_d = [{"start": s, "end": e, "label": lab} for s, e, lab in pred]
    print(
        f"document: {N_SENT * SENT_LEN:,} chars in {N_SENT:,} sentences; "
        f"{len(gold):,} gold spans ({len(GOLD_LABELS)} labels), "
        f"{len(pred):,} predicted spans ({len(PRED_LABELS)} labels)"
    )

    y_true = [iob2(g) for g, _ in sents]
    y_pred = [iob2(p) for _, p in sents]
    nv_true = [[{"start": s, "end": e - 1, "label": lab} for s, e, lab in g] for g, _ in sents]
    nv_pred = [[{"start": s, "end": e - 1, "label": lab} for s, e, lab in p] for _, p in sents]

    gc.collect()
    gc.freeze()  # keep the cyclic GC from rescanning the ~2M setup objects on every timing
    (ours_counts, _), t_fast = timed(lambda: strict_counts(gold_d, pred_d), args.repeat)
    ours_strict, t_strict = timed(lambda: score_entities(gold_d, pred_d, schemes=("strict",)), args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seq_f1, t_seq = timed(lambda: seqeval_f1(y_true, y_pred), 1)

    def run_nervaluate() -> Any:
        return Evaluator(nv_true, nv_pred, tags=list(PRED_LABELS), loader="dict").evaluate()

    nv, t_nv = timed(run_nervaluate, 1)

    def four_plus_errors() -> Any:
        return score_entities(gold_d, pred_d), analyze_errors(gold_d, pred_d)

    (all_schemes, errors), t_all = timed(four_plus_errors, args.repeat)

    f_ours = ours_counts.f1
    f_nv = nv["overall"]["strict"].f1
    print(f"strict F1: ours {f_ours:.12f}  seqeval {seq_f1:.12f}  nervaluate {f_nv:.12f}")
    ok = (
        math.isclose(f_ours, seq_f1, rel_tol=1e-12)
        and math.isclose(f_ours, f_nv, rel_tol=1e-12)
        and ours_strict["strict"].micro.counts == ours_counts
        and all_schemes["strict"].micro.counts == ours_counts
    )
    nv_map = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
    for scheme, key in nv_map.items():
        ref = nv["overall"][key]
        mine = all_schemes[scheme].micro
        same = (mine.correct, mine.incorrect, mine.partial, mine.possible, mine.actual) == (
            ref.correct,
            ref.incorrect,
            ref.partial,
            ref.possible,
            ref.actual,
        )
        if same:
            note = ""
        elif math.isclose(mine.counts.f1 or 0.0, ref.f1, rel_tol=1e-12):
            note = "  (same F1; incorrect/partial split differs: multi-overlap matching)"
        else:
            note = "  (differs: a prediction overlapping several gold spans matched differently)"
        print(f"  {scheme:8s} F1 ours {mine.counts.f1:.6f}  nervaluate {ref.f1:.6f}{note}")
        if scheme == "strict":
            ok = ok and mine.correct == ref.correct and mine.counts.f1 == ref.f1
    print(f"time strict, set ops (strict_counts):    {t_fast * 1000:8.1f} ms")
    print(f"time strict, score_entities:             {t_strict * 1000:8.1f} ms")
    print(
        f"time seqeval f1_score:                   {t_seq * 1000:8.1f} ms  "
        f"(ratio {t_seq / t_fast:.0f}x set ops, {t_seq / t_strict:.0f}x score_entities)"
    )
    print(
        f"time nervaluate Evaluator.evaluate:      {t_nv * 1000:8.1f} ms  "
        f"(all four schemes; ratio {t_nv / t_fast:.0f}x set ops)"
    )
    print(
        f"time four schemes + error categories:    {t_all * 1000:8.1f} ms  "
        f"({sum(errors.counts.values()):,} error records)"
    )
    print(f"error categories: {errors.counts}")
    if not ok:
        print("MISMATCH: the strict scores differ", file=sys.stderr)
        return 1
    print("strict scores identical across the three implementations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
