"""``scripts/compare.py A B``: paired comparison of two runs (or models' latest runs)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmark.cli._argparse import OneLineParser, positive_int


def main(argv: Sequence[str] | None = None) -> int:
    p = OneLineParser(
        prog="compare.py",
        description="Compare two runs: per task and headline score both values, the difference with "
        "its paired 95%% interval and p-value, and the items where they disagree.",
    )
    p.add_argument("a", help="run folder, MODEL/RUN_ID, or MODEL (its latest run on the original documents)")
    p.add_argument("b", help="the other run")
    p.add_argument("--results", default="results", help="results folder (default: results/)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resamples", type=positive_int, default=1000)
    args = p.parse_args(argv)
    from benchmark.compare import CannotCompare, RunNotFound, compare_runs, render_text, resolve_run
    from benchmark.records import list_runs
    from benchmark.schema import SchemaError
    from benchmark.validate import load_corpus

    results = Path(args.results)
    if not (results / "runs").is_dir():
        print(f"error: {results}: no runs folder (use --results FOLDER)", file=sys.stderr)
        return 2
    try:
        runs = list_runs(results)
        run_a = resolve_run(args.a, results, runs)
        run_b = resolve_run(args.b, results, runs)
        result = compare_runs(run_a, run_b, load_corpus(), seed=args.seed, n_resamples=args.resamples)
    except (RunNotFound, CannotCompare) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SchemaError as exc:
        print(f"{exc}\nerror: the gold does not validate (see above; scripts/validate.py)", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(render_text(result), end="")
    return 0
