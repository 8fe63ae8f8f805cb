"""Task ``ner.v1``: flat, non-overlapping named entities (outermost spans).

Labels and rules are defined in annotations/GUIDELINES.md (section A).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from benchmark.document import Document
from benchmark.schema import Entity, Problem, record_to_dict
from benchmark.tasks.agreement_stats import ENTITY_RULES
from benchmark.tasks.base import Headline, ScoringContext, Task, f1_of_counts, overlap_problems
from benchmark.tasks.registry import register_task

LABELS = ("PER", "ORG", "GPE", "LOC", "DATE", "EVENT", "TITLE")

# Generic descriptions that the guidelines (rule A6) say are not entities; the
# error analysis uses them to name a false alarm "generic description tagged".
GENERIC_TERMS = frozenset(
    {
        "全省公安机关",
        "全国",
        "全省",
        "派出所",
        "党委会议",
        "党委会",
        "党",
        "反恐怖特别侦察队",
        "疫情防控工作指挥部",
        "联合指挥部",
        "公安部领导",
        "疫情防控阻击战",
        "教育整顿",
        "全警实战大练兵",
        "禁毒助力脱贫攻坚行动",
        "打击长江流域非法捕捞专项整治行动",
        "忠诚教育",
        "民辅警",
        "民警辅警",
        "全省公安",
        "公安机关",
        "公安",
        "省级",
    }
)


@register_task
class NerTask(Task):
    """Named entities: PER, ORG, GPE, LOC, DATE, EVENT, TITLE; flat and outermost."""

    name = "ner.v1"
    key = "ner"
    gold_file = "entities.jsonl"
    record_type = Entity
    description = "named entities (PER ORG GPE LOC DATE EVENT TITLE), flat, outermost spans"
    labels = LABELS
    vocabularies: ClassVar[dict[str, tuple[str, ...]]] = {"labels": LABELS}
    agreement_rules = ENTITY_RULES
    fields: ClassVar[dict[str, str]] = {
        "doc_id": "document id (folder name under annotations/)",
        "line_index": "index of the line among the document's non-empty lines (headings included)",
        "line_start": "offset of the line in the document text (code points)",
        "text": "the line, stripped of outer whitespace",
        "entities": "gold entities {start, end, text, label}; offsets are relative to `text`, half-open",
        "chars": "the characters of `text`, one per token",
        "bio_tags": "character-level IOB2 tags aligned with `chars`",
    }
    headlines = (
        Headline("strict_f1", "micro F1, boundaries and type exact (all labels)", f1_of_counts),
        Headline("exact_f1", "micro F1, boundaries exact, type ignored", f1_of_counts),
        Headline("partial_f1", "micro F1, SemEval-2013 partial (overlap counts half)", f1_of_counts),
        Headline("type_f1", "micro F1, overlap with the right type", f1_of_counts),
        Headline("strict_f1_supported", "strict micro F1 on the labels the system supports", f1_of_counts),
        Headline(
            "strict_f1_coarse", "strict micro F1 with the labels the system merges merged", f1_of_counts
        ),
    )

    # -- LLM prompt and answers (benchmark.tasks.ner_llm) ----------------------------------

    def llm_prompt(self, *, unit: str = "line", style: str = "chat") -> Any:
        from benchmark.tasks import ner_llm

        return ner_llm.prompt(LABELS, unit, style)

    def llm_requests(self, doc: Any, *, unit: str = "line", style: str = "chat") -> list[Any]:
        """One request per line (headings included), or per document."""
        from benchmark.tasks import ner_llm

        return ner_llm.requests(doc, LABELS, unit, style)

    def llm_parse(self, doc: Any, request: Any, text: str) -> Any:
        """String mentions ``(line, text, label)`` of one answer, grounded later by the harness."""
        from benchmark.tasks import ner_llm

        return ner_llm.parse(doc, request, text, LABELS)

    def llm_reference(self, doc: Document, request: Any) -> str:
        """The gold answer of one request, as the prompt asks for it."""
        from benchmark.tasks import ner_llm

        return ner_llm.reference(doc, request)

    def check(
        self, doc: Document, records: Sequence[Entity], *, file: str, gold: bool = True
    ) -> list[Problem]:
        problems = [
            Problem(file, i, "label", f"unknown label {r.label!r}; expected one of {', '.join(LABELS)}")
            for i, r in enumerate(records, start=1)
            if r.label not in LABELS
        ]
        return problems + overlap_problems(records, file=file, what="entity")

    def rows(self, doc: Document) -> list[dict[str, Any]]:
        """One row per line: its text, characters, BIO tags and entities (offsets in the line)."""
        from benchmark.tasks.rows import line_rows, spans_to_bio

        def row(text: str, ents: list[Entity], start: int) -> dict[str, Any]:
            spans = [(e.start - start, e.end - start, e.label) for e in ents]
            return {
                "entities": [{"start": s, "end": e, "text": text[s:e], "label": lab} for s, e, lab in spans],
                "chars": list(text),
                "bio_tags": spans_to_bio(len(text), spans),
            }

        return line_rows(doc, doc.gold.get(self.key, []), row)

    def bio_spans(self, doc: Document) -> list[tuple[int, int, str]]:
        """The gold entities as labelled spans (the CoNLL export's tag column)."""
        return [(e.start, e.end, e.label) for e in doc.gold.get(self.key, [])]

    def agreement(self, doc_a: Document, doc_b: Document) -> dict[str, Any]:
        """Strict and partial span F1 per label; disagreements clustered and put under a rule."""
        from benchmark.tasks.agreement_stats import entity_disagreements, entity_scores

        a = [record_to_dict(e) for e in doc_a.gold.get(self.key, [])]
        b = [record_to_dict(e) for e in doc_b.gold.get(self.key, [])]
        found = entity_disagreements(a, b, key=self.key, generic_terms=GENERIC_TERMS)
        return {"scores": entity_scores(a, b, LABELS), "disagreements": found}

    def agreement_lines(self, scores: dict[str, Any]) -> list[str]:
        from benchmark.tasks.agreement_stats import entity_lines

        return entity_lines(self.key, scores)

    def agreement_item(self, record: dict[str, Any]) -> str:
        from benchmark.tasks.agreement_stats import entity_item

        return entity_item(record)

    def counts(self, doc: Document) -> dict[str, dict[str, int]]:
        found = Counter(e.label for e in doc.gold.get("ner", []))
        return {"Entities per label": {label: found[label] for label in LABELS if found[label]}}

    def record_key(self, record: Entity) -> Any:
        """Strict match: boundaries and label."""
        return (record.start, record.end, record.label)

    def label_rows(self, score: dict[str, Any]) -> dict[str, Any]:
        """Strict F1 per label (every label), from counts summed over documents; None where a
        label has no gold and no prediction."""
        totals: dict[str, list[float]] = {}
        for details in score.get("documents", {}).values():
            strict = details.get("all_labels", {}).get("schemes", {}).get("strict", {})
            for label, c in strict.get("per_label", {}).items():
                t = totals.setdefault(label, [0.0, 0.0, 0.0])
                t[0], t[1], t[2] = t[0] + c["tp"], t[1] + c["fp"], t[2] + c["fn"]
        return {
            label: (None if (2 * tp + fp + fn) == 0 else 2 * tp / (2 * tp + fp + fn))
            for label, (tp, fp, fn) in sorted(totals.items())
        }

    def _coarse_map(self, ctx: ScoringContext) -> dict[str, str]:
        return {label: "|".join(group) for group in ctx.merged_labels for label in group}

    def _supported(self, ctx: ScoringContext) -> list[str] | None:
        return None if ctx.labels is None else [label for label in LABELS if label in ctx.labels]

    def details(self, doc: Document, pred: Sequence[Entity], ctx: ScoringContext) -> dict[str, Any]:
        from benchmark.metrics import score_entities

        gold = [record_to_dict(e) for e in doc.gold.get("ner", [])]
        predicted = [record_to_dict(e) for e in pred]
        out: dict[str, Any] = {
            "all_labels": score_entities(gold, predicted, labels=LABELS).to_dict(),
            "supported_labels": self._supported(ctx) or list(LABELS),
            "unsupported_labels": [
                label for label in LABELS if label not in (self._supported(ctx) or LABELS)
            ],
        }
        if ctx.labels is not None:
            out["on_supported_labels"] = score_entities(
                gold, predicted, labels=self._supported(ctx)
            ).to_dict()
        if ctx.merged_labels:
            mapping = self._coarse_map(ctx)
            out["coarse"] = score_entities(gold, predicted, label_map=mapping).to_dict()
            out["merged_labels"] = [list(group) for group in ctx.merged_labels]
        return out

    def unit_stats(self, doc: Document, pred: Sequence[Entity], ctx: ScoringContext) -> dict[str, np.ndarray]:
        from benchmark.metrics import entity_unit_stats

        gold = [record_to_dict(e) for e in doc.gold.get("ner", [])]
        predicted = [record_to_dict(e) for e in pred]
        units = self.units(doc)
        stats = {
            f"{scheme}_f1": entity_unit_stats(gold, predicted, units, scheme=scheme)
            for scheme in ("strict", "exact", "partial", "type")
        }
        stats["strict_f1_supported"] = (
            entity_unit_stats(gold, predicted, units, labels=self._supported(ctx))
            if ctx.labels is not None
            else stats["strict_f1"]
        )
        if ctx.merged_labels:
            stats["strict_f1_coarse"] = entity_unit_stats(
                gold, predicted, units, label_map=self._coarse_map(ctx)
            )
        return stats

    def html_view(self, doc: Document, predictions: Sequence[Any], details: Any, errors: Any) -> str:
        """The article with right, wrong-type, false-alarm and missed entities highlighted (from
        :meth:`errors`, the error analysis)."""
        from benchmark.tasks.views.ner import entity_view

        return entity_view(doc.text, doc.gold.get(self.key, []), predictions, errors)

    def errors(self, doc: Document, pred: Sequence[Entity], ctx: ScoringContext) -> dict[str, Any]:
        from benchmark.metrics import analyze_errors

        gold = [record_to_dict(e) for e in doc.gold.get("ner", [])]
        analysis = analyze_errors(
            gold, [record_to_dict(e) for e in pred], text=doc.text, generic_terms=GENERIC_TERMS
        )
        return analysis.to_dict()
