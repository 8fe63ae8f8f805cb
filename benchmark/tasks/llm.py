"""What a task gives LLMs: prompts (package data), requests, and parsed answers.

A task that can be asked of an LLM implements three hooks of :class:`benchmark.tasks.base.Task`:
``llm_prompt(unit=, style=)`` (the :class:`LLMPrompt`: rendered instructions, few-shot
examples, the user template, its sha256), ``llm_requests(doc, unit=, style=)`` (one
:class:`LLMRequest` per line, paragraph unit, question or document) and
``llm_parse(doc, request, text)`` (a :class:`ParsedUnit`: records or string mentions, or the
reason the answer is unusable). The LLM adapters only transport requests and answers; they
never name a task.

Two prompt styles:

* ``chat``: a system message (instructions and few-shot examples) and a user message.
* ``completion``: one text for base (non-instruct) models: the same instructions and
  examples, then the request written as the next example, ending where its answer starts
  (``输出：``); generation stops at a blank line.

The prompt texts live in ``benchmark/tasks/prompts/`` (package data); :func:`prompts_digest`
hashes them all (the LLM adapters' version carries it, so a prompt edit re-runs).

Example:
    >>> system = "说明\\n\\n示例 1\\n输入：\\n甲\\n输出：\\n[]"
    >>> p = LLMPrompt("demo", "line", "chat", system, "文本：$text", 1)
    >>> p.request(0, "line 0", text="乙").messages[1]["content"]
    '文本：乙'
    >>> print(p.with_style("completion").request(0, "line 0", text="乙").prompt)
    说明
    <BLANKLINE>
    示例 1
    输入：
    甲
    输出：
    []
    <BLANKLINE>
    示例 2
    输入：
    文本：乙
    输出：
    <BLANKLINE>
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from string import Template
from typing import Any

STYLES = ("chat", "completion")
UNITS = ("line", "document")
#: Where a completion-style generation ends (the examples are separated by a blank line).
COMPLETION_STOP: tuple[str, ...] = ("\n\n",)


@cache
def prompt_file(name: str) -> str:
    """The text of one file of ``benchmark/tasks/prompts`` (package data)."""
    return (resources.files("benchmark.tasks") / "prompts" / name).read_text(encoding="utf-8")


def prompt_files() -> list[str]:
    """Names of every prompt file, sorted."""
    folder = resources.files("benchmark.tasks") / "prompts"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".txt", ".json")))


def prompts_digest() -> str:
    """sha256 over every prompt file: part of the LLM adapters' version, so a prompt edit re-runs."""
    digest = hashlib.sha256()
    for name in prompt_files():
        digest.update(name.encode() + b"\0" + prompt_file(name).encode("utf-8") + b"\0")
    return digest.hexdigest()


def fewshot(task_key: str) -> list[dict[str, Any]]:
    """The few-shot examples of a task (invented sentences, never an annotated article's)."""
    return json.loads(prompt_file("fewshot.json")).get(task_key, [])


def definitions() -> dict[str, dict[str, str]]:
    """The Chinese definitions of labels and sections used in the prompts."""
    return json.loads(prompt_file("definitions.json"))


def dump(obj: Any) -> str:
    """Compact JSON with Chinese characters kept (the answers of the examples)."""
    return json.dumps(obj, ensure_ascii=False)


def example_block(pairs: Sequence[tuple[str, str]]) -> str:
    """Few-shot examples as ``示例 i / 输入： / 输出：`` blocks separated by blank lines."""
    blocks = [f"示例 {i}\n输入：\n{q}\n输出：\n{a}" for i, (q, a) in enumerate(pairs, start=1)]
    return "\n\n".join(blocks)


@dataclass
class LLMRequest:
    """One request of one document.

    Attributes:
        target: Index of the row of ``Task.unit_stats`` the request answers (a line, a
            paragraph unit, a question), or -1 for a whole-document request.
        where: The unit in words, for problems (``line 3``, ``unit 2``, ``question q07``).
        messages: Chat messages (style ``chat``), system first.
        prompt: The whole text to continue (style ``completion``).
        stop: Strings that end the generation (completion style).
        doc_index: Index of the document in the adapter's batch (set by the adapter).
    """

    target: int
    where: str
    messages: list[dict[str, str]] | None = None
    prompt: str | None = None
    stop: tuple[str, ...] = ()
    doc_index: int = 0

    @property
    def text(self) -> str:
        """Everything the model reads, as one string (for lengths and bridges)."""
        if self.prompt is not None:
            return self.prompt
        return "\n\n".join(m["content"] for m in self.messages or [])


