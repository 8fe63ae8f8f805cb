"""Differential tests against seqeval, nervaluate and scikit-learn on seeded random cases."""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest
from metrics_gen import iob2, nerv_dicts, one_to_one, random_case, z
from nervaluate import Evaluator
from seqeval.metrics.sequence_labeling import precision_recall_fscore_support as seq_prfs
from sklearn.metrics import accuracy_score, f1_score, hamming_loss
from sklearn.preprocessing import MultiLabelBinarizer

from benchmark.metrics import score_entities, score_topics, strict_counts

N_CASES = 500
NERV_SCHEME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _cases(seed: int, *, non_overlap: bool, require_one_to_one: bool = False):
    rng = random.Random(seed)
    out = []
    while len(out) < N_CASES:
        gold, pred, length = random_case(rng, non_overlap=non_overlap)
        if require_one_to_one and not one_to_one(gold, pred):
            continue
        out.append((gold, pred, length))
    return out


def _nervaluate(gold, pred, labels):
    ev = Evaluator([nerv_dicts(gold)], [nerv_dicts(pred)], tags=labels, loader="dict")
    return ev.evaluate()


def test_strict_equals_seqeval_micro_and_per_label():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for gold, pred, length in _cases(1, non_overlap=True):
            y_true, y_pred = [iob2(gold, length)], [iob2(pred, length)]
            ours = score_entities(gold, pred, schemes=("strict",))["strict"]
            p, r, f, _ = seq_prfs(y_true, y_pred, average="micro")
            assert close(z(ours.precision), p) and close(z(ours.recall), r)
            assert close(z(ours.f1), f)
            labels = sorted({s[2] for s in gold} | {s[2] for s in pred})
            if not labels:
                assert ours.f1 is None
                continue
            p, r, f, s = seq_prfs(y_true, y_pred, average=None)
            assert labels == sorted(ours.per_label)
            for i, lab in enumerate(labels):
                c = ours.per_label[lab].counts
                assert close(z(c.precision), p[i]) and close(z(c.recall), r[i])
                assert close(z(c.f1), f[i]) and c.n_gold == s[i]
            micro, per = strict_counts(gold, pred)
            assert micro == ours.micro.counts
            assert per == {k: v.counts for k, v in ours.per_label.items()}


def _compare_nervaluate(ours_counts, ref, *, full: bool) -> None:
    c = ours_counts.counts
    assert close(z(c.precision), ref.precision)
    assert close(z(c.recall), ref.recall)
    assert close(z(c.f1), ref.f1)
    assert ours_counts.correct == ref.correct
    assert ours_counts.possible == ref.possible and ours_counts.actual == ref.actual
    if full:
        got = (ours_counts.incorrect, ours_counts.partial, ours_counts.missed, ours_counts.spurious)
        assert got == (ref.incorrect, ref.partial, ref.missed, ref.spurious)


def test_strict_equals_nervaluate_with_overlapping_predictions():
    # nervaluate's strict matching is order-dependent when an overlapping prediction is
    # visited before the exact one; listing exact matches first removes that dependence.
    for gold, pred, _ in _cases(2, non_overlap=False):
        gset = set(gold)
        ordered = sorted(pred, key=lambda sp: sp not in gset)
        labels = sorted({s[2] for s in gold} | {s[2] for s in pred}) or ["A"]
        ref = _nervaluate(gold, ordered, labels)
        ours = score_entities(gold, pred, schemes=("strict",))["strict"]
        _compare_nervaluate(ours.micro, ref["overall"]["strict"], full=False)
        for lab, res in ref["entities"].items():
            _compare_nervaluate(ours.per_label[lab], res["strict"], full=False)


@pytest.mark.parametrize("scheme", ["strict", "exact", "partial", "type"])
def test_schemes_equal_nervaluate_on_one_to_one_overlaps(scheme):
    cases = _cases(3, non_overlap=False, require_one_to_one=True)
    n_partial = 0
    for gold, pred, _ in cases:
        labels = sorted({s[2] for s in gold} | {s[2] for s in pred}) or ["A"]
        ref = _nervaluate(gold, pred, labels)
        ours = score_entities(gold, pred, schemes=(scheme,))[scheme]
        _compare_nervaluate(ours.micro, ref["overall"][NERV_SCHEME[scheme]], full=True)
        assert sorted(ref["entities"]) == [
            k for k in ours.per_label if ours.per_label[k].actual or ours.per_label[k].possible
        ]
        for lab, res in ref["entities"].items():
            _compare_nervaluate(ours.per_label[lab], res[NERV_SCHEME[scheme]], full=True)
        n_partial += ours.micro.partial + ours.micro.incorrect
    assert n_partial > 100  # the cases do exercise boundary/type mismatches


def _random_topics(rng: random.Random):
    n = rng.randint(1, 12)
    sections = ["s1", "s2", "s3"]
    topics = ["t1", "t2", "t3", "t4", "t5"]
    gold, pred = [], []
    for i in range(n):
        gold.append(
            {
                "start": 10 * i,
                "end": 10 * i + 9,
                "section": rng.choice(sections),
                "topics": rng.sample(topics, rng.randint(1, 3)),
            }
        )
        pred.append(
            {
                "start": 10 * i,
                "end": 10 * i + 9,
                "section": rng.choice(sections),
                "topics": rng.sample(topics, rng.randint(0, 3)),
            }
        )
    rng.shuffle(pred)
    return gold, pred


def test_topics_equal_sklearn():
    rng = random.Random(4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(200):
            gold, pred = _random_topics(rng)
            ours = score_topics(gold, pred)
            pmap = {(u["start"], u["end"]): u for u in pred}
            pal = [pmap[(u["start"], u["end"])] for u in gold]
            gs, ps = [u["section"] for u in gold], [u["section"] for u in pal]
            assert close(ours.section.accuracy, accuracy_score(gs, ps))
            assert close(ours.section.macro_f1, f1_score(gs, ps, average="macro"))
            gp = [u["topics"][0] for u in gold]
            pp = [u["topics"][0] if u["topics"] else "<none>" for u in pal]
            labs = sorted((set(gp) | set(pp)) - {"<none>"})
            assert close(ours.primary.accuracy, accuracy_score(gp, pp))
            assert close(ours.primary.macro_f1, f1_score(gp, pp, labels=labs, average="macro"))
            gt, pt = [u["topics"] for u in gold], [u["topics"] for u in pal]
            union = sorted({t for ts in gt + pt for t in ts})
            mlb = MultiLabelBinarizer(classes=union)
            yt, yp = mlb.fit_transform(gt), mlb.transform(pt)
            ml = ours.multilabel
            assert close(ml.micro_f1, f1_score(yt, yp, average="micro"))
            assert close(ml.macro_f1, f1_score(yt, yp, average="macro"))
            assert close(ml.subset_accuracy, accuracy_score(yt, yp))
            assert close(ml.hamming_loss, hamming_loss(yt, yp))
            assert np.sum(ours.section.matrix) == len(gold)
