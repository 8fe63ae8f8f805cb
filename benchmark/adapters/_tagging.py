"""Shared helpers for the POS/NER-tagger adapters (jieba, THULAC, LAC) and the rule baseline.

A tagger returns ``(word, tag)`` pairs per line. These helpers turn them into
benchmark records in four steps:

1. :func:`align_words` walks the words over the original text and gives each one
   exact offsets (a word that cannot be found is reported, never guessed).
2. :func:`tokens_to_entities` maps native tags to benchmark labels through a
   :class:`TagSet`; ``DATE`` is kept only for absolute dates (``2020年``,
   ``1月8日``), never relative ones (``今年``, ``刚刚``). Adjacent tokens of the same
   label are merged only for the labels passed in ``merge`` (by default ``DATE``,
   because taggers split ``1月8日`` into ``1月`` + ``8日``); names are never merged.
   An unknown native tag is reported in the problems and the token dropped.
3. :func:`tokens_to_numeric` merges a run of number tokens with the measure word
   after it (and ``以上`` / ``以下``) into a quantity read by
   :func:`benchmark.normalize.parse_quantity`; dates, ordinals, the article 一,
   quoted numbers and bare numbers without a unit are skipped
   (:func:`excluded_quantity`, shared with the rule baseline).
4. :func:`metric_span` picks the metric phrase: the nearest preceding noun phrase
   in the same clause (verbs right before the number, as in ``破案率创98.78%``,
   are trimmed), else the noun phrase right after the quantity (``6个派出所``).

Example:
    >>> tags = TagSet(name="demo", entity={"nr": "PER"}, known=frozenset({"nr", "n", "m", "q", "v", "w"}),
    ...               number=frozenset({"m"}), measure=frozenset({"q"}), punct=frozenset({"w"}),
    ...               noun=frozenset({"n", "nr"}))
    >>> text = "破获诈骗案45起。"
    >>> tokens, _ = align_words(text, [("破获", "v"), ("诈骗案", "n"), ("45", "m"), ("起", "q"), ("。", "w")])
    >>> facts, problems = tokens_to_numeric(text, tokens, tags)
    >>> [(f.text, f.value, f.unit, f.metric) for f in facts], problems
    ([('45起', 45, '起', '破获诈骗案')], [])
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from benchmark.adapters._memo import DocumentMemo
from benchmark.adapters.base import Adapter, InputDocument, Prediction
from benchmark.normalize import NormalizationError, Quantity, parse_quantity
from benchmark.schema import Entity, NumericFact

CN_NUMERALS = "零〇一二两三四五六七八九十百千"
NUMBER_CHARS = re.compile(rf"^[\d.%．{CN_NUMERALS}万亿余多]+$")
HAS_NUMERAL = re.compile(rf"[\d{CN_NUMERALS}]")
BOUNDS = ("以上", "以下")
# Measure words and units a quantity may end with (longest first where one is a prefix of another).
MEASURE_WORDS = (
    "人次", "个月", "周年", "亿元", "万元", "公斤", "千克", "公里", "小时",
    "名", "个", "人", "起", "元", "台", "条", "场", "期", "次", "年", "项", "家", "件", "辆",
    "座", "所", "批", "份", "位", "天", "倍", "户", "宗", "吨", "架", "支", "处", "篇", "轮", "届",
)  # fmt: skip
DATE_UNITS = frozenset({"月", "日", "号"})
TIME_UNITS = frozenset({"年", "个月", "天", "小时"})
# Clause delimiters: a metric phrase never crosses one.
DELIMITERS = frozenset(",。;:、!?…—“”‘’「」《》()()[]【】,.;:!? \t·•-")
_ABSOLUTE_DATE = re.compile(
    rf"^(?:\d{{4}}|[{CN_NUMERALS}]{{4}})年?(?:\d{{1,2}}月(?:\d{{1,2}}[日号])?)?$"
    r"|^\d{1,2}月(?:\d{1,2}[日号])?$|^\d{1,2}[日号]$"
)
# Words right before a number that belong to the predicate, not to the metric (破案率创98.78%):
# linking verbs (guideline B-D2) and general counting words.
PREDICATE_SUFFIXES = (
    "保持在", "上升为", "下降为", "达到", "超过", "突破", "累计", "连续", "先后",
    "共计", "位居", "创", "达", "为", "至", "到", "共", "近", "约", "了",
)  # fmt: skip
# Two-character adverbs that go with a trimmed predicate word (guideline B-D1: "without adverbs"):
# 安全感持续保持在 -> 安全感. One-character ones (都, 也, 已) are left: they end nouns too (首都).
ADVERBS = ("持续", "继续", "一直", "始终", "依然", "仍然", "已经", "基本")


@dataclass(frozen=True)
class Token:
    """A tagger word with exact offsets into the document text."""

    start: int
    end: int
    text: str
    tag: str


@dataclass(frozen=True)
class TagSet:
    """What a tagger's native tags mean.

    Attributes:
        name: The tagger, for problem messages.
        entity: Native tag -> benchmark label (e.g. ``{"nr": "PER", "ns": "GPE"}``).
        known: Every native tag the tagger may emit (anything else is reported).
        number: Tags of numerals (``m``).
        measure: Tags of measure words (``q``).
        punct: Tags of punctuation.
        noun: Tags that may form a metric noun phrase.
        date: Native tags mapped to ``DATE``; kept only when :func:`is_absolute_date`.
    """

    name: str
    entity: Mapping[str, str]
    known: frozenset[str]
    number: frozenset[str]
    measure: frozenset[str]
    punct: frozenset[str]
    noun: frozenset[str]
    date: frozenset[str] = field(default_factory=frozenset)


def is_absolute_date(surface: str) -> bool:
    """Whether a time expression names a calendar date (``2020年``, ``1月8日``), not a relative one.

    Example:
        >>> [is_absolute_date(s) for s in ("2020年", "1月8日", "8日", "今年", "刚刚", "近三年")]
        [True, True, True, False, False, False]
    """
    return bool(_ABSOLUTE_DATE.match(surface))


def align_words(
    text: str, words: Iterable[tuple[str, str]], *, offset: int = 0, end: int | None = None
) -> tuple[list[Token], list[str]]:
    """Give each ``(word, tag)`` exact offsets by walking the words over ``text[offset:end]``.

    Whitespace-only words are skipped. A word not found at or after the cursor is
    reported and dropped; the walk goes on from where it was.

    Returns:
        The tokens (``text[t.start:t.end] == t.text`` always holds) and problem messages.

    Example:
        >>> align_words("ab cd", [("ab", "n"), (" ", "w"), ("cd", "v"), ("zz", "n")])
        ([Token(start=0, end=2, text='ab', tag='n'), Token(start=3, end=5, text='cd', tag='v')], \
["token 'zz' (n) not found in the text after offset 5"])
    """
    stop = len(text) if end is None else end
    cursor = offset
    tokens: list[Token] = []
    problems: list[str] = []
    for word, tag in words:
        if word and text.startswith(word, cursor) and not word[0].isspace() and not word[-1].isspace():
            found = cursor  # the usual case: the word starts right here
        else:
            word = word.strip()
            if not word:
                continue
            found = text.find(word, cursor, stop)
            if found < 0:
                problems.append(f"token {word!r} ({tag}) not found in the text after offset {cursor}")
                continue
            if text[cursor:found].strip():
                problems.append(f"text {text[cursor:found]!r} at {cursor} was skipped by the tagger")
        cursor = found + len(word)
        if cursor > stop:
            problems.append(f"token {word!r} ({tag}) at {found} runs past the end of its line ({stop})")
            cursor = found
            continue
        tokens.append(Token(found, cursor, word, tag))
    return tokens, problems


def check_offsets(text: str, tokens: Iterable[Token]) -> tuple[list[Token], list[str]]:
    """Keep the tokens whose offsets match the text; report the others.

    Example:
        >>> check_offsets("四川公安", [Token(0, 2, "四川", "LOC"), Token(1, 3, "四川", "LOC")])[1]
        ["token '四川' (LOC) at [1, 3) does not match the text '川公'"]
    """
    good, problems = [], []
    for tok in tokens:
        if 0 <= tok.start < tok.end <= len(text) and text[tok.start : tok.end] == tok.text:
            good.append(tok)
        else:
            problems.append(
                f"token {tok.text!r} ({tok.tag}) at [{tok.start}, {tok.end}) does not match "
                f"the text {text[tok.start : tok.end]!r}"
            )
    return good, problems


def known_tokens(tokens: Iterable[Token], tags: TagSet) -> tuple[list[Token], list[str]]:
    """Drop and report tokens whose tag the tagger is not documented to emit.

    Example:
        >>> tags = TagSet("demo", {}, frozenset({"n"}), frozenset(), frozenset(), frozenset(), frozenset())
        >>> known_tokens([Token(0, 1, "a", "n"), Token(1, 2, "b", "ZZ")], tags)[1]
        ["demo: unknown tag 'ZZ' on token 'b' at [1, 2)"]
    """
    good, problems = [], []
    for tok in tokens:
        if tok.tag in tags.known:
            good.append(tok)
        else:
            problems.append(
                f"{tags.name}: unknown tag {tok.tag!r} on token {tok.text!r} at [{tok.start}, {tok.end})"
            )
    return good, problems


def tokens_to_entities(
    text: str, tokens: Sequence[Token], tags: TagSet, *, merge: Iterable[str] = ("DATE",)
) -> list[Entity]:
    """Map tagged tokens to entities (sorted, non-overlapping).

    Args:
        text: The document text.
        tokens: Aligned tokens with known tags (see :func:`known_tokens`).
        tags: The tagger's tag meanings.
        merge: Labels whose directly adjacent tokens are merged into one span.

    Example:
        >>> tags = TagSet("demo", {"t": "DATE", "nr": "PER"}, frozenset({"t", "nr"}), frozenset(),
        ...               frozenset(), frozenset(), frozenset(), frozenset({"t"}))
        >>> toks = [Token(0, 2, "1月", "t"), Token(2, 4, "8日", "t"), Token(4, 6, "今年", "t"),
        ...         Token(6, 8, "王涛", "nr"), Token(8, 11, "韩顺军", "nr")]
        >>> [(e.text, e.label) for e in tokens_to_entities("1月8日今年王涛韩顺军", toks, tags)]
        [('1月8日', 'DATE'), ('王涛', 'PER'), ('韩顺军', 'PER')]
    """
    mergeable = set(merge)
    spans: list[list] = []
    for tok in tokens:
        label = tags.entity.get(tok.tag)
        if label is None:
            continue
        if tok.tag in tags.date and not is_absolute_date(tok.text):
            continue
        if spans and label in mergeable and spans[-1][2] == label and spans[-1][1] == tok.start:
            spans[-1][1] = tok.end
        else:
            spans.append([tok.start, tok.end, label])
    entities = []
    for start, end, label in spans:
        if label == "DATE" and not is_absolute_date(text[start:end]):
            continue
        entities.append(Entity(start, end, text[start:end], label))
    return sorted(entities, key=lambda e: (e.start, e.end))


def excluded_quantity(text: str, start: int, end: int, quantity: Quantity) -> str | None:
    """Why the span is not a numeric fact under the guidelines, or None if it is one.

    Skips dates (``2020年``, ``1月``), ordinals (``第八次``), the article 一 (``一份``),
    numbers in quotes or glued to Latin letters (``“122”``, ``A7``), anniversaries and
    session numbers inside names (``70周年``, ``三次、四次…全会``), and bare numbers.

    Example:
        >>> t = "2020年开展第八次一批“三项”2021"
        >>> spans = ((0, 5), (8, 10), (10, 12), (13, 15), (16, 20))
        >>> [excluded_quantity(t, s, e, parse_quantity(t[s:e])) for s, e in spans]
        ['date', 'ordinal', 'article 一', 'quoted or part of a code', 'bare number']
    """
    surface = text[start:end]
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    number = re.sub(rf"[^\d.{CN_NUMERALS}]", "", surface)
    if not quantity.unit:
        return "bare number"
    if quantity.unit in DATE_UNITS or (
        quantity.unit == "年" and re.fullmatch(r"(1[89]|20)\d\d", number) and quantity.qualifier == "exact"
    ):
        return "date"
    if before in ("第", "首", "头"):
        return "ordinal"
    if number == "一" and quantity.value == 1 and not re.search("以上|以下|余|多", surface):
        return "article 一"
    if (before in '“‘"「' and before) or (after in '”’"」' and after) or re.match(r"[A-Za-z]", before):
        return "quoted or part of a code"
    if quantity.unit == "周年":
        return "anniversary (part of a name)"
    if quantity.unit in ("次", "届", "中") and "全会" in _clause_after(text, end):
        return "session number (part of a name)"
    return None


def _clause_after(text: str, end: int) -> str:
    """The text from ``end`` to the next clause punctuation (、 does not end a clause)."""
    match = re.search(r"[,。;:!?\n]", text[end:])
    return text[end : end + match.start()] if match else text[end:]


def read_quantity(surface: str) -> Quantity | None:
    """:func:`parse_quantity` that returns None instead of raising."""
    try:
        return parse_quantity(surface)
    except NormalizationError:
        return None


def _is_number_piece(tok: Token, tags: TagSet) -> bool:
    return tok.tag in tags.number or bool(NUMBER_CHARS.match(tok.text))


def _is_measure_word(word: str) -> bool:
    """A known measure word, possibly after 余/多 (``余场``) or before 以上/以下."""
    word = re.sub("(以上|以下)$", "", re.sub("^[余多]", "", word))
    return word in MEASURE_WORDS


def _quantity_candidates(tokens: Sequence[Token], tags: TagSet) -> Iterable[tuple[int, int]]:
    """Yield ``(first, last)`` token index ranges: a number run, a measure word, a bound."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not (_is_number_piece(tok, tags) and HAS_NUMERAL.search(tok.text)):
            i += 1
            continue
        j = i
        while (
            j + 1 < len(tokens)
            and tokens[j + 1].start == tokens[j].end
            and _is_number_piece(tokens[j + 1], tags)
        ):
            j += 1
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if nxt and nxt.start == tokens[j].end and (nxt.tag in tags.measure or _is_measure_word(nxt.text)):
            j += 1
        nxt = tokens[j + 1] if j + 1 < len(tokens) else None
        if nxt and nxt.start == tokens[j].end and nxt.text in BOUNDS:
            j += 1
        yield i, j
        i = j + 1


