"""The old pipeline's data classes: mutable dataclasses with the old fields, because the old
Lambdas build them with ``**dict`` and assign attributes afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Optional, Tuple, Union, cast

import bookenrich as _be

_OPEN_LIBRARY = "open_library"
_GOOGLE_BOOKS = "google_books"


@dataclass
class BookInfo:
    """What a catalogue lookup needs (``genres.models.book.BookInfo``)."""

    title: str
    author: str
    isbn13: Optional[str] = None
    isbn: Optional[str] = None
    goodreads_id: Optional[str] = None

    def to_native(self) -> _be.BookInfo:
        """The modern :class:`bookenrich.BookInfo`."""
        return _be.BookInfo(
            str(self.title),
            str(self.author),
            isbn13=self.isbn13,
            isbn=self.isbn,
            goodreads_id=None if self.goodreads_id is None else str(self.goodreads_id),
        )


@dataclass
class EnrichedBook:
    """The result of enriching one book (``genres.models.book.EnrichedBook``).

    The raw API responses of the old class (``google_response``, ``openlib_*_response``) are
    not kept and stay ``None``; ``processed_*_genres`` hold each source's raw genre strings.
    """

    input_info: BookInfo
    google_response: Optional[Dict[str, Any]] = None
    openlib_edition_response: Optional[Dict[str, Any]] = None
    openlib_work_response: Optional[Dict[str, Any]] = None
    processed_google_genres: List[str] = field(default_factory=list)
    processed_openlib_genres: List[str] = field(default_factory=list)
    final_genres: List[str] = field(default_factory=list)
    thumbnail_url: Optional[str] = None
    small_thumbnail_url: Optional[str] = None
    processing_log: List[str] = field(default_factory=list)
    genre_sources: List[str] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def title(self) -> str:
        return self.input_info.title

    @property
    def author(self) -> str:
        return self.input_info.author

    @property
    def isbn(self) -> Optional[str]:
        return self.input_info.isbn

    @property
    def isbn13(self) -> Optional[str]:
        return self.input_info.isbn13

    @property
    def goodreads_id(self) -> Optional[str]:
        return self.input_info.goodreads_id

    @property
    def enrichment_logs(self) -> List[str]:
        """Alias of ``processing_log`` (the name the old book processor Lambda reads)."""
        return self.processing_log

    def add_log(self, message: str) -> None:
        self.processing_log.append(message)

    def get_success_status(self) -> bool:
        """Whether any genre was found."""
        return len(self.final_genres) > 0

    def get_summary(self) -> Dict[str, Any]:
        return {
            "title": self.title,
            "author": self.author,
            "isbn13": self.isbn13,
            "google_success": bool(self.processed_google_genres) or _GOOGLE_BOOKS in self.genre_sources,
            "openlib_success": bool(self.processed_openlib_genres) or _OPEN_LIBRARY in self.genre_sources,
            "google_genres_count": len(self.processed_google_genres),
            "openlib_genres_count": len(self.processed_openlib_genres),
            "final_genres_count": len(self.final_genres),
            "final_genres": self.final_genres,
            "thumbnail_url": self.thumbnail_url,
            "small_thumbnail_url": self.small_thumbnail_url,
            "processing_log": self.processing_log,
        }

    @classmethod
    def from_native(cls, book: BookInfo, result: _be.EnrichedBook) -> EnrichedBook:
        """Wraps a modern result for the book it belongs to."""
        raw = result.genres_by_source
        log = result.processing_log
        if result.error is not None and not any(result.error in line for line in log):
            log.append(f"error: {result.error}")
        return cls(
            input_info=book,
            processed_google_genres=list(raw.get(_GOOGLE_BOOKS, [])),
            processed_openlib_genres=list(raw.get(_OPEN_LIBRARY, [])),
            final_genres=result.final_genres,
            thumbnail_url=result.thumbnail_url,
            small_thumbnail_url=result.small_thumbnail_url,
            processing_log=log,
            genre_sources=result.genre_sources,
            error=result.error,
        )


def _as_date(value: Union[date, str, None], name: str) -> Optional[date]:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not an ISO date (YYYY-MM-DD)") from None
    raise TypeError(f"{name}: expected a datetime.date or an ISO date string, not {type(value).__name__}")


@dataclass
class BookAnalytics:
    """One book of the export with its enrichment (``genres.models.analytics.BookAnalytics``)."""

    goodreads_id: str
    title: str
    author: str
    author_lf: Optional[str] = None
    additional_authors: Optional[str] = None
    isbn: Optional[str] = None
    isbn13: Optional[str] = None
    my_rating: Optional[int] = None
    average_rating: Optional[float] = None
    publisher: Optional[str] = None
    binding: Optional[str] = None
    num_pages: Optional[int] = None
    year_published: Optional[int] = None
    original_publication_year: Optional[int] = None
    date_read: Optional[date] = None
    date_added: Optional[date] = None
    reading_status: Optional[str] = None
    bookshelves: List[str] = field(default_factory=list)
    bookshelves_with_positions: Optional[str] = None
    my_review: Optional[str] = None
    private_notes: Optional[str] = None
    has_spoilers: bool = False
    read_count_original: int = 1
    owned_copies: int = 0
    final_genres: List[str] = field(default_factory=list)
    genre_enrichment_success: bool = False
    thumbnail_url: Optional[str] = None
    small_thumbnail_url: Optional[str] = None

    @property
    def read_count_for_analytics(self) -> int:
        """Always 1: re-reads count once in time series."""
        return 1

    @property
    def is_read(self) -> bool:
        return self.reading_status == "read" and self.date_read is not None

    @property
    def is_rated(self) -> bool:
        return self.my_rating is not None and self.my_rating > 0

    @property
    def reading_year(self) -> Optional[int]:
        return self.date_read.year if self.date_read else None

    @property
    def reading_month_year(self) -> Optional[Tuple[int, int]]:
        """``(year, month)`` of the date read, as the old class returned it."""
        return (self.date_read.year, self.date_read.month) if self.date_read else None

    @property
    def page_category(self) -> Optional[str]:
        return self.to_native().page_category

    def to_native(self) -> _be.BookAnalytics:
        """The modern, immutable :class:`bookenrich.BookAnalytics` of this book."""
        rating = self.my_rating
        return _be.BookAnalytics(
            str(self.goodreads_id),
            str(self.title),
            str(self.author),
            author_lf=self.author_lf,
            additional_authors=self.additional_authors,
            isbn=self.isbn,
            isbn13=self.isbn13,
            # The old class kept "not rated" as None or 0; both mean no rating.
            my_rating=rating if rating else None,
            average_rating=self.average_rating,
            publisher=self.publisher,
            binding=self.binding,
            num_pages=self.num_pages if self.num_pages else None,
            year_published=self.year_published,
            original_publication_year=self.original_publication_year,
            date_read=_as_date(self.date_read, "date_read"),
            date_added=_as_date(self.date_added, "date_added"),
            bookshelves=list(self.bookshelves or []),
            bookshelves_with_positions=self.bookshelves_with_positions,
            reading_status=self.reading_status,
            my_review=self.my_review,
            has_spoilers=bool(self.has_spoilers),
            private_notes=self.private_notes,
            read_count=max(1, int(self.read_count_original or 1)),
            owned_copies=int(self.owned_copies or 0),
        )

    def enrichment(self) -> Optional[_be.EnrichedBook]:
        """The enrichment carried by this book (``None`` when it carries none)."""
        sources = list(getattr(self, "genre_sources", None) or [])
        if not (self.final_genres or self.thumbnail_url or self.small_thumbnail_url or sources):
            return None
        return _be.EnrichedBook(
            goodreads_id=str(self.goodreads_id),
            title=str(self.title),
            author=str(self.author),
            final_genres=list(self.final_genres),
            thumbnail_url=self.thumbnail_url,
            small_thumbnail_url=self.small_thumbnail_url,
            genre_sources=sources,
        )

    def to_dashboard_dict(self) -> Dict[str, Any]:
        """The book's record in the dashboard JSON (private notes included, as before)."""
        record = self.to_native().to_dashboard_dict(self.enrichment(), include_private_notes=True)
        return cast(Dict[str, Any], record)  # the old API's type, kept

    @classmethod
    def from_native(cls, book: _be.BookAnalytics) -> BookAnalytics:
        """The compat (mutable) form of a modern book."""
        return cls(
            goodreads_id=book.goodreads_id,
            title=book.title,
            author=book.author,
            author_lf=book.author_lf,
            additional_authors=book.additional_authors,
            isbn=book.isbn,
            isbn13=book.isbn13,
            my_rating=book.my_rating,
            average_rating=book.average_rating,
            publisher=book.publisher,
            binding=book.binding,
            num_pages=book.num_pages,
            year_published=book.year_published,
            original_publication_year=book.original_publication_year,
            date_read=book.date_read,
            date_added=book.date_added,
            reading_status=book.reading_status,
            bookshelves=book.bookshelves,
            bookshelves_with_positions=book.bookshelves_with_positions,
            my_review=book.my_review,
            private_notes=book.private_notes,
            has_spoilers=book.has_spoilers,
            read_count_original=book.read_count,
            owned_copies=book.owned_copies,
        )



@dataclass
class ReadingSession:
    """One reading of a book (``genres.models.analytics.ReadingSession``)."""

    book: BookAnalytics
    session_date: date
    pages_read: Optional[int] = None
    rating: Optional[int] = None

    @property
    def year(self) -> int:
        return self.session_date.year

    @property
    def month_year(self) -> Tuple[int, int]:
        return (self.session_date.year, self.session_date.month)
