"""The LLM prompt and answer parser of ``topics.v1`` (``TopicsTask.llm_*`` delegate here).

One request per paragraph unit (with the heading it sits under and its position), or one
for the whole document (units numbered ``[i]``, headings marked ``【小标题】``). An answer is a
JSON object ``{"section", "topics"}`` (per unit) or a list of ``{"id", "section", "topics"}``
(document). A unit whose section is unknown or that names no known topic gets no record:
it is a failure of that unit, never replaced by a default section or topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from string import Template
from typing import Any

from benchmark.schema import Paragraph
from benchmark.tasks.llm import (
    LLMPrompt,
    LLMRequest,
    ParsedUnit,
    check_unit_style,
    definitions,
    dump,
    example_block,
    fewshot,
    prompt_file,
)
from benchmark.tasks.llm_parse import (
    AnswerError,
    as_item_list,
    as_object,
    normalize_keys,
    number,
    parse_json_answer,
)

NO_HEADING = "（无）"


def unit_headings(doc: Any) -> list[str]:
    """For each paragraph unit, the heading lines (joined by " / ") last seen before it."""
    units = set(doc.units)
    current, pending, out = NO_HEADING, [], []
    for span in doc.lines:
        if span in units:
            if pending:
                current, pending = " / ".join(pending), []
            out.append(current)
        else:
            pending.append(doc.text[span[0] : span[1]])
    return out


def document_text(doc: Any) -> str:
    """The document with its units numbered ``[i]`` (from 1) and its headings marked."""
    units = {span: i for i, span in enumerate(doc.units, start=1)}
    rows = []
    for span in doc.lines:
        body = doc.text[span[0] : span[1]]
        rows.append(f"[{units[span]}] {body}" if span in units else f"【小标题】{body}")
    return "\n".join(rows)


def _document_example() -> tuple[str, str]:
    lines, answer = [], []
    for i, ex in enumerate(fewshot("topics"), start=1):
        if ex["heading"] != NO_HEADING:
            lines.append(f"【小标题】{ex['heading']}")
        lines.append(f"[{i}] {ex['text']}")
        answer.append({"id": i, **ex["answer"]})
    return "\n".join(lines), dump(answer)


@cache
def prompt(
    sections: tuple[str, ...], topics: tuple[tuple[str, str], ...], unit: str = "line", style: str = "chat"
) -> LLMPrompt:
    """The topics prompt: section and topic definitions (``topics``: name, Chinese definition)."""
    check_unit_style(unit, style)
    user_template = prompt_file(f"topics_user_{unit}.txt").strip()
    if unit == "document":
        pairs = [_document_example()]
    else:
        keys = ("heading", "position", "total", "text")
        pairs = [
            (Template(user_template).substitute({k: ex[k] for k in keys}), dump(ex["answer"]))
            for ex in fewshot("topics")
        ]
    meaning = definitions()["sections"]
    values = {
        "sections": "\n".join(f"- {s}：{meaning[s]}" for s in sections),
        "topics": "\n".join(f"- {name}：{definition}" for name, definition in topics),
        "examples": example_block(pairs),
    }
    system = Template(prompt_file("topics_system.txt")).substitute(values).strip()
    return LLMPrompt("topics", unit, style, system, user_template, len(pairs))


def requests(doc: Any, p: LLMPrompt) -> list[LLMRequest]:
    """One request per paragraph unit, or one for the whole document."""
    if p.unit == "document":
        return [p.request(-1, "document", text=document_text(doc))] if doc.units else []
    headings, total = unit_headings(doc), len(doc.units)
    return [
        p.request(i, f"unit {i}", heading=headings[i], position=i + 1, total=total, text=doc.text[s:e])
        for i, (s, e) in enumerate(doc.units)
    ]


def _topic_list(raw: Any, known: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The known topics of an answer, in order without repeats, and the unknown values."""
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    out: list[str] = []
    unknown: list[Any] = []
    for value in values:
        name = value.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(value, str) else ""
        if name in known:
            if name not in out:
                out.append(name)
        else:
            unknown.append(value)
    return out, unknown


def _record(
    span: tuple[int, int], answer: dict[str, Any], sections: Sequence[str], topics: Sequence[str]
) -> tuple[Paragraph | None, str, list[Any]]:
    """The record of one unit's answer, or None and why; plus the unknown topics it named."""
    section = answer.get("section")
    section = section.strip().lower() if isinstance(section, str) else None
    found, unknown = _topic_list(answer.get("topics"), topics)
    if section not in sections:
        return None, f"unknown section {answer.get('section')!r}", unknown
    if not found:
        return None, f"no known topic in {answer.get('topics')!r}", unknown
    return Paragraph(span[0], span[1], str(section), tuple(found)), "", unknown


def parse(
    doc: Any, request: LLMRequest, answer: str, sections: Sequence[str], topics: Sequence[str]
) -> ParsedUnit:
    """The paragraph record of one unit's answer, or the records of a whole-document answer."""
    try:
        value = parse_json_answer(answer)
        if request.target >= 0:
            answers = {request.target: as_object(value, ("section", "topics"))}
        else:
            answers = _document_answers(doc, as_item_list(value))
    except AnswerError as exc:
        return ParsedUnit.failed(f"unparseable answer ({exc})")
    out = ParsedUnit(items=len(answers))
    for index, item in sorted(answers.items()):
        if item is None:
            out.drop("invalid_items", f"{request.where}: invalid topics item for unit {index}")
            continue
        record, why, unknown = _record(doc.units[index], item, sections, topics)
        if unknown:
            out.drop("unknown_topics", f"unit {index}: unknown topics {unknown!r:.80}")
        if record is None:
            if request.target >= 0:
                return ParsedUnit.failed(why)
            out.drop("invalid_items", f"unit {index}: {why}")
            continue
        out.records.append(record)
    if request.target < 0:
        missing = len(doc.units) - len(out.records)
        if not out.records:
            return ParsedUnit.failed(f"no unit answered validly ({len(answers)} item(s))")
        if missing:
            out.counts["unanswered_units"] = missing
            out.problems.append(f"document: {missing} of {len(doc.units)} units have no valid answer")
    return out


def _document_answers(doc: Any, items: list[Any]) -> dict[int, dict[str, Any] | None]:
    """Unit index -> the first answer item for it (None: an item that names no unit)."""
    answers: dict[int, dict[str, Any] | None] = {}
    bad = -1
    for pos, item in enumerate(items, start=1):
        keyed = normalize_keys(item) if isinstance(item, dict) else None
        index = number(keyed.get("id", pos)) if keyed is not None else None
        if keyed is None or not isinstance(index, int) or not 1 <= index <= len(doc.units):
            answers[bad] = None  # counted as an invalid item
            bad -= 1
            continue
        answers.setdefault(index - 1, keyed)
    return answers


def reference(doc: Any, request: LLMRequest) -> str:
    """The gold answer of a request: the unit's section and topics (a list with ids per document)."""
    units = sorted(doc.gold.get("topics", []), key=lambda u: u.start)
    if request.target >= 0:
        unit = units[request.target]
        return dump({"section": unit.section, "topics": list(unit.topics)})
    rows = [{"id": i, "section": u.section, "topics": list(u.topics)} for i, u in enumerate(units, start=1)]
    return dump(rows)
