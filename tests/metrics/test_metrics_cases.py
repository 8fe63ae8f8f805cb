"""Hand-computed case tables: every expected number below was worked out by hand."""

from __future__ import annotations

import pytest

from benchmark.metrics import (
    COARSE_LABEL_MAP,
    Counts,
    analyze_errors,
    char_f1,
    entity_mentions,
    ground_mentions,
    macro_average,
    score_entities,
    score_mentions,
    score_numeric,
    score_topics,
)

# ---------------------------------------------------------------- Counts and the None rule


@pytest.mark.parametrize(
    ("counts", "p", "r", "f"),
    [
        (Counts(0, 0, 0), None, None, None),  # no gold, no prediction
        (Counts(0, 0, 4), None, 0.0, 0.0),  # predicts nothing against gold
        (Counts(0, 3, 0), 0.0, None, 0.0),  # predictions but no gold
        (Counts(2, 2, 0), 0.5, 1.0, 2 / 3),
        (Counts(3, 1, 2), 0.75, 0.6, 6 / 9),
        (Counts(1.5, 0.5, 1.5), 0.75, 0.5, 0.6),  # half credit
    ],
)
def test_counts_table(counts, p, r, f):
    assert counts.precision == pytest.approx(p) if p is not None else counts.precision is None
    assert counts.recall == pytest.approx(r) if r is not None else counts.recall is None
    assert counts.f1 == pytest.approx(f) if f is not None else counts.f1 is None


def test_macro_skips_undefined_and_counts_labels():
    m = macro_average({"A": Counts(1, 0, 0), "B": Counts(0, 0, 2), "C": Counts(0, 0, 0)})
    # P: A=1.0, B undefined, C undefined -> 1.0 over 1 label
    # R: A=1.0, B=0.0 -> 0.5 over 2; F1: A=1.0, B=0.0 -> 0.5 over 2
    assert (m.precision, m.n_precision) == (1.0, 1)
    assert (m.recall, m.n_recall) == (0.5, 2)
    assert (m.f1, m.n_f1) == (0.5, 2)


# ---------------------------------------------------------------- entity schemes

G1 = [(0, 6, "ORG"), (8, 10, "PER"), (12, 15, "GPE")]
ENTITY_CASES = [
    # name, gold, pred, {scheme: (correct, incorrect, partial, missed, spurious, P, R, F1)}
    (
        "perfect",
        G1,
        G1,
        {s: (3, 0, 0, 0, 0, 1.0, 1.0, 1.0) for s in ("strict", "exact", "partial", "type")},
    ),
    (
        "empty prediction",
        G1,
        [],
        {s: (0, 0, 0, 3, 0, None, 0.0, 0.0) for s in ("strict", "exact", "partial", "type")},
    ),
    (
        "empty gold",
        [],
        [(0, 2, "PER")],
        {s: (0, 0, 0, 0, 1, 0.0, None, 0.0) for s in ("strict", "exact", "partial", "type")},
    ),
    (
        "both empty",
        [],
        [],
        {s: (0, 0, 0, 0, 0, None, None, None) for s in ("strict", "exact", "partial", "type")},
    ),
    (
        # ORG too short (same type), PER retyped, GPE missed, spurious LOC
        "mixed",
        G1,
        [(0, 3, "ORG"), (8, 10, "LOC"), (20, 22, "LOC")],
        {
            # strict: 0 correct; 2 incorrect; 1 missed; 1 spurious; P=0/3 R=0/3
            "strict": (0, 2, 0, 1, 1, 0.0, 0.0, 0.0),
            # exact: (8,10) correct; (0,3) incorrect; P=1/3 R=1/3 F=1/3
            "exact": (1, 1, 0, 1, 1, 1 / 3, 1 / 3, 1 / 3),
            # partial: tp = 1 + 0.5 = 1.5; P=1.5/3 R=1.5/3
            "partial": (1, 0, 1, 1, 1, 0.5, 0.5, 0.5),
            # type: ORG overlap correct; LOC vs PER incorrect
            "type": (1, 1, 0, 1, 1, 1 / 3, 1 / 3, 1 / 3),
        },
    ),
    (
        # two predictions inside one gold: only one can match it
        "two inside one",
        [(0, 10, "ORG")],
        [(0, 4, "ORG"), (5, 10, "ORG")],
        {
            "strict": (0, 1, 0, 0, 1, 0.0, 0.0, 0.0),
            "exact": (0, 1, 0, 0, 1, 0.0, 0.0, 0.0),
            # tp = 0.5; P = 0.5/2, R = 0.5/1; F = 2*0.5/(2+1)
            "partial": (0, 0, 1, 0, 1, 0.25, 0.5, 1 / 3),
            "type": (1, 0, 0, 0, 1, 0.5, 1.0, 2 / 3),
        },
    ),
    (
        # adjacent same-type spans predicted as one long span
        "adjacent merged",
        [(0, 3, "GPE"), (3, 6, "GPE")],
        [(0, 6, "GPE")],
        {
            "strict": (0, 1, 0, 1, 0, 0.0, 0.0, 0.0),
            "partial": (0, 0, 1, 1, 0, 0.5, 0.25, 1 / 3),
            "type": (1, 0, 0, 1, 0, 1.0, 0.5, 2 / 3),
        },
    ),
    (
        # exact match is preferred over an earlier, larger-overlap wrong-type candidate
        "exact preferred",
        [(0, 4, "PER")],
        [(0, 5, "PER"), (0, 4, "PER")],
        {
            "strict": (1, 0, 0, 0, 1, 0.5, 1.0, 2 / 3),
            "partial": (1, 0, 0, 0, 1, 0.5, 1.0, 2 / 3),
        },
    ),
]


