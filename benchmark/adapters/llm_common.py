"""Shared code of the LLM adapters: prompts, requests, tolerant JSON parsing and grounding.

An LLM adapter turns each document into chat requests (one per line, or per paragraph
unit for topics, or one per document with ``unit="document"``), gets one answer per
request from its backend (:meth:`LLMAdapter.complete`), and interprets the answers here:

* ``ner``: a JSON list of ``{"text", "label"}`` -> :class:`Mention` objects (the harness
  grounds them inside their line, every occurrence).
* ``numeric``: a JSON list of ``{"text", "value", "unit", "qualifier", "metric"}`` ->
  :class:`NumericFact` records grounded here: each quantity takes the first occurrence of
  its string in its line, left to right, that is not already taken by an earlier fact and
  does not start in the middle of a number; its metric takes the nearest occurrence in the
  same line that does not overlap the quantity. A fact that cannot be grounded, or whose
  span overlaps an earlier fact, is dropped and counted.
* ``topics``: a JSON object ``{"section", "topics"}`` per unit -> one :class:`Paragraph`
  per unit. An unknown section falls back to :data:`FALLBACK_SECTION` and an answer with no
  known topic to :data:`FALLBACK_TOPICS`; each fallback is counted.

Every failure (request failed, answer unparseable, item invalid, fact ungrounded or
overlapping, unit fallen back) is counted in ``Prediction.info`` and described in
``Prediction.problems``; nothing is dropped silently. The prompt (system prompt with its
definitions and few-shot examples, plus the user template) and its sha256 are recorded in
``Prediction.info`` under ``prompt_template`` and ``prompt_sha256``.

Example:
    >>> parse_json_answer('```json\\n[{"text": "成都", "label": "GPE"},]\\n```')
    [{'text': '成都', 'label': 'GPE'}]
    >>> parse_json_answer('结果：{“section”：“lead”，“topics”：[“overview”]}')
    {'section': 'lead', 'topics': ['overview']}
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import re
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from string import Template
from typing import Any, ClassVar

from benchmark.adapters.base import Adapter, InputDocument, Mention, Prediction
from benchmark.normalize import QUALIFIERS
from benchmark.schema import NumericFact, Paragraph
from benchmark.tasks.ner import LABELS
from benchmark.tasks.topics import SECTIONS, TAXONOMY, TOPICS

PROMPT_FILES = (
    "ner_system.txt",
    "ner_user.txt",
    "numeric_system.txt",
    "numeric_user.txt",
    "topics_system.txt",
    "topics_user_line.txt",
    "topics_user_document.txt",
    "definitions.json",
    "fewshot.json",
)
FALLBACK_SECTION = "lead"
FALLBACK_TOPICS: tuple[str, ...] = ("overview",)
NO_HEADING = "（无）"
LIST_KEYS = ("entities", "facts", "items", "results", "result", "data", "answer", "output", "units")
KEY_ALIASES = {
    "文本": "text", "实体": "text", "数量": "text", "entity": "text", "quantity": "text",
    "类型": "label", "标签": "label", "type": "label", "category": "label",
    "数值": "value", "值": "value", "单位": "unit", "限定": "qualifier", "修饰": "qualifier",
    "指标": "metric", "版块": "section", "主题": "topics", "topic": "topics", "编号": "id", "index": "id",
}  # fmt: skip
LABEL_ALIASES = {
    "PERSON": "PER", "人名": "PER", "ORGANIZATION": "ORG", "ORGANISATION": "ORG", "机构": "ORG",
    "组织": "ORG", "地名": "GPE", "行政区": "GPE", "LOCATION": "LOC", "地点": "LOC", "TIME": "DATE",
    "日期": "DATE", "时间": "DATE", "事件": "EVENT", "职务": "TITLE", "头衔": "TITLE",
}  # fmt: skip


class AnswerError(ValueError):
    """A model answer that cannot be read as the JSON the prompt asked for."""


# --------------------------------------------------------------------------- prompts


@cache
def prompt_file(name: str) -> str:
    """The text of one file of ``benchmark/adapters/prompts`` (shipped as package data)."""
    return (resources.files("benchmark.adapters") / "prompts" / name).read_text(encoding="utf-8")


def prompts_digest() -> str:
    """sha256 over every prompt file: part of the adapters' version, so a prompt edit re-runs."""
    digest = hashlib.sha256()
    for name in PROMPT_FILES:
        digest.update(name.encode() + b"\0" + prompt_file(name).encode("utf-8") + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class PromptSet:
    """The rendered system prompt and the user template of one task and request unit."""

    task: str
    unit: str
    system: str
    user_template: str

    @property
    def template_text(self) -> str:
        """What the run record keeps: the system prompt and the raw user template."""
        return f"[system]\n{self.system}\n[user]\n{self.user_template}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.template_text.encode("utf-8")).hexdigest()

    def user(self, **values: Any) -> str:
        """The user message with ``$text`` (and for topics ``$heading`` ...) filled in."""
        return Template(self.user_template).substitute({k: str(v) for k, v in values.items()})

    def messages(self, **values: Any) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user(**values)}]

    def info(self) -> dict[str, Any]:
        return {"prompt_sha256": self.sha256, "prompt_template": self.template_text, "unit": self.unit}


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _definitions() -> dict[str, dict[str, str]]:
    return json.loads(prompt_file("definitions.json"))


