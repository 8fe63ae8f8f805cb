"""Exports: DatasetDict splits, CoNLL BIO, and the generated annotations/README.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.export import spans_to_bio, to_conll, to_datasetdict
from benchmark.tasks import TASKS, get_task

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("length", "spans", "tags"),
    [
        (3, [], ["O", "O", "O"]),
        (4, [(0, 2, "PER"), (2, 4, "PER")], ["B-PER", "I-PER", "B-PER", "I-PER"]),
        (3, [(1, 2, "ORG")], ["O", "B-ORG", "O"]),
    ],
)
def test_spans_to_bio(length, spans, tags):
    assert spans_to_bio(length, spans) == tags


@pytest.mark.parametrize("spans", [[(0, 4, "X")], [(0, 2, "X"), (1, 3, "Y")], [(2, 2, "X")]])
def test_spans_to_bio_rejects(spans):
    with pytest.raises(ValueError, match=r"span \["):
        spans_to_bio(3, spans)


def test_line_rows_round_trip(article):
    ner_rows, numeric_rows = get_task("ner").rows(article), get_task("numeric").rows(article)
    rebuilt = sorted(
        (r["line_start"] + e["start"], r["line_start"] + e["end"], e["label"])
        for r in ner_rows
        for e in r["entities"]
    )
    assert rebuilt == sorted((e.start, e.end, e.label) for e in article.gold["ner"])
    assert sum(len(r["facts"]) for r in numeric_rows) == len(article.gold["numeric"])
    for row in ner_rows:
        for e in row["entities"]:
            assert row["text"][e["start"] : e["end"]] == e["text"]


def test_datasetdict(corpus):
    dd = to_datasetdict(corpus)
    assert set(dd) == set(TASKS.names())
    assert dd["topics"].num_rows == 27
    assert dd["ner"].num_rows == 38
    assert dd["topics"][0]["section"] == "masthead"


def test_conll(corpus, article):
    conll = to_conll(corpus)
    rows = [line for line in conll.splitlines() if line and not line.startswith("-DOCSTART-")]
    assert sum(tag.startswith("B-") for _, tag in (r.split("\t") for r in rows)) == len(article.gold["ner"])
    assert "U+0020\tO" in conll


def test_annotations_readme_is_generated():
    result = subprocess.run(
        [sys.executable, "scripts/annotation_stats.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
