"""The Chinese-number normalizer: a table of cases, and the error path."""

import pytest

from benchmark.normalize import NormalizationError, Quantity, parse_number, parse_quantity, values_match

CASES = [
    # surface, value, unit, qualifier
    ("98.78%", 98.78, "%", "exact"),
    ("79.1亿元", 7910000000, "元", "exact"),
    ("30.28亿元", 3028000000, "元", "exact"),
    ("2.8万亿条", 2800000000000, "条", "exact"),
    ("2.3万余人", 23000, "人", "approx"),
    ("7万余人次", 70000, "人次", "approx"),
    ("100余万起", 1000000, "起", "approx"),
    ("100余台", 100, "台", "approx"),
    ("30余次", 30, "次", "approx"),
    ("3000多人", 3000, "人", "approx"),
    ("约10人", 10, "人", "approx"),
    ("近20年", 20, "年", "approx"),
    ("90%以上", 90, "%", "at_least"),
    ("10人以上", 10, "人", "at_least"),
    ("5人以下", 5, "人", "at_most"),
    ("两期", 2, "期", "exact"),
    ("两年", 2, "年", "exact"),
    ("三年", 3, "年", "exact"),
    ("四项", 4, "项", "exact"),
    ("二十个", 20, "个", "exact"),
    ("一千余个", 1000, "个", "approx"),
    ("三百万元", 3000000, "元", "exact"),
    ("14855名", 14855, "名", "exact"),
    ("71768台", 71768, "台", "exact"),
    ("42", 42, "", "exact"),
]


@pytest.mark.parametrize(("surface", "value", "unit", "qualifier"), CASES)
def test_parse_quantity_table(surface, value, unit, qualifier):
    got = parse_quantity(surface)
    assert got == Quantity(value, unit, qualifier) or (
        values_match(got.value, value) and (got.unit, got.qualifier) == (unit, qualifier)
    ), got
    assert type(got.value) is type(value)


@pytest.mark.parametrize("surface", ["", "元", "第八次", "A7", "余人", "约90%以上", "1月8日x"])
def test_not_quantities_raise(surface):
    with pytest.raises(NormalizationError):
        parse_quantity(surface)


def test_parse_number_rejects_mixed():
    with pytest.raises(NormalizationError, match="not a numeral"):
        parse_number("三x")


def test_values_match_tolerance():
    assert values_match(7910000000, 7.91e9)
    assert not values_match(7910000000, 7.92e9)


@pytest.mark.parametrize("numeral", list("零〇一二两三四五六七八九十百千"))
def test_single_character_table_agrees_with_cn2an(numeral):
    """The single-character fast path and cn2an read every digit character alike."""
    import cn2an

    expected = {"百": 100, "千": 1000}.get(numeral)
    if expected is None:
        expected = cn2an.cn2an(numeral.replace("〇", "零"), "smart")
    assert parse_number(numeral) == expected
