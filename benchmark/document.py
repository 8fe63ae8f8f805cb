"""Documents: the text, its metadata, and the gold annotations of every task.

A corpus folder holds one sub-folder per document (``annotations/<id>/``) with
``text.txt``, ``meta.json`` and one gold file per task (see annotations/README.md).

Example:
    >>> doc = Document(id="d", text="标题\\n  正文一句。\\n", meta={})
    >>> [(s, e, doc.text[s:e]) for s, e in doc.lines()]
    [(0, 2, '标题'), (5, 10, '正文一句。')]
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmark.schema import Heading, Problem, parse_record

GUIDELINES_VERSION = "v2"
META_FIELDS = (
    "id",
    "title",
    "source",
    "license",
    "text_sha256",
    "guidelines_version",
    "annotation_date",
    "provenance",
    "headings",
)


def sha256_text(text: str) -> str:
    """The sha256 of the UTF-8 bytes of ``text`` (the text's identity in meta.json)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Document:
    """One annotated document.

    Attributes:
        id: Folder name and identifier, e.g. ``sichuan-police-2020``.
        text: The text exactly as received (offsets index into it).
        meta: The parsed meta.json.
        gold: Gold records per task key (``"ner"`` -> list of Entity, ...).
        headings: Heading lines, which are not paragraph units.
        source_index: For a document derived from another (a robustness variant): where
            each character of the source text went in this text (None: deleted). Not stored.
    """

    id: str
    text: str
    meta: dict[str, Any]
    gold: dict[str, list[Any]] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    source_index: list[int | None] | None = None

    def paragraph_units(self) -> list[tuple[int, int]]:
        """Paragraph units: every non-empty line (:meth:`lines`) that is not a heading."""
        heading_spans = {(h.start, h.end) for h in self.headings}
        return [span for span in self.lines() if span not in heading_spans]

    def lines(self) -> list[tuple[int, int]]:
        """Spans of every line that has non-whitespace content, stripped of outer whitespace."""
        spans = []
        offset = 0
        for raw in self.text.splitlines(keepends=True):
            body = raw.rstrip("\r\n")
            stripped = body.strip()
            if stripped:
                start = offset + (len(body) - len(body.lstrip()))
                spans.append((start, start + len(stripped)))
            offset += len(raw)
        return spans

    def units(self) -> list[tuple[int, int]]:
        """Resampling units for the bootstrap: every non-empty line, headings included."""
        return self.lines()


def read_meta(folder: Path) -> tuple[dict[str, Any], list[Heading], list[Problem]]:
    """Read and check the shape of ``meta.json`` (field presence and headings)."""
    path = folder / "meta.json"
    file = str(path)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [], [Problem(file, None, None, "file not found")]
    except json.JSONDecodeError as exc:
        return {}, [], [Problem(file, exc.lineno, None, f"invalid JSON: {exc.msg}")]
    if not isinstance(meta, dict):
        return {}, [], [Problem(file, None, None, "expected a JSON object")]
    problems = [Problem(file, None, name, "missing field") for name in META_FIELDS if name not in meta]
    headings: list[Heading] = []
    for index, obj in enumerate(meta.get("headings") or []):
        heading, found = parse_record(Heading, obj, file=f"{file} headings[{index}]", line=None)
        problems.extend(found)
        if heading:
            headings.append(heading)
    return meta, headings, problems
