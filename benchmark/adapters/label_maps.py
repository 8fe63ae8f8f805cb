"""Ready maps from the entity types of public Chinese NER corpora to the benchmark's labels.

A :class:`LabelMap` says, for one tagger family, which native entity type becomes which
benchmark label (``PER ORG GPE LOC DATE EVENT TITLE``), which native types it knows but the
benchmark cannot use (dropped silently and declared), and which benchmark labels the tagger
cannot tell apart (``merged``: MSRA's ``LOC`` covers both GPE and LOC, so it maps to GPE and
declares ``("GPE", "LOC")``). Native types are the tag types without the B-/I-/... prefix.

:func:`detect_label_map` picks a map from a model's ``id2label``.

Example:
    >>> m = LABEL_MAPS["msra"]
    >>> m.map("nr"), m.map("LOC"), m.labels, m.merged
    ('PER', 'GPE', ('PER', 'ORG', 'GPE'), (('GPE', 'LOC'),))
    >>> LABEL_MAPS["cluener"].map("book") is None, LABEL_MAPS["cluener"].is_known("book")
    (True, True)
    >>> detect_label_map(["O", "B-PER", "M-PER", "E-PER", "S-LOC", "B-ORG"]).name
    'msra'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from benchmark.adapters._bio import entity_types

BENCHMARK_LABELS: tuple[str, ...] = ("PER", "ORG", "GPE", "LOC", "DATE", "EVENT", "TITLE")


@dataclass(frozen=True)
class LabelMap:
    """How one tagger family's entity types map to benchmark labels.

    Attributes:
        name: The name used in the ``label_map`` option.
        mapping: Native type -> benchmark label.
        unsupported: Native types the benchmark has no label for (dropped, not a problem).
        merged: Groups of benchmark labels the tagger cannot tell apart.
        variants: Native type inventories this map is detected from (one per naming style).
        description: Where the types come from.
    """

    name: str
    mapping: Mapping[str, str]
    unsupported: frozenset[str] = frozenset()
    merged: tuple[tuple[str, ...], ...] = ()
    variants: tuple[frozenset[str], ...] = ()
    description: str = ""
    _folded: dict[str, str | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bad = sorted(set(self.mapping.values()) - set(BENCHMARK_LABELS))
        if bad:
            raise ValueError(f"label map {self.name!r}: unknown benchmark labels {bad}")
        for native, label in self.mapping.items():
            self._folded[native.casefold()] = label
        for native in self.unsupported:
            self._folded.setdefault(native.casefold(), None)

    @property
    def labels(self) -> tuple[str, ...]:
        """The benchmark labels this map can produce, in benchmark order."""
        produced = set(self.mapping.values())
        return tuple(label for label in BENCHMARK_LABELS if label in produced)

    @property
    def known(self) -> frozenset[str]:
        """Every native type the map knows (mapped or unsupported)."""
        return frozenset(self.mapping) | self.unsupported

    def is_known(self, native: str) -> bool:
        """Whether ``native`` is mapped or declared unsupported (case-insensitive fallback)."""
        return native in self.mapping or native in self.unsupported or native.casefold() in self._folded

    def map(self, native: str) -> str | None:
        """The benchmark label of ``native``; None if unsupported or unknown (see :meth:`is_known`).

        Example:
            >>> LABEL_MAPS["weibo"].map("PER.NAM"), LABEL_MAPS["weibo"].map("PER.NOM")
            ('PER', None)
        """
        if native in self.mapping:
            return self.mapping[native]
        return self._folded.get(native.casefold())


def _names(*types: str) -> frozenset[str]:
    return frozenset(types)


LABEL_MAPS: dict[str, LabelMap] = {
    m.name: m
    for m in (
        LabelMap(
            name="cluener",
            mapping={
                "name": "PER",
                "company": "ORG",
                "government": "ORG",
                "organization": "ORG",
                "address": "GPE",
                "position": "TITLE",
            },
            unsupported=_names("scene", "book", "game", "movie"),
            # CLUENER's address covers provinces, cities and street addresses alike.
            merged=(("GPE", "LOC"),),
            variants=(
                _names(
                    "name",
                    "company",
                    "government",
                    "organization",
                    "address",
                    "position",
                    "scene",
                    "book",
                    "game",
                    "movie",
                ),
            ),
            description="CLUENER2020 (10 fine-grained types)",
        ),
        LabelMap(
            name="msra",
            mapping={"nr": "PER", "PER": "PER", "ns": "GPE", "LOC": "GPE", "nt": "ORG", "ORG": "ORG"},
            merged=(("GPE", "LOC"),),
            variants=(_names("nr", "ns", "nt"), _names("PER", "LOC", "ORG")),
            description="MSRA (SIGHAN 2006): person, location (GPE and LOC merged), organization",
        ),
        LabelMap(
            name="ontonotes4",
            mapping={"PER": "PER", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC"},
            variants=(_names("PER", "ORG", "GPE", "LOC"),),
            description="OntoNotes 4.0 Chinese (PER ORG GPE LOC)",
        ),
        LabelMap(
            name="weibo",
            mapping={"PER.NAM": "PER", "ORG.NAM": "ORG", "GPE.NAM": "GPE", "LOC.NAM": "LOC"},
            unsupported=_names("PER.NOM", "ORG.NOM", "GPE.NOM", "LOC.NOM"),
            variants=(
                _names(*(f"{t}.{k}" for t in ("PER", "ORG", "GPE", "LOC") for k in ("NAM", "NOM"))),
                _names("PER.NAM", "ORG.NAM", "GPE.NAM", "LOC.NAM"),
            ),
            description="Weibo NER: named mentions only (nominal mentions are unsupported)",
        ),
        LabelMap(
            name="benchmark",
            mapping={label: label for label in BENCHMARK_LABELS},
            variants=(frozenset(BENCHMARK_LABELS),),
            description="a tagger trained on this benchmark's own labels",
        ),
    )
}
"""Ready label maps by name."""


class LabelMapError(ValueError):
    """No ready map fits a model's labels."""


