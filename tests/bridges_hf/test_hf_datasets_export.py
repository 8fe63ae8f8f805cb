"""The Hugging Face dataset folder: loads offline for every config, rows equal the gold, card."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmark.bridges.hf_datasets import SPLIT, export_dataset
from benchmark.document import GUIDELINES_VERSION, sha256_text
from benchmark.export import to_datasetdict
from benchmark.provenance import gold_hash
from benchmark.tasks import TASKS, get_task

pytest.importorskip("datasets")

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = {
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_OFFLINE": "1",
    # Any request would go to a closed port and fail at once.
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "",
}


@pytest.fixture(scope="module")
def exported(corpus, tmp_path_factory) -> Path:
    return export_dataset(corpus, tmp_path_factory.mktemp("hf") / "zh_ie")


@pytest.fixture(scope="module")
def gold_splits(corpus):
    return to_datasetdict(corpus)


def _load(folder: Path, config: str | None, cache: Path):
    from datasets import load_dataset

    return load_dataset(str(folder), config, split=SPLIT, cache_dir=str(cache))


def test_layout(exported):
    names = sorted(str(p.relative_to(exported)) for p in exported.rglob("*") if p.is_file())
    assert names == sorted(
        ["README.md", "export_info.json"] + [f"{key}/{SPLIT}.parquet" for key in TASKS.names()]
    )


@pytest.mark.parametrize("config", TASKS.names())
def test_every_config_loads_back_equal(exported, gold_splits, article, config, tmp_path):
    loaded = _load(exported, config, tmp_path / "cache")
    expected = {
        "ner": len(article.lines()),
        "numeric": len(article.lines()),
        "topics": len(article.gold["topics"]),
        "qa": len(article.gold["qa"]),
    }[config]
    assert len(loaded) == expected
    assert loaded.features == gold_splits[config].features
    assert loaded.to_list() == gold_splits[config].to_list()


def test_field_values(exported, article, tmp_path):
    ner = _load(exported, "ner", tmp_path / "cache")
    assert sum(len(row["entities"]) for row in ner) == len(article.gold["ner"]) == 103
    for row in ner:
        for e in row["entities"]:
            assert row["text"][e["start"] : e["end"]] == e["text"]
            assert article.text[row["line_start"] + e["start"] : row["line_start"] + e["end"]] == e["text"]
    numeric = _load(exported, "numeric", tmp_path / "cache")
    assert sum(len(row["facts"]) for row in numeric) == len(article.gold["numeric"]) == 48
    qa = {row["id"]: row for row in _load(exported, "qa", tmp_path / "cache")}
    first = article.gold["qa"][0]
    assert qa[first.id]["answers"] == list(first.answers)
    assert qa[first.id]["evidence"] == [list(span) for span in first.evidence]
    money = next(q for q in article.gold["qa"] if q.value == 7910000000)
    assert qa[money.id]["value"] == 7910000000.0 and qa[money.id]["unit"] == "元"
    topics = _load(exported, "topics", tmp_path / "cache")
    assert [row["section"] for row in topics] == [u.section for u in article.gold["topics"]]


def test_default_config_is_ner(exported, tmp_path):
    assert _load(exported, None, tmp_path / "cache").column_names[:4] == ["doc_id", "line_index", "line_start", "text"]


def test_card(exported, corpus, article):
    card = (exported / "README.md").read_text(encoding="utf-8")
    _, header, body = card.split("---\n", 2)
    meta = yaml.safe_load(header)
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == set(TASKS.names())
    assert configs["qa"]["data_files"] == [{"split": SPLIT, "path": f"qa/{SPLIT}.parquet"}]
    assert gold_hash(corpus) in body
    assert f"Guidelines version: `{GUIDELINES_VERSION}`" in body
    assert sha256_text(article.text) in body
    for key in TASKS.names():
        assert f"`{get_task(key).name}`" in body
    for needle in ("Apache-2.0", "research evaluation", "two full passes", "one news article", "bibtex"):
        assert needle in body
    info = json.loads((exported / "export_info.json").read_text(encoding="utf-8"))
    assert info["gold_hash"] == gold_hash(corpus)
    assert info["documents"] == [[article.id, sha256_text(article.text)]]
    assert info["rows"]["qa"] == len(article.gold["qa"])


def test_export_is_deterministic(corpus, exported, tmp_path):
    again = export_dataset(corpus, tmp_path / "again")
    for name in ("README.md", "export_info.json"):
        assert (again / name).read_bytes() == (exported / name).read_bytes()


def test_loads_with_no_network(exported, tmp_path):
    code = (
        "import sys\nfrom datasets import load_dataset\n"
        "for name in sys.argv[2:]:\n"
        "    print(name, len(load_dataset(sys.argv[1], name, split='test')))\n"
    )
    env = os.environ | OFFLINE | {"HF_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-c", code, str(exported), *TASKS.names()],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    counts = dict(line.split() for line in result.stdout.splitlines())
    assert set(counts) == set(TASKS.names())


def test_script(tmp_path):
    out = tmp_path / "script_out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "export_hf_dataset.py"), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(out)
    assert (out / "README.md").exists() and (out / "qa" / f"{SPLIT}.parquet").exists()
