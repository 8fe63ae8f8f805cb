"""Bootstrap intervals and paired tests: hand cases and invariants."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.metrics import (
    accuracy_unit_stats,
    bootstrap_ci,
    counts_f1,
    entity_unit_stats,
    fact_unit_stats,
    paired_bootstrap_test,
    permutation_test,
    score_entities,
)


def test_identical_units_give_degenerate_interval():
    stats = np.array([[1, 1, 0]] * 10)  # every unit F1 = 2/3
    r = bootstrap_ci(stats, counts_f1, n_resamples=50, seed=3)
    assert r.estimate == pytest.approx(2 / 3)
    assert r.low == pytest.approx(2 / 3) and r.high == pytest.approx(2 / 3)
    assert (r.n_resamples, r.n_undefined, r.n_units) == (50, 0, 10)


def test_seeded_and_interval_contains_estimate():
    rng = np.random.default_rng(0)
    stats = rng.integers(0, 4, size=(40, 3))
    a = bootstrap_ci(stats, counts_f1, seed=7)
    b = bootstrap_ci(stats, counts_f1, seed=7)
    assert a == b
    assert a.low < a.estimate < a.high
    assert bootstrap_ci(stats, counts_f1, seed=8) != a


def test_undefined_resamples_are_counted():
    stats = np.array([[0, 0, 0]] * 5 + [[1, 0, 0]])
    r = bootstrap_ci(stats, counts_f1, n_resamples=400, seed=0)
    # P(unit 5 never drawn in 6 draws) = (5/6)^6 = 0.335
    assert 0.25 < r.n_undefined / 400 < 0.42
    assert r.low == r.high == 1.0


def test_accuracy_stats():
    stats = accuracy_unit_stats([True, True, False, True])
    r = bootstrap_ci(stats, lambda s: s[0] / s[1], n_resamples=200)
    assert r.estimate == 0.75


def test_entity_unit_stats_sum_to_micro_counts():
    gold = [(0, 2, "A"), (3, 5, "B"), (10, 12, "A"), (13, 16, "C")]
    pred = [(0, 2, "A"), (3, 5, "A"), (10, 13, "A"), (17, 18, "C")]
    units = [(0, 9), (9, 20)]
    for scheme in ("strict", "exact", "partial", "type"):
        stats = entity_unit_stats(gold, pred, units, scheme=scheme)
        c = score_entities(gold, pred)[scheme].micro.counts
        assert tuple(stats.sum(axis=0)) == (c.tp, c.fp, c.fn)
    with pytest.raises(ValueError, match=r"pred\[0\]: start 30 lies outside every unit"):
        entity_unit_stats(gold, [(30, 31, "A")], units)


def test_fact_unit_stats():
    f = {"start": 0, "end": 2, "value": 3, "unit": "人", "qualifier": "exact", "metric": "抓获"}
    g = {**f, "start": 10, "end": 12}
    stats = fact_unit_stats([f, g], [f], [(0, 5), (5, 20)])
    assert stats.tolist() == [[1, 0, 0], [0, 0, 1]]


def test_paired_tests():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 4, size=(40, 3))
    same = paired_bootstrap_test(a, a, counts_f1, n_resamples=300)
    assert same.difference == 0.0 and same.low == same.high == 0.0 and same.p_value == 1.0
    better = a.copy()
    better[:, 0] += 3  # B is clearly better than A
    r = paired_bootstrap_test(a, better, counts_f1, n_resamples=300, seed=2)
    assert r.difference < 0 and r.high < 0 and r.p_value < 0.01
    assert r == paired_bootstrap_test(a, better, counts_f1, n_resamples=300, seed=2)
    ar = permutation_test(a, better, counts_f1, n_resamples=300, seed=2)
    assert ar.method == "approximate_randomization" and ar.p_value < 0.01
    assert ar.difference == pytest.approx(r.difference)
    assert permutation_test(a, a, counts_f1, n_resamples=50).p_value == 1.0