def _fewshot(task: str) -> list[dict[str, Any]]:
    return json.loads(prompt_file("fewshot.json"))[task]


def fewshot_sentences() -> list[str]:
    """Every few-shot example text of every task (a test checks none is in the article)."""
    return [ex["text"] for task in ("ner", "numeric", "topics") for ex in _fewshot(task)]


def _example_block(pairs: Sequence[tuple[str, str]]) -> str:
    blocks = [f"示例 {i}\n输入：\n{q}\n输出：\n{a}" for i, (q, a) in enumerate(pairs, start=1)]
    return "\n\n".join(blocks)


def _topic_values(example: dict[str, Any]) -> dict[str, Any]:
    keys = ("heading", "position", "total", "text")
    return {k: example[k] for k in keys}


def _topics_document_example() -> tuple[str, str]:
    lines, answer = [], []
    for i, ex in enumerate(_fewshot("topics"), start=1):
        if ex["heading"] != NO_HEADING:
            lines.append(f"【小标题】{ex['heading']}")
        lines.append(f"[{i}] {ex['text']}")
        answer.append({"id": i, **ex["answer"]})
    return "\n".join(lines), _dump(answer)


def _examples(task: str, unit: str, user_template: str) -> str:
    if task == "topics" and unit == "document":
        return _example_block([_topics_document_example()])
    pairs = []
    for ex in _fewshot(task):
        values = _topic_values(ex) if task == "topics" else {"text": ex["text"]}
        pairs.append((Template(user_template).substitute(values), _dump(ex["answer"])))
    return _example_block(pairs)


@cache
def build_prompt(task: str, unit: str = "line") -> PromptSet:
    """The prompt of ``task`` ("ner", "numeric", "topics") for requests per ``unit``.

    Raises:
        ValueError: For an unknown task or unit.
    """
    if task not in ("ner", "numeric", "topics") or unit not in ("line", "document"):
        raise ValueError(f"no prompt for task {task!r} and unit {unit!r}")
    defs = _definitions()
    user_name = f"topics_user_{unit}.txt" if task == "topics" else f"{task}_user.txt"
    user_template = prompt_file(user_name).strip()
    values = {
        "labels": "\n".join(f"- {label}：{defs['labels'][label]}" for label in LABELS),
        "sections": "\n".join(f"- {s}：{defs['sections'][s]}" for s in SECTIONS),
        "topics": "\n".join(f"- {t}：{TAXONOMY[t].definition_zh}" for t in TOPICS),
        "examples": _examples(task, unit, user_template),
    }
    system = Template(prompt_file(f"{task}_system.txt")).substitute(values).strip()
    return PromptSet(task, unit, system, user_template)


# --------------------------------------------------------------------------- requests


@dataclass
class ChatRequest:
    """One chat request: which document and which line or unit it asks about.

    Attributes:
        doc_index: Index of the document in the ``predict`` batch.
        target: Index into ``lines`` (ner, numeric) or ``units`` (topics); -1 for a whole document.
        messages: The chat messages (system, user).
    """

    doc_index: int
    target: int
    messages: list[dict[str, str]]


