"""The ``rules`` adapter: regular expressions and keyword rules, no model.

* ``ner``: DATE only, by regex: years (``2020``, ``2020年``, ``2020年1月8日``) and
  month-days (``1月8日``). A bare four-digit number counts as a year only when it is
  19xx/20xx and not followed by a digit, a scale, 余/多, % or a measure word.
* ``numeric``: a regex finds number + scale + approximation marker + measure word
  (+ 以上/以下); :func:`benchmark.normalize.parse_quantity` reads it; the guideline
  exclusions (dates, ordinals, the article 一, quoted numbers, numbers inside names)
  are shared with the taggers (:func:`benchmark.adapters._tagging.excluded_quantity`).
  近 before a time span (``近三年``, 'the last three years') is left out of the span.
  Metric: the phrase before the quantity back to the previous punctuation or
  quantity, with predicate words before the number trimmed (``破案率创`` ->
  ``破案率``), when it is at least ``min_metric_chars`` long and the unit is not a
  duration or frequency (年, 次); otherwise the phrase after the quantity up to the
  next punctuation or a function word (``6个派出所被`` -> ``派出所``).
* ``topics``: every unit is scored by hits of the taxonomy's keywords
  (``TAXONOMY[topic].keywords``, written from the definitions, not from the
  article); see :func:`score_topics` and :func:`assign_sections` (the section
  heuristic, shared with ``tfidf-cosine``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
from benchmark.tasks.topics import SECTIONS, TAXONOMY, TOPICS

_MEASURE = "|".join(sorted(MEASURE_WORDS, key=len, reverse=True))
QUANTITY_RE = re.compile(
    rf"(?:约|近)?(?:\d+(?:\.\d+)?|[{CN_NUMERALS}]+)(?:余|多)?(?:万亿|亿|万)?(?:余|多)?"
    rf"(?:%|{_MEASURE})(?:以上|以下)?"
)
DATE_RE = re.compile(
    r"(?<![\d.])(?:(?:19|20)\d\d年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|(?:19|20)\d\d(?![\d.%余多万亿]))"
)
# After a quantity, the metric phrase stops at these function words.
_AFTER_STOPS = (
    "被",
    "的",
    "为",
    "在",
    "和",
    "与",
    "得",
    "是",
    "将",
    "已",
    "都",
    "提供",
    "荣获",
    "获得",
    "受到",
    "得到",
)
_FREQUENCY_UNITS = TIME_UNITS | {"次", "周年"}

# Section cues. "keywords" (a sidebar of key words) has generic layout words; the other
# sections are cued by the taxonomy keywords of the topics they report on.
KEYWORDS_SECTION_CUES = ("关键词", "链接", "相关链接", "数读", "盘点")
SECTION_TOPICS: dict[str, tuple[str, ...]] = {
    "politics": ("party_politics",),
    "duty": ("crime", "public_safety", "covid"),
    "reform": ("reform", "technology", "grassroots"),
    "discipline": ("team_discipline", "training"),
}
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
_SENTENCE_END = re.compile(r"[。!?!?…]")


@dataclass(frozen=True)
class RulesOptions:
    """Options of the rule baseline.

    Attributes:
        min_hits: Keyword hits a secondary topic needs.
        secondary_ratio: A secondary topic also needs this share of the primary topic's hits.
        min_metric_chars: Shortest phrase before a quantity taken as its metric.
    """

    min_hits: int = 2
    secondary_ratio: float = 0.5
    min_metric_chars: int = 3


def find_dates(text: str) -> list[Entity]:
    """Absolute dates by regex.

    Example:
        >>> [e.text for e in find_dates("2020年刚刚过去,1月8日召开2021四川公安会,2000余场")]
        ['2020年', '1月8日', '2021']
    """
    out = []
    for match in DATE_RE.finditer(text):
        after = text[match.end() : match.end() + 2]
        if match.group().isdigit() and any(after.startswith(m) for m in MEASURE_WORDS):
            continue
        out.append(Entity(match.start(), match.end(), match.group(), "DATE"))
    return out


def find_quantities(text: str, *, min_metric_chars: int = 3) -> list[NumericFact]:
    """Numeric facts by regex, the normalizer and the guideline exclusions.

    Example:
        >>> facts = find_quantities("侦办涉黑案件45起,命案现案破案率创98.78%,6个派出所被命名,2020年")
        >>> [(f.text, f.value, f.metric) for f in facts]
        [('45起', 45, '侦办涉黑案件'), ('98.78%', 98.78, '命案现案破案率'), ('6个', 6, '派出所')]
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
            start += 1  # 近三年: 'the last three years', not 'nearly'
        quantity = read_quantity(text[start:end])
        if quantity is None or excluded_quantity(text, start, end, quantity):
            continue
        metric = rule_metric(text, start, end, quantity.unit, floor=last_end, min_chars=min_metric_chars)
        if metric is not None:
            facts.append(make_fact(text, start, end, quantity, metric))
            last_end = end
    return facts


def _clause_start(text: str, start: int, floor: int) -> int:
    k = start
    while k > floor and text[k - 1] not in DELIMITERS and text[k - 1] != "\n":
        k -= 1
    return k


