"""Task ``qa.v1``: reading comprehension over the article, with hand-written questions.

Each gold item is a question with its acceptable answers (the first is canonical), an
answer type, for numbers the normalized value and unit, and the offsets of its evidence.
Predictions use the same fields; the scorer reads the first answer of the prediction with
the same ``id`` (a missing prediction is an empty answer).

Scoring (per question, then averaged): exact match and character F1 after normalization
(NFKC, case, whitespace and punctuation removed, ``%`` kept); numeric answers are compared
by value with the normalizer (``7910000000元`` = ``79.1亿元``); yes/no answers by polarity;
unanswerable questions are right only when the system abstains (``无法回答``), and an
abstention on an answerable question is wrong. ``accuracy`` applies the rule of each
question's type (entity and span answers: exact match).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from benchmark.document import Document
from benchmark.normalize import NormalizationError, parse_quantity, values_match
from benchmark.schema import Problem
from benchmark.tasks.agreement_stats import QA_RULES
from benchmark.tasks.base import Headline, ScoringContext, Task, ratio_of
from benchmark.tasks.registry import register_task

ANSWER_TYPES = ("number", "entity", "span", "yes_no", "unanswerable")
UNANSWERABLE = "无法回答"
ABSTENTIONS = (UNANSWERABLE, "无法确定", "文中未提及", "文中没有提到", "未提及", "没有提到")
YES, NO = ("是", "对", "有", "相同", "yes"), ("否", "不", "没有", "未", "no")
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》()()\[\]【】,,、。.;;::!!??·\-—…]")


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


def normalize_answer(text: str) -> str:
    """NFKC, lower case, no whitespace or punctuation (``%`` and ``·`` in numbers aside).

    Example:
        >>> normalize_answer(" “江口沉银案” ")
        '江口沉银案'
        >>> normalize_answer("98.78%")
        '98.78%'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d)\.(?=\d)", "<dot>", text)
    return _DROP.sub("", text).replace("<dot>", ".")


def char_f1(gold: str, pred: str) -> float:
    """Character-multiset F1 of two normalized answers (0.0 when either is empty).

    Example:
        >>> round(char_f1("恶势力团伙案件", "团伙案件"), 3)
        0.727
    """
    common = sum((Counter(gold) & Counter(pred)).values())
    if not gold or not pred or not common:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def quantities(text: str) -> list[tuple[float, str]]:
    """Every (value, unit) reading of the normalizer over substrings of ``text``, in order.

    A substring may read several ways (``7万余人次``: 人 and 人次); all are kept, and an
    answer counts when any reading has the gold value and unit.

    Example:
        >>> (7910000000, "元") in quantities("约79.1亿元左右")
        True
    """
    found: list[tuple[float, str]] = []
    for i, ch in enumerate(text):
        if not (ch.isdigit() or ch in "零〇一二两兩三四五六七八九十约約近"):
            continue
        for j in range(i + 1, min(len(text), i + 16) + 1):
            try:
                q = parse_quantity(text[i:j])
            except NormalizationError:
                continue
            if (q.value, q.unit) not in found:
                found.append((q.value, q.unit))
    return found


def polarity(text: str) -> str | None:
    """``yes`` / ``no`` / None for an answer to a yes-no question (negation wins)."""
    norm = normalize_answer(text)
    if any(norm.startswith(n) or n in norm for n in NO):
        return "no"
    if any(norm.startswith(y) for y in YES):
        return "yes"
    return None


def abstains(text: str) -> bool:
    """Whether an answer says the text does not answer the question."""
    norm = normalize_answer(text)
    return any(a in norm for a in ABSTENTIONS)


