"""``scripts/leaderboard.py``: rebuild the leaderboard from the run records; ``--rescore`` first;
``--check`` lists broken run folders."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from benchmark.cli._argparse import OneLineParser, positive_int


def rescore_all(results: Path, *, seed: int | None, n_resamples: int | None) -> int:
    """Score every stored run again from its predictions (after a metric, gold or task change).

    What cannot be rescored (a task gone from the registry, predictions that no longer read,
    documents added since the run) is reported on stderr, one line each, and flagged by the
    leaderboard; the rest is rewritten. Returns the number of runs rescored.
    """
    from benchmark.records import list_runs, locked, update_run
    from benchmark.run_record import rescore_record
    from benchmark.validate import load_corpus

    corpus = load_corpus()
    count = 0
    with locked(results):
        for run in list_runs(results):
            meta, scores, errors, notes = rescore_record(run, corpus, seed=seed, n_resamples=n_resamples)
            for note in notes:
                print(f"{run.model}/{run.run_id}: {note}", file=sys.stderr)
            update_run(run.path, meta=meta, scores=scores, errors=errors)
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    p = OneLineParser(prog="leaderboard.py", description="Rebuild the leaderboard from results/runs.")
    p.add_argument("--results", default="results", help="results folder (default: results/)")
    p.add_argument(
        "--rescore", action="store_true",
        help="rescore every stored run first (after a metric, gold or task version change)",
    )  # fmt: skip
    p.add_argument(
        "--check", action="store_true", help="list broken run folders (exit 1 if any) and build nothing"
    )
    p.add_argument("--seed", type=int, default=None, help="bootstrap seed (default: each run's own)")
    p.add_argument(
        "--resamples", type=positive_int, default=None, help="bootstrap resamples (default: each run's own)"
    )
    args = p.parse_args(argv)
    results = Path(args.results)
    if not (results / "runs").is_dir():
        what = "no such folder" if not results.is_dir() else "no runs folder in it"
        print(f"error: --results {results}: {what} (run scripts/evaluate.py first)", file=sys.stderr)
        return 2
    if args.check:
        from benchmark.records import broken_runs

        broken = broken_runs(results)
        for line in broken:
            print(line)
        print(f"{len(broken)} broken run folder(s)", file=sys.stderr)
        return 1 if broken else 0
    from benchmark.publish import publish
    from benchmark.schema import SchemaError

    try:
        if args.rescore:
            count = rescore_all(results, seed=args.seed, n_resamples=args.resamples)
            print(f"rescored {count} run(s)", file=sys.stderr)
        written = publish(results, seed=args.seed or 0, n_resamples=args.resamples or 1000)
    except SchemaError as exc:
        print(f"{exc}\nerror: the gold does not validate (see above; scripts/validate.py)", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
