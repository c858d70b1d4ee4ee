"""The book processor: enriches one batch (one Distributed Map item) and writes its results to S3.

Input (the Map's ItemSelector): ``{"job": {"uuid"}, "batch": {"batch": i, "books": [BookInfo dicts]}}``.
Output: a small summary (counts, never books). Results go to ``uploads/{uuid}/results/batch-i.json``.

When some books failed in a way a retry may fix (throttling, 5xx, timeouts; see ``failures``), the
results so far are still written and :class:`CatalogueThrottled` is raised: the state machine retries
the batch after a jittered backoff, and the retry only looks up the books that failed. Any other
failure is recorded on the book and the batch succeeds.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import bookenrich

from bookenrich_aws import aws, failures
from bookenrich_aws.layout import manifest_key, parse_job_id, result_key
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)


class CatalogueThrottled(Exception):
    """Some books of the batch hit throttling or transient catalogue failures: retry the batch later.

    The state machine's Retry names this error (the Lambda error type is the class name).
    """


_enrichers: dict[tuple[str, ...], bookenrich.Enricher] = {}


def _google_api_key() -> str | None:
    """The Google Books API key from Secrets Manager, when the stack configured one."""
    secret = os.environ.get("GOOGLE_BOOKS_API_KEY_SECRET_ARN", "").strip()
    if not secret:
        return None
    value: str = aws.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    return value.strip() or None


def enricher() -> bookenrich.Enricher:
    """One enricher per container (its rate limiters span invocations), configured by BOOKENRICH_*."""
    signature = tuple(
        f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(("BOOKENRICH_", "GOOGLE_BOOKS_API_KEY"))
    )
    existing = _enrichers.get(signature)
    if existing is None:
        key = _google_api_key()
        existing = bookenrich.Enricher(google_api_key=key) if key else bookenrich.Enricher()
        _enrichers.clear()
        _enrichers[signature] = existing
    return existing


def _books(batch: dict[str, Any]) -> tuple[int, list[bookenrich.BookInfo]]:
    index = batch.get("batch")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise ValueError(f"batch index must be a non-negative integer, got {index!r}")
    books = batch.get("books")
    if not isinstance(books, list):
        raise ValueError(f"batch {index}: 'books' must be a list")
    return index, [bookenrich.BookInfo.from_dict(b) for b in books]


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    job_id = parse_job_id((event.get("job") or {}).get("uuid"))
    index, books = _books(event.get("batch") or {})
    store = Store()
    key = result_key(job_id, index)
    if not store.exists(manifest_key(job_id)):
        # The job was deleted while this child waited: write nothing back.
        log.warning("processor %s batch %d: job is gone, skipping", job_id, index)
        return {"batch": index, "books": len(books), "skipped": "job deleted"}

    previous = store.get_json(key) or {}
    kept: dict[str, bookenrich.EnrichedBook] = {}
    for record in previous.get("results", []):
        result = bookenrich.EnrichedBook.from_dict(record)
        if result.goodreads_id is not None and not failures.is_transient(result):
            kept[result.goodreads_id] = result
    todo = [b for b in books if b.goodreads_id not in kept]
    fresh, summary = enricher().enrich_with_summary(todo) if todo else ([], {})
    by_id = dict(kept)
    for result in fresh:
        if result.goodreads_id is not None:
            by_id[result.goodreads_id] = result
    results = [by_id[b.goodreads_id] for b in books if b.goodreads_id in by_id]
    missing = [b.goodreads_id for b in books if b.goodreads_id not in by_id]
    if missing:
        raise RuntimeError(f"batch {index}: the enricher returned no result for {missing[:5]}")

    transient = [r for r in results if failures.is_transient(r)]
    attempt = int(previous.get("attempt", 0)) + 1
    counts = {
        "books": len(books),
        "looked_up": len(todo),
        "with_genres": sum(1 for r in results if r.has_genres),
        "with_errors": sum(1 for r in results if r.error is not None),
        "failed": sum(1 for r in results if r.error is not None and not r.has_genres),
        "transient": len(transient),
        "throttled": sum(1 for r in results if failures.is_throttle(r)),
    }
    store.put_json(
        key,
        {
            "batch": index,
            "attempt": attempt,
            "counts": counts,
            "run": {k: summary.get(k) for k in ("requests", "retries", "rate_limited", "elapsed")},
            "results": [r.to_dict() for r in results],
        },
    )
    log.info("processor %s batch %d attempt %d: %s", job_id, index, attempt, counts)
    if transient:
        raise CatalogueThrottled(
            f"batch {index}: {len(transient)} of {len(books)} books hit throttling or transient catalogue "
            f"failures (attempt {attempt}); the batch will be retried"
        )
    return {"batch": index, "attempt": attempt, **counts}
