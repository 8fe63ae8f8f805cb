"""Task ``qa.v2``: reading comprehension over the article, with hand-written questions.

Each gold item is a question with its acceptable answers (the first is canonical), an
answer type, for numbers the normalized value and unit, and the offsets of its evidence.
A prediction (:class:`QAPrediction`) needs only ``id`` and ``answers``; when several answers
are given, the FIRST is scored and the others are ignored (a missing prediction is an empty
answer, which is wrong).

Scoring (per question, then averaged): ``accuracy`` is the judgement of
:func:`benchmark.metrics.qa.judge`, which names the rule that decided each answer (``rule``
in the per-question details: exact, number-value, measure-word, qualifier-dropped,
list-set, name-variant, span-contains, yes-no-polarity, abstain, or why it is wrong);
``exact_match`` and ``char_f1`` (after normalization: NFKC, case, whitespace and punctuation
removed, ``%`` kept) are reported beside it. The rules are annotations/GUIDELINES.md D6 and
D-D5..D-D12. qa.v1 judged entity and span answers by exact match only and yes/no answers by
any negation; qa.v2 accepts what a careful reader accepts.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from benchmark.document import Document
from benchmark.metrics.qa import (  # noqa: F401  (re-exported: the judge's home is benchmark.metrics.qa)
    UNANSWERABLE,
    Article,
    Verdict,
    abstains,
    judge,
    judge_number,
    normalize_answer,
    polarity,
    quantities,
)
from benchmark.normalize import values_match
from benchmark.schema import Problem
from benchmark.tasks.agreement_stats import QA_RULES
from benchmark.tasks.base import Headline, ScoringContext, Task, ratio_of
from benchmark.tasks.registry import register_task

ANSWER_TYPES = ("number", "entity", "span", "yes_no", "unanswerable")


@dataclass(frozen=True, slots=True)
class QAItem:
    """A question, its acceptable answers and their evidence (one line of ``qa.jsonl``)."""

    id: str
    question: str
    answers: tuple[str, ...]
    answer_type: str
    value: float | None
    unit: str | None
    evidence: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class QAPrediction:
    """A predicted answer: the question id and the answers (only the first is scored).

    A predictions file may also carry the gold's other fields (``question``, ``answer_type``,
    ``value``, ``unit``, ``evidence``); they are read and ignored, so the gold scores as a
    perfect prediction.
    """

    id: str
    answers: tuple[str, ...]

    IGNORED_FIELDS: ClassVar[tuple[str, ...]] = ("question", "answer_type", "value", "unit", "evidence")


@register_task
class QATask(Task):
    """Reading comprehension: hand-written questions with typed answers and evidence offsets."""

    name = "qa.v2"
    key = "qa"
    gold_file = "qa.jsonl"
    record_type = QAItem
    prediction_type = QAPrediction
    span_list_fields = ("evidence",)
    free_text_fields = ("answers", "unit")
    #: Answer types whose answers are a fixed vocabulary (是/否, 无法回答), not document text: a
    #: variant never converts them (the judge's polarity and abstention rules read them as written).
    fixed_answer_types: ClassVar[tuple[str, ...]] = ("yes_no", "unanswerable")
    agreement_rules = QA_RULES
    fields: ClassVar[dict[str, str]] = {
        "doc_id": "document id",
        "id": "question id",
        "question": "the question (Chinese)",
        "answers": "acceptable answers, the first canonical",
        "answer_type": "number, entity, span, yes_no or unanswerable",
        "value": "normalized value of a number answer (null otherwise)",
        "unit": "unit of a number answer (null otherwise)",
        "evidence": "[start, end) spans of the supporting text in the document",
    }
    description = "reading comprehension: hand-written questions (number, entity, span, yes/no, unanswerable)"
    headlines = (
        Headline("accuracy", "right by the type's rule (numbers by value, yes/no by polarity)", ratio_of),
        Headline("exact_match", "normalized exact match with an acceptable answer", ratio_of),
        Headline("char_f1", "mean character F1 with the closest acceptable answer", ratio_of),
        Headline("numeric_accuracy", "number questions answered with the right value and unit", ratio_of),
        Headline("unanswerable_accuracy", "unanswerable questions where the system abstains", ratio_of),
    )

    def variant_fixed_fields(self, record: Any) -> tuple[str, ...]:
        """Answers of yes/no and unanswerable questions stay as written."""
        return ("answers",) if getattr(record, "answer_type", None) in self.fixed_answer_types else ()

    def agreement(self, doc_a: Document, doc_b: Document) -> dict[str, Any]:
        """Answer-type kappa; answers agree when each pass's judge accepts the other's canonical answer."""
        from benchmark.tasks.agreement_stats import qa_agreement

        scores, found = qa_agreement(
            doc_a.gold.get(self.key, []), doc_b.gold.get(self.key, []), key=self.key, judge=judge
        )
        return {"scores": scores, "disagreements": found}

    def agreement_lines(self, scores: dict[str, Any]) -> list[str]:
        from benchmark.tasks.agreement_stats import qa_lines

        return qa_lines(self.key, scores)

    def agreement_item(self, record: dict[str, Any]) -> str:
        from benchmark.tasks.agreement_stats import qa_item

        return qa_item(record)

    def record_key(self, record: Any) -> Any:
        """A question is matched by its id (gold item and prediction alike)."""
        return record.id

    def correct_keys(self, doc: Document, pred: Sequence[Any]) -> set[Any]:
        """The ids of the questions the scorer judges right (its per-question ``correct``)."""
        return {q["id"] for q in self.details(doc, pred, ScoringContext())["questions"] if q["correct"]}

    def describe(self, doc: Document, record: Any) -> dict[str, Any]:
        """The question (as ``text``), its id, type and canonical answer."""
        return {"id": record.id, "text": record.question, "type": record.answer_type,
                "gold": record.answers[0]}  # fmt: skip

    def sort_key(self, record: QAItem) -> Any:
        return record.id

    def unit_keys(self, doc: Document) -> list[Any]:
        """Rows of :meth:`unit_stats` are questions, keyed by id."""
        return [q.id for q in doc.gold.get("qa", [])]

    def inputs(self, doc: Document) -> list[dict[str, str]]:
        """The questions (id and text), never the answers."""
        return [{"id": q.id, "question": q.question} for q in doc.gold.get("qa", [])]

    # -- LLM prompt and answers (benchmark.tasks.qa_llm) -----------------------------------

    def llm_prompt(self, *, unit: str = "line", style: str = "chat") -> Any:
        from benchmark.tasks import qa_llm

        return qa_llm.prompt(unit, style)

    def llm_requests(self, doc: Any, *, unit: str = "line", style: str = "chat") -> list[Any]:
        """One request per question, each with the whole article."""
        from benchmark.tasks import qa_llm

        questions = doc.task_inputs.get(self.key, [])
        return qa_llm.requests(doc, questions, self.llm_prompt(unit=unit, style=style))

    def llm_parse(self, doc: Any, request: Any, text: str) -> Any:
        """A one-answer prediction for the request's question, or the failure."""
        from benchmark.tasks import qa_llm

        return qa_llm.parse(self.pred_type, doc.task_inputs[self.key][request.target], text)

    def llm_reference(self, doc: Document, request: Any) -> str:
        """The gold answer of one request, as the prompt asks for it."""
        from benchmark.tasks import qa_llm

        return qa_llm.reference(doc, request)

    def check(self, doc: Document, records: Sequence[Any], *, file: str, gold: bool = True) -> list[Problem]:
        """Ids unique (and known, for predictions); for the gold, the rules of :func:`_gold_rules`."""
        known = {q.id for q in doc.gold.get("qa", [])}
        seen: dict[str, int] = {}
        problems = []
        for line, item in enumerate(records, start=1):
            if item.id in seen:
                problems.append(Problem(file, line, "id", f"{item.id!r} repeats line {seen[item.id]}"))
            seen.setdefault(item.id, line)
            if gold and item.answer_type not in ANSWER_TYPES:
                expected = ", ".join(ANSWER_TYPES)
                problems.append(
                    Problem(file, line, "answer_type", f"{item.answer_type!r}; expected one of {expected}")
                )
            if not gold:
                if known and item.id not in known:
                    problems.append(Problem(file, line, "id", f"{item.id!r} is not a question of {doc.id}"))
                continue
            if not item.answers:
                problems.append(Problem(file, line, "answers", "at least one answer is required"))
                continue
            problems += _gold_rules(doc.text, item, file=file, line=line)
        return problems

    def article(self, doc: Document) -> Article:
        """What the judge reads of the document: its text and its entity gold (GUIDELINES D-D8)."""
        return Article(doc.text, tuple(doc.gold.get("ner", ())))

    def _predicted(self, doc: Document, pred: Sequence[Any]) -> list[tuple[QAItem, str]]:
        """Each gold question with the first answer of its prediction ('' when there is none)."""
        by_id = {p.id: (p.answers[0] if p.answers else "") for p in pred}
        return [(q, by_id.get(q.id, "")) for q in doc.gold.get("qa", [])]

    def details(self, doc: Document, pred: Sequence[Any], ctx: ScoringContext) -> dict[str, Any]:
        """Accuracy per answer type, verdicts per rule, and every question with its verdict and rule."""
        article = self.article(doc)
        results = [(q, a, judge(q, a, article)) for q, a in self._predicted(doc, pred)]
        by_type: dict[str, list[bool]] = {}
        for q, _, r in results:
            by_type.setdefault(q.answer_type, []).append(r.correct)
        return {
            "judged_by_rule": dict(sorted(Counter(r.rule for _, _, r in results).items())),
            "n_questions": len(results),
            "answered": sum(1 for p in pred if p.answers and p.answers[0].strip()),
            "accuracy_per_type": {
                t: {"correct": sum(v), "total": len(v), "accuracy": sum(v) / len(v)}
                for t, v in sorted(by_type.items())
            },
            "questions": [
                {"id": q.id, "question": q.question, "type": q.answer_type, "gold": q.answers[0], "answer": a}
                | r.as_dict()
                for q, a, r in results
            ],
        }

    def html_view(self, doc: Document, predictions: Sequence[Any], details: Any, errors: Any) -> str:
        """Every question with its gold, the answer, the verdict and why (from :meth:`details`)."""
        from benchmark.tasks.views.qa import qa_view

        return qa_view(details)

    def unit_stats(self, doc: Document, pred: Sequence[Any], ctx: ScoringContext) -> dict[str, np.ndarray]:
        """One row per question: judged right, exact match, char F1, and the per-type counts."""
        rows = []
        article = self.article(doc)
        for q, a in self._predicted(doc, pred):
            r = judge(q, a, article)
            is_number, is_unanswerable = q.answer_type == "number", q.answer_type == "unanswerable"
            rows.append(
                [
                    r.correct,
                    r.em,
                    r.f1,
                    r.correct and is_number,
                    is_number,
                    r.correct and is_unanswerable,
                    is_unanswerable,
                ]
            )
        m = np.array(rows, dtype=float).reshape(-1, 7)
        ones = np.ones((len(m), 1))
        return {
            "accuracy": np.hstack([m[:, 0:1], ones]),
            "exact_match": np.hstack([m[:, 1:2], ones]),
            "char_f1": np.hstack([m[:, 2:3], ones]),
            "numeric_accuracy": m[:, 3:5],
            "unanswerable_accuracy": m[:, 5:7],
        }

    def counts(self, doc: Document) -> dict[str, dict[str, int]]:
        return {"Questions per answer type": dict(Counter(q.answer_type for q in doc.gold.get("qa", [])))}


