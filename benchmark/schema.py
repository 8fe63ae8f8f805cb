"""Typed records for documents and their annotations, validated at the boundary.

Every record uses half-open ``[start, end)`` Python ``str`` offsets into the
document text. Reading a JSONL file never stops at the first problem: it returns
the records it could build and a :class:`Problem` for every field that was wrong,
each naming the file, the line and the field.

Example:
    >>> rec, problems = parse_record(Entity, {"start": 0, "end": 2, "text": "四川", "label": "GPE"},
    ...                              file="x.jsonl", line=1)
    >>> rec
    Entity(start=0, end=2, text='四川', label='GPE')
    >>> _, problems = parse_record(Entity, {"start": "0", "end": 2, "text": "四川"},
    ...                            file="x.jsonl", line=3)
    >>> [str(p) for p in problems]  # doctest: +NORMALIZE_WHITESPACE
    ['x.jsonl:3: start: expected an integer, got str "0"', 'x.jsonl:3: label: missing field']
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located precisely."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class SchemaError(ValueError):
    """Raised with every :class:`Problem` found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Entity:
    """A named-entity span (task ``ner.v1``)."""

    start: int
    end: int
    text: str
    label: str

    SPANS: ClassVar[tuple[tuple[str, str, str | None], ...]] = (("start", "end", "text"),)


@dataclass(frozen=True, slots=True)
class NumericFact:
    """A stated quantity with its normalized value, unit, qualifier and metric phrase."""

    start: int
    end: int
    text: str
    value: float  # JSON integers are accepted and kept as int
    unit: str
    qualifier: str
    metric: str
    metric_start: int
    metric_end: int

    SPANS: ClassVar[tuple[tuple[str, str, str | None], ...]] = (
        ("start", "end", "text"),
        ("metric_start", "metric_end", "metric"),
    )


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph unit with its section and topics (the first topic is the primary one)."""

    start: int
    end: int
    section: str
    topics: tuple[str, ...]

    SPANS: ClassVar[tuple[tuple[str, str, str | None], ...]] = (("start", "end", None),)


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading line; headings are not paragraph units (kept in meta.json)."""

    start: int
    end: int
    text: str

    SPANS: ClassVar[tuple[tuple[str, str, str | None], ...]] = (("start", "end", "text"),)


Record = Any  # any record dataclass: Entity, NumericFact, Paragraph, Heading, or a task's own
R = TypeVar("R")


def span_fields(cls: type) -> tuple[tuple[str, str, str | None], ...]:
    """The offset pairs of a record type, with the field holding each span's surface (or None).

    A record type declares them in ``SPANS``; the schema checks ``0 <= start < end`` and the
    validator checks each surface against the text. Types without spans declare nothing.

    Example:
        >>> span_fields(NumericFact)[1]
        ('metric_start', 'metric_end', 'metric')
    """
    return getattr(cls, "SPANS", ())


def _describe(annotation: Any) -> str:
    """A short English name for a field type, for error messages."""
    origin = typing.get_origin(annotation)
    if annotation is int:
        return "an integer"
    if annotation is float:
        return "a number"
    if annotation is str:
        return "a string"
    if annotation is bool:
        return "true or false"
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_describe(a) for a in typing.get_args(annotation))
    if origin is tuple:
        item = _describe(typing.get_args(annotation)[0]).removeprefix("a ").removeprefix("an ")
        return f"a list of {item}s"
    return getattr(annotation, "__name__", str(annotation))


def _fits(annotation: Any, value: Any) -> bool:
    """Whether a decoded JSON value fits a field type (int, float, str, bool, unions, tuple[X, ...])."""
    origin = typing.get_origin(annotation)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation in (str, bool):
        return isinstance(value, annotation)
    if annotation is type(None):
        return value is None
    if origin in (types.UnionType, typing.Union):
        return any(_fits(a, value) for a in typing.get_args(annotation))
    if origin is tuple:
        item = typing.get_args(annotation)[0]
        return isinstance(value, list) and all(_fits(item, v) for v in value)
    raise TypeError(f"unsupported field type {annotation!r}")


def _freeze(value: Any) -> Any:
    """JSON lists become tuples (records are immutable and hashable)."""
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else value


def _check_type(annotation: Any, value: Any) -> str | None:
    """Return a message if ``value`` does not fit ``annotation``, else None."""
    if _fits(annotation, value):
        return None
    shown = json.dumps(value, ensure_ascii=False)
    return f"expected {_describe(annotation)}, got {type(value).__name__} {shown}"


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """``typing.get_type_hints(cls)``, computed once per record type (it compiles every annotation)."""
    return typing.get_type_hints(cls)


