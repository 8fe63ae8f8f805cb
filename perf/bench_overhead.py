"""Harness overhead: evaluate.py on jieba against a bare jieba script, and --help start-up.

A benchmark, not a test. Runs the commands below in interleaved rounds (so a slow spell of a
shared machine hits all of them alike) and prints median wall times and ratios:

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
With ``--instructions`` it also counts the instructions each command executes (valgrind's
callgrind, children included), a figure that a busy shared machine does not move.
Usage: python perf/bench_overhead.py [--runs 7] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import re
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


def once(cmd: list[str]) -> tuple[float, float]:
    """Wall time and child CPU time (user + system) of one execution."""
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=ENV)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, after.children_user - before.children_user + after.children_system - before.children_system


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """``runs`` rounds, each running every command once in turn (after one warm-up round).

    Interleaving keeps a slow spell of a shared machine from landing on one command only: the
    ratios are taken within each round, then their median is reported.
    """
    for cmd in commands.values():
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=ENV)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(once(cmd))
    return times


def instructions(cmd: list[str]) -> int:
    """Instructions executed by ``cmd`` and its children, counted by valgrind's callgrind.

    Unlike time, the count does not move with the load of a shared machine (it is about 100
    times slower to take, so one run of each command).
    """
    tool = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--trace-children=yes"]
    done = subprocess.run([*tool, *cmd], cwd=ROOT, capture_output=True, text=True, check=True, env=ENV)
    return sum(int(n) for n in re.findall(r"Collected : (\d+)", done.stderr))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions under valgrind (minutes)"
    )
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        out = Path(tmp) / "results"
        shutil.copytree(ROOT / "results", out)  # the board holds every committed run
        evaluate = [py, "scripts/evaluate.py", "--model", "jieba", "--tasks", "ner", "--force"]
        evaluate += ["--output", str(out)]
        times = interleaved(
            {
                "bare": [py, "-c", BARE],
                "harness": evaluate,
                "no_board": [*evaluate, "--no-leaderboard"],
                "help": [py, "scripts/evaluate.py", "--help"],
            },
            args.runs,
        )
        counts = {}
        if args.instructions:
            counts = {"bare": instructions([py, "-c", BARE]), "harness": instructions(evaluate)}
            counts["no_board"] = instructions([*evaluate, "--no-leaderboard"])

    def median(name: str, i: int) -> float:
        return statistics.median(t[i] for t in times[name])

    def ratio(name: str, i: int) -> float:
        return statistics.median(t[i] / b[i] for t, b in zip(times[name], times["bare"], strict=True))

    def line(what: str, name: str, with_ratio: bool = True) -> str:
        text = f"{what:<42}{median(name, 0):6.2f} s wall {median(name, 1):6.2f} s cpu"
        if with_ratio:
            text += f"  ratio {ratio(name, 0):.2f} wall, {ratio(name, 1):.2f} cpu"
        return text

    print(f"medians of {args.runs} interleaved rounds; ratios: the median of each round's ratio to bare")
    print(line("bare jieba script:", "bare", with_ratio=False))
    print(line("evaluate.py --model jieba --tasks ner:", "harness") + "  (goal <= 1.3)")
    print(line("  same with --no-leaderboard:", "no_board"))
    print(line("evaluate.py --help:", "help", with_ratio=False) + "  (goal < 0.5 s)")
    for name, what in (("harness", "with the rebuild"), ("no_board", "without the rebuild")):
        if counts:
            ratio_ir = counts[name] / counts["bare"]
            print(f"instructions {what}: {counts[name]:,} / bare {counts['bare']:,} = {ratio_ir:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
