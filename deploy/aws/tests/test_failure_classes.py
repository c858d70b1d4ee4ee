"""The processor's retry decision on the core's real error messages (the fake catalogue's faults).

``failures.is_transient`` reads ``EnrichedBook.failures``; these cases pin it to what the core
actually reports for each kind of fault, so a change there fails here rather than silently
stopping (or multiplying) retries.
"""

from __future__ import annotations

from typing import Any

import bookenrich
import pytest
from catalogue import FakeCatalogue, synthetic_isbn13

from bookenrich_aws import failures


def enrich_one(catalogue: FakeCatalogue, **options: Any) -> bookenrich.EnrichedBook:
    enricher = bookenrich.Enricher(
        open_library_url=catalogue.url,
        google_books_url=catalogue.url,
        rate_limits={"open_library": 1000.0, "google_books": 1000.0},
        cache="off",
        max_attempts=2,
        request_timeout=1.0,
        **options,
    )
    book = bookenrich.BookInfo("Any Title", "Any Author", isbn13=synthetic_isbn13(42), goodreads_id="42")
    (result,) = enricher.enrich([book])
    return result


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("429", "rate_limited"),
        ("503", "server"),
        ("hang", "timeout"),
        ("drop", "connection"),
        ("wrong-type", "malformed_response"),
    ],
)
def test_throttles_and_outages_are_transient(catalogue: FakeCatalogue, fault: str, kind: str) -> None:
    catalogue.configure(faults=[fault])
    result = enrich_one(catalogue)
    assert result.error is not None
    assert {f.kind for f in result.failures} == {kind}, result.failures
    assert failures.is_transient(result), result.error
    assert failures.is_throttle(result) == (kind == "rate_limited")


@pytest.mark.parametrize("fault", ["403", "400"])
def test_rejections_are_not_transient(catalogue: FakeCatalogue, fault: str) -> None:
    catalogue.configure(faults=[fault])
    result = enrich_one(catalogue)
    assert result.error is not None
    assert {f.kind for f in result.failures} == {"rejected"}, result.failures
    assert not failures.is_transient(result), result.error


def test_a_used_up_daily_quota_is_not_transient(catalogue: FakeCatalogue) -> None:
    catalogue.configure(google_daily_quota=0)
    # `union`: the default policy asks Google nothing without an API key.
    result = enrich_one(catalogue, sources=["google"], merge="union")
    assert result.error is not None and "quota" in result.error
    assert [f.kind for f in result.failures] == ["quota_exhausted"], result.failures
    assert not failures.is_transient(result), result.error
    assert not failures.is_throttle(result)


def test_success_is_not_a_failure(catalogue: FakeCatalogue) -> None:
    result = enrich_one(catalogue)
    assert result.error is None and result.has_genres and result.failures == []
    assert not failures.is_transient(result)
