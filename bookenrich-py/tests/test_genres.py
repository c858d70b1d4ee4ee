"""The genre normaliser."""

from __future__ import annotations

import pathlib

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


def test_audit_lists_books_without_genres_and_unknown_strings_by_frequency() -> None:
    results = [
        bookenrich.EnrichedBook(
            title="Tunnels",
            author="A",
            genres_by_source={"open_library": ["Tunnels", "Underground railroads", "Large type books"]},
            final_genres=[],
        ),
        bookenrich.EnrichedBook(
            title="Digging",
            author="B",
            genres_by_source={"open_library": ["Tunnels", "Volcanoes"]},
            final_genres=["Science", "Nonfiction"],
        ),
    ]
    audit = bookenrich.GenreNormalizer().audit(results)
    assert (audit["books"], audit["with_genres"]) == (2, 1)
    assert [b["title"] for b in audit["without_genres"]] == ["Tunnels"]
    assert audit["without_genres"][0]["raw"]["open_library"][0] == "Tunnels"
    assert [(u["text"], u["books"]) for u in audit["unknown"]] == [("tunnels", 2), ("underground railroads", 1)]
    assert audit["unknown"][0]["rule"] == '[topics] "tunnels" = ["<genre>"]'
    assert len(bookenrich.GenreNormalizer().audit(results, top=1)["unknown"]) == 1
    # The suggested rule, filled in, gives the string a genre.
    fixed = bookenrich.GenreNormalizer('[topics]\n"tunnels" = ["Technology"]\n')
    assert [u["text"] for u in fixed.audit(results)["unknown"]] == ["underground railroads"]


def test_audit_dashboard_reads_a_file_and_names_a_bad_one(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{"books": [{"title": "A", "author": "B", "genres": []}]}', encoding="utf-8")
    audit = bookenrich.GenreNormalizer().audit_dashboard(path)
    assert audit["without_genres"][0]["title"] == "A"
    path.write_text('{"books": [{"genres": "x"}]}', encoding="utf-8")
    # The same kind, message and field as Node's auditDashboard and `bookenrich genres audit`.
    with pytest.raises(
        bookenrich.InvalidInputError,
        match=r"d\.json: invalid dashboard JSON: books\[0\]\.genres: not an array",
    ) as raised:
        bookenrich.GenreNormalizer().audit_dashboard(path)
    assert (raised.value.file, raised.value.field) == (str(path), "books[0].genres")
    with pytest.raises(OSError, match=r"missing\.json"):
        bookenrich.GenreNormalizer().audit_dashboard(tmp_path / "missing.json")
