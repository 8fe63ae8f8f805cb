"""Regenerate annotations/README.md (storage format and counts) from the gold.

Usage: python scripts/annotation_stats.py [--check]
With --check, exit 1 if the committed README differs from what the gold gives.
"""


import sys
from pathlib import Path

from benchmark.cli._argparse import OneLineParser
from benchmark.document import GUIDELINES_VERSION
from benchmark.render.annotations_readme import render
from benchmark.schema import atomic_write_text
from benchmark.stats import corpus_stats
from benchmark.validate import DEFAULT_ROOT, load_corpus


def main() -> int:
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args()
    text = render(corpus_stats(load_corpus()), version=GUIDELINES_VERSION)
    target = Path(DEFAULT_ROOT) / "README.md"
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is out of date: run python scripts/annotation_stats.py")
            return 1
        print(f"{target} is up to date")
        return 0
    atomic_write_text(target, text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
