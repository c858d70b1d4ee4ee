"""Writing the dashboard JSON, with the old exporter's class and function."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union, cast

import bookenrich as _be
from bookenrich.compat._models import BookAnalytics

PathArg = Union[str, "os.PathLike[str]"]

# What the old exporter checked in every export before returning its path.
_REQUIRED_KEYS = ("books", "summary")
_REQUIRED_BOOK_FIELDS = ("goodreads_id", "title", "author", "reading_status")
_BOOKS_CHECKED = 5


def _native(books: Sequence[Union[BookAnalytics, _be.BookAnalytics]]) -> Dict[str, Any]:
    """The dashboard of ``books`` (private notes included, as the old exporter did)."""
    native: List[_be.BookAnalytics] = []
    results: List[_be.EnrichedBook] = []
    for book in books:
        if isinstance(book, _be.BookAnalytics):
            native.append(book)
            continue
        native.append(book.to_native())
        enrichment = book.enrichment()
        if enrichment is not None:
            results.append(enrichment)
    return cast(Dict[str, Any], _be.build_dashboard(native, results, include_private_notes=True))


def _write_partial(data: Dict[str, Any], path: Path) -> None:
    """Writes the old exporter's file without ``metadata``, which is not a whole dashboard and
    so not one ``write_dashboard`` accepts: the same JSON, through a file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The core writer's temporary name (`.{name}.{pid}.tmp`, usual permissions), removed on failure.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class FinalJSONExporter:
    """Writes books with their genres to the dashboard JSON (``genres.pipeline.exporter``).

    The JSON is the dashboard contract's (``export_id``, ``books``, ``summary``, ``metadata``),
    built by the Rust core; genres and covers come from each book's ``final_genres``,
    ``thumbnail_url``, ``small_thumbnail_url`` and (if set) ``genre_sources``.
    """

    def __init__(self) -> None:
        self.logger = logging.getLogger(self.__class__.__name__)

    def export_books_to_json(
        self,
        books: List[BookAnalytics],
        output_path: Optional[PathArg] = None,
        include_metadata: bool = True,
    ) -> Dict[str, Any]:
        """Writes the dashboard of ``books`` and returns it, with ``export_path`` added.

        Without ``output_path`` the file is ``dashboard_data/{export_id}.json``;
        ``include_metadata=False`` leaves ``metadata`` out of the file and of the result.
        """
        dashboard = _native(books)
        if not include_metadata:
            del dashboard["metadata"]
        export_id = dashboard["export_id"]  # a new UUID
        path = Path(f"dashboard_data/{export_id}.json" if output_path is None else os.fspath(output_path))
        self.logger.info("Exporting %d books to %s", len(books), path)
        if include_metadata:
            _be.write_dashboard(cast("_be.Dashboard", dashboard), path)
        else:
            _write_partial(dashboard, path)
        summary = dashboard["summary"]
        self.logger.info(
            "Exported %d books (%d with genres) to %s, export id %s",
            summary["total_books"],
            summary["genre_enriched_books"],
            path,
            export_id,
        )
        dashboard["export_path"] = str(path)
        return dashboard

    def validate_export(self, export_data: Dict[str, Any]) -> Dict[str, Any]:
        """The old exporter's structural check: ``is_valid``, ``issues``, ``warnings``, counts."""
        issues = [f"Missing required key: {key}" for key in _REQUIRED_KEYS if key not in export_data]
        warnings: List[str] = []
        books = export_data.get("books", [])
        if not isinstance(books, list):
            issues.append("'books' should be an array")
            books = []
        for i, book in enumerate(books[:_BOOKS_CHECKED]):
            missing = [name for name in _REQUIRED_BOOK_FIELDS if name not in book]
            issues.extend(f"Book {i} missing required field: {name}" for name in missing)
        read = sum(1 for book in books if book.get("reading_status") == "read")
        dated = sum(1 for book in books if book.get("date_read"))
        if read > dated:
            warnings.append(f"{read - dated} read books missing read dates")
        return {
            "is_valid": not issues,
            "issues": issues,
            "warnings": warnings,
            "book_count": len(books),
            "summary_stats": export_data.get("summary", {}),
        }


def create_dashboard_json(books: List[BookAnalytics], output_path: Optional[PathArg] = None) -> str:
    """Writes the dashboard JSON for ``books`` and returns the file's path.

    Without ``output_path`` the file is ``dashboard_data/{export_id}.json``. Private notes are
    included, as the old exporter did. An export that fails :meth:`FinalJSONExporter.validate_export`
    raises ``ValueError``; its warnings are logged.
    """
    exporter = FinalJSONExporter()
    export = exporter.export_books_to_json(books, output_path)
    validation = exporter.validate_export(export)
    if not validation["is_valid"]:
        raise ValueError(f"Export validation failed: {validation['issues']}")
    for warning in validation["warnings"]:
        exporter.logger.warning(warning)
    path: str = export["export_path"]
    return path