@dataclass
class Completion:
    """A backend's answer to one request: the text, or the reason there is none.

    Attributes:
        text: The generated text (None when the request failed).
        error: Why the request failed (None on success).
        meta: Per-request figures for the run record (latency, tokens, attempts...).
    """

    text: str | None
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def unit_headings(doc: InputDocument) -> list[str]:
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


def _topics_document_text(doc: InputDocument) -> str:
    units = {span: i for i, span in enumerate(doc.units, start=1)}
    rows = []
    for span in doc.lines:
        body = doc.text[span[0] : span[1]]
        rows.append(f"[{units[span]}] {body}" if span in units else f"【小标题】{body}")
    return "\n".join(rows)


def build_requests(prompt: PromptSet, doc: InputDocument, doc_index: int) -> list[ChatRequest]:
    """The requests of one document for ``prompt``'s task and unit."""
    if prompt.unit == "document":
        text = _topics_document_text(doc) if prompt.task == "topics" else doc.text.strip()
        return [ChatRequest(doc_index, -1, prompt.messages(text=text))] if text else []
    if prompt.task == "topics":
        headings, total = unit_headings(doc), len(doc.units)
        return [
            ChatRequest(
                doc_index,
                i,
                prompt.messages(heading=headings[i], position=i + 1, total=total, text=doc.text[s:e]),
            )
            for i, (s, e) in enumerate(doc.units)
        ]
    return [
        ChatRequest(doc_index, i, prompt.messages(text=doc.text[s:e])) for i, (s, e) in enumerate(doc.lines)
    ]


# --------------------------------------------------------------------------- JSON parsing

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_FENCE = re.compile(r"```[A-Za-z]*[ \t]*\n?(.*?)```", re.DOTALL)
_FULL_WIDTH = {"，": ",", "：": ":", "｛": "{", "｝": "}", "［": "[", "］": "]"}
_OPEN_QUOTES = "“「"
_CLOSE_QUOTES = '”」"'
_AFTER_CLOSE = ":,}]：，｝］"
_OPENERS = "[{［｛"


def _closes_curly(text: str, i: int) -> bool:
    """Whether the quote at ``i`` ends a string opened by a curly quote (structure follows)."""
    j = i + 1
    while j < len(text) and text[j] in " \t\r\n":
        j += 1
    return j == len(text) or text[j] in _AFTER_CLOSE