@pytest.mark.parametrize(("name", "gold", "pred", "expected"), ENTITY_CASES)
def test_entity_case_table(name, gold, pred, expected):
    result = score_entities(gold, pred)
    for scheme, (cor, inc, par, mis, spu, p, r, f) in expected.items():
        m = result[scheme].micro
        assert (m.correct, m.incorrect, m.partial, m.missed, m.spurious) == (
            cor,
            inc,
            par,
            mis,
            spu,
        ), (name, scheme)
        for got, want in ((m.counts.precision, p), (m.counts.recall, r), (m.counts.f1, f)):
            assert got == pytest.approx(want) if want is not None else got is None, (name, scheme)


def test_entity_per_label_and_macro():
    gold = [(0, 2, "PER"), (3, 5, "PER"), (6, 8, "ORG")]
    pred = [(0, 2, "PER"), (6, 8, "PER"), (10, 12, "GPE")]
    r = score_entities(gold, pred)["strict"]
    per = {k: v.counts for k, v in r.per_label.items()}
    assert per == {
        "GPE": Counts(0, 1, 0),  # P 0, R None, F 0
        "ORG": Counts(0, 0, 1),  # P None, R 0, F 0
        "PER": Counts(1, 1, 1),  # P .5, R .5, F .5
    }
    assert r.macro.precision == pytest.approx(0.25) and r.macro.n_precision == 2
    assert r.macro.recall == pytest.approx(0.25) and r.macro.n_recall == 2
    assert r.macro.f1 == pytest.approx(0.5 / 3) and r.macro.n_f1 == 3
    assert r.micro.counts == Counts(1, 2, 2)


def test_labels_restriction_and_label_map():
    gold = [(0, 2, "GPE"), (3, 5, "LOC"), (6, 8, "TITLE"), (9, 11, "PER")]
    pred = [(0, 2, "LOC"), (3, 5, "LOC"), (9, 11, "PER"), (12, 14, "EVENT")]
    r = score_entities(gold, pred, labels=["GPE", "LOC", "PER"])
    assert r.unsupported_labels == ["TITLE"]
    assert r.labels == ["GPE", "LOC", "PER"]
    # GPE(0,2) vs LOC(0,2) wrong type; LOC and PER right: tp 2, fp 1, fn 1
    assert r["strict"].micro.counts == Counts(2, 1, 1)
    assert (r.n_gold_dropped, r.n_pred_dropped) == (1, 1)
    merged = score_entities(gold, pred, labels=["GPE_LOC", "PER"], label_map=COARSE_LABEL_MAP)
    assert merged["strict"].micro.counts == Counts(3, 0, 0)
    assert merged["strict"].per_label["GPE_LOC"].counts == Counts(2, 0, 0)


