"""The README's user journeys, walked end to end in a temporary copy of the repository.

A user evaluates fast systems, adds the robustness variants, compares two systems, adds a new
document the documented way (scaffold, annotate in Label Studio, import), and rebuilds the
leaderboard, then rescores it. Each step is a subprocess running the README's command; nothing
may be written outside the copy's output folder and the new document's folder.

Marked ``slow``: left out of the default run, run by ``.ci/run`` on its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FAST = ("oracle", "rules", "jieba", "bm25-qa")
NEW_TEXT = "四川公安2021年工作回顾\n\n2021年，成都市公安局破获案件1200起，抓获嫌疑人300名。\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's files that the commands read (no .git, no results)."""
    copy = tmp_path_factory.mktemp("journey") / "repo"
    copy.mkdir()
    for name in ("benchmark", "scripts", "annotations", "configs", "pyproject.toml", "README.md"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, copy / name)
    return copy


def run(repo: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    """Run ``python scripts/<args>`` in the copy, importing the copy's package."""
    env = os.environ | {"PYTHONPATH": str(repo), "HF_HUB_OFFLINE": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == expect, f"{args}: exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def snapshot(repo: Path) -> dict[str, int]:
    """Every file of the copy with its size, outside the folders a journey may write."""
    skip = ("out/", "annotations/new-doc/", ".cache/")
    files = {}
    for path in repo.rglob("*"):
        rel = path.relative_to(repo).as_posix()
        if path.is_file() and "__pycache__" not in rel and not rel.startswith(skip):
            files[rel] = path.stat().st_size
    return files


def models(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--model", name)]


def test_evaluate_variants_compare_new_document_leaderboard_rescore(repo: Path) -> None:
    before = snapshot(repo)
    out = ["--output", "out"]
    run(repo, "scripts/evaluate.py", *models(*FAST), *out, "--resamples", "200")
    run(repo, "scripts/evaluate.py", *models(*FAST), *out, "--resamples", "200", "--variants", "all")

    # compare: the latest run on the original documents, for every pair that shares a task, qa included
    for a, b in (("jieba", "rules"), ("oracle", "bm25-qa"), ("oracle", "rules")):
        report = run(repo, "scripts/compare.py", a, b, "--results", "out", "--resamples", "200").stdout
        assert f"A = {a}" in report and f"B = {b}" in report
    mistake = run(repo, "scripts/compare.py", "jieb", "rules", "--results", "out", expect=2)
    assert "jieba" in mistake.stderr and len(mistake.stderr.strip().splitlines()) == 1

    # a new document, the documented way: scaffold with pre-annotations, annotate, import
    (repo / "new.txt").write_text(NEW_TEXT, encoding="utf-8")
    run(repo, "scripts/new_document.py", "new-doc", "--text", "new.txt", "--preannotate", "rules")
    folder = repo / "annotations" / "new-doc"
    tasks = json.loads((folder / "preannotations.labelstudio.json").read_text(encoding="utf-8"))
    tasks[0]["id"] = 1
    tasks[0]["annotations"] = [{"id": 1, "completed_by": 1, "result": tasks[0]["predictions"][0]["result"]}]
    (repo / "export.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    run(repo, "scripts/import_annotations.py", "export.json", "--format", "labelstudio", "--document", "new-doc")
    run(repo, "scripts/validate.py")

    # the stored runs predate the document: the board still builds, and says which runs to re-run
    run(repo, "scripts/leaderboard.py", "--results", "out")
    board = (repo / "out" / "leaderboard.md").read_text(encoding="utf-8")
    assert "re-run" in board
    run(repo, "scripts/leaderboard.py", "--results", "out", "--rescore")
    # the main job with the new document in place runs too
    run(repo, "scripts/evaluate.py", *models("oracle", "jieba"), *out, "--resamples", "200")
    run(repo, "scripts/compare.py", "oracle", "jieba", "--results", "out", "--resamples", "200")

    after = snapshot(repo)
    added = sorted(set(after) - set(before) - {"new.txt", "export.json"})
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    assert not added and not changed, (added, changed)
