"""The simulated population in its CI size (docs/aws.md, "Simulated scale"); the benchmark runs the
same with ``BOOKENRICH_POPULATION=libraries,books,titles,wave`` (e.g. ``200,100,20000,8``)."""

from __future__ import annotations

import os
from typing import Any

from catalogue import FakeCatalogue
from harness import Deployment
from population import simulate
from test_many_jobs import dashboard, finish, start, union

#: 12 libraries of 25 books over 300 titles, 4 jobs at a time: about a minute in CI.
CI_SIZE = (12, 25, 300, 4)
LIMITS = {"openlibrary": 20, "google": 20}
#: Read at import: the tests' own fixtures clear BOOKENRICH_* variables before each test.
SIZE = os.environ.get("BOOKENRICH_POPULATION")


def test_requests_per_book_fall_as_readers_arrive(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    count, books, titles, wave = (int(v) for v in SIZE.split(",")) if SIZE else CI_SIZE
    union(monkeypatch)  # Google asked for every book, so its budgets are exercised too
    monkeypatch.setenv("BUDGET_PER_SECOND", ",".join(f"{s}={n}" for s, n in LIMITS.items()))
    monkeypatch.setenv("BUDGET_PER_DAY", "google=1000000")
    monkeypatch.setenv("BATCH_SIZE", "25")
    result = simulate(
        deployment,
        catalogue,
        count=count,
        books=books,
        titles=titles,
        wave=wave,
        start=start,
        finish=finish,
        dashboard=dashboard,
    )
    print(
        f"\npopulation {count}x{books} over {titles} titles, {wave} at a time: "
        f"requests/book per wave {[round(r, 3) for r in result.requests_per_book]}, "
        f"max per second {result.max_per_second}, per day {result.max_per_day}, "
        f"cost per 1,000 books ${result.cost_per_1000_books():.4f}, {result.seconds:.0f} s"
    )
    assert result.incomplete == [] and result.jobs == count
    first, *later = result.requests_per_book
    assert first > 0.5  # the first readers' books are new to the deployment
    assert all(r <= first for r in later) and later[-1] < 0.6 * first, result.requests_per_book
    for source, limit in LIMITS.items():
        assert 0 < result.max_per_second[source] <= limit, result.max_per_second
    assert 0 < result.cost_per_1000_books() < 0.05
