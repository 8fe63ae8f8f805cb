"""The LLM prompt and answer parser of the QA task (``QATask.llm_*`` delegate here).

One request per question: the whole article and the question (the request unit does not
change that). The prompt asks for ``{"answer": "..."}``; an answer that holds no readable
JSON object with a non-empty answer is a failure of that question (no prediction for it,
which scores as wrong), never a guessed answer.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from string import Template
from typing import Any

from benchmark.tasks.llm import (
    LLMPrompt,
    LLMRequest,
    ParsedUnit,
    check_unit_style,
    dump,
    example_block,
    fewshot,
    prompt_file,
)
from benchmark.tasks.llm_parse import AnswerError, as_object, parse_json_answer


@cache
def prompt(unit: str = "line", style: str = "chat") -> LLMPrompt:
    """The QA prompt: answering rules and few-shot questions on an invented news item."""
    check_unit_style(unit, style)
    user_template = prompt_file("qa_user.txt").strip()
    pairs = [
        (Template(user_template).substitute(text=ex["text"], question=ex["question"]), dump(ex["answer"]))
        for ex in fewshot("qa")
    ]
    system = Template(prompt_file("qa_system.txt")).substitute(examples=example_block(pairs)).strip()
    return LLMPrompt("qa", unit, style, system, user_template, len(pairs))


def requests(doc: Any, questions: list[dict[str, str]], p: LLMPrompt) -> list[LLMRequest]:
    """One request per question (``questions``: the task's inputs, ``id`` and ``question``)."""
    text = doc.text.strip()
    out = []
    for i, q in enumerate(questions):
        out.append(p.request(i, f"question {q['id']}", text=text, question=q["question"]))
    return out


def read_answer(answer: str) -> str:
    """The answer string of a model's ``{"answer": ...}``.

    Example:
        >>> read_answer('```json\\n{"答案": "79.1亿元"}\\n```'), read_answer('{"answer": 12}')
        ('79.1亿元', '12')

    Raises:
        AnswerError: When there is no JSON object with a non-empty answer.
    """
    value = as_object(parse_json_answer(answer), ("answer",))
    raw = value.get("answer")
    if isinstance(raw, list) and raw:
        raw = raw[0]
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip():
        raise AnswerError(f"no answer in {dump(value)[:80]}")
    return raw.strip()


def parse(record_type: type, question: dict[str, str], answer: str) -> ParsedUnit:
    """A one-answer prediction of ``record_type`` for ``question``, or the failure."""
    try:
        text = read_answer(answer)
    except AnswerError as exc:
        return ParsedUnit.failed(f"unparseable answer ({exc})")
    values = {"id": question["id"], "question": question["question"], "answers": (text,),
              "answer_type": "span", "value": None, "unit": None, "evidence": ()}  # fmt: skip
    names = {f.name for f in dataclasses.fields(record_type)}
    return ParsedUnit(records=[record_type(**{k: v for k, v in values.items() if k in names})], items=1)


def reference(doc: Any, request: LLMRequest) -> str:
    """The gold answer of a request: ``{"answer": the first acceptable answer}``."""
    question = doc.gold.get("qa", [])[request.target]
    return dump({"answer": question.answers[0]})
