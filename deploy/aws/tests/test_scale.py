"""Requests per book as readers arrive, through the processors' real request path (tests/scale.py),
in its CI size; the benchmark runs the same at the issue's size with
``BOOKENRICH_SCALE=libraries,books,titles,wave`` (``1000,300,200000,10``; docs/aws.md)."""

from __future__ import annotations

import os
from typing import Any

from catalogue import FakeCatalogue
from harness import Deployment
from scale import simulate, with_google_key_unpaced

#: 30 libraries of 50 books over 1,000 titles, 10 jobs at a time: about ten seconds.
CI_SIZE = (30, 50, 1000, 10)
#: Read at import: the tests' own fixtures clear BOOKENRICH_* variables before each test.
SIZE = os.environ.get("BOOKENRICH_SCALE")


def test_requests_per_book_fall_through_the_processors_request_path(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    count, books, titles, wave = (int(v) for v in SIZE.split(",")) if SIZE else CI_SIZE
    with_google_key_unpaced(monkeypatch)
    # In CI one batch at a time, so the counts do not depend on how threads interleave; the
    # benchmark runs four at once, as four processors do (and two batches may then ask the same new
    # identifier before either has written it back, as two processors may).
    result = simulate(
        catalogue,
        count=count,
        books=books,
        titles=titles,
        wave=wave,
        workers=4 if SIZE else 1,
        report=print if SIZE else lambda _: None,
    )
    curve = [round(r, 4) for _, r in result.waves]
    print(
        f"\nscale {count}x{books} over {titles} titles, {wave} at a time: requests/book by wave {curve}, "
        f"{result.with_genres} of {result.books} books with genres, {result.seconds:.0f} s"
    )
    assert result.books == count * books and result.unanswered == 0
    assert result.with_genres > 0.9 * result.books
    first, *later = curve
    assert first > 0  # the first readers' books are new to the deployment
    assert all(r <= first for r in later) and later[-1] < 0.6 * first, curve
