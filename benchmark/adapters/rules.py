"""The ``rules`` adapter: a general rule system (regular expressions and keywords, no model).

With one test document, every hand-written rule risks being developed on the test set. This
module keeps only rules that hold for any Chinese news page or that implement a decision of
annotations/GUIDELINES.md (cited where used); the rules that were shaped on the article live
in :mod:`benchmark.adapters.rules_article` (``rules-article``, ``reads = "article"``).

* ``ner``: DATE only, by regex: years (``2020``, ``2020年``, ``2020年1月8日``) and
  month-days (``1月8日``). A bare four-digit number counts as a year only when it is
  19xx/20xx and not followed by a digit, a scale, 余/多, % or a measure word.
* ``numeric``: a regex finds number + scale + approximation marker + measure word
  (+ 以上/以下); :func:`benchmark.normalize.parse_quantity` reads it; the guideline
  exclusions of GUIDELINES B "What is not" (dates, ordinals, the article 一, quoted numbers,
  anniversaries) are shared with the taggers (:func:`benchmark.adapters._tagging.excluded_quantity`);
  the plenum-session exclusion there was written for this article and is not applied.
  Metric (GUIDELINES B-D1/B-D2): the phrase before the quantity back to the previous
  punctuation or quantity, predicate words before the number trimmed, when it has at least
  ``min_metric_chars`` characters; durations take the phrase after them (B-D5); otherwise
  the phrase after the quantity (B-D3), up to punctuation or a function word.
* ``topics``: each unit's topics are ranked by hits of the taxonomy's keywords
  (``TAXONOMY[topic].keywords`` in :mod:`benchmark.tasks.topics`, written from each topic's
  definition and general police/news vocabulary without opening the article: see there).
  Sections come from the page's structure (:func:`assign_sections`), never from heading texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from benchmark.adapters._tagging import (
    CN_NUMERALS,
    DELIMITERS,
    MEASURE_WORDS,
    TIME_UNITS,
    excluded_quantity,
    make_fact,
    read_quantity,
    trim_predicate,
)
from benchmark.adapters.base import Adapter, InputDocument, Prediction, register_adapter
from benchmark.schema import Entity, NumericFact, Paragraph
from benchmark.tasks.topics import TAXONOMY, TOPICS

_MEASURE = "|".join(sorted(MEASURE_WORDS, key=len, reverse=True))
QUANTITY_RE = re.compile(
    rf"(?:约|近)?(?:\d+(?:\.\d+)?|[{CN_NUMERALS}]+)(?:余|多)?(?:万亿|亿|万)?(?:余|多)?"
    rf"(?:%|{_MEASURE})(?:以上|以下)?"
)
DATE_RE = re.compile(
    r"(?<![\d.])(?:(?:19|20)\d\d年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|(?:19|20)\d\d(?![\d.%余多万亿]))"
)
_SENTENCE_END = re.compile(r"[。!?!?…;;]")

Keywords = Mapping[str, Sequence[str]]
"""Topic -> cue words."""


# ------------------------------------------------------------------------------------ numeric


@dataclass(frozen=True)
class NumericRules:
    """The choices a rule system makes when it reads numeric facts.

    Attributes:
        after_stops: Words at which a metric phrase after the quantity stops.
        metric_after_units: Units whose metric is always the phrase after the quantity.
        skipped_exclusions: Reasons of :func:`excluded_quantity` that this system does not apply.
    """

    after_stops: tuple[str, ...]
    metric_after_units: frozenset[str]
    skipped_exclusions: frozenset[str] = frozenset()


# General Chinese function words (particles, prepositions, conjunctions, copulas, adverbs),
# listed from grammar, not from the article.
FUNCTION_WORDS = (
    "被", "的", "了", "为", "在", "和", "与", "及", "得", "是", "将", "已", "都", "也", "并", "把",
    "对", "向", "从", "由",
)  # fmt: skip

GENERAL_NUMERIC = NumericRules(
    after_stops=FUNCTION_WORDS,
    metric_after_units=frozenset(TIME_UNITS),  # GUIDELINES B-D5: durations take the phrase that lasted
    # The plenum-session rule (十一届三次…全会) was written for this article: not general.
    skipped_exclusions=frozenset({"session number (part of a name)"}),
)


@dataclass(frozen=True)
class RulesOptions:
    """Options of the rule baselines.

    Attributes:
        min_hits: Keyword hits a secondary topic needs.
        secondary_ratio: A secondary topic also needs this share of the primary topic's hits.
        min_metric_chars: Shortest phrase before a quantity taken as its metric.
    """

    min_hits: int = 2
    secondary_ratio: float = 0.5
    min_metric_chars: int = 3


def find_dates(text: str) -> list[Entity]:
    """Absolute dates by regex (GUIDELINES A: DATE is an absolute date, never a relative one).

    Example:
        >>> [e.text for e in find_dates("2019年秋天,3月15日召开2022工作会议,2000余场")]
        ['2019年', '3月15日', '2022']
    """
    out = []
    for match in DATE_RE.finditer(text):
        after = text[match.end() : match.end() + 2]
        if match.group().isdigit() and any(after.startswith(m) for m in MEASURE_WORDS):
            continue
        out.append(Entity(match.start(), match.end(), match.group(), "DATE"))
    return out


def find_quantities(
    text: str, *, min_metric_chars: int = 3, rules: NumericRules = GENERAL_NUMERIC
) -> list[NumericFact]:
    """Numeric facts by regex, the normalizer and the guideline exclusions.

    Example:
        >>> facts = find_quantities("破获盗窃案件12起,事故死亡率为3.5%,连续3年获评,5个社区被命名")
        >>> [(f.text, f.value, f.metric) for f in facts]
        [('12起', 12, '破获盗窃案件'), ('3.5%', 3.5, '事故死亡率'), ('3年', 3, '获评'), ('5个', 5, '社区')]
    """
    facts: list[NumericFact] = []
    last_end = 0
    for match in QUANTITY_RE.finditer(text):
        start, end = match.span()
        if (
            text[start] == "近"
            and read_quantity(text[start + 1 : end])
            and match.group().endswith(tuple(TIME_UNITS))
        ):
            start += 1  # GUIDELINES B1: 近三年 -> 三年 (近 means 'the past' before a time span)
        quantity = read_quantity(text[start:end])
        if quantity is None:
            continue
        reason = excluded_quantity(text, start, end, quantity)
        if reason is not None and reason not in rules.skipped_exclusions:
            continue
        metric = rule_metric(
            text, start, end, quantity.unit, floor=last_end, min_chars=min_metric_chars, rules=rules
        )
        if metric is not None:
            facts.append(make_fact(text, start, end, quantity, metric))
            last_end = end
    return facts


def _clause_start(text: str, start: int, floor: int) -> int:
    k = start
    while k > floor and text[k - 1] not in DELIMITERS and text[k - 1] != "\n":
        k -= 1
    return k


def _phrase_after(text: str, end: int, stops: tuple[str, ...]) -> tuple[int, int] | None:
    k = end + 1 if text[end : end + 1] == "的" else end
    stop = k
    while stop < len(text) and text[stop] not in DELIMITERS and text[stop] != "\n" and stop - k < 12:
        if stop > k and text.startswith(stops, stop):
            break
        stop += 1
    return (k, stop) if stop > k else None


def rule_metric(
    text: str,
    start: int,
    end: int,
    unit: str,
    *,
    floor: int = 0,
    min_chars: int = 3,
    rules: NumericRules = GENERAL_NUMERIC,
) -> tuple[int, int] | None:
    """The metric span of the quantity ``text[start:end]`` (see the module docstring).

    Example:
        >>> t = "辖区平均警力上升为11人"
        >>> s, e = rule_metric(t, 9, 12, "人")
        >>> t[s:e]
        '辖区平均警力'
    """
    begin = _clause_start(text, start, floor)
    stop = trim_predicate(text, begin, start)
    if stop - begin >= min_chars and unit not in rules.metric_after_units:
        return begin, stop
    after = _phrase_after(text, end, rules.after_stops)
    if after is not None:
        return after
    return (begin, stop) if stop > begin else None


# ------------------------------------------------------------------------------------- topics


def taxonomy_keywords() -> dict[str, tuple[str, ...]]:
    """Each topic's cue words from the taxonomy (:data:`benchmark.tasks.topics.TAXONOMY`)."""
    return {topic: TAXONOMY[topic].keywords for topic in TOPICS}


