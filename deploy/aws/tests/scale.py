"""Requests per book at the issue's scale (docs/aws.md, "Simulated scale"): the processors' real
request path without Step Functions.

Each library is a job whose books, in the reader's own order (shuffled, as a Goodreads export is
by date, not popularity), are ordered as the orchestrator orders them (``misses_last``: the books
the shared cache does not know together) and cut into Map items of ``batch`` books; every item
runs through
``processor.enrich_batch`` — the shared lookup cache in DynamoDB (moto), the gateway's split by
identifier, the bookenrich binding's planned enrichment with a Google key — exactly as a processor
runs it, ``workers`` at a time. What the Step Functions harness adds (S3 objects, the state
machine, the aggregator) sends no catalogue request, so leaving it out changes no count and lets
1,000 libraries run in minutes. The budgets are off: pacing changes when requests go, not how many.

Libraries arrive in waves of ``wave`` concurrent jobs; requests per book are counted at the fake
catalogue, wave by wave.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import bookenrich
import boto3
from catalogue import FakeCatalogue, synthetic_export
from population import libraries

from bookenrich_aws import orchestrator, processor
from bookenrich_aws.lookup_cache import LookupCache


def with_google_key_unpaced(monkeypatch: Any) -> None:
    """A deployment with a Google key (the planned policy asks Google for the books Open Library
    left without genres) whose gateway paces no request: the budgets are left out, they change
    when requests go, not how many there are."""
    secret = boto3.client("secretsmanager").create_secret(Name="google-key", SecretString="test-key")
    monkeypatch.setenv("GOOGLE_BOOKS_API_KEY_SECRET_ARN", secret["ARN"])
    monkeypatch.delenv("BUDGET_PER_SECOND")


def catalogue_books(catalogue: FakeCatalogue, titles: int) -> list[bookenrich.BookInfo]:
    """The fake catalogue's first ``titles`` synthetic books, as an export lists them."""
    rows = list(csv.DictReader(io.StringIO(synthetic_export(catalogue, titles).decode())))
    return [
        bookenrich.BookInfo(
            row["Title"],
            row["Author"],
            isbn13=row["ISBN13"].strip('="') or None,
            goodreads_id=row["Book Id"],
        )
        for row in rows
    ]


@dataclass
class Scale:
    """What a run measured: per wave, the libraries done so far and the requests per book."""

    waves: list[tuple[int, float]] = field(default_factory=list)
    books: int = 0
    unanswered: int = 0
    with_genres: int = 0
    seconds: float = 0.0


def simulate(
    catalogue: FakeCatalogue,
    *,
    count: int,
    books: int,
    titles: int,
    wave: int,
    batch: int = 25,
    workers: int = 4,
    report: Callable[[str], None] = lambda _: None,
) -> Scale:
    """Runs ``count`` libraries of ``books`` over ``titles`` Zipf-popular titles in waves of ``wave``."""
    known = catalogue_books(catalogue, titles)
    catalogue.request("/__reset", {})  # making the export asked the catalogue too
    rng = random.Random(11)
    result = Scale()
    began = time.monotonic()
    drawn = libraries(count, books, titles)
    cache = LookupCache.from_environment()
    with ThreadPoolExecutor(workers) as pool:
        for first in range(0, count, wave):
            before = int(catalogue.stats()["total"])
            routes_before = dict(catalogue.stats()["requests_by_route"])
            items: list[list[bookenrich.BookInfo]] = []
            for library in drawn[first : first + wave]:
                export = [known[i] for i in library]
                rng.shuffle(export)
                # As the orchestrator batches a job: the books the cache does not know together.
                ordered = [export[i] for i in orchestrator.misses_last(export, cache)]
                items += [ordered[at : at + batch] for at in range(0, len(ordered), batch)]
            # Interleaved, as concurrent jobs' Map items are: item k of every job, then k + 1.
            per_job = -(-books // batch)
            items = [items[j * per_job + k] for k in range(per_job) for j in range(len(items) // per_job)]
            for done in pool.map(lambda group: processor.enrich_batch(group, None)[0], items):
                result.unanswered += sum(1 for r in done if r.goodreads_id is None)
                result.with_genres += sum(1 for r in done if r.has_genres)
            group_books = sum(len(i) for i in items)
            result.books += group_books
            asked = int(catalogue.stats()["total"]) - before
            result.waves.append((first + wave, asked / group_books))
            routes = {k: v - routes_before.get(k, 0) for k, v in catalogue.stats()["requests_by_route"].items()}
            report(
                f"libraries {first + wave}: {asked / group_books:.4f} requests per book ({asked} requests: "
                + ", ".join(f"{k} {v}" for k, v in sorted(routes.items()) if v)
                + ")"
            )
    result.seconds = time.monotonic() - began
    return result
