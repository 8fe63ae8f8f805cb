"""Shared fixtures for the adapter tests (offline: never let transformers reach a hub)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GLOG_minloglevel", "2")

from benchmark.adapters import Adapter, InputDocument, get_adapter
from benchmark.document import Document
from benchmark.validate import load_corpus


@pytest.fixture(scope="session")
def gold_doc() -> Document:
    """The annotated article."""
    return load_corpus()[0]


@pytest.fixture(scope="session")
def article(gold_doc: Document) -> InputDocument:
    """The article as an adapter sees it."""
    return InputDocument.from_document(gold_doc)


@pytest.fixture(scope="session")
def load_adapter():
    """:func:`loaded_adapter`, for module fixtures of one adapter's tests."""
    return loaded_adapter


def loaded_adapter(name: str) -> Adapter:
    """The adapter ``name`` with default options, loaded; the test is skipped when its optional
    dependency is missing (the install hint is the reason)."""
    cls = get_adapter(name)
    ok, hint = cls.available()
    if not ok:
        pytest.skip(hint)
    adapter = cls()
    adapter.load()
    return adapter
