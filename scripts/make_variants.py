"""Write the robustness variants of every gold document and validate each one.

Usage: python scripts/make_variants.py [--root annotations] [--out build/variants] [--seed 0]
                                      [--variant NAME ...]

Each variant goes to ``OUT/<document id>~<variant>/`` as a normal document folder (text.txt,
meta.json, one gold file per task), which ``benchmark.validate.load_document`` reads back.
Exit status 0 when every variant is valid, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import sys

from benchmark.cli._argparse import OneLineParser
from benchmark.schema import SchemaError
from benchmark.validate import DEFAULT_ROOT, load_corpus
from benchmark.variants import VARIANTS, write_variants


def main(argv: list[str] | None = None) -> int:
    """Write and validate the variants; returns the exit status."""
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="gold corpus (default: annotations/)")
    parser.add_argument("--out", default="build/variants", help="output folder (default: build/variants)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the seeded variants (default: 0)")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS), help="only this (repeatable)")
    args = parser.parse_args(argv)
    try:
        written = write_variants(load_corpus(args.root), args.out, args.variant, seed=args.seed)
    except SchemaError as exc:
        print(f"the gold itself is invalid:\n{exc}", file=sys.stderr)
        return 1
    for folder, variant, problems in written:
        for problem in problems:
            print(problem, file=sys.stderr)
        counts = ", ".join(f"{key} {len(records)}" for key, records in variant.gold.items())
        status = f"{len(problems)} problems" if problems else "ok"
        print(f"{folder}: {status}; {variant.meta['variant_changes']}; {counts}")
    return 1 if any(problems for _, _, problems in written) else 0


if __name__ == "__main__":
    sys.exit(main())