def repair_json(text: str) -> str:
    """Make near-JSON parseable, leaving the inside of ASCII-quoted strings untouched.

    Outside strings: full-width braces, brackets, commas and colons become ASCII, a string
    delimited by curly quotes (“key”：“value”) becomes an ASCII-quoted string, and trailing
    commas before ``]`` or ``}`` are removed. Raw newlines inside strings are escaped.

    Example:
        >>> repair_json('{“text”：“四川”，“label”：“GPE”，}')
        '{"text":"四川","label":"GPE"}'
    """
    out: list[str] = []
    mode = None  # None: outside strings; '"': ASCII string; "curly": string opened by “ or 「
    i = 0
    while i < len(text):
        ch = text[i]
        if mode == '"':
            out.append("\\n" if ch == "\n" else ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                mode = None
        elif mode == "curly":
            if ch in _CLOSE_QUOTES and _closes_curly(text, i):
                out.append('"')
                mode = None
            else:
                out.append({'"': '\\"', "\n": "\\n", "\\": "\\\\"}.get(ch, ch))
        elif ch == '"':
            out.append(ch)
            mode = '"'
        elif ch in _OPEN_QUOTES:
            out.append('"')
            mode = "curly"
        else:
            ch = _FULL_WIDTH.get(ch, ch)
            if ch in "]}":
                while out and out[-1] in " \t\r\n":
                    out.pop()
                if out and out[-1] == ",":
                    out.pop()
            out.append(ch)
        i += 1
    return "".join(out)


def _balanced(text: str, start: int) -> str | None:
    """The JSON value starting with the bracket at ``start`` up to its matching bracket."""
    depth, in_string, i = 0, False, start
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return None


def _loads(snippet: str) -> Any:
    try:
        return json.loads(snippet)
    except json.JSONDecodeError:
        pass
    try:  # Python-style literals: single quotes, True/None
        value = ast.literal_eval(snippet)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise AnswerError("invalid JSON") from None
    if not isinstance(value, list | dict):
        raise AnswerError("invalid JSON")
    return value


def _from_candidate(candidate: str) -> Any:
    text = candidate.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    starts = [i for i, ch in enumerate(text) if ch in _OPENERS][:20]
    if not starts:
        raise AnswerError("no JSON array or object in the answer")
    error = "invalid JSON"
    for start in starts:
        repaired = repair_json(text[start:])
        snippet = _balanced(repaired, 0)
        if snippet is None:  # a cut-off answer: never salvage an inner object of it
            raise AnswerError("unterminated JSON (answer cut off?)")
        try:
            return _loads(snippet)
        except AnswerError as exc:
            error = str(exc)
    raise AnswerError(error)


def parse_json_answer(answer: str) -> Any:
    """Read the JSON value in a model answer, tolerantly.

    Handles reasoning blocks (``<think>...</think>``), code fences, text around the JSON,
    trailing commas, full-width punctuation and curly quotes outside strings, and
    Python-style literals.

    Raises:
        AnswerError: With the reason when no JSON value can be read.
    """
    text = _THINK.sub("", answer)
    if "<think>" in text:
        raise AnswerError("unfinished <think> block (answer cut off?)")
    if not text.strip():
        raise AnswerError("empty answer")
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    error = "no JSON"
    for candidate in candidates:
        try:
            return _from_candidate(candidate)
        except AnswerError as exc:
            error = str(exc)
    raise AnswerError(error)


def _norm_key(key: Any) -> str:
    name = repair_json(str(key)).strip().strip('"').strip().lower()
    return KEY_ALIASES.get(name, name)


def normalize_keys(obj: dict[Any, Any]) -> dict[str, Any]:
    """Keys stripped, lower-cased and mapped through :data:`KEY_ALIASES` (``文本`` -> ``text``)."""
    return {_norm_key(k): v for k, v in obj.items()}


def as_item_list(value: Any) -> list[Any]:
    """A list answer: a list as is, a wrapper object's list (``{"entities": [...]}``), or one object.

    Raises:
        AnswerError: When the value is neither.
    """
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        keyed = normalize_keys(value)
        for key in (*LIST_KEYS, "text"):  # "text": a wrapper like {"实体": [...]}
            if isinstance(keyed.get(key), list):
                return keyed[key]
        if "text" in keyed or "id" in keyed:
            return [value]
        if not value:
            return []
    raise AnswerError(f"expected a JSON array, got {type(value).__name__}")


def as_object(value: Any) -> dict[str, Any]:
    """An object answer: an object, a list holding one object, or a wrapper object.

    Raises:
        AnswerError: When the value is neither.
    """
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict):
        keyed = normalize_keys(value)
        if "section" not in keyed and "topics" not in keyed:
            inner = [v for k, v in keyed.items() if k in LIST_KEYS and isinstance(v, dict)]
            if inner:
                return normalize_keys(inner[0])
        return keyed
    raise AnswerError(f"expected a JSON object, got {type(value).__name__}")


# --------------------------------------------------------------------------- interpretation


@dataclass
class Tally:
    """Counts and messages of everything that went wrong while reading one document's answers."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, key: str, message: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1
        self.problems.append(message)

    def get(self, key: str) -> int:
        return self.counts.get(key, 0)


def _where(req: ChatRequest, task: str) -> str:
    if req.target < 0:
        return "document"
    return f"unit {req.target}" if task == "topics" else f"line {req.target}"


def _read(comp: Completion, req: ChatRequest, task: str, tally: Tally, shape: Callable[[Any], Any]) -> Any:
    """The answer in the expected shape, or None after counting why not."""
    where = _where(req, task)
    if comp.text is None:
        tally.add("request_failures", f"{where}: request failed: {comp.error}")
        return None
    try:
        return shape(parse_json_answer(comp.text))
    except AnswerError as exc:
        tally.add("parse_failures", f"{where}: unparseable answer ({exc}): {comp.text[:120]!r}")
        return None


def _text_field(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def normalize_label(raw: Any) -> str | None:
    """A benchmark entity label from a model's label (``person`` -> ``PER``), or None."""
    if not isinstance(raw, str):
        return None
    name = raw.strip().upper()
    name = LABEL_ALIASES.get(name, LABEL_ALIASES.get(raw.strip(), name))
    return name if name in LABELS else None


