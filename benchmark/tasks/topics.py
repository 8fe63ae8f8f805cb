"""Task ``topics.v1``: the section and topics of every paragraph unit.

A unit is each non-empty line that is not a heading, without its outer
whitespace. The taxonomy is defined in annotations/GUIDELINES.md (section C).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from benchmark.document import Document
from benchmark.schema import Paragraph, Problem, record_to_dict
from benchmark.tasks.agreement_stats import TOPIC_RULES
from benchmark.tasks.base import Headline, ScoringContext, Task, f1_of_counts, ratio_of
from benchmark.tasks.registry import register_task

SECTIONS = (
    "masthead",
    "title",
    "byline",
    "lead",
    "keywords",
    "politics",
    "duty",
    "reform",
    "discipline",
)


@dataclass(frozen=True)
class TopicDefinition:
    """One topic of the taxonomy: what it covers, and generic cue words for it.

    The keywords (read by the general ``rules`` and ``tfidf-cosine`` baselines) were written
    from each definition plus general police and news vocabulary, without opening the
    article's text, which is the only test document (the guidelines, whose examples quote
    it, had been read). Words an audit found that only this page could supply (its page
    furniture, section headings and honours wording) are left out. The keyword lists that
    were developed on the article live in :mod:`benchmark.adapters.rules_article`.
    """

    definition: str
    definition_zh: str
    keywords: tuple[str, ...]


TAXONOMY: dict[str, TopicDefinition] = {
    "party_politics": TopicDefinition(
        "Party leadership and political work: studying Party doctrine and plenums, political loyalty, "
        "Party building inside the police, political education.",
        "党的领导与政治建设:学习贯彻党的理论和会议精神、政治忠诚、党建、政治教育。",
        ("党委", "党组", "党建", "党员", "党支部", "支部", "政治", "思想", "理论", "学习贯彻", "会议精神",
         "全会", "忠诚", "初心", "使命", "主题教育", "政治教育", "政治建警", "新时代", "党的领导"),
    ),
    "covid": TopicDefinition(
        "The COVID-19 epidemic: prevention and control work, quarantine order, infection in custody.",
        "新冠肺炎疫情:疫情防控、隔离、救治秩序、监管场所防疫。",
        ("疫情", "防控", "新冠", "肺炎", "病毒", "隔离", "感染", "确诊", "救治", "防疫", "检疫", "核酸",
         "复工复产"),
    ),
    "crime": TopicDefinition(
        "Fighting crime: investigating and solving cases, arrests, fugitives, gangs, fraud, gambling, "
        "drugs, seizure of criminal assets, clearance rates.",
        "打击违法犯罪:侦破案件、抓捕、追逃、扫黑除恶、诈骗、赌博、禁毒、涉案资产、破案率。",
        ("犯罪", "违法", "案件", "破案", "侦破", "侦办", "破获", "抓获", "抓捕", "追逃", "逃犯",
         "嫌疑人", "团伙", "涉黑", "涉恶", "黑恶", "扫黑除恶", "诈骗", "赌博", "禁毒", "毒品", "盗窃",
         "命案", "刑事", "打击", "涉案", "资产", "冻结", "追赃"),
    ),
    "public_safety": TopicDefinition(
        "Public safety and security: disaster rescue, security for major events, road traffic safety, "
        "dangerous goods and regulated trades, the public's sense of security.",
        "公共安全:抢险救灾、重大活动安保、道路交通安全、危爆物品与重点行业监管、群众安全感。",
        ("公共安全", "安全", "安保", "治安", "平安", "交通", "道路", "事故", "灾害", "抢险", "救灾",
         "救援", "应急", "防汛", "消防", "危险物品", "易制爆", "行业监管", "重大活动", "安全感"),
    ),
    "reform": TopicDefinition(
        "Reform of institutions and systems: restructuring forces, management systems, new units, "
        "command systems.",
        "改革与体制机制:部队和机构改革、管理体制调整、新设队伍、指挥体系建设。",
        ("改革", "体制", "机制", "机构", "调整", "组建", "设立", "整合", "重组", "编制", "职能",
         "体系", "制度", "创新", "试点"),
    ),
    "technology": TopicDefinition(
        "Science and technology in policing: big data, platforms, servers, mobile terminals, "
        "information systems.",
        "科技信息化:大数据、平台、服务器、移动警务终端、信息系统。",
        ("科技", "信息化", "数据", "大数据", "平台", "系统", "服务器", "终端", "移动警务", "智能",
         "智慧", "人工智能", "云计算", "网络", "技术"),
    ),
    "grassroots": TopicDefinition(
        "Grassroots policing: police stations, their staffing and model stations (the Fengqiao model).",
        "基层基础:派出所建设、警力配置、枫桥式派出所等基层示范。",
        ("基层", "派出所", "社区", "警务室", "警力", "枫桥", "辖区", "基础工作", "下沉"),
    ),
    "team_discipline": TopicDefinition(
        "Building and disciplining the force: education and rectification, integrity, strict governance "
        "of the police.",
        "队伍建设与纪律:教育整顿、廉政、从严治警、队伍作风。",
        ("队伍建设", "队伍", "教育整顿", "整顿", "纪律", "纪检", "监察", "廉政", "廉洁", "腐败",
         "违纪", "从严治警", "从严", "作风", "问责", "监督", "查纠整改", "执法规范"),
    ),
    "training": TopicDefinition(
        "Training and combat readiness: training courses, drills, competitions, exercises.",
        "教育训练与实战能力:培训班、练兵、比武竞赛、演练、实战。",
        ("训练", "培训", "培训班", "练兵", "比武", "竞赛", "演练", "演习", "实战", "技能", "授课",
         "参训", "教官"),
    ),
    "poverty_alleviation": TopicDefinition(
        "Poverty alleviation: paired assistance to poor counties, police support for lifting areas "
        "out of poverty.",
        "扶贫脱贫:对口帮扶、助力脱贫攻坚、贫困地区。",
        ("扶贫", "脱贫", "贫困", "帮扶", "攻坚", "驻村", "对口", "小康", "乡村振兴", "摘帽"),
    ),
    "honours": TopicDefinition(
        "Honours: formal awards, commendations, titles of advanced collectives and individuals, named "
        "model police officers (praise from superiors is not an honour).",
        "荣誉表彰:立功、表彰、先进集体和个人称号、英模代表(上级肯定不算荣誉)。",
        ("荣誉", "表彰", "嘉奖", "立功", "一等功", "二等功", "三等功", "先进集体", "先进个人", "先进",
         "称号", "授予", "英模", "模范", "楷模", "奖章", "荣获", "获评", "评为"),
    ),
    "overview": TopicDefinition(
        "Overview: headline, kicker and lead statements that summarise the year's results as a whole.",
        "综述:标题、引题和导语中对全年成绩的总体概括。",
        ("综述", "回顾", "总结", "全年", "一年来", "年度", "成绩", "成绩单", "成效", "成果",
         "发布会", "新闻发布", "公布", "盘点", "主要指标"),
    ),
    "page_furniture": TopicDefinition(
        "Page furniture: masthead, page numbers, app promotion, navigation lines and the byline.",
        "版面元素:报头、版次、客户端推广、导航和署名。",
        ("日报", "晚报", "早报", "版", "责编", "编辑", "记者", "通讯员", "客户端", "APP",
         "下载", "扫码", "二维码", "关注", "微信", "微博", "公众号", "点击"),
    ),
}  # fmt: skip
TOPICS = tuple(TAXONOMY)


def expected_units(doc: Document) -> list[tuple[int, int]]:
    """The spans every topics file must cover: the document's paragraph units."""
    return doc.paragraph_units()