def tokens_to_numeric(
    text: str, tokens: Sequence[Token], tags: TagSet
) -> tuple[list[NumericFact], list[str]]:
    """Merge number + measure-word tokens into numeric facts with a metric phrase.

    A candidate that the normalizer cannot read is shortened token by token from the
    right until it can (``1月8日`` -> ``1月``, then skipped as a date).

    Returns:
        Sorted, non-overlapping facts, and notes on candidates dropped for lack of a
        metric phrase (not tool errors; callers put them in ``Prediction.info``).
    """
    facts: list[NumericFact] = []
    notes: list[str] = []
    for first, last in _quantity_candidates(tokens, tags):
        for stop in range(last, first - 1, -1):
            start, end = tokens[first].start, tokens[stop].end
            quantity = read_quantity(text[start:end])
            if quantity is None or HAS_NUMERAL.search(quantity.unit):
                continue  # unreadable, or two numbers glued together (十一届三次)
            if excluded_quantity(text, start, end, quantity) is None:
                metric = metric_span(text, tokens, first, stop, tags)
                if metric is None:
                    notes.append(f"no metric phrase for {text[start:end]!r} at {start}")
                else:
                    facts.append(make_fact(text, start, end, quantity, metric))
            break
    return sorted(facts, key=lambda f: (f.start, f.end)), notes


