"""Label Studio bridge for labelled spans: export tasks (gold or model pre-annotations), import exports.

It serves the registered task whose records are labelled spans (record type
:class:`~benchmark.schema.Entity`, :func:`span_task`; today ``ner.v1``): its labels, its
rules and its gold file.

One Label Studio task holds the whole document (``data.text`` is ``text.txt``), so a span's
offsets need no shifting, only a change of unit: Label Studio stores JavaScript string
indices (UTF-16 code units), the benchmark Python ``str`` indices (code points). They differ
after any character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph of
plane 2), which counts two UTF-16 units; :class:`OffsetMap` converts both ways at this
boundary and nowhere else.

Formats (Label Studio's documented JSON task format):

* a task: ``{"data": {"text", "doc_id", "text_sha256"}, "annotations" | "predictions": [...]}``;
* an annotation (gold) ``{"result": [...]}``, a prediction (model output)
  ``{"model_version": NAME, "score": optional, "result": [...]}``;
* a result: ``{"id", "from_name": "label", "to_name": "text", "type": "labels",
  "value": {"start", "end", "text", "labels": [LABEL]}}``.

Import (:func:`import_annotations`) reads an export (a JSON list of tasks), skips cancelled
annotations (``was_cancelled``), picks the most recent remaining annotation per task (or the
one of a given annotator), and runs the spans through the validator's checks. Every problem
names the task id, the annotation id, the result id and the field; nothing is dropped
silently.

Example:
    >>> from benchmark.document import Document
    >>> from benchmark.schema import Entity
    >>> doc = Document("d", "😀四川公安", {})
    >>> [task] = export_tasks(doc, [Entity(1, 3, "四川", "GPE")], kind="gold")
    >>> task["annotations"][0]["result"][0]["value"]
    {'start': 2, 'end': 4, 'text': '四川', 'labels': ['GPE']}
    >>> records, problems = import_annotations([task], doc)
    >>> records, problems
    ([Entity(start=1, end=3, text='四川', label='GPE')], [])
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from xml.sax.saxutils import quoteattr

from benchmark.document import sha256_text
from benchmark.schema import Entity, Problem

FROM_NAME = "label"
TO_NAME = "text"
RESULT_TYPE = "labels"
DEFAULT_FILE = "<label studio export>"

# One background colour per benchmark label (Label Studio shows them in the editor).
LABEL_COLOURS: dict[str, str] = {
    "PER": "#e6194b",
    "ORG": "#4363d8",
    "GPE": "#3cb44b",
    "LOC": "#9a6324",
    "DATE": "#f58231",
    "EVENT": "#911eb4",
    "TITLE": "#42d4f4",
}

OffsetUnit = Literal["utf16", "codepoint"]


class TextDocument(Protocol):
    """What the bridges need of a document: its id and its text (a ``Document``, an ``InputDocument``)."""

    id: str
    text: str


class OffsetMap:
    """Code-point offsets <-> UTF-16 code-unit offsets of one text.

    Example:
        >>> m = OffsetMap("a😀b")
        >>> [m.to_utf16(i) for i in range(4)]
        [0, 1, 3, 4]
        >>> m.from_utf16(3), m.from_utf16(2)  # 2 falls inside the surrogate pair of 😀
        (2, None)
    """

    def __init__(self, text: str) -> None:
        units = [0]
        for ch in text:
            units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
        self._to16 = units
        self._from16 = {u: i for i, u in enumerate(units)}

    def to_utf16(self, index: int) -> int:
        """The UTF-16 index of code-point index ``index`` (``0 <= index <= len(text)``)."""
        return self._to16[index]

    def from_utf16(self, index: int) -> int | None:
        """The code-point index of UTF-16 index ``index``; None inside a surrogate pair or out of range."""
        return self._from16.get(index)


@dataclass
class ImportResult:
    """Entities read back from an annotation tool, every problem found, and notes on what was read.

    Unpacks as ``records, problems = result``.

    Attributes:
        records: The entities (sorted by span); only trustworthy when ``problems`` is empty.
        problems: Every problem, each naming where in the export it is and the field.
        notes: Human-readable lines on what was read (which annotation, what was skipped).
    """

    records: list[Entity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.records, self.problems))


# --------------------------------------------------------------------------- export


def span_task() -> Any:
    """The registered task whose records are labelled spans (:class:`Entity`): what this bridge serves.

    Raises:
        LookupError: When no registered task (or more than one) has entity records.

    Example:
        >>> span_task().record_type.__name__
        'Entity'
    """
    from benchmark.tasks import TASKS, get_task

    found = [get_task(k) for k in TASKS.names() if get_task(k).record_type is Entity]
    if len(found) != 1:
        names = ", ".join(t.name for t in found) or "none"
        raise LookupError(f"the span bridges need exactly one task with Entity records; found {names}")
    return found[0]


def labeling_config(labels: Sequence[str] | None = None) -> str:
    """The Label Studio labelling config (XML) for the span labels (default: :func:`span_task`'s).

    Example:
        >>> print(labeling_config(["PER"]))
        <View>
          <Labels name="label" toName="text">
            <Label value="PER" background="#e6194b"/>
          </Labels>
          <Text name="text" value="$text"/>
        </View>
        <BLANKLINE>
    """
    lines = ["<View>", f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">']
    for label in span_task().labels if labels is None else labels:
        colour = LABEL_COLOURS.get(label, "#808080")
        lines.append(f"    <Label value={quoteattr(label)} background={quoteattr(colour)}/>")
    lines += ["  </Labels>", f'  <Text name="{TO_NAME}" value="${TO_NAME}"/>', "</View>", ""]
    return "\n".join(lines)


def entity_result(entity: Entity, offsets: OffsetMap, *, result_id: str) -> dict[str, Any]:
    """One Label Studio ``labels`` result for an entity, offsets in UTF-16 code units."""
    return {
        "id": result_id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": RESULT_TYPE,
        "value": {
            "start": offsets.to_utf16(entity.start),
            "end": offsets.to_utf16(entity.end),
            "text": entity.text,
            "labels": [entity.label],
        },
    }


def export_tasks(
    doc: TextDocument,
    records: Sequence[Entity],
    *,
    kind: Literal["gold", "predictions"],
    model_name: str | None = None,
    score: float | None = None,
) -> list[dict[str, Any]]:
    """Label Studio tasks (one per document) holding ``records`` as annotations or predictions.

    Args:
        doc: The document (its ``id`` and ``text``).
        records: Entities with code-point offsets into ``doc.text``.
        kind: ``"gold"`` writes an ``annotations`` entry (a person's work); ``"predictions"``
            writes a ``predictions`` entry (model output an annotator reviews; never gold).
        model_name: The ``model_version`` of predictions (required for predictions).
        score: Optional overall ``score`` of the predictions.

    Returns:
        A list with one task, ready for ``json.dump`` and Label Studio's import.

    Raises:
        ValueError: On an unknown ``kind``, or predictions without ``model_name``.

    Example:
        >>> from benchmark.document import Document
        >>> doc = Document("d", "2020年", {})
        >>> [task] = export_tasks(doc, [Entity(0, 5, "2020年", "DATE")], kind="predictions",
        ...                       model_name="rules")
        >>> sorted(task), task["predictions"][0]["model_version"]
        (['data', 'predictions'], 'rules')
    """
    if kind not in ("gold", "predictions"):
        raise ValueError(f"kind: expected 'gold' or 'predictions', got {kind!r}")
    offsets = OffsetMap(doc.text)
    ordered = sorted(records, key=lambda e: (e.start, e.end, e.label))
    results = [entity_result(e, offsets, result_id=f"e{i:04d}") for i, e in enumerate(ordered, start=1)]
    task: dict[str, Any] = {
        "data": {"text": doc.text, "doc_id": doc.id, "text_sha256": sha256_text(doc.text)}
    }
    if kind == "gold":
        task["annotations"] = [{"result": results}]
        return [task]
    if not model_name:
        raise ValueError("model_name: predictions need the model's name (their model_version)")
    prediction: dict[str, Any] = {"model_version": model_name, "result": results}
    if score is not None:
        prediction["score"] = score
    task["predictions"] = [prediction]
    return [task]


# --------------------------------------------------------------------------- import


def load_export(path: str | Path) -> Any:
    """Read a Label Studio JSON export from a file (raises ``ValueError`` on invalid JSON)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: invalid JSON: {exc.msg} at line {exc.lineno}") from None


def _task_label(task: dict[str, Any], index: int) -> str:
    return f"task {task['id']}" if "id" in task else f"task #{index + 1}"


def _completed_by(annotation: dict[str, Any]) -> set[str]:
    """Every way an annotation names its annotator (user id, e-mail, ``created_username``)."""
    names: set[str] = set()
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        names |= {str(who[k]) for k in ("id", "email", "username") if who.get(k) is not None}
    elif who is not None:
        names.add(str(who))
    created = annotation.get("created_username")
    if isinstance(created, str) and created:
        names |= {created, created.split(",")[0].strip()}
    return names


def _recency(annotation: dict[str, Any], position: int) -> tuple[Any, ...]:
    """Sort key: last update (or creation) time, then id, then position in the export."""
    stamp = annotation.get("updated_at") or annotation.get("created_at")
    when = datetime.min
    if isinstance(stamp, str):
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            when = parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    ident = annotation.get("id")
    return (when, ident if isinstance(ident, int) else -1, position)


def select_annotation(
    task: dict[str, Any], *, annotator: str | None = None
) -> tuple[dict[str, Any] | None, str]:
    """The annotation to import from one task, and a note saying which one and why.

    Cancelled annotations (``was_cancelled``) are skipped; among the others the one of
    ``annotator`` (a user id, e-mail or username) or else the most recent is picked.

    Example:
        >>> task = {"annotations": [
        ...     {"id": 1, "completed_by": 7, "updated_at": "2024-01-02T00:00:00Z", "result": []},
        ...     {"id": 2, "completed_by": 8, "updated_at": "2024-01-01T00:00:00Z", "result": []},
        ...     {"id": 3, "was_cancelled": True, "updated_at": "2024-01-03T00:00:00Z", "result": []}]}
        >>> select_annotation(task)[0]["id"], select_annotation(task, annotator="8")[0]["id"]
        (1, 2)
    """
    annotations = task.get("annotations") or []
    live = [(i, a) for i, a in enumerate(annotations) if isinstance(a, dict) and not a.get("was_cancelled")]
    cancelled = len(annotations) - len(live)
    skipped = f"; {cancelled} cancelled skipped" if cancelled else ""
    if annotator is not None:
        live = [(i, a) for i, a in live if annotator in _completed_by(a)]
    if not live:
        return None, f"no usable annotation{skipped}"
    position, chosen = max(live, key=lambda pair: _recency(pair[1], pair[0]))
    who = ", ".join(sorted(_completed_by(chosen))) or "unknown annotator"
    return chosen, f"annotation {chosen.get('id', f'#{position + 1}')} by {who}{skipped}"


def _int_field(value: dict[str, Any], name: str) -> int | None:
    raw = value.get(name)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def _result_entity(
    result: Any, text: str, offsets: OffsetMap, unit: OffsetUnit, *, file: str, where: str
) -> tuple[Entity | None, list[Problem]]:
    """One ``labels`` result as an Entity (offsets converted), or the problems that prevent it."""
    if not isinstance(result, dict):
        return None, [Problem(file, None, where, f"expected a JSON object, got {type(result).__name__}")]
    problems = [
        Problem(file, None, f"{where}.{name}", f"{result.get(name)!r}; expected {want!r}")
        for name, want in (("type", RESULT_TYPE), ("from_name", FROM_NAME), ("to_name", TO_NAME))
        if result.get(name) != want
    ]
    value = result.get("value")
    if not isinstance(value, dict):
        return None, [*problems, Problem(file, None, f"{where}.value", "missing or not a JSON object")]
    start, end = _int_field(value, "start"), _int_field(value, "end")
    for name, got in (("start", start), ("end", end)):
        if got is None:
            problems.append(
                Problem(file, None, f"{where}.value.{name}", f"expected an integer, got {value.get(name)!r}")
            )
    labels = value.get("labels")
    if not (isinstance(labels, list) and len(labels) == 1 and isinstance(labels[0], str)):
        problems.append(
            Problem(file, None, f"{where}.value.labels", f"expected exactly one label, got {labels!r}")
        )
    if problems or start is None or end is None:
        return None, problems
    cp_start, cp_end = (
        (start, end) if unit == "codepoint" else (offsets.from_utf16(start), offsets.from_utf16(end))
    )
    for name, raw, got in (("start", start, cp_start), ("end", end, cp_end)):
        if got is None:
            message = f"UTF-16 offset {raw} is past the text or inside a surrogate pair"
            problems.append(Problem(file, None, f"{where}.value.{name}", message))
    if problems or cp_start is None or cp_end is None:
        return None, problems
    if cp_end <= cp_start:
        return None, [Problem(file, None, f"{where}.value.end", f"must be > start ({start}), got {end}")]
    surface = value.get("text", text[cp_start:cp_end] if cp_end <= len(text) else "")
    if not isinstance(surface, str):
        return None, [Problem(file, None, f"{where}.value.text", f"expected a string, got {surface!r}")]
    other = "codepoint" if unit == "utf16" else "utf16"
    if surface != text[cp_start:cp_end] and surface == text[start:end] and start != cp_start:
        message = (f"{surface!r} does not match the text at [{start}, {end}) read as {unit} offsets "
                   f"but does as {other} offsets: import with offsets={other!r}")  # fmt: skip
        return None, [Problem(file, None, f"{where}.value.text", message)]
    return Entity(cp_start, cp_end, surface, labels[0]), []


def validate_entities(
    doc: Any, records: Sequence[Entity], locations: Sequence[str], *, file: str
) -> list[Problem]:
    """The validator's checks on imported entities, each problem located by ``locations[i]``.

    Runs :func:`benchmark.validate.surface_problems` (offsets in range, surface equals the
    text, no line break) and the span task's rules (known labels, no overlap); the record
    position of each problem is replaced by the record's location in the export.

    Example:
        >>> from benchmark.document import Document
        >>> doc = Document("d", "四川公安", {})
        >>> recs = [Entity(0, 2, "四川", "GPE"), Entity(1, 3, "川公", "XX")]
        >>> for p in validate_entities(doc, recs, ["r1", "r2"], file="f"):
        ...     print(p)
        f: r2.label: unknown label 'XX'; expected one of PER, ORG, GPE, LOC, DATE, EVENT, TITLE
        f: r2.start: entity [1, 3) overlaps entity [0, 2) of r1
    """
    from benchmark.validate import surface_problems

    found = surface_problems(doc.text, records, file=file) + span_task().check(doc, records, file=file)

    def locate(p: Problem) -> Problem:
        where = locations[p.line - 1] if p.line is not None else "records"
        message = re.sub(r"on line (\d+)", lambda m: f"of {locations[int(m.group(1)) - 1]}", p.message)
        return replace(p, line=None, field=f"{where}.{p.field}" if p.field else where, message=message)

    return [locate(p) for p in found]


def _task_problems(task: dict[str, Any], doc: TextDocument, *, file: str, where: str) -> list[Problem]:
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return [Problem(file, None, f"{where}.data.text", "missing; expected the document text")]
    if data["text"] != doc.text:
        pairs = enumerate(zip(data["text"], doc.text, strict=False))
        first = next((i for i, (a, b) in pairs if a != b), min(len(data["text"]), len(doc.text)))
        message = f"differs from the text of {doc.id!r} at character {first}; offsets cannot be used"
        return [Problem(file, None, f"{where}.data.text", message)]
    return []


def _belongs_to(task: dict[str, Any], doc: TextDocument) -> bool | None:
    """True/False when the task says which document it is (``data.doc_id``), else None."""
    data = task.get("data")
    doc_id = data.get("doc_id") if isinstance(data, dict) else None
    return None if doc_id is None else doc_id == doc.id


def import_annotations(
    tasks_json: Any,
    doc: Any,
    *,
    annotator: str | None = None,
    offsets: OffsetUnit = "utf16",
    file: str = DEFAULT_FILE,
) -> ImportResult:
    """Read a Label Studio export back into entities of ``doc`` and validate them.

    Tasks whose ``data.doc_id`` names another document are skipped (a project may hold
    several documents); every other task must hold exactly the text of ``doc``. Exactly one
    task may carry a usable annotation of the document.

    Args:
        tasks_json: The parsed export (a list of tasks, or one task), or a path to it.
        doc: The document (a :class:`~benchmark.document.Document`).
        annotator: Import this annotator's annotation (user id, e-mail or username) instead
            of the most recent one.
        offsets: ``"utf16"`` (Label Studio's JavaScript indices, the default) or
            ``"codepoint"`` (for an export whose offsets are already code points).
        file: The name used in problems (the export's path).

    Returns:
        An :class:`ImportResult`; ``records, problems = result`` unpacks it.
    """
    if isinstance(tasks_json, str | Path):
        file = str(tasks_json) if file == DEFAULT_FILE else file
        try:
            tasks_json = load_export(tasks_json)
        except (OSError, ValueError) as exc:
            return ImportResult(problems=[Problem(file, None, None, str(exc))])
    tasks = [tasks_json] if isinstance(tasks_json, dict) else tasks_json
    if not isinstance(tasks, list):
        return ImportResult(problems=[Problem(file, None, None, "expected a JSON list of tasks")])
    out = ImportResult()
    chosen: list[tuple[str, dict[str, Any]]] = []
    for index, task in enumerate(tasks):
        where = f"task #{index + 1}"
        if not isinstance(task, dict):
            out.problems.append(
                Problem(file, None, where, f"expected a JSON object, got {type(task).__name__}")
            )
            continue
        where = _task_label(task, index)
        if _belongs_to(task, doc) is False:
            out.notes.append(f"{where}: skipped (data.doc_id {task['data']['doc_id']!r} is another document)")
            continue
        problems = _task_problems(task, doc, file=file, where=where)
        annotation, note = select_annotation(task, annotator=annotator)
        out.notes.append(f"{where}: {note}")
        if annotation is not None:
            out.problems += problems
            chosen.append((where, annotation))
    if not chosen:
        who = f" by annotator {annotator!r}" if annotator is not None else ""
        out.problems.append(
            Problem(file, None, None, f"no usable annotation{who} of {doc.id!r} in the export")
        )
    elif len(chosen) > 1:
        names = ", ".join(w for w, _ in chosen)
        out.problems.append(Problem(file, None, None, f"{len(chosen)} tasks annotate {doc.id!r} ({names}); "
                                    "export or keep only one"))  # fmt: skip
    if out.problems:
        return out
    where, annotation = chosen[0]
    _read_results(out, annotation, doc, f"{where}.annotation {annotation.get('id', '#1')}", offsets, file)
    return out


def _read_results(
    out: ImportResult, annotation: dict[str, Any], doc: Any, where: str, unit: OffsetUnit, file: str
) -> None:
    """Convert every result of the chosen annotation, then validate the entities as a whole."""
    results = annotation.get("result")
    if not isinstance(results, list):
        out.problems.append(Problem(file, None, f"{where}.result", "missing or not a list"))
        return
    offsets = OffsetMap(doc.text)
    records: list[Entity] = []
    locations: list[str] = []
    for index, result in enumerate(results):
        rid = result.get("id") if isinstance(result, dict) else None
        loc = f"{where}.result {rid}" if rid is not None else f"{where}.result #{index + 1}"
        entity, problems = _result_entity(result, doc.text, offsets, unit, file=file, where=loc)
        out.problems += problems
        if entity is not None:
            records.append(entity)
            locations.append(loc)
    out.problems += validate_entities(doc, records, locations, file=file)
    out.records = sorted(records, key=lambda e: (e.start, e.end, e.label))
