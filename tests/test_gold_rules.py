"""The gold follows the guidelines' rules, checked on the article's own examples.

Each case names the rule in annotations/GUIDELINES.md it comes from. These tests fail
if a gold item is edited against the guidelines.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmark.tasks.topics import TAXONOMY

GUIDELINES = (Path(__file__).resolve().parent.parent / "annotations" / "GUIDELINES.md").read_text("utf-8")

# (rule, surface, label, number of occurrences in the gold)
ENTITY_CASES = [
    ("A1", "四川省公安厅", "ORG", 1),
    ("A1", "四川省公安厅应对新冠肺炎疫情工作领导小组指挥部", "ORG", 1),
    ("A1", "省公安厅应对新冠肺炎疫情工作领导小组指挥部", "ORG", 1),
    ("A1", "第八次中日韩领导人会议", "EVENT", 1),
    ("A1", "新中国成立70周年", "EVENT", 1),
    ("A2", "省公安厅", "ORG", 3),
    ("A2", "厅长", "TITLE", 1),
    ("A2", "叶寒冰", "PER", 1),
    ("A2", "总书记", "TITLE", 1),
    ("A2", "记者", "TITLE", 1),
    ("A3", "省委", "ORG", 1),
    ("A3", "十一届三次、四次、五次、六次、七次、八次全会", "EVENT", 1),
    ("A3", "“向人民报告”新闻发布会", "EVENT", 1),
    ("A3", "十九大", "EVENT", 2),
    ("A4", "十九届二中、三中、四中、五中全会", "EVENT", 1),
    ("A4", "全国、全省公安工作会议", "EVENT", 1),
    ("A5", "习近平", "PER", 2),
    ("A5", "中国", "GPE", 1),
    ("A5", "新冠肺炎疫情", "EVENT", 3),
    ("A5", "四川省", "GPE", 4),
    ("A5", "枫桥", "GPE", 5),
    ("A5", "长江流域", "LOC", 1),
    ("A6", "扫黑除恶专项斗争", "EVENT", 2),
    ("A6", "“不忘初心、牢记使命”主题教育", "EVENT", 1),
    ("A6", "“百警援凉”工程", "EVENT", 1),
    ("A6", "百警援凉", "EVENT", 1),
    ("A6", "省厅", "ORG", 1),
    ("A6", "党中央", "ORG", 2),
    ("A6", "四川公安", "ORG", 7),
    ("A7", "甘孜州", "GPE", 1),
    ("A7", "道孚县", "GPE", 1),
    ("A7", "华西都市报", "ORG", 2),
    ("A7", "封面新闻", "ORG", 2),
    ("A8", "江口沉银案", "EVENT", 1),
    ("A8", "“7·02”特大非法捕捞水产品案", "EVENT", 1),
    ("A8", "“8·11”特大暴雨洪灾", "EVENT", 1),
    ("A8", "中国人民警察节", "EVENT", 1),
    ("A9", "2020", "DATE", 3),
    ("A9", "2021", "DATE", 1),
    ("A9", "四川", "GPE", 2),
    ("A-D4", "副省长", "TITLE", 1),
]

# Surfaces that the guidelines say are never entities (A2, A5, A6).
NOT_ENTITIES = [
    "全省公安机关", "全国", "派出所", "党委会议", "党", "反恐怖特别侦察队", "疫情防控工作指挥部", "联合指挥部",
    "疫情防控阻击战", "教育整顿", "全警实战大练兵", "禁毒助力脱贫攻坚行动", "打击长江流域非法捕捞专项整治行动",
    "忠诚教育", "民辅警", "民警辅警", "领导", "四川省三八红旗手", "全国抗击新冠肺炎疫情先进集体", "枫桥式公安派出所",
    "四川公安大数据平台", "习近平新时代中国特色社会主义思想", "A7", "疫情",
]  # fmt: skip


@pytest.mark.parametrize(("rule", "surface", "label", "count"), ENTITY_CASES)
def test_entity_rule_examples(article, rule, surface, label, count):
    found = Counter((e.text, e.label) for e in article.gold["ner"])
    assert found[(surface, label)] == count, f"rule {rule}: {surface} {label}"
    assert surface in GUIDELINES, f"rule {rule}: example {surface} missing from GUIDELINES.md"


@pytest.mark.parametrize("surface", NOT_ENTITIES)
def test_not_entities(article, surface):
    assert all(e.text != surface for e in article.gold["ner"])


def test_every_occurrence_of_repeated_names_is_annotated(article):
    """A9: every occurrence; checked for names that have no other reading in this text."""
    for name in ["韩顺军", "阿真能周", "公安部", "凉山州", "中央军委", "国务院"]:
        in_text = article.text.count(name)
        annotated = sum(name in e.text for e in article.gold["ner"])
        assert annotated == in_text, name


def test_no_entity_inside_quotes_keeps_outer_quotes(article):
    """A8: a span never starts and ends with a matching quote pair."""
    assert not [e.text for e in article.gold["ner"] if e.text.startswith("“") and e.text.endswith("”")]


NUMERIC_CASES = [
    # rule, surface, value, unit, qualifier, metric
    ("B1", "两年", 2, "年", "exact", "集体一等功"),
    ("B1", "三年", 3, "年", "exact", "数据支撑"),
    ("B2", "79.1亿元", 7910000000, "元", "exact", "查冻扣涉案资产"),
    ("B2", "2.8万亿条", 2800000000000, "条", "exact", "汇聚数据"),
    ("B2", "100余万起", 1000000, "起", "approx", "案事件"),
    ("B2", "两期", 2, "期", "exact", "政治轮训班"),
    ("B4", "90%", 90, "%", "exact", "人民群众安全感"),
    ("B4", "90%以上", 90, "%", "at_least", "人民群众安全感"),
    ("B4", "10人以上", 10, "人", "at_least", "一次性死亡"),
    ("B4", "5人以下", 5, "人", "at_most", "派出所"),
    ("B5", "45起", 45, "起", "exact", "侦办涉黑案件"),
    ("B5", "四项", 4, "项", "exact", "主要指标"),
    ("B-D4", "20余年", 20, "年", "approx", "毒帽"),
    ("B-D8", "7万余人次", 70000, "人次", "approx", "参训参演民警辅警"),
]


@pytest.mark.parametrize(("rule", "surface", "value", "unit", "qualifier", "metric"), NUMERIC_CASES)
def test_numeric_rule_examples(article, rule, surface, value, unit, qualifier, metric):
    facts = [f for f in article.gold["numeric"] if f.text == surface]
    assert facts, f"rule {rule}: {surface} not annotated"
    assert {(f.value, f.unit, f.qualifier, f.metric) for f in facts} == {(value, unit, qualifier, metric)}


def test_numeric_exclusions(article):
    """B: dates, ordinals, articles, quoted numbers and names are not numeric facts."""
    surfaces = {f.text for f in article.gold["numeric"]}
    for excluded in [
        "2020年",
        "1月8日",
        "第八次",
        "首个",
        "首批",
        "一份",
        "一批",
        "一次性",
        "122",
        "7·02",
        "70周年",
    ]:
        assert not any(excluded in s or s in excluded for s in surfaces if len(s) > 1), excluded


def test_numeric_metric_is_near_and_crosses_no_quantity(article):
    """B5: the metric phrase contains no other quantity and no clause boundary."""
    for f in article.gold["numeric"]:
        assert not any(
            o is not f and f.metric_start <= o.start < f.metric_end for o in article.gold["numeric"]
        ), f
        assert not set(f.metric) & set(",。;"), f


def test_topic_units_and_sections(article):
    units = article.gold["topics"]
    assert len(units) == 27
    first = article.text[units[2].start : units[2].end]
    assert first.startswith("• ·四川公安"), "C: the bullet stays in the unit"
    for unit in units:
        if unit.section in ("masthead", "byline"):
            assert unit.topics == ("page_furniture",)
        if unit.section == "title":
            assert unit.topics == ("overview",)


def test_taxonomy_definitions_are_in_the_guidelines():
    """C: TAXONOMY (read by the baselines) and GUIDELINES.md say the same thing."""
    for topic, definition in TAXONOMY.items():
        assert f"| {topic} | {definition.definition} |" in GUIDELINES, topic
