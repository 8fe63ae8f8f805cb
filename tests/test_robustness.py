"""Robustness: variant runs, aligned per-unit statistics, paired score changes, the leaderboard table."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmark.cli import evaluate as evaluate_cli
from benchmark.records import list_runs
from benchmark.robustness import aligned_stats, run_documents, score_drops, variant_documents
from benchmark.tasks import get_task
from benchmark.tasks.base import ScoringContext

pytest.importorskip("opencc")


@pytest.mark.parametrize("name", ["traditional", "fullwidth", "no_furniture", "shuffled"])
@pytest.mark.parametrize("key", ["ner", "numeric", "qa", "topics"])
def test_aligned_rows_sum_to_the_variant(article, name, key):
    """Aligned rows are a permutation of the variant's rows plus empty rows for removed units."""
    task = get_task(key)
    (variant,) = variant_documents([article], name)
    ctx = ScoringContext()
    step = 1 if key == "topics" else 2  # topics predictions must cover every unit
    half_o = article.gold[key][::step]
    half_v = variant.gold[key][::step]
    so, sv = task.unit_stats(article, half_o, ctx), task.unit_stats(variant, half_v, ctx)
    aligned = aligned_stats(task, article, variant, so, sv)
    for metric, rows in aligned.items():
        assert rows.shape[0] == so[metric].shape[0]
        assert np.allclose(rows.sum(axis=0), sv[metric].sum(axis=0)), (metric, name)


@pytest.mark.parametrize("name", ["traditional", "fullwidth", "no_furniture", "shuffled"])
def test_gold_on_variant_changes_nothing(article, name):
    (variant,) = variant_documents([article], name)
    for key in ("ner", "numeric", "qa"):
        task = get_task(key)
        drops = score_drops(task, [article], [variant], {article.id: article.gold[key]},
                            {variant.id: variant.gold[key]}, ScoringContext(), ScoringContext(),
                            n_resamples=50)  # fmt: skip
        primary = drops[task.primary.name]
        assert primary["difference"] == 0.0 and primary["score_a"] == 1.0, (key, name)


def test_a_real_drop_has_an_interval(article):
    """Predicting only the gold of the first half of the lines: dropping the masthead loses nothing
    of it, and the change is measured on the same units."""
    (variant,) = variant_documents([article], "shuffled")
    task = get_task("ner")
    pred_o = article.gold["ner"]
    pred_v = variant.gold["ner"][: len(variant.gold["ner"]) // 2]
    drops = score_drops(task, [article], [variant], {article.id: pred_o}, {variant.id: pred_v},
                        ScoringContext(), ScoringContext(), n_resamples=200)  # fmt: skip
    d = drops["strict_f1"]
    assert d["difference"] < 0 and d["low"] <= d["difference"] <= d["high"] and d["p_value"] < 0.05


def test_variants_on_the_command_line(capsys, tmp_path, corpus):
    code = evaluate_cli.main(["--model", "oracle", "--model", "rules", "--tasks", "numeric", "--variants",
                              "fullwidth,shuffled", "--output", str(tmp_path), "--resamples", "50"])  # fmt: skip
    capsys.readouterr()
    assert code == 0
    runs = list_runs(tmp_path)
    assert sorted((r.model, (r.meta.get("variant") or {}).get("name", "-")) for r in runs) == [
        ("oracle", "-"), ("oracle", "fullwidth"), ("oracle", "shuffled"),
        ("rules", "-"), ("rules", "fullwidth"), ("rules", "shuffled"),
    ]  # fmt: skip
    variant_run = next(r for r in runs if r.meta.get("variant"))
    assert next(d.id for d in run_documents(variant_run.meta, corpus)).startswith("sichuan-police-2020~")
    board = json.loads((tmp_path / "leaderboard.json").read_text("utf-8"))
    assert sorted(r["model"] for r in board["tasks"]["numeric"]["rows"]) == ["oracle", "rules"]
    rows = board["robustness"]["rows"]
    assert {(r["model"], r["variant"]) for r in rows} == {
        ("oracle", "fullwidth"), ("oracle", "shuffled"), ("rules", "fullwidth"), ("rules", "shuffled")}
    assert all(r["change"] == 0.0 for r in rows if r["model"] == "oracle")
    assert "## Robustness" in (tmp_path / "leaderboard.md").read_text("utf-8")
    assert 'id="h-robust"' in (tmp_path / "leaderboard.html").read_text("utf-8")


def test_unknown_variant(capsys, tmp_path):
    assert evaluate_cli.main(["--model", "rules", "--variants", "tradtional", "--output", str(tmp_path)]) == 2
    assert "unknown variant 'tradtional'; did you mean 'traditional'?" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["traditional", "fullwidth", "no_furniture", "shuffled"])
def test_leave_one_out_holds_out_the_original_on_variants(article, corpus, name):
    """Regression: on a variant, the classifier trained on the unseen paragraph's own gold."""
    from benchmark.adapters import InputDocument, get_adapter
    from benchmark.robustness import source_units

    (variant,) = variant_documents([article], name)
    mapping = source_units(variant.id, corpus)
    units = [(u.start, u.end) for u in variant.gold["topics"]]
    assert sorted(mapping) == sorted(units)
    assert {v for v in mapping.values()} <= {(article.id, (u.start, u.end)) for u in article.gold["topics"]}
    adapter = get_adapter("majority").from_config({})
    adapter.load()
    for span in units:
        doc_id, unit = adapter._source(variant.id, span)
        held = [ex for ex in adapter._examples if (ex[0], ex[1]) == (doc_id, unit)]
        assert doc_id == article.id and len(held) == 1  # exactly one training unit is held out
    (pred,) = adapter.predict("topics", [InputDocument.from_document(variant)])
    (orig,) = adapter.predict("topics", [InputDocument.from_document(article)])
    # majority depends only on its training set: the same held-out unit gives the same answer
    original = {(p.start, p.end): (p.section, p.topics) for p in orig.records}
    for p in pred.records:
        assert (p.section, p.topics) == original[mapping[(p.start, p.end)][1]]
