"""The analyzer: folding, segmentation, Latin words, numbers, and queries that cannot break."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchwork.search import analyzer


def test_it_folds_traditional_full_width_and_case():
    assert analyzer.fold("深度學習 ＡＢＣ１２３ Vaccines") == "深度学习 abc123 vaccines"


def test_it_segments_chinese_into_words_and_keeps_words_inside_long_ones():
    terms = analyzer.index_terms("深度学习模型需要大量训练数据。中华人民共和国国务院")
    assert terms[:7] == ["深度", "学习", "模型", "需要", "大量", "训练", "数据"]
    # A long dictionary word also yields the words inside it, after the whole words.
    assert {"共和国", "国务院", "人民"} <= set(terms[7:])


def test_traditional_and_simplified_give_the_same_terms():
    assert analyzer.index_terms("訓練數據與黨建工作") == analyzer.index_terms("训练数据与党建工作")


def test_latin_words_are_stemmed_and_numbers_kept():
    assert analyzer.index_terms("Vaccines vaccinated COVID-19 in 2019, café") == [
        "vaccin", "vaccin", "covid", "19", "in", "2019", "cafe",
    ]


def test_a_word_of_several_terms_is_a_phrase_and_quotes_make_one():
    query = analyzer.parse_query('深度学习 "training data" vaccines')
    assert [t.terms for t in query.terms] == [("深度", "学习"), ("train", "data"), ("vaccin",)]
    # The last word of a Chinese phrase may begin a longer word (深度学习 in 深度学习者).
    assert analyzer.fts5_match(query) == '"深度 学习"* AND "train data" AND "vaccin"'
    assert analyzer.tsquery(query) == "('深度' <-> '学习':*) & ('train' <-> 'data') & 'vaccin'"


def test_a_single_han_character_is_the_start_of_a_word():
    query = analyzer.parse_query("党")
    assert query.terms[0].prefix
    assert analyzer.fts5_match(query) == '"党"*'
    assert analyzer.tsquery(query) == "'党':*"


@pytest.mark.parametrize("raw", ["", "   ", '"*():^-', "\"'", "-", "（）【】……", "^*"])
def test_queries_with_nothing_to_search_are_empty(raw):
    assert not analyzer.parse_query(raw)


def test_query_syntax_words_are_searched_as_words():
    query = analyzer.parse_query("NEAR( AND title:OR NOT")
    assert analyzer.fts5_match(query) == '"near" AND "and" AND "titl or" AND "not"'


def test_long_queries_are_cut():
    query = analyzer.parse_query("党建" * 500)
    assert len(query.text) == analyzer.MAX_QUERY_LENGTH
    assert sum(len(t.terms) for t in query.terms) <= analyzer.MAX_QUERY_TERMS


def test_unbalanced_quotes_close_at_the_end():
    query = analyzer.parse_query('"党建 工作')
    assert [t.terms for t in query.terms] == [("党建", "工作")]
    assert query.terms[0].prefix


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_input_makes_a_valid_fts5_query(raw):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(title, body)")
    db.execute("INSERT INTO f VALUES (?, ?)", ("党建", analyzer.analyze("深度学习需要训练数据 vaccines")))
    query = analyzer.parse_query(raw)
    if query:
        match = "{title body} : (" + analyzer.fts5_match(query) + ")"
        db.execute("SELECT rowid FROM f WHERE f MATCH ?", (match,)).fetchall()


def test_tsvector_literals_keep_positions():
    assert analyzer.tsvector(["党建", "工作", "党建"]) == "'党建':1,3 '工作':2"


def test_the_converter_is_built_once():
    # Its speed is measured by `make bench`, not asserted here (timed tests flake under load).
    converter = analyzer._converter()
    assert analyzer._converter() is converter
    assert analyzer.fold("深度學習模型需要大量訓練數據") == analyzer.fold("深度学习模型需要大量训练数据")
