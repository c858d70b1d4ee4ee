"""The `shelves` source from Python: the reader's own shelves as genres, without a request."""

from __future__ import annotations

import bookenrich
from bookenrich import BookInfo
from conftest import EDGE_CASES_CSV


def test_book_info_carries_the_shelves() -> None:
    info = BookInfo("Dune", "Frank Herbert", bookshelves=["sci-fi", "to-read"])
    assert info.bookshelves == ["sci-fi", "to-read"]
    assert BookInfo.from_dict(info.to_dict()) == info
    assert BookInfo("Dune", "Frank Herbert").bookshelves == []
    book = bookenrich.read_export(EDGE_CASES_CSV).books[0]
    assert book.to_book_info().bookshelves == book.bookshelves == ["sci-fi", "weird", "favorites"]


def test_shelves_become_genres_and_status_shelves_are_dropped() -> None:
    enricher = bookenrich.Enricher(sources=["shelves"], cache="off")
    assert enricher.sources == ["shelves"]
    books = [
        BookInfo("A", "B", bookshelves=["non-fiction", "to-read", "2023-reads", "owned"]),
        BookInfo("C", "D", bookshelves=["currently-reading", "kindle"]),
        BookInfo("E", "F"),
    ]
    results, summary = enricher.enrich_with_summary(books)
    assert results[0].final_genres == ["Nonfiction"]
    assert results[0].genres_by_source == {"shelves": ["non-fiction"]}
    assert results[0].genre_sources == ["shelves"]
    assert [r.final_genres for r in results[1:]] == [[], []]
    assert all(r.error is None for r in results)
    assert summary["requests"] == 0
