"""Metrics for the Chinese IE benchmark: pure functions returning data, never text.

Conventions: spans are half-open ``[start, end)`` code-point offsets; records are plain dicts
with the gold field names; options are keyword-only; bad input raises ``ValueError`` naming
the argument, item index and field.

Undefined-case rule (everywhere): a ratio whose denominator is zero is undefined and returned
as ``None`` (reports show n/a). Precision is ``None`` without predictions, recall ``None``
without gold, and F1 ``= 2tp / (2tp + fp + fn)`` is ``None`` only when there is neither gold
nor prediction, so predicting nothing against non-empty gold scores F1 ``0.0``. Macro
averages average the defined per-label values and report how many they averaged.

Modules:

* :mod:`.counts`: ``Counts(tp, fp, fn)``, ``SemEvalCounts``, ``macro_average``;
* :mod:`.entities`: ``score_entities`` (strict / exact / partial / type, micro, macro,
  per-label, ``labels=`` and ``label_map=``), ``strict_counts`` (set-operation fast path);
* :mod:`.mentions`: ``score_mentions`` (per-unit multiset of ``(text, label)``),
  ``ground_mentions`` (strings to offsets), ``entity_mentions``;
* :mod:`.errors`: ``analyze_errors`` (a category for every strict false alarm and miss);
* :mod:`.numeric`: ``score_numeric`` (span P/R/F1, value/unit/qualifier accuracy, fact F1);
* :mod:`.strings`: ``char_f1`` (the one of the package; QA uses it too);
* :mod:`.qa`: the QA judge ``judge`` -> ``Verdict(correct, rule, em, f1)``, ``normalize_answer``,
  ``quantities``, ``polarity``, ``abstains`` (imported on its own: ``benchmark.metrics.qa``);
* :mod:`.topics`: ``score_topics`` (section, primary topic, multi-label topics);
* :mod:`.bootstrap`: ``bootstrap_ci``, ``paired_bootstrap_test``, ``permutation_test`` over
  per-unit statistics, with ``entity_unit_stats``, ``fact_unit_stats``,
  ``accuracy_unit_stats`` and ``assign_units``;
* :mod:`.overlap`: ``overlapping_pairs`` (sort-and-sweep).
"""

from .bootstrap import (
    BootstrapResult,
    PairedTestResult,
    accuracy_unit_stats,
    assign_units,
    bootstrap_ci,
    counts_f1,
    counts_precision,
    counts_recall,
    entity_unit_stats,
    fact_unit_stats,
    paired_bootstrap_test,
    permutation_test,
)
from .counts import Counts, MacroScore, SemEvalCounts, macro_average, safe_ratio
from .entities import (
    COARSE_LABEL_MAP,
    SCHEMES,
    EntityScores,
    SchemeScores,
    prepare_spans,
    score_entities,
    strict_counts,
)
from .errors import ERROR_CATEGORIES, ErrorAnalysis, ErrorRecord, analyze_errors
from .mentions import (
    QUOTE_PAIRS,
    GroundingResult,
    MentionScores,
    entity_mentions,
    ground_mentions,
    score_mentions,
)
from .numeric import AttributeAccuracy, NumericScores, score_numeric
from .overlap import overlap_length, overlapping_pairs
from .strings import char_f1
from .topics import ClassReport, MultiLabelScores, SingleLabelScores, TopicScores, score_topics

__all__ = [
    "COARSE_LABEL_MAP",
    "ERROR_CATEGORIES",
    "QUOTE_PAIRS",
    "SCHEMES",
    "AttributeAccuracy",
    "BootstrapResult",
    "ClassReport",
    "Counts",
    "EntityScores",
    "ErrorAnalysis",
    "ErrorRecord",
    "GroundingResult",
    "MacroScore",
    "MentionScores",
    "MultiLabelScores",
    "NumericScores",
    "PairedTestResult",
    "SchemeScores",
    "SemEvalCounts",
    "SingleLabelScores",
    "TopicScores",
    "accuracy_unit_stats",
    "analyze_errors",
    "assign_units",
    "bootstrap_ci",
    "char_f1",
    "counts_f1",
    "counts_precision",
    "counts_recall",
    "entity_mentions",
    "entity_unit_stats",
    "fact_unit_stats",
    "ground_mentions",
    "macro_average",
    "overlap_length",
    "overlapping_pairs",
    "paired_bootstrap_test",
    "permutation_test",
    "prepare_spans",
    "safe_ratio",
    "score_entities",
    "score_mentions",
    "score_numeric",
    "score_topics",
    "strict_counts",
]
