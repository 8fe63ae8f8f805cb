"""The base of the LLM adapters: tasks ask, the backend answers, the tasks read the answers.

For a task, :meth:`LLMAdapter.predict` asks the task for its requests
(``Task.llm_requests``: per line, paragraph unit, question, or per document, in the chat or
completion style), has the backend answer them (:meth:`LLMAdapter.complete`), and gives each
answer back to the task (``Task.llm_parse``). Nothing here names a task: every registered
task that has an LLM prompt is served (:attr:`LLMAdapter.tasks`).

A failed request or an unusable answer is a failure of its unit: the unit is left out of the
predictions (it scores as wrong or missed), never filled with a guess. Every failure is
described in ``Prediction.problems``; ``Prediction.info["llm"]`` summarizes them per document::

    {"requests", "request_failures", "parse_failures", "parse_failure_rate",
     "items", "grounding_failures", "grounding_failure_rate", "units_answered"}

``parse_failure_rate`` is over the requests that got an answer; ``grounding_failure_rate`` over
the items (entities, facts, units) the answers returned; :func:`combine_summaries` sums them
over a task's documents (``errors.json``: ``TASK.info.DOC.llm``). A run whose answers all fail
raises (the task is recorded as failed: "every answer failed to parse: ...").

When the model's chat template has no system role, the instructions go into the first user
turn (:func:`merge_system`); see the adapters' ``system_role`` option.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from benchmark.adapters.base import Adapter, InputDocument, Mention, Prediction


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


def merge_system(messages: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Messages for a template without a system role: system text leads the first user turn.

    Example:
        >>> merge_system([{"role": "system", "content": "规则"}, {"role": "user", "content": "文本"}])
        [{'role': 'user', 'content': '规则\\n\\n文本'}]
    """
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if not system:
        return rest
    if rest and rest[0]["role"] == "user":
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
        return rest
    return [{"role": "user", "content": system}, *rest]


class _LLMTasks:
    """``LLMAdapter.tasks``: every registered task that has an LLM prompt, read when asked."""

    def __get__(self, obj: Any, owner: type | None = None) -> tuple[str, ...]:
        from benchmark.tasks import TASKS, get_task

        return tuple(key for key in TASKS.names() if get_task(key).has_llm_prompt)


class _LLMLabels:
    """``LLMAdapter.labels``: every label of the tasks it serves."""

    def __get__(self, obj: Any, owner: type | None = None) -> tuple[str, ...]:
        from benchmark.tasks import get_task

        return tuple(label for key in _LLMTasks().__get__(obj, owner) for label in get_task(key).labels)


@dataclass
class _Tally:
    """What went wrong while reading one document's answers."""

    requests: int = 0
    request_failures: int = 0
    parse_failures: int = 0
    items: int = 0
    grounding_failures: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        answered = self.requests - self.request_failures
        return {
            "requests": self.requests,
            "request_failures": self.request_failures,
            "parse_failures": self.parse_failures,
            "parse_failure_rate": self.parse_failures / answered if answered else None,
            "items": self.items,
            "grounding_failures": self.grounding_failures,
            "grounding_failure_rate": self.grounding_failures / self.items if self.items else None,
            "units_answered": answered - self.parse_failures,
        }


