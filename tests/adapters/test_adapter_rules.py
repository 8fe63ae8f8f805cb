"""The rule baselines: the general ``rules`` and the article-informed ``rules-article``.

Regex dates and quantities, the section heuristics, the claims each system makes about what it
has seen of the article, and the doctests of the adapter modules.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

from benchmark.adapters import InputDocument, get_adapter
from benchmark.adapters import rules as general
from benchmark.adapters.rules import assign_sections, find_dates, find_quantities
from benchmark.adapters.rules_article import ARTICLE_NUMERIC, article_sections
from benchmark.document import Document
from benchmark.tasks.topics import TAXONOMY

# Words an audit found that only this article supplies (page furniture, lead, honours wording,
# section headings): no general keyword or cue may contain one.
ARTICLE_ONLY = (
    "华西都市报",
    "封面新闻",
    "都在看",
    "精彩",
    "扫一扫",
    "过去",
    "荣记",
    "红旗",
    "殊荣",
    "铁军",
    "旗帜",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("侦办涉黑案件45起", [("45起", 45, "exact", "侦办涉黑案件")]),
        ("参训参演民警辅警7万余人次", [("7万余人次", 70000, "approx", "参训参演民警辅警")]),
        (
            "所平均警力上升为11人,消除5人以下派出所",
            [("11人", 11, "exact", "所平均警力"), ("5人以下", 5, "at_most", "派出所")],
        ),
        ("查冻扣涉案资产79.1亿元", [("79.1亿元", 7910000000, "exact", "查冻扣涉案资产")]),
        ("近三年为全省提供支撑", [("三年", 3, "exact", "为全省提供支撑")]),  # B1, B-D5: the phrase after
        ("2020年,1月8日,第八次会议,一份成绩单,一次性死亡,“三项”体检", []),
    ],
)
def test_general_quantities(text: str, expected: list[tuple]) -> None:
    got = find_quantities(text)
    assert [(f.text, f.value, f.qualifier, f.metric) for f in got] == expected


def test_plenum_session_exclusion_is_only_in_rules_article() -> None:
    text = "十一届三次、四次全会精神"
    assert "四次" in [f.text for f in find_quantities(text)]
    assert find_quantities(text, rules=ARTICLE_NUMERIC) == []


@pytest.mark.parametrize(
    ("text", "general_metric", "article_metric"),
    [
        ("6个派出所被命名", "派出所", "派出所"),  # B-D3, stopped by a general function word
        ("28名民警荣获先进称号", "民警荣获先进称号", "民警"),  # 荣获 as a stop word: the article's
        ("市局领导共4次进行辅导授课", "市局领导", "进行辅导授课"),  # 次 taking the phrase after
    ],
)
def test_article_metric_rules_are_only_in_rules_article(
    text: str, general_metric: str, article_metric: str
) -> None:
    (general_fact,) = find_quantities(text)
    (article_fact,) = find_quantities(text, rules=ARTICLE_NUMERIC)
    assert (general_fact.metric, article_fact.metric) == (general_metric, article_metric)


def test_rule_dates() -> None:
    text = "2020年刚刚过去,1月8日召开2021四川公安“2020成绩单”,2000余场,2029个派出所"
    assert [e.text for e in find_dates(text)] == ["2020年", "1月8日", "2021", "2020"]


def test_general_cues_take_nothing_from_the_article(gold_doc: Document) -> None:
    cues = [k for topic in TAXONOMY.values() for k in topic.keywords]
    cues += [*general.BYLINE_CUES, *general.SIDEBAR_CUES, *general.FUNCTION_WORDS]
    cues += list(general.GENERAL_NUMERIC.after_stops)
    assert [c for c in cues if len(c) > 1 and any(word in c or c in word for word in ARTICLE_ONLY)] == []
    assert "荣获" not in general.GENERAL_NUMERIC.after_stops
    assert "session number (part of a name)" in general.GENERAL_NUMERIC.skipped_exclusions
    # no keyword is one of the article's headings (a sidebar cue such as 链接 is a newspaper's label)
    headings = [h["text"] for h in gold_doc.meta["headings"]]
    assert [c for c in cues if c in headings and c not in general.SIDEBAR_CUES] == []


def _page(lines: list[str], headings: set[int]) -> InputDocument:
    """An invented page: ``lines`` joined by newlines, the indices in ``headings`` are headings."""
    text = "\n".join(lines) + "\n"
    spans, at = [], 0
    for line in lines:
        spans.append((at, at + len(line)))
        at += len(line) + 1
    units = tuple(s for i, s in enumerate(spans) if i not in headings)
    return InputDocument("page", text, units, tuple(spans))


PAGE = [
    "滨海晚报 第A3版 星期二",  # masthead
    "点击下载客户端",  # masthead
    "守护万家灯火",  # title (kicker)
    "全市公安机关交出年度答卷",  # title (headline)
    "本报记者 王五 通讯员 赵六",  # byline
    "一年来,全市公安机关破获刑事案件1200起,群众安全感持续提升。",  # lead
    "延伸阅读",  # heading: a sidebar
    "数字:1200起",  # keywords
    "第一部分",  # heading
    "市局党委组织党员学习贯彻全会精神,开展主题教育和政治教育。",  # politics
    "第二部分",  # heading
    "严厉打击电信网络诈骗犯罪,抓获犯罪嫌疑人300名,破获案件150起。",  # duty
    "第三部分",  # heading
    "推进执法规范化和队伍建设,开展教育整顿,严明纪律作风。",  # discipline
]
PAGE_SECTIONS = [
    "masthead", "masthead", "title", "title", "byline", "lead", "keywords", "politics", "duty", "discipline",
]  # fmt: skip


def test_general_sections_on_an_invented_page() -> None:
    doc = _page(PAGE, {6, 8, 10, 12})
    assert assign_sections(doc) == PAGE_SECTIONS
    # heading texts are never matched to sections: other headings, same sections
    renamed = [line if i not in (8, 10, 12) else f"栏目{i:02d}" for i, line in enumerate(PAGE)]
    assert assign_sections(_page(renamed, {6, 8, 10, 12})) == PAGE_SECTIONS
    # without masthead and byline: the short lines first are the title, then the lead
    bare = _page(PAGE[2:4] + PAGE[5:], {3, 5, 7, 9})
    assert assign_sections(bare) == ["title", "title", "lead", "keywords", "politics", "duty", "discipline"]


def test_general_sections_on_the_article(gold_doc: Document, article: InputDocument) -> None:
    """Not fitted: the structural heuristic gets most but not all of the article's sections."""
    gold = [p.section for p in gold_doc.gold["topics"]]
    got = assign_sections(article)
    assert 0.8 * len(gold) <= sum(g == p for g, p in zip(gold, got, strict=True)) < len(gold)


def test_article_section_heuristic_is_fitted(gold_doc: Document, article: InputDocument) -> None:
    gold = [p.section for p in gold_doc.gold["topics"]]
    assert article_sections(article) == gold


def test_what_each_system_says_it_read() -> None:
    assert get_adapter("rules").reads == "nothing"
    assert get_adapter("tfidf-cosine").reads == "nothing"
    assert get_adapter("rules-article").reads == "article"
    assert "developed on the article" in get_adapter("rules-article").description


@pytest.mark.parametrize(
    "module",
    ["_tagging", "rules", "rules_article", "jieba_pos", "thulac_pos", "lac_pos", "oracle", "sklearn_topics"],
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"benchmark.adapters.{module}"))
    assert result.failed == 0