def keyword_hits(text: str, keywords: Keywords | None = None) -> dict[str, int]:
    """Occurrences of each topic's keywords in ``text`` (default: the taxonomy's).

    Example:
        >>> keyword_hits("破获诈骗案件", {"crime": ("诈骗", "案件"), "covid": ("疫情",)})
        {'crime': 2, 'covid': 0}
    """
    keywords = taxonomy_keywords() if keywords is None else keywords
    return {topic: sum(text.count(k) for k in keywords[topic]) for topic in keywords}


def rank_topics(scores: dict[str, float], *, minimum: float, ratio: float, default: str) -> tuple[str, ...]:
    """Primary = best score (ties in taxonomy order), secondaries above both thresholds.

    Example:
        >>> rank_topics({"crime": 5, "covid": 3, "reform": 1}, minimum=2, ratio=0.5, default="overview")
        ('crime', 'covid')
        >>> rank_topics({"crime": 0}, minimum=2, ratio=0.5, default="overview")
        ('overview',)
    """
    order = sorted((t for t in scores if scores[t] > 0), key=lambda t: (-scores[t], TOPICS.index(t)))
    if not order:
        return (default,)
    best = scores[order[0]]
    rest = [t for t in order[1:] if scores[t] >= minimum and scores[t] >= ratio * best]
    return (order[0], *rest)


