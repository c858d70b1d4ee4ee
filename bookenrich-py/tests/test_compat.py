"""bookenrich.compat, used exactly as the goodreads_stats Lambdas and scripts use the old package."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List

import pytest

import bookenrich
from bookenrich.compat import (
    AnalyticsCSVProcessor,
    AsyncGenreEnricher,
    BookAnalytics,
    BookInfo,
    EnrichedBook,
    create_dashboard_json,
)
from conftest import EDGE_CASES_CSV, FakeCatalogue, load_expected


def comparable(dashboard: Dict[str, Any]) -> Dict[str, Any]:
    return {"books": dashboard["books"], "summary": dashboard["summary"]}


# ---- orchestrator Lambda: load the CSV, turn books into BookInfo ----------------------------


def test_orchestrator_loads_books_and_builds_book_infos() -> None:
    csv_content = EDGE_CASES_CSV.read_text(encoding="utf-8")
    # As the orchestrator does: the S3 body written to a temporary file, then loaded.
    with tempfile.NamedTemporaryFile(mode="w", suffix=".csv", delete=False) as f:
        f.write(csv_content)
        csv_path = f.name
    try:
        csv_processor = AnalyticsCSVProcessor()
        books = csv_processor.load_books_for_analytics(csv_path, include_unread=False, sample_size=None)
    finally:
        os.unlink(csv_path)
    assert len(books) == 11
    assert all(isinstance(b, BookAnalytics) for b in books)
    book_infos = []
    for book in books:
        book_info = BookInfo(
            title=book.title,
            author=book.author,
            isbn13=book.isbn13,
            isbn=book.isbn,
            goodreads_id=book.goodreads_id,
        )
        book_infos.append(book_info)
    assert book_infos[0] == BookInfo(
        "Annihilation (Southern Reach #1)", "Jeff VanderMeer", "9780374104092", "0374104093", "17470674"
    )
    # The orchestrator's own dashboard merge reads to_dashboard_dict() and goodreads_id.
    combined = {**books[0].to_dashboard_dict(), "final_genres": [], "thumbnail_url": None}
    assert combined["goodreads_id"] == "17470674" and combined["reading_year"] == 2023


def test_book_analytics_keeps_the_old_fields_and_properties() -> None:
    books = AnalyticsCSVProcessor().load_books_for_analytics(str(EDGE_CASES_CSV), include_unread=True)
    by_id = {b.goodreads_id: b for b in books}
    harry = by_id["3"]
    assert harry.read_count_original == 4 and harry.read_count_for_analytics == 1
    assert harry.date_read == datetime.date(2010, 1, 1)
    assert harry.reading_month_year == (2010, 1)  # a tuple, as the old property returned
    assert harry.page_category == "Medium (200-350)"
    assert harry.final_genres == [] and harry.genre_enrichment_success is False
    assert by_id["6310"].is_rated is False and by_id["6310"].my_rating is None
    # Mutable, as the Lambdas expect.
    harry.final_genres = ["Fantasy"]
    harry.thumbnail_url = "https://covers.example/3-M.jpg"
    record = harry.to_dashboard_dict()
    assert record["genres"] == ["Fantasy"] and record["genre_enriched"] is True
    assert record["thumbnail_url"] == "https://covers.example/3-M.jpg"


def test_sample_size_keeps_the_first_books_and_problems_are_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    processor = AnalyticsCSVProcessor()
    assert [b.goodreads_id for b in processor.load_books_for_analytics(EDGE_CASES_CSV, sample_size=2)] == [
        "17470674",
        "25499718",
    ]
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "Book Id,Title,Author,Exclusive Shelf,Date Read\n1,Dune,Frank Herbert,read,2020/01/02\n2,,Nobody,read,2020/01/02\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        books = processor.load_books_for_analytics(broken)
    assert [b.title for b in books] == ["Dune"]
    assert [p.kind for p in processor.problems] == ["blank_title"]
    assert 'line 3: column "Title" is blank' in caplog.text
    with pytest.raises(FileNotFoundError):
        processor.load_books_for_analytics(tmp_path / "missing.csv")


def test_export_analytics_summary() -> None:
    processor = AnalyticsCSVProcessor()
    books = processor.load_books_for_analytics(EDGE_CASES_CSV)
    summary = processor.export_analytics_summary(books)
    assert summary["total_books"] == 11 and summary["read_books"] == 11 and summary["rated_books"] == 10
    assert summary["re_read_count"] == 3
    assert summary["total_pages"] == 2640


# ---- the contract, through the compat path ------------------------------------------------


@pytest.mark.parametrize(
    ("include_unread", "expected_file"),
    [(False, "expected_dashboard_default.json"), (True, "expected_dashboard_all_shelves.json")],
)
def test_contract_fixtures_through_create_dashboard_json(
    tmp_path: Path, include_unread: bool, expected_file: str
) -> None:
    books = AnalyticsCSVProcessor().load_books_for_analytics(
        str(EDGE_CASES_CSV), include_unread=include_unread, sample_size=None
    )
    output = tmp_path / "out" / "dashboard.json"
    path = create_dashboard_json(books, str(output))
    assert path == str(output)
    written = json.loads(output.read_text(encoding="utf-8"))
    expected = load_expected(expected_file)
    assert comparable(written) == expected
    assert [list(b) for b in written["books"]] == [list(b) for b in expected["books"]]
    assert list(written) == ["export_id", "books", "summary", "metadata"]
    # Private notes are included, as the old exporter did.
    assert any(b["private_notes"] == "Borrowed from a friend" for b in written["books"])
    assert [b.to_dashboard_dict() for b in books] == expected["books"]


def test_create_dashboard_json_without_a_path_names_the_file_after_the_export_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    books = AnalyticsCSVProcessor().load_books_for_analytics(EDGE_CASES_CSV)
    path = create_dashboard_json(books)
    assert Path(path).parent == Path("dashboard_data")
    written = json.loads((tmp_path / path).read_text(encoding="utf-8"))
    assert Path(path).stem == written["export_id"] == written["metadata"]["export_id"]


# ---- book processor Lambda: one book through AsyncGenreEnricher -------------------------------


async def enrich_single_book(book_data: Dict[str, Any]) -> Dict[str, Any]:
    """The old book processor Lambda's function, unchanged but for the import."""
    book_info_fields = {
        "title": book_data.get("title"),
        "author": book_data.get("author"),
        "isbn13": book_data.get("isbn13"),
        "isbn": book_data.get("isbn"),
        "goodreads_id": book_data.get("goodreads_id"),
    }
    book_info = BookInfo(**book_info_fields)  # type: ignore[arg-type]
    async with AsyncGenreEnricher(max_concurrent=1) as enricher:
        enriched_book = await enricher.enrich_book_async(book_info)
        return {
            "statusCode": 200,
            "body": {
                "isbn": enriched_book.isbn,
                "title": enriched_book.title,
                "author": enriched_book.author,
                "final_genres": enriched_book.final_genres,
                "thumbnail_url": enriched_book.thumbnail_url,
                "genre_sources": enriched_book.genre_sources,
                "enrichment_logs": enriched_book.enrichment_logs,
                "genre_enrichment_success": len(enriched_book.final_genres) > 0,
            },
        }


