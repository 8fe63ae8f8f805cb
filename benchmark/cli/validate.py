"""Command-line validator (``scripts/validate.py``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from benchmark.schema import Problem
from benchmark.validate import (
    DEFAULT_ROOT,
    document_folders,
    load_document,
    task_for_file,
    validate_predictions,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="validate.py",
        description="Validate the gold annotations, or a predictions file or folder against the gold text.",
    )
    parser.add_argument("path", nargs="?", help="predictions file or folder (default: all gold)")
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="the annotations folder")
    parser.add_argument(
        "--document", help="document id for a predictions file (default: its parent folder's name)"
    )
    return parser


def validate_gold(root: Path) -> tuple[int, list[Problem]]:
    """Validate every document folder under ``root``; return (documents, problems)."""
    folders = document_folders(root)
    if not folders:
        return 0, [Problem(str(root), None, None, "no document folder (one with meta.json) found")]
    problems: list[Problem] = []
    for folder in folders:
        problems += load_document(folder)[1]
    return len(folders), problems


def validate_path(path: Path, root: Path, document: str | None) -> tuple[int, list[Problem]]:
    """Validate a predictions file, or every task file inside a predictions folder."""
    if not path.exists():
        return 0, [Problem(str(path), None, None, "no such file or folder")]
    files = sorted(p for p in path.rglob("*.jsonl")) if path.is_dir() else [path]
    problems: list[Problem] = []
    for file in files:
        task = task_for_file(file)
        if task is None:
            problems.append(Problem(str(file), None, None, "not a task file (expected a gold file name "
                                    "such as entities.jsonl)"))  # fmt: skip
            continue
        doc_id = document or file.parent.name
        doc, _ = load_document(root / doc_id)
        if doc is None:
            problems.append(Problem(str(file), None, "document", f"unknown document {doc_id!r} "
                                    "(use --document ID)"))  # fmt: skip
            continue
        problems += validate_predictions(file, doc, task)[1]
    return len(files), problems


def main(argv: Sequence[str] | None = None) -> int:
    """Run the validator; print every problem; return the exit status."""
    args = _parser().parse_args(argv)
    root = Path(args.root)
    if args.path:
        count, problems = validate_path(Path(args.path), root, args.document)
        what = "file(s)"
    else:
        count, problems = validate_gold(root)
        what = "document(s)"
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {count} {what}")
        return 1
    print(f"ok: {count} {what} valid")
    return 0
