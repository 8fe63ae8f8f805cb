"""Counts over the gold corpus, as data: per document, and per task through ``Task.counts``.

Rendering lives in :mod:`benchmark.render.annotations_readme`; this module only counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benchmark.document import Document
from benchmark.tasks import TASKS, get_task


def document_stats(doc: Document) -> dict[str, Any]:
    """Counts for one document.

    Returns:
        A JSON-able dict: id, characters, non-empty lines, headings, and for every task with
        gold in this document its name, number of records and count tables.
    """
    tasks = {}
    for key in TASKS.names():
        if key in doc.gold:
            task = get_task(key)
            tasks[key] = {"task": task.name, "records": len(doc.gold[key]), "tables": task.counts(doc)}
    return {
        "id": doc.id,
        "characters": len(doc.text),
        "lines": len(doc.lines()),
        "headings": len(doc.headings),
        "tasks": tasks,
    }


def corpus_stats(docs: Sequence[Document]) -> list[dict[str, Any]]:
    """:func:`document_stats` for every document, in order."""
    return [document_stats(doc) for doc in docs]