def detect_label_map(id2label: Iterable[str]) -> LabelMap:
    """Pick the ready map that fits a model's tag inventory (``id2label`` values).

    Only maps that know every native type are candidates; among them the one whose native
    inventory is most similar (Jaccard) wins, e.g. ``PER LOC ORG`` is MSRA (LOC merged into
    GPE) while ``PER ORG GPE LOC`` is OntoNotes 4.

    Raises:
        LabelMapError: If no map knows every type (the message lists the types and the maps).

    Example:
        >>> detect_label_map(["O", "B-PER", "I-PER", "B-GPE", "B-LOC", "B-ORG"]).name
        'ontonotes4'
        >>> detect_label_map(["O", "B-name", "I-name", "B-book"]).name
        'cluener'
        >>> detect_label_map(["O", "B-PER.NAM", "B-PER.NOM"]).name
        'weibo'
    """
    types = set(entity_types(id2label))
    if not types:
        raise LabelMapError(
            "cannot detect a label map: the model's id2label has no B-/I-/M-/E-/S- entity tags "
            f"(got {sorted(set(id2label))[:10]}); pass label_map=one of {', '.join(LABEL_MAPS)}"
        )
    best: tuple[float, LabelMap] | None = None
    for candidate in LABEL_MAPS.values():
        if not all(candidate.is_known(t) for t in types):
            continue
        folded = {t.casefold() for t in types}
        score = max(
            len(folded & {v.casefold() for v in variant}) / len(folded | {v.casefold() for v in variant})
            for variant in candidate.variants
        )
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None:
        raise LabelMapError(
            f"cannot detect a label map for entity types {sorted(types)}: no ready map "
            f"({', '.join(LABEL_MAPS)}) knows them all; pass label_map= explicitly"
        )
    return best[1]