def make_fact(text: str, start: int, end: int, quantity: Quantity, metric: tuple[int, int]) -> NumericFact:
    """A :class:`NumericFact` for ``text[start:end]`` with the metric span ``metric``."""
    m_start, m_end = metric
    return NumericFact(
        start, end, text[start:end], quantity.value, quantity.unit, quantity.qualifier,
        text[m_start:m_end], m_start, m_end,
    )  # fmt: skip


def trim_predicate(text: str, start: int, end: int) -> int:
    """Move ``end`` left over predicate words right before a number (``破案率创`` -> ``破案率``).

    Example:
        >>> [t[: trim_predicate(t, 0, len(t))] for t in ("所平均警力上升为", "满意度始终保持在")]
        ['所平均警力', '满意度']
    """
    changed = True
    while changed and end > start:
        changed = False
        for suffix in PREDICATE_SUFFIXES:
            if text.endswith(suffix, start, end) and end - len(suffix) > start:
                end -= len(suffix)
                changed = True
                break
        if changed:  # an adverb before the predicate word goes with it
            for adverb in ADVERBS:
                if text.endswith(adverb, start, end) and end - len(adverb) > start:
                    end -= len(adverb)
                    break
    return end


def metric_span(
    text: str, tokens: Sequence[Token], first: int, last: int, tags: TagSet
) -> tuple[int, int] | None:
    """The metric phrase of the quantity spanning tokens ``first..last``.

    In order of preference:

    1. the run of content tokens before the quantity, back to the previous
       punctuation or number, with predicate words right before the number trimmed
       (``破案率创``), if it contains a noun (it ends at its last noun);
    2. the noun run right after the quantity, skipping one 的 or one verb
       (``6个派出所``, ``30余次召开党委会议``);
    3. the trimmed run before the quantity, whatever its tags;
    4. None (the caller drops the quantity and notes it).

    Example:
        >>> tags = TagSet("demo", {}, frozenset(), frozenset({"m"}), frozenset({"q"}), frozenset({"w"}),
        ...               frozenset({"n"}))
        >>> t = "，6个派出所被命名"
        >>> toks = [Token(0, 1, "，", "w"), Token(1, 2, "6", "m"), Token(2, 3, "个", "q"),
        ...         Token(3, 6, "派出所", "n"), Token(6, 7, "被", "p"), Token(7, 9, "命名", "v")]
        >>> s, e = metric_span(t, toks, 1, 2, tags)
        >>> t[s:e]
        '派出所'
    """
    before = _run_before(tokens, first, tags)
    trimmed: tuple[int, int] | None = None
    if before:
        start = before[0].start
        end = trim_predicate(text, start, before[-1].end)
        nouns = [t for t in before if t.tag in tags.noun and t.end <= end]
        if nouns:
            return start, nouns[-1].end
        trimmed = (start, end)
    after = _run_after(tokens, last, tags)
    if after:
        return after[0].start, after[-1].end
    return trimmed


