"""``scripts/evaluate.py``: run models, write run records, rebuild the leaderboard.

Only argparse is imported before the arguments are parsed, so ``--help`` is instant; the
harness itself imports no torch or transformers unless an adapter that needs them runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmark.cli._argparse import OneLineParser, positive_float, positive_int
from benchmark.errors import UserError  # re-exported: ``from benchmark.cli.evaluate import UserError``

EXAMPLES = """\
examples:
  evaluate.py                                   every offline adapter on every task (the main job)
  evaluate.py --model jieba --tasks ner         one adapter, one task
  evaluate.py --model hf-ner:model=models/msra-char-bert,batch_size=32
  evaluate.py --model-config models.yaml        adapters and options from a YAML file
  evaluate.py --add-config configs/llm-gemma.yaml   the main job plus an LLM served by llama.cpp
  evaluate.py --predictions my/entities.jsonl --name my-system --document sichuan-police-2020
  evaluate.py --model jieba --variants all       also on the robustness variants of the documents
  evaluate.py --list-models | --list-tasks
"""


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="evaluate.py",
        description="Evaluate models on the benchmark and rebuild the leaderboard.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="NAME[:key=value,...]",
        help="an adapter and its options (repeatable; default: every offline adapter)",
    )
    p.add_argument(
        "--model-config",
        metavar="FILE.yaml",
        help="YAML: a list of {name: ADAPTER, options: {...}} (or a mapping name -> options)",
    )
    p.add_argument(
        "--add-config",
        metavar="FILE.yaml",
        help="YAML like --model-config, run in addition to the other models (the main job's by default), "
        "e.g. configs/llm-gemma.yaml (an LLM served by llama.cpp, started and stopped here)",
    )
    p.add_argument("--tasks", default=None, help="comma-separated tasks (default: all)")
    p.add_argument("--documents", default=None, help="comma-separated document ids (default: all)")
    p.add_argument("--list-models", action="store_true", help="list adapters, their tasks and labels")
    p.add_argument("--list-tasks", action="store_true", help="list tasks with their versions")
    p.add_argument("--json", action="store_true", help="print the scores as JSON on stdout")
    p.add_argument("--output", default="results", help="results folder (default: results/)")
    p.add_argument("--force", action="store_true", help="ignore cached predictions")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--resamples", type=positive_int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--timeout", type=positive_float, default=600.0, help="seconds per load and task (600)")
    p.add_argument("--predictions", metavar="PATH", help="score a predictions file or folder made elsewhere")
    p.add_argument("--name", help="system name for --predictions (1-64 letters, digits, -_. or Chinese)")
    p.add_argument("--document", help="document id of a --predictions file (default: its parent folder)")
    p.add_argument(
        "--variants",
        metavar="NAMES",
        help="also run on robustness variants: 'all' or a comma list of traditional, fullwidth, "
        "no_furniture, shuffled; the leaderboard shows each system's score change",
    )
    p.add_argument("--no-leaderboard", action="store_true", help="do not rebuild the leaderboard")
    return p  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 some run failed, 2 user error)."""
    args = parser().parse_args(argv)
    try:
        from benchmark.cli import _evaluate

        return _evaluate.run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def results_dir(value: str) -> Path:
    return Path(value)
