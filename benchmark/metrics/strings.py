"""Character-level string similarity."""

from __future__ import annotations

from collections import Counter

__all__ = ["char_f1"]


def char_f1(gold: str, pred: str) -> float | None:
    """Multiset-of-characters F1 between two strings (SQuAD token F1 with characters as tokens).

    ``common = |chars(gold) ∩ chars(pred)|`` (multiset), ``P = common / len(pred)``,
    ``R = common / len(gold)``, ``F1 = 2PR / (P + R) = 2 common / (len(gold) + len(pred))``.
    Two empty strings are undefined (``None``, the package's undefined-case rule); one empty
    string gives 0.0.

    Args:
        gold: The reference string.
        pred: The predicted string.

    Returns:
        The F1 in ``[0, 1]``, or ``None`` when both strings are empty.

    Example:
        >>> char_f1("破获刑事案件", "刑事案件数")
        0.7272727272727273
        >>> char_f1("", "") is None, char_f1("人", "")
        (True, 0.0)
    """
    if not gold and not pred:
        return None
    common = sum((Counter(gold) & Counter(pred)).values())
    return 2 * common / (len(gold) + len(pred))
