"""Command-line validator (``scripts/validate.py``).

``validate.py`` validates every gold document under ``--root``; ``validate.py PATH``
validates PATH as gold when it is a document folder (it holds ``meta.json``) or a folder of
them, and as predictions otherwise. ``--root`` may be a corpus folder or one document folder.
At most 50 problems are printed, then a count per file and field.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from benchmark.cli._argparse import OneLineParser
from benchmark.schema import Problem
from benchmark.tasks import TASKS
from benchmark.validate import (
    DEFAULT_ROOT,
    annotated_tasks,
    document_folders,
    load_document,
    problem_report,
    task_for_file,
    validate_predictions,
)


def _parser() -> OneLineParser:
    parser = OneLineParser(
        prog="validate.py",
        description="Validate the gold annotations (all, or one document folder), or a predictions "
        "file or folder against the gold text.",
    )
    parser.add_argument("path", nargs="?", help="a document folder (gold), or a predictions file or folder "
                        "(default: all gold under --root)")  # fmt: skip
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="annotations folder or a document folder")
    parser.add_argument(
        "--document", help="document id for a predictions file (default: its parent folder's name)"
    )
    return parser


def is_document(folder: Path) -> bool:
    """A document folder holds ``meta.json``."""
    return (folder / "meta.json").is_file()


def gold_folders(root: Path) -> list[Path]:
    """``root`` itself if it is a document folder, else the document folders inside it."""
    return [root] if is_document(root) else document_folders(root)


def validate_gold(root: Path) -> tuple[int, list[Problem], list[str]]:
    """Validate every document folder under ``root`` (or ``root`` itself); (documents, problems, notes).

    The notes name the tasks a document's ``meta.json`` does not list as annotated yet.
    """
    folders = gold_folders(root)
    if not folders:
        return 0, [Problem(str(root), None, None, "no document folder (one with meta.json) found")], []
    problems: list[Problem] = []
    notes: list[str] = []
    for folder in folders:
        doc, found = load_document(folder)
        problems += found
        if doc is not None:
            annotated, _ = annotated_tasks(doc.meta, file=str(folder / "meta.json"))
            missing = [key for key in TASKS.names() if annotated is not None and key not in annotated]
            notes += [f"{folder}: {key}: not annotated yet" for key in missing]
    return len(folders), problems, notes


def validate_path(path: Path, root: Path, document: str | None) -> tuple[int, list[Problem]]:
    """Validate a predictions file, or every task file inside a predictions folder."""
    if not path.exists():
        return 0, [Problem(str(path), None, None, "no such file or folder")]
    files = sorted(p for p in path.rglob("*.jsonl")) if path.is_dir() else [path]
    problems: list[Problem] = []
    folders = {f.name: f for f in gold_folders(root)}
    for file in files:
        task = task_for_file(file)
        if task is None:
            problems.append(Problem(str(file), None, None, "not a task file (expected a gold file name "
                                    "such as entities.jsonl)"))  # fmt: skip
            continue
        doc_id = document or file.parent.name
        doc = load_document(folders[doc_id])[0] if doc_id in folders else None
        if doc is None:
            problems.append(Problem(str(file), None, "document", f"unknown document {doc_id!r} "
                                    "(use --document ID)"))  # fmt: skip
            continue
        problems += validate_predictions(file, doc, task)[1]
    return len(files), problems


def main(argv: Sequence[str] | None = None) -> int:
    """Run the validator; print the problems (at most 50, then counts); return the exit status.

    Returns:
        0 when everything is valid, 1 when a problem was found, 2 for a path that does not exist.
    """
    args = _parser().parse_args(argv)
    root = Path(args.root)
    if not root.is_dir():
        print(f"validate.py: error: --root {root}: no such folder", file=sys.stderr)
        return 2
    notes: list[str] = []
    if args.path and not Path(args.path).exists():
        print(f"validate.py: error: {args.path}: no such file or folder", file=sys.stderr)
        return 2
    path = Path(args.path) if args.path else None
    if path is None or (path.is_dir() and gold_folders(path) and not args.document):
        count, problems, notes = validate_gold(path or root)
        what = "document(s)"
    else:
        count, problems = validate_path(path, root, args.document)
        what = "predictions file(s)"
    for line in problem_report(problems):
        print(line)
    for note in notes:
        print(note)
    if problems:
        print(f"{len(problems)} problem(s) in {count} {what}")
        return 1
    print(f"ok: {count} {what} valid")
    return 0