def _gold_rules(text: str, item: QAItem, *, file: str, line: int) -> list[Problem]:
    """Evidence offsets valid; answers consistent with the type, the value and the evidence."""
    problems = []
    spans = []
    for i, span in enumerate(item.evidence):
        if len(span) != 2 or not 0 <= span[0] < span[1] <= len(text) or "\n" in text[span[0] : span[1]]:
            message = f"evidence[{i}] = {list(span)} is not a [start, end) span inside one line of the text"
            problems.append(Problem(file, line, "evidence", f"{message} ({len(text)} characters)"))
        else:
            spans.append(text[span[0] : span[1]])
    unanswerable = item.answer_type == "unanswerable"
    if unanswerable and (item.answers != (UNANSWERABLE,) or item.evidence):
        problems.append(
            Problem(
                file,
                line,
                "answers",
                f"an unanswerable question has the answer [{UNANSWERABLE!r}] and no evidence",
            )
        )
    if not unanswerable and not item.evidence:
        problems.append(Problem(file, line, "evidence", "an answerable question needs evidence"))
    if item.answer_type == "number":
        if item.value is None or not item.unit:
            problems.append(Problem(file, line, "value", "a number answer needs value and unit"))
        else:
            first = quantities(unicodedata.normalize("NFKC", item.answers[0]))[:1]
            if not (first and values_match(first[0][0], item.value) and first[0][1] == item.unit):
                message = f"{item.answers[0]!r} does not normalize to {item.value} {item.unit}"
                problems.append(Problem(file, line, "answers", message))
            for answer in item.answers[1:]:
                if not judge_number(item, answer)[0]:
                    message = f"{answer!r} does not normalize to {item.value} {item.unit} (GUIDELINES D-D6)"
                    problems.append(Problem(file, line, "answers", message))
    elif item.value is not None or item.unit is not None:
        problems.append(
            Problem(file, line, "value", f"only number answers have value and unit, not {item.answer_type}")
        )
    extractive = item.answer_type in ("number", "entity", "span")
    if extractive and spans and not any(item.answers[0] in s for s in spans):
        first = item.answers[0]
        problems.append(Problem(file, line, "answers", f"the first answer {first!r} is not in the evidence"))
    return problems
