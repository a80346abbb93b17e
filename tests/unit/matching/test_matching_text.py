"""Japanese-aware terms and the TF-IDF model."""

from __future__ import annotations

import numpy as np
import pytest

from matching.text import fit_text_model, flat_text_model, term_counts, terms


def test_cjk_runs_become_bigrams():
    assert terms("酪農データ") == ["酪農", "農デ", "デー", "ータ"]


def test_single_kanji_stays_a_unigram_and_hiragana_is_skipped():
    assert terms("町の防災をします") == ["町", "防災"]


def test_latin_words_lowercased_and_stopwords_dropped():
    assert terms("GIS and Python for the Town") == ["gis", "python", "town"]


def test_fullwidth_is_normalised():
    assert terms("ＧＩＳとｋｉｎｔｏｎｅ") == ["gis", "kintone"]


def test_mixed_text_keeps_tool_names():
    assert "kintone" in terms("町役場でkintoneアプリを作成") and "役場" in terms("町役場")


def test_term_counts_counts_repeats():
    assert term_counts("観光 観光 sightseeing")["観光"] == 2


def test_english_glossary_words_also_give_their_japanese_terms():
    assert term_counts("観光 観光 tourism")["観光"] == 3 and term_counts("tourism")["tourism"] == 1
    assert terms("Dairy data analysis") == ["dairy", "酪農", "data", "デー", "ータ", "analysis", "分析"]
    assert terms("cow") == ["cow"]  # not in the glossary: no guess


def test_tfidf_vectors_are_normalised_and_rare_terms_weigh_more():
    corpus = ["酪農 データ", "観光 データ", "防災 データ", "酪農 観光"]
    model = fit_text_model([term_counts(t) for t in corpus])
    ids, weights = model.vector("酪農 データ")
    assert float(np.dot(weights, weights)) == pytest.approx(1.0, abs=1e-6)
    by_term = dict(zip((model.terms[i] for i in ids), weights, strict=True))
    assert by_term["酪農"] > by_term["デー"]  # データ bigrams occur in 3 of 4 texts


def test_max_df_drops_ubiquitous_terms_once_corpus_is_large():
    corpus = [f"北海道 project{i}" for i in range(60)]
    model = fit_text_model([term_counts(t) for t in corpus], max_df=0.5)
    assert "北海" not in model.vocabulary and "project7" in model.vocabulary


def test_unknown_terms_are_ignored_by_encode():
    model = flat_text_model(["酪農"])
    ids, tfs = model.encode("酪農 観光")
    assert [model.terms[i] for i in ids] == ["酪農"] and tfs.tolist() == [1]


def test_a_word_of_a_domain_also_gives_the_domain_word():
    """乳牛 and 牛群 are dairy work: their runs also give 酪農 (matching.glossary.THEMES), once, and a run
    that already writes 酪農 gains nothing."""
    assert "酪農" in terms("乳牛の行動センサー") and terms("牛群検定")[-1] == "酪農"
    assert terms("酪農データ").count("酪農") == 1
    assert "酪農" not in terms("乳牛の行動センサー", glossary=False)


def test_an_english_word_gives_the_domain_of_its_japanese_term():
    assert terms("tsunami") == ["tsunami", "津波", "防災"] and "林業" in terms("forest")


def test_ambiguous_english_words_are_left_out_of_the_glossary():
    # "Cloud migration" is moving systems (移行), not moving house (移住): no guess
    assert "移住" not in terms("cloud migration") and "移住" in terms("rural relocation")
