"""Write the robustness variants of every gold document and validate each one.

Usage: python scripts/make_variants.py [--root annotations] [--out build/variants] [--seed 0]
                                      [--variant NAME ...]

Each variant goes to ``OUT/<document id>~<variant>/`` as a normal document folder (text.txt,
meta.json, one gold file per task), which ``benchmark.validate.load_document`` reads back.
Exit status 0 when every variant is valid, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmark.schema import SchemaError
from benchmark.validate import DEFAULT_ROOT, load_corpus, load_document
from benchmark.variants import VARIANTS, make_variant, write_variant


def main(argv: list[str] | None = None) -> int:
    """Write and validate the variants; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="gold corpus (default: annotations/)")
    parser.add_argument("--out", default="build/variants", help="output folder (default: build/variants)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the seeded variants (default: 0)")
    parser.add_argument(
        "--variant", action="append", choices=list(VARIANTS), help="only this variant (repeatable)"
    )
    args = parser.parse_args(argv)
    try:
        corpus = load_corpus(args.root)
    except SchemaError as exc:
        print(f"the gold itself is invalid:\n{exc}", file=sys.stderr)
        return 1
    failed = False
    for doc in corpus:
        for name in args.variant or list(VARIANTS):
            variant = make_variant(doc, name, seed=args.seed)
            folder = write_variant(variant, Path(args.out))
            _, problems = load_document(folder)
            for problem in problems:
                print(problem, file=sys.stderr)
            failed = failed or bool(problems)
            counts = ", ".join(f"{key} {len(records)}" for key, records in variant.gold.items())
            status = "ok" if not problems else f"{len(problems)} problems"
            print(f"{folder}: {status}; {variant.meta['variant_changes']}; {counts}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
