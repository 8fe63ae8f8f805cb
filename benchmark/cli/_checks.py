"""Checks of ``evaluate.py``'s inputs made before any adapter runs (each mistake: one line, exit 2).

Example:
    >>> task_keys("ner,qa.v2")
    ['ner', 'qa']
    >>> try:
    ...     task_keys("ner.v0")
    ... except UserError as exc:
    ...     print(exc)
    task 'ner.v0': this benchmark has ner.v1 (use ner or ner.v1)
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from benchmark.errors import UserError
from benchmark.names import validate_system_name
from benchmark.registry import UnknownNameError


def check_combination(args: argparse.Namespace) -> None:
    """Options that make no sense together, or one without the other it needs."""
    if args.predictions:
        if args.model or args.model_config:
            raise UserError("--predictions scores a file made elsewhere; it cannot be combined with "
                            "--model or --model-config (run them separately)")  # fmt: skip
        if args.variants:
            raise UserError("--predictions cannot be combined with --variants (predictions made elsewhere "
                            "are for the original documents only)")  # fmt: skip
        if not args.name:
            raise UserError("--predictions needs --name NAME (the system's name on the leaderboard)")
        system_name(args.name, option="--name")
    else:
        for option, value in (("--name", args.name), ("--document", args.document)):
            if value:
                raise UserError(f"{option} goes with --predictions (a configured model is named with "
                                "'as:' in --model-config)")  # fmt: skip


def system_name(name: object, *, option: str) -> str:
    """``name`` if it is a valid system name; a UserError naming ``option`` and the rule otherwise."""
    try:
        return validate_system_name(name if isinstance(name, str) else str(name))
    except ValueError as exc:
        raise UserError(f"{option}: {exc}") from None


def check_reserved(name: str, adapter: str | None, *, option: str, configured: dict[str, str]) -> None:
    """Refuse a user-given ``name`` that belongs to an adapter or a configured model of another adapter.

    Args:
        name: The name the user gave.
        adapter: The adapter the name is given to (None for predictions made elsewhere).
        option: Where the name came from, for the message.
        configured: Configured model name -> its adapter (``configs/default.yaml``).
    """
    from benchmark.adapters import ADAPTERS

    owner = configured.get(name) or (name if name in ADAPTERS else None)
    if owner and owner != adapter:
        what = f"the {name!r} adapter's runs" if owner == name else f"the configured model {name!r}"
        raise UserError(f"{option}: {name!r} is reserved for {what}; choose another name")


def task_keys(value: str | None) -> list[str]:
    """Task keys from ``--tasks`` (keys or versioned names, ``ner`` or ``ner.v1``); all by default."""
    from benchmark.tasks import TASKS, get_task

    if not value:
        return TASKS.names()
    keys = []
    for item in (v.strip() for v in value.split(",")):
        if not item:
            continue
        key, dot, _ = item.partition(".")
        try:
            task = get_task(key)
        except UnknownNameError as exc:
            raise UserError(str(exc)) from None
        if dot and item != task.name:
            raise UserError(f"task {item!r}: this benchmark has {task.name} (use {task.key} or {task.name})")
        if task.key not in keys:
            keys.append(task.key)
    if not keys:
        raise UserError(f"--tasks {value!r}: no task named; known: {', '.join(TASKS.names())}")
    return keys


def document_ids(value: str | None) -> list[str] | None:
    """Document ids from ``--documents`` (None: all), each one a folder under annotations/."""
    import difflib

    from benchmark.validate import DEFAULT_ROOT, document_folders

    if not value:
        return None
    known = [f.name for f in document_folders(DEFAULT_ROOT)]
    ids = [v.strip() for v in value.split(",") if v.strip()]
    for doc_id in ids:
        if doc_id not in known:
            close = difflib.get_close_matches(doc_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UserError(f"--documents: unknown document {doc_id!r}{hint} Known: {', '.join(known)}")
    return ids


def check_output(value: str) -> Path:
    """The results folder; a UserError if it is a file or cannot be written (it is not created here).

    A folder that does not exist yet is checked through its nearest existing parent, so a
    mistake found later leaves nothing behind.
    """
    path = Path(value)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"--output {value}: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(f"--output {value}: cannot write there ({reason})") from None
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--output {value}: cannot write there (permission denied)")
    return path


def read_config_text(path: str | Path) -> str:
    """The text of a ``--model-config`` file; a UserError for a folder, a binary or a missing file."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a folder; --model-config takes a YAML file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    if b"\0" in data:
        raise UserError(f"{path}: a binary file, not YAML")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start}); --model-config takes YAML") from None
