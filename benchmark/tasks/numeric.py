"""Task ``numeric.v1``: numeric facts (quantity span, value, unit, qualifier, metric phrase).

Rules are defined in annotations/GUIDELINES.md (section B).
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmark.document import Document
from benchmark.normalize import QUALIFIERS, NormalizationError, parse_quantity, values_match
from benchmark.schema import NumericFact, Problem
from benchmark.tasks.base import Task, overlap_problems
from benchmark.tasks.registry import register_task


@register_task
class NumericTask(Task):
    """Numeric facts with normalized values; gold values must agree with the normalizer."""

    name = "numeric.v1"
    key = "numeric"
    gold_file = "numeric_facts.jsonl"
    record_type = NumericFact
    description = "numeric facts: quantity span, normalized value, unit, qualifier, metric phrase"

    def check(
        self, doc: Document, records: Sequence[NumericFact], *, file: str, gold: bool = True
    ) -> list[Problem]:
        problems = []
        for i, fact in enumerate(records, start=1):
            if fact.qualifier not in QUALIFIERS:
                problems.append(
                    Problem(
                        file,
                        i,
                        "qualifier",
                        f"unknown qualifier {fact.qualifier!r}; expected one of {', '.join(QUALIFIERS)}",
                    )
                )
            if gold:
                problems.extend(_consistency(fact, file=file, line=i))
        return problems + overlap_problems(records, file=file, what="numeric fact")


def _consistency(fact: NumericFact, *, file: str, line: int) -> list[Problem]:
    """Re-derive value, unit and qualifier from the surface and compare."""
    try:
        parsed = parse_quantity(fact.text)
    except NormalizationError as exc:
        return [Problem(file, line, "text", f"the normalizer cannot read the surface: {exc}")]
    problems = []
    if not values_match(fact.value, parsed.value):
        problems.append(
            Problem(
                file,
                line,
                "value",
                f"{fact.value} disagrees with the surface {fact.text!r}, which normalizes to {parsed.value}",
            )
        )
    if fact.unit != parsed.unit:
        problems.append(
            Problem(
                file,
                line,
                "unit",
                f"{fact.unit!r} disagrees with the surface {fact.text!r}, whose unit is {parsed.unit!r}",
            )
        )
    if fact.qualifier in QUALIFIERS and fact.qualifier != parsed.qualifier:
        problems.append(
            Problem(
                file,
                line,
                "qualifier",
                f"{fact.qualifier!r} disagrees with the surface "
                f"{fact.text!r}, which reads {parsed.qualifier!r}",
            )
        )
    return problems