def _line_candidates(doc: InputDocument, text: str) -> list[int]:
    """Lines whose text contains ``text`` (or ``text`` without outer quotes)."""
    variants = [text, text.strip("“”\"'「」‘’")]
    return [i for i, (s, e) in enumerate(doc.lines) if any(v and v in doc.text[s:e] for v in variants)]


def entity_mentions(
    doc: InputDocument, reqs: Sequence[ChatRequest], comps: Sequence[Completion], tally: Tally
) -> list[Mention]:
    """Mentions from ner answers (a line's mentions name that line; document answers every line)."""
    mentions: list[Mention] = []
    for req, comp in zip(reqs, comps, strict=True):
        items = _read(comp, req, "ner", tally, as_item_list) or []
        for item in items:
            keyed = normalize_keys(item) if isinstance(item, dict) else {}
            text, label = _text_field(keyed, "text"), normalize_label(keyed.get("label"))
            if text is None or label is None:
                tally.add("invalid_items", f"{_where(req, 'ner')}: invalid entity {item!r:.100}")
                continue
            lines = [req.target] if req.target >= 0 else _line_candidates(doc, text)
            if not lines:
                tally.add("ungrounded", f"document: entity {text!r} ({label}) is in no line")
            mentions += [Mention(i, text, label) for i in lines]
    return mentions


