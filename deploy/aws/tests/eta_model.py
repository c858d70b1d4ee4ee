"""The status route's ETA against the time a job actually takes, on a simulated clock (docs/aws.md,
"Measured goals").

Jobs arrive one after another; the last one (the measured job) arrives while the others run. Every
job goes through the deployment's own code, except that time is simulated:

- admission (``admission.admit``), the orchestrator's order and plan (``orchestrator.arrange`` over
  the shared lookup cache in DynamoDB, moto; ``admission.record_plan``), and on every finished
  batch the processor's count of done books and sent requests (``admission.count_done``) and, once a job is
  complete, the release of its entries (``admission.release_job``);
- each batch runs through ``processor.enrich_batch`` against the fake catalogue (the shared cache,
  the gateway's split by identifier, the binding's enrichment), which decides how many requests
  of each catalogue the batch sends (the gateway's count of forwarded requests);
- those requests then take their send times from the real shared budgets (``Budgets``, the
  per-second reservations in the coordination table) with a simulated clock: ``REQUESTS_IN_FLIGHT``
  at a time per batch (the processors' ``BOOKENRICH_CONCURRENCY``), each answered ``latency``
  seconds after its send time;
- the deployment runs ``processors`` batches at once (the Distributed Map's MaxConcurrency and the
  processor's reserved concurrency); a free processor takes the next batch of the job that has
  waited longest (round robin: the turns Lambda's throttling and the Map's retries hand out at
  random, made fair and without the retries' idle gaps); a batch also takes ``batch_overhead``
  seconds (Lambda, S3, the cache's reads).

When the measured job arrives, its ETA is what the status route computes then: its record and the
others' (``admission.waiting``) through ``eta.planned_seconds`` over the shared limits and the
processors (their count, and ``batch_overhead`` as the time a batch takes besides its requests:
the model and the estimate assume the same value, so what is measured is the sharing, not that
value). Its actual time is from its arrival to the end of its last batch.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import bookenrich
from catalogue import FakeCatalogue
from population import libraries
from scale import catalogue_books

from bookenrich_aws import admission, aws, eta, orchestrator, processor
from bookenrich_aws.budgets import Budgets
from bookenrich_aws.lookup_cache import LookupCache

#: Requests one processor has in flight at once (the stack's ``processor_request_concurrency``).
REQUESTS_IN_FLIGHT = 4


@dataclass
class Job:
    """One simulated job."""

    id: str
    arrival: float
    client: str
    batches: list[list[bookenrich.BookInfo]] = field(default_factory=list)
    started: int = 0
    running: int = 0
    finished: float | None = None


@dataclass
class Measured:
    """What one run measured (seconds are simulated)."""

    predicted: float
    actual: float
    #: Requests every job sent, per catalogue.
    requests: dict[str, int]
    #: Requests the measured job sent, per catalogue, and its plan of them.
    job_requests: dict[str, int]
    planned: dict[str, float]
    others_running: int
    #: Books the others had done when it arrived, as their records said.
    others_done: int

    @property
    def error(self) -> float:
        """The ETA's relative error: (predicted - actual) / actual."""
        return (self.predicted - self.actual) / self.actual