def _stops_metric(tok: Token, tags: TagSet) -> bool:
    return (
        tok.tag in tags.punct
        or tok.tag in tags.date
        or _is_number_piece(tok, tags)
        or any(ch in DELIMITERS for ch in tok.text)
    )


def _run_before(tokens: Sequence[Token], first: int, tags: TagSet) -> list[Token]:
    run: list[Token] = []
    k = first - 1
    while k >= 0 and not _stops_metric(tokens[k], tags):
        if run and tokens[k].end != run[0].start:
            break
        if not run and tokens[k].end != tokens[first].start:
            break
        run.insert(0, tokens[k])
        k -= 1
    return run


def _run_after(tokens: Sequence[Token], last: int, tags: TagSet) -> list[Token]:
    """Nouns right after token ``last``, skipping one 的 or one verb before them."""

    def adjacent(k: int, end: int) -> bool:
        return k < len(tokens) and tokens[k].start == end

    k, end = last + 1, tokens[last].end
    skippable = adjacent(k, end) and (tokens[k].text == "的" or tokens[k].tag.startswith("v"))
    if skippable and adjacent(k + 1, tokens[k].end) and tokens[k + 1].tag in tags.noun:
        k, end = k + 1, tokens[k].end
    run: list[Token] = []
    while adjacent(k, end) and tokens[k].tag in tags.noun:
        run.append(tokens[k])
        end = tokens[k].end
        k += 1
    return run


