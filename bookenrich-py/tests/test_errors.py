"""The same bad input gives the same kind, details and field name in every front end.

bookenrich-core/tests/error_kinds.rs, bookenrich-node/test/errors.test.mjs and
bookenrich-cli/tests/enrich.rs check the same cases through their own surfaces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest

import bookenrich
from conftest import FakeCatalogue


def test_an_export_that_cannot_be_read_past_a_point_is_invalid_input_with_file_and_line(tmp_path: Path) -> None:
    # A directory opens like a file on Linux and fails on the first read.
    with pytest.raises(bookenrich.InvalidInputError) as info:
        bookenrich.read_export(tmp_path)
    assert info.value.file == str(tmp_path)
    assert info.value.line == 1
    assert str(info.value).startswith(f"{tmp_path}: line 1: ")


@pytest.mark.parametrize(("option", "value"), [("concurrency", 0), ("request_timeout", 0)])
def test_an_invalid_option_is_a_config_error_naming_it_as_python_spells_it(option: str, value: int) -> None:
    arguments: Dict[str, Any] = {option: value}
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher(**arguments)
    assert info.value.field == option
    assert str(info.value).startswith(f"invalid {option}: ")


def test_a_count_of_zero_reads_as_in_every_front_end() -> None:
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher(concurrency=0)
    assert str(info.value) == "invalid concurrency: must be a whole number of at least 1, got 0"


def test_a_blank_cache_is_a_config_error_naming_cache_as_in_every_front_end() -> None:
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher(cache=" ")
    assert info.value.field == "cache"
    assert str(info.value) == "invalid cache: must be a path, `memory` or `off`"


@pytest.mark.network
def test_a_sources_failure_names_it_as_source_on_the_exception_and_on_the_book(catalogue: FakeCatalogue) -> None:
    catalogue.configure(faults=["503,api=google"])
    url = f"{catalogue.url}/books/v1/volumes?q=isbn:9780140328721"
    raised: list[bookenrich.SourceError] = []

    class Mine(bookenrich.GenreSource):
        name = "mine"

        def lookup(self, books: list[bookenrich.BookInfo], fetch: bookenrich.Fetch) -> None:
            try:
                fetch.get_json(url)
            except bookenrich.SourceError as e:
                raised.append(e)
                raise

    enricher = bookenrich.Enricher(
        sources=[Mine(), "google"], merge="union", cache="off", max_attempts=1, google_books_url=catalogue.url
    )
    (result,) = enricher.enrich([bookenrich.BookInfo("Fantastic Mr. Fox", "Roald Dahl", isbn13="9780140328721")])
    (error,) = raised
    assert (error.source, error.kind, error.url) == ("mine", "server", url)
    # The custom source's failure and the built-in one's, per book, under the same name.
    # The custom source let the request's error through: its books fail with the request's kind.
    assert sorted((f.source, f.kind) for f in result.failures) == [("google_books", "server"), ("mine", "server")]
    assert next(f for f in result.failures if f.source == "mine").message.startswith("mine: HTTP 503")