@pytest.mark.network
def test_book_processor_enriches_one_book(catalogue_env: FakeCatalogue) -> None:
    event = {
        "book": {
            "title": "Fantastic Mr. Fox",
            "author": "Roald Dahl",
            "isbn13": "9780140328721",
            "isbn": "0140328726",
            "goodreads_id": "6310",
        }
    }
    result = asyncio.run(enrich_single_book(event["book"]))
    body = result["body"]
    assert result["statusCode"] == 200
    assert (body["isbn"], body["title"], body["author"]) == ("0140328726", "Fantastic Mr. Fox", "Roald Dahl")
    assert body["genre_enrichment_success"] is True
    assert "Fiction" in body["final_genres"]
    assert body["thumbnail_url"] is not None
    assert body["genre_sources"] and set(body["genre_sources"]) <= {"open_library", "google_books"}
    assert body["enrichment_logs"]  # the processing log, step by step
    json.dumps(result)  # what the Lambda returns must serialise
    # The settings came from BOOKENRICH_*: every request went to the fake server.
    assert catalogue_env.stats()["total"] > 0


@pytest.mark.network
def test_enrich_books_batch_keeps_order_and_old_result_api(catalogue_env: FakeCatalogue) -> None:
    books = AnalyticsCSVProcessor().load_books_for_analytics(EDGE_CASES_CSV, include_unread=True)
    infos = [BookInfo(b.title, b.author, b.isbn13, b.isbn, b.goodreads_id) for b in books]

    async def run() -> List[EnrichedBook]:
        async with AsyncGenreEnricher(max_concurrent=10, rate_limit_delay=0.1) as enricher:
            return await enricher.enrich_books_batch(infos)

    enriched = asyncio.run(run())
    assert [e.goodreads_id for e in enriched] == [b.goodreads_id for b in books]
    assert [e.input_info for e in enriched] == infos
    fox = next(e for e in enriched if e.title == "Fantastic Mr. Fox")
    assert fox.get_success_status()
    assert fox.processed_openlib_genres  # Open Library's raw subjects
    summary = fox.get_summary()
    assert summary["final_genres"] == fox.final_genres and summary["openlib_success"] is True
    alchemist = next(e for e in enriched if e.title == "The Alchemist")
    assert not alchemist.get_success_status() and alchemist.small_thumbnail_url is None
    fox.add_log("checked by the test")
    assert fox.processing_log[-1] == "checked by the test"


