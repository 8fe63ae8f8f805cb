"""The vectorised score functions give, row for row, the very floats of their one-row form."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.metrics.bootstrap import _scores, bootstrap_ci, paired_bootstrap_test
from benchmark.tasks.base import f1_of_counts, ratio_of


def _looped(score_fn):
    return lambda stats: score_fn(stats)  # no ``batch`` attribute: the loop


@pytest.mark.parametrize("score_fn", [f1_of_counts, ratio_of], ids=["f1_of_counts", "ratio_of"])
@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_batch_equals_the_loop_bit_for_bit(score_fn, dtype) -> None:
    rng = np.random.default_rng(3)
    sums = rng.integers(0, 4, size=(2000, 3)).astype(dtype)  # many zero denominators
    if dtype is np.float64:
        sums *= rng.random((2000, 3))
    sums[:5] = 0
    batch, loop = _scores(sums, score_fn), _scores(sums, _looped(score_fn))
    assert np.isnan(batch[:5]).all() and np.array_equal(batch, loop, equal_nan=True)
    assert batch.tobytes() == loop.tobytes()  # not merely close


def test_resampling_results_do_not_depend_on_the_batch_path() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 5, size=(40, 3)), rng.integers(0, 5, size=(40, 3))
    fast = bootstrap_ci(a, f1_of_counts, n_resamples=300, seed=1)
    slow = bootstrap_ci(a, _looped(f1_of_counts), n_resamples=300, seed=1)
    assert fast == slow
    paired = paired_bootstrap_test(a, b, f1_of_counts, n_resamples=300, seed=1)
    assert paired == paired_bootstrap_test(a, b, _looped(f1_of_counts), n_resamples=300, seed=1)
