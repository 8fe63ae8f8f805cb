"""Where each line of a robustness variant came from, carried in the variant itself.

A variant (``benchmark.variants``) records in its meta, under :data:`ORIGIN_KEY`, the corpus
document it was made from and, for every non-empty line it kept (paragraph units and
headings), the span of that line in the original. Chained variants compose the map, so it
always points into the corpus original. Leave-one-out classifiers read it (through
``InputDocument.origin``) to know which gold unit a variant's unit stands for: it is never
re-derived by rebuilding the variant, so it holds whatever seed or options made the variant.

Example:
    >>> from benchmark.document import Document
    >>> old = Document("d", "甲\\n乙乙\\n", {"id": "d"})
    >>> meta = carried_origin(old, [3, 4, 0, 1, 2])  # the two lines swapped: "乙乙\\n甲\\n"
    >>> meta
    {'document': 'd', 'lines': [[3, 4, 0, 1], [0, 2, 2, 4]]}
    >>> Origin.from_meta({ORIGIN_KEY: meta}).source("d~shuffled", (0, 2))
    (2, 4)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchmark.document import Document

ORIGIN_KEY = "source_lines"
"""The variant meta key of ``{"document": original id, "lines": [[start, end, src_start, src_end], ...]}``."""

Span = tuple[int, int]


class UnmappedUnitError(ValueError):
    """A unit of a variant that its origin map does not cover (the variant cannot be scored fairly)."""


@dataclass(frozen=True)
class Origin:
    """The corpus original of a variant and the original span of each of its lines.

    Attributes:
        document: Id of the corpus document the variant was made from (the root of a chain).
        lines: Span of a line in the variant -> span of the same line in ``document``.
    """

    document: str
    lines: Mapping[Span, Span]

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Origin | None:
        """The origin recorded in a document's meta; None for a document that is not a variant.

        Raises:
            ValueError: If the recorded value is malformed (names the field and the entry).
        """
        raw = meta.get(ORIGIN_KEY)
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or not isinstance(raw.get("document"), str):
            raise ValueError(f"meta {ORIGIN_KEY}: expected {{'document': id, 'lines': [...]}}, got {raw!r}")
        lines: dict[Span, Span] = {}
        for k, entry in enumerate(raw.get("lines") or []):
            if not (
                isinstance(entry, Sequence) and len(entry) == 4 and all(isinstance(x, int) for x in entry)
            ):
                raise ValueError(f"meta {ORIGIN_KEY}.lines[{k}]: expected [start, end, src_start, src_end]")
            lines[(entry[0], entry[1])] = (entry[2], entry[3])
        return cls(raw["document"], lines)

    def source(self, doc_id: str, span: Span) -> Span:
        """The original span of the variant line ``span``.

        Raises:
            UnmappedUnitError: If the line is not in the map (never guessed, never skipped).
        """
        try:
            return self.lines[tuple(span)]  # type: ignore[index]
        except KeyError:
            raise UnmappedUnitError(
                f"{doc_id}: unit [{span[0]}, {span[1]}) is not in the variant's {ORIGIN_KEY} map "
                f"(made from {self.document!r}); cannot tell which original unit it is"
            ) from None


def carried_origin(old: Document, index: Sequence[int | None]) -> dict[str, Any]:
    """The :data:`ORIGIN_KEY` meta value of a variant made from ``old`` by the index map ``index``.

    ``index[i]`` is where character ``i`` of ``old.text`` went (None: deleted). Every
    non-empty line of ``old`` whose characters all survive, contiguously, is recorded with its
    span in the corpus original (composed through ``old``'s own map when ``old`` is a variant).
    """
    prior = Origin.from_meta(old.meta)
    out = []
    for start, end in old.lines():
        targets = index[start:end]
        if any(t is None for t in targets) or any(t != targets[0] + k for k, t in enumerate(targets)):
            continue
        source = prior.source(old.id, (start, end)) if prior else (start, end)
        out.append([targets[0], targets[0] + end - start, *source])
    return {"document": prior.document if prior else old.id, "lines": out}