def judge(gold: QAItem, answer: str) -> dict[str, Any]:
    """Score one answer: ``correct`` (the type's rule), ``em``, ``f1``.

    Example:
        >>> item = QAItem("q", "查冻扣涉案资产多少元?", ("79.1亿元",), "number", 7910000000, "元", ((0, 1),))
        >>> judge(item, "7910000000元")["correct"], judge(item, "79.1亿")["correct"]
        (True, False)
    """
    norm = normalize_answer(answer)
    golds = [normalize_answer(a) for a in gold.answers]
    em = norm in golds
    f1 = max(char_f1(g, norm) for g in golds)
    if gold.answer_type == "unanswerable":
        correct = abstains(answer)
    elif abstains(answer):
        correct = False
    elif gold.answer_type == "number":
        readings = quantities(unicodedata.normalize("NFKC", answer))
        correct = any(values_match(v, gold.value) and u == gold.unit for v, u in readings)
    elif gold.answer_type == "yes_no":
        correct = polarity(answer) is not None and polarity(answer) == polarity(gold.answers[0])
    else:
        correct = em
    return {"correct": bool(correct), "em": em, "f1": f1}


@register_task
class QATask(Task):
    """Reading comprehension: hand-written questions with typed answers and evidence offsets."""

    name = "qa.v1"
    key = "qa"
    gold_file = "qa.jsonl"
    record_type = QAItem
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

    def check(
        self, doc: Document, records: Sequence[QAItem], *, file: str, gold: bool = True
    ) -> list[Problem]:
        known = {q.id for q in doc.gold.get("qa", [])}
        seen: dict[str, int] = {}
        problems = []
        for line, item in enumerate(records, start=1):
            if item.id in seen:
                problems.append(Problem(file, line, "id", f"{item.id!r} repeats line {seen[item.id]}"))
            seen.setdefault(item.id, line)
            if item.answer_type not in ANSWER_TYPES:
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

    def _predicted(self, doc: Document, pred: Sequence[QAItem]) -> list[tuple[QAItem, str]]:
        by_id = {p.id: (p.answers[0] if p.answers else "") for p in pred}
        return [(q, by_id.get(q.id, "")) for q in doc.gold.get("qa", [])]

    def details(self, doc: Document, pred: Sequence[QAItem], ctx: ScoringContext) -> dict[str, Any]:
        results = [(q, a, judge(q, a)) for q, a in self._predicted(doc, pred)]
        by_type: dict[str, list[bool]] = {}
        for q, _, r in results:
            by_type.setdefault(q.answer_type, []).append(r["correct"])
        return {
            "n_questions": len(results),
            "answered": sum(1 for p in pred if p.answers and p.answers[0].strip()),
            "accuracy_per_type": {
                t: {"correct": sum(v), "total": len(v), "accuracy": sum(v) / len(v)}
                for t, v in sorted(by_type.items())
            },
            "questions": [
                {"id": q.id, "question": q.question, "type": q.answer_type, "gold": q.answers[0], "answer": a}
                | r
                for q, a, r in results
            ],
        }

    def html_view(self, doc: Document, predictions: Sequence[Any], details: Any, errors: Any) -> str:
        """Every question with its gold, the answer, the verdict and why (from :meth:`details`)."""
        from benchmark.tasks.views.qa import qa_view

        return qa_view(details)

    def unit_stats(self, doc: Document, pred: Sequence[QAItem], ctx: ScoringContext) -> dict[str, np.ndarray]:
        rows = []
        for q, a in self._predicted(doc, pred):
            r = judge(q, a)
            is_number, is_unanswerable = q.answer_type == "number", q.answer_type == "unanswerable"
            rows.append(
                [
                    r["correct"],
                    r["em"],
                    r["f1"],
                    r["correct"] and is_number,
                    is_number,
                    r["correct"] and is_unanswerable,
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
            for answer in item.answers:
                readings = quantities(unicodedata.normalize("NFKC", answer))
                if not any(values_match(v, item.value) and u == item.unit for v, u in readings):
                    problems.append(
                        Problem(
                            file,
                            line,
                            "answers",
                            f"{answer!r} does not normalize to {item.value} {item.unit}",
                        )
                    )
    elif item.value is not None or item.unit is not None:
        problems.append(
            Problem(file, line, "value", f"only number answers have value and unit, not {item.answer_type}")
        )
    extractive = item.answer_type in ("number", "entity", "span")
    if extractive and spans and not any(item.answers[0] in s for s in spans):
        first = item.answers[0]
        problems.append(Problem(file, line, "answers", f"the first answer {first!r} is not in the evidence"))
    return problems
