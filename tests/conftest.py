"""Shared fixtures: the gold corpus and a scratch copy of the article's folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "annotations"
ARTICLE_ID = "sichuan-police-2020"


@pytest.fixture(scope="session")
def corpus():
    from benchmark.validate import load_corpus

    return load_corpus(ANNOTATIONS)


@pytest.fixture(scope="session")
def article(corpus):
    return next(doc for doc in corpus if doc.id == ARTICLE_ID)


@pytest.fixture()
def gold_copy(tmp_path: Path) -> Path:
    """A writable copy of annotations/ holding only the article's folder."""
    target = tmp_path / "annotations" / ARTICLE_ID
    shutil.copytree(ANNOTATIONS / ARTICLE_ID, target)
    return target
