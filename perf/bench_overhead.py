"""Harness overhead: evaluate.py on jieba against a bare jieba script, and --help start-up.

A benchmark, not a test. Prints median wall times over several runs of each command:

- bare: a script that only imports jieba and POS-tags the article (what a user would write);
- harness: ``evaluate.py --model jieba --tasks ner --force`` (fresh predictions, scoring with
  1000 bootstrap resamples, run record, leaderboard rebuild with HTML and plots) into a
  temporary results folder;
- harness without the leaderboard rebuild (``--no-leaderboard``);
- ``evaluate.py --help``.

Goals (issue 5): harness / bare <= 1.3; --help < 0.5 s.
Usage: python perf/bench_overhead.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = """
import jieba, jieba.posseg as pseg
jieba.setLogLevel(60)
text = open("annotations/sichuan-police-2020/text.txt", encoding="utf-8").read()
tags = [(w.word, w.flag) for w in pseg.cut(text)]
print(len(tags))
"""


def timed(cmd: list[str], runs: int) -> float:
    """Median wall time of ``runs`` executions (after one warm-up run)."""
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as out:
        evaluate = [py, "scripts/evaluate.py", "--model", "jieba", "--tasks", "ner", "--force"]
        evaluate += ["--output", out]
        bare = timed([py, "-c", BARE], args.runs)
        harness = timed(evaluate, args.runs)
        no_board = timed([*evaluate, "--no-leaderboard"], args.runs)
    help_time = timed([py, "scripts/evaluate.py", "--help"], args.runs)
    print(f"bare jieba script:                       {bare:6.2f} s")
    ratio = harness / bare
    print(f"evaluate.py --model jieba --tasks ner:   {harness:6.2f} s  ratio {ratio:.2f} (goal <= 1.3)")
    print(f"  same with --no-leaderboard:            {no_board:6.2f} s  ratio {no_board / bare:.2f}")
    print(f"evaluate.py --help:                      {help_time:6.2f} s  (goal < 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
