"""Type stubs of the native module (checked against it by mypy's stubtest in CI)."""

import datetime
import os
import pathlib
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol, TypedDict, final, type_check_only

from typing_extensions import NotRequired, Self, TypeAlias

__version__: str
__all__ = [
    "_debug_panic",
    "BookAnalytics",
    "BookEnrichError",
    "BookInfo",
    "CacheError",
    "CancelledError",
    "ConfigError",
    "DashboardReport",
    "Fetch",
    "EnrichedBook",
    "Enricher",
    "Export",
    "GenreNormalizer",
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

# JSON-shaped data: dict, list, str, int, float, bool or None.
_JSON: TypeAlias = Any
_StrPath: TypeAlias = str | os.PathLike[str]
_ProgressCallback: TypeAlias = Callable[[Progress], object]
_FailureKind: TypeAlias = Literal[
    "rate_limited",
    "quota_exhausted",
    "server",
    "timeout",
    "connection",
    "malformed_response",
    "response_too_large",
    "rejected",
    "offline",
    "disabled",
    "cancelled",
]

# ---- errors -------------------------------------------------------------------------------

class BookEnrichError(Exception):
    """Base class of every error bookenrich raises (I/O errors are Python's own OSError subclasses)."""

class InvalidInputError(BookEnrichError):
    """Not a Goodreads export, an unreadable CSV, invalid dashboard JSON, or bad data."""

    file: str
    line: int
    # The path of the value at fault in invalid dashboard JSON, as `books[3].date_read`.
    field: str

class MissingColumnsError(InvalidInputError):
    """The export lacks required columns."""

    columns: list[str]

class ConfigError(BookEnrichError):
    """An option or BOOKENRICH_* environment variable is invalid."""

    field: str

class SourceError(BookEnrichError):
    """A catalogue failed as a whole."""

    source: str
    source_name: str
    kind: str
    url: str | None

class CacheError(BookEnrichError):
    """The response cache could not be opened, read or written."""

    path: str

class CancelledError(BookEnrichError):
    """The work was cancelled before it finished."""

class InternalError(BookEnrichError):
    """A bug in bookenrich (a Rust panic was caught)."""

def _debug_panic(message: str) -> None:
    """Test hook: panics in Rust, which must surface as InternalError."""

# ---- the export ---------------------------------------------------------------------------

@final
class BookAnalytics:
    """One row of a Goodreads export, cleaned by the contract's rules. Immutable."""

    def __new__(
        cls,
        goodreads_id: str,
        title: str,
        author: str,
        *,
        author_lf: str | None = None,
        additional_authors: str | None = None,
        isbn: str | None = None,
        isbn13: str | None = None,
        my_rating: int | None = None,
        average_rating: float | None = None,
        publisher: str | None = None,
        binding: str | None = None,
        num_pages: int | None = None,
        year_published: int | None = None,
        original_publication_year: int | None = None,
        date_read: datetime.date | None = None,
        date_added: datetime.date | None = None,
        bookshelves: Sequence[str] = ...,
        bookshelves_with_positions: str | None = None,
        reading_status: str | None = None,
        my_review: str | None = None,
        has_spoilers: bool = False,
        private_notes: str | None = None,
        read_count: int = 1,
        owned_copies: int = 0,
    ) -> Self: ...
    @property
    def goodreads_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def author_lf(self) -> str | None: ...
    @property
    def additional_authors(self) -> str | None: ...
    @property
    def isbn(self) -> str | None: ...
    @property
    def isbn13(self) -> str | None: ...
    @property
    def my_rating(self) -> int | None: ...
    @property
    def average_rating(self) -> float | None: ...
    @property
    def publisher(self) -> str | None: ...
    @property
    def binding(self) -> str | None: ...
    @property
    def num_pages(self) -> int | None: ...
    @property
    def year_published(self) -> int | None: ...
    @property
    def original_publication_year(self) -> int | None: ...
    @property
    def date_read(self) -> datetime.date | None: ...
    @property
    def date_added(self) -> datetime.date | None: ...
    @property
    def bookshelves(self) -> list[str]: ...
    @property
    def bookshelves_with_positions(self) -> str | None: ...
    @property
    def reading_status(self) -> str | None: ...
    @property
    def my_review(self) -> str | None: ...
    @property
    def has_spoilers(self) -> bool: ...
    @property
    def private_notes(self) -> str | None: ...
    @property
    def read_count(self) -> int: ...
    @property
    def owned_copies(self) -> int: ...
    @property
    def is_read(self) -> bool: ...
    @property
    def is_rated(self) -> bool: ...
    @property
    def reading_year(self) -> int | None: ...
    @property
    def reading_month_year(self) -> str | None: ...
    @property
    def page_category(self) -> str | None: ...
    @property
    def was_reread(self) -> bool: ...
    @property
    def has_review(self) -> bool: ...
    def to_book_info(self) -> BookInfo: ...
    def to_dict(self) -> dict[str, _JSON]: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, _JSON]) -> Self: ...
    def to_dashboard_dict(
        self, enriched: EnrichedBook | None = None, *, include_private_notes: bool = False
    ) -> DashboardBook: ...
    def replace(self, **changes: _JSON) -> Self: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class BookInfo:
    """What a catalogue lookup needs to know about a book. Immutable."""

    def __new__(
        cls,
        title: str,
        author: str,
        isbn13: str | None = None,
        isbn: str | None = None,
        goodreads_id: str | None = None,
        bookshelves: Sequence[str] | None = None,
    ) -> Self: ...
    @property
    def title(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def isbn13(self) -> str | None: ...
    @property
    def isbn(self) -> str | None: ...
    @property
    def goodreads_id(self) -> str | None: ...
    @property
    def bookshelves(self) -> list[str]: ...
    def to_dict(self) -> dict[str, _JSON]: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, _JSON]) -> Self: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class EnrichedBook:
    """The result of enriching one book. Immutable."""

    def __new__(
        cls,
        *,
        goodreads_id: str | None = None,
        title: str = ...,
        author: str = ...,
        genres_by_source: Mapping[str, Sequence[str]] = ...,
        final_genres: Sequence[str] = ...,
        thumbnail_url: str | None = None,
        small_thumbnail_url: str | None = None,
        sources_matched: Sequence[str] = ...,
        genre_sources: Sequence[str] = ...,
        identifiers: Mapping[str, Sequence[str]] = ...,
        processing_log: Sequence[str] = ...,
        error: str | None = None,
        failures: Sequence[SourceFailure] = ...,
        from_cache: bool = False,
    ) -> Self: ...
    @property
    def goodreads_id(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def genres_by_source(self) -> dict[str, list[str]]: ...
    @property
    def final_genres(self) -> list[str]: ...
    @property
    def thumbnail_url(self) -> str | None: ...
    @property
    def small_thumbnail_url(self) -> str | None: ...
    @property
    def sources_matched(self) -> list[str]: ...
    @property
    def genre_sources(self) -> list[str]: ...
    @property
    def identifiers(self) -> dict[str, list[str]]: ...
    @property
    def processing_log(self) -> list[str]: ...
    @property
    def error(self) -> str | None: ...
    @property
    def failures(self) -> list[SourceFailure]: ...
    @property
    def is_retryable(self) -> bool: ...
    @property
    def from_cache(self) -> bool: ...
    @property
    def has_genres(self) -> bool: ...
    def to_dict(self) -> dict[str, _JSON]: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, _JSON]) -> Self: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class SourceFailure:
    """One source's failure for one book, in a form code can act on. Immutable."""

    def __new__(cls, source: str, kind: _FailureKind, message: str | None = None, *, retryable: bool | None = None) -> Self: ...
    @property
    def source(self) -> str: ...
    @property
    def kind(self) -> _FailureKind: ...
    @property
    def retryable(self) -> bool: ...
    @property
    def message(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class RowProblem:
    """A row of the export that could not be used. Immutable."""

    @property
    def line(self) -> int: ...
    @property
    def goodreads_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def message(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Export:
    """A whole export: the usable books and the rows that could not be used. Immutable."""

    @property
    def books(self) -> list[BookAnalytics]: ...
    @property
    def problems(self) -> list[RowProblem]: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def unread_skipped(self) -> int: ...
    def __len__(self) -> int: ...

def read_export(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview,
    *,
    include_unread: bool = False,
    limit: int | None = None,
) -> Export:
    """Reads a Goodreads library export from a path, bytes, or CSV text."""

# ---- the dashboard ------------------------------------------------------------------------
# The dashboard JSON as dicts: the same names and keys as the Node package's interfaces
# (index.d.ts), from the core's serde types; tests/test_shapes.py checks that all three agree.
# For type checkers only (`@type_check_only`): import them from `bookenrich` in annotations.

@type_check_only
class DashboardBook(TypedDict):
    """One book as the dashboard reads it."""

    goodreads_id: str
    title: str
    author: str
    isbn: str | None
    isbn13: str | None
    date_read: str | None
    reading_year: int | None
    reading_month_year: str | None
    my_rating: int | None
    average_rating: float | None
    is_rated: bool
    num_pages: int | None
    publisher: str | None
    binding: str | None
    publication_year: int | None
    page_category: str | None
    reading_status: str | None
    bookshelves: list[str]
    genres: list[str]
    thumbnail_url: str | None
    small_thumbnail_url: str | None
    my_review: str | None
    private_notes: str | None
    has_spoilers: bool
    has_review: bool
    genre_enriched: bool
    was_reread: bool
    original_read_count: int

@type_check_only
class DateRange(TypedDict):
    """Earliest and latest date read (ISO dates)."""

    earliest: str | None
    latest: str | None

@type_check_only
class GenreCount(TypedDict):
    """One entry of `most_common_genres`."""

    genre: str
    count: int
    percentage: float

@type_check_only
class DashboardSummary(TypedDict):
    """The `summary` object."""

    total_books: int
    read_books: int
    rated_books: int
    genre_enriched_books: int
    genre_enrichment_rate: float
    unique_authors: int
    unique_genres: int
    total_pages: int
    reading_date_range: DateRange
    reading_years: list[int]
    average_rating: float | None
    most_common_genres: list[GenreCount]

@type_check_only
class GenreSourcesSuccess(TypedDict):
    """Books each source really contributed genres to."""

    google_books: int
    open_library: int
    both_sources: int
    no_genres: int
    other_sources: NotRequired[dict[str, int]]

@type_check_only
class DashboardValidation(TypedDict):
    """`metadata.validation`: data-quality counts."""

    books_with_missing_dates: int
    books_with_missing_pages: int
    re_read_books_original_count: int
    genre_sources_success: GenreSourcesSuccess
    books_with_failed_lookup: int
    books_without_enrichment_result: int

@type_check_only
class DashboardMetadata(TypedDict):
    """The `metadata` object."""

    export_id: str
    export_timestamp: str
    exporter_version: str
    data_schema_version: str
    export_source: str
    processing_notes: list[str]
    validation: DashboardValidation

@type_check_only
class Dashboard(TypedDict):
    """The whole dashboard JSON document."""

    export_id: str
    books: list[DashboardBook]
    summary: DashboardSummary
    metadata: DashboardMetadata

def build_dashboard(
    books: Sequence[BookAnalytics],
    results: Sequence[EnrichedBook] | None = None,
    *,
    include_private_notes: bool = False,
    export_id: str | None = None,
    timestamp: datetime.datetime | None = None,
    processing_notes: Sequence[str] = ...,
) -> Dashboard:
    """Builds the dashboard JSON (as a dict) from books and their results (matched by goodreads_id)."""

def write_dashboard(dashboard: Dashboard, path: _StrPath) -> None:
    """Checks a dashboard dict (InvalidInputError, .field at fault) and writes it as UTF-8 JSON indented by 2, atomically."""

@final
class DashboardReport:
    """What export_to_dashboard wrote, and the rows of the export it could not use. Immutable."""

    @property
    def path(self) -> pathlib.Path: ...
    @property
    def books(self) -> int: ...
    @property
    def problems(self) -> list[RowProblem]: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def unread_skipped(self) -> int: ...

def export_to_dashboard(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview,
    output: _StrPath,
    results: Sequence[EnrichedBook] | None = None,
    *,
    include_unread: bool = False,
    include_private_notes: bool = False,
    export_id: str | None = None,
    timestamp: datetime.datetime | None = None,
    processing_notes: Sequence[str] = ...,
) -> DashboardReport:
    """Reads a Goodreads export and writes its dashboard JSON to output, all in Rust."""

# ---- genres -------------------------------------------------------------------------------

def normalize_genres(raw: Sequence[str]) -> list[str]:
    """Normalises one book's raw genre strings with the built-in rules."""

@final
class GenreNormalizer:
    """A genre normaliser with extra or overriding rules (TOML, see docs/genres.md)."""

    def __new__(cls, rules_toml: str | None = None, *, max_genres: int | None = None) -> Self: ...
    def normalize(self, raw: Sequence[str]) -> list[str]: ...
    def normalize_sources(self, per_source: Sequence[Sequence[str]]) -> list[str]: ...
    def classify(self, raw: Sequence[str]) -> Literal["Fiction", "Nonfiction"] | None: ...
    def explain(self, raw: str) -> dict[str, Any]: ...
    def audit(self, results: Sequence[EnrichedBook], *, top: int | None = None) -> dict[str, Any]: ...
    def audit_dashboard(self, path: str | os.PathLike[str], *, top: int | None = None) -> dict[str, Any]: ...
    @property
    def max_genres(self) -> int: ...
    def vocabulary(self) -> list[str]: ...

# ---- enrichment ---------------------------------------------------------------------------

@final
class Progress:
    """Where an enrichment stands; passed to progress callbacks. Immutable."""

    @property
    def books_total(self) -> int: ...
    @property
    def books_done(self) -> int: ...
    @property
    def requests(self) -> int: ...
    @property
    def retries(self) -> int: ...
    @property
    def rate_limited(self) -> int: ...
    @property
    def cache_hits(self) -> int: ...
    @property
    def elapsed(self) -> float: ...
    @property
    def fraction_done(self) -> float: ...
    @property
    def sources(self) -> list[dict[str, _JSON]]: ...
    def to_dict(self) -> dict[str, _JSON]: ...

@final
class Fetch:
    """The engine's fetcher for one source, handed to its ``lookup``.

    In a plain ``lookup``, ``get_json`` returns the decoded JSON and ``get_text`` the body as a
    ``str``; in an ``async`` one each returns an awaitable of it. ``None`` means HTTP 404; a
    failed request raises :class:`SourceError`.
    """

    def get_json(self, url: str, *, headers: Mapping[str, str] | None = None) -> Any: ...
    def get_text(self, url: str, *, headers: Mapping[str, str] | None = None) -> Any: ...

class _SourceLike(Protocol):
    """Any object with a ``name`` and a ``lookup(books, fetch)``: see :class:`bookenrich.GenreSource`."""

    @property
    def name(self) -> str: ...
    def lookup(self, books: list[BookInfo], fetch: Fetch, /) -> Any: ...

@final
class Enricher:
    """Enriches books with genres and covers from the configured catalogues."""

    def __new__(
        cls,
        *,
        sources: Sequence[str | _SourceLike] | None = None,
        merge: Literal["planned", "union", "first_with_genres"] | None = None,
        concurrency: int | None = None,
        rate_limits: Mapping[str, float] | None = None,
        cache: _StrPath | bool | None = None,
        open_library_url: str | None = None,
        google_books_url: str | None = None,
        google_api_key: str | None = None,
        contact: str | None = None,
        offline: bool | None = None,
        max_attempts: int | None = None,
        request_timeout: float | None = None,
        connect_timeout: float | None = None,
        max_body_bytes: int | None = None,
        open_library_batch_size: int | None = None,
        google_daily_budget: int | None = None,
    ) -> Self: ...
    @property
    def sources(self) -> list[str]: ...
    @property
    def merge(self) -> str: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def rate_limits(self) -> dict[str, float]: ...
    @property
    def offline(self) -> bool: ...
    def options(self) -> dict[str, _JSON]: ...
    def enrich(
        self, books: Iterable[BookInfo | BookAnalytics], progress: _ProgressCallback | None = None
    ) -> list[EnrichedBook]: ...
    def enrich_with_summary(
        self, books: Iterable[BookInfo | BookAnalytics], progress: _ProgressCallback | None = None
    ) -> tuple[list[EnrichedBook], dict[str, _JSON]]: ...
    def plan(self, books: Iterable[BookInfo | BookAnalytics]) -> dict[str, _JSON]: ...
    def enrich_async(
        self, books: Iterable[BookInfo | BookAnalytics], progress: _ProgressCallback | None = None
    ) -> Coroutine[Any, Any, list[EnrichedBook]]: ...
    def enrich_with_summary_async(
        self, books: Iterable[BookInfo | BookAnalytics], progress: _ProgressCallback | None = None
    ) -> Coroutine[Any, Any, tuple[list[EnrichedBook], dict[str, _JSON]]]: ...
