"""Case tables for the shared tagger helpers in benchmark.adapters._tagging."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from benchmark.adapters import get_adapter
from benchmark.adapters._line_ner import LineNerAdapter
from benchmark.adapters._tagging import (
    TaggerAdapter,
    TagSet,
    Token,
    align_words,
    check_offsets,
    excluded_quantity,
    is_absolute_date,
    known_tokens,
    line_words_to_tokens,
    metric_span,
    read_quantity,
    tokens_to_entities,
    tokens_to_numeric,
)
from benchmark.adapters.base import InputDocument
from benchmark.adapters.jieba_pos import JIEBA_TAGSET
from benchmark.adapters.lac_pos import LAC_TAGSET
from benchmark.adapters.thulac_pos import THULAC_TAGSET

TAGS = TagSet(
    name="demo",
    entity={"nr": "PER", "ns": "GPE", "nt": "ORG", "t": "DATE"},
    known=frozenset({"nr", "ns", "nt", "t", "n", "v", "m", "q", "w", "u", "p", "d"}),
    number=frozenset({"m"}),
    measure=frozenset({"q"}),
    punct=frozenset({"w"}),
    noun=frozenset({"n", "nt", "ns"}),
    date=frozenset({"t"}),
)


def tokens_for(pairs: list[tuple[str, str]]) -> tuple[str, list[Token]]:
    text = "".join(w for w, _ in pairs)
    tokens, problems = align_words(text, pairs)
    assert problems == []
    return text, tokens


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("1月", "t"), ("8日", "t")], [("1月8日", "DATE")]),  # adjacent DATE merged
        ([("2020年", "t"), ("今年", "t")], [("2020年", "DATE")]),  # relative date dropped
        ([("刚刚", "t")], []),
        ([("王涛", "nr"), ("韩顺军", "nr")], [("王涛", "PER"), ("韩顺军", "PER")]),  # names never merged
        ([("甘孜州", "ns"), ("道孚县", "ns")], [("甘孜州", "GPE"), ("道孚县", "GPE")]),
        ([("公安部", "nt"), ("表扬", "v")], [("公安部", "ORG")]),
    ],
)
def test_entities_from_tags(pairs: list[tuple[str, str]], expected: list[tuple[str, str]]) -> None:
    text, tokens = tokens_for(pairs)
    assert [(e.text, e.label) for e in tokens_to_entities(text, tokens, TAGS)] == expected


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # number + measure word merged, metric before (verb + noun phrase)
        ([("侦办", "v"), ("涉黑", "n"), ("案件", "n"), ("45", "m"), ("起", "q")],
         [("45起", 45, "起", "exact", "侦办涉黑案件")]),
        # metric after when the quantity opens the clause
        ([("，", "w"), ("6", "m"), ("个", "q"), ("派出所", "n"), ("被", "p")],
         [("6个", 6, "个", "exact", "派出所")]),
        # predicate word before the number is trimmed
        ([("破案率", "n"), ("创", "v"), ("98.78%", "m")], [("98.78%", 98.78, "%", "exact", "破案率")]),
        # digit pieces split by the tagger are joined; scale and approximation read
        ([("数据", "n"), ("2", "m"), (".", "w"), ("8", "m"), ("万亿", "m"), ("条", "q")],
         [("2.8万亿条", 2800000000000, "条", "exact", "数据")]),
        ([("群众", "n"), ("2.3", "m"), ("万余", "m"), ("人", "n")], [("2.3万余人", 23000, "人", "approx", "群众")]),
        ([("群众", "n"), ("安全感", "n"), ("90%", "m"), ("以上", "d")], [("90%以上", 90, "%", "at_least", "群众安全感")]),
        # not numeric facts: dates, ordinals, article 一, bare numbers, quoted numbers
        ([("2020", "m"), ("年", "q"), ("开会", "v")], []),
        ([("1", "m"), ("月", "q"), ("8", "m"), ("日", "q")], []),
        ([("第八", "m"), ("次", "q"), ("会议", "n")], []),
        ([("一", "m"), ("批", "q"), ("英模", "n")], []),
        ([("2021", "m"), ("四川", "ns")], []),
        ([("“", "w"), ("122", "m"), ("个", "q"), ("”", "w")], []),
        # two numbers glued together are not one quantity
        ([("十一届", "m"), ("三次", "m"), ("全会", "n")], []),
    ],
)  # fmt: skip
def test_numeric_from_tags(pairs: list[tuple[str, str]], expected: list[tuple]) -> None:
    text, tokens = tokens_for(pairs)
    facts, _ = tokens_to_numeric(text, tokens, TAGS)
    assert [(f.text, f.value, f.unit, f.qualifier, f.metric) for f in facts] == expected
    for f in facts:
        assert text[f.start : f.end] == f.text and text[f.metric_start : f.metric_end] == f.metric


def test_quantity_without_any_metric_is_dropped_with_a_note() -> None:
    text, tokens = tokens_for([("300", "m"), ("个", "q"), ("——", "w")])
    facts, notes = tokens_to_numeric(text, tokens, TAGS)
    assert facts == [] and notes == ["no metric phrase for '300个' at 0"]


def test_metric_span_prefers_a_noun_phrase_before() -> None:
    text, tokens = tokens_for([("抓获", "v"), ("嫌疑人", "n"), ("5123", "m"), ("名", "q")])
    assert metric_span(text, tokens, 2, 3, TAGS) == (0, 5)


@pytest.mark.parametrize(
    ("surface", "why"),
    [("2020年", "date"), ("1月", "date"), ("8日", "date"), ("一批", "article 一"), ("2021", "bare number"),
     ("70周年", "anniversary (part of a name)"), ("两年", None), ("20余年", None), ("5人以下", None)],
)  # fmt: skip
def test_exclusions(surface: str, why: str | None) -> None:
    quantity = read_quantity(surface)
    assert quantity is not None
    assert excluded_quantity(surface, 0, len(surface), quantity) == why


@pytest.mark.parametrize(
    ("surface", "absolute"),
    [("2020年", True), ("2020", True), ("1月8日", True), ("2021年1月", True), ("今年", False), ("过去", False),
     ("近三年", False), ("先后", False)],
)  # fmt: skip
def test_absolute_dates(surface: str, absolute: bool) -> None:
    assert is_absolute_date(surface) is absolute


def test_bad_offsets_are_reported_not_emitted() -> None:
    good, problems = check_offsets("四川公安", [Token(0, 2, "四川", "LOC"), Token(2, 9, "公安", "ORG")])
    assert good == [Token(0, 2, "四川", "LOC")]
    assert problems == ["token '公安' (ORG) at [2, 9) does not match the text '公安'"]


def test_words_missing_from_the_text_are_reported() -> None:
    tokens, problems = align_words("四川公安", [("四川", "ns"), ("北京", "ns"), ("公安", "n")])
    assert [t.text for t in tokens] == ["四川", "公安"]
    assert problems == ["token '北京' (ns) not found in the text after offset 2"]


def test_unknown_tags_are_reported_and_dropped() -> None:
    tokens, problems = known_tokens([Token(0, 2, "四川", "ns"), Token(2, 4, "公安", "ZZ")], TAGS)
    assert [t.text for t in tokens] == ["四川"]
    assert problems == ["demo: unknown tag 'ZZ' on token '公安' at [2, 4)"]


def test_line_tokens_keep_document_offsets() -> None:
    text = "标题\n  王涛在四川。"
    lines = [(0, 2), (5, 11)]
    table = {
        "标题": [("标题", "n")],
        "王涛在四川。": [("王涛", "nr"), ("在", "p"), ("四川", "ns"), ("。", "w")],
    }
    tokens, problems = line_words_to_tokens(text, lines, lambda line: table[line], TAGS)
    assert problems == []
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [(e.text, e.label, e.start) for e in tokens_to_entities(text, tokens, TAGS)] == [
        ("王涛", "PER", 5),
        ("四川", "GPE", 8),
    ]


class _FakeTagger(TaggerAdapter):
    """A tagger returning fixed output, including a wrong word and an unknown tag."""

    name = "fake-tagger"
    labels = ("PER", "GPE", "ORG", "DATE")
    tagset = TAGS
    description = "test double"

    def cut(self, line: str) -> list[tuple[str, str]]:
        return [("王涛", "nr"), ("北京", "ns"), ("在", "XX"), ("四川", "ns")]


def test_tagger_adapter_puts_bad_tool_output_in_problems() -> None:
    text = "王涛在四川"
    doc = InputDocument("d", text, ((0, 5),), ((0, 5),))
    [pred] = _FakeTagger().predict("ner", [doc])
    assert [(e.text, e.label) for e in pred.records] == [("王涛", "PER"), ("四川", "GPE")]
    assert pred.problems == [
        "token '北京' (ns) not found in the text after offset 2",
        "demo: unknown tag 'XX' on token '在' at [2, 3)",
    ]
    with pytest.raises(ValueError, match="does not support task 'topics'"):
        _FakeTagger().predict("topics", [doc])


@pytest.mark.parametrize("tagset", [JIEBA_TAGSET, THULAC_TAGSET, LAC_TAGSET], ids=lambda t: t.name)
def test_tag_maps_only_use_known_tags_and_benchmark_labels(tagset: TagSet) -> None:
    assert set(tagset.entity) <= tagset.known
    assert set(tagset.entity.values()) <= {"PER", "ORG", "GPE", "DATE"}
    for group in (tagset.number, tagset.measure, tagset.punct, tagset.noun, tagset.date):
        assert group <= tagset.known


class _CountingTagger(TaggerAdapter):
    """Records every batch of lines it is asked to tag."""

    name = "counting-tagger"
    labels = ("PER", "GPE", "ORG", "DATE")
    tagset = TAGS
    description = "test double"

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def cut(self, line: str) -> list[tuple[str, str]]:
        raise AssertionError("cut_lines is overridden")

    def cut_lines(self, lines):
        self.batches.append(list(lines))
        return [[(line[:2], "nr"), (line[2:], "v")] for line in lines]


def test_each_document_is_tagged_once_for_all_tasks_in_one_batch() -> None:
    a = InputDocument("a", "王涛来了\n韩军走了", ((0, 9),), ((0, 4), (5, 9)))
    b = InputDocument("b", "刘伟到了", ((0, 4),), ((0, 4),))
    tagger = _CountingTagger()
    ner = tagger.predict("ner", [a, b])
    numeric = tagger.predict("numeric", [b, a])
    assert tagger.batches == [["王涛来了", "韩军走了", "刘伟到了"]]  # one call, every line of both
    assert [[e.text for e in p.records] for p in ner] == [["王涛", "韩军"], ["刘伟"]]
    assert [p.doc_id for p in numeric] == ["b", "a"]
    # same id, other text (a robustness variant): tagged again
    changed = InputDocument("a", "张三来了", ((0, 4),), ((0, 4),))
    assert [e.text for e in tagger.predict("ner", [changed])[0].records] == ["张三"]
    assert tagger.batches[1:] == [["张三来了"]]


def test_memo_drops_the_least_recently_used_document() -> None:
    from benchmark.adapters._memo import DocumentMemo

    memo: DocumentMemo[str] = DocumentMemo(size=2)
    docs = [InputDocument(name, name, (), ()) for name in "xyz"]
    seen: list[str] = []

    def compute(batch):
        seen.extend(d.id for d in batch)
        return [d.text * 2 for d in batch]

    assert memo.get_many(docs, compute) == ["xx", "yy", "zz"] and len(memo) == 2
    memo.get_many(docs[1:], compute)  # y and z are kept
    memo.get_many(docs[:1], compute)  # x was dropped: computed again
    assert seen == ["x", "y", "z", "x"]


def test_a_tagger_returning_the_wrong_number_of_lines_fails_loudly() -> None:
    tagger = _CountingTagger()
    tagger.cut_lines = lambda lines: []
    doc = InputDocument("d", "王涛", ((0, 2),), ((0, 2),))
    with pytest.raises(ValueError, match="returned 0 results for 1 lines"):
        tagger.predict("ner", [doc])


class _SpanTagger(LineNerAdapter):
    name = "span-tagger"
    labels = ("PER", "GPE")
    native_labels = MappingProxyType({"PER": "PER", "LOC": "GPE"})
    description = "test double"

    def __init__(self, spans) -> None:
        super().__init__()
        self.spans, self.seen = spans, []

    def tag_lines(self, lines):
        self.seen.append(list(lines))
        return [list(self.spans) for _ in lines]


def test_line_ner_spans_become_document_offsets_with_problems_reported() -> None:
    text = "标题\n  王涛 在四川\t\n"
    doc = InputDocument("d", text, ((3, 13),), ((0, 2), (3, 13)))
    tagger = _SpanTagger([(0, 3, "PER"), (4, 6, "LOC"), (6, 7, "LOC"), (1, 2, "ORG"), (5, 40, "PER")])
    [pred] = tagger.predict("ner", [doc])
    assert tagger.seen == [["标题", "王涛 在四川"]]  # lines are stripped before tagging
    got = [(e.start, e.end, e.text, e.label) for e in pred.records]
    assert (5, 7, "王涛", "PER") in got  # trailing space trimmed
    assert (9, 11, "四川", "GPE") in got
    assert all(text[s:e] == surface for s, e, surface, _ in got)
    assert "span-tagger: unknown type 'ORG' on span [6, 7) '涛'" in pred.problems
    assert any("outside its line" in p for p in pred.problems)
    tagger.predict("ner", [doc])
    assert len(tagger.seen) == 1  # memoised


@pytest.mark.slow  # LAC line by line over the whole article
def test_lac_tags_a_batch_as_it_tags_single_lines(article: InputDocument) -> None:
    cls = get_adapter("lac")
    ok, hint = cls.available()
    if not ok:
        pytest.skip(hint)
    lac = cls()
    lac.load()
    lines = [article.text[s:e] for s, e in article.lines]
    assert lac.cut_lines(lines) == [lac.cut(line) for line in lines]


def test_a_word_running_past_its_line_is_reported() -> None:
    tokens, problems = align_words("ab\ncd", [("ab\nc", "n")], end=2)
    assert tokens == []
    assert problems == ["token 'ab\\nc' (n) at 0 runs past the end of its line (2)"]


@pytest.mark.parametrize(
    ("phrase", "metric"),
    [
        ("人民群众安全感持续保持在", "人民群众安全感"),  # guideline B-D2's example, by the general rule
        ("群众满意度始终保持在", "群众满意度"),  # another adverb, not in the article
        ("破案率稳步上升为", "破案率稳步"),  # not a listed adverb: kept
        ("首都保持在", "首都"),  # one-character adverbs (都) are never trimmed
        ("工作持续", "工作持续"),  # no predicate word trimmed: the adverb rule does not apply
        ("所平均警力上升为", "所平均警力"),
    ],
)
def test_trim_predicate_takes_an_adverb_with_the_predicate_word(phrase: str, metric: str) -> None:
    from benchmark.adapters._tagging import trim_predicate

    assert phrase[: trim_predicate(phrase, 0, len(phrase))] == metric
