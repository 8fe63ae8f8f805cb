"""Bad input raises ValueError naming the argument, item index and field."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.metrics import (
    assign_units,
    bootstrap_ci,
    counts_f1,
    ground_mentions,
    paired_bootstrap_test,
    score_entities,
    score_mentions,
    score_numeric,
    score_topics,
)

OK = {"start": 0, "end": 2, "text": "四川", "label": "GPE"}


@pytest.mark.parametrize(
    ("pred", "match"),
    [
        ([OK, {"start": 3, "end": 3, "label": "GPE"}], r"pred\[1\]: field 'end' must be > 'start'"),
        ([OK, {"start": 5, "end": 3, "label": "GPE"}], r"pred\[1\]: field 'end'"),
        ([{"start": -1, "end": 3, "label": "GPE"}], r"pred\[0\]: field 'start' must be >= 0"),
        ([OK, {"start": 0, "end": 3}], r"pred\[1\]: missing field 'label'"),
        ([{"end": 3, "label": "X"}], r"pred\[0\]: missing field 'start'"),
        ([{"start": "0", "end": 3, "label": "X"}], r"pred\[0\]: field 'start' must be an int"),
        ([{"start": 0, "end": 3, "label": ""}], r"pred\[0\]: field 'label'"),
        (["四川"], r"pred\[0\]: expected a dict record"),
    ],
)
def test_entity_input_errors(pred, match):
    with pytest.raises(ValueError, match=match):
        score_entities([OK], pred)


def test_unknown_scheme():
    with pytest.raises(ValueError, match="schemes: unknown scheme 'fuzzy'"):
        score_entities([], [], schemes=["fuzzy"])


FACT = {"start": 0, "end": 2, "value": 3, "unit": "人", "qualifier": "exact", "metric": "抓获"}


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        ({"value": "三"}, r"gold\[1\]: field 'value' must be an int or float"),
        ({"value": True}, r"gold\[1\]: field 'value' must be an int or float"),
        ({"value": float("nan")}, r"gold\[1\]: field 'value' must be finite"),
        ({"qualifier": "about"}, r"gold\[1\]: field 'qualifier' must be one of"),
        ({"unit": None}, r"gold\[1\]: field 'unit' must be a str"),
        ({"end": 0}, r"gold\[1\]: field 'end' must be > 'start'"),
        ({"metric_start": 5, "metric_end": 4}, r"gold\[1\]: field 'metric_end' must be >"),
        ({"metric_start": 5}, r"gold\[1\]: missing field 'metric_end'"),
    ],
)
def test_numeric_input_errors(patch, match):
    with pytest.raises(ValueError, match=match):
        score_numeric([FACT, {**FACT, **patch}], [])


def test_numeric_missing_field():
    bad = {k: v for k, v in FACT.items() if k != "metric"}
    with pytest.raises(ValueError, match=r"pred\[0\]: missing field 'metric'"):
        score_numeric([], [bad])


def _u(s, e, topics=("t",)):
    return {"start": s, "end": e, "section": "A", "topics": list(topics)}


@pytest.mark.parametrize(
    ("gold", "pred", "match"),
    [
        ([_u(0, 5), _u(5, 9)], [_u(0, 5)], r"gold unit \(5, 9\) has no prediction"),
        ([_u(0, 5)], [_u(0, 5), _u(5, 9)], r"unit \(5, 9\) is not a gold unit"),
        ([_u(0, 5), _u(0, 5)], [_u(0, 5)], r"gold\[1\]: duplicate unit \(0, 5\)"),
        ([_u(0, 5, ())], [_u(0, 5)], r"gold\[0\]: field 'topics' must not be empty"),
        ([_u(0, 5)], [{**_u(0, 5), "topics": "t"}], r"pred\[0\]: field 'topics' must be a list"),
        ([_u(0, 5)], [{"start": 0, "end": 5, "topics": []}], r"pred\[0\]: missing field 'section'"),
    ],
)
def test_topic_input_errors(gold, pred, match):
    with pytest.raises(ValueError, match=match):
        score_topics(gold, pred)


def test_mention_and_grounding_errors():
    with pytest.raises(ValueError, match=r"pred\[0\]: unit index must be an int >= 0"):
        score_mentions([], [(-1, "x", "A")])
    with pytest.raises(ValueError, match=r"mentions\[0\]: unit index 3 out of range for 1 units"):
        ground_mentions("abc", [(0, 3)], [(3, "a", "A")])
    with pytest.raises(ValueError, match=r"mentions\[0\]: field 'text' must be a str"):
        ground_mentions("abc", [(0, 3)], [(0, 5, "A")])


def test_bootstrap_errors():
    with pytest.raises(ValueError, match=r"items\[1\]: start 9 lies outside every unit"):
        assign_units([(0, 5), (5, 8)], [1, 9])
    with pytest.raises(ValueError, match=r"units\[0\] \(0, 5\) and units\[1\] \(4, 8\) overlap"):
        assign_units([(0, 5), (4, 8)], [1])
    with pytest.raises(ValueError, match="n_resamples: expected an int >= 1"):
        bootstrap_ci(np.ones((3, 3)), counts_f1, n_resamples=0)
    with pytest.raises(ValueError, match=r"confidence: expected a float in \(0, 1\)"):
        bootstrap_ci(np.ones((3, 3)), counts_f1, confidence=95)
    with pytest.raises(ValueError, match="stats_b: shape"):
        paired_bootstrap_test(np.ones((3, 3)), np.ones((4, 3)), counts_f1)
