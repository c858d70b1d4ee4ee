"""bookenrich: read Goodreads library exports, enrich them with genres and covers from
public catalogues, and write the reading-dashboard JSON, with a Rust core running in-process.

Quick start (see docs/python.md for the whole API and the migration guide)::

    import bookenrich

    export = bookenrich.read_export("goodreads_library_export.csv")
    enricher = bookenrich.Enricher(contact="me@example.com")
    results = enricher.enrich(export.books)
    dashboard = bookenrich.build_dashboard(export.books, results)
    bookenrich.write_dashboard(dashboard, "dashboard.json")

    # The same file without a Python object per book (the fast path for large libraries):
    bookenrich.export_to_dashboard("goodreads_library_export.csv", "dashboard.json", results)

The old goodreads_stats API lives in :mod:`bookenrich.compat`.
"""

from __future__ import annotations

from bookenrich._bookenrich import (
    BookAnalytics,
    BookEnrichError,
    BookInfo,
    CacheError,
    CancelledError,
    ConfigError,
    EnrichedBook,
    Enricher,
    Export,
    Fetch,
    GenreNormalizer,
    InternalError,
    InvalidInputError,
    MissingColumnsError,
    DashboardReport,
    Progress,
    RowProblem,
    SourceError,
    SourceFailure,
    __version__,
    build_dashboard,
    export_to_dashboard,
    normalize_genres,
    read_export,
    write_dashboard,
)
from bookenrich._source import GenreSource

# The dashboard's TypedDicts exist for type checkers only (the stub declares them); this
# constant, not `typing.TYPE_CHECKING`, keeps `typing` out of `import bookenrich`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from bookenrich._bookenrich import Dashboard as Dashboard
    from bookenrich._bookenrich import DashboardBook as DashboardBook
    from bookenrich._bookenrich import DashboardMetadata as DashboardMetadata
    from bookenrich._bookenrich import DashboardSummary as DashboardSummary
    from bookenrich._bookenrich import DashboardValidation as DashboardValidation
    from bookenrich._bookenrich import DateRange as DateRange
    from bookenrich._bookenrich import GenreCount as GenreCount
    from bookenrich._bookenrich import GenreSourcesSuccess as GenreSourcesSuccess

__all__ = [
    "BookAnalytics",
    "BookEnrichError",
    "BookInfo",
    "CacheError",
    "CancelledError",
    "ConfigError",
    "DashboardReport",
    "EnrichedBook",
    "Enricher",
    "Export",
    "Fetch",
    "GenreNormalizer",
    "GenreSource",
    "InternalError",
    "InvalidInputError",
    "MissingColumnsError",
    "Progress",
    "RowProblem",
    "SourceError",
    "SourceFailure",
    "__version__",
    "build_dashboard",
    "export_to_dashboard",
    "normalize_genres",
    "read_export",
    "write_dashboard",
]
