"""The QA answer judge: is one free-text answer right for one hand-written question?

:func:`judge` returns a :class:`Verdict`: ``correct``, the ``rule`` that decided it, the
normalized exact match ``em`` and the character F1 ``f1`` (:func:`~benchmark.metrics.strings.char_f1`
on :func:`normalize_answer` forms, closest acceptable answer). The rules are those of
annotations/GUIDELINES.md section D (D6, D-D5..D-D12); each verdict names one of
:data:`RULES`:

* ``exact``: the normalized answer equals an acceptable answer (quotes, spaces, punctuation,
  width and case do not count).
* ``abstain``: an unanswerable question answered with an abstention in any natural wording
  (无法回答, 无法从文中得知, 原文没有给出, ...), as long as the answer commits to no figure the
  question does not contain. Wrong: ``abstained`` (an answerable question), ``not-abstained``.
* ``number-value``: the first quantity of the answer whose measure word fits has the gold value
  and unit (any wording: ``7910000000元`` for ``79.1亿元``); ``measure-word``: the same value
  with a measure word that counts the same thing (名/人/位; 个/家; 起/件; 次/回) or with none when
  the question names the unit (``79.1亿`` for 多少元); ``qualifier-dropped``: the gold's
  approximation or bound left out (``20年`` for ``20余年``). Wrong: ``wrong-value`` (another
  figure or magnitude: ``79.1万元``), ``wrong-unit`` (``人`` for ``人次``), ``wrong-qualifier``
  (a bound in the other direction: ``近20年`` for ``20余年``; ``28余名`` for ``28名``).
* ``list-set``: the same set of items in any order with any joiner (、 , ， 和 及 与 spaces), a
  shared prefix or suffix stated once or on every item, an item's jurisdiction added where the
  article writes it (``甘孜州道孚县和凉山州越西县``). Wrong: ``wrong-list`` (an item missing, added or
  different).
* ``name-variant``: a quoted name without its quotes or its head noun (``不忘初心、牢记使命`` for
  ``“不忘初心、牢记使命”主题教育``; ``案件`` for ``案``), or with an organiser, date or jurisdiction in
  front that the article writes right before it (``四川公安“向人民报告”新闻发布会``).
* ``span-contains``: the answer holds an acceptable answer, in order, plus only function words
  (的, 了, 已, 已经, 是, 在, ...) and at most one word of two or three characters per insertion
  taken from the question (``已全部清零``, ``发案逐年下降``, ``在全国得到推广``); a negation
  (不, 没, 未, 无, 非) that the gold does not have is never a function word.
* ``yes-no-polarity``: the polarity of the answer's first word (是/对/有/相同 vs 否/不/没/未/无/非;
  a copula 是 right before a negation is skipped), whatever follows. Wrong:
  ``wrong-polarity``, ``no-polarity``.
* ``no-answer`` (empty), ``no-match`` (an entity or span answer no rule accepts).

Which answer is scored: the first of a prediction's ``answers`` (the others are ignored).

Example:
    >>> from benchmark.tasks.qa import QAItem
    >>> q = QAItem("q13", "多少名民辅警荣获先进工作者称号?", ("28名",), "number", 28, "名", ((0, 1),))
    >>> judge(q, "28人")
    Verdict(correct=True, rule='measure-word', em=False, f1=0.6666666666666666)
    >>> judge(q, "28人次").rule
    'wrong-unit'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmark.normalize import NormalizationError, parse_quantity, values_match

from .strings import char_f1

__all__ = [
    "RULES",
    "UNANSWERABLE",
    "Article",
    "Verdict",
    "abstains",
    "char_f1",
    "judge",
    "judge_number",
    "normalize_answer",
    "polarity",
    "quantities",
]

UNANSWERABLE = "无法回答"

#: Every rule a verdict can name: the right ones first, then the wrong ones.
RULES = (
    "exact",
    "abstain",
    "number-value",
    "measure-word",
    "qualifier-dropped",
    "list-set",
    "name-variant",
    "span-contains",
    "yes-no-polarity",
    "no-answer",
    "abstained",
    "not-abstained",
    "wrong-value",
    "wrong-unit",
    "wrong-qualifier",
    "wrong-list",
    "wrong-polarity",
    "no-polarity",
    "no-match",
)

_DROP = re.compile(r"[\s\"'“”‘’「」『』《》()()\[\]【】,,、。.;;::!!??·\-—…]")
_OPEN_CLOSE = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", '"': '"', "'": "'"}
# Joiners of list items (outside quotes): enumeration comma, commas, 和/及/与/以及, slashes, spaces.
_JOINER = re.compile(r"(?:以及|[、,，和及与/;；\s])+")
_JOINER_NO_SPACE = re.compile(r"(?:以及|[、,，和及与/;；])+")
_NEGATION = "不没未无非"
# Grammatical words that may surround or sit inside a right span answer (never a negation).
_FUNCTION_WORDS = ("已经", "已", "的", "地", "得", "了", "着", "过", "都", "均")
_FUNCTION_WORDS += ("是", "为", "在", "于", "被", "将", "也", "就", "则")
_YES = ("是", "对", "有", "相同", "一样", "正确", "确实", "yes", "true")
_NO = ("否", "不", "没", "未", "无", "非", "no", "false")
_ABSTAIN = re.compile(
    r"无法|无从|不能(?:回答|确定|判断|得知)|不(?:知道|清楚|确定|详)|未知|不得而知"
    r"|(?:未|没有?|并未|并没有)(?:提及|提到|说明|给出|写明|披露|涉及|交代|列出|公布|报道|指出|记载|相关|此)"
    r"|(?:没有|无)(?:相关|这方面|该)?(?:信息|数据|答案|资料|记载)"
    r"|unanswerable|unknown|cannotbeanswered|notmentioned|notstated|^n/?a$"
)
# Measure words that count the same things (GUIDELINES D-D6).
_MEASURE_CLASSES = (frozenset("名人位"), frozenset("个家"), frozenset("起件"), frozenset("次回"))
# Head nouns that name the same kind of thing (GUIDELINES D-D8): 案 and 案件, 会 and 会议.
_HEAD_SYNONYMS = (("案件", "案"), ("会议", "会"))
_MAX_HEAD_NOUN = 5  # characters after a closing quote that count as a head noun
# Entity labels of the additions a name may carry in front: organiser, date, jurisdiction, title.
_ADDITION_LABELS = frozenset({"ORG", "GPE", "LOC", "DATE", "TITLE"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judge's decision on one answer.

    Attributes:
        correct: Whether a careful reader marks the answer right.
        rule: The rule that decided (one of :data:`RULES`).
        em: Normalized exact match with an acceptable answer.
        f1: Character F1 with the closest acceptable answer (0.0 for an empty answer).
    """

    correct: bool
    rule: str
    em: bool
    f1: float

    def as_dict(self) -> dict[str, Any]:
        """The verdict as JSON-able data (the per-question details of a score)."""
        return {"correct": self.correct, "rule": self.rule, "em": self.em, "f1": self.f1}

    def __getitem__(self, key: str) -> Any:
        """Mapping-style access (``verdict["correct"]``), as qa.v1's dict allowed."""
        return self.as_dict()[key]


