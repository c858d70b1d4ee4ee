"""GET /status/{uuid}: the job's status document, with live progress while it runs.

While a job is ``processing`` the progress comes from the batch results already in S3 (one
LIST), so the processors never write the shared status document and cannot race each other.
"""

from __future__ import annotations

import logging
from typing import Any

from bookenrich_aws import api, jobstatus
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
    return api.json_response(200, doc)
