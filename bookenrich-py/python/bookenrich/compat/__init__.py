"""The goodreads_stats ``genres`` API on top of bookenrich, so existing code only changes imports.

Every name the old pipeline's code imported from ``genres`` (at the last commit before its
Step Functions refactor) is importable from here with the same call shapes:
``from genres.pipeline.enricher import EnvironmentAwareBookPipeline`` becomes
``from bookenrich.compat import EnvironmentAwareBookPipeline``, and so on for

- ``genres.models``: ``BookInfo``, ``EnrichedBook``, ``BookAnalytics``, ``ReadingSession``;
- ``genres.pipeline``: ``AnalyticsCSVProcessor``, ``AsyncGenreEnricher``, ``AdaptiveGenreEnricher``,
  ``EnvironmentAwareBookPipeline``, ``smart_enrich_books``, ``FinalJSONExporter``,
  ``create_dashboard_json``;
- ``genres.sources`` and ``genres.utils``: ``process_google_response``,
  ``process_open_library_response``, ``merge_and_normalize``, ``analyze_genre_overlap``;
- names of the package's first layout that old scripts still imported: ``GenreEnricher``,
  ``quick_pipeline``, ``async_quick_pipeline``; and ``BookDataOrchestrator``, ``CSVProcessor``,
  ``BookFeeder``, which raise ``NotImplementedError`` saying what to use instead.

The classes are plain, mutable dataclasses with the old fields, because the old Lambdas
build them with ``**dict`` and assign attributes afterwards. Settings the old signatures have
no place for (catalogue base URLs, API key, contact, cache, rate limits) come from the
``BOOKENRICH_*`` environment variables. Differences from the old package are listed in
docs/python.md ("Migrating from goodreads_stats").
"""

from __future__ import annotations

from bookenrich.compat._export import FinalJSONExporter, create_dashboard_json
from bookenrich.compat._models import BookAnalytics, BookInfo, EnrichedBook, ReadingSession
from bookenrich.compat._pipeline import AnalyticsCSVProcessor, AsyncGenreEnricher
from bookenrich.compat._responses import (
    analyze_genre_overlap,
    merge_and_normalize,
    process_google_response,
    process_open_library_response,
)
from bookenrich.compat._retired import BookDataOrchestrator, BookFeeder, CSVProcessor
from bookenrich.compat._smart import (
    AdaptiveGenreEnricher,
    EnvironmentAwareBookPipeline,
    GenreEnricher,
    async_quick_pipeline,
    quick_pipeline,
    smart_enrich_books,
)

__all__ = [
    "AdaptiveGenreEnricher",
    "AnalyticsCSVProcessor",
    "AsyncGenreEnricher",
    "BookAnalytics",
    "BookDataOrchestrator",
    "BookFeeder",
    "BookInfo",
    "CSVProcessor",
    "EnrichedBook",
    "EnvironmentAwareBookPipeline",
    "FinalJSONExporter",
    "GenreEnricher",
    "ReadingSession",
    "analyze_genre_overlap",
    "async_quick_pipeline",
    "create_dashboard_json",
    "merge_and_normalize",
    "process_google_response",
    "process_open_library_response",
    "quick_pipeline",
    "smart_enrich_books",
]
