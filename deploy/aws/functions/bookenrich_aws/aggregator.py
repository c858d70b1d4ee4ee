"""The aggregator: originals + every batch result (read by key) -> ``data/{uuid}.json``, status ``complete``.

Results are merged by ``goodreads_id``, never by position: a batch whose result object is missing
(its child failed for good) leaves its books without genres, and they are counted in the status
message and the dashboard's processing notes. Every book of the export is in the dashboard.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import bookenrich

from bookenrich_aws import admission, aws, jobstatus
from bookenrich_aws.layout import data_key, manifest_key, originals_key, parse_job_id, result_key
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)

# Parallel GETs of the batch results (boto3 clients are thread-safe).
READERS = 16


def _read_results(store: Store, job_id: str, batch_count: int) -> list[dict[str, Any] | None]:
    """Every batch's result object by key, None where a batch has none."""
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return list(pool.map(lambda i: store.get_json(result_key(job_id, i)), range(batch_count)))


#: A source's failure kinds that mean it was switched off for the rest of a batch by a daily quota
#: (the catalogue's or the deployment's shared daily budget, which the gateway reports the same way).
_OUT_FOR_THE_DAY = {"quota_exhausted", "disabled"}


def google_budget_spent(result: bookenrich.EnrichedBook) -> bool:
    """Whether Google Books was not asked about this book because the day's budget was spent."""
    return any(f.source == "google_books" and f.kind in _OUT_FOR_THE_DAY for f in result.failures)


def budget_note(count: int) -> str:
    """The status message's and the dashboard's words for books enriched without Google."""
    return f"Google Books' daily budget was spent: {count} books were enriched from Open Library alone"


def notes(
    manifest: dict[str, Any], missing_batches: list[int], unenriched: int, failed: int, without_google: int = 0
) -> list[str]:
    """The dashboard's processing notes (the CLI's wording where they overlap)."""
    out: list[str] = []
    if without_google:
        out.append(budget_note(without_google))
    problems = int(manifest.get("row_problem_count", 0))
    if problems:
        out.append(f"{problems} rows of the export could not be used")
    if missing_batches:
        shown = ", ".join(str(i) for i in missing_batches[:20]) + (" ..." if len(missing_batches) > 20 else "")
        out.append(f"{unenriched} books were not enriched: batch(es) {shown} did not finish")
    if failed:
        out.append(f"{failed} books could not be enriched: every catalogue lookup failed")
    return out


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    job_id = parse_job_id((event.get("job") or {}).get("uuid"))
    store = Store()
    manifest = store.get_json(manifest_key(job_id))
    if not isinstance(manifest, dict):
        log.warning("aggregator %s: job is gone, nothing to write", job_id)
        return {"uuid": job_id, "skipped": "job deleted"}
    originals = store.get_json(originals_key(job_id))
    if not isinstance(originals, list):
        raise ValueError(f"{originals_key(job_id)}: missing or not a JSON array")
    books = [bookenrich.BookAnalytics.from_dict(record) for record in originals]
    wanted = {b.goodreads_id for b in books}

    batch_count = int(manifest["batch_count"])
    docs = _read_results(store, job_id, batch_count)
    missing_batches = [i for i, d in enumerate(docs) if d is None]
    results: dict[str, bookenrich.EnrichedBook] = {}
    stray = 0
    for doc in docs:
        for record in (doc or {}).get("results", []):
            result = bookenrich.EnrichedBook.from_dict(record)
            if result.goodreads_id in wanted:
                results[result.goodreads_id] = result
            else:
                stray += 1
    if stray:
        log.warning("aggregator %s: %d results belong to no book of the export (ignored)", job_id, stray)
    unenriched = sum(1 for b in books if b.goodreads_id not in results)
    failed = sum(1 for r in results.values() if r.error is not None and not r.has_genres)
    without_google = sum(1 for r in results.values() if google_budget_spent(r))

    dashboard = bookenrich.build_dashboard(
        books,
        list(results.values()),
        include_private_notes=aws.flag("INCLUDE_PRIVATE_NOTES"),
        export_id=job_id,
        processing_notes=notes(manifest, missing_batches, unenriched, failed, without_google),
    )
    body = json.dumps(dashboard, ensure_ascii=False, indent=2).encode("utf-8")
    if not store.exists(manifest_key(job_id)):
        log.warning("aggregator %s: job deleted while aggregating, not writing", job_id)
        return {"uuid": job_id, "skipped": "job deleted"}
    store.put_bytes(data_key(job_id), body, "application/json; charset=utf-8")

    total = len(books)
    enriched = dashboard["summary"]["genre_enriched_books"]
    message = f"Processing complete: {enriched} of {total} books have genres"
    if unenriched or failed:
        message += f"; {unenriched + failed} could not be enriched"
    if without_google:
        message += f"; {budget_note(without_google)}"
    jobstatus.write(
        store,
        job_id,
        jobstatus.COMPLETE,
        progress=jobstatus.progress(total, total),
        message=message,
        data_url=f"/data/{job_id}",
        completion_time=jobstatus.now_iso(),
        enrichment={
            "books": total,
            "with_genres": enriched,
            "not_enriched": unenriched,
            "failed": failed,
            "missing_batches": len(missing_batches),
            "without_google_budget": without_google,
        },
    )
    admission.release_job(job_id)
    log.info("aggregator %s: %s", job_id, message)
    return {
        "uuid": job_id,
        "books": total,
        "with_genres": enriched,
        "not_enriched": unenriched,
        "failed": failed,
        "missing_batches": len(missing_batches),
        "bytes": len(body),
    }
