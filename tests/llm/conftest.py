"""Fixtures of the LLM adapter tests: offline, a tiny local causal LM, small documents."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from llm_fakes import SMALL_TEXT, make_input

from benchmark.adapters import InputDocument
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


@pytest.fixture()
def small_doc() -> InputDocument:
    """Three lines; the first is a heading."""
    return make_input(SMALL_TEXT, headings=("市公安局通报",))


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory, gold_doc: Document) -> Path:
    """A random 1-layer Qwen2 chat model saved to a folder, knowing every character of the prompts."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from llm_fakes import build_tiny_lm

    from benchmark.tasks import TASKS, get_task

    tasks = [get_task(key) for key in TASKS.names() if get_task(key).has_llm_prompt]
    prompts = [t.llm_prompt(unit=u, style=s).template_text for t in tasks for u in ("line", "document")
               for s in ("chat", "completion")]  # fmt: skip
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"), [gold_doc.text, SMALL_TEXT, "问题：谁多少起?", *prompts])
