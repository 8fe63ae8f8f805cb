"""Export the gold: a Hugging Face ``DatasetDict`` (one split per task) and CoNLL BIO.

Each task gives the rows of its split (``Task.rows``; the built-in tasks build them with
:mod:`benchmark.tasks.rows`), and the spans of its BIO column (``Task.bio_spans``). This
module only collects them: it imports the tasks, never the other way round.

Example:
    >>> from benchmark.document import Document
    >>> from benchmark.schema import Entity
    >>> doc = Document("d", "四川 公安", {"id": "d"}, gold={"ner": [Entity(0, 2, "四川", "GPE")]})
    >>> to_conll([doc]).splitlines()[2:5]
    ['四\\tB-GPE', '川\\tI-GPE', 'U+0020\\tO']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.document import Document
from benchmark.schema import atomic_write_text
from benchmark.tasks import TASKS, get_task
from benchmark.tasks.rows import spans_to_bio

__all__ = ["export_all", "spans_to_bio", "to_conll", "to_datasetdict"]


def to_datasetdict(docs: Sequence[Document]) -> Any:
    """The gold as ``datasets.DatasetDict``: one split per registered task (rows from ``Task.rows``)."""
    from datasets import Dataset, DatasetDict  # heavy import, only when exporting

    splits = {}
    for key in TASKS.names():
        task = get_task(key)
        rows = [row for doc in docs if key in doc.gold for row in task.rows(doc)]
        if rows:
            splits[key] = Dataset.from_list(rows)
    return DatasetDict(splits)


def to_conll(docs: Sequence[Document]) -> str:
    """Character-level BIO in CoNLL format: ``char<TAB>tag[<TAB>tag...]``, a blank line after each line.

    One tag column per registered task that has BIO spans (``Task.bio_spans``), in registry
    order, over every non-empty line of each document. Each document starts with
    ``-DOCSTART- <id>``. Whitespace characters inside a line are written as ``U+XXXX`` so
    every character of the line keeps its row.
    """
    out = []
    for doc in docs:
        columns = []
        for key in TASKS.names():
            spans = get_task(key).bio_spans(doc) if key in doc.gold else None
            if spans is not None:
                columns.append(spans)
        out.append(f"-DOCSTART-\t{doc.id}\n\n")
        for start, end in doc.lines():
            text = doc.text[start:end]
            tags = [
                spans_to_bio(len(text), [(s - start, e - start, lab) for s, e, lab in spans
                                         if start <= s and e <= end])
                for spans in columns
            ]  # fmt: skip
            for i, char in enumerate(text):
                shown = f"U+{ord(char):04X}" if char.isspace() else char
                out.append("\t".join([shown, *(column[i] for column in tags)]) + "\n")
            out.append("\n")
    return "".join(out)


def export_all(docs: Sequence[Document], out_dir: str | Path) -> dict[str, str]:
    """Write ``hf/`` (``save_to_disk``) and ``gold.conll`` under ``out_dir``; return the paths."""
    out = Path(out_dir)
    to_datasetdict(docs).save_to_disk(str(out / "hf"))
    atomic_write_text(out / "gold.conll", to_conll(docs))
    return {"hf": str(out / "hf"), "conll": str(out / "gold.conll")}
