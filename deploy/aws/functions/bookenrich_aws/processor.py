"""The book processor: enriches one batch (one Distributed Map item) and writes its results to S3.

Input (the Map's ItemSelector): ``{"job": {"uuid"}, "batch": {"batch": i, "books": [BookInfo dicts]}}``.
Output: a small summary (counts, never books). Results go to ``uploads/{uuid}/results/batch-i.json``.

When some books failed in a way a retry may fix (throttling, 5xx, timeouts; see ``failures``), the
results so far are still written and :class:`CatalogueThrottled` is raised: the state machine retries
the batch after a jittered backoff, and the retry only looks up the books that failed. Any other
failure is recorded on the book and the batch succeeds.

With the catalogue gateway on (``CATALOGUE_GATEWAY``, the stack's default), the core's requests go
through ``gateway``: the batch's answers are first read from the shared lookup cache in batches
(:func:`preload_keys`), every request the cache cannot answer takes the shared budgets' tokens, and
what the catalogues answered is written back to the cache after the batch, even when it is retried.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

import bookenrich

from bookenrich_aws import admission, aws, failures
from bookenrich_aws.budgets import Budgets
from bookenrich_aws.gateway import Gateway, Session, Upstream, cache_key, search_key
from bookenrich_aws.layout import manifest_key, parse_job_id, result_key
from bookenrich_aws.lookup_cache import LookupCache
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)


class CatalogueThrottled(Exception):
    """Some books of the batch hit throttling or transient catalogue failures: retry the batch later.

    The state machine's Retry names this error (the Lambda error type is the class name).
    """


_enrichers: dict[tuple[str, ...], bookenrich.Enricher] = {}
_gateways: dict[tuple[str, ...], Gateway] = {}
#: One gateway per container even when invocations start at once (the tests run many in one process).
_gateway_lock = threading.Lock()
#: The core's defaults (bookenrich-core/src/config.rs).
OPEN_LIBRARY_URL = "https://openlibrary.org"
GOOGLE_BOOKS_URL = "https://www.googleapis.com"
#: Google's search answers list at most this many volumes worth pre-loading.
MAX_VOLUMES_PER_SEARCH = 10


def _google_api_key() -> str | None:
    """The Google Books API key from Secrets Manager, when the stack configured one."""
    secret = os.environ.get("GOOGLE_BOOKS_API_KEY_SECRET_ARN", "").strip()
    if not secret:
        return None
    value: str = aws.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    return value.strip() or None


def _signature(*prefixes: str) -> tuple[str, ...]:
    return tuple(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(prefixes))


def gateway() -> Gateway | None:
    """The container's catalogue gateway (started once), or None when ``CATALOGUE_GATEWAY`` is off."""
    if not aws.flag("CATALOGUE_GATEWAY"):
        return None
    signature = _signature(
        "BOOKENRICH_OPEN_LIBRARY_URL", "BOOKENRICH_GOOGLE_BOOKS_URL", "LOOKUP_CACHE", "BUDGET_", "JOB_DAILY_SHARE"
    ) + _signature("COORDINATION_TABLE")
    with _gateway_lock:
        return _gateways.get(signature) or _start_gateway(signature)


def _start_gateway(signature: tuple[str, ...]) -> Gateway:
    """A new gateway for these settings, replacing the one for other settings (called under the lock)."""
    for old in _gateways.values():
        old.server.shutdown()
    _gateways.clear()
    started = Gateway(
        [
            Upstream("openlibrary", aws.setting("BOOKENRICH_OPEN_LIBRARY_URL", OPEN_LIBRARY_URL)),
            Upstream("google", aws.setting("BOOKENRICH_GOOGLE_BOOKS_URL", GOOGLE_BOOKS_URL)),
        ],
        LookupCache.from_environment(),
        Budgets.from_environment(),
    )
    _gateways[signature] = started
    return started


def enricher(through: Session | None = None) -> bookenrich.Enricher:
    """The enricher, configured by BOOKENRICH_*: one per container (its rate limiters span
    invocations), or, through the gateway, one per batch pointed at the batch's session (the
    gateway paces the catalogue requests; the core's limiter is loose)."""
    options: dict[str, Any] = {}
    if through is not None:
        options["open_library_url"] = through.url("openlibrary")
        options["google_books_url"] = through.url("google")
        key = _google_api_key()
        return bookenrich.Enricher(**options, google_api_key=key) if key else bookenrich.Enricher(**options)
    signature = _signature("BOOKENRICH_", "GOOGLE_BOOKS_API_KEY")
    existing = _enrichers.get(signature)
    if existing is None:
        key = _google_api_key()
        existing = bookenrich.Enricher(google_api_key=key) if key else bookenrich.Enricher()
        _enrichers.clear()
        _enrichers[signature] = existing
    return existing