def test_async_genre_enricher_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert AsyncGenreEnricher().enricher.concurrency == 10  # the old default
    assert AsyncGenreEnricher(max_concurrent=3).enricher.concurrency == 3
    monkeypatch.setenv("BOOKENRICH_CONCURRENCY", "5")
    assert AsyncGenreEnricher().enricher.concurrency == 5  # the environment, when not given
    assert AsyncGenreEnricher(max_concurrent=2).enricher.concurrency == 2  # explicit wins
    # rate_limit_delay caps each catalogue at 1/delay requests per second, never faster than its limit.
    slow = AsyncGenreEnricher(rate_limit_delay=2.0).enricher.rate_limits
    assert slow == {"open_library": 0.5, "google_books": 0.5}
    assert AsyncGenreEnricher(rate_limit_delay=0.1).enricher.rate_limits == {"open_library": 1.0, "google_books": 1.0}
    with pytest.raises(ValueError, match="max_concurrent must be at least 1"):
        AsyncGenreEnricher(max_concurrent=0)
    monkeypatch.setenv("BOOKENRICH_OPEN_LIBRARY_URL", "not a url")

    async def enter() -> None:
        async with AsyncGenreEnricher():
            pass

    with pytest.raises(bookenrich.ConfigError, match="BOOKENRICH_OPEN_LIBRARY_URL"):
        asyncio.run(enter())


# ---- aggregator Lambda: rebuild BookAnalytics from JSON, merge results, write the dashboard ----


def merge_enriched_data(original_books: List[Dict[str, Any]], enriched_results: List[Dict[str, Any]]) -> List[BookAnalytics]:
    """The old aggregator Lambda's merge, unchanged but for the import."""
    enhanced_books = []
    for original_book, enriched_result in zip(original_books, enriched_results):
        filtered_book_data = {
            k: v
            for k, v in original_book.items()
            if k not in ["reading_year", "reading_month_year", "is_rated", "page_category", "has_review", "was_reread"]
        }
        field_mappings = {
            "genres": "final_genres",
            "publication_year": "original_publication_year",
            "genre_enriched": "genre_enrichment_success",
            "original_read_count": "read_count_original",
        }
        for old_name, new_name in field_mappings.items():
            if old_name in filtered_book_data:
                filtered_book_data[new_name] = filtered_book_data.pop(old_name)
        from datetime import datetime

        if "date_read" in filtered_book_data and filtered_book_data["date_read"]:
            filtered_book_data["date_read"] = datetime.fromisoformat(filtered_book_data["date_read"]).date()
        filtered_book_data.setdefault("author_lf", None)
        filtered_book_data.setdefault("additional_authors", None)
        filtered_book_data.setdefault("year_published", None)
        filtered_book_data.setdefault("date_added", None)
        filtered_book_data.setdefault("bookshelves_with_positions", None)
        filtered_book_data.setdefault("owned_copies", 0)
        book = BookAnalytics(**filtered_book_data)
        if enriched_result.get("statusCode") == 200:
            enriched_body = enriched_result.get("body", {})
            book.final_genres = enriched_body.get("final_genres", [])
            book.genre_enrichment_success = enriched_body.get("genre_enrichment_success", False)
            book.thumbnail_url = enriched_body.get("thumbnail_url")
            book.small_thumbnail_url = enriched_body.get("small_thumbnail_url")
            book.genre_sources = enriched_body.get("genre_sources", [])  # type: ignore[attr-defined]
            book.enrichment_logs = enriched_body.get("enrichment_logs", [])  # type: ignore[attr-defined]
        else:
            book.final_genres = []
            book.genre_enrichment_success = False
            book.enrichment_logs = ["Enrichment failed"]  # type: ignore[attr-defined]
        enhanced_books.append(book)
    return enhanced_books


