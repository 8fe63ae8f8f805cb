"""The trained MSRA tagger under models/ (skipped until it has been trained)."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from benchmark.adapters import InputDocument, get_adapter
from benchmark.tasks import get_task
from benchmark.validate import surface_problems

MODEL = ROOT / "models" / "msra-char-bert"

pytestmark = pytest.mark.skipif(not (MODEL / "config.json").exists(), reason="models/msra-char-bert not trained")


def test_folder_is_complete() -> None:
    names = {p.name for p in MODEL.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md"} <= names
    assert sum(p.stat().st_size for p in MODEL.iterdir() if p.is_file()) < 10e6
    config = json.loads((MODEL / "config.json").read_text("utf-8"))
    assert "B-PER" in config["id2label"].values()


def test_runs_on_the_article(article) -> None:
    adapter = get_adapter("hf-ner").from_config({"model": str(MODEL), "device": "cpu"})
    adapter.load()
    assert adapter.label_map is not None and adapter.label_map.name == "msra"
    assert adapter.scheme == "BMES"
    [pred] = adapter.predict("ner", [InputDocument.from_document(article)])
    assert surface_problems(article.text, pred.records, file="x") == []
    assert get_task("ner").check(article, pred.records, file="x", gold=False) == []
    assert pred.problems == []
    assert pred.records, "the trained tagger finds no entity in the article"
    assert {e.label for e in pred.records} <= {"PER", "ORG", "GPE"}
