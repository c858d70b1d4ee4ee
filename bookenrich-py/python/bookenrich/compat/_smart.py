"""The old pipeline's whole-run entry points, on top of :class:`AsyncGenreEnricher`.

The old ``AdaptiveGenreEnricher`` invoked one worker Lambda per book when it ran in AWS Lambda.
bookenrich enriches in-process everywhere (one engine with per-catalogue rate limits), so the
environment only changes what is logged; the AWS deployment fans out with Step Functions
instead (see docs/aws.md).
"""

from __future__ import annotations

import logging
import os
from typing import List, Optional, Sequence, Union

from bookenrich.compat._export import PathArg, create_dashboard_json
from bookenrich.compat._models import BookAnalytics, BookInfo, EnrichedBook
from bookenrich.compat._pipeline import AnalyticsCSVProcessor, AsyncGenreEnricher, ProgressCallback

# The variables by which the old class recognised AWS Lambda.
_LAMBDA_VARIABLES = ("AWS_LAMBDA_FUNCTION_NAME", "LAMBDA_RUNTIME_DIR")


def _in_lambda() -> bool:
    return any(os.environ.get(name) is not None for name in _LAMBDA_VARIABLES) or os.environ.get(
        "AWS_EXECUTION_ENV", ""
    ).startswith("AWS_Lambda")


class AdaptiveGenreEnricher:
    """Enriches books wherever it runs (``genres.pipeline.enricher.AdaptiveGenreEnricher``).

    ``max_local_concurrent`` is the number of requests in flight; ``api_timeout`` (seconds)
    bounds each request (``None``: ``BOOKENRICH_REQUEST_TIMEOUT`` or the default).
    """

    def __init__(self, max_local_concurrent: int = 15, api_timeout: Optional[float] = None) -> None:
        self.max_local_concurrent = max_local_concurrent
        self.logger = logging.getLogger(self.__class__.__name__)
        #: Whether this runs in AWS Lambda (logged only: the work is in-process either way).
        self.is_lambda = _in_lambda()
        self.async_enricher = AsyncGenreEnricher(max_concurrent=max_local_concurrent)
        self.async_enricher.request_timeout = api_timeout

    async def enrich_books_adaptive(
        self, books: Sequence[BookInfo], progress_callback: Optional[ProgressCallback] = None
    ) -> List[EnrichedBook]:
        """Enriches ``books``; results in input order, failures recorded on each result."""
        where = "AWS Lambda" if self.is_lambda else "local"
        self.logger.info("Enriching %d books in-process (%s)", len(books), where)
        return await self.async_enricher._enrich(books, progress_callback)


class EnvironmentAwareBookPipeline:
    """The old orchestrator's pipeline (``genres.pipeline.enricher.EnvironmentAwareBookPipeline``).

    Takes both shapes the old callers used: ``EnvironmentAwareBookPipeline(max_local_concurrent=15)``
    and the orchestrator Lambda's ``(max_local_concurrent=…, api_timeout=…)``.
    """

    def __init__(self, max_local_concurrent: int = 15, api_timeout: Optional[float] = None) -> None:
        self.enricher = AdaptiveGenreEnricher(max_local_concurrent, api_timeout)
        self.logger = logging.getLogger(self.__class__.__name__)

    async def process_books_smart(
        self,
        books: Sequence[BookInfo],
        show_progress: bool = True,
        progress_callback: Optional[ProgressCallback] = None,
    ) -> List[EnrichedBook]:
        """Enriches ``books``; ``progress_callback(processed, total)`` follows the run.

        ``show_progress`` logs the start and end of the run, as before.
        """
        if show_progress:
            self.logger.info("Processing %d books", len(books))
        results = await self.enricher.enrich_books_adaptive(books, progress_callback)
        if show_progress:
            found = sum(1 for r in results if r.final_genres)
            self.logger.info("Processed %d books, %d with genres", len(results), found)
        return results


async def smart_enrich_books(books: Sequence[BookInfo]) -> List[EnrichedBook]:
    """Enriches ``books`` with the default pipeline (``genres.pipeline.enricher.smart_enrich_books``)."""
    return await EnvironmentAwareBookPipeline().process_books_smart(books)


class GenreEnricher:
    """One book at a time, synchronously (``genres.GenreEnricher`` of the package's first layout).

    ``rate_limit`` (seconds between requests) caps each catalogue at ``1 / rate_limit``
    requests per second when that is stricter than its own limit; ``0`` leaves the limits alone.
    """

    def __init__(self, rate_limit: float = 1.0) -> None:
        self.rate_limit = rate_limit
        self.async_enricher = AsyncGenreEnricher(rate_limit_delay=rate_limit)

    def enrich_book(self, book: BookInfo) -> EnrichedBook:
        """Enriches one book; a failed lookup is recorded on the result, never raised."""
        return self.async_enricher._enrich_sync([book])[0]


def _with_enrichment(books: List[BookAnalytics], results: Sequence[EnrichedBook]) -> List[BookAnalytics]:
    """Copies each result onto its book, as the old scripts and Lambdas did after enriching."""
    for book, result in zip(books, results):
        book.final_genres = result.final_genres
        book.genre_enrichment_success = bool(result.final_genres)
        book.thumbnail_url = result.thumbnail_url
        book.small_thumbnail_url = result.small_thumbnail_url
        # Not a field of the old class: BookAnalytics.enrichment() reads it when present, so the
        # dashboard's per-catalogue counts stay right.
        setattr(book, "genre_sources", result.genre_sources)
    return books


def _infos(books: Sequence[BookAnalytics]) -> List[BookInfo]:
    return [BookInfo(b.title, b.author, b.isbn13, b.isbn, b.goodreads_id) for b in books]


async def async_quick_pipeline(
    csv_path: Union[str, "os.PathLike[str]"],
    output_path: Optional[PathArg] = None,
    sample_size: Optional[int] = None,
    max_concurrent: int = 15,
) -> str:
    """Export → enriched dashboard JSON; returns its path (``genres.async_pipeline.async_quick_pipeline``)."""
    books = AnalyticsCSVProcessor().load_books_for_analytics(csv_path, sample_size=sample_size)
    results = await AsyncGenreEnricher(max_concurrent=max_concurrent).enrich_books_batch(_infos(books))
    return create_dashboard_json(_with_enrichment(books, results), output_path)


def quick_pipeline(
    csv_path: Union[str, "os.PathLike[str]"],
    output_path: Optional[PathArg] = None,
    sample_size: Optional[int] = None,
    enrich_genres: bool = True,
) -> str:
    """Export → dashboard JSON, enriched unless ``enrich_genres=False``; returns its path
    (``genres.quick_pipeline`` of the package's first layout)."""
    books = AnalyticsCSVProcessor().load_books_for_analytics(csv_path, sample_size=sample_size)
    if enrich_genres:
        books = _with_enrichment(books, AsyncGenreEnricher()._enrich_sync(_infos(books)))
    return create_dashboard_json(books, output_path)

