"""``scripts/leaderboard.py``: rebuild the leaderboard from the run records; ``--rescore`` first."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def rescore_all(results: Path, *, seed: int | None, n_resamples: int | None) -> int:
    """Recompute scores.json and errors.json's analysis of every run from its stored predictions."""
    from benchmark.records import list_runs, locked
    from benchmark.robustness import run_documents
    from benchmark.run_record import rescore
    from benchmark.schema import write_json
    from benchmark.tasks import get_task
    from benchmark.validate import load_corpus

    corpus = load_corpus()
    count = 0
    with locked(results):
        for run in list_runs(results):
            docs = run_documents(run.meta, corpus)
            ok = [k for k, t in run.meta.get("tasks", {}).items() if t.get("status") == "ok"]
            preds = {k: {d.id: run.predictions(k, d.id) for d in docs if k in d.gold} for k in ok}
            scores = rescore(
                run.meta, preds, docs,
                n_resamples=n_resamples or run.meta.get("n_resamples", 1000),
                seed=run.meta.get("seed", 0) if seed is None else seed,
            )  # fmt: skip
            errors = dict(run.errors)
            for key in scores:
                errors.setdefault(key, {})["analysis"] = scores[key].pop("errors", {})
            for key in set(run.scores) - set(scores):
                get_task(key)  # a task that vanished from the registry fails loudly here
            write_json(run.path / "scores.json", scores)
            write_json(run.path / "errors.json", errors)
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="leaderboard.py", description="Rebuild the leaderboard from results/runs."
    )
    p.add_argument("--results", default="results", help="results folder (default: results/)")
    p.add_argument(
        "--rescore", action="store_true", help="rescore every stored run first (after a metric change)"
    )
    p.add_argument("--seed", type=int, default=None, help="bootstrap seed (default: each run's own)")
    p.add_argument(
        "--resamples", type=int, default=None, help="bootstrap resamples (default: each run's own)"
    )
    args = p.parse_args(argv)
    from benchmark.publish import publish

    results = Path(args.results)
    if args.rescore:
        print(
            f"rescored {rescore_all(results, seed=args.seed, n_resamples=args.resamples)} run(s)",
            file=sys.stderr,
        )
    for path in publish(results, seed=args.seed or 0, n_resamples=args.resamples or 1000):
        print(path)
    return 0
