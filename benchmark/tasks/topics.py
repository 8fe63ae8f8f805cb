"""Task ``topics.v1``: the section and topics of every paragraph unit.

A unit is each non-empty line that is not a heading, without its outer
whitespace. The taxonomy is defined in annotations/GUIDELINES.md (section C).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmark.document import Document
from benchmark.schema import Paragraph, Problem, record_to_dict
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

    The keywords are written from the definition (general police-report vocabulary),
    not collected from the article's paragraphs; rule and similarity baselines use them.
    """

    definition: str
    definition_zh: str
    keywords: tuple[str, ...]


TAXONOMY: dict[str, TopicDefinition] = {
    "party_politics": TopicDefinition(
        "Party leadership and political work: studying Party doctrine and plenums, political loyalty, "
        "Party building inside the police, political education.",
        "党的领导与政治建设:学习贯彻党的理论和会议精神、政治忠诚、党建、政治教育。",
        ("党", "党建", "政治", "思想", "全会", "精神", "忠诚", "初心", "使命", "旗帜", "学习贯彻", "支部"),
    ),
    "covid": TopicDefinition(
        "The COVID-19 epidemic: prevention and control work, quarantine order, infection in custody.",
        "新冠肺炎疫情:疫情防控、隔离、救治秩序、监管场所防疫。",
        ("疫情", "防控", "新冠", "肺炎", "隔离", "感染", "救治", "防疫"),
    ),
    "crime": TopicDefinition(
        "Fighting crime: investigating and solving cases, arrests, fugitives, gangs, fraud, gambling, "
        "drugs, seizure of criminal assets, clearance rates.",
        "打击违法犯罪:侦破案件、抓捕、追逃、扫黑除恶、诈骗、赌博、禁毒、涉案资产、破案率。",
        ("犯罪", "案件", "破案", "侦办", "破获", "抓获", "逃犯", "嫌疑人", "诈骗", "赌博", "禁毒", "毒品",
         "涉黑", "黑恶", "打击", "扫黑除恶", "涉案"),
    ),
    "public_safety": TopicDefinition(
        "Public safety and security: disaster rescue, security for major events, road traffic safety, "
        "dangerous goods and regulated trades, the public's sense of security.",
        "公共安全:抢险救灾、重大活动安保、道路交通安全、危爆物品与重点行业监管、群众安全感。",
        ("安全", "安保", "交通", "事故", "灾", "洪", "救援", "转移", "危化", "枪支", "监管", "安全感"),
    ),
    "reform": TopicDefinition(
        "Reform of institutions and systems: restructuring forces, management systems, new units, "
        "command systems.",
        "改革与体制机制:部队和机构改革、管理体制调整、新设队伍、指挥体系建设。",
        ("改革", "体制", "机构", "调整", "设立", "组建", "机制", "体系"),
    ),
    "technology": TopicDefinition(
        "Science and technology in policing: big data, platforms, servers, mobile terminals, "
        "information systems.",
        "科技信息化:大数据、平台、服务器、移动警务终端、信息系统。",
        ("科技", "数据", "大数据", "平台", "服务器", "终端", "信息化", "智能", "计算", "网络"),
    ),
    "grassroots": TopicDefinition(
        "Grassroots policing: police stations, their staffing and model stations (the Fengqiao model).",
        "基层基础:派出所建设、警力配置、枫桥式派出所等基层示范。",
        ("基层", "派出所", "枫桥", "警力", "社区", "基础"),
    ),
    "team_discipline": TopicDefinition(
        "Building and disciplining the force: education and rectification, integrity, strict governance "
        "of the police.",
        "队伍建设与纪律:教育整顿、廉政、从严治警、队伍作风。",
        ("队伍", "教育整顿", "廉政", "纪律", "从严", "作风", "整顿", "铁军", "自查"),
    ),
    "training": TopicDefinition(
        "Training and combat readiness: training courses, drills, competitions, exercises.",
        "教育训练与实战能力:培训班、练兵、比武竞赛、演练、实战。",
        ("训练", "培训", "练兵", "比武", "演练", "实战", "参训", "竞赛"),
    ),
    "poverty_alleviation": TopicDefinition(
        "Poverty alleviation: paired assistance to poor counties, police support for lifting areas "
        "out of poverty.",
        "扶贫脱贫:对口帮扶、助力脱贫攻坚、贫困地区。",
        ("扶贫", "脱贫", "贫困", "帮扶", "攻坚"),
    ),
    "honours": TopicDefinition(
        "Honours: formal awards, commendations, titles of advanced collectives and individuals, named "
        "model police officers (praise from superiors is not an honour).",
        "荣誉表彰:立功、表彰、先进集体和个人称号、英模代表(上级肯定不算荣誉)。",
        ("荣获", "表彰", "先进", "称号", "一等功", "英模", "殊荣", "荣记", "红旗"),
    ),
    "overview": TopicDefinition(
        "Overview: headline, kicker and lead statements that summarise the year's results as a whole.",
        "综述:标题、引题和导语中对全年成绩的总体概括。",
        ("成绩单", "过去", "发布会", "公布", "一年", "全年", "总结", "战略"),
    ),
    "page_furniture": TopicDefinition(
        "Page furniture: masthead, page numbers, app promotion, navigation lines and the byline.",
        "版面元素:报头、版次、客户端推广、导航和署名。",
        ("华西都市报", "扫一扫", "下载", "APP", "记者", "都在看", "精彩", "版"),
    ),
}  # fmt: skip
TOPICS = tuple(TAXONOMY)


