"""The old pipeline's response-processing helpers (``genres.sources``, ``genres.utils``).

They take the catalogues' JSON as the old fetchers returned it. The engine has its own parsers
in Rust; these are for code that fetched or stored responses itself.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

import bookenrich as _be


def _clean(values: Iterable[Any]) -> List[str]:
    """Stripped, non-blank strings, first occurrence kept, in order."""
    seen: Dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and value.strip():
            seen.setdefault(value.strip(), None)
    return list(seen)


def process_google_response(raw_data: Mapping[str, Any]) -> List[str]:
    """The ``mainCategory`` and ``categories`` of every item of a Google Books volumes answer."""
    found: List[Any] = []
    for item in raw_data.get("items") or []:
        info = (item.get("volumeInfo") or {}) if isinstance(item, Mapping) else {}
        found.append(info.get("mainCategory"))
        found.extend(info.get("categories") or [])
    return _clean(found)


def _subject_name(subject: Any) -> Any:
    # /api/books?jscmd=data gives {"name", "url"} objects; edition and work records give strings.
    return subject.get("name") if isinstance(subject, Mapping) else subject


def process_open_library_response(
    edition_data: Optional[Mapping[str, Any]], work_data: Optional[Mapping[str, Any]]
) -> List[str]:
    """The subjects of an Open Library ``/api/books`` answer (keyed by bibkey) and of a work record."""
    found: List[Any] = []
    for record in (edition_data or {}).values():
        if isinstance(record, Mapping):
            found.extend(_subject_name(s) for s in record.get("subjects") or [])
    found.extend((work_data or {}).get("subjects") or [])
    return _clean(found)


def merge_and_normalize(google_genres: List[str], openlib_genres: List[str]) -> List[str]:
    """One book's genres from both catalogues' raw strings, through bookenrich's normaliser.

    The old function only trimmed and deduplicated; this one maps the strings onto the genre
    vocabulary (docs/genres.md) and ranks genres both catalogues agree on first.
    """
    return _be.GenreNormalizer().normalize_sources([list(google_genres), list(openlib_genres)])


def analyze_genre_overlap(google_genres: List[str], openlib_genres: List[str]) -> Dict[str, Any]:
    """How far the two catalogues' raw genres agree (case-insensitive), as the old helper reported it."""
    google = {g.lower() for g in google_genres}
    openlib = {g.lower() for g in openlib_genres}
    union = google | openlib
    overlap = google & openlib
    return {
        "total_genres": len(union),
        "google_count": len(google),
        "openlib_count": len(openlib),
        "overlap_count": len(overlap),
        "overlap_percentage": len(overlap) / len(union) * 100 if union else 0,
        "google_only": sorted(google - openlib),
        "openlib_only": sorted(openlib - google),
        "overlapping": sorted(overlap),
    }
