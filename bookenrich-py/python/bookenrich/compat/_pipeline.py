"""Loading an export and enriching books, with the old pipeline's classes and call shapes."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

import bookenrich as _be
from bookenrich.compat._models import BookAnalytics, BookInfo, EnrichedBook

#: ``progress_callback(processed, total)``, as the old orchestrator Lambda passed it.
ProgressCallback = Callable[[int, int], object]


class AnalyticsCSVProcessor:
    """Loads a Goodreads export into :class:`BookAnalytics` (``genres.pipeline.csv_loader``)."""

    def __init__(self) -> None:
        self.logger = logging.getLogger(self.__class__.__name__)
        #: Rows of the last export that could not be used (the old class only logged them).
        self.problems: List[_be.RowProblem] = []

    def load_books_for_analytics(
        self,
        csv_path: Union[str, "os.PathLike[str]"],
        include_unread: bool = False,
        sample_size: Optional[int] = None,
    ) -> List[BookAnalytics]:
        """Loads the export at ``csv_path``: read books only, or every row with ``include_unread``.

        ``sample_size`` keeps the first ``sample_size`` books (the old class took a random
        sample of rows); a row that cannot be used is logged with its line number and kept
        in ``self.problems``.
        """
        if sample_size is not None and sample_size < 0:
            raise ValueError(f"sample_size must be positive, got {sample_size}")
        self.logger.info("Loading books for analytics from %s", csv_path)
        export = _be.read_export(
            Path(os.fspath(csv_path)),
            include_unread=include_unread,
            limit=sample_size or None,
        )
        self.problems = export.problems
        for problem in self.problems:
            self.logger.warning("%s: skipped %s", csv_path, problem)
        books = [BookAnalytics.from_native(b) for b in export.books]
        self.logger.info("Loaded %d books for analytics (%d read)", len(books), sum(b.is_read for b in books))
        return books

    def export_analytics_summary(self, books: List[BookAnalytics]) -> Dict[str, Any]:
        """Summary counts for checking a load, as the old class gave them."""
        read = [b for b in books if b.is_read]
        rated = [b for b in books if b.is_rated]
        return {
            "total_books": len(books),
            "read_books": len(read),
            "rated_books": len(rated),
            "books_with_dates": sum(1 for b in read if b.date_read),
            "books_with_pages": sum(1 for b in read if b.num_pages),
            "re_read_count": sum(1 for b in books if b.read_count_original > 1),
            "reading_years": sorted({b.reading_year for b in read if b.reading_year}),
            "avg_rating": sum(b.my_rating or 0 for b in rated) / len(rated) if rated else 0,
            "total_pages": sum(b.num_pages for b in read if b.num_pages),
            "unique_authors": len({b.author for b in books}),
            "unique_publishers": len({b.publisher for b in books if b.publisher}),
        }


_UNSET: Any = object()


class AsyncGenreEnricher:
    """Enriches :class:`BookInfo` objects with genres and covers (``genres.pipeline.enricher``).

    ``max_concurrent`` is the number of requests in flight (default 10, or
    ``BOOKENRICH_CONCURRENCY`` when not given). ``rate_limit_delay`` (seconds) caps each
    catalogue at ``1 / rate_limit_delay`` requests per second when that is stricter than the
    catalogue's own limit (``BOOKENRICH_RATE_LIMITS`` or its published default); it never
    makes the enricher faster than the catalogue allows. Everything else comes from the
    ``BOOKENRICH_*`` environment variables.
    """

    def __init__(self, max_concurrent: int = _UNSET, rate_limit_delay: float = _UNSET) -> None:
        if max_concurrent is not _UNSET and max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1, got {max_concurrent}")
        if rate_limit_delay is not _UNSET and rate_limit_delay < 0:
            raise ValueError(f"rate_limit_delay must not be negative, got {rate_limit_delay}")
        self.max_concurrent: int = 10 if max_concurrent is _UNSET else max_concurrent
        self.rate_limit_delay: float = 0.1 if rate_limit_delay is _UNSET else rate_limit_delay
        self._explicit_concurrency = max_concurrent is not _UNSET
        self._explicit_delay = rate_limit_delay is not _UNSET
        self._enricher: Optional[_be.Enricher] = None
        #: Seconds a request may take (``None``: ``BOOKENRICH_REQUEST_TIMEOUT`` or the default).
        self.request_timeout: Optional[float] = None
        self.logger = logging.getLogger(self.__class__.__name__)

    def _build(self) -> _be.Enricher:
        concurrency = self.max_concurrent if self._explicit_concurrency else None
        if concurrency is None and not os.environ.get("BOOKENRICH_CONCURRENCY", "").strip():
            concurrency = self.max_concurrent
        timeout = self.request_timeout
        enricher = _be.Enricher(concurrency=concurrency, request_timeout=timeout)
        if self._explicit_delay and self.rate_limit_delay > 0:
            cap = 1.0 / self.rate_limit_delay
            limits = enricher.rate_limits
            if any(rate > cap for rate in limits.values()):
                capped = {name: min(rate, cap) for name, rate in limits.items()}
                enricher = _be.Enricher(concurrency=concurrency, rate_limits=capped, request_timeout=timeout)
        return enricher

    @property
    def enricher(self) -> _be.Enricher:
        """The modern :class:`bookenrich.Enricher` doing the work (built on first use)."""
        if self._enricher is None:
            self._enricher = self._build()
        return self._enricher

    async def __aenter__(self) -> AsyncGenreEnricher:
        # Configuration errors surface here, where the old class opened its HTTP session.
        _ = self.enricher
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    async def enrich_book_async(self, book: BookInfo) -> EnrichedBook:
        """Enriches one book; a failed lookup is recorded on the result, never raised."""
        return (await self.enrich_books_batch([book]))[0]

    async def enrich_books_batch(self, books: Iterable[BookInfo]) -> List[EnrichedBook]:
        """Enriches books concurrently; results are in input order."""
        return await self._enrich(books)

    async def _enrich(
        self, books: Iterable[BookInfo], progress: Optional[ProgressCallback] = None
    ) -> List[EnrichedBook]:
        infos = [_book_info(b) for b in books]
        self.logger.info("Starting async enrichment of %d books", len(infos))
        report = None if progress is None else _books_done(progress)
        results = await self.enricher.enrich_async([b.to_native() for b in infos], progress=report)
        return [EnrichedBook.from_native(b, r) for b, r in zip(infos, results)]

    def _enrich_sync(self, books: Iterable[BookInfo]) -> List[EnrichedBook]:
        infos = [_book_info(b) for b in books]
        results = self.enricher.enrich([b.to_native() for b in infos])
        return [EnrichedBook.from_native(b, r) for b, r in zip(infos, results)]



def _books_done(callback: ProgressCallback) -> Callable[[_be.Progress], None]:
    def report(progress: _be.Progress) -> None:
        callback(progress.books_done, progress.books_total)

    return report


def _book_info(book: Any) -> BookInfo:
    if isinstance(book, BookInfo):
        return book
    if isinstance(book, (_be.BookInfo, BookAnalytics, _be.BookAnalytics)):
        return BookInfo(book.title, book.author, book.isbn13, book.isbn, book.goodreads_id)
    raise TypeError(f"expected a BookInfo, not {type(book).__name__}")


