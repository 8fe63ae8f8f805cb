"""Property tests (hypothesis): perfect scores, spurious spans, input-order independence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.metrics import SCHEMES, analyze_errors, score_entities, score_numeric

LABELS = st.sampled_from(["A", "B", "C"])


@st.composite
def span(draw):
    s = draw(st.integers(0, 40))
    return (s, s + draw(st.integers(1, 6)), draw(LABELS))


SPANS = st.lists(span(), max_size=12)
FAST = settings(max_examples=150, deadline=None)


@FAST
@given(SPANS)
def test_perfect_prediction_scores_one(gold):
    r = score_entities(gold, gold)
    for scheme in SCHEMES:
        if gold:
            assert r[scheme].f1 == r[scheme].precision == r[scheme].recall == 1.0
            assert r[scheme].macro.f1 == 1.0
        else:
            assert r[scheme].f1 is None


@FAST
@given(SPANS, SPANS, span())
def test_adding_a_spurious_span_never_raises_precision(gold, pred, extra):
    before = score_entities(gold, pred)
    if extra in set(gold):
        return
    after_strict = score_entities(gold, [*pred, extra])
    b, a = before["strict"].precision, after_strict["strict"].precision
    assert a is not None and (b is None or a <= b + 1e-12)
    if any(extra[0] < g[1] and g[0] < extra[1] for g in gold):
        return  # overlapping spans may change the other schemes' matching
    for scheme in SCHEMES:
        b, a = before[scheme].precision, after_strict[scheme].precision
        assert a is not None and (b is None or a <= b + 1e-12)


@FAST
@given(SPANS, SPANS, st.randoms(use_true_random=False))
def test_scores_do_not_depend_on_input_order(gold, pred, rnd):
    g2, p2 = gold[:], pred[:]
    rnd.shuffle(g2)
    rnd.shuffle(p2)
    assert score_entities(gold, pred).to_dict() == score_entities(g2, p2).to_dict()
    assert analyze_errors(gold, pred).to_dict() == analyze_errors(g2, p2).to_dict()


def _fact(sp, value):
    return {
        "start": sp[0],
        "end": sp[1],
        "value": value,
        "unit": sp[2],
        "qualifier": "exact",
        "metric": "指标" + sp[2],
    }


@FAST
@given(
    st.lists(st.tuples(span(), st.integers(0, 3)), max_size=8),
    st.lists(st.tuples(span(), st.integers(0, 3)), max_size=8),
    st.randoms(use_true_random=False),
)
def test_numeric_order_independent(gold, pred, rnd):
    g = [_fact(sp, v) for sp, v in gold]
    p = [_fact(sp, v) for sp, v in pred]
    r1 = score_numeric(g, p)
    g2, p2 = g[:], p[:]
    rnd.shuffle(g2)
    rnd.shuffle(p2)
    r2 = score_numeric(g2, p2)
    for name in ("span_exact", "span_overlap", "value", "unit", "qualifier", "fact"):
        assert getattr(r1, name) == getattr(r2, name)
    if g:
        assert score_numeric(g, g).fact.f1 == 1.0