def expected_units(doc: Document) -> list[tuple[int, int]]:
    """The spans every topics file must cover: non-empty lines minus headings."""
    heading_spans = {(h.start, h.end) for h in doc.headings}
    return [span for span in doc.lines() if span not in heading_spans]


@register_task
class TopicsTask(Task):
    """Section and multi-label topics per paragraph unit (first topic = primary)."""

    name = "topics.v1"
    key = "topics"
    gold_file = "paragraphs.jsonl"
    record_type = Paragraph
    description = "section and topics (multi-label, first = primary) of every paragraph unit"
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
        from benchmark.export import topic_rows

        return topic_rows(doc)

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

    def _aligned(self, doc: Document, pred: Sequence[Paragraph]) -> list[tuple[Paragraph, Paragraph]]:
        by_span = {(p.start, p.end): p for p in pred}
        gold = sorted(doc.gold.get("topics", []), key=lambda u: u.start)
        missing = [(g.start, g.end) for g in gold if (g.start, g.end) not in by_span]
        if missing:
            raise ValueError(f"predictions miss paragraph units {missing[:3]} (of {len(missing)})")
        return [(g, by_span[(g.start, g.end)]) for g in gold]

    def details(self, doc: Document, pred: Sequence[Paragraph], ctx: ScoringContext) -> dict[str, Any]:
        from benchmark.metrics import score_topics

        gold = [record_to_dict(u) for u in doc.gold.get("topics", [])]
        return score_topics(
            gold, [record_to_dict(u) for u in pred], labels=list(TOPICS), section_labels=list(SECTIONS)
        ).to_dict()

    def unit_stats(
        self, doc: Document, pred: Sequence[Paragraph], ctx: ScoringContext
    ) -> dict[str, np.ndarray]:
        rows = []
        for gold, guess in self._aligned(doc, pred):
            g, p = set(gold.topics), set(guess.topics)
            rows.append(
                [len(g & p), len(p - g), len(g - p),
                 float(bool(guess.topics) and guess.topics[0] == gold.topics[0]),
                 float(guess.section == gold.section), float(g == p), len(g ^ p)]
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
        return problems + _coverage(doc, records, file=file)


def _coverage(doc: Document, records: Sequence[Paragraph], *, file: str) -> list[Problem]:
    """Every expected unit exactly once, and nothing else."""
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
    for start, end in expected:
        if (start, end) not in seen:
            problems.append(
                Problem(
                    file, None, None, f"missing paragraph unit [{start}, {end}): {doc.text[start:end][:30]!r}"
                )
            )
    return problems