def _phrase_after(text: str, end: int) -> tuple[int, int] | None:
    k = end + 1 if text[end : end + 1] == "的" else end
    stop = k
    while stop < len(text) and text[stop] not in DELIMITERS and text[stop] != "\n" and stop - k < 12:
        if stop > k and text.startswith(_AFTER_STOPS, stop):
            break
        stop += 1
    return (k, stop) if stop > k else None


def rule_metric(
    text: str, start: int, end: int, unit: str, *, floor: int = 0, min_chars: int = 3
) -> tuple[int, int] | None:
    """The metric span of the quantity ``text[start:end]`` (see the module docstring).

    Example:
        >>> t = "所平均警力上升为11人"
        >>> s, e = rule_metric(t, 8, 11, "人")
        >>> t[s:e]
        '所平均警力'
    """
    begin = _clause_start(text, start, floor)
    stop = trim_predicate(text, begin, start)
    if stop - begin >= min_chars and unit not in _FREQUENCY_UNITS:
        return begin, stop
    after = _phrase_after(text, end)
    if after is not None:
        return after
    return (begin, stop) if stop > begin else None


def keyword_hits(text: str) -> dict[str, int]:
    """Occurrences of each topic's taxonomy keywords in ``text``."""
    return {topic: sum(text.count(k) for k in TAXONOMY[topic].keywords) for topic in TOPICS}


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


def assign_sections(doc: InputDocument) -> list[str]:
    """A section for every unit, from its position relative to the heading lines.

    Headings are the lines that are not units. Before the first heading (front
    matter): units up to the last one with a page-furniture keyword are
    ``masthead``, except a unit naming a reporter (记者), the ``byline``; later units
    are ``lead`` if they read as sentences (sentence punctuation or over 40
    characters), else ``title``. After a heading block: ``keywords`` if the
    headings hold a sidebar cue (关键词, 链接...), else the section whose topics'
    taxonomy keywords occur most in the headings, or, with no hit there, in the units
    under them; ``duty`` when nothing matches.
    """
    unit_set = set(doc.units)
    blocks = _heading_blocks(doc, unit_set)
    first_heading = min((s for s, _ in doc.lines if (s, _) not in unit_set), default=len(doc.text))
    front = [u for u in doc.units if u[0] < first_heading]
    sections = _front_sections(doc.text, front)
    for heading_text, units in blocks:
        sections += [_body_section(doc.text, heading_text, units)] * len(units)
    return sections


def _heading_blocks(doc: InputDocument, unit_set: set[tuple[int, int]]) -> list[tuple[str, list]]:
    """``(joined heading text, units under it)`` for each run of consecutive heading lines."""
    blocks: list[tuple[str, list]] = []
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


def _front_sections(text: str, units: Sequence[tuple[int, int]]) -> list[str]:
    furniture = TAXONOMY["page_furniture"].keywords
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
        elif _SENTENCE_END.search(body) or len(body) > 40:
            out.append("lead")
        else:
            out.append("title")
    return out


def _body_section(text: str, heading: str, units: Sequence[tuple[int, int]]) -> str:
    if any(cue in heading for cue in KEYWORDS_SECTION_CUES):
        return "keywords"
    for sample in (heading, " ".join(text[s:e] for s, e in units)):
        hits = keyword_hits(sample)
        scores = {sec: sum(hits[t] for t in topics) for sec, topics in SECTION_TOPICS.items()}
        best = max(scores, key=lambda s: (scores[s], -SECTIONS.index(s)))
        if scores[best] > 0:
            return best
    return "duty"


def topics_for_section(section: str, ranked: tuple[str, ...]) -> tuple[str, ...]:
    """Masthead and byline units are page furniture and titles overview, by the taxonomy's definitions."""
    if section in ("masthead", "byline"):
        return ("page_furniture",)
    if section == "title":
        return ("overview",)
    return ranked


@register_adapter
class RulesAdapter(Adapter):
    """Regex dates and quantities, keyword topics."""

    name = "rules"
    version = "1"
    tasks = ("ner", "numeric", "topics")
    labels = ("DATE",)
    Options = RulesOptions
    description = "regular expressions (DATE, quantities via the normalizer) and taxonomy-keyword topic rules"

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """Dates, numeric facts or paragraph topics for each document, in order."""
        if task not in self.tasks:
            raise ValueError(f"rules does not support task {task!r}")
        return [Prediction(doc.id, records=self._records(task, doc)) for doc in documents]

    def _records(self, task: str, doc: InputDocument) -> list[Any]:
        if task == "ner":
            return find_dates(doc.text)
        if task == "numeric":
            return find_quantities(doc.text, min_metric_chars=self.options.min_metric_chars)
        return self._topics(doc)

    def _topics(self, doc: InputDocument) -> list[Paragraph]:
        out = []
        for (start, end), section in zip(doc.units, assign_sections(doc), strict=True):
            ranked = rank_topics(
                dict(keyword_hits(doc.text[start:end])),
                minimum=self.options.min_hits,
                ratio=self.options.secondary_ratio,
                default=DEFAULT_TOPIC[section],
            )
            out.append(Paragraph(start, end, section, topics_for_section(section, ranked)))
        return out
