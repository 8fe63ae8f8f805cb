"""What renderers read from a leaderboard row beyond its scores: its badge and its label rows.

The badge says what a system has seen of the benchmark. Rows carry ``reads``
(``Adapter.reads``: nothing, gold, other-units-gold, article); older rows only ``uses_gold``.
The badge's long wording is :data:`benchmark.adapters.base.READS`; a system that has seen
nothing gets no badge. Label rows are a task's per-label values (``Task.label_rows``).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

#: Short badge text per ``reads`` value (the long wording is ``benchmark.adapters.base.READS``).
BADGES = {
    "gold": "gold",
    "other-units-gold": "other units' gold",
    "article": "article",
}


def reads(row: dict[str, Any]) -> str:
    """The row's ``reads`` value (``gold`` for an old row with ``uses_gold``, else ``nothing``).

    Example:
        >>> reads({"reads": "article"}), reads({"uses_gold": True}), reads({})
        ('article', 'gold', 'nothing')
    """
    value = row.get("reads")
    if value:
        return str(value)
    return "gold" if row.get("uses_gold") else "nothing"


def badge(row: dict[str, Any]) -> str | None:
    """The short badge of a row, or None when the system has seen nothing of the benchmark.

    Example:
        >>> badge({"reads": "other-units-gold"}), badge({"reads": "nothing"})
        ("other units' gold", None)
    """
    value = reads(row)
    if value == "nothing":
        return None
    return BADGES.get(value, value)


def wording(value: str) -> str:
    """The long explanation of a ``reads`` value (the adapter contract's words)."""
    from benchmark.adapters.base import READS

    return READS.get(value, value)


#: Kinds of system the page filters on, in the order its select lists them.
KINDS = ("reference", "rules", "tagger", "classifier", "retrieval", "llm", "other")


def kind(row: dict[str, Any]) -> str:
    """The kind of system of a row: its ``kind`` (from the adapter's metadata) when the board gives
    one, else ``reference`` for a row that reads the gold, ``llm`` for a row with LLM failure rates,
    ``other`` for the rest.

    Example:
        >>> kind({"kind": "tagger"}), kind({"reference": True}), kind({"llm": {}}), kind({})
        ('tagger', 'reference', 'llm', 'other')
    """
    if row.get("kind"):
        return str(row["kind"])
    if row.get("reference") or reads(row) == "gold":
        return "reference"
    return "llm" if "llm" in row else "other"


def label_rows(row: dict[str, Any]) -> dict[str, float | None]:
    """The row's per-label values (``label_rows``, from ``Task.label_rows``; older boards:
    ``per_label_f1``), each a number or None (not applicable); a value given as a score dict
    counts by its ``estimate``.

    Example:
        >>> label_rows({"label_rows": {"PER": 0.5, "LOC": None, "ORG": {"estimate": 1}}})
        {'PER': 0.5, 'LOC': None, 'ORG': 1.0}
        >>> label_rows({"per_label_f1": {"DATE": 1.0}}), label_rows({})
        ({'DATE': 1.0}, {})
    """
    values = row["label_rows"] if "label_rows" in row else row.get("per_label_f1")
    out: dict[str, float | None] = {}
    for name, value in (values or {}).items():
        if isinstance(value, dict):
            value = value.get("estimate")
        out[str(name)] = float(value) if isinstance(value, Real) and not isinstance(value, bool) else None
    return out


def percent(value: Any) -> str:
    """A rate as a percentage with one decimal, ``n/a`` when undefined.

    Example:
        >>> percent(0.1234), percent(None)
        ('12.3%', 'n/a')
    """
    return "n/a" if value is None else f"{100 * float(value):.1f}%"
