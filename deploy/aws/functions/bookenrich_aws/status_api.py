"""GET /status/{uuid}: the job's status document, with live progress while it runs.

While a job is ``processing`` the progress comes from the batch results already in S3 (one
LIST), so the processors never write the shared status document and cannot race each other.

A job still ``processing`` without a manifest long after its upload (``STALE_AFTER_SECONDS``, longer
than the orchestrator's asynchronous retries can take) never started: it is marked ``error`` here,
in case its dead letter was lost too, rather than left ``processing`` forever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from bookenrich_aws import api, aws, job_failed, jobstatus
from bookenrich_aws.layout import (
    batch_of_result_key,
    batch_sizes,
    manifest_key,
    results_prefix,
)
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)


def live_progress(store: Store, job_id: str) -> dict[str, Any] | None:
    """Progress from the batch results written so far, or None before the orchestrator has run."""
    manifest = store.get_json(manifest_key(job_id))
    if not isinstance(manifest, dict):
        return None
    sizes = batch_sizes(int(manifest["total_books"]), int(manifest["batch_size"]))
    done = {batch_of_result_key(k) for k in store.keys(results_prefix(job_id))}
    processed = sum(size for index, size in enumerate(sizes) if index in done)
    return jobstatus.progress(int(manifest["total_books"]), processed)


def never_started(doc: dict[str, Any], now: datetime | None = None) -> bool:
    """Whether a job without a manifest was uploaded longer than ``STALE_AFTER_SECONDS`` ago."""
    stale_after = aws.integer("STALE_AFTER_SECONDS", 0)
    uploaded = jobstatus.parse_iso(doc.get("upload_time"))
    if not stale_after or uploaded is None:
        return False
    return ((now or datetime.now(timezone.utc)) - uploaded).total_seconds() > stale_after


@api.job_endpoint
def handler(request: api.Request, job_id: str) -> dict[str, Any]:
    """GET /status/{uuid}."""
    store = Store()
    doc = jobstatus.read(store, job_id)
    if doc is None:
        return api.error(404, "UUID not found", f"no job {job_id}")
    if doc.get("status") == jobstatus.PROCESSING:
        live = live_progress(store, job_id)
        if live is not None:
            doc["progress"] = live
        elif never_started(doc):
            log.error("status %s: no manifest long after the upload; the job never started", job_id)
            job_failed.mark_failed(store, job_id, "processing never started", "NeverStarted")
            doc = jobstatus.read(store, job_id) or doc
    return api.json_response(200, doc)
