"""Task ``numeric.v1``: numeric facts (quantity span, value, unit, qualifier, metric phrase).

Rules are defined in annotations/GUIDELINES.md (section B).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from benchmark.document import Document
from benchmark.normalize import QUALIFIERS, NormalizationError, parse_quantity, values_match
from benchmark.schema import NumericFact, Problem, record_to_dict
from benchmark.tasks.agreement_stats import NUMERIC_RULES
from benchmark.tasks.base import Headline, ScoringContext, Task, f1_of_counts, overlap_problems, ratio_of
from benchmark.tasks.registry import register_task


@register_task
class NumericTask(Task):
    """Numeric facts with normalized values; gold values must agree with the normalizer."""

    name = "numeric.v1"
    vocabularies: ClassVar[dict[str, tuple[str, ...]]] = {"qualifiers": QUALIFIERS}
    key = "numeric"
    gold_file = "numeric_facts.jsonl"
    record_type = NumericFact
    description = "numeric facts: quantity span, normalized value, unit, qualifier, metric phrase"
    free_text_fields = ("unit",)
    agreement_rules = NUMERIC_RULES
    fields: ClassVar[dict[str, str]] = {
        "doc_id": "document id",
        "line_index": "index of the line among the document's non-empty lines",
        "line_start": "offset of the line in the document text (code points)",
        "text": "the line, stripped of outer whitespace",
        "facts": "gold numeric facts {start, end, text, value, unit, qualifier, metric, metric_start, "
        "metric_end}; offsets relative to `text`; `value` is the normalized number",
    }
    headlines = (
        Headline("fact_f1", "F1 of whole facts: span overlaps, value and unit match, metric char-F1 >= 0.5",
                 f1_of_counts),
        Headline("span_exact_f1", "F1 of quantity spans with exact boundaries", f1_of_counts),
        Headline("span_overlap_f1", "F1 of quantity spans that overlap", f1_of_counts),
        Headline("value_accuracy", "value within relative tolerance 1e-9, over matched spans", ratio_of),
        Headline("unit_accuracy", "unit equal, over matched spans", ratio_of),
        Headline("qualifier_accuracy", "qualifier equal, over matched spans", ratio_of),
    )  # fmt: skip

    def rows(self, doc: Document) -> list[dict[str, Any]]:
        """One row per line with its facts (offsets in the line)."""
        from benchmark.tasks.rows import line_rows

        def row(text: str, facts: list[NumericFact], s: int) -> dict[str, Any]:
            return {
                "facts": [
                    {"start": f.start - s, "end": f.end - s, "text": f.text, "value": float(f.value),
                     "unit": f.unit, "qualifier": f.qualifier, "metric": f.metric,
                     "metric_start": f.metric_start - s, "metric_end": f.metric_end - s}
                    for f in facts
                ]
            }  # fmt: skip

        return line_rows(doc, doc.gold.get(self.key, []), row)

    def agreement(self, doc_a: Document, doc_b: Document) -> dict[str, Any]:
        """Span F1 (exact), kappa of value, unit and qualifier on shared spans, metric agreement."""
        from benchmark.tasks.agreement_stats import numeric_agreement

        scores, found = numeric_agreement(
            [record_to_dict(f) for f in doc_a.gold.get(self.key, [])],
            [record_to_dict(f) for f in doc_b.gold.get(self.key, [])],
            key=self.key,
        )
        return {"scores": scores, "disagreements": found}

    def agreement_lines(self, scores: dict[str, Any]) -> list[str]:
        from benchmark.tasks.agreement_stats import numeric_lines

        return numeric_lines(self.key, scores)

    def agreement_item(self, record: dict[str, Any]) -> str:
        from benchmark.tasks.agreement_stats import numeric_item

        return numeric_item(record)

    def record_key(self, record: NumericFact) -> Any:
        """Exact match: span, value and unit."""
        return (record.start, record.end, float(record.value), record.unit)

    def counts(self, doc: Document) -> dict[str, dict[str, int]]:
        facts = doc.gold.get("numeric", [])
        return {
            "Numeric facts per unit": dict(sorted(Counter(f.unit for f in facts).items())),
            "Numeric facts per qualifier": dict(sorted(Counter(f.qualifier for f in facts).items())),
        }

    def details(self, doc: Document, pred: Sequence[NumericFact], ctx: ScoringContext) -> dict[str, Any]:
        from benchmark.metrics import score_numeric

        gold = [record_to_dict(f) for f in doc.gold.get("numeric", [])]
        return score_numeric(gold, [record_to_dict(f) for f in pred]).to_dict()

    def html_view(self, doc: Document, predictions: Sequence[Any], details: Any, errors: Any) -> str:
        """The facts highlighted in the article, and gold and predicted facts side by side, paired as
        :meth:`details` paired them."""
        from benchmark.tasks.views.numeric import fact_view

        return fact_view(doc.gold.get(self.key, []), predictions, details, doc.text)

    def unit_stats(
        self, doc: Document, pred: Sequence[NumericFact], ctx: ScoringContext
    ) -> dict[str, np.ndarray]:
        from benchmark.metrics import assign_units, score_numeric

        units = self.units(doc)
        gold = [record_to_dict(f) for f in doc.gold.get("numeric", [])]
        predicted = [record_to_dict(f) for f in pred]
        gold_unit = assign_units(units, [f["start"] for f in gold], arg="gold")
        pred_unit = assign_units(units, [f["start"] for f in predicted], arg="pred")
        names = [h.name for h in self.headlines]
        stats = {name: np.zeros((len(units), 3 if name.endswith("f1") else 2)) for name in names}
        for u in set(gold_unit) | set(pred_unit):
            result = score_numeric(
                [f for f, k in zip(gold, gold_unit, strict=True) if k == u],
                [f for f, k in zip(predicted, pred_unit, strict=True) if k == u],
            )
            for name, counts in (("fact_f1", result.fact), ("span_exact_f1", result.span_exact),
                                 ("span_overlap_f1", result.span_overlap)):  # fmt: skip
                stats[name][u] = (counts.tp, counts.fp, counts.fn)
            for name, acc in (("value_accuracy", result.value), ("unit_accuracy", result.unit),
                              ("qualifier_accuracy", result.qualifier)):  # fmt: skip
                stats[name][u] = (acc.correct, acc.total)
        return stats

    # -- LLM prompt and answers (benchmark.tasks.numeric_llm) ------------------------------

    def llm_prompt(self, *, unit: str = "line", style: str = "chat") -> Any:
        from benchmark.tasks import numeric_llm

        return numeric_llm.prompt(unit, style)

    def llm_requests(self, doc: Any, *, unit: str = "line", style: str = "chat") -> list[Any]:
        """One request per line (headings included), or per document."""
        from benchmark.tasks import numeric_llm

        return numeric_llm.requests(doc, unit, style)

    def llm_parse(self, doc: Any, request: Any, text: str) -> Any:
        """Numeric facts of one answer, grounded to offsets (ungrounded ones counted)."""
        from benchmark.tasks import numeric_llm

        return numeric_llm.parse(doc, request, text)

    def llm_reference(self, doc: Document, request: Any) -> str:
        """The gold answer of one request, as the prompt asks for it."""
        from benchmark.tasks import numeric_llm

        return numeric_llm.reference(doc, request)

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