class LLMAdapter(Adapter):
    """Base of the LLM adapters: transports the tasks' requests and answers.

    Subclasses implement :meth:`complete` (one :class:`Completion` per request, in order) and
    may add backend figures with :meth:`usage_info`. Their options have ``unit`` (``line`` or
    ``document``), ``prompt`` (``chat`` or ``completion``) and ``system_role``.
    """

    tasks: ClassVar[tuple[str, ...]] = _LLMTasks()  # type: ignore[assignment]
    labels: ClassVar[tuple[str, ...]] = _LLMLabels()  # type: ignore[assignment]
    offline: ClassVar[bool] = False

    @abstractmethod
    def complete(self, requests: Sequence[Any]) -> list[Completion]:
        """Answer every request (``benchmark.tasks.llm.LLMRequest``), in order; a failed
        request is a Completion with ``error`` set."""

    def usage_info(self, completions: Sequence[Completion]) -> dict[str, Any]:
        """Backend figures of one document's requests for ``Prediction.info`` (default: per-request meta)."""
        return {"per_request": [c.meta for c in completions]}

    def system_role(self) -> bool:
        """Whether to send a system message (else instructions lead the first user turn)."""
        return getattr(self.options, "system_role", "yes") != "no"

    def prepare(self, request: Any) -> Any:
        """The request as sent: chat messages merged when there is no system role."""
        if request.messages is not None and not self.system_role():
            return replace(request, messages=merge_system(request.messages))
        return request

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """One prediction per document; raises when no answer at all could be used."""
        from benchmark.tasks import get_task

        the_task = get_task(task)
        if not the_task.has_llm_prompt:
            raise ValueError(f"{self.name}: task {task!r} has no LLM prompt")
        unit = getattr(self.options, "unit", "line")
        style = getattr(self.options, "prompt", "chat")
        prompt = the_task.llm_prompt(unit=unit, style=style)
        requests = []
        for i, doc in enumerate(documents):
            for request in the_task.llm_requests(doc, unit=unit, style=style):
                request.doc_index = i
                requests.append(self.prepare(request))
        completions = self.complete(requests)
        if len(completions) != len(requests):
            raise RuntimeError(f"backend returned {len(completions)} answers for {len(requests)} requests")
        out, tallies = [], []
        for i, doc in enumerate(documents):
            pairs = [(r, c) for r, c in zip(requests, completions, strict=True) if r.doc_index == i]
            pred, tally = self._interpret(the_task, doc, pairs)
            pred.info = prompt.info() | {"llm": tally.summary(), "counts": dict(sorted(tally.counts.items()))}
            pred.info.update(self.usage_info([c for _, c in pairs]))
            out.append(pred)
            tallies.append(tally)
        _raise_if_nothing_usable(tallies)
        return out

    def _interpret(self, task: Any, doc: InputDocument, pairs: Sequence[tuple[Any, Completion]]) -> Any:
        """The prediction of one document from its answers, and the tally of its failures."""
        tally = _Tally(requests=len(pairs))
        pred = Prediction(doc.id)
        for req, comp in pairs:
            comp.meta.setdefault("target", req.target)
            if comp.text is None:
                tally.request_failures += 1
                tally.problems.append(f"{req.where}: request failed: {comp.error}")
                continue
            parsed = task.llm_parse(doc, req, comp.text)
            if parsed.failure is not None:
                tally.parse_failures += 1
                comp.meta["failure"] = parsed.failure
                tally.problems.append(f"{req.where}: {parsed.failure}: {comp.text[:120]!r}")
                continue
            pred.records += parsed.records
            pred.mentions += [Mention(line, text, label) for line, text, label in parsed.mentions]
            tally.problems += parsed.problems
            tally.items += parsed.items
            tally.grounding_failures += parsed.grounding_failures
            for key, n in parsed.counts.items():
                tally.counts[key] = tally.counts.get(key, 0) + n
        if pred.mentions:
            tally.grounding_failures += _ungrounded_mentions(doc, pred.mentions)
        if tally.request_failures:
            tally.counts["request_failures"] = tally.request_failures
        if tally.parse_failures:
            tally.counts["parse_failures"] = tally.parse_failures
        pred.problems = tally.problems
        return pred, tally


def combine_summaries(infos: Any) -> dict[str, Any] | None:
    """One task's failure summary over its documents, from ``errors.json``'s ``TASK.info``
    (document id -> ``Prediction.info``); None when no document has an ``llm`` summary.

    Example:
        >>> info = {"d1": {"llm": {"requests": 4, "request_failures": 0, "parse_failures": 1,
        ...                        "items": 6, "grounding_failures": 3}},
        ...         "d2": {"llm": {"requests": 2, "request_failures": 2, "parse_failures": 0,
        ...                        "items": 0, "grounding_failures": 0}}}
        >>> summary = combine_summaries(info)
        >>> summary["parse_failure_rate"], summary["grounding_failure_rate"], summary["units_answered"]
        (0.25, 0.5, 3)
    """
    entries = [v for v in (infos or {}).values() if isinstance(v, dict)]
    found = [v["llm"] for v in entries if isinstance(v.get("llm"), dict)]
    if not found:
        return None
    tally = _Tally()
    for summary in found:
        tally.requests += int(summary.get("requests", 0))
        tally.request_failures += int(summary.get("request_failures", 0))
        tally.parse_failures += int(summary.get("parse_failures", 0))
        tally.items += int(summary.get("items", 0))
        tally.grounding_failures += int(summary.get("grounding_failures", 0))
    return tally.summary()


def _ungrounded_mentions(doc: InputDocument, mentions: Sequence[Mention]) -> int:
    """How many string mentions the harness will not find in their line."""
    from benchmark.metrics import ground_mentions

    result = ground_mentions(doc.text, list(doc.lines), [(m.line_index, m.text, m.label) for m in mentions])
    return int(result.n_ungrounded)


def _raise_if_nothing_usable(tallies: Sequence[_Tally]) -> None:
    """A task whose answers all failed is a failed task, not a score of 0."""
    requests = sum(t.requests for t in tallies)
    request_failures = sum(t.request_failures for t in tallies)
    unusable = request_failures + sum(t.parse_failures for t in tallies)
    if not requests or unusable < requests:
        return
    first = next(p for t in tallies for p in t.problems)
    if request_failures == requests:
        raise RuntimeError(f"all {requests} requests failed; first error: {first}")
    raise RuntimeError(
        f"every answer failed to parse: {unusable} of {requests} unusable "
        f"({request_failures} requests failed); first: {first[:300]}"
    )
