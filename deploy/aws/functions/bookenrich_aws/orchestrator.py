"""The orchestrator: the uploaded export -> batches and originals in S3 -> one Step Functions execution.

Invoked asynchronously by the upload handler with ``{"uuid": ...}``. The execution's input holds only
S3 keys and settings, never books, so it is the same size for 10 books or 100,000; the execution is
named after the job, so a retried invocation cannot start the job twice.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import bookenrich
from botocore.exceptions import ClientError

from bookenrich_aws import admission, aws, jobstatus, processor
from bookenrich_aws.layout import (
    DEFAULT_BATCH_SIZE,
    batches_key,
    manifest_key,
    originals_key,
    parse_job_id,
    raw_csv_key,
)
from bookenrich_aws.lookup_cache import LookupCache
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)

#: The plan's names of the catalogues -> the shared budgets' (``BUDGET_PER_SECOND``).
BUDGET_NAMES = {"open_library": "openlibrary", "google_books": "google"}
#: Row problems kept in the manifest (all are counted; the first ones are kept for the notes).
MAX_PROBLEMS_KEPT = 50


def plan_batches(books: list[bookenrich.BookAnalytics], batch_size: int) -> list[dict[str, Any]]:
    """The Distributed Map's items: ``{"batch": i, "books": [BookInfo.to_dict(), ...]}``."""
    return [
        {"batch": index, "books": [b.to_book_info().to_dict() for b in books[start : start + batch_size]]}
        for index, start in enumerate(range(0, len(books), batch_size))
    ]


def known_books(books: list[bookenrich.BookInfo], cache: LookupCache | None) -> list[bool]:
    """Per book, whether the shared cache answers its Open Library lookup (one key a book, 100 a
    read); none is when there is no cache or it cannot be read."""
    if cache is None:
        return [False] * len(books)
    keys = [processor.open_library_key(b) for b in books]
    try:
        known = cache.get_many(k for k in keys if k is not None)
    except ClientError as e:
        # Only the order and the ETA are at stake: the job runs in export order rather than not at all.
        log.warning("orchestrator: the shared cache could not be read (%s); batches in export order", e)
        return [False] * len(books)
    return [k is not None and k in known for k in keys]


def misses_last(books: list[bookenrich.BookInfo], cache: LookupCache | None) -> list[int]:
    """The books' positions in batch order: those whose Open Library lookup the shared cache already
    answers first, in export order, then the others, so that the books needing catalogue requests
    share as few batches, and so as few identifier searches, as they can."""
    return known_first(known_books(books, cache))


def known_first(known: list[bool]) -> list[int]:
    """Positions in batch order: the known books in export order, then the others."""
    return [i for i, k in enumerate(known) if k] + [i for i, k in enumerate(known) if not k]


def planner() -> bookenrich.Enricher:
    """An enricher configured as the processors' (BOOKENRICH_* sources, merge policy, contact),
    for its plan only. Whether Google is asked depends on whether a key is configured, not on the
    key, and a plan sends no request: the orchestrator is told the secret's ARN, never its value."""
    if aws.setting("GOOGLE_BOOKS_API_KEY_SECRET_ARN", ""):
        return bookenrich.Enricher(google_api_key="configured")
    return bookenrich.Enricher()


def plan_requests(batches: list[list[bookenrich.BookInfo]]) -> tuple[int, dict[str, float]]:
    """(books planned, requests expected per catalogue) for the books of each batch the shared cache
    does not know, batch by batch as the processors enrich them (one run per Map item)."""
    enricher = planner()
    requests: dict[str, float] = {}
    books = 0
    for batch in batches:
        if not batch:
            continue
        books += len(batch)
        for source in enricher.plan(batch)["sources"]:
            if source.get("skipped") is None:
                name = BUDGET_NAMES.get(str(source["name"]), str(source["name"]))
                requests[name] = requests.get(name, 0.0) + float(source["requests_expected"])
    return books, requests


def arrange(
    books: list[bookenrich.BookInfo], cache: LookupCache | None, batch_size: int
) -> tuple[list[int], int, dict[str, float]]:
    """The books' batch order (:func:`misses_last`), and the plan of the books the cache does not
    know: how many, and the requests expected per catalogue (recorded for the job's ETA)."""
    known = known_books(books, cache)
    order = known_first(known)
    starts = range(0, len(order), batch_size)
    misses = [[books[i] for i in order[at : at + batch_size] if not known[i]] for at in starts]
    planned_books, requests = plan_requests(misses)
    return order, planned_books, requests


def execution_input(job_id: str) -> dict[str, Any]:
    """What the state machine gets: keys and settings only (constant size)."""
    return {
        "job": {"uuid": job_id},
        "batchesKey": batches_key(job_id),
        "toleratedFailurePercentage": aws.integer("TOLERATED_FAILURE_PERCENTAGE", 100),
    }


def _fail(store: Store, job_id: str, message: str) -> dict[str, Any]:
    log.error("orchestrator %s: %s", job_id, message)
    admission.release_job(job_id)
    jobstatus.write(
        store,
        job_id,
        jobstatus.ERROR,
        error_message=message,
        message="Processing failed",
        completion_time=jobstatus.now_iso(),
    )
    return {"uuid": job_id, "status": jobstatus.ERROR}


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    job_id = parse_job_id(event.get("uuid"))
    store = Store()
    try:
        raw = store.get_bytes(raw_csv_key(job_id))
        if raw is None:
            return _fail(store, job_id, "the uploaded export is gone (was the job deleted?)")
        try:
            export = bookenrich.read_export(raw, include_unread=aws.flag("INCLUDE_UNREAD"))
        except bookenrich.InvalidInputError as e:
            return _fail(store, job_id, f"Invalid CSV format or not a Goodreads export: {e}")

        books = export.books
        batch_size = aws.integer("BATCH_SIZE", DEFAULT_BATCH_SIZE, minimum=1)
        order, planned_books, requests = arrange(
            [b.to_book_info() for b in books], LookupCache.from_environment(), batch_size
        )
        batches = plan_batches([books[i] for i in order], batch_size)
        admission.record_plan(job_id, planned_books, requests)
        store.put_json(originals_key(job_id), [b.to_dict() for b in books])
        store.put_json(batches_key(job_id), batches)
        store.put_json(
            manifest_key(job_id),
            {
                "uuid": job_id,
                "total_books": len(books),
                "batch_size": batch_size,
                "batch_count": len(batches),
                "rows_read": export.rows_read,
                "unread_skipped": export.unread_skipped,
                "row_problem_count": len(export.problems),
                "row_problems": [
                    {"line": p.line, "goodreads_id": p.goodreads_id, "kind": p.kind, "message": p.message}
                    for p in export.problems[:MAX_PROBLEMS_KEPT]
                ],
                "created": jobstatus.now_iso(),
            },
        )
        jobstatus.write(
            store,
            job_id,
            jobstatus.PROCESSING,
            progress=jobstatus.progress(len(books), 0),
            message=f"Enriching {len(books)} books in {len(batches)} batches",
        )
        try:
            aws.client("stepfunctions").start_execution(
                stateMachineArn=aws.setting("STATE_MACHINE_ARN"),
                name=job_id,
                input=json.dumps(execution_input(job_id)),
            )
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
            log.info("orchestrator %s: execution already started (retried invocation)", job_id)
    except Exception as e:
        _fail(store, job_id, f"could not start processing ({type(e).__name__})")
        raise
    log.info(
        "orchestrator %s: %d books, %d batches, %d row problems", job_id, len(books), len(batches), len(export.problems)
    )
    return {"uuid": job_id, "books": len(books), "batches": len(batches)}
