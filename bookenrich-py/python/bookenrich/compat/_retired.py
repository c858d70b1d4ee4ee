"""Names the old scripts imported from layouts of the ``genres`` package that no longer existed at
the commit compat follows. Importing them works; using them raises ``NotImplementedError``
naming what to use instead, rather than an ``ImportError`` that points nowhere."""

from __future__ import annotations

from typing import Any, NoReturn


class _Retired:
    """Raises on construction: the old class is gone, ``_instead`` says what replaces it."""

    _instead = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._refuse()

    @classmethod
    def _refuse(cls) -> NoReturn:
        raise NotImplementedError(f"bookenrich.compat.{cls.__name__} is not provided: {cls._instead}")


class BookDataOrchestrator(_Retired):
    """``genres.pipeline.BookDataOrchestrator``: loading, enriching and reporting in one object."""

    _instead = (
        "load with AnalyticsCSVProcessor().load_books_for_analytics(path), enrich with "
        "GenreEnricher().enrich_book(book) or AsyncGenreEnricher().enrich_books_batch(books), "
        "and write the dashboard with create_dashboard_json(books)"
    )


class CSVProcessor(_Retired):
    """``genres.CSVProcessor`` (the package README's first layout)."""

    _instead = "use AnalyticsCSVProcessor().load_books_for_analytics(csv_path, sample_size=n)"


class BookFeeder(_Retired):
    """``genres.BookFeeder`` (the package README's first layout)."""

    _instead = "use AsyncGenreEnricher().enrich_books_batch(books) or bookenrich.Enricher().enrich(books)"
