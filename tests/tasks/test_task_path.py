"""Every registered task, walked through the whole user path by the conformance kit.

evaluate (oracle and a flawed system) -> leaderboard md/json/csv/html -> compare -> variants
(and the oracle on one) -> Hugging Face export -> agreement -> lm-evaluation-harness tasks.
The toy task of ``test_toy_task.py`` goes through the same kit there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmark.tasks import TASKS
from benchmark.tasks.checks import check_task_path

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "annotations" / "sichuan-police-2020"


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "annotations"
    shutil.copytree(ARTICLE, root / ARTICLE.name)
    return root


@pytest.mark.parametrize("key", TASKS.names())
def test_every_task_walks_the_whole_path(key: str, corpus_copy: Path, tmp_path: Path) -> None:
    found = check_task_path(key, corpus_copy, tmp_path)
    rows = found["board"]["tasks"][key]["rows"]
    assert {r["model"] for r in rows} >= {"oracle", "flawed-oracle"}


def test_the_kit_fails_on_a_task_without_gold(corpus_copy: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(AssertionError, match="no document"):
        check_task_path("ner", empty, tmp_path / "work")