# ---------------------------------------------------------------- mentions and grounding


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ([(0, "四川", "GPE")] * 2, [(0, "四川", "GPE")], Counts(1, 0, 1)),
        ([(0, "四川", "GPE")], [(1, "四川", "GPE")], Counts(0, 1, 1)),  # wrong unit
        ([(0, "四川", "GPE")], [(0, "四川", "LOC")], Counts(0, 1, 1)),
        ([], [], Counts(0, 0, 0)),
        (
            [{"unit": 0, "text": "张三", "label": "PER"}, (2, "李四", "PER")],
            [(0, "张三", "PER"), (0, "张三", "PER"), (2, "李四", "PER")],
            Counts(2, 1, 0),
        ),
    ],
)
def test_mention_table(gold, pred, expected):
    assert score_mentions(gold, pred).micro == expected


def test_entity_mentions_from_spans():
    text = "张三在成都。李四"
    assert entity_mentions(text, [(0, 6), (6, 8)], [(6, 8, "PER"), (0, 2, "PER")]) == [
        (0, "张三", "PER"),
        (1, "李四", "PER"),
    ]


DOC = "“天网”行动在成都展开。成都市公安局“天网”工程 四川"
#      0123456789...: “0 天1 网2 ”3 行4 动5 在6 成7 都8 展9 开10 。11 成12 都13 市14 公15 安16
#      局17 “18 天19 网20 ”21 工22 程23 空24 四25 川26
UNITS = [(0, 12), (12, 27)]


@pytest.mark.parametrize(
    ("mention", "spans", "grounded"),
    [
        ((0, "成都", "GPE"), [(7, 9)], True),
        ((1, "成都", "GPE"), [(12, 14)], True),  # only inside its own unit
        ((0, "“天网”", "EVENT"), [(0, 4)], True),  # found verbatim: quotes kept
        ((1, "“天网”工程", "EVENT"), [(18, 24)], True),  # quotes part of a longer name
        ((0, "“天网行动”", "EVENT"), [], False),  # stripped 天网行动 not in text either
        ((1, "「成都市公安局」", "ORG"), [(12, 18)], True),  # quotes stripped
        ((1, " 四川 ", "GPE"), [(25, 27)], True),  # whitespace stripped
        ((1, "重庆", "GPE"), [], False),
    ],
)
def test_grounding_table(mention, spans, grounded):
    r = ground_mentions(DOC, UNITS, [mention])
    assert [(s["start"], s["end"]) for s in r.spans] == spans
    assert (r.n_grounded, r.n_ungrounded) == ((1, 0) if grounded else (0, 1))
    assert r.n_returned == 1


def test_grounding_all_occurrences_non_overlapping():
    r = ground_mentions("哈哈哈哈哈", [(0, 5)], [(0, "哈哈", "X")])
    assert [(s["start"], s["end"]) for s in r.spans] == [(0, 2), (2, 4)]


# ---------------------------------------------------------------- char F1


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ("刑事案件", "刑事案件", 1.0),
        ("刑事案件", "案件", 2 * 2 / 6),
        ("破案", "立案", 2 * 1 / 4),
        ("案案", "案", 2 * 1 / 3),  # multiset: one shared 案
        ("人口", "经济", 0.0),
        ("", "人", 0.0),
        ("", "", None),
    ],
)
def test_char_f1_table(gold, pred, expected):
    assert char_f1(gold, pred) == (pytest.approx(expected) if expected is not None else None)


# ---------------------------------------------------------------- numeric facts


def fact(s, e, value, unit="元", qualifier="exact", metric="经济损失"):
    return {
        "start": s,
        "end": e,
        "text": "x" * (e - s),
        "value": value,
        "unit": unit,
        "qualifier": qualifier,
        "metric": metric,
        "metric_start": 50,
        "metric_end": 54,
    }