def test_aggregator_rebuilds_books_from_dashboard_dicts_and_writes_the_dashboard(tmp_path: Path) -> None:
    books = AnalyticsCSVProcessor().load_books_for_analytics(EDGE_CASES_CSV)
    original_books = json.loads(json.dumps([b.to_dashboard_dict() for b in books]))  # via S3
    enriched_results: List[Dict[str, Any]] = [
        {"statusCode": 500, "body": {"error": "boom"}} for _ in original_books
    ]
    enriched_results[0] = {
        "statusCode": 200,
        "body": {
            "final_genres": ["Science Fiction", "Horror", "Fiction"],
            "genre_enrichment_success": True,
            "thumbnail_url": "https://covers.example/annihilation-M.jpg",
            "small_thumbnail_url": "https://covers.example/annihilation-S.jpg",
            "genre_sources": ["open_library", "google_books"],
            "enrichment_logs": ["ok"],
        },
    }
    enhanced_books = merge_enriched_data(original_books, enriched_results)
    with tempfile.NamedTemporaryFile(mode="w", suffix=".json", delete=False, dir=tmp_path) as f:
        local_json_path = f.name
    json_file_path = create_dashboard_json(enhanced_books, local_json_path)
    assert json_file_path == local_json_path
    with open(json_file_path, "rb") as f:
        dashboard = json.loads(f.read())
    first = dashboard["books"][0]
    assert first["genres"] == ["Science Fiction", "Horror", "Fiction"]
    assert first["thumbnail_url"] == "https://covers.example/annihilation-M.jpg"
    assert first["small_thumbnail_url"] == "https://covers.example/annihilation-S.jpg"
    assert first["genre_enriched"] is True
    # The fields the dashboard dicts carry survive the round trip unchanged.
    expected = load_expected("expected_dashboard_default.json")["books"]
    for got, want in zip(dashboard["books"][1:], expected[1:]):
        assert got == want
    summary = dashboard["summary"]
    assert summary["genre_enriched_books"] == 1
    assert summary["most_common_genres"][0] == {"genre": "Science Fiction", "count": 1, "percentage": 1 / 3 * 100}
    success = dashboard["metadata"]["validation"]["genre_sources_success"]
    assert success == {"google_books": 1, "open_library": 1, "both_sources": 1, "no_genres": 10}
    # What the old aggregator reports back.
    assert sum(1 for book in enhanced_books if book.genre_enrichment_success) == 1


def test_compat_objects_convert_to_and_from_the_modern_types() -> None:
    native = bookenrich.read_export(EDGE_CASES_CSV).books[0]
    compat = BookAnalytics.from_native(native)
    assert compat.to_native() == native
    info = BookInfo("T", "A", goodreads_id="7")
    assert info.to_native() == bookenrich.BookInfo("T", "A", goodreads_id="7")
    compat.date_read = "2023-03-14"  # type: ignore[assignment]  # an ISO string is accepted too
    assert compat.to_native().date_read == datetime.date(2023, 3, 14)
    compat.date_read = "14/03/2023"  # type: ignore[assignment]
    with pytest.raises(ValueError, match="date_read: '14/03/2023' is not an ISO date"):
        compat.to_native()