DEFAULT_TOPIC = {
    "masthead": "page_furniture",
    "byline": "page_furniture",
    "title": "overview",
    "lead": "overview",
    "keywords": "overview",
    "politics": "party_politics",
    "duty": "crime",
    "reform": "reform",
    "discipline": "team_discipline",
}
"""The topic of a unit without any keyword hit: what its section's name says it is about."""


def topics_for_section(section: str, ranked: tuple[str, ...]) -> tuple[str, ...]:
    """GUIDELINES C: masthead and byline units take page_furniture; title units take overview."""
    if section in ("masthead", "byline"):
        return ("page_furniture",)
    if section == "title":
        return ("overview",)
    return ranked


# ----------------------------------------------------------------------------------- sections
#
# Sections of the task's inventory (``SECTIONS``) from structure cues that hold for any news
# page: front matter before the first heading (masthead, title, byline, lead), then blocks of
# units under runs of heading lines. No cue is taken from the article's strings (its masthead,
# heading texts, app promotion); the cue lists below are general newspaper vocabulary.

BYLINE_CUES = ("记者", "通讯员", "实习生", "责编", "编辑", "摄影", "文/", "图/", "文／", "图／")
"""A short, non-sentence front unit holding one of these is the byline."""

PAGE_CUES = re.compile(
    r"(?<![A-Za-z])[A-Z]\d{1,2}(?!\d)|第\s*\d+\s*版|星期[一二三四五六日天]|周[一二三四五六日]|"
    r"\d{4}年\d{1,2}月\d{1,2}日|^[•·▶►■●◆]"
)
"""Page numbers (A7, 第3版), dates and weekdays of the issue, bullets of navigation lines."""

SIDEBAR_CUES = (
    "链接", "相关链接", "关键词", "数读", "盘点", "延伸阅读", "名词解释", "小贴士", "图解", "背景",
)  # fmt: skip
"""A heading run holding one of these opens a sidebar: the ``keywords`` section."""

TITLE_MAX_UNITS = 3
"""A Chinese news title has at most three lines: kicker (引题), headline (主题), subtitle (副题)."""

