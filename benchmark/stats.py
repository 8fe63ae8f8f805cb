"""Counts over the gold corpus (per label, unit, section, topic), as data.

Rendering lives in :mod:`benchmark.render.annotations_readme`; this module only counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from benchmark.document import Document


def document_stats(doc: Document) -> dict[str, Any]:
    """Counts for one document.

    Returns:
        A JSON-able dict: characters, lines, headings, entities per label, numeric facts
        per unit and qualifier, paragraph units per section and per topic (any position)
        and per primary topic.
    """
    entities = doc.gold.get("ner", [])
    facts = doc.gold.get("numeric", [])
    units = doc.gold.get("topics", [])
    return {
        "id": doc.id,
        "characters": len(doc.text),
        "lines": len(doc.lines()),
        "headings": len(doc.headings),
        "entities": len(entities),
        "entities_per_label": dict(sorted(Counter(e.label for e in entities).items())),
        "distinct_entity_surfaces": len({(e.text, e.label) for e in entities}),
        "numeric_facts": len(facts),
        "facts_per_unit": dict(sorted(Counter(f.unit for f in facts).items())),
        "facts_per_qualifier": dict(sorted(Counter(f.qualifier for f in facts).items())),
        "paragraph_units": len(units),
        "units_per_section": dict(Counter(u.section for u in units)),
        "units_per_topic": dict(sorted(Counter(t for u in units for t in u.topics).items())),
        "units_per_primary_topic": dict(sorted(Counter(u.topics[0] for u in units).items())),
        "units_with_several_topics": sum(len(u.topics) > 1 for u in units),
    }


def corpus_stats(docs: Sequence[Document]) -> list[dict[str, Any]]:
    """:func:`document_stats` for every document, in order."""
    return [document_stats(doc) for doc in docs]
