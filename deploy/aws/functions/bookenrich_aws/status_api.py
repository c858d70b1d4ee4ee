"""GET /status/{uuid}: the job's status document, with live progress while it runs.

While a job is ``processing`` the progress comes from the batch results already in S3 (one
LIST), so the processors never write the shared status document and cannot race each other.

A job still ``processing`` without a manifest long after its upload (``STALE_AFTER_SECONDS``, longer
than the orchestrator's asynchronous retries can take) never started: it is marked ``error`` here,
in case its dead letter was lost too, rather than left ``processing`` forever.

A running job's answer also has ``estimated_completion`` (ISO 8601 UTC: ``eta``, from the job's
request plan and the others' over the shared per-second budgets) and
``queue_position`` (1-based among the jobs in flight, while none of its batches is done; else
null). Finished jobs have both null.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from bookenrich_aws import admission, api, aws, eta, job_failed, jobstatus
from bookenrich_aws.layout import (
    batch_of_result_key,
    batch_sizes,
    manifest_key,
    results_prefix,
)
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)


def live_progress(store: Store, job_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Progress from the batch results written so far, and the manifest; None before the orchestrator ran."""
    manifest = store.get_json(manifest_key(job_id))
    if not isinstance(manifest, dict):
        return None
    sizes = batch_sizes(int(manifest["total_books"]), int(manifest["batch_size"]))
    done = {batch_of_result_key(k) for k in store.keys(results_prefix(job_id))}
    processed = sum(size for index, size in enumerate(sizes) if index in done)
    return jobstatus.progress(int(manifest["total_books"]), processed), manifest


def waiting_fields(job_id: str, progress: dict[str, Any]) -> dict[str, Any]:
    """``queue_position`` (1 = next; None once batches are done) and ``estimated_completion``."""
    now = datetime.now(timezone.utc)
    waiting = admission.waiting(job_id)
    processed = int(progress.get("processed_books", 0))
    total = int(progress.get("total_books", 0))
    # The batch results in S3 are this job's own progress; its record has its plan.
    mine = eta.JobLoad(books=total) if waiting is None else waiting.mine
    mine = replace(mine, books=total, done=processed)
    when = eta.estimate(mine, waiting.others if waiting is not None else (), now)
    position = waiting.jobs_ahead + 1 if waiting is not None and processed == 0 else None
    return {"queue_position": position, "estimated_completion": jobstatus.iso(when)}


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
            doc["progress"], _ = live
            doc.update(waiting_fields(job_id, doc["progress"]))
        elif never_started(doc):
            log.error("status %s: no manifest long after the upload; the job never started", job_id)
            job_failed.mark_failed(store, job_id, "processing never started", "NeverStarted")
            doc = jobstatus.read(store, job_id) or doc
        else:
            doc.update(waiting_fields(job_id, doc.get("progress") or {}))
    doc.setdefault("queue_position", None)
    doc.setdefault("estimated_completion", None)
    return api.json_response(200, doc)