BODY_SECTION_TOPICS: dict[str, tuple[str, ...]] = {
    "politics": ("party_politics",),
    "duty": ("crime", "public_safety", "covid"),
    "reform": ("reform", "technology"),
    "discipline": ("team_discipline", "training"),
}
"""The body sections of the inventory read by their names, in the general formula of Chinese
police work 政治建警、改革强警、科技兴警、从严治警 (politics; reform with technology; discipline with
training as part of building the force) plus the police's operational duty (履职: crime,
public order and safety, emergencies). A block of units takes the section its topics vote for."""


def _is_sentence(body: str) -> bool:
    return bool(_SENTENCE_END.search(body)) or len(body) > 40


def _furniture_cue(body: str) -> bool:
    return bool(PAGE_CUES.search(body)) or any(k in body for k in TAXONOMY["page_furniture"].keywords)


def _front_sections(bodies: Sequence[str]) -> list[str]:
    """Sections of the units before the first heading (see :func:`assign_sections`)."""
    n = len(bodies)
    byline = next(
        (i for i, b in enumerate(bodies) if not _is_sentence(b) and any(c in b for c in BYLINE_CUES)), None
    )
    if byline is not None:
        title_start = byline
        while (
            title_start > 0
            and byline - title_start < TITLE_MAX_UNITS
            and not _is_sentence(bodies[title_start - 1])
            and not _furniture_cue(bodies[title_start - 1])
        ):
            title_start -= 1
        out = ["masthead"] * title_start + ["title"] * (byline - title_start) + ["byline"]
        return out + ["lead"] * (n - byline - 1)
    # No byline: the masthead is the run of non-sentence units up to the last one with a page cue.
    mast_end = 0
    for i, body in enumerate(bodies):
        if _is_sentence(body):
            break
        if _furniture_cue(body):
            mast_end = i + 1
    out = ["masthead"] * mast_end
    i = mast_end
    while i < n and i - mast_end < TITLE_MAX_UNITS and not _is_sentence(bodies[i]):
        out.append("title")
        i += 1
    return out + ["lead"] * (n - i)


def heading_blocks(doc: InputDocument) -> list[tuple[str, list[tuple[int, int]]]]:
    """``(joined heading text, units under it)`` for each run of consecutive heading lines."""
    unit_set = set(doc.units)
    blocks: list[tuple[str, list[tuple[int, int]]]] = []
    in_heading = False
    for span in doc.lines:
        if span in unit_set:
            if blocks:
                blocks[-1][1].append(span)
            in_heading = False
        elif in_heading:
            blocks[-1] = (blocks[-1][0] + " " + doc.text[span[0] : span[1]], blocks[-1][1])
        else:
            blocks.append((doc.text[span[0] : span[1]], []))
            in_heading = True
    return blocks


def _section_votes(text: str, keywords: Keywords | None) -> dict[str, int]:
    hits = keyword_hits(text, keywords)
    return {sec: sum(hits.get(t, 0) for t in topics) for sec, topics in BODY_SECTION_TOPICS.items()}


def _body_sections(votes: Sequence[dict[str, int]]) -> list[str]:
    """One body section per block: greedily the best (block, section) vote, each section once
    while some are left (a news page does not repeat a section); ties in inventory order."""
    order = list(BODY_SECTION_TOPICS)
    chosen: dict[int, str] = {}
    free = list(order)
    pairs = sorted(
        ((-v[s], i, order.index(s), s) for i, v in enumerate(votes) for s in order),
    )
    while len(chosen) < len(votes):
        pool = free or order
        for _, i, _, section in pairs:
            if i not in chosen and section in pool:
                chosen[i] = section
                if section in free:
                    free.remove(section)
                break
    return [chosen[i] for i in range(len(votes))]


