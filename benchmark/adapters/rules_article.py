"""The ``rules-article`` adapter: the rule system developed on the article (``reads = "article"``).

The benchmark has one test document, and these rules were written while looking at it: the
topic keywords include words only this page supplies (its masthead 华西都市报, app promotion
都在看 / 精彩 / 扫一扫, its section-heading words 旗帜 / 铁军, its honours wording 荣记 / 殊荣 / 红旗,
过去 from its lead); bodies are mapped to sections through topic groups that mirror this
article's four sections; the masthead ends at the last unit with one of those furniture words;
and three numeric rules fit its sentences (荣获 / 提供 as metric stop words, 次 and 周年 taking
the metric after them, the plenum-session exclusion). Its scores show what tuning on the test
page buys; they are not a general system's. The general system is ``rules``
(:mod:`benchmark.adapters.rules`); both share the regular expressions and the normalizer.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmark.adapters._tagging import TIME_UNITS
from benchmark.adapters.base import InputDocument, register_adapter
from benchmark.adapters.rules import (
    Keywords,
    NumericRules,
    RulesAdapter,
    heading_blocks,
    keyword_hits,
)
from benchmark.tasks.topics import SECTIONS

ARTICLE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "party_politics": ("党", "党建", "政治", "思想", "全会", "精神", "忠诚", "初心", "使命", "旗帜",
                       "学习贯彻", "支部"),
    "covid": ("疫情", "防控", "新冠", "肺炎", "隔离", "感染", "救治", "防疫"),
    "crime": ("犯罪", "案件", "破案", "侦办", "破获", "抓获", "逃犯", "嫌疑人", "诈骗", "赌博", "禁毒",
              "毒品", "涉黑", "黑恶", "打击", "扫黑除恶", "涉案"),
    "public_safety": ("安全", "安保", "交通", "事故", "灾", "洪", "救援", "转移", "危化", "枪支", "监管",
                      "安全感"),
    "reform": ("改革", "体制", "机构", "调整", "设立", "组建", "机制", "体系"),
    "technology": ("科技", "数据", "大数据", "平台", "服务器", "终端", "信息化", "智能", "计算", "网络"),
    "grassroots": ("基层", "派出所", "枫桥", "警力", "社区", "基础"),
    "team_discipline": ("队伍", "教育整顿", "廉政", "纪律", "从严", "作风", "整顿", "铁军", "自查"),
    "training": ("训练", "培训", "练兵", "比武", "演练", "实战", "参训", "竞赛"),
    "poverty_alleviation": ("扶贫", "脱贫", "贫困", "帮扶", "攻坚"),
    "honours": ("荣获", "表彰", "先进", "称号", "一等功", "英模", "殊荣", "荣记", "红旗"),
    "overview": ("成绩单", "过去", "发布会", "公布", "一年", "全年", "总结", "战略"),
    "page_furniture": ("华西都市报", "扫一扫", "下载", "APP", "记者", "都在看", "精彩", "版"),
}  # fmt: skip
"""The topic keywords of rules v1, developed while reading the article."""

ARTICLE_STOPS = (
    "被", "的", "为", "在", "和", "与", "得", "是", "将", "已", "都", "提供", "荣获", "获得", "受到", "得到",
)  # fmt: skip
ARTICLE_NUMERIC = NumericRules(
    after_stops=ARTICLE_STOPS,
    metric_after_units=frozenset(TIME_UNITS | {"次", "周年"}),
)

KEYWORDS_SECTION_CUES = ("关键词", "链接", "相关链接", "数读", "盘点")
SECTION_TOPICS: dict[str, tuple[str, ...]] = {
    "politics": ("party_politics",),
    "duty": ("crime", "public_safety", "covid"),
    "reform": ("reform", "technology", "grassroots"),
    "discipline": ("team_discipline", "training"),
}
"""Topic groups that mirror the article's four sections."""


def _front_sections(text: str, units: Sequence[tuple[int, int]]) -> list[str]:
    furniture = ARTICLE_KEYWORDS["page_furniture"]
    bodies = [text[s:e] for s, e in units]
    marked = [i for i, b in enumerate(bodies) if any(k in b for k in furniture)]
    byline = next((i for i, b in enumerate(bodies) if "记者" in b), None)
    last_mast = max((i for i in marked if i != byline and (byline is None or i < byline)), default=-1)
    out = []
    for i, body in enumerate(bodies):
        if i == byline:
            out.append("byline")
        elif i <= last_mast:
            out.append("masthead")
        elif any(p in body for p in "。!?!?…") or len(body) > 40:
            out.append("lead")
        else:
            out.append("title")
    return out


def _body_section(text: str, heading: str, units: Sequence[tuple[int, int]]) -> str:
    if any(cue in heading for cue in KEYWORDS_SECTION_CUES):
        return "keywords"
    for sample in (heading, " ".join(text[s:e] for s, e in units)):
        hits = keyword_hits(sample, ARTICLE_KEYWORDS)
        scores = {sec: sum(hits[t] for t in topics) for sec, topics in SECTION_TOPICS.items()}
        best = max(scores, key=lambda s: (scores[s], -SECTIONS.index(s)))
        if scores[best] > 0:
            return best
    return "duty"


def article_sections(doc: InputDocument) -> list[str]:
    """The section heuristic of rules v1, developed on the article.

    Before the first heading: units up to the last one with one of the article's furniture
    words are ``masthead``, except the unit naming a reporter (记者), the ``byline``; later
    units are ``lead`` if they read as sentences, else ``title``. After a heading run:
    ``keywords`` for a sidebar cue, else the section whose topic group's keywords occur most in
    the headings, or, with no hit there, in the units under them; ``duty`` when nothing matches.
    """
    unit_set = set(doc.units)
    first_heading = min((s for s, e in doc.lines if (s, e) not in unit_set), default=len(doc.text))
    sections = _front_sections(doc.text, [u for u in doc.units if u[0] < first_heading])
    for heading_text, units in heading_blocks(doc):
        sections += [_body_section(doc.text, heading_text, units)] * len(units)
    return sections


@register_adapter
class RulesArticleAdapter(RulesAdapter):
    """The rule system of rules v1: developed while looking at the article."""

    name = "rules-article"
    version = "2"  # 2: the shared numeric trimming uses _tagging.ADVERBS
    reads = "article"
    description = (
        "rules v1: regular expressions, keyword lists and section cues developed on the article "
        "(its masthead, headings and sentences); an upper reference for hand-written rules"
    )
    numeric_rules = ARTICLE_NUMERIC

    def keywords(self) -> Keywords:
        """The keyword lists developed on the article."""
        return ARTICLE_KEYWORDS

    def sections(self, doc: InputDocument) -> list[str]:
        """The section heuristic developed on the article."""
        return article_sections(doc)