def normalize_answer(text: str) -> str:
    """NFKC, lower case, no whitespace or punctuation (``%`` and the dot of a decimal kept).

    Example:
        >>> normalize_answer(" “江口沉银案” ")
        '江口沉银案'
        >>> normalize_answer("98.78%")
        '98.78%'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d)\.(?=\d)", "<dot>", text)
    return _DROP.sub("", text).replace("<dot>", ".")


# ------------------------------------------------------------------------------ numbers


@dataclass(frozen=True, slots=True)
class _Quantity:
    """One quantity of an answer: its value, the measure word written after it, its direction."""

    value: float
    unit: str  # the measure word as written ('' for a bare number)
    direction: str  # exact, about (约), above (余/多/以上), below (近/以下)
    arabic: bool  # written with Arabic digits


# Measure words of two characters that are not their first character (GUIDELINES B-D8: 人次).
_COMPOUND_UNITS = ("人次", "架次", "车次", "户次", "件次", "台次", "辆次", "场次", "批次")


def _quantities(text: str) -> list[_Quantity]:
    """The quantities of ``text``, left to right (each number read once, with its scale)."""
    found: list[_Quantity] = []
    i = 0
    while i < len(text):
        if not (text[i].isdigit() or text[i] in "零〇一二两兩三四五六七八九十约約近"):
            i += 1
            continue
        readings = []
        for j in range(i + 1, min(len(text), i + 16) + 1):
            try:
                readings.append((j, parse_quantity(text[i:j])))
            except NormalizationError:
                continue
        if not readings:
            i += 1
            continue
        bare = [j for j, q in readings if not q.unit]
        number_end = max(bare) if bare else readings[0][0]
        value = max(readings, key=lambda r: r[0])[1].value
        qualifiers = {q.qualifier for _, q in readings}
        unit = _unit_after(text, number_end)
        found.append(_Quantity(value, unit, _direction(text[i], qualifiers), text[i].isdigit()))
        i = number_end
    return found


def _unit_after(text: str, at: int) -> str:
    """The measure word written at ``text[at:]``: %, a compound such as 人次, or one character."""
    rest = text[at:]
    if rest.startswith("%"):
        return "%"
    for unit in _COMPOUND_UNITS:
        if rest.startswith(unit):
            return unit
    return rest[:1] if rest[:1].isalpha() and not rest[:1].isascii() else ""


def _direction(first: str, qualifiers: set[str]) -> str:
    if "at_least" in qualifiers:
        return "above"
    if "at_most" in qualifiers or first == "近":
        return "below"
    if "approx" in qualifiers:
        return "about" if first in "约約" else "above"
    return "exact"


def quantities(text: str) -> list[tuple[float, str]]:
    """The (value, measure word) of every quantity of ``text``, in order.

    Example:
        >>> quantities("约79.1亿元左右"), quantities("7万余人次"), quantities("28名民辅警、5个集体")
        ([(7910000000, '元')], [(70000, '人次')], [(28, '名'), (5, '个')])
    """
    return [(q.value, q.unit) for q in _quantities(text)]


def _is_year(q: _Quantity | None) -> bool:
    """A calendar year written in digits (2018年) is a date, not a count of years."""
    return q is not None and q.arabic and q.unit == "年" and q.value in range(1000, 3000)


def _unit_fits(unit: str, gold_unit: str, question: str) -> str | None:
    """``number-value`` for the gold unit, ``measure-word`` for an equivalent one, else None."""
    if unit == gold_unit:
        return "number-value"
    if any(unit in c and gold_unit in c for c in _MEASURE_CLASSES):
        return "measure-word"
    if not unit and gold_unit in question:
        return "measure-word"
    return None


def _qualifier_fits(answer: str, gold: str) -> bool:
    """A dropped or hedged (约) qualifier fits; a bound in another direction does not."""
    return answer in ("exact", "about", gold) or (gold == "about" and answer != "below")


def judge_number(item: Any, answer: str) -> tuple[bool, str]:
    """A number answer: right or not, and the rule (GUIDELINES D-D6, D-D7).

    The first quantity of the answer whose measure word fits the gold unit decides; the gold's
    qualifier is read from its canonical answer.

    Example:
        >>> from benchmark.tasks.qa import QAItem
        >>> q = QAItem("q43", "“毒帽”戴了多少年?", ("20余年",), "number", 20, "年", ((0, 1),))
        >>> [judge_number(q, a)[1] for a in ("20多年", "20年", "近20年", "21年")]
        ['number-value', 'qualifier-dropped', 'wrong-qualifier', 'wrong-value']
    """
    gold = next(iter(_quantities(unicodedata.normalize("NFKC", item.answers[0]))), None)
    gold_direction = gold.direction if gold else "exact"
    said = _quantities(unicodedata.normalize("NFKC", answer))
    found = [q for q in said if not _is_year(q) or _is_year(gold)]
    fitting = [(q, rule) for q in found if (rule := _unit_fits(q.unit, item.unit, item.question))]
    if len({q.value for q, _ in fitting}) > 1:
        return False, "wrong-value"  # another figure of the same kind beside it: which one is the answer?
    for q, rule in fitting:
        if not values_match(q.value, item.value):
            return False, "wrong-value"
        if not _qualifier_fits(q.direction, gold_direction):
            return False, "wrong-qualifier"
        if q.direction == "exact" and gold_direction != "exact":
            return True, "qualifier-dropped"
        return True, rule
    if any(values_match(q.value, item.value) for q in found):
        return False, "wrong-unit"
    return False, "wrong-value"


# ------------------------------------------------------------------------------ yes / no


def polarity(text: str) -> str | None:
    """``yes`` / ``no`` / None from the answer's first word (a copula 是 before a negation is skipped).

    Example:
        >>> polarity("是，数量不少"), polarity("不相同"), polarity("是不同的"), polarity("也许")
        ('yes', 'no', 'no', None)
    """
    norm = normalize_answer(text)
    if norm.startswith("是") and norm[1:2] and norm[1] in _NEGATION:
        norm = norm[1:]
    for word in sorted(_NO + _YES, key=len, reverse=True):
        if norm.startswith(word):
            return "no" if word in _NO else "yes"
    return None


# ------------------------------------------------------------------------------ abstaining


def abstains(text: str, question: str = "") -> bool:
    """Whether an answer says the text does not answer the question (GUIDELINES D-D10).

    An answer that also commits to a figure the question does not contain (``文中未提及，约2000名``)
    does not abstain.

    Example:
        >>> abstains("无法从文中得知"), abstains("原文没有给出"), abstains("2000名")
        (True, True, False)
        >>> abstains("原文没有给出2019年的数据", "2019年四川的命案现案破案率是多少?")
        True
        >>> abstains("文中未提及，约2000名")
        False
    """
    if not _ABSTAIN.search(normalize_answer(text)):
        return False
    asked = {q.value for q in _quantities(unicodedata.normalize("NFKC", question))}
    said = _quantities(unicodedata.normalize("NFKC", text))
    return not any(q.value not in asked and (q.arabic or q.value >= 10) for q in said)


# ------------------------------------------------------------------------------ names, spans, lists


def _split_items(raw: str, *, spaces: bool = True) -> list[str]:
    """Items of a list answer, split on joiners outside quotes (spaces too if asked), normalized."""
    joiner = _JOINER if spaces else _JOINER_NO_SPACE
    items, current, closer = [], [], None
    i = 0
    text = unicodedata.normalize("NFKC", raw)
    while i < len(text):
        ch = text[i]
        if closer is None and ch in _OPEN_CLOSE:
            closer = _OPEN_CLOSE[ch]
        elif closer is not None and ch == closer:
            closer = None
        elif closer is None:
            m = joiner.match(text, i)
            if m:
                items.append("".join(current))
                current = []
                i = m.end()
                continue
        current.append(ch)
        i += 1
    items.append("".join(current))
    return [n for n in (normalize_answer(it) for it in items) if n]


def _common_affixes(items: Sequence[str]) -> set[str]:
    """The prefix and the suffix shared by every item (none for fewer than two items)."""
    if len(items) < 2:
        return set()
    first, last = min(items), max(items)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    rev = sorted(s[::-1] for s in items)
    a, b = rev[0], rev[-1]
    m = 0
    while m < min(len(a), len(b)) and a[m] == b[m]:
        m += 1
    return {first[:n], a[:m][::-1]} - {""}


def _stated_once(items: Sequence[str], *, min_length: int) -> set[str]:
    """A prefix written only on the first item and a suffix only on the last (十一届三次、四次…八次全会).

    The affix is what the first (last) item has beyond the length of its neighbour.
    """
    if len(items) < 2:
        return set()
    prefix = items[0][: len(items[0]) - len(items[1])] if len(items[0]) > len(items[1]) else ""
    suffix = items[-1][len(items[-2]) :] if len(items[-1]) > len(items[-2]) else ""
    return {a for a in (prefix, suffix) if len(a) >= min_length}


def _items_match(a: str, g: str, adds: set[str], omits: set[str], written: _Written) -> bool:
    """An answer item names the gold item: equal, or one holds the other plus an allowed affix.

    ``adds``: affixes the answer item may add (besides what the article writes in front of the
    item, :func:`_written_before`); ``omits``: affixes it may leave out.
    """
    if a == g:
        return True
    if g in a and (a.startswith(g) or a.endswith(g)):
        return a.replace(g, "", 1) in adds or _written_with(a, g, written)
    if len(a) >= 2 and a in g and (g.startswith(a) or g.endswith(a)):
        return g.replace(a, "", 1) in omits
    return False


def _list_matches(answer_items: list[str], gold_items: list[str], written: _Written) -> bool:
    """The same set of items: a perfect matching of answer items onto gold items."""
    if len(answer_items) != len(gold_items):
        return False
    adds = _common_affixes(answer_items) | _stated_once(gold_items, min_length=2)
    omits = (
        _common_affixes(gold_items)
        | _stated_once(gold_items, min_length=2)
        | _stated_once(answer_items, min_length=1)
    )
    used = [False] * len(gold_items)

    def assign(k: int) -> bool:
        if k == len(answer_items):
            return True
        for j, g in enumerate(gold_items):
            if not used[j] and _items_match(answer_items[k], g, adds, omits, written):
                used[j] = True
                if assign(k + 1):
                    return True
                used[j] = False
        return False

    return assign(0)


def _quoted_cores(raw: str) -> list[str]:
    """Forms of a quoted name without its quotes or head noun: “X”H -> X, X+H' (H' a synonym)."""
    text = unicodedata.normalize("NFKC", raw)
    out = []
    m = re.fullmatch(r"(.*?)[“\"「『《'‘]([^”\"」』》'’]+)[”\"」』》'’](.*)", text)
    if m:
        core, head = m.group(2), m.group(3)
        if len(normalize_answer(head)) <= _MAX_HEAD_NOUN:
            out.append(normalize_answer(core))
    norm = normalize_answer(text)
    for long_, short in _HEAD_SYNONYMS:
        if norm.endswith(long_):
            out.append(norm[: -len(long_)] + short)
        elif norm.endswith(short):
            out.append(norm[: -len(short)] + long_)
    return [o for o in out if len(o) >= 2]


def _fillers(run: str, question: str) -> bool:
    """Whether an inserted run is function words plus at most one short word of the question."""
    if any(ch in _NEGATION for ch in run):
        return False

    def parse(rest: str, question_words: int) -> bool:
        if not rest:
            return True
        if any(rest.startswith(w) and parse(rest[len(w) :], question_words) for w in _FUNCTION_WORDS):
            return True
        if question_words == 0:
            return any(rest[:n] in question and parse(rest[n:], 1) for n in (3, 2) if len(rest) >= n)
        return False

    return parse(run, 0)


def _contains_with_fillers(answer: str, gold: str, question: str) -> bool:
    """``answer`` is ``gold`` in order with filler runs before, between and after its characters."""
    if not gold or len(answer) <= len(gold):
        return False
    # dynamic programming over (position in answer, position in gold)
    reachable = {(0, 0)}
    frontier = [(0, 0)]
    while frontier:
        i, j = frontier.pop()
        if j == len(gold):
            if i == len(answer) or _fillers(answer[i:], question):
                return True
            continue
        for k in range(i, len(answer)):
            if answer[k] == gold[j] and (k == i or _fillers(answer[i:k], question)):
                state = (k + 1, j + 1)
                if state not in reachable:
                    reachable.add(state)
                    frontier.append(state)
            if k > i + 8:
                break
    return False


def _judge_text(item: Any, answer: str, norm: str, golds: list[str], written: _Written) -> tuple[bool, str]:
    """Entity and span answers: lists, name variants, spans holding the gold (GUIDELINES D-D8, D-D9)."""
    answer_items = _split_items(answer)
    gold_lists = [items for raw in item.answers if len(items := _split_items(raw)) >= 2]
    if len(answer_items) >= 2 and any(_list_matches(answer_items, g, written) for g in gold_lists):
        return True, "list-set"
    if len(_split_items(item.answers[0])) >= 2:
        return False, "wrong-list"
    cores = {c for raw in item.answers for c in _quoted_cores(raw)}
    if norm in cores:
        return True, "name-variant"
    if item.answer_type == "entity" and any(_written_with(norm, g, written) for g in golds):
        return True, "name-variant"
    items = _split_items(answer, spaces=False)
    if (len(items) >= 2 and any(g in it for it in items for g in golds)) or (
        len(answer_items) >= 2 and any(it in golds for it in answer_items)
    ):
        return False, "wrong-list"  # the answer and something else beside it
    question = normalize_answer(item.question)
    if any(_contains_with_fillers(norm, g, question) for g in golds):
        return True, "span-contains"
    return False, "no-match"


_Written = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Article:
    """What the judge may read of the article besides the question's own gold.

    Attributes:
        text: The document text.
        entities: The document's entity gold (records with ``start``, ``end``, ``label``).
    """

    text: str
    entities: tuple[Any, ...] = ()


def _written_before(item: Any, article: Article | None) -> _Written:
    """What the article writes in front of names on the item's evidence lines (GUIDELINES D-D8).

    For every run of adjacent gold entities that are organisers, dates, jurisdictions or titles
    (ORG, GPE, LOC, DATE, TITLE in the article's entity gold), each tail of the run and the text
    that follows it to the end of the line, both normalized: ``("2021四川公安", "向人民报告新闻发布会…")``.
    Empty without a document or without entity gold.
    """
    if article is None:
        return []
    text = article.text
    entities = [e for e in article.entities if e.label in _ADDITION_LABELS]
    by_end = {e.end: e for e in entities}
    found: _Written = []
    for span in item.evidence:
        line_start = text.rfind("\n", 0, span[0]) + 1
        line_end = text.find("\n", span[0])
        line_end = len(text) if line_end < 0 else line_end
        for entity in entities:
            if not line_start <= entity.start < line_end:
                continue
            following = normalize_answer(text[entity.end : line_end])
            start = entity.start
            while True:
                found.append((normalize_answer(text[start : entity.end]), following))
                if start not in by_end:
                    break
                start = by_end[start].start
    return found


def _written_with(answer: str, gold: str, written: _Written) -> bool:
    """``answer`` is ``gold`` with an addition the article writes right before it."""
    return any(answer == before + gold and after.startswith(gold) for before, after in written)


# ------------------------------------------------------------------------------ the judge


def judge(item: Any, answer: str, article: Article | None = None) -> Verdict:
    """Judge one answer to one question.

    Args:
        item: The question (a ``QAItem``: ``question``, ``answers``, ``answer_type``,
            ``value``, ``unit``, ``evidence``).
        answer: The system's answer (the first of its ``answers``).
        article: The article's text and entity gold (``QATask.article``); an organiser, date
            or jurisdiction in front of a name is accepted only where its evidence lines write
            it as entities (without the article, only the gold's own forms are).

    Returns:
        The :class:`Verdict`, naming the rule that decided it.

    Example:
        >>> from benchmark.tasks.qa import QAItem
        >>> q = QAItem("q37", "查冻扣涉案资产多少元?", ("79.1亿元",), "number", 7910000000, "元", ((0, 1),))
        >>> [judge(q, a).rule for a in ("79.1亿元", "7910000000元", "79.1亿", "79.1万元")]
        ['exact', 'number-value', 'measure-word', 'wrong-value']
    """
    norm = normalize_answer(answer)
    golds = [normalize_answer(a) for a in item.answers]
    em = norm in golds
    f1 = max((char_f1(g, norm) or 0.0) for g in golds) if norm else 0.0

    def verdict(correct: bool, rule: str) -> Verdict:
        return Verdict(bool(correct), rule, em, float(f1))

    if item.answer_type == "unanswerable":
        right = abstains(answer, item.question)
        return verdict(right, "abstain" if right else "not-abstained")
    if not norm:
        return verdict(False, "no-answer")
    if abstains(answer, item.question):
        return verdict(False, "abstained")
    if item.answer_type == "yes_no":
        said = polarity(answer)
        if said is None:
            return verdict(False, "no-polarity")
        right = said == polarity(item.answers[0])
        return verdict(right, "yes-no-polarity" if right else "wrong-polarity")
    if em:
        return verdict(True, "exact")
    if item.answer_type == "number":
        return verdict(*judge_number(item, answer))
    return verdict(*_judge_text(item, answer, norm, golds, _written_before(item, article)))