def line_words_to_tokens(
    text: str, lines: Sequence[tuple[int, int]], cut: Callable[[str], Iterable[tuple[str, str]]], tags: TagSet
) -> tuple[list[Token], list[str]]:
    """Tag every line with ``cut(line_text) -> [(word, tag)]`` and align the words.

    Returns:
        Tokens with known tags, in text order, and problem messages (alignment, unknown tags).
    """
    return align_line_words(text, lines, [cut(text[start:end]) for start, end in lines], tags)


def align_line_words(
    text: str,
    lines: Sequence[tuple[int, int]],
    words: Sequence[Iterable[tuple[str, str]]],
    tags: TagSet,
) -> tuple[list[Token], list[str]]:
    """Align the ``(word, tag)`` pairs of each line (``words[i]`` for ``lines[i]``) to the text.

    Returns:
        Tokens with known tags, in text order, and problem messages (alignment, unknown tags).
    """
    tokens: list[Token] = []
    problems: list[str] = []
    for (start, end), line_words in zip(lines, words, strict=True):
        found, trouble = align_words(text, line_words, offset=start, end=end)
        problems += trouble
        good, unknown = known_tokens(found, tags)
        tokens += good
        problems += unknown
    return tokens, problems


class TaggerAdapter(Adapter):
    """Base of the tagger adapters: tag each document once, then build entities or numeric facts.

    Subclasses set :attr:`tagset` and implement :meth:`cut` (one line of text to
    ``(word, tag)`` pairs), or :meth:`cut_lines` where the library takes a batch;
    ``load()`` sets up the tagger. The aligned tokens of a document are memoised in the
    instance (by document id and text hash), so the ``ner`` and ``numeric`` tasks of one run
    share one tagging pass; the time is spent in whichever task runs first.
    """

    tagset: ClassVar[TagSet]
    tasks = ("ner", "numeric")
    merge_labels: ClassVar[tuple[str, ...]] = ("DATE",)

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._tag_memo: DocumentMemo = DocumentMemo()

    @abstractmethod
    def cut(self, line: str) -> list[tuple[str, str]]:
        """Tag one line: ``(word, native tag)`` pairs in text order."""

    def cut_lines(self, lines: Sequence[str]) -> list[list[tuple[str, str]]]:
        """Tag many lines at once (default: :meth:`cut` each); override where the library batches."""
        return [self.cut(line) for line in lines]

    def tag_documents(self, documents: Sequence[InputDocument]) -> list[tuple[list[Token], list[str]]]:
        """Aligned tokens and problems of each document, tagged once per instance (all lines
        of the documents not seen yet go to :meth:`cut_lines` in one call)."""
        return self._tag_memo.get_many(documents, self._tag_batch)

    def _tag_batch(self, documents: Sequence[InputDocument]) -> list[tuple[list[Token], list[str]]]:
        texts = [doc.text[start:end] for doc in documents for start, end in doc.lines]
        words = self.cut_lines(texts)
        if len(words) != len(texts):
            raise ValueError(f"{self.name}: the tagger returned {len(words)} results for {len(texts)} lines")
        out, at = [], 0
        for doc in documents:
            out.append(align_line_words(doc.text, doc.lines, words[at : at + len(doc.lines)], self.tagset))
            at += len(doc.lines)
        return out

    def predict(self, task: str, documents: Sequence[InputDocument]) -> list[Prediction]:
        """Entities or numeric facts for each document, in order."""
        if task not in self.tasks:
            raise ValueError(
                f"{self.name} does not support task {task!r}; it supports {', '.join(self.tasks)}"
            )
        tagged = self.tag_documents(documents)
        return [self._predict_one(task, doc, *pair) for doc, pair in zip(documents, tagged, strict=True)]

    def _predict_one(
        self, task: str, doc: InputDocument, tokens: list[Token], problems: list[str]
    ) -> Prediction:
        if task == "ner":
            records: list = tokens_to_entities(doc.text, tokens, self.tagset, merge=self.merge_labels)
            return Prediction(doc.id, records=records, problems=list(problems))
        facts, notes = tokens_to_numeric(doc.text, tokens, self.tagset)
        info = {"dropped": notes} if notes else {}
        return Prediction(doc.id, records=facts, problems=list(problems), info=info)