NUMERIC_CASES = [
    # name, gold, pred, (exact F1, overlap F1, value acc, unit acc, qual acc, fact Counts)
    ("tolerance", [fact(0, 5, 7910000000)], [fact(0, 5, 7.91e9)], (1.0, 1.0, 1.0, 1.0, 1.0, Counts(1, 0, 0))),
    ("value off", [fact(0, 5, 791)], [fact(0, 5, 792)], (1.0, 1.0, 0.0, 1.0, 1.0, Counts(0, 1, 1))),
    (
        "tiny relative error",
        [fact(0, 5, 1.0)],
        [fact(0, 5, 1.0 + 1e-12)],
        (1.0, 1.0, 1.0, 1.0, 1.0, Counts(1, 0, 0)),
    ),
    (
        "overlap only, unit wrong",
        [fact(0, 5, 3, unit="人")],
        [fact(2, 7, 3, unit="名")],
        (0.0, 1.0, 1.0, 0.0, 1.0, Counts(0, 1, 1)),
    ),
    (
        "metric too different",
        [fact(0, 5, 3, metric="抓获嫌疑人")],
        [fact(0, 5, 3, metric="破案")],
        (1.0, 1.0, 1.0, 1.0, 1.0, Counts(0, 1, 1)),
    ),
    (
        "metric half",
        [fact(0, 5, 3, metric="破获案件")],
        [fact(0, 5, 3, metric="案件")],
        # char F1 = 2*2/(4+2) = 0.667 >= 0.5
        (1.0, 1.0, 1.0, 1.0, 1.0, Counts(1, 0, 0)),
    ),
    (
        "qualifier",
        [fact(0, 5, 3, qualifier="approx")],
        [fact(0, 5, 3)],
        (1.0, 1.0, 1.0, 1.0, 0.0, Counts(1, 0, 0)),
    ),
    ("nothing predicted", [fact(0, 5, 3)], [], (0.0, 0.0, None, None, None, Counts(0, 0, 1))),
    ("nothing at all", [], [], (None, None, None, None, None, Counts(0, 0, 0))),
    # pred (3,9) overlaps both golds by 2 and 1; exact pred (0,5) takes gold 0 first,
    # then (3,9) takes gold (8,12); so 2 overlap matches and 1 exact.
    (
        "exact first then overlap",
        [fact(0, 5, 1), fact(8, 12, 2)],
        [fact(3, 9, 2), fact(0, 5, 1)],
        (0.5, 1.0, 1.0, 1.0, 1.0, Counts(2, 0, 0)),
    ),
]


@pytest.mark.parametrize(("name", "gold", "pred", "expected"), NUMERIC_CASES)
def test_numeric_table(name, gold, pred, expected):
    ex_f1, ov_f1, v, u, q, fact_counts = expected
    r = score_numeric(gold, pred)
    assert r.span_exact.f1 == (pytest.approx(ex_f1) if ex_f1 is not None else None), name
    assert r.span_overlap.f1 == (pytest.approx(ov_f1) if ov_f1 is not None else None), name
    assert (r.value.accuracy, r.unit.accuracy, r.qualifier.accuracy) == (v, u, q), name
    assert r.fact == fact_counts, name


def test_numeric_greedy_largest_overlap():
    # gold (0,10); preds (0,4) overlap 4 and (3,10) overlap 7 -> (3,10) matched
    r = score_numeric([fact(0, 10, 1)], [fact(0, 4, 1), fact(3, 10, 1)])
    assert r.matches == [
        {"gold": 0, "pred": 1, "exact": False, "value": True, "unit": True, "qualifier": True}
    ]
    assert r.span_overlap == Counts(1, 1, 0)


# ---------------------------------------------------------------- topics


def unit(s, e, section, topics):
    return {"start": s, "end": e, "section": section, "topics": topics}


