"""The LLM prompt and answer parser of ``ner.v1`` (``NerTask.llm_*`` delegate here).

The prompt asks for a JSON list of ``{"text", "label"}``; the answer becomes string
mentions that the harness grounds inside their line, at every occurrence (a whole-document
answer names every line whose text holds the string). Labels are normalized
(``person`` -> ``PER``, ``地名`` -> ``GPE``); an item without a text or with an unknown label
is dropped and counted; an answer whose items are all invalid is a failure of the unit.
"""

from __future__ import annotations

from functools import cache
from string import Template
from typing import Any

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
    line_candidates,
    normalize_keys,
    parse_json_answer,
    text_field,
)
from benchmark.tasks.rows import in_line

LABEL_ALIASES = {
    "PERSON": "PER", "人名": "PER", "ORGANIZATION": "ORG", "ORGANISATION": "ORG", "机构": "ORG",
    "组织": "ORG", "地名": "GPE", "行政区": "GPE", "LOCATION": "LOC", "地点": "LOC", "TIME": "DATE",
    "日期": "DATE", "时间": "DATE", "事件": "EVENT", "职务": "TITLE", "头衔": "TITLE",
}  # fmt: skip


def normalize_label(raw: Any, labels: tuple[str, ...]) -> str | None:
    """One of ``labels`` from a model's label (``person`` -> ``PER``), or None.

    Example:
        >>> [normalize_label(raw, ("PER", "GPE")) for raw in ("person", "地名", "PLACE")]
        ['PER', 'GPE', None]
    """
    if not isinstance(raw, str):
        return None
    name = raw.strip().upper()
    name = LABEL_ALIASES.get(name, LABEL_ALIASES.get(raw.strip(), name))
    return name if name in labels else None


@cache
def prompt(labels: tuple[str, ...], unit: str = "line", style: str = "chat") -> LLMPrompt:
    """The ner prompt: label definitions, rules, few-shot examples; one line (or the document)."""
    check_unit_style(unit, style)
    meaning = definitions()["labels"]
    user_template = prompt_file("ner_user.txt").strip()
    examples = fewshot("ner")
    pairs = [(Template(user_template).substitute(text=ex["text"]), dump(ex["answer"])) for ex in examples]
    values = {
        "labels": "\n".join(f"- {label}：{meaning[label]}" for label in labels),
        "examples": example_block(pairs),
    }
    system = Template(prompt_file("ner_system.txt")).substitute(values).strip()
    return LLMPrompt("ner", unit, style, system, user_template, len(pairs))


def requests(doc: Any, labels: tuple[str, ...], unit: str = "line", style: str = "chat") -> list[LLMRequest]:
    """One request per line (headings included), or one for the whole document."""
    p = prompt(labels, unit, style)
    if unit == "document":
        text = doc.text.strip()
        return [p.request(-1, "document", text=text)] if text else []
    return [p.request(i, f"line {i}", text=doc.text[s:e]) for i, (s, e) in enumerate(doc.lines)]


def parse(doc: Any, request: LLMRequest, answer: str, labels: tuple[str, ...]) -> ParsedUnit:
    """String mentions of one answer (grounded later by the harness)."""
    try:
        items = as_item_list(parse_json_answer(answer))
    except AnswerError as exc:
        return ParsedUnit.failed(f"unparseable answer ({exc})")
    out = ParsedUnit(items=len(items))
    for item in items:
        keyed = normalize_keys(item) if isinstance(item, dict) else {}
        text, label = text_field(keyed, "text"), normalize_label(keyed.get("label"), labels)
        if text is None or label is None:
            out.drop("invalid_items", f"{request.where}: invalid entity {item!r:.100}")
            continue
        lines = [request.target] if request.target >= 0 else line_candidates(doc.text, doc.lines, text)
        if not lines:
            message = f"{request.where}: entity {text!r} ({label}) is in no line"
            out.drop("ungrounded", message, grounding=True)
        out.mentions += [(i, text, label) for i in lines]
    if items and out.counts.get("invalid_items") == len(items):
        return ParsedUnit.failed(f"no valid entity in {len(items)} item(s): {items[0]!r:.80}")
    return out


def reference(doc: Any, request: LLMRequest) -> str:
    """The gold answer of a request: its line's entities (each ``(text, label)`` once), as JSON."""
    gold = doc.gold.get("ner", [])
    entities = in_line(gold, *doc.lines()[request.target]) if request.target >= 0 else list(gold)
    unique = dict.fromkeys((e.text, e.label) for e in sorted(entities, key=lambda e: (e.start, e.end)))
    return dump([{"text": text, "label": label} for text, label in unique])