def _number(value: Any) -> int | float | None:
    """A finite JSON number (numeric strings accepted); integral values as int."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def normalize_qualifier(raw: Any) -> str | None:
    """One of :data:`QUALIFIERS` (``at-least`` -> ``at_least``), or None."""
    if not isinstance(raw, str):
        return None
    name = raw.strip().lower().replace("-", "_").replace(" ", "_")
    return name if name in QUALIFIERS else None


@dataclass(frozen=True)
class FactAnswer:
    """A numeric fact as a model returned it (strings, not yet grounded)."""

    text: str
    value: int | float
    unit: str
    qualifier: str
    metric: str


def read_fact(item: Any) -> FactAnswer | None:
    """A :class:`FactAnswer` from one answer item, or None if a field is missing or invalid."""
    if not isinstance(item, dict):
        return None
    keyed = normalize_keys(item)
    text, metric = _text_field(keyed, "text"), _text_field(keyed, "metric")
    value, qualifier = _number(keyed.get("value")), normalize_qualifier(keyed.get("qualifier", "exact"))
    unit = keyed.get("unit", "")
    if text is None or metric is None or value is None or qualifier is None or not isinstance(unit, str):
        return None
    return FactAnswer(text, value, unit.strip(), qualifier, metric)


_NUMERAL = re.compile(r"[\d.０-９零〇一二两三四五六七八九十百千万亿]")


def _occurrences(window: str, needle: str) -> list[int]:
    out, i = [], window.find(needle)
    while i >= 0:
        out.append(i)
        i = window.find(needle, i + 1)
    return out


def _starts_cleanly(window: str, pos: int, needle: str) -> bool:
    """False when a numeral-initial quantity would start inside a longer number (5个 in 15个)."""
    return pos == 0 or not (_NUMERAL.match(needle[0]) and _NUMERAL.match(window[pos - 1]))


def _overlaps(span: tuple[int, int], taken: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)


def _nearest(window: str, needle: str, quantity: tuple[int, int]) -> tuple[int, int] | None:
    """The occurrence of ``needle`` nearest to ``quantity`` (window offsets) not overlapping it."""
    best: tuple[int, int, int] | None = None
    for pos in _occurrences(window, needle):
        span = (pos, pos + len(needle))
        if _overlaps(span, [quantity]):
            continue
        distance = quantity[0] - span[1] if span[1] <= quantity[0] else span[0] - quantity[1]
        if best is None or (distance, pos) < (best[0], best[1]):
            best = (distance, pos, span[1])
    return None if best is None else (best[1], best[2])


def _nearest_any(window: str, needles: Sequence[str], quantity: tuple[int, int]) -> tuple[int, int] | None:
    """:func:`_nearest` for the first of ``needles`` that occurs (verbatim before unquoted)."""
    for needle in needles:
        found = _nearest(window, needle, quantity)
        if found is not None:
            return found
    return None


def _strip_quotes(text: str) -> list[str]:
    inner = text.strip("“”\"'「」‘’")
    return [text] if inner in ("", text) else [text, inner]


def ground_fact(
    doc: InputDocument, line_indices: Sequence[int], fact: FactAnswer, taken: list[tuple[int, int]]
) -> tuple[NumericFact | None, str]:
    """Ground one fact in the first of ``line_indices`` where it fits.

    Returns:
        The record (None if it cannot be placed) and, when None, ``"ungrounded"`` or
        ``"overlapping"`` (every occurrence of the quantity overlaps an earlier fact).
    """
    reason = "ungrounded"
    for li in line_indices:
        start, end = doc.lines[li]
        window = doc.text[start:end]
        for needle in _strip_quotes(fact.text):
            for pos in _occurrences(window, needle):
                span = (start + pos, start + pos + len(needle))
                if not _starts_cleanly(window, pos, needle):
                    continue
                if _overlaps(span, taken):
                    reason = "overlapping"
                    continue
                metric = _nearest_any(window, _strip_quotes(fact.metric), (pos, pos + len(needle)))
                if metric is None:
                    break
                ms, me = start + metric[0], start + metric[1]
                record = NumericFact(span[0], span[1], doc.text[span[0] : span[1]], fact.value, fact.unit,
                                     fact.qualifier, doc.text[ms:me], ms, me)  # fmt: skip
                return record, ""
    return None, reason


def numeric_records(
    doc: InputDocument, reqs: Sequence[ChatRequest], comps: Sequence[Completion], tally: Tally
) -> list[NumericFact]:
    """Grounded, non-overlapping numeric facts from numeric answers (sorted by offset)."""
    records: list[NumericFact] = []
    taken: list[tuple[int, int]] = []
    for req, comp in zip(reqs, comps, strict=True):
        where = _where(req, "numeric")
        lines = [req.target] if req.target >= 0 else list(range(len(doc.lines)))
        for item in _read(comp, req, "numeric", tally, as_item_list) or []:
            fact = read_fact(item)
            if fact is None:
                tally.add("invalid_items", f"{where}: invalid numeric fact {item!r:.120}")
                continue
            record, reason = ground_fact(doc, lines, fact, taken)
            if record is None:
                tally.add(reason, f"{where}: {reason} numeric fact {fact.text!r} (metric {fact.metric!r})")
                continue
            records.append(record)
            taken.append((record.start, record.end))
    return sorted(records, key=lambda r: (r.start, r.end))


def _topic_list(raw: Any) -> list[str]:
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    out: list[str] = []
    for value in values:
        name = value.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(value, str) else ""
        if name in TOPICS and name not in out:
            out.append(name)
    return out


def topic_record(span: tuple[int, int], answer: dict[str, Any] | None, where: str, tally: Tally) -> Paragraph:
    """One paragraph record from an object answer, with counted fallbacks for what is missing."""
    answer = answer or {}
    section = answer.get("section")
    section = section.strip().lower() if isinstance(section, str) else None
    topics = _topic_list(answer.get("topics"))
    fell_back = []
    if section not in SECTIONS:
        fell_back.append(f"section {answer.get('section')!r} -> {FALLBACK_SECTION}")
        section = FALLBACK_SECTION
    if not topics:
        fell_back.append(f"topics {answer.get('topics')!r} -> {list(FALLBACK_TOPICS)}")
        topics = list(FALLBACK_TOPICS)
    if fell_back:
        tally.add("fallback_units", f"{where}: fallback: {'; '.join(fell_back)}")
    return Paragraph(span[0], span[1], str(section), tuple(topics))


def _document_topic_answers(
    doc: InputDocument, req: ChatRequest, comp: Completion, tally: Tally
) -> dict[int, dict[str, Any]]:
    answers: dict[int, dict[str, Any]] = {}
    for pos, item in enumerate(_read(comp, req, "topics", tally, as_item_list) or [], start=1):
        keyed = normalize_keys(item) if isinstance(item, dict) else None
        number = _number(keyed.get("id", pos)) if keyed is not None else None
        if keyed is None or not isinstance(number, int) or not 1 <= number <= len(doc.units):
            tally.add("invalid_items", f"document: invalid topics item {item!r:.100}")
            continue
        answers.setdefault(number - 1, keyed)
    return answers


def topic_records(
    doc: InputDocument, reqs: Sequence[ChatRequest], comps: Sequence[Completion], tally: Tally
) -> list[Paragraph]:
    """Exactly one paragraph record per unit of ``doc``, in unit order."""
    answers: dict[int, dict[str, Any] | None] = {}
    for req, comp in zip(reqs, comps, strict=True):
        if req.target < 0:
            answers.update(_document_topic_answers(doc, req, comp, tally))
        else:
            answers[req.target] = _read(comp, req, "topics", tally, as_object)
    return [topic_record(span, answers.get(i), f"unit {i}", tally) for i, span in enumerate(doc.units)]


def interpret(
    prompt: PromptSet, doc: InputDocument, reqs: Sequence[ChatRequest], comps: Sequence[Completion]
) -> Prediction:
    """The prediction of one document from its requests' answers, with every failure counted."""
    tally = Tally()
    pred = Prediction(doc.id)
    if prompt.task == "ner":
        pred.mentions = entity_mentions(doc, reqs, comps, tally)
    elif prompt.task == "numeric":
        pred.records = list(numeric_records(doc, reqs, comps, tally))
    else:
        pred.records = list(topic_records(doc, reqs, comps, tally))
    pred.problems = tally.problems
    answered = len(reqs) - tally.get("request_failures")
    pred.info = prompt.info() | {
        "requests": len(reqs),
        "request_failures": tally.get("request_failures"),
        "parse_failures": tally.get("parse_failures"),
        "parse_failure_rate": tally.get("parse_failures") / answered if answered else None,
        "counts": dict(sorted(tally.counts.items())),
    }
    return pred