def _isbn13(book: bookenrich.BookInfo) -> str | None:
    """The book's ISBN-13 (from its ISBN-10 when it has only that), as the core looks it up."""
    if book.isbn13 and len(book.isbn13) == 13 and book.isbn13.isdigit():
        return str(book.isbn13)
    ten = (book.isbn or "").upper()
    if len(ten) != 10 or not ten[:9].isdigit():
        return None
    body = "978" + ten[:9]
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def open_library_key(book: bookenrich.BookInfo) -> str | None:
    """The shared-cache key of the book's first Open Library lookup: its search by ISBN, else by
    Goodreads id (None when it has neither: a title search)."""
    isbn = _isbn13(book)
    if isbn is not None:
        return search_key("isbn", isbn)
    if book.goodreads_id and str(book.goodreads_id).isalnum():
        return search_key("id_goodreads", str(book.goodreads_id))
    return None


def preload_keys(books: list[bookenrich.BookInfo]) -> list[str]:
    """The shared-cache keys a batch's identifier lookups start with: Open Library's search by ISBN
    (by Goodreads id for a book without one) and Google's ISBN search. Title searches, and the
    Goodreads ids of ISBN books Open Library does not know, are not predictable: the gateway reads
    them one by one."""
    keys = []
    for book in books:
        first = open_library_key(book)
        if first is not None:
            keys.append(first)
        isbn = _isbn13(book)
        if isbn is not None:
            keys.append(cache_key("google", f"/books/v1/volumes?q=isbn:{isbn}"))
    return keys


def follow_up_keys(answers: dict[str, Any]) -> list[str]:
    """Keys the pre-loaded answers lead to: the volume records of Google's search items."""
    keys = []
    for key, answer in answers.items():
        if not key.startswith("google|/books/v1/volumes?") or answer.status != 200:
            continue
        try:
            items = json.loads(answer.body).get("items") or []
        except (ValueError, AttributeError):
            continue
        for item in items[:MAX_VOLUMES_PER_SEARCH]:
            volume = item.get("id") if isinstance(item, dict) else None
            if isinstance(volume, str) and volume.replace("-", "").replace("_", "").isalnum():
                keys.append(cache_key("google", f"/books/v1/volumes/{volume}"))
    return keys


def enrich_batch(
    books: list[bookenrich.BookInfo], job_id: str | None
) -> tuple[list[bookenrich.EnrichedBook], dict[str, Any], dict[str, Any]]:
    """(results, the core's summary, what the gateway did) for one batch: through the gateway when it
    is on (the batch's answers pre-loaded from the shared cache, what it learned written back), else
    straight to the catalogues."""
    shared_gateway = gateway()
    through = shared_gateway.open(job_id) if shared_gateway is not None else None
    shared: dict[str, Any] = {}
    if through is not None:
        through.preload(preload_keys(books))
        through.preload(follow_up_keys(through.answers()))
    try:
        fresh, summary = enricher(through).enrich_with_summary(books) if books else ([], {})
    finally:
        if shared_gateway is not None and through is not None:
            written = shared_gateway.close(through)
            stats = through.stats
            shared = {
                "preloaded": stats.from_preload,
                "cache_reads": stats.from_cache,
                "forwarded": stats.forwarded,
                "budget_spent": stats.budget_spent,
                "busy": stats.busy,
                "written": written,
                "per_source": dict(stats.per_source),
            }
    return fresh, summary, shared


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
    fresh, summary, shared = enrich_batch(todo, job_id)
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
            "shared": shared,
            "results": [r.to_dict() for r in results],
        },
    )
    # For the job's ETA: the batch's books count as done with its first results (a retry does not
    # count them again), the requests it sent with every attempt.
    admission.count_done(job_id, 0 if previous else len(books), shared.get("per_source", {}))
    log.info("processor %s batch %d attempt %d: %s", job_id, index, attempt, counts)
    if transient:
        raise CatalogueThrottled(
            f"batch {index}: {len(transient)} of {len(books)} books hit throttling or transient catalogue "
            f"failures (attempt {attempt}); the batch will be retried"
        )
    return {"batch": index, "attempt": attempt, **counts}
