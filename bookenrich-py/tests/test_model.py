"""BookAnalytics, BookInfo, EnrichedBook: attributes, derived values, dict round trips, immutability."""

from __future__ import annotations

import copy
import datetime
import json
import pickle

import pytest

import bookenrich
from conftest import EDGE_CASES_CSV


@pytest.fixture(scope="module")
def books() -> dict[str, bookenrich.BookAnalytics]:
    export = bookenrich.read_export(EDGE_CASES_CSV, include_unread=True)
    return {b.goodreads_id: b for b in export.books}


def test_every_field_as_an_attribute(books: dict[str, bookenrich.BookAnalytics]) -> None:
    b = books["17470674"]
    assert (b.goodreads_id, b.title, b.author) == ("17470674", "Annihilation (Southern Reach #1)", "Jeff VanderMeer")
    assert b.author_lf == "VanderMeer, Jeff"
    assert b.additional_authors is None
    assert (b.isbn, b.isbn13) == ("0374104093", "9780374104092")
    assert b.my_rating == 4 and b.average_rating == 3.7
    assert (b.publisher, b.binding, b.num_pages) == ("Farrar, Straus and Giroux", "Paperback", 195)
    assert (b.year_published, b.original_publication_year) == (2014, 2014)
    assert b.date_read == datetime.date(2023, 3, 14)
    assert b.date_added == datetime.date(2023, 1, 2)
    assert b.bookshelves == ["sci-fi", "weird", "favorites"]
    assert b.bookshelves_with_positions == "sci-fi (#12), weird (#3), favorites (#40)"
    assert b.reading_status == "read"
    assert b.has_spoilers is False
    assert b.private_notes == "Borrowed from a friend"
    assert (b.read_count, b.owned_copies) == (1, 0)


def test_derived_values(books: dict[str, bookenrich.BookAnalytics]) -> None:
    b = books["17470674"]
    assert b.is_read and b.is_rated and b.has_review and not b.was_reread
    assert b.reading_year == 2023
    assert b.reading_month_year == "2023-03"
    assert b.page_category == "Short (<200)"
    assert books["25499718"].page_category == "Very Long (500+)"
    assert books["25499718"].was_reread
    hunger = books["2767052"]  # on the read shelf without a date: not read
    assert not hunger.is_read and hunger.reading_year is None and hunger.reading_month_year is None
    assert books["36373481"].page_category is None


def test_dict_round_trip_and_json(books: dict[str, bookenrich.BookAnalytics]) -> None:
    for book in books.values():
        data = book.to_dict()
        json.dumps(data)  # JSON-ready
        assert bookenrich.BookAnalytics.from_dict(data) == book
    data = books["1885"].to_dict()
    assert data["date_read"] == "2008-09-01"
    data["date_read"] = datetime.date(2008, 9, 1)  # date objects are accepted too
    assert bookenrich.BookAnalytics.from_dict(data) == books["1885"]


def test_from_dict_defaults_unknown_keys_and_missing_fields() -> None:
    minimal = bookenrich.BookAnalytics.from_dict({"goodreads_id": "9", "title": "T", "author": "A"})
    assert minimal.bookshelves == [] and minimal.read_count == 1 and minimal.owned_copies == 0
    assert minimal.date_read is None and not minimal.has_spoilers

    with pytest.raises(bookenrich.InvalidInputError, match=r"unknown key\(s\): reading_year, genres"):
        bookenrich.BookAnalytics.from_dict(
            {"goodreads_id": "9", "title": "T", "author": "A", "reading_year": 2020, "genres": []}
        )
    with pytest.raises(bookenrich.InvalidInputError, match="missing field `title`"):
        bookenrich.BookAnalytics.from_dict({"goodreads_id": "9", "author": "A"})
    with pytest.raises(bookenrich.InvalidInputError, match="BookAnalytics.from_dict: .*date_read"):
        bookenrich.BookAnalytics.from_dict({"goodreads_id": "9", "title": "T", "author": "A", "date_read": "13/13/2020"})
    with pytest.raises(TypeError, match=r"BookAnalytics\[\"bookshelves\"\]: unsupported type set"):
        bookenrich.BookAnalytics.from_dict({"goodreads_id": "9", "title": "T", "author": "A", "bookshelves": {"a"}})


def test_immutable_pickle_copy_replace(books: dict[str, bookenrich.BookAnalytics]) -> None:
    b = books["6310"]
    with pytest.raises(AttributeError):
        b.title = "Other"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(b)) == b
    assert copy.deepcopy(b) == b
    changed = b.replace(title="Fantastic Mr. Fox (illustrated)", my_rating=5)
    assert changed.title == "Fantastic Mr. Fox (illustrated)" and changed.my_rating == 5
    assert b.title == "Fantastic Mr. Fox"
    assert repr(b) == "BookAnalytics(goodreads_id='6310', title='Fantastic Mr. Fox', author='Roald Dahl')"
    with pytest.raises(bookenrich.InvalidInputError, match="unknown key"):
        b.replace(titel="typo")


