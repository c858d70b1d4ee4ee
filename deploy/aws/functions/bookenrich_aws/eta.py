"""When a running job should be done (``estimated_completion`` in its status).

The catalogues' shared per-second budgets decide how fast the deployment goes: every request the
shared cache cannot answer waits for a send time ``1 / limit`` after the previous one, whichever
job asked (docs/aws.md, "Shared budgets"). Jobs interleave, so each catalogue's rate is shared by
the jobs that still have requests for it, which is processor sharing: a job with ``r`` requests of
a catalogue left finishes them once the catalogue has sent its own ``r`` plus, of every other job
in flight, ``min(r, that job's requests left)``. Catalogues run side by side, so the slowest one
decides.

The processors are shared the same way, batch by batch: besides waiting for its requests, a batch
takes a processor for about ``BATCH_SECONDS`` (Lambda, S3, the shared cache's reads: an assumption,
not measured on AWS), and ``PROCESSORS`` of them run at once in the whole deployment (the Map's
MaxConcurrency and the processor's reserved concurrency: one by default with Google). With one
processor a batch's requests and its own time follow each other, so the two terms add up; with
more they overlap, and the sum overestimates by at most the smaller term.

The requests come from the request plan: the orchestrator plans each batch's books that the shared
cache does not know (``bookenrich.Enricher.plan``, ``orchestrator.plan_requests``) and records the
expected requests per catalogue on the job's record; processors count the books done. The books the
cache knows go first (``misses_last``), so a job's planned requests are all still ahead until its
done books reach the planned ones, then fall with them.

A job whose plan is not recorded yet (the orchestrator has not run) is estimated per book:
``SECONDS_PER_BOOK`` (set by the stack from the enabled catalogues' requests per book and their
limits) times its books plus, of every other job, ``min(its books, theirs)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bookenrich_aws import aws
from bookenrich_aws.budgets import parse_limits
from bookenrich_aws.layout import DEFAULT_BATCH_SIZE

#: Used when the stack sets no SECONDS_PER_BOOK: Google's 2 requests per book at 1 request/s.
DEFAULT_SECONDS_PER_BOOK = 2.0
#: Requests the plans must have expected of a catalogue before the sent ones correct them.
MIN_REQUESTS_OBSERVED = 10
#: A batch's processor time besides its catalogue requests, when the stack sets no BATCH_SECONDS.
DEFAULT_BATCH_SECONDS = 0.5


@dataclass(frozen=True)
class Processors:
    """The deployment's processors: how many run at once, books per batch, seconds per batch."""

    count: int
    batch_size: int
    batch_seconds: float

    @classmethod
    def from_environment(cls) -> Processors:
        """``PROCESSORS``, ``BATCH_SIZE`` and ``BATCH_SECONDS`` as the stack sets them."""
        seconds = aws.setting("BATCH_SECONDS", str(DEFAULT_BATCH_SECONDS))
        try:
            batch_seconds = float(seconds)
        except ValueError:
            raise RuntimeError(f"environment variable BATCH_SECONDS={seconds!r} is not a number") from None
        if batch_seconds < 0:
            raise RuntimeError(f"environment variable BATCH_SECONDS={seconds!r} must not be negative")
        return cls(
            count=aws.integer("PROCESSORS", 1, minimum=1),
            batch_size=aws.integer("BATCH_SIZE", DEFAULT_BATCH_SIZE, minimum=1),
            batch_seconds=batch_seconds,
        )

    def seconds(self, mine: JobLoad, others: Sequence[JobLoad]) -> float:
        """Processor sharing by batches: the processor time until this job's last batch is done."""
        left = mine.batches_left(self.batch_size)
        shared = left + sum(min(left, other.batches_left(self.batch_size)) for other in others)
        return shared * self.batch_seconds / self.count


