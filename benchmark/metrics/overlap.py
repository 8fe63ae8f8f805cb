"""Overlapping-pair search by sort-and-sweep, ``O((n + m) log(n + m) + k)`` for ``k`` pairs.

Spans are half-open: ``[a, b)`` and ``[c, d)`` overlap iff ``a < d and c < b``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["overlap_length", "overlapping_pairs"]


def overlap_length(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Number of code points shared by two half-open spans (0 when disjoint).

    ``overlap = max(0, min(a_end, b_end) - max(a_start, b_start))``

    Example:
        >>> overlap_length((0, 5), (3, 9)), overlap_length((0, 3), (3, 9))
        (2, 0)
    """
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def overlapping_pairs(left: Sequence[Sequence[Any]], right: Sequence[Sequence[Any]]) -> list[tuple[int, int]]:
    """Find every pair ``(i, j)`` with ``left[i]`` overlapping ``right[j]``.

    Items are sequences whose first two elements are ``start`` and ``end``. The sweep visits
    spans by start; each side keeps the spans still open, pruned lazily, so the cost is the
    sort plus the number of pairs found.

    Args:
        left: Spans ``(start, end, ...)``.
        right: Spans ``(start, end, ...)``.

    Returns:
        The overlapping index pairs, sorted.

    Example:
        >>> overlapping_pairs([(0, 4, "A"), (6, 8, "B")], [(3, 7, "A"), (8, 9, "B")])
        [(0, 0), (1, 0)]
    """
    events = sorted([(s[0], 0, i) for i, s in enumerate(left)] + [(s[0], 1, j) for j, s in enumerate(right)])
    active: tuple[list[int], list[int]] = ([], [])
    spans = (left, right)
    pairs: list[tuple[int, int]] = []
    for start, side, idx in events:
        other = 1 - side
        other_spans = spans[other]
        still_open = [k for k in active[other] if other_spans[k][1] > start]
        active[other][:] = still_open
        if still_open:
            if side == 0:
                pairs.extend((idx, k) for k in still_open)
            else:
                pairs.extend((k, idx) for k in still_open)
        active[side].append(idx)
    pairs.sort()
    return pairs