def parse_record(cls: type[R], obj: Any, *, file: str, line: int | None) -> tuple[R | None, list[Problem]]:
    """Build a record of type ``cls`` from a decoded JSON object.

    Checks that every field is present with the right JSON type, that no unknown
    field is present (a record type may name fields it reads and ignores in a class
    attribute ``IGNORED_FIELDS``), and that ``0 <= start < end`` for every offset pair.

    Returns:
        The record (None if any problem was found) and the problems.
    """
    if not isinstance(obj, dict):
        return None, [Problem(file, line, None, f"expected a JSON object, got {type(obj).__name__}")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    hints = _type_hints(cls)
    for f in fields(cls):
        if f.name not in obj:
            problems.append(Problem(file, line, f.name, "missing field"))
            continue
        message = _check_type(hints[f.name], obj[f.name])
        if message:
            problems.append(Problem(file, line, f.name, message))
        else:
            values[f.name] = _freeze(obj[f.name])
    known = {f.name for f in fields(cls)}
    for extra in sorted(set(obj) - known - set(getattr(cls, "IGNORED_FIELDS", ()))):
        problems.append(
            Problem(file, line, extra, f"unknown field; expected only {', '.join(sorted(known))}")
        )
    for lo, hi, _ in span_fields(cls):
        if lo in values and hi in values:
            if values[lo] < 0:
                problems.append(Problem(file, line, lo, f"must be >= 0, got {values[lo]}"))
            if values[hi] <= values[lo]:
                problems.append(Problem(file, line, hi, f"must be > {lo} ({values[lo]}), got {values[hi]}"))
    if problems:
        return None, problems
    return cls(**values), []


def read_jsonl(path: str | os.PathLike[str], cls: type[R]) -> tuple[list[R], list[Problem]]:
    """Read one record per line; blank lines are skipped, bad lines reported.

    Args:
        path: A UTF-8 JSONL file.
        cls: The record type every line must match.

    Returns:
        The records that parsed (in file order) and every problem found, with line numbers.
    """
    records, _, problems = read_jsonl_numbered(path, cls)
    return records, problems


def read_jsonl_numbered(
    path: str | os.PathLike[str], cls: type[R]
) -> tuple[list[R], list[int], list[Problem]]:
    """Like :func:`read_jsonl`, also returning the file line number of every record."""
    file = str(path)
    records: list[R] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    try:  # read line by line: a large file is streamed, never held whole as text
        handle = open(path, encoding="utf-8", newline="")  # noqa: SIM115  (closed below)
    except FileNotFoundError:
        return [], [], [Problem(file, None, None, "file not found")]
    except IsADirectoryError:
        return [], [], [Problem(file, None, None, "is a folder, not a file")]
    try:
        with handle:
            for number, raw in enumerate(handle, start=1):
                _parse_line(cls, raw, number, file, records, numbers, problems)
    except UnicodeDecodeError as exc:
        return [], [], [Problem(file, None, None, f"not UTF-8 ({exc})")]
    return records, numbers, problems


def _parse_line(cls: type[R], raw: str, number: int, file: str, records: list[R], numbers: list[int],
                problems: list[Problem]) -> None:  # fmt: skip
    """Parse one JSONL line into ``records`` (with its number) or ``problems``; skip a blank one."""
    if not raw.strip():
        return
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        problems.append(Problem(file, number, None, f"invalid JSON: {exc.msg} at column {exc.colno}"))
        return
    record, found = parse_record(cls, obj, file=file, line=number)
    problems.extend(found)
    if record is not None:
        records.append(record)
        numbers.append(number)


def record_to_dict(record: Record) -> dict[str, Any]:
    """A record as a JSON-ready dict in the public field order."""
    out = asdict(record)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes through a temporary file and a rename, so readers never see half a file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text (no newline translation) atomically, as :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def dumps_jsonl(records: Iterable[Record | dict[str, Any]]) -> str:
    """One JSON object per line, Chinese unescaped."""
    rows = (r if isinstance(r, dict) else record_to_dict(r) for r in records)
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_jsonl(path: str | os.PathLike[str], records: Iterable[Record | dict[str, Any]]) -> None:
    """Write records atomically as UTF-8 JSONL (``ensure_ascii=False``)."""
    atomic_write_text(path, dumps_jsonl(records))


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write a JSON document atomically, indented, Chinese unescaped."""
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
