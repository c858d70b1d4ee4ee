"""The genre normaliser."""

from __future__ import annotations

import pytest

import bookenrich


def test_normalize_genres_cleans_and_orders() -> None:
    raw = ["Fiction / Science Fiction / Space Opera", "Large type books", "Sci-fi."]
    assert bookenrich.normalize_genres(raw) == ["Science Fiction", "Space Opera", "Fiction"]
    assert bookenrich.normalize_genres([]) == []
    assert bookenrich.normalize_genres(["Large type books", "nyt:business-books=2020-07-12"]) == []


def test_normalize_genres_wants_a_list_not_a_string() -> None:
    with pytest.raises(TypeError):
        bookenrich.normalize_genres("Fantasy")


def test_genre_normalizer_max_genres_and_vocabulary() -> None:
    default = bookenrich.GenreNormalizer()
    assert default.max_genres == 8
    assert "Science Fiction" in default.vocabulary()
    two = bookenrich.GenreNormalizer(max_genres=2)
    raw = ["Fiction / Science Fiction / Space Opera", "Fantasy", "Horror"]
    assert len(two.normalize(raw)) == 2
    assert two.normalize(raw) == default.normalize(raw)[:1] + ["Fiction"]


def test_genre_normalizer_rejects_bad_rules_with_a_config_error() -> None:
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.GenreNormalizer("this is = not [valid toml")
    assert "user rules" in str(info.value)


def test_normalize_sources_classify_and_explain() -> None:
    normalizer = bookenrich.GenreNormalizer()
    per_source = [["Fantasy", "Horror"], ["Fiction / Fantasy / General"]]
    combined = normalizer.normalize_sources(per_source)
    assert combined[0] == "Fantasy"  # two catalogues agree on it
    assert combined[-1] == "Fiction"
    assert normalizer.classify(["Self-help", "Psychology"]) == "Nonfiction"
    assert normalizer.classify(["Large type books"]) is None
    explained = normalizer.explain("Large type books")
    assert explained["genres"] == []
    assert [(d["reason"], d["noise_class"]) for d in explained["dropped"]] == [("noise", "format")]
    assert normalizer.explain("Science fiction")["genres"] == ["Science Fiction"]