@dataclass
class ParsedUnit:
    """What one answer gave.

    Attributes:
        records: Gold-format records with offsets.
        mentions: ``(line_index, text, label)`` strings for the harness to ground.
        failure: Why the whole answer is unusable (unreadable, wrong shape, invalid values);
            the unit is then left out of the predictions, never guessed.
        problems: Items of a usable answer that were dropped, with the reason.
        counts: How many items were dropped, per reason (``invalid_items``, ``ungrounded``...).
        items: Items the answer returned (the denominator of the grounding-failure rate).
        grounding_failures: Items whose strings could not be placed in the text.
    """

    records: list[Any] = field(default_factory=list)
    mentions: list[tuple[int, str, str]] = field(default_factory=list)
    failure: str | None = None
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    items: int = 0
    grounding_failures: int = 0

    def drop(self, reason: str, message: str, *, grounding: bool = False) -> None:
        """Count one dropped item (``grounding``: its string is not in the text)."""
        self.counts[reason] = self.counts.get(reason, 0) + 1
        self.problems.append(message)
        self.grounding_failures += int(grounding)

    @classmethod
    def failed(cls, reason: str) -> ParsedUnit:
        """An unusable answer."""
        return cls(failure=reason)


@dataclass(frozen=True)
class LLMPrompt:
    """The prompt of one task, unit and style.

    Attributes:
        task: The task key.
        unit: ``line`` (one request per line, paragraph unit or question) or ``document``.
        style: ``chat`` or ``completion``.
        system: The rendered instructions with their few-shot examples.
        user_template: The request's text, a :class:`string.Template` (``$text``...).
        n_examples: How many examples ``system`` ends with (completion style numbers the next).
    """

    task: str
    unit: str
    style: str
    system: str
    user_template: str
    n_examples: int

    def with_style(self, style: str) -> LLMPrompt:
        """The same prompt in another style."""
        if style not in STYLES:
            raise ValueError(f"unknown prompt style {style!r}; expected one of {', '.join(STYLES)}")
        return replace(self, style=style)

    @property
    def completion_template(self) -> str:
        """Completion style: instructions, examples, then the request as the next example."""
        return f"{self.system}\n\n示例 {self.n_examples + 1}\n输入：\n{self.user_template}\n输出：\n"

    @property
    def template_text(self) -> str:
        """What the run record keeps: the prompt before the request's values are filled in."""
        if self.style == "completion":
            return self.completion_template
        return f"[system]\n{self.system}\n[user]\n{self.user_template}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.template_text.encode("utf-8")).hexdigest()

    def user(self, **values: Any) -> str:
        """The user message with ``$text`` (and the task's other fields) filled in."""
        return Template(self.user_template).substitute({k: str(v) for k, v in values.items()})

    def request(self, target: int, where: str, **values: Any) -> LLMRequest:
        """One request in this prompt's style."""
        user = self.user(**values)
        if self.style == "completion":
            prompt = f"{self.system}\n\n示例 {self.n_examples + 1}\n输入：\n{user}\n输出：\n"
            return LLMRequest(target, where, prompt=prompt, stop=COMPLETION_STOP)
        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": user}]
        return LLMRequest(target, where, messages=messages)

    def info(self) -> dict[str, Any]:
        """The run record's entry: template, sha256, unit and style."""
        return {
            "prompt_sha256": self.sha256,
            "prompt_template": self.template_text,
            "unit": self.unit,
            "style": self.style,
        }


def check_unit_style(unit: str, style: str) -> None:
    """Raise ValueError for an unknown request unit or prompt style."""
    if unit not in UNITS:
        raise ValueError(f"unknown request unit {unit!r}; expected one of {', '.join(UNITS)}")
    if style not in STYLES:
        raise ValueError(f"unknown prompt style {style!r}; expected one of {', '.join(STYLES)}")