def assign_sections(doc: InputDocument, keywords: Keywords | None = None) -> list[str]:
    """A section for every unit, from the page's structure and the topics' keywords.

    Units before the first heading (front matter): the byline is the short unit with a
    byline cue (记者, 通讯员...); the title is the run of at most :data:`TITLE_MAX_UNITS` short
    units right before it (without a page cue); units before the title are the masthead and
    units after the byline the lead. Without a byline, the masthead is the run of short units
    up to the last one with a page cue (:data:`PAGE_CUES`, the taxonomy's page_furniture
    keywords), followed by the title lines, then the lead. After the front matter, each run of
    heading lines opens a block: a sidebar (``keywords``) when the headings hold a sidebar cue,
    else the body section its units' keywords vote for (:data:`BODY_SECTION_TOPICS`). Heading
    texts are read for sidebar cues only, never matched to sections.

    Example:
        >>> text = "晨报 A3版\\n暴雨中的坚守\\n本报记者 王五\\n昨日,全市民警投入抢险救灾。\\n链接\\n数字\\n"
        >>> text += "标题一\\n全年破获盗窃案件12起,抓获嫌疑人8名。\\n"
        >>> lines = ((0, 6), (7, 13), (14, 21), (22, 36), (37, 39), (40, 42), (43, 46), (47, 66))
        >>> units = tuple(lines[i] for i in (0, 1, 2, 3, 5, 7))
        >>> assign_sections(InputDocument("d", text, units, lines))
        ['masthead', 'title', 'byline', 'lead', 'keywords', 'duty']
    """
    unit_set = set(doc.units)
    first_heading = min((s for s, e in doc.lines if (s, e) not in unit_set), default=len(doc.text))
    front = [doc.text[s:e] for s, e in doc.units if s < first_heading]
    sections = _front_sections(front)
    body = [(h, units) for h, units in heading_blocks(doc) if units]
    sidebar = [any(cue in h for cue in SIDEBAR_CUES) for h, _ in body]
    votes = [
        _section_votes(" ".join(doc.text[s:e] for s, e in units), keywords)
        for (_, units), side in zip(body, sidebar, strict=True)
        if not side
    ]
    picked = iter(_body_sections(votes))
    for (_, units), side in zip(body, sidebar, strict=True):
        sections += ["keywords" if side else next(picked)] * len(units)
    return sections


# ------------------------------------------------------------------------------------ adapter


@register_adapter
class RulesAdapter(Adapter):
    """General regex dates and quantities, taxonomy-keyword topics, structural sections."""

    name = "rules"
    kind = "rules"
    version = "3"  # 2: general system (article rules moved to rules-article); 3: _tagging.ADVERBS
    tasks = ("ner", "numeric", "topics")
    labels = ("DATE",)
    Options = RulesOptions
    reads = "nothing"
    description = (
        "general regular expressions (DATE, quantities via the normalizer), taxonomy-keyword topics "
        "and page-structure sections (no cue from the article)"
    )
    numeric_rules: ClassVar[NumericRules] = GENERAL_NUMERIC

    def keywords(self) -> Keywords:
        """Topic -> cue words used for topics and section votes."""
        return taxonomy_keywords()

    def sections(self, doc: InputDocument) -> list[str]:
        """A section for every unit of ``doc``."""
        return assign_sections(doc, self.keywords())

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """Dates, numeric facts or paragraph topics for each document, in order."""
        if task not in self.tasks:
            raise ValueError(f"{self.name} does not support task {task!r}")
        finders: dict[str, Callable[[InputDocument], list[Any]]] = {
            "ner": lambda doc: find_dates(doc.text),
            "numeric": lambda doc: find_quantities(
                doc.text, min_metric_chars=self.options.min_metric_chars, rules=self.numeric_rules
            ),
            "topics": self._topics,
        }
        return [Prediction(doc.id, records=finders[task](doc)) for doc in documents]

    def _topics(self, doc: InputDocument) -> list[Paragraph]:
        keywords = self.keywords()
        out = []
        for (start, end), section in zip(doc.units, self.sections(doc), strict=True):
            ranked = rank_topics(
                keyword_hits(doc.text[start:end], keywords),
                minimum=self.options.min_hits,
                ratio=self.options.secondary_ratio,
                default=DEFAULT_TOPIC[section],
            )
            out.append(Paragraph(start, end, section, topics_for_section(section, ranked)))
        return out
