"""Every name the goodreads_stats code imported from its ``genres`` package, from bookenrich.compat.

The list is data: for each name, the module the old code imported it from. It was derived from
CarsonDavis/goodreads_stats at d75adcd (the commit before its Step Functions refactor) with
``git grep -nE '(from|import) genres|^from \\.'`` over the scripts, the Lambdas, the package's own
``__init__`` files and its README; some of those imports named modules that no longer existed at
that commit (``genres.models.book_analytics``, ``genres.async_pipeline``…), and they are listed too.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import json
from pathlib import Path
from typing import Any, List, Tuple

import pytest

import bookenrich
import bookenrich.compat as compat
from bookenrich.compat import (
    AdaptiveGenreEnricher,
    AnalyticsCSVProcessor,
    BookAnalytics,
    BookInfo,
    EnrichedBook,
    EnvironmentAwareBookPipeline,
    FinalJSONExporter,
    GenreEnricher,
    ReadingSession,
    analyze_genre_overlap,
    async_quick_pipeline,
    merge_and_normalize,
    process_google_response,
    process_open_library_response,
    quick_pipeline,
    smart_enrich_books,
)
from conftest import EDGE_CASES_CSV, RECORDED, FakeCatalogue

OLD_IMPORTS: List[Tuple[str, str]] = [
    # cdk/lambda_code/orchestrator/lambda_function.py
    ("genres.pipeline.csv_loader", "AnalyticsCSVProcessor"),
    ("genres.pipeline.enricher", "EnvironmentAwareBookPipeline"),
    ("genres.pipeline.exporter", "create_dashboard_json"),
    ("genres.models.book_analytics", "BookInfo"),
    # genres/__init__.py (its __all__) and run_smart_pipeline.py, run_book.py, run_entire_csv.py, time_test.py
    ("genres", "BookInfo"),
    ("genres", "EnrichedBook"),
    ("genres", "BookAnalytics"),
    ("genres", "ReadingSession"),
    ("genres", "AnalyticsCSVProcessor"),
    ("genres", "EnvironmentAwareBookPipeline"),
    ("genres", "AdaptiveGenreEnricher"),
    ("genres", "AsyncGenreEnricher"),
    ("genres", "FinalJSONExporter"),
    ("genres", "create_dashboard_json"),
    ("genres", "process_google_response"),
    ("genres", "process_open_library_response"),
    ("genres", "merge_and_normalize"),
    ("genres", "GenreEnricher"),
    ("genres", "quick_pipeline"),
    # genres/README.md
    ("genres", "CSVProcessor"),
    ("genres", "BookFeeder"),
    # genres/models/__init__.py, lambda_worker.py, run_single_book.py
    ("genres.models", "BookInfo"),
    ("genres.models", "EnrichedBook"),
    ("genres.models", "BookAnalytics"),
    ("genres.models", "ReadingSession"),
    ("genres.models.book", "BookInfo"),
    ("genres.models.book", "EnrichedBook"),
    ("genres.models.analytics", "BookAnalytics"),
    ("genres.models.analytics", "ReadingSession"),
    # genres/pipeline/__init__.py, main_pipeline.py
    ("genres.pipeline", "AnalyticsCSVProcessor"),
    ("genres.pipeline", "EnvironmentAwareBookPipeline"),
    ("genres.pipeline", "AdaptiveGenreEnricher"),
    ("genres.pipeline", "AsyncGenreEnricher"),
    ("genres.pipeline", "FinalJSONExporter"),
    ("genres.pipeline", "create_dashboard_json"),
    ("genres.pipeline", "BookDataOrchestrator"),
    ("genres.pipeline.enricher", "AdaptiveGenreEnricher"),
    ("genres.pipeline.enricher", "AsyncGenreEnricher"),
    ("genres.pipeline.enricher", "smart_enrich_books"),
    ("genres.pipeline.exporter", "FinalJSONExporter"),
    # genres/sources/__init__.py, genres/utils/__init__.py, genres/pipeline/enricher.py
    ("genres.sources", "process_google_response"),
    ("genres.sources", "process_open_library_response"),
    ("genres.sources.google", "process_google_response"),
    ("genres.sources.openlibrary", "process_open_library_response"),
    ("genres.utils", "merge_and_normalize"),
    ("genres.utils", "analyze_genre_overlap"),
    ("genres.utils.genre_merger", "merge_and_normalize"),
    ("genres.utils.genre_merger", "analyze_genre_overlap"),
    # analytics_example.py, lambda_worker.py, run_fast_pipeline.py, run_single_book.py
    ("genres.analytics_csv_processor", "AnalyticsCSVProcessor"),
    ("genres.genre_enricher", "GenreEnricher"),
    ("genres.async_pipeline", "async_quick_pipeline"),
    ("genres.book_data_pipeline", "BookDataOrchestrator"),
]

# Classes of an older layout whose use raises NotImplementedError, with a word of what replaces them.
RETIRED = {
    "BookDataOrchestrator": "AnalyticsCSVProcessor",
    "CSVProcessor": "load_books_for_analytics",
    "BookFeeder": "enrich_books_batch",
}


@pytest.mark.parametrize(("old_module", "name"), OLD_IMPORTS, ids=[f"{m}.{n}" for m, n in OLD_IMPORTS])
def test_every_old_import_resolves_in_compat(old_module: str, name: str) -> None:
    module = importlib.import_module("bookenrich.compat")
    assert hasattr(module, name), f"`from {old_module} import {name}` has no bookenrich.compat equivalent"
    assert callable(getattr(module, name))


def test_compat_exports_exactly_the_old_names() -> None:
    assert sorted(compat.__all__) == sorted({name for _, name in OLD_IMPORTS})


@pytest.mark.parametrize("name", sorted(RETIRED))
def test_retired_classes_say_what_to_use_instead(name: str) -> None:
    cls: Any = getattr(compat, name)
    with pytest.raises(NotImplementedError, match=RETIRED[name]) as raised:
        cls(rate_limit=1.0)
    assert f"bookenrich.compat.{name} is not provided" in str(raised.value)


def test_reading_session() -> None:
    book = BookAnalytics(goodreads_id="1", title="T", author="A")
    session = ReadingSession(book=book, session_date=datetime.date(2023, 3, 5), pages_read=120, rating=4)
    assert (session.year, session.month_year) == (2023, (2023, 3))


# ---- the response-processing helpers, on recorded catalogue answers ---------------------------


def fixture(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def test_process_google_response() -> None:
    assert process_google_response(fixture("google_volumes_isbn_9780374104092_annihilation.json")) == ["Fiction"]
    assert process_google_response(fixture("google_volumes_zero_items.json")) == []
    made_up = {"items": [{"volumeInfo": {"mainCategory": " Fiction ", "categories": ["Fiction", "", "Fantasy"]}}]}
    assert process_google_response(made_up) == ["Fiction", "Fantasy"]


def test_process_open_library_response() -> None:
    edition = fixture("openlibrary_api_books_jscmd_data_3_bibkeys.json")
    work = fixture("openlibrary_works_OL45804W_fantastic_mr_fox.json")
    subjects = process_open_library_response(edition, work)
    # {"name", "url"} subjects of every bibkey, then the work's strings, each once.
    assert subjects[:3] == ["Fantasy fiction", "school stories", "Fiction"]
    assert "Zen Buddhism" in subjects and "Foxes" in subjects
    assert len(subjects) == len(set(subjects))
    assert process_open_library_response(None, None) == []
    assert process_open_library_response(None, {"subjects": ["Rats", " Rats "]}) == ["Rats"]


def test_merge_and_normalize_uses_the_genre_vocabulary() -> None:
    merged = merge_and_normalize(["Fiction / Science Fiction / Space Opera"], ["Sci-fi.", "Large type books"])
    assert merged == bookenrich.GenreNormalizer().normalize_sources(
        [["Fiction / Science Fiction / Space Opera"], ["Sci-fi.", "Large type books"]]
    )
    assert "Science Fiction" in merged and "Large type books" not in merged


def test_analyze_genre_overlap() -> None:
    report = analyze_genre_overlap(["Fiction", "Fantasy"], ["fiction", "Foxes"])
    assert report["overlapping"] == ["fiction"]
    assert (report["total_genres"], report["google_count"], report["openlib_count"]) == (3, 2, 2)
    assert report["overlap_percentage"] == pytest.approx(100 / 3)
    assert report["google_only"] == ["fantasy"] and report["openlib_only"] == ["foxes"]
    assert analyze_genre_overlap([], [])["overlap_percentage"] == 0


# ---- the exporter ----------------------------------------------------------------------------


def test_final_json_exporter_writes_and_validates(tmp_path: Path) -> None:
    books = AnalyticsCSVProcessor().load_books_for_analytics(EDGE_CASES_CSV, include_unread=True)
    exporter = FinalJSONExporter()
    data = exporter.export_books_to_json(books, tmp_path / "out.json")
    assert data["export_path"] == str(tmp_path / "out.json")
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert "export_path" not in written and written["export_id"] == data["export_id"]
    assert written["books"] == data["books"] and "metadata" in written
    report = exporter.validate_export(data)
    assert report["is_valid"] and report["book_count"] == len(books) and report["issues"] == []
    bare = exporter.export_books_to_json(books, tmp_path / "bare.json", include_metadata=False)
    assert "metadata" not in bare
    assert "metadata" not in json.loads((tmp_path / "bare.json").read_text(encoding="utf-8"))
    broken = exporter.validate_export({"books": [{"title": "x", "reading_status": "read"}]})
    assert not broken["is_valid"]
    assert broken["issues"] == [
        "Missing required key: summary",
        "Book 0 missing required field: goodreads_id",
        "Book 0 missing required field: author",
    ]
    assert broken["warnings"] == ["1 read books missing read dates"]


# ---- the enrichers, as the orchestrator Lambda and the scripts called them ----------------------


@pytest.mark.network
def test_environment_aware_pipeline_as_the_orchestrator_called_it(catalogue_env: FakeCatalogue) -> None:
    books = AnalyticsCSVProcessor().load_books_for_analytics(EDGE_CASES_CSV, include_unread=False, sample_size=None)
    infos = [
        BookInfo(title=b.title, author=b.author, isbn13=b.isbn13, isbn=b.isbn, goodreads_id=b.goodreads_id)
        for b in books
    ]
    seen: List[Tuple[int, int]] = []
    pipeline = EnvironmentAwareBookPipeline(max_local_concurrent=10, api_timeout=30)
    enriched = asyncio.run(
        pipeline.process_books_smart(infos, progress_callback=lambda done, total: seen.append((done, total)))
    )
    assert [e.input_info for e in enriched] == infos
    assert all(isinstance(e, EnrichedBook) for e in enriched)
    assert any(e.final_genres for e in enriched)
    assert seen[0] == (0, len(infos)) and seen[-1] == (len(infos), len(infos))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert pipeline.enricher.async_enricher.enricher.concurrency == 10
    assert pipeline.enricher.async_enricher.enricher.options()["request_timeout_secs"] == 30
    assert isinstance(pipeline.enricher, AdaptiveGenreEnricher) and pipeline.enricher.is_lambda is False
    # The other shape (run_smart_pipeline.py) and the module's convenience function.
    again = asyncio.run(EnvironmentAwareBookPipeline(max_local_concurrent=15).process_books_smart(infos[:2]))
    assert [e.final_genres for e in again] == [e.final_genres for e in enriched[:2]]
    assert [e.title for e in asyncio.run(smart_enrich_books(infos[:1]))] == [infos[0].title]


@pytest.mark.network
def test_genre_enricher_enriches_one_book_synchronously(catalogue_env: FakeCatalogue) -> None:
    book = BookInfo(title="Fantastic Mr. Fox", author="Roald Dahl", isbn13="9780140328721")
    enriched = GenreEnricher(rate_limit=0.0).enrich_book(book)
    assert enriched.input_info is book and "Fiction" in enriched.final_genres
    assert enriched.processed_openlib_genres


@pytest.mark.network
def test_quick_pipelines_write_the_dashboard(catalogue_env: FakeCatalogue, tmp_path: Path) -> None:
    path = quick_pipeline(
        csv_path=str(EDGE_CASES_CSV), output_path=str(tmp_path / "q.json"), sample_size=None, enrich_genres=True
    )
    dashboard = json.loads(Path(path).read_text(encoding="utf-8"))
    assert dashboard["summary"]["genre_enriched_books"] > 0
    plain = quick_pipeline(str(EDGE_CASES_CSV), str(tmp_path / "plain.json"), enrich_genres=False)
    assert json.loads(Path(plain).read_text(encoding="utf-8"))["summary"]["genre_enriched_books"] == 0
    requests = catalogue_env.stats()["total"]
    fast = asyncio.run(
        async_quick_pipeline(csv_path=EDGE_CASES_CSV, output_path=tmp_path / "a.json", sample_size=3, max_concurrent=15)
    )
    assert len(json.loads(Path(fast).read_text(encoding="utf-8"))["books"]) == 3
    assert catalogue_env.stats()["total"] > requests
