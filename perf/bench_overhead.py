"""Harness overhead: evaluate.py on jieba against a bare jieba script, and --help start-up.

A benchmark, not a test. Prints median wall times over several runs of each command:

- bare: a script that only imports jieba and POS-tags the article (what a user would write);
- harness: ``evaluate.py --model jieba --tasks ner --force`` (fresh predictions, scoring with
  1000 bootstrap resamples, run record, leaderboard rebuild with HTML and plots) into a
  temporary copy of the full committed ``results/`` (every stored run on the board);
- harness without the leaderboard rebuild (``--no-leaderboard``);
- ``evaluate.py --help``.

Each figure is the median wall time and, beside it, the median CPU time of the child process
(user + system): on a shared machine the CPU time moves less with the load. The children write
their bytecode caches into a temporary folder (``PYTHONPYCACHEPREFIX``, even where
``PYTHONDONTWRITEBYTECODE`` is set), as an installed package has them: otherwise every run would
compile the package again (about 0.3 s), which a user's runs do not.
Goals (issues 5 and 14): harness / bare <= 1.3 with the rebuild; --help < 0.5 s.
Usage: python perf/bench_overhead.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
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


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median child CPU time of ``runs`` executions (after one warm-up run)."""
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=ENV)
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=ENV)
        walls.append(time.perf_counter() - t0)
        after = os.times()
        user = after.children_user - before.children_user
        cpus.append(user + after.children_system - before.children_system)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        out = Path(tmp) / "results"
        shutil.copytree(ROOT / "results", out)  # the board holds every committed run
        evaluate = [py, "scripts/evaluate.py", "--model", "jieba", "--tasks", "ner", "--force"]
        evaluate += ["--output", str(out)]
        bare = timed([py, "-c", BARE], args.runs)
        harness = timed(evaluate, args.runs)
        no_board = timed([*evaluate, "--no-leaderboard"], args.runs)
        help_time = timed([py, "scripts/evaluate.py", "--help"], args.runs)

    def line(what: str, t: tuple[float, float], ratio: bool = True) -> str:
        text = f"{what:<42}{t[0]:6.2f} s wall {t[1]:6.2f} s cpu"
        if ratio:
            text += f"  ratio {t[0] / bare[0]:.2f} wall, {t[1] / bare[1]:.2f} cpu"
        return text

    print(line("bare jieba script:", bare, ratio=False))
    print(line("evaluate.py --model jieba --tasks ner:", harness) + "  (goal <= 1.3)")
    print(line("  same with --no-leaderboard:", no_board))
    print(line("evaluate.py --help:", help_time, ratio=False) + "  (goal < 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
