"""When a running job should be done (``estimated_completion`` in its status).

Jobs share the catalogues' budgets and the processors by interleaving (docs/aws.md, "Many jobs at
once"), which is processor sharing: while ``k`` jobs run, each gets ``1/k`` of the deployment's
throughput. A job of ``b`` books then finishes after the deployment has done its own ``b`` books
plus, of every other job in flight, ``min(b, that job's books)``.

- Before the job's first batch is done the deployment's throughput is the plan's:
  ``SECONDS_PER_BOOK`` (set by the stack from the enabled catalogues' requests per book and their
  shared limits).
- Once batches are done, the job's own measured rate (books done / time since it started) already
  reflects how many others share the deployment, and the rest of the job is extrapolated from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bookenrich_aws import aws

#: Used when the stack sets no SECONDS_PER_BOOK: Google's 2 requests per book at 1 request/s.
DEFAULT_SECONDS_PER_BOOK = 2.0


def seconds_per_book() -> float:
    """The deployment's planned time per book, all processors together."""
    value = aws.setting("SECONDS_PER_BOOK", str(DEFAULT_SECONDS_PER_BOOK))
    try:
        seconds = float(value)
    except ValueError:
        raise RuntimeError(f"environment variable SECONDS_PER_BOOK={value!r} is not a number") from None
    if not seconds > 0:
        raise RuntimeError(f"environment variable SECONDS_PER_BOOK={value!r} must be positive")
    return seconds


def shared_seconds(books: int, others: Sequence[int], per_book: float) -> float:
    """Processor sharing: time for ``books`` while jobs of ``others`` books run alongside."""
    return per_book * (books + sum(min(books, other) for other in others))


def estimate(
    *,
    total_books: int,
    processed_books: int,
    started: datetime | None,
    others: Sequence[int],
    now: datetime,
) -> datetime:
    """The expected completion time of a job that has ``processed_books`` of ``total_books`` done."""
    remaining = max(0, total_books - processed_books)
    if processed_books > 0 and started is not None:
        elapsed = max((now - started).total_seconds(), 0.001)
        return now + timedelta(seconds=remaining * elapsed / processed_books)
    return now + timedelta(seconds=shared_seconds(remaining, others, seconds_per_book()))
