"""Input validation shared by the metric modules (private).

Every error names the argument, the item index, the field and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter, lt
from typing import Any

Span = tuple[int, int, str]
"""An entity span ``(start, end, label)``, half-open code-point offsets."""

QUALIFIERS = frozenset({"exact", "approx", "at_least", "at_most"})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_offsets(arg: str, index: int, start: Any, end: Any, *, field: str = "start") -> None:
    """Raise ValueError unless ``0 <= start < end`` are ints."""
    end_field = "end" if field == "start" else field.replace("start", "end")
    if not _is_int(start):
        raise ValueError(f"{arg}[{index}]: field {field!r} must be an int, got {start!r}")
    if not _is_int(end):
        raise ValueError(f"{arg}[{index}]: field {end_field!r} must be an int, got {end!r}")
    if start < 0:
        raise ValueError(f"{arg}[{index}]: field {field!r} must be >= 0, got {start}")
    if end <= start:
        raise ValueError(
            f"{arg}[{index}]: field {end_field!r} must be > {field!r} (half-open span), "
            f"got {field}={start}, {end_field}={end}"
        )


def require(arg: str, index: int, record: Any, fields: Iterable[str]) -> Mapping[str, Any]:
    """Return ``record`` as a mapping after checking that ``fields`` are present."""
    if not isinstance(record, Mapping):
        raise ValueError(f"{arg}[{index}]: expected a dict record, got {type(record).__name__}")
    for field in fields:
        if field not in record:
            raise ValueError(f"{arg}[{index}]: missing field {field!r}")
    return record


def to_span(arg: str, index: int, item: Any) -> Span:
    """Convert an entity record (dict or ``(start, end, label)`` tuple) to a span tuple."""
    if isinstance(item, tuple | list) and len(item) == 3:
        start, end, label = item
    else:
        rec = require(arg, index, item, ("start", "end", "label"))
        start, end, label = rec["start"], rec["end"], rec["label"]
    check_offsets(arg, index, start, end)
    if not isinstance(label, str) or not label:
        raise ValueError(f"{arg}[{index}]: field 'label' must be a non-empty str, got {label!r}")
    return (start, end, label)


def _fast_columns(items: list[Any]) -> tuple[list[int], list[int], list[str]] | None:
    """Vectorised happy path: plain dicts or 3-tuples of exact types; ``None`` if unsure.

    Returns the ``starts``, ``ends`` and ``labels`` columns. Anything unusual returns
    ``None`` so that the per-item path produces the precise error.
    """
    if not items:
        return [], [], []
    kinds = set(map(type, items))
    try:
        if kinds == {dict}:
            keys: tuple[Any, Any, Any] = ("start", "end", "label")
        elif kinds == {tuple} and set(map(len, items)) == {3}:
            keys = (0, 1, 2)
        else:
            return None
        starts = list(map(itemgetter(keys[0]), items))
        ends = list(map(itemgetter(keys[1]), items))
        labels = list(map(itemgetter(keys[2]), items))
    except KeyError:
        return None
    if (
        set(map(type, starts)) != {int}
        or set(map(type, ends)) != {int}
        or set(map(type, labels)) != {str}
        or min(starts) < 0
        or not all(map(lt, starts, ends))
        or not all(labels)
    ):
        return None
    return starts, ends, labels


def to_span_set(arg: str, items: Iterable[Any]) -> set[Span]:
    """Validate entity records straight into a set of span tuples (the fast strict path)."""
    if isinstance(items, str | bytes | Mapping):
        raise ValueError(f"{arg}: expected a sequence of entity records, got {type(items).__name__}")
    items = list(items)
    cols = _fast_columns(items)
    if cols is not None:
        return set(zip(*cols, strict=True))
    return {to_span(arg, i, item) for i, item in enumerate(items)}


def to_spans(arg: str, items: Iterable[Any]) -> list[Span]:
    """Validate a sequence of entity records into a list of span tuples (order kept)."""
    if isinstance(items, str | bytes | Mapping):
        raise ValueError(f"{arg}: expected a sequence of entity records, got {type(items).__name__}")
    items = list(items)
    cols = _fast_columns(items)
    if cols is not None:
        return list(zip(*cols, strict=True))
    return [to_span(arg, i, item) for i, item in enumerate(items)]


def to_units(arg: str, units: Iterable[Any]) -> list[tuple[int, int]]:
    """Validate units given as ``(start, end)`` pairs or dicts with ``start``/``end``."""
    out: list[tuple[int, int]] = []
    for i, unit in enumerate(units):
        if isinstance(unit, tuple | list) and len(unit) == 2:
            start, end = unit
        else:
            rec = require(arg, i, unit, ("start", "end"))
            start, end = rec["start"], rec["end"]
        check_offsets(arg, i, start, end)
        out.append((start, end))
    return out


def check_number(arg: str, index: int, field: str, value: Any) -> float:
    """Return ``value`` if it is a finite int or float (not bool), else raise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{arg}[{index}]: field {field!r} must be an int or float, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{arg}[{index}]: field {field!r} must be finite, got {value!r}")
    return value


def check_str(arg: str, index: int, field: str, value: Any) -> str:
    """Return ``value`` if it is a str, else raise."""
    if not isinstance(value, str):
        raise ValueError(f"{arg}[{index}]: field {field!r} must be a str, got {value!r}")
    return value


def check_str_list(arg: str, index: int, field: str, value: Any) -> list[str]:
    """Return ``value`` as a list if it is a sequence of str, else raise."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"{arg}[{index}]: field {field!r} must be a list of str, got {value!r}")
    for j, v in enumerate(value):
        if not isinstance(v, str):
            raise ValueError(f"{arg}[{index}]: field {field!r}[{j}] must be a str, got {v!r}")
    return list(value)
