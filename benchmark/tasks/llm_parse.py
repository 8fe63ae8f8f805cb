"""Reading LLM answers, shared by the tasks' parsers: tolerant JSON, key aliases, grounding.

* :func:`parse_json_answer` reads the JSON value in an answer (reasoning blocks, code fences,
  text around the JSON, trailing commas, full-width punctuation, curly quotes, Python literals).
* :func:`normalize_keys` maps Chinese and English key variants to the prompts' keys
  (``文本`` -> ``text``); :func:`as_item_list` and :func:`as_object` accept the usual wrappers.
* :func:`occurrences`, :func:`nearest_any`, :func:`strip_quotes`, :func:`line_candidates`
  place strings in the text (grounding); :func:`number` reads a JSON number.

Example:
    >>> parse_json_answer('```json\\n[{"text": "成都", "label": "GPE"},]\\n```')
    [{'text': '成都', 'label': 'GPE'}]
    >>> parse_json_answer('结果：{“section”：“lead”，“topics”：[“overview”]}')
    {'section': 'lead', 'topics': ['overview']}
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Sequence
from typing import Any

LIST_KEYS = ("entities", "facts", "items", "results", "result", "data", "answer", "output", "units")
KEY_ALIASES = {
    "文本": "text", "实体": "text", "数量": "text", "entity": "text", "quantity": "text",
    "类型": "label", "标签": "label", "type": "label", "category": "label",
    "数值": "value", "值": "value", "单位": "unit", "限定": "qualifier", "修饰": "qualifier",
    "指标": "metric", "版块": "section", "主题": "topics", "topic": "topics", "编号": "id", "index": "id",
    "答案": "answer", "回答": "answer", "answers": "answer",
}  # fmt: skip
QUOTES = "“”\"'「」‘’"


class AnswerError(ValueError):
    """A model answer that cannot be read as the JSON the prompt asked for."""


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


def as_object(value: Any, keys: Sequence[str] = ()) -> dict[str, Any]:
    """An object answer (keys normalized): an object, a list holding one object, or a wrapper.

    A wrapper (``{"result": {...}}``) is opened when the object has none of ``keys``.

    Raises:
        AnswerError: When the value is neither.
    """
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict):
        keyed = normalize_keys(value)
        if not any(k in keyed for k in keys):
            inner = [v for k, v in keyed.items() if k in LIST_KEYS and isinstance(v, dict)]
            if inner:
                return normalize_keys(inner[0])
        return keyed
    raise AnswerError(f"expected a JSON object, got {type(value).__name__}")


def text_field(item: dict[str, Any], key: str) -> str | None:
    """A non-empty string field, stripped, or None."""
    value = item.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def number(value: Any) -> int | float | None:
    """A finite JSON number (numeric strings accepted); integral values as int.

    Example:
        >>> number("1,200"), number(2.0), number(True), number("五")
        (1200, 2, None, None)
    """
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


# --------------------------------------------------------------------------- grounding


def occurrences(window: str, needle: str) -> list[int]:
    """Every start of ``needle`` in ``window`` (overlapping ones included)."""
    out, i = [], window.find(needle)
    while i >= 0:
        out.append(i)
        i = window.find(needle, i + 1)
    return out


def strip_quotes(text: str) -> list[str]:
    """``text``, then ``text`` without its outer quotes when it has some."""
    inner = text.strip(QUOTES)
    return [text] if inner in ("", text) else [text, inner]


def overlaps(span: tuple[int, int], taken: Sequence[tuple[int, int]]) -> bool:
    """Whether ``span`` overlaps one of ``taken``."""
    return any(span[0] < e and s < span[1] for s, e in taken)


def nearest(window: str, needle: str, anchor: tuple[int, int]) -> tuple[int, int] | None:
    """The occurrence of ``needle`` nearest to ``anchor`` (window offsets) not overlapping it."""
    best: tuple[int, int, int] | None = None
    for pos in occurrences(window, needle):
        span = (pos, pos + len(needle))
        if overlaps(span, [anchor]):
            continue
        distance = anchor[0] - span[1] if span[1] <= anchor[0] else span[0] - anchor[1]
        if best is None or (distance, pos) < (best[0], best[1]):
            best = (distance, pos, span[1])
    return None if best is None else (best[1], best[2])


def nearest_any(window: str, needles: Sequence[str], anchor: tuple[int, int]) -> tuple[int, int] | None:
    """:func:`nearest` for the first of ``needles`` that occurs (verbatim before unquoted)."""
    for needle in needles:
        found = nearest(window, needle, anchor)
        if found is not None:
            return found
    return None


def line_candidates(text: str, lines: Sequence[tuple[int, int]], needle: str) -> list[int]:
    """Indices of the lines of ``text`` that contain ``needle`` (or it without outer quotes)."""
    variants = strip_quotes(needle)
    return [i for i, (s, e) in enumerate(lines) if any(v and v in text[s:e] for v in variants)]