# --------------------------------------------------------------------------- adapter base


class LLMAdapter(Adapter):
    """Base of the LLM adapters: builds the requests, asks :meth:`complete`, interprets the answers.

    Subclasses implement :meth:`complete` (one :class:`Completion` per request, in order)
    and may add backend figures to the run record with :meth:`usage_info`. Their options
    need a ``unit`` field (``"line"`` or ``"document"``).
    """

    tasks: ClassVar[tuple[str, ...]] = ("ner", "numeric", "topics")
    labels: ClassVar[tuple[str, ...]] = LABELS
    offline: ClassVar[bool] = False

    @abstractmethod
    def complete(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        """Answer every request, in order; a failed request is a Completion with ``error`` set."""

    def usage_info(self, completions: Sequence[Completion]) -> dict[str, Any]:
        """Backend figures of one document's requests for ``Prediction.info`` (default: per-request meta)."""
        return {"per_request": [c.meta for c in completions]}

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """One prediction per document; raises only when every request failed."""
        if task not in self.tasks:
            raise ValueError(f"{self.name} does not support task {task!r}")
        prompt = build_prompt(task, getattr(self.options, "unit", "line"))
        requests = [r for i, doc in enumerate(documents) for r in build_requests(prompt, doc, i)]
        completions = self.complete(requests)
        if len(completions) != len(requests):
            raise RuntimeError(f"backend returned {len(completions)} answers for {len(requests)} requests")
        failed = [c for c in completions if c.text is None]
        if requests and len(failed) == len(requests):
            raise RuntimeError(f"all {len(requests)} requests failed; first error: {failed[0].error}")
        out = []
        for i, doc in enumerate(documents):
            pairs = [(r, c) for r, c in zip(requests, completions, strict=True) if r.doc_index == i]
            for r, c in pairs:
                c.meta.setdefault("target", r.target)
            pred = interpret(prompt, doc, [r for r, _ in pairs], [c for _, c in pairs])
            pred.info.update(self.usage_info([c for _, c in pairs]))
            out.append(pred)
        return out
