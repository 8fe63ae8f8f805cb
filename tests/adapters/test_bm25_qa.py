"""The BM25 reading-comprehension floor: retrieval and extraction cases."""

import pytest

from benchmark.adapters.bm25_qa import BM25, extract, quantity_surfaces, sentences


def test_bm25_prefers_the_matching_sentence():
    bm = BM25([["冻结", "资金"], ["破案", "率"], ["冻结", "冻结", "账户", "资金", "很多", "词"]])
    scores = bm.scores(["冻结", "资金"])
    assert scores[0] > scores[2] > scores[1] == 0.0


@pytest.mark.parametrize(
    ("question", "sentence", "answer"),
    [
        ("冻结被骗资金多少元?", "抓获犯罪嫌疑人5123名,冻结被骗资金30.28亿元。", "30.28亿元"),
        ("抓获犯罪嫌疑人多少名?", "抓获犯罪嫌疑人5123名,冻结被骗资金30.28亿元。", "5123名"),
        ("破案率是多少?", "命案现案破案率创98.78%的历史新高", "98.78%"),
        ("有多少名个人获奖?", "7名个人荣获四川省三八红旗手", "7名"),
        ("是否发生事故?", "未发生一次性死亡10人以上道路交通事故。", "否"),
        ("是否居全国之首?", "数量居全国之首。", "是"),
        ("发案情况如何?", "严厉打击各类突出违法犯罪,全省刑事案件发案逐年下降,", "全省刑事案件发案逐年下降"),
    ],
)
def test_extract(question, sentence, answer):
    assert extract(question, sentence) == answer


def test_sentences_and_surfaces():
    assert sentences("甲。乙;\n丙") == ["甲。", "乙;", "丙"]
    assert quantity_surfaces("参训参演民警辅警7万余人次。") == [("7万余人次", "人次")]
