"""Export the gold: a Hugging Face ``DatasetDict`` (one split per task) and CoNLL BIO.

Each task gives the rows of its split (``Task.rows``). Rows of the ``ner`` and ``numeric``
splits are lines (every non-empty line, headings
included) with offsets relative to the row's ``text``; ``line_start`` gives the row's
offset in the document, so ``doc_text[line_start + s : line_start + e]`` is a span.
Rows of the ``topics`` split are paragraph units.

Example:
    >>> spans_to_bio(5, [(0, 2, "GPE"), (3, 5, "ORG")])
    ['B-GPE', 'I-GPE', 'O', 'B-ORG', 'I-ORG']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from benchmark.document import Document
from benchmark.schema import atomic_write_text


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


def _in_line(records: Sequence[Any], start: int, end: int) -> list[Any]:
    return [r for r in records if start <= r.start and r.end <= end]


def line_rows(doc: Document) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the ``ner`` and ``numeric`` splits for one document."""
    ner_rows, numeric_rows = [], []
    entities, facts = doc.gold.get("ner", []), doc.gold.get("numeric", [])
    for index, (start, end) in enumerate(doc.lines()):
        text = doc.text[start:end]
        ents = _in_line(entities, start, end)
        base = {"doc_id": doc.id, "line_index": index, "line_start": start, "text": text}
        ner_rows.append(
            base
            | {
                "entities": [
                    {"start": e.start - start, "end": e.end - start, "text": e.text, "label": e.label}
                    for e in ents
                ],
                "chars": list(text),
                "bio_tags": spans_to_bio(
                    len(text), [(e.start - start, e.end - start, e.label) for e in ents]
                ),
            }
        )
        numeric_rows.append(
            base
            | {
                "facts": [
                    {
                        "start": f.start - start,
                        "end": f.end - start,
                        "text": f.text,
                        "value": float(f.value),
                        "unit": f.unit,
                        "qualifier": f.qualifier,
                        "metric": f.metric,
                        "metric_start": f.metric_start - start,
                        "metric_end": f.metric_end - start,
                    }
                    for f in _in_line(facts, start, end)
                ]
            }
        )
    return ner_rows, numeric_rows


def topic_rows(doc: Document) -> list[dict[str, Any]]:
    """Rows of the ``topics`` split for one document (one per paragraph unit)."""
    return [
        {
            "doc_id": doc.id,
            "start": u.start,
            "end": u.end,
            "text": doc.text[u.start : u.end],
            "section": u.section,
            "topics": list(u.topics),
            "primary_topic": u.topics[0],
        }
        for u in doc.gold.get("topics", [])
    ]


def to_datasetdict(docs: Sequence[Document]) -> Any:
    """The gold as ``datasets.DatasetDict``: one split per registered task (rows from ``Task.rows``)."""
    from datasets import Dataset, DatasetDict  # heavy import, only when exporting

    from benchmark.tasks import TASKS, get_task

    splits = {}
    for key in TASKS.names():
        task = get_task(key)
        rows = [row for doc in docs if key in doc.gold for row in task.rows(doc)]
        if rows:
            splits[key] = Dataset.from_list(rows)
    return DatasetDict(splits)


def to_conll(docs: Sequence[Document]) -> str:
    """Character-level BIO in CoNLL format: ``char<TAB>tag``, a blank line after each line.

    Each document starts with ``-DOCSTART- <id>``. Whitespace characters inside a line are
    written as ``U+XXXX`` so every character of the line keeps its row.
    """
    out = []
    for doc in docs:
        out.append(f"-DOCSTART-\t{doc.id}\n\n")
        for row in line_rows(doc)[0]:
            for char, tag in zip(row["chars"], row["bio_tags"], strict=True):
                shown = f"U+{ord(char):04X}" if char.isspace() else char
                out.append(f"{shown}\t{tag}\n")
            out.append("\n")
    return "".join(out)


def export_all(docs: Sequence[Document], out_dir: str | Path) -> dict[str, str]:
    """Write ``hf/`` (``save_to_disk``) and ``gold.conll`` under ``out_dir``; return the paths."""
    out = Path(out_dir)
    to_datasetdict(docs).save_to_disk(str(out / "hf"))
    atomic_write_text(out / "gold.conll", to_conll(docs))
    return {"hf": str(out / "hf"), "conll": str(out / "gold.conll")}
