"""Helpers for a task's export rows (``Task.rows``) and character-level BIO tags.

Tasks build the rows of their Hugging Face split from these; :mod:`benchmark.export` only
collects them, so the export imports the tasks and never the other way round.

Example:
    >>> spans_to_bio(5, [(0, 2, "GPE"), (3, 5, "ORG")])
    ['B-GPE', 'I-GPE', 'O', 'B-ORG', 'I-ORG']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from benchmark.document import Document


def spans_to_bio(length: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """Character-level IOB2 tags for non-overlapping half-open spans.

    Raises:
        ValueError: If a span is out of range or overlaps another.
    """
    tags = ["O"] * length
    for start, end, label in sorted(spans):
        if not 0 <= start < end <= length:
            raise ValueError(f"span [{start}, {end}) is outside [0, {length})")
        if any(tag != "O" for tag in tags[start:end]):
            raise ValueError(f"span [{start}, {end}) {label} overlaps another span")
        tags[start] = f"B-{label}"
        tags[start + 1 : end] = [f"I-{label}"] * (end - start - 1)
    return tags


def in_line(records: Sequence[Any], start: int, end: int) -> list[Any]:
    """The records whose ``[start, end)`` lies inside ``[start, end)`` of a line."""
    return [r for r in records if start <= r.start and r.end <= end]


def line_rows(
    doc: Document,
    records: Sequence[Any],
    to_row: Callable[[str, list[Any], int], dict[str, Any]],
) -> list[dict[str, Any]]:
    """One row per non-empty line (headings included): ``doc_id``, ``line_index``, ``line_start``,
    ``text``, and what ``to_row(line_text, records_in_line, line_start)`` adds.

    Example:
        >>> from benchmark.schema import Entity
        >>> doc = Document("d", "甲\\n四川", {"id": "d"})
        >>> rows = line_rows(doc, [Entity(2, 4, "四川", "GPE")],
        ...                  lambda text, recs, s: {"n": len(recs)})
        >>> [(r["line_start"], r["text"], r["n"]) for r in rows]
        [(0, '甲', 0), (2, '四川', 1)]
    """
    rows = []
    for index, (start, end) in enumerate(doc.lines()):
        text = doc.text[start:end]
        base = {"doc_id": doc.id, "line_index": index, "line_start": start, "text": text}
        rows.append(base | to_row(text, in_line(records, start, end), start))
    return rows
