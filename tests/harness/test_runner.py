"""The runner: failures are contained and recorded, caching, grounding, secrets, atomic writes."""

from __future__ import annotations

import json

import pytest
from harness_fakes import GoldNer, Hangs, Malformed, Operational, Raises, Secretive, Strings

from benchmark import records
from benchmark.records import list_runs
from benchmark.runner import ModelSpec, call_with_timeout, run_model


def _run(cls, corpus, tmp_path, options=None, **kw):
    return run_model(ModelSpec(cls, options or {}), corpus, ["ner"], results=tmp_path, n_resamples=50, **kw)


def test_good_run_writes_a_complete_record(corpus, tmp_path):
    summary = _run(GoldNer, corpus, tmp_path, {"every": 2})
    assert summary.status == "ok"
    (run,) = list_runs(tmp_path)
    assert run.meta["tasks"]["ner"]["status"] == "ok"
    assert 0 < run.scores["ner"]["headline"]["strict_f1"]["estimate"] < 1
    for key in ("git_commit", "gold_hash", "packages", "python", "hardware", "seed", "started_at",
                "finished_at", "load_seconds", "guidelines_version", "benchmark_version"):  # fmt: skip
        assert key in run.meta, key
    assert run.meta["tasks"]["ner"]["task"] == "ner.v1"
    assert run.meta["tasks"]["ner"]["chars_per_second"] > 0
    text = (run.path / "predictions" / "sichuan-police-2020" / "entities.jsonl").read_text("utf-8")
    assert "华西都市报" in text  # UTF-8, not escaped


@pytest.mark.parametrize(
    ("cls", "expected"),
    [(Raises, "RuntimeError: model exploded"), (Malformed, "malformed output")],
)
def test_failures_are_recorded_not_raised(corpus, tmp_path, cls, expected):
    summary = _run(cls, corpus, tmp_path)
    assert summary.status == "failed"
    (run,) = list_runs(tmp_path)
    assert run.meta["tasks"]["ner"]["status"] == "failed"
    assert expected in run.errors["ner"]["exception"]
    assert "ner" not in run.scores
    if cls is Malformed:
        assert any("'不是' does not match text[0:2]" in p for p in run.errors["ner"]["problems"])


def test_timeout(corpus, tmp_path):
    summary = _run(Hangs, corpus, tmp_path, timeout=0.5)
    assert summary.status == "failed"
    assert "timeout" in list_runs(tmp_path)[0].errors["ner"]["exception"]


def test_call_with_timeout_passes_results_and_errors():
    assert call_with_timeout(lambda: 42, 5) == 42
    with pytest.raises(ZeroDivisionError):
        call_with_timeout(lambda: 1 / 0, 5)


def test_cache_reuse_and_force(corpus, tmp_path):
    _run(GoldNer, corpus, tmp_path)
    again = _run(GoldNer, corpus, tmp_path)
    assert again.outcomes["ner"].reused
    assert "reused" not in (list_runs(tmp_path)[0].path / "meta.json").read_text("utf-8")  # console only
    forced = _run(GoldNer, corpus, tmp_path, force=True)
    assert not forced.outcomes["ner"].reused
    other = _run(GoldNer, corpus, tmp_path, {"every": 3})
    assert not other.outcomes["ner"].reused
    assert len(list_runs(tmp_path)) == 2  # another config is another run


def test_secrets_never_reach_the_record(corpus, tmp_path):
    _run(Secretive, corpus, tmp_path, {"api_key": "sk-very-secret"})
    run = list_runs(tmp_path)[0]
    everything = "".join(p.read_text("utf-8") for p in run.path.rglob("*") if p.is_file())
    assert "sk-very-secret" not in everything
    assert run.meta["adapter"]["config"] == {"api_key": "***", "api_key_env": "MY_KEY"}


def test_string_mentions_are_grounded(corpus, tmp_path):
    summary = _run(Strings, corpus, tmp_path)
    assert summary.status == "ok"
    run = list_runs(tmp_path)[0]
    grounding = run.errors["ner"]["grounding"]["sichuan-police-2020"]
    assert (grounding["returned"], grounding["ungrounded"]) == (4, 1)
    assert grounding["ungrounded_mentions"] == [[0, "成都", "GPE"]]
    preds = run.predictions("ner", "sichuan-police-2020")
    assert [(p.start, p.end, p.text) for p in preds] == [(0, 5, "华西都市报"), (10, 12, "四川"), (16, 18, "四川")]
    mentions = (run.path / "predictions" / "sichuan-police-2020" / "ner.mentions.jsonl").read_text("utf-8")
    assert json.loads(mentions.splitlines()[0]) == {"line": 0, "text": "华西都市报", "label": "ORG"}


def test_crash_while_writing_leaves_no_half_run(corpus, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(records, "write_json", boom)
    with pytest.raises(OSError, match="disk full"):
        _run(GoldNer, corpus, tmp_path)
    assert list_runs(tmp_path) == []
    assert not [p for p in (tmp_path / "runs").rglob("*") if p.is_dir() and p.name.startswith(".")]


def test_operational_options_reuse_predictions(corpus, tmp_path):
    first = _run(Operational, corpus, tmp_path, {"workers": 4})
    second = _run(Operational, corpus, tmp_path, {"workers": 16})
    assert second.run_path == first.run_path and second.outcomes["ner"].reused
    assert list_runs(tmp_path)[0].meta["adapter"]["config"] == {"every": 1, "workers": 16}
    third = _run(Operational, corpus, tmp_path, {"every": 2, "workers": 16})
    assert third.run_path != first.run_path and not third.outcomes["ner"].reused


def test_a_reused_run_keeps_its_scoring_context_and_reports(corpus, tmp_path):
    """Regression: reusing stored predictions (no load) rescored with the class-level labels and
    dropped the adapter's problems, info, grounding and mentions from the run record."""
    from harness_fakes import LearnsLabels

    _run(LearnsLabels, corpus, tmp_path)
    first = list_runs(tmp_path)[0]
    again = _run(LearnsLabels, corpus, tmp_path)
    assert again.outcomes["ner"].reused
    second = list_runs(tmp_path)[0]
    assert second.meta["scoring"] == first.meta["scoring"] == {"labels": ["PER", "ORG"], "merged_labels": []}
    assert second.scores["ner"]["headline"] == first.scores["ner"]["headline"]
    assert second.errors["ner"]["problems"] == first.errors["ner"]["problems"] != []
    assert second.errors["ner"]["info"] == first.errors["ner"]["info"] != {}


def test_reused_string_mentions_are_kept(corpus, tmp_path):
    _run(Strings, corpus, tmp_path)
    again = _run(Strings, corpus, tmp_path)
    assert again.outcomes["ner"].reused
    run = list_runs(tmp_path)[0]
    assert (run.path / "predictions" / "sichuan-police-2020" / "ner.mentions.jsonl").exists()
    assert run.errors["ner"]["grounding"]["sichuan-police-2020"]["ungrounded"] == 1


def test_what_the_system_reads_and_its_kind_are_recorded(corpus, tmp_path):
    """The board badges and filters runs from their record, without importing their adapter."""

    class Tagger(GoldNer):
        name = "t-kind"
        kind = "tagger"

    _run(Tagger, corpus, tmp_path)
    adapter = list_runs(tmp_path)[0].meta["adapter"]
    assert (adapter["name"], adapter["reads"], adapter["kind"]) == ("t-kind", "gold", "tagger")
