"""Base of the NER-only taggers that label spans inside a line (jiagu, the ChineseNER BiLSTM-CRF).

A subclass implements :meth:`LineNerAdapter.tag_lines`: many lines in, per line the
native spans ``(start, end, native type)`` as half-open character offsets into that line.
This module turns them into benchmark entities at the boundary:

* each line is given to the tagger without its leading and trailing whitespace, as the
  libraries' own examples do (``line.strip()``); offsets are shifted back to the document;
* whitespace at the edges of a span is trimmed (a tagger may tag the tab after a name);
* a span outside its line, an empty span or an undeclared native type is reported in
  ``Prediction.problems`` and dropped, never guessed;
* each document is tagged once per adapter instance (memoised by id and text hash), and all
  lines of the documents not seen yet go to ``tag_lines`` in one call, so a library that
  batches gets the whole batch.

Example:
    >>> class Demo(LineNerAdapter):
    ...     name, labels, description = "demo", ("PER",), "test double"
    ...     native_labels = {"PER": "PER"}
    ...     def tag_lines(self, lines):
    ...         return [[(0, 2, "PER"), (3, 5, "XX")] for _ in lines]
    >>> doc = InputDocument("d", "  王涛在四川\\n", ((0, 8),), ((0, 8),))
    >>> [pred] = Demo().predict("ner", [doc])
    >>> [(e.start, e.end, e.text, e.label) for e in pred.records], pred.problems
    ([(2, 4, '王涛', 'PER')], ["demo: unknown type 'XX' on span [5, 7) '四川'"])
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from benchmark.adapters._memo import DocumentMemo
from benchmark.adapters.base import Adapter, InputDocument, Prediction
from benchmark.schema import Entity

#: A native span inside one line: ``(start, end, native type)``, half-open character offsets.
LineSpan = tuple[int, int, str]


class LineNerAdapter(Adapter):
    """A named-entity tagger that labels spans line by line (task ``ner`` only).

    Class attributes:
        native_labels: Native entity type -> benchmark label (``{"LOC": "GPE"}``); a type
            missing here is reported as bad tool output.
    """

    tasks = ("ner",)
    native_labels: ClassVar[Mapping[str, str]]

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._memo: DocumentMemo[Prediction] = DocumentMemo()

    @abstractmethod
    def tag_lines(self, lines: Sequence[str]) -> list[list[LineSpan]]:
        """Native spans of each line, in order (offsets index into that line's string)."""

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """Entities for each document, in order."""
        if task not in self.tasks:
            supported = ", ".join(self.tasks)
            raise ValueError(f"{self.name} does not support task {task!r}; it supports {supported}")
        done = self._memo.get_many(documents, self._predict_batch)
        return [Prediction(p.doc_id, records=list(p.records), problems=list(p.problems)) for p in done]

    def _predict_batch(self, documents: Sequence[InputDocument]) -> list[Prediction]:
        starts: list[int] = []
        texts: list[str] = []
        for doc in documents:
            for start, end in doc.lines:
                raw = doc.text[start:end]
                stripped = raw.lstrip()
                starts.append(start + len(raw) - len(stripped))
                texts.append(stripped.rstrip())
        spans = self.tag_lines(texts)
        if len(spans) != len(texts):
            raise ValueError(f"{self.name}: the tagger returned {len(spans)} results for {len(texts)} lines")
        out, at = [], 0
        for doc in documents:
            records: list[Entity] = []
            problems: list[str] = []
            for k in range(at, at + len(doc.lines)):
                found, trouble = self.line_entities(doc.text, starts[k], texts[k], spans[k])
                records += found
                problems += trouble
            at += len(doc.lines)
            records.sort(key=lambda e: (e.start, e.end))
            out.append(Prediction(doc.id, records=records, problems=problems))
        return out

    def line_entities(
        self, text: str, offset: int, line: str, spans: Sequence[LineSpan]
    ) -> tuple[list[Entity], list[str]]:
        """Entities of one line's native spans (``line == text[offset:offset + len(line)]``)."""
        records: list[Entity] = []
        problems: list[str] = []
        for start, end, native in spans:
            if not 0 <= start < end <= len(line):
                where = f"span [{start}, {end}) ({native}) is outside its line {line[:20]!r}"
                problems.append(f"{self.name}: {where}")
                continue
            while start < end and line[start].isspace():
                start += 1
            while end > start and line[end - 1].isspace():
                end -= 1
            if start == end:
                continue
            label = self.native_labels.get(native)
            a, b = offset + start, offset + end
            if label is None:
                problems.append(f"{self.name}: unknown type {native!r} on span [{a}, {b}) {text[a:b]!r}")
                continue
            records.append(Entity(a, b, text[a:b], label))
        return records, problems
