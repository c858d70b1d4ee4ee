"""GET /data/{uuid} (the dashboard JSON) and DELETE /data/{uuid} (every object of the job).

GET answers 200 with the dashboard, 202 while the job runs, 500 when it failed, 404 when there is
no such job. DELETE removes ``uploads/{uuid}/...``, ``status/{uuid}.json`` and ``data/{uuid}.json``,
and stops the job's execution if it is still running, so nothing is written back afterwards.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError

from bookenrich_aws import admission, api, aws, jobstatus
from bookenrich_aws.layout import data_key, job_prefix, raw_csv_key, status_key
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)


@api.job_endpoint
def get(request: api.Request, job_id: str) -> dict[str, Any]:
    """GET /data/{uuid}."""
    store = Store()
    body = store.get_bytes(data_key(job_id))
    if body is not None:
        return api.raw_json_response(200, body, request)
    doc = jobstatus.read(store, job_id)
    if doc is None:
        return api.error(404, "Data not found", f"no job {job_id}")
    if doc.get("status") == jobstatus.ERROR:
        message = doc.get("error_message") or "unknown error"
        return api.error(500, f"Processing failed: {message}", f"job {job_id} ended with an error")
    return api.error(202, "Still processing", f"job {job_id} is {doc.get('status')}; poll /status/{job_id}")


def _stop_execution(job_id: str) -> bool:
    """Stops the job's execution if it still runs; True when one was stopped."""
    arn = aws.setting("STATE_MACHINE_ARN")
    # arn:aws:states:REGION:ACCOUNT:stateMachine:NAME -> ...:execution:NAME:EXECUTION
    execution_arn = arn.replace(":stateMachine:", ":execution:", 1) + f":{job_id}"
    sfn = aws.client("stepfunctions")
    try:
        sfn.stop_execution(executionArn=execution_arn, error="JobDeleted", cause="the user deleted the job's data")
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in {"ExecutionDoesNotExist", "ExecutionNotFound"}:
            return False
        raise
    return True


@api.job_endpoint
def delete(request: api.Request, job_id: str) -> dict[str, Any]:
    """DELETE /data/{uuid}."""
    store = Store()
    try:
        doc = jobstatus.read(store, job_id)
        if doc is not None and doc.get("status") == jobstatus.PROCESSING:
            _stop_execution(job_id)
        admission.release_job(job_id)
        keys = [k for k in (status_key(job_id), data_key(job_id)) if store.exists(k)]
        keys += list(store.keys(job_prefix(job_id)))
        if not keys:
            return api.error(404, "No data found to delete", f"no job {job_id}")
        store.delete(keys)
    except Exception as e:
        log.exception("delete %s failed", job_id)
        return api.error(500, "Failed to delete data", f"{type(e).__name__} while deleting job {job_id}")
    names = [name for name in (_display_name(k, job_id) for k in keys) if name is not None]
    log.info("deleted job %s: %d objects", job_id, len(keys))
    return api.json_response(
        200, {"message": "Data deleted successfully", "deleted_files": names, "deleted_objects": len(keys)}
    )


def _display_name(key: str, job_id: str) -> str | None:
    """The old API's names for the three user-visible files (working files are only counted)."""
    if key == data_key(job_id):
        return "dashboard.json"
    if key == status_key(job_id):
        return "status.json"
    if key == raw_csv_key(job_id):
        return "raw.csv"
    return None
