"""Scaffold a new document folder for annotation, optionally with model pre-annotations.

Usage:
    python scripts/new_document.py NEW_ID --text FILE [--title T] [--source S] [--license L]
        [--preannotate ADAPTER[:key=value,...]] [--doccano] [--root annotations] [--force]

Writes ROOT/NEW_ID/ (text.txt, meta.json, the Label Studio config and tasks; no gold file);
see benchmark/bridges/new_document.py and docs/annotating-a-document.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from benchmark.cli._argparse import OneLineParser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and scaffold; return the exit status."""
    parser = OneLineParser(prog="new_document.py", description=__doc__.splitlines()[0])
    parser.add_argument("id", help="the new document id (the folder name), e.g. chengdu-police-2021")
    parser.add_argument("--text", required=True, help="the document's text, UTF-8")
    parser.add_argument("--title", help="title (default: the first non-empty line)")
    parser.add_argument("--source", default="", help="where the text comes from (publication, date, URL)")
    parser.add_argument("--license", default="", help="licence of the text")
    parser.add_argument("--preannotate", metavar="ADAPTER[:OPTS]", help="pre-annotations from an adapter")
    parser.add_argument("--doccano", action="store_true", help="also write a doccano JSONL file")
    parser.add_argument("--root", help="the annotations folder (default: the repository's annotations/)")
    parser.add_argument("--force", action="store_true", help="write into an existing folder")
    args = parser.parse_args(argv)
    from benchmark.bridges.new_document import DEFAULT_ROOT, run

    options = {k: getattr(args, k) for k in ("title", "source", "license", "force")}
    return run(args.id, args.text, root=args.root or DEFAULT_ROOT, preannotate_with=args.preannotate,
               doccano_file=args.doccano, **options)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
