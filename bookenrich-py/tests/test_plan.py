"""The default request plan through Python: `Enricher.plan` before a run, and the run it describes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bookenrich
from conftest import EDGE_CASES_CSV, FakeCatalogue

pytestmark = pytest.mark.network


def planned_kwargs(catalogue: FakeCatalogue, cache: Path, **extra: Any) -> dict[str, Any]:
    """The default plan (no `merge`), pointed at the fake catalogue, with a cache file."""
    kwargs = {k: v for k, v in catalogue.enricher_kwargs().items() if k != "merge"}
    kwargs["cache"] = str(cache)
    kwargs.update(extra)
    return kwargs


def test_plan_matches_the_run_and_a_second_plan_knows_the_cache(catalogue: FakeCatalogue, tmp_path: Path) -> None:
    books = bookenrich.read_export(EDGE_CASES_CSV, include_unread=True).books
    enricher = bookenrich.Enricher(**planned_kwargs(catalogue, tmp_path / "cache.sqlite3"))
    assert enricher.merge == "planned"
    before = catalogue.stats()["total"]
    plan = enricher.plan(books)
    assert catalogue.stats()["total"] == before, "planning sends nothing"
    assert plan["books"] == len(books) and plan["from_cache"] == 0
    google = next(s for s in plan["sources"] if s["name"] == "google_books")
    assert google["skipped"] is not None and "API key" in google["skipped"]
    assert google["requests_max"] == 0
    assert isinstance(plan["seconds_expected"], float)

    _, summary = enricher.enrich_with_summary(books)
    made = summary["requests"]
    assert plan["requests_expected"] <= made <= plan["requests_max"], (plan, made)
    assert catalogue.stats()["requests_by_api"].get("google", 0) == 0, "no key: Google gets nothing"

    again = enricher.plan(books)
    assert again["from_cache"] == len(books)
    assert again["requests_expected"] == 0 and again["requests_max"] == 0
    _, second = enricher.enrich_with_summary(books)
    assert second["requests"] == 0


def test_with_a_key_google_is_planned_for_the_books_open_library_leaves_without_genres(
    catalogue: FakeCatalogue, tmp_path: Path
) -> None:
    books = bookenrich.read_export(EDGE_CASES_CSV, include_unread=True).books
    enricher = bookenrich.Enricher(**planned_kwargs(catalogue, tmp_path / "c.sqlite3", google_api_key="AIza-py-test-key"))
    results, summary = enricher.enrich_with_summary(books)
    google = next(s for s in summary["sources"] if s["name"] == "google_books")
    asked = [r for r in results if "open_library" not in r.genre_sources]
    assert 0 < google["requests"] <= 4 * len(asked)
    plan = enricher.plan(books)
    planned_google = next(s for s in plan["sources"] if s["name"] == "google_books")
    assert planned_google["daily_budget_left"] == 1000 - google["requests"]
    assert plan["requests_expected"] == 0