def test_topics_table():
    gold = [unit(0, 5, "A", ["x", "y"]), unit(5, 9, "A", ["y"]), unit(9, 12, "B", ["z"])]
    pred = [unit(0, 5, "A", ["x"]), unit(5, 9, "B", ["x", "y"]), unit(9, 12, "B", [])]
    r = score_topics(gold, pred)
    # sections: A,A,B vs A,B,B -> acc 2/3; F1_A = 2*1/(2+0+1)=2/3, F1_B = 2/(2+1+0)=2/3
    assert r.section.accuracy == pytest.approx(2 / 3)
    assert r.section.macro_f1 == pytest.approx(2 / 3)
    assert r.section.labels == ["A", "B"] and r.section.matrix == [[1, 1], [0, 1]]
    # primary: x,y,z vs x,x,<none> -> acc 1/3; F1_x = 2/(2+1)=2/3, F1_y = 0, F1_z = 0
    assert r.primary.accuracy == pytest.approx(1 / 3)
    assert r.primary.macro_f1 == pytest.approx(2 / 9)
    assert r.primary.labels == ["x", "y", "z", "<none>"]
    assert r.primary.matrix == [[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    # multilabel cells: u1 x tp, y fn; u2 x fp, y tp; u3 z fn -> micro tp2 fp1 fn2 -> 4/7
    ml = r.multilabel
    assert ml.micro_f1 == pytest.approx(4 / 7)
    # F1_x = 2/(2+1) = 2/3, F1_y = 2/(2+1) = 2/3, F1_z = 0 -> 4/9
    assert ml.macro_f1 == pytest.approx(4 / 9)
    assert ml.subset_accuracy == 0.0
    # 3 wrong cells out of 3 units x 3 labels
    assert ml.hamming_loss == pytest.approx(1 / 3)


def test_topics_label_list_keeps_unused_label_out_of_macro():
    gold = [unit(0, 5, "A", ["x"])]
    pred = [unit(0, 5, "A", ["x"])]
    r = score_topics(gold, pred, labels=["x", "w"])
    assert r.multilabel.macro_f1 == 1.0 and r.multilabel.n_classes_averaged == 1
    assert r.multilabel.report.f1 == [1.0, None]


# ---------------------------------------------------------------- error analysis

ERR_DOC = "四川省公安厅厅长张三在全国会议上讲话，成都市派出所民警李四"
#          0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28
#          四川省公安厅=0-6 厅长=6-8 张三=8-10 全国=11-13 成都市=19-22 派出所=22-25 李四=27-29
ERR_GOLD = [(0, 6, "ORG"), (6, 8, "TITLE"), (8, 10, "PER"), (19, 25, "ORG"), (27, 29, "PER")]

ERROR_CASES = [
    ("title not split", [(0, 8, "ORG")], [("title_not_split", 0, 8)]),
    ("too short", [(19, 22, "ORG")], [("boundary_too_short", 19, 22)]),
    ("nested other type", [(19, 22, "GPE")], [("nested_span", 19, 22)]),
    ("too long", [(8, 11, "PER")], [("boundary_too_long", 8, 11)]),
    ("crossing", [(9, 12, "PER")], [("boundary_overlap", 9, 12)]),
    ("contains several", [(6, 10, "PER")], [("nested_span", 6, 10)]),
    ("type confusion", [(8, 10, "ORG")], [("type_confusion", 8, 10)]),
    ("generic", [(11, 13, "GPE")], [("generic_description", 11, 13)]),
    ("spurious", [(15, 17, "EVENT")], [("spurious", 15, 17)]),
]


@pytest.mark.parametrize(("name", "extra_pred", "expected"), ERROR_CASES)
def test_error_category_table(name, extra_pred, expected):
    target = {sp[:2] for sp in extra_pred}
    # predict every gold span correctly except those the extra prediction replaces
    replaced = {
        "title not split": {(0, 6), (6, 8)},
        "too short": {(19, 25)},
        "too long": {(8, 10)},
        "crossing": {(8, 10)},
        "contains several": {(6, 8), (8, 10)},
        "type confusion": {(8, 10)},
    }.get(name, set())
    pred = [g for g in ERR_GOLD if g[:2] not in replaced] + extra_pred
    r = analyze_errors(ERR_GOLD, pred, text=ERR_DOC, generic_terms={"全国", "派出所"})
    fa = [(e.category, e.pred["start"], e.pred["end"]) for e in r.records if e.pred]
    assert fa == expected, name
    assert {(e.pred["start"], e.pred["end"]) for e in r.records if e.pred} == target
    misses = [e for e in r.records if e.pred is None]
    assert misses == [], name  # every miss is explained by the false alarm's record
    assert r.counts[expected[0][0]] == 1


def test_error_type_confusion_pair_and_missed_repeat():
    gold = [(0, 2, "GPE"), (3, 5, "PER"), (9, 11, "PER")]
    pred = [(0, 2, "LOC"), (3, 5, "PER")]
    text = "四川 张三 ...张三"  # 张三 at 3-5 and 9-11
    r = analyze_errors(gold, pred, text=text)
    cats = [(e.category, e.gold_text, e.pred_text, e.detail) for e in r.records]
    assert cats == [
        ("type_confusion", "四川", "四川", "GPE->LOC"),
        ("missed_repeat", "张三", None, None),
    ]
    assert r.type_confusions == {"GPE->LOC": 1}
    assert (r.n_correct, r.n_false_alarms, r.n_misses) == (1, 1, 2)
    r2 = analyze_errors(gold, [(0, 2, "LOC")], text=text)
    assert [e.category for e in r2.records] == ["type_confusion", "missed", "missed"]
