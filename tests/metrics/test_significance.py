"""Pairwise significance over several systems: Bonferroni intervals decide, letter groups, power."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmark.metrics.bootstrap import counts_f1, paired_bootstrap_test
from benchmark.metrics.significance import (
    bonferroni_confidence,
    detectable_difference,
    letter_display,
    pair_test,
    pairwise_tests,
)


def accuracy(stats: np.ndarray) -> float | None:
    return None if stats[1] == 0 else float(stats[0] / stats[1])


def _systems(n_units: int = 40, seed: int = 3) -> list[tuple[str, np.ndarray]]:
    """Four systems of decreasing accuracy on the same units (rows: correct, 1)."""
    rng = np.random.default_rng(seed)
    out = []
    for name, p in (("w", 0.9), ("x", 0.75), ("y", 0.6), ("z", 0.3)):
        out.append((name, np.column_stack([rng.random(n_units) < p, np.ones(n_units)]).astype(float)))
    return out


# -- letter display -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "different", "expected"),
    [
        (["a1", "a2", "a3"], [], {"a1": "a", "a2": "a", "a3": "a"}),
        (["p", "q", "r"], [("p", "q"), ("p", "r"), ("q", "r")], {"p": "a", "q": "b", "r": "c"}),
        # not transitive: x = y and y = z, but x != z
        (["x", "y", "z"], [("z", "x")], {"x": "a", "y": "ab", "z": "b"}),
        # a chain of overlapping groups
        (["A", "B", "C", "D"], [("A", "C"), ("A", "D"), ("B", "D")], {"A": "a", "B": "ab", "C": "bc", "D": "c"}),
        # one system different from all the others, which are alike
        (["s", "t", "u", "v"], [("s", "t"), ("s", "u"), ("s", "v")], {"s": "a", "t": "b", "u": "b", "v": "b"}),
        ([], [], {}),
    ],
)
def test_letter_display_matches_hand_cases(items, different, expected):
    assert letter_display(items, different) == expected


@pytest.mark.parametrize("seed", range(8))
def test_letters_are_shared_exactly_by_pairs_not_different(seed):
    rng = np.random.default_rng(seed)
    items = [f"s{i}" for i in range(7)]
    different = [pair for pair in itertools.combinations(items, 2) if rng.random() < 0.4]
    letters = letter_display(items, different)
    for a, b in itertools.combinations(items, 2):
        shares = bool(set(letters[a]) & set(letters[b]))
        assert shares == ((a, b) not in different), (a, b, letters)


def test_letter_display_names_an_unknown_item():
    with pytest.raises(ValueError, match="'nope' is not one of the items"):
        letter_display(["a", "b"], [("a", "nope")])


def test_more_than_52_groups_get_longer_names():
    items = [f"s{i}" for i in range(60)]
    letters = letter_display(items, list(itertools.combinations(items, 2)))
    assert len(set(letters.values())) == 60 and letters["s0"] == "a" and letters["s52"] == "aa"


# -- pairwise tests ---------------------------------------------------------------------------


def test_pairwise_decisions_agree_with_the_bonferroni_intervals():
    systems = _systems()
    pairs = pairwise_tests(systems, accuracy, n_resamples=500, seed=1)
    m = 6
    assert len(pairs) == m and [(p["a"], p["b"]) for p in pairs] == list(itertools.combinations("wxyz", 2))
    stats = dict(systems)
    for p in pairs:
        assert p["significant"] == (p["low"] > 0 or p["high"] < 0)
        raw = paired_bootstrap_test(stats[p["a"]], stats[p["b"]], accuracy, n_resamples=500,
                                    confidence=1 - 0.05 / m, seed=1)  # fmt: skip
        assert (p["low"], p["high"], p["p_value"]) == (raw.low, raw.high, raw.p_value)
        assert p["p_adjusted"] == min(1.0, raw.p_value * m)
        assert p["better"] == (p["a"] if p["significant"] else None)  # a is the more accurate one here
    assert any(p["significant"] for p in pairs) and not all(p["significant"] for p in pairs)


def test_a_larger_family_widens_each_interval():
    (_, a), (_, b) = _systems()[1:3]
    one = pair_test(a, b, accuracy, comparisons=1, n_resamples=500)
    ten = pair_test(a, b, accuracy, comparisons=10, n_resamples=500)
    assert ten["low"] <= one["low"] and ten["high"] >= one["high"]
    assert (ten["high"] - ten["low"]) > (one["high"] - one["low"])


def test_lower_is_better_names_the_other_system():
    a, b = np.array([[1.0, 1.0]] * 30), np.array([[0.0, 1.0]] * 30)
    assert pair_test(a, b, accuracy, comparisons=1, higher_is_better=False)["better"] == "b"


@pytest.mark.parametrize(("alpha", "m"), [(0.0, 1), (1.0, 1), (0.05, 0), (0.05, True)])
def test_bonferroni_rejects_bad_arguments(alpha, m):
    with pytest.raises(ValueError, match=r"alpha|comparisons"):
        bonferroni_confidence(alpha, m)


# -- detectable difference ---------------------------------------------------------------------


def _spread(scale: float, n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two systems whose per-unit accuracy differs by ``scale`` times a fixed noise pattern."""
    noise = np.random.default_rng(seed).standard_normal(n)
    a = np.column_stack([0.5 + scale * noise / 2, np.ones(n)])
    b = np.column_stack([0.5 - scale * noise / 2, np.ones(n)])
    return a, b