@register_task
class TopicsTask(Task):
    """Section and multi-label topics per paragraph unit (first topic = primary)."""

    name = "topics.v1"
    vocabularies: ClassVar[dict[str, tuple[str, ...]]] = {"sections": SECTIONS, "topics": TOPICS}
    key = "topics"
    gold_file = "paragraphs.jsonl"
    record_type = Paragraph
    description = "section and topics (multi-label, first = primary) of every paragraph unit"
    agreement_rules = TOPIC_RULES
    #: Sections whose units are page furniture (deleted by the ``no_furniture`` variant).
    furniture_sections: ClassVar[tuple[str, ...]] = ("masthead", "byline")
    fields: ClassVar[dict[str, str]] = {
        "doc_id": "document id",
        "start": "offset of the paragraph unit in the document text",
        "end": "end offset (exclusive) of the paragraph unit",
        "text": "the paragraph unit",
        "section": "the section the unit belongs to",
        "topics": "the unit's topics, primary first",
        "primary_topic": "the first topic",
    }
    sections = SECTIONS
    topics = TOPICS
    headlines = (
        Headline("topics_micro_f1", "multi-label topic micro F1 over units", f1_of_counts),
        Headline("primary_accuracy", "accuracy of the primary (first) topic", ratio_of),
        Headline("section_accuracy", "accuracy of the section", ratio_of),
        Headline("subset_accuracy", "units whose topic set is exactly right", ratio_of),
        Headline("hamming_loss", "wrong unit x topic cells / all cells (lower is better)", ratio_of, False),
    )

    def rows(self, doc: Document) -> list[dict[str, Any]]:
        """One row per paragraph unit: text, section, topics and primary topic."""
        return [
            {"doc_id": doc.id, "start": u.start, "end": u.end, "text": doc.text[u.start : u.end],
             "section": u.section, "topics": list(u.topics), "primary_topic": u.topics[0]}
            for u in doc.gold.get(self.key, [])
        ]  # fmt: skip

    def furniture_spans(self, doc: Document) -> list[tuple[int, int]] | None:
        """The units of the masthead and byline sections; None without topics gold."""
        if self.key not in doc.gold:
            return None
        return [(u.start, u.end) for u in doc.gold[self.key] if u.section in self.furniture_sections]

    def agreement(self, doc_a: Document, doc_b: Document) -> dict[str, Any]:
        """Section and primary-topic kappa, topic micro F1, on the units both passes list."""
        from benchmark.tasks.agreement_stats import topics_agreement

        scores, found = topics_agreement(
            [record_to_dict(u) for u in doc_a.gold.get(self.key, [])],
            [record_to_dict(u) for u in doc_b.gold.get(self.key, [])],
            key=self.key,
        )
        return {"scores": scores, "disagreements": found}

    def agreement_lines(self, scores: dict[str, Any]) -> list[str]:
        from benchmark.tasks.agreement_stats import topics_lines

        return topics_lines(self.key, scores)

    def agreement_item(self, record: dict[str, Any]) -> str:
        from benchmark.tasks.agreement_stats import topics_item

        return topics_item(record)

    def record_key(self, record: Paragraph) -> Any:
        """Exact match: the unit's span, its section and its topic list (order matters)."""
        return (record.start, record.end, record.section, tuple(record.topics))

    def counts(self, doc: Document) -> dict[str, dict[str, int]]:
        units = doc.gold.get("topics", [])
        sections = Counter(u.section for u in units)
        any_topic = Counter(t for u in units for t in u.topics)
        primary = Counter(u.topics[0] for u in units)
        return {
            "Paragraph units per section": {s: sections[s] for s in SECTIONS if sections[s]},
            "Paragraph units per topic (any position)": {t: any_topic[t] for t in TOPICS},
            "Paragraph units per primary topic": {t: primary[t] for t in TOPICS},
        }

    def units(self, doc: Document) -> list[tuple[int, int]]:
        """Topic scores resample the paragraph units themselves."""
        return expected_units(doc)

    def _aligned(self, doc: Document, pred: Sequence[Paragraph]) -> list[tuple[Paragraph, Paragraph | None]]:
        """Each gold unit with its prediction (None: the system left the unit out)."""
        by_span = {(p.start, p.end): p for p in pred}
        gold = sorted(doc.gold.get("topics", []), key=lambda u: u.start)
        return [(g, by_span.get((g.start, g.end))) for g in gold]

    def details(self, doc: Document, pred: Sequence[Paragraph], ctx: ScoringContext) -> dict[str, Any]:
        from benchmark.metrics import score_topics
        from benchmark.metrics.topics import NO_TOPIC

        gold = [record_to_dict(u) for u in doc.gold.get("topics", [])]
        # a unit left out is scored as no section and no topic: section wrong, every topic missed
        filled = [record_to_dict(p) if p is not None else
                  {"start": g.start, "end": g.end, "section": NO_TOPIC, "topics": []}
                  for g, p in self._aligned(doc, pred)]  # fmt: skip
        out = score_topics(gold, filled, labels=list(TOPICS), section_labels=list(SECTIONS)).to_dict()
        return out | {"units": self.unit_results(doc, pred)}

    def unit_results(self, doc: Document, pred: Sequence[Paragraph]) -> list[dict[str, Any]]:
        """Per gold unit: gold and predicted section and topics, and whether each is right.

        A unit with no prediction has ``pred_section`` None and counts as wrong.
        """
        by_span = {(p.start, p.end): p for p in pred}
        out = []
        for g in sorted(doc.gold.get(self.key, []), key=lambda u: u.start):
            p = by_span.get((g.start, g.end))
            out.append({
                "start": g.start, "end": g.end, "gold_section": g.section, "gold_topics": list(g.topics),
                "pred_section": None if p is None else p.section,
                "pred_topics": [] if p is None else list(p.topics),
                "section_right": p is not None and p.section == g.section,
                "topics_right": p is not None and set(p.topics) == set(g.topics),
            })  # fmt: skip
        return out

    def html_view(self, doc: Document, predictions: Sequence[Any], details: Any, errors: Any) -> str:
        """Every unit's gold and predicted section and topics, wrong ones marked (from :meth:`details`)."""
        from benchmark.tasks.views.topics import topic_view

        if "units" not in details:  # a run record scored before units were recorded
            details = details | {"units": self.unit_results(doc, predictions)}
        return topic_view(doc.text, details)

    def unit_stats(
        self, doc: Document, pred: Sequence[Paragraph], ctx: ScoringContext
    ) -> dict[str, np.ndarray]:
        rows = []
        for gold, guess in self._aligned(doc, pred):  # a missing unit: no section, no topic
            g, p = set(gold.topics), set(guess.topics if guess else ())
            rows.append(
                [len(g & p), len(p - g), len(g - p),
                 float(bool(guess and guess.topics) and guess.topics[0] == gold.topics[0]),
                 float(guess is not None and guess.section == gold.section), float(g == p), len(g ^ p)]
            )  # fmt: skip
        m = np.array(rows, dtype=float).reshape(-1, 7)
        ones = np.ones((len(m), 1))
        return {
            "topics_micro_f1": m[:, 0:3],
            "primary_accuracy": np.hstack([m[:, 3:4], ones]),
            "section_accuracy": np.hstack([m[:, 4:5], ones]),
            "subset_accuracy": np.hstack([m[:, 5:6], ones]),
            "hamming_loss": np.hstack([m[:, 6:7], ones * len(TOPICS)]),
        }

    # -- LLM prompt and answers (benchmark.tasks.topics_llm) -------------------------------

    def llm_prompt(self, *, unit: str = "line", style: str = "chat") -> Any:
        from benchmark.tasks import topics_llm

        definitions = tuple((t, TAXONOMY[t].definition_zh) for t in TOPICS)
        return topics_llm.prompt(SECTIONS, definitions, unit, style)

    def llm_requests(self, doc: Any, *, unit: str = "line", style: str = "chat") -> list[Any]:
        """One request per paragraph unit, or per document."""
        from benchmark.tasks import topics_llm

        return topics_llm.requests(doc, self.llm_prompt(unit=unit, style=style))

    def llm_parse(self, doc: Any, request: Any, text: str) -> Any:
        """The record of one unit (or of every unit a document answer names); no fallback."""
        from benchmark.tasks import topics_llm

        return topics_llm.parse(doc, request, text, SECTIONS, TOPICS)

    def llm_reference(self, doc: Document, request: Any) -> str:
        """The gold answer of one request, as the prompt asks for it."""
        from benchmark.tasks import topics_llm

        return topics_llm.reference(doc, request)

    def check(
        self, doc: Document, records: Sequence[Paragraph], *, file: str, gold: bool = True
    ) -> list[Problem]:
        problems: list[Problem] = []
        for i, unit in enumerate(records, start=1):
            if unit.section not in SECTIONS:
                problems.append(
                    Problem(
                        file,
                        i,
                        "section",
                        f"unknown section {unit.section!r}; expected one of {', '.join(SECTIONS)}",
                    )
                )
            if not unit.topics:
                problems.append(Problem(file, i, "topics", "at least one topic is required"))
            for topic in unit.topics:
                if topic not in TOPICS:
                    problems.append(
                        Problem(
                            file, i, "topics", f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}"
                        )
                    )
            if len(set(unit.topics)) != len(unit.topics):
                problems.append(Problem(file, i, "topics", f"repeated topic in {list(unit.topics)}"))
        return problems + _coverage(doc, records, file=file, complete=gold)


def _coverage(
    doc: Document, records: Sequence[Paragraph], *, file: str, complete: bool = True
) -> list[Problem]:
    """Every expected unit at most once (exactly once when ``complete``: gold), and nothing else.

    Predictions may leave units out: a missing unit scores as wrong, it is not malformed.
    """
    expected = expected_units(doc)
    wanted = set(expected)
    seen: dict[tuple[int, int], int] = {}
    problems = []
    for i, unit in enumerate(records, start=1):
        span = (unit.start, unit.end)
        if span not in wanted:
            problems.append(
                Problem(
                    file,
                    i,
                    "start",
                    f"[{unit.start}, {unit.end}) is not a "
                    "paragraph unit (a non-empty, non-heading line without "
                    "its outer whitespace)",
                )
            )
        elif span in seen:
            problems.append(
                Problem(
                    file,
                    i,
                    "start",
                    f"unit [{unit.start}, {unit.end}) is already annotated on line {seen[span]}",
                )
            )
        else:
            seen[span] = i
    for start, end in expected if complete else ():
        if (start, end) not in seen:
            problems.append(
                Problem(
                    file, None, None, f"missing paragraph unit [{start}, {end}): {doc.text[start:end][:30]!r}"
                )
            )
    return problems