def run(
    catalogue: FakeCatalogue,
    *,
    limits: Mapping[str, float],
    others: int,
    other_books: int,
    books: int,
    titles: int,
    warm_libraries: int,
    arrival_gap: float,
    processors: int,
    latency: float,
    batch_overhead: float,
    batch_size: int = 25,
) -> Measured:
    """Runs ``others`` jobs of ``other_books`` arriving ``arrival_gap`` apart, then the measured job
    of ``books``, after ``warm_libraries`` earlier readers filled the shared cache."""
    known = catalogue_books(catalogue, titles)
    catalogue.request("/__reset", {})
    drawn = libraries(warm_libraries + others + 1, max(books, other_books), titles, seed=23)
    rng = random.Random(5)
    cache = LookupCache.from_environment()
    for library in drawn[:warm_libraries]:  # earlier readers: what the shared cache already knows
        export = [known[i] for i in rng.sample(library, other_books)]
        for at in range(0, len(export), batch_size):
            processor.enrich_batch(export[at : at + batch_size], None)
    clock = [0.0]
    budgets = Budgets(aws.setting("COORDINATION_TABLE"), limits, {}, clock=lambda: clock[0], sleep=lambda _: None)
    jobs: list[Job] = []
    for n, library in enumerate(drawn[warm_libraries:]):
        size = books if n == others else other_books
        export = [known[i] for i in rng.sample(library, size)]  # a reader's order, not popularity's
        jobs.append(Job(id=f"00000000-0000-4000-8000-{n:012d}", arrival=n * arrival_gap, client=f"10.0.0.{n}"))
        jobs[-1].batches = [export]  # arranged on arrival, against the cache as it is then
    measured_job = jobs[-1]
    sent: dict[str, int] = {}
    job_sent: dict[str, int] = {}
    #: (time, tie-break, "arrive" or "end", the job, the ended batch's books and requests sent)
    events: list[tuple[float, int, str, Job, tuple[int, dict[str, int]]]] = []
    order = itertools.count()
    for job in jobs:
        heapq.heappush(events, (job.arrival, next(order), "arrive", job, (0, {})))
    ready: deque[Job] = deque()
    free = processors
    predicted = 0.0
    planned: dict[str, float] = {}
    running_then = done_then = 0

    def run_batch(job: Job, start: float) -> tuple[float, int, dict[str, int]]:
        """Enriches the job's next batch; returns when it ends, its books and the requests it sent."""
        group = job.batches[job.started]
        job.started += 1
        _, _, shared = processor.enrich_batch(group, job.id)
        requests = [s for s, n in sorted(shared.get("per_source", {}).items()) for _ in range(n)]
        answered: list[float] = []
        for i, source in enumerate(requests):
            clock[0] = start if i < REQUESTS_IN_FLIGHT else answered[i - REQUESTS_IN_FLIGHT]
            budgets.acquire(source, None)
            answered.append(budgets.granted[-1][1] + latency)
            sent[source] = sent.get(source, 0) + 1
            if job is measured_job:
                job_sent[source] = job_sent.get(source, 0) + 1
        return max([start, *answered]) + batch_overhead, len(group), shared.get("per_source", {})

    while events:
        now, _, kind, job, ended = heapq.heappop(events)
        if kind == "arrive":
            export = job.batches[0]
            admission.admit(job.id, job.client, len(export))
            ordering, planned_books, requests = orchestrator.arrange(export, cache, batch_size)
            ordered = [export[i] for i in ordering]
            job.batches = [ordered[at : at + batch_size] for at in range(0, len(ordered), batch_size)]
            admission.record_plan(job.id, planned_books, requests)
            if job is measured_job:
                waiting = admission.waiting(job.id)
                assert waiting is not None
                running_then = len(waiting.others)
                done_then = sum(other.done for other in waiting.others)
                shared = eta.Processors(count=processors, batch_size=batch_size, batch_seconds=batch_overhead)
                predicted = eta.planned_seconds(waiting.mine, waiting.others, limits, shared)
                planned = requests
            ready.append(job)
        else:  # a batch of `job` ended
            free += 1
            job.running -= 1
            admission.count_done(job.id, *ended)
            if job.started == len(job.batches) and job.running == 0:
                job.finished = now
                admission.release_job(job.id)
            elif job.started < len(job.batches) and job not in ready:
                ready.append(job)
        while free and ready:
            nxt = ready.popleft()
            free -= 1
            nxt.running += 1
            ends, size, per_source = run_batch(nxt, now)
            heapq.heappush(events, (ends, next(order), "end", nxt, (size, per_source)))
            if nxt.started < len(nxt.batches) and nxt.running < processors:
                ready.append(nxt)
    assert all(job.finished is not None for job in jobs)
    assert measured_job.finished is not None
    return Measured(
        predicted=predicted,
        actual=measured_job.finished - measured_job.arrival,
        requests=sent,
        job_requests=job_sent,
        planned=planned,
        others_running=running_then,
        others_done=done_then,
    )
