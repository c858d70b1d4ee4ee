"""A simulated population of readers (docs/aws.md, "Simulated scale"): libraries drawn from a
Zipf-distributed catalogue of popular books, whose jobs arrive in waves of concurrent uploads.

Measured per wave: catalogue requests per book (at the fake catalogue), and at the end the most
requests any catalogue got in any second (the send times the budgets granted) and in the day,
whether every job completed with every book, and the cost of 1,000 books from the AWS requests the
run made (``cost_per_1000_books``).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from catalogue import FakeCatalogue, synthetic_export
from harness import Deployment, scan

from bookenrich_aws import processor
from bookenrich_aws.budgets import busiest_second

#: Zipf exponent of book popularity (Goodreads shelves are heavy-tailed; 1.1 keeps a long tail).
ZIPF_S = 1.1
#: us-east-1 list prices, USD.
PRICES = {
    "dynamodb_read_unit": 0.125 / 1e6,
    "dynamodb_write_unit": 0.625 / 1e6,
    "s3_get": 0.0004 / 1000,
    "s3_put": 0.005 / 1000,
    "sfn_transition": 0.025 / 1000,
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000166667,
}


def libraries(count: int, books: int, titles: int, *, seed: int = 7) -> list[list[int]]:
    """``count`` libraries of ``books`` distinct titles each, drawn by Zipf popularity over ``titles``."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** ZIPF_S for rank in range(titles)]
    out = []
    for _ in range(count):
        chosen: set[int] = set()
        while len(chosen) < books:
            chosen.update(rng.choices(range(titles), weights, k=books - len(chosen)))
        out.append(sorted(chosen))
    return out


@dataclass
class Population:
    """What a run measured."""

    requests_per_book: list[float] = field(default_factory=list)
    books: int = 0
    jobs: int = 0
    incomplete: list[str] = field(default_factory=list)
    max_per_second: dict[str, int] = field(default_factory=dict)
    max_per_day: dict[str, int] = field(default_factory=dict)
    aws_requests: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def cost_per_1000_books(self) -> float:
        """USD of AWS requests per 1,000 books (catalogue-side time excluded: see docs/aws.md)."""
        total = sum(PRICES[k] * v for k, v in self.aws_requests.items())
        return total * 1000 / max(self.books, 1)


def simulate(
    deployment: Deployment,
    catalogue: FakeCatalogue,
    *,
    count: int,
    books: int,
    titles: int,
    wave: int,
    start: Any,
    finish: Any,
    dashboard: Any,
) -> Population:
    """Runs ``count`` libraries in waves of ``wave`` concurrent jobs (each from its own client)."""
    header, *rows = synthetic_export(catalogue, titles).decode().split("\r\n")
    rows = [r for r in rows if r]
    catalogue.request("/__reset", {})  # making the catalogue asked it too
    result = Population()
    began = time.monotonic()
    drawn = libraries(count, books, titles)
    for first in range(0, count, wave):
        before = int(catalogue.stats()["total"])
        group = drawn[first : first + wave]
        jobs = []
        for offset, library in enumerate(group):
            export = ("\r\n".join([header, *(rows[i] for i in library)]) + "\r\n").encode()
            jobs.append(
                (start(deployment, export, f"10.{(first + offset) // 250}.{(first + offset) % 250}.1"), library)
            )
        finish(deployment, *(job for job, _ in jobs))
        for job, library in jobs:
            if len(dashboard(deployment, job)["books"]) != len(library):
                result.incomplete.append(job)
        asked = int(catalogue.stats()["total"]) - before
        result.requests_per_book.append(asked / (len(group) * books))
        result.books += len(group) * books
        result.jobs += len(group)
    result.seconds = time.monotonic() - began
    granted: dict[str, list[float]] = {}
    for gateway in processor._gateways.values():
        for source, at in gateway.budgets.granted if gateway.budgets else []:
            granted.setdefault(source, []).append(at)
    result.max_per_second = {source: busiest_second(times) for source, times in granted.items()}
    for item in scan("Coordination"):
        key = item["pk"]["S"]
        if key.startswith("budget#") and "#d#" in key:
            source = key.split("#")[1]
            result.max_per_day[source] = max(result.max_per_day.get(source, 0), int(item["used"]["N"]))
    result.aws_requests = _aws_requests(deployment, result)
    return result


def _aws_requests(deployment: Deployment, result: Population) -> dict[str, float]:
    """The AWS requests of the run, counted from what it did (the units the prices are in)."""
    reads = writes = 0.0
    for gateway in processor._gateways.values():
        if gateway.cache is not None:
            reads += gateway.cache.stats.keys_read * 0.5  # eventually consistent, items under 4 KB
            writes += gateway.cache.stats.writes * 2  # items of 1-2 KB
    forwarded = sum(len(g.budgets.granted) for g in processor._gateways.values() if g.budgets)
    daily = sum(int(i["used"]["N"]) for i in scan("Coordination") if "#d#" in i["pk"]["S"])
    writes += forwarded * 2 + daily * 2 * 2  # per-second slot (1-2 updates); day + job counters in a transaction
    writes += result.jobs * 2 * (3 + 3)  # admission and release: 3 items each, transactional
    batches = sum(deployment.invocations.batch_attempts.values())
    calls = sum(deployment.invocations.calls.values())
    return {
        "dynamodb_read_unit": reads + result.jobs * 12,  # status polls: a queue query per 5 s, ~1 min a job
        "dynamodb_write_unit": writes,
        "s3_get": batches * 2 + result.jobs * 20,
        "s3_put": batches + result.jobs * 8,
        "sfn_transition": batches * 3 + result.jobs * 6,
        "lambda_request": calls,
        # Measured handler time, at each function's memory (processor 0.5 GB; orchestrator, aggregator
        # 1 GB; the API's 0.25-0.5 GB counted at 1 GB). Against the local fake catalogue: no network latency.
        "lambda_gb_second": sum(
            seconds * (0.5 if name.startswith("Processor") else 1.0)
            for name, seconds in deployment.invocations.busy_seconds.items()
        ),
    }