def test_detectable_difference_is_deterministic():
    a, b = _spread(0.2)
    first = detectable_difference(a, b, accuracy, alpha=0.05 / 6, seed=4)
    assert first == detectable_difference(a, b, accuracy, alpha=0.05 / 6, seed=4)
    assert first != detectable_difference(a, b, accuracy, alpha=0.05 / 6, seed=5)  # the seed is used


def test_detectable_difference_shrinks_with_the_unit_variance():
    wide = detectable_difference(*_spread(0.3), accuracy, alpha=0.01)
    narrow = detectable_difference(*_spread(0.1), accuracy, alpha=0.01)
    assert 0 < narrow < wide
    assert 2.5 < wide / narrow < 3.5  # a linear score: the difference scales with the spread


def test_detectable_difference_matches_the_normal_approximation():
    """For a mean, delta ~ (z(1 - alpha/2) + z(power)) * sd / sqrt(n)."""
    a, b = _spread(0.2, n=60)
    diffs = a[:, 0] - b[:, 0]
    expected = (2.5758 + 0.8416) * diffs.std() / np.sqrt(diffs.size)
    found = detectable_difference(a, b, accuracy, alpha=0.01, n_simulations=800)
    assert found == pytest.approx(expected, rel=0.2)


def test_stricter_levels_and_more_power_need_larger_differences():
    a, b = _spread(0.2)
    base = detectable_difference(a, b, accuracy, alpha=0.05)
    assert detectable_difference(a, b, accuracy, alpha=0.005) > base
    assert detectable_difference(a, b, accuracy, alpha=0.05, power=0.95) > base


def test_detectable_difference_of_f1_counts():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 3, size=(40, 3)).astype(float)
    b = rng.integers(0, 3, size=(40, 3)).astype(float)
    found = detectable_difference(a, b, counts_f1, alpha=0.05 / 10)
    assert 0.02 < found < 0.6


def test_detectable_difference_undefined_score_and_bad_input():
    zeros = np.zeros((10, 2))
    assert detectable_difference(zeros, zeros, accuracy, alpha=0.05) is None
    with pytest.raises(ValueError, match="stats_b: shape"):
        detectable_difference(np.ones((10, 2)), np.ones((9, 2)), accuracy, alpha=0.05)
    with pytest.raises(ValueError, match="power"):
        detectable_difference(np.ones((10, 2)), np.ones((10, 2)), accuracy, alpha=0.05, power=1.0)