@dataclass(frozen=True)
class JobLoad:
    """What a job in flight still asks of the catalogues, as its record says."""

    #: Books of the job.
    books: int
    #: Books done so far (batches whose results are written).
    done: int = 0
    #: Books the plan covered (those the shared cache did not know); None before the plan.
    planned_books: int | None = None
    #: Requests the plan expects per catalogue, for the planned books.
    planned_requests: Mapping[str, float] = field(default_factory=dict)
    #: Requests its batches have sent per catalogue.
    sent: Mapping[str, float] = field(default_factory=dict)

    @property
    def planned(self) -> bool:
        """Whether the orchestrator recorded the job's plan."""
        return self.planned_books is not None

    def batches_left(self, batch_size: int) -> int:
        """Batches whose results are not written yet."""
        return -(-max(0, self.books - self.done) // batch_size)

    def requests_left(self) -> dict[str, float]:
        """The planned requests per catalogue not sent yet: all of them while the books done are
        the ones the cache knew (they come first), then in proportion to the planned books left."""
        if not self.planned_books:
            return {source: 0.0 for source in self.planned_requests}
        left = min(1.0, max(0, self.books - self.done) / self.planned_books)
        return {source: requests * left for source, requests in self.planned_requests.items()}


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


def shared_limits() -> dict[str, float]:
    """The catalogues' per-second limits for the whole deployment (``BUDGET_PER_SECOND``)."""
    return parse_limits(aws.setting("BUDGET_PER_SECOND", ""), "BUDGET_PER_SECOND")


def shared_seconds(books: int, others: Sequence[int], per_book: float) -> float:
    """Processor sharing by books: time for ``books`` while jobs of ``others`` books run alongside."""
    return per_book * (books + sum(min(books, other) for other in others))


def planned_seconds(
    mine: JobLoad, others: Sequence[JobLoad], limits: Mapping[str, float], processors: Processors
) -> float:
    """The time until the job is done: the catalogues' share and the processors' (above)."""
    return catalogue_seconds(mine, others, limits) + processors.seconds(mine, others)


def observed_ratios(jobs: Sequence[JobLoad]) -> dict[str, float]:
    """Per catalogue, the requests the jobs in flight sent over those their plans expected for the
    books they have done, once the plans expected at least :data:`MIN_REQUESTS_OBSERVED` of them
    (else 1: the plan as it is). The plan's assumptions (a volume fetch per Google book, no identifier
    another job asks meanwhile) are its own; what the deployment measures corrects them."""
    planned: dict[str, float] = {}
    sent: dict[str, float] = {}
    for job in jobs:
        if not job.planned:
            continue
        left = job.requests_left()
        for source, requests in job.planned_requests.items():
            planned[source] = planned.get(source, 0.0) + requests - left.get(source, 0.0)
            sent[source] = sent.get(source, 0.0) + job.sent.get(source, 0.0)
    return {s: sent[s] / planned[s] if planned[s] >= MIN_REQUESTS_OBSERVED else 1.0 for s in planned}


def catalogue_seconds(mine: JobLoad, others: Sequence[JobLoad], limits: Mapping[str, float]) -> float:
    """Processor sharing per catalogue over the shared limits: the time until the catalogues have
    sent this job's planned requests (times the :func:`observed_ratios`), the slowest catalogue
    deciding. A catalogue without a limit is not waited for."""
    ratios = observed_ratios([mine, *others])
    theirs = [
        {s: n * ratios.get(s, 1.0) for s, n in other.requests_left().items()} for other in others if other.planned
    ]
    slowest = 0.0
    for source, planned_left in mine.requests_left().items():
        left = planned_left * ratios.get(source, 1.0)
        limit = limits.get(source)
        if not left > 0 or limit is None:
            continue
        shared = left + sum(min(left, other.get(source, 0.0)) for other in theirs)
        slowest = max(slowest, shared / limit)
    return slowest


def estimate(mine: JobLoad, others: Sequence[JobLoad], now: datetime) -> datetime:
    """The expected completion time of ``mine`` while ``others`` are in flight."""
    limits = shared_limits()
    if mine.planned and limits:
        return now + timedelta(seconds=planned_seconds(mine, others, limits, Processors.from_environment()))
    books_left = max(0, mine.books - mine.done)
    others_left = [max(0, other.books - other.done) for other in others]
    return now + timedelta(seconds=shared_seconds(books_left, others_left, seconds_per_book()))
