"""doccano bridge for labelled spans (sequence labelling): JSONL export and import.

It serves the span task of :func:`benchmark.bridges.label_studio.span_task` (today ``ner.v1``).

doccano's JSONL for a sequence-labelling project holds one example per line,
``{"text": ..., "label": [[start, end, "LABEL"], ...]}``, with code-point offsets (doccano's
backend is Python; a project set to count grapheme clusters as one character is not
supported). Exports of newer doccano versions name the spans ``"entities"``, either as
triples or as ``{"start_offset", "end_offset", "label"}`` objects; the importer reads all of
these forms. Extra keys travel through doccano as metadata, so an exported example also
carries ``doc_id`` and ``text_sha256``.

One example holds the whole document. Importing checks every span with the validator
(surface equals the text, known label, no overlap) and names the JSONL line, the span's
index and the field of every problem.

Example:
    >>> from benchmark.document import Document
    >>> from benchmark.schema import Entity
    >>> doc = Document("d", "四川公安", {})
    >>> example = export_example(doc, [Entity(0, 2, "四川", "GPE")])
    >>> example["label"]
    [[0, 2, 'GPE']]
    >>> records, problems = import_annotations([example], doc)
    >>> records, problems
    ([Entity(start=0, end=2, text='四川', label='GPE')], [])
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmark.bridges.label_studio import ImportResult, TextDocument, validate_entities
from benchmark.document import sha256_text
from benchmark.schema import Entity, Problem

SPAN_KEYS = ("label", "entities", "labels")
DEFAULT_FILE = "<doccano export>"


def export_example(doc: TextDocument, records: Sequence[Entity]) -> dict[str, Any]:
    """One doccano example: the whole text and its spans as ``[start, end, label]`` triples."""
    spans = [[e.start, e.end, e.label] for e in sorted(records, key=lambda e: (e.start, e.end, e.label))]
    return {"text": doc.text, "label": spans, "doc_id": doc.id, "text_sha256": sha256_text(doc.text)}


def export_jsonl(doc: TextDocument, records: Sequence[Entity]) -> str:
    """The doccano JSONL import file of one document (one line, Chinese unescaped).

    Example:
        >>> from benchmark.document import Document
        >>> export_jsonl(Document("d", "2020年", {}), [Entity(0, 5, "2020年", "DATE")])[:45]
        '{"text": "2020年", "label": [[0, 5, "DATE"]], '
    """
    return json.dumps(export_example(doc, records), ensure_ascii=False) + "\n"


def read_examples(path: str | Path) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """The examples of a doccano JSONL file with their line numbers, and lines that are not JSON."""
    file = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(file, None, None, f"cannot read: {exc}")]
    examples: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            examples.append((number, json.loads(raw)))
        except json.JSONDecodeError as exc:
            problems.append(Problem(file, number, None, f"invalid JSON: {exc.msg} at column {exc.colno}"))
    return examples, problems


def _span(
    item: Any, where: str, *, file: str, line: int
) -> tuple[tuple[Any, Any, Any] | None, list[Problem]]:
    """``(start, end, label)`` from a triple or a ``start_offset``/``end_offset``/``label`` object."""
    if isinstance(item, list | tuple) and len(item) == 3:
        start, end, label = item
    elif isinstance(item, dict) and {"start_offset", "end_offset", "label"} <= set(item):
        start, end, label = item["start_offset"], item["end_offset"], item["label"]
    else:
        message = "expected [start, end, label] or {start_offset, end_offset, label}"
        return None, [Problem(file, line, where, f"{message}, got {json.dumps(item, ensure_ascii=False)}")]
    problems = [
        Problem(file, line, f"{where}.{name}", f"expected an integer, got {value!r}")
        for name, value in (("start", start), ("end", end))
        if not isinstance(value, int) or isinstance(value, bool)
    ]
    if not isinstance(label, str):
        problems.append(Problem(file, line, f"{where}.label", f"expected a string, got {label!r}"))
    if not problems and not 0 <= start < end:
        problems.append(
            Problem(file, line, f"{where}.end", f"expected 0 <= start < end, got [{start}, {end})")
        )
    return (None, problems) if problems else ((start, end, label), [])


def _spans_of(example: dict[str, Any], *, file: str, line: int) -> tuple[str | None, list[Problem]]:
    """Which key holds the spans (``label``, ``entities`` or ``labels``); more than one is ambiguous."""
    present = [k for k in SPAN_KEYS if k in example]
    if len(present) > 1:
        return None, [Problem(file, line, "/".join(present), "more than one span field; keep one")]
    return (present[0] if present else None), []


def _example_entities(
    example: dict[str, Any], doc: TextDocument, *, file: str, line: int
) -> tuple[list[Entity], list[str], list[Problem]]:
    """The entities of one example (this document's), their locations, and the problems."""
    text = example.get("text", example.get("data"))
    if text != doc.text:
        message = "missing" if not isinstance(text, str) else f"differs from the text of {doc.id!r}"
        return [], [], [Problem(file, line, "text", f"{message}; offsets cannot be used")]
    key, problems = _spans_of(example, file=file, line=line)
    if problems or key is None:
        return [], [], problems or [Problem(file, line, "label", "missing; expected the spans")]
    items = example[key]
    if not isinstance(items, list):
        return [], [], [Problem(file, line, key, f"expected a list of spans, got {type(items).__name__}")]
    ident = f"example {example['id']} " if "id" in example else ""
    records: list[Entity] = []
    locations: list[str] = []
    for index, item in enumerate(items):
        where = f"{ident}{key}[{index}]"
        span, found = _span(item, where, file=file, line=line)
        problems += found
        if span is not None:
            start, end, label = span
            records.append(Entity(start, end, doc.text[start:end], label))
            locations.append(f"line {line}: {where}")
    return records, locations, problems


def import_annotations(source: Any, doc: Any, *, file: str = DEFAULT_FILE) -> ImportResult:
    """Read a doccano JSONL export back into entities of ``doc`` and validate them.

    Examples whose ``doc_id`` names another document are skipped (a project may hold
    several documents); every other example must hold exactly the text of ``doc``, and
    exactly one may remain.

    Args:
        source: A path to the JSONL file, or the parsed examples (a list of dicts).
        doc: The document (a :class:`~benchmark.document.Document`).
        file: The name used in problems (default: the path).

    Returns:
        An :class:`~benchmark.bridges.label_studio.ImportResult`; ``records, problems = result``.
    """
    out = ImportResult()
    if isinstance(source, str | Path):
        file = str(source) if file == DEFAULT_FILE else file
        numbered, out.problems = read_examples(source)
    else:
        numbered = list(enumerate(source, start=1))
    mine: list[tuple[int, dict[str, Any]]] = []
    for line, example in numbered:
        if not isinstance(example, dict):
            out.problems.append(
                Problem(file, line, None, f"expected a JSON object, got {type(example).__name__}")
            )
        elif example.get("doc_id", doc.id) != doc.id:
            out.notes.append(f"line {line}: skipped (doc_id {example['doc_id']!r} is another document)")
        else:
            mine.append((line, example))
    if len(mine) != 1:
        lines = ", ".join(str(n) for n, _ in mine)
        detail = f"{len(mine)} examples ({lines})" if mine else "no example"
        out.problems.append(Problem(file, None, None, f"{detail} of {doc.id!r}; expected exactly one"))
        return out
    line, example = mine[0]
    records, locations, problems = _example_entities(example, doc, file=file, line=line)
    out.problems += problems
    out.notes.append(f"line {line}: {len(records)} span(s)")
    located = validate_entities(doc, records, locations, file=file)
    out.problems += located
    out.records = sorted(records, key=lambda e: (e.start, e.end, e.label))
    return out