def test_constructor_keywords_and_validation() -> None:
    book = bookenrich.BookAnalytics(
        "1", "Dune", "Frank Herbert", reading_status="read", date_read=datetime.date(2020, 1, 2), num_pages=412
    )
    assert book.is_read and book.page_category == "Long (350-500)"
    with pytest.raises(ValueError, match="my_rating must be between 0 and 5"):
        bookenrich.BookAnalytics("1", "Dune", "Frank Herbert", my_rating=6)
    with pytest.raises(ValueError, match="read_count must be at least 1"):
        bookenrich.BookAnalytics("1", "Dune", "Frank Herbert", read_count=0)
    with pytest.raises(TypeError):
        bookenrich.BookAnalytics("1", "Dune", "Frank Herbert", "positional")  # type: ignore[call-arg]


def test_book_info(books: dict[str, bookenrich.BookAnalytics]) -> None:
    info = books["17470674"].to_book_info()
    shelves = ["sci-fi", "weird", "favorites"]  # for the `shelves` source
    assert info == bookenrich.BookInfo(
        "Annihilation (Southern Reach #1)", "Jeff VanderMeer", "9780374104092", "0374104093", "17470674", shelves
    )
    assert info.to_dict() == {
        "title": "Annihilation (Southern Reach #1)",
        "author": "Jeff VanderMeer",
        "isbn": "0374104093",
        "isbn13": "9780374104092",
        "goodreads_id": "17470674",
        "bookshelves": shelves,
    }
    assert bookenrich.BookInfo.from_dict(info.to_dict()) == info
    assert pickle.loads(pickle.dumps(info)) == info
    kw = bookenrich.BookInfo(title="T", author="A", isbn13=None, isbn="0140328726", goodreads_id="5")
    assert (kw.isbn, kw.isbn13, kw.goodreads_id) == ("0140328726", None, "5")
    assert repr(kw) == "BookInfo(title='T', author='A', isbn13=None, isbn='0140328726', goodreads_id='5')"
    assert repr(info).endswith("goodreads_id='17470674', bookshelves=['sci-fi', 'weird', 'favorites'])")


def test_enriched_book_round_trip_and_dashboard_record(books: dict[str, bookenrich.BookAnalytics]) -> None:
    result = bookenrich.EnrichedBook(
        goodreads_id="17470674",
        title="Annihilation",
        final_genres=["Science Fiction", "Fiction"],
        genres_by_source={"open_library": ["Science fiction"]},
        genre_sources=["open_library"],
        thumbnail_url="https://covers.example/1-M.jpg",
    )
    assert result.has_genres and result.error is None and not result.from_cache
    assert bookenrich.EnrichedBook.from_dict(result.to_dict()) == result
    assert bookenrich.EnrichedBook.from_dict({"goodreads_id": "1"}).final_genres == []
    assert pickle.loads(pickle.dumps(result)) == result

    record = books["17470674"].to_dashboard_dict(result)
    assert list(record)[:5] == ["goodreads_id", "title", "author", "isbn", "isbn13"]
    assert record["genres"] == ["Science Fiction", "Fiction"]
    assert record["genre_enriched"] is True
    assert record["thumbnail_url"] == "https://covers.example/1-M.jpg"
    assert record["private_notes"] is None  # private unless asked for
    assert books["17470674"].to_dashboard_dict(include_private_notes=True)["private_notes"] == "Borrowed from a friend"
    assert books["17470674"].to_dashboard_dict()["genres"] == []


def test_source_failures_are_built_and_carried_by_enriched_books() -> None:
    throttle = bookenrich.SourceFailure("google_books", "rate_limited")
    assert (throttle.source, throttle.kind, throttle.retryable, throttle.message) == (
        "google_books",
        "rate_limited",
        True,
        "google_books: rate_limited",
    )
    quota = bookenrich.SourceFailure("google_books", "quota_exhausted", "google_books: daily quota exhausted")
    assert not quota.retryable and str(quota) == "google_books: daily quota exhausted"
    assert bookenrich.SourceFailure("open_library", "server", retryable=False).retryable is False
    with pytest.raises(bookenrich.InvalidInputError, match="unknown variant `gremlins`"):
        bookenrich.SourceFailure("open_library", "gremlins")  # type: ignore[arg-type]

    book = bookenrich.EnrichedBook(goodreads_id="1", error=quota.message, failures=[quota])
    assert book.failures == [quota] and not book.is_retryable
    assert bookenrich.EnrichedBook(goodreads_id="1", failures=[quota, throttle]).is_retryable
    assert bookenrich.EnrichedBook.from_dict(book.to_dict()) == book
    assert book.to_dict()["failures"] == [
        {"source": "google_books", "kind": "quota_exhausted", "retryable": False, "message": "google_books: daily quota exhausted"}
    ]
