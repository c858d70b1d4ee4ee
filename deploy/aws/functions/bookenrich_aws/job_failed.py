"""Marks a job ``error``: the state machine's Catch, or an EventBridge rule for executions that
ended FAILED / TIMED_OUT / ABORTED without reaching the Catch (a timeout cannot be caught).

A job already ``complete`` is left alone, so the two paths cannot undo a finished job.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bookenrich_aws import admission, jobstatus
from bookenrich_aws.layout import InvalidJobId, parse_job_id
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)

_USER_MESSAGES = {
    "States.Timeout": "processing took too long",
    "TIMED_OUT": "processing took too long",
    "ABORTED": "processing was stopped",
}


def _from_event(event: dict[str, Any]) -> tuple[str, str, str]:
    """(job id, error name, cause) from a Catch payload or an EventBridge execution event."""
    detail = event.get("detail")
    if isinstance(detail, dict):  # "Step Functions Execution Status Change"
        status = str(detail.get("status", "FAILED"))
        return parse_job_id(detail.get("name")), str(detail.get("error") or status), str(detail.get("cause") or "")
    failure = event.get("failure") or {}
    return (
        parse_job_id((event.get("job") or {}).get("uuid")),
        str(failure.get("Error") or "States.Runtime"),
        str(failure.get("Cause") or ""),
    )


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    try:
        job_id, error, cause = _from_event(event)
    except InvalidJobId as e:
        # An execution not started by the orchestrator (e.g. from the console): no job to mark.
        log.warning("job_failed: ignoring event without a job id (%s): %s", e, json.dumps(event)[:500])
        return {"skipped": "no job id"}
    log.error("job %s failed: %s: %s", job_id, error, cause[:2000])
    return mark_failed(Store(), job_id, user_message(error), error)


def user_message(error: str) -> str:
    """What the status document says for a Step Functions error name or execution status."""
    return _USER_MESSAGES.get(error, f"internal error ({error})")


def mark_failed(store: Store, job_id: str, reason: str, error: str) -> dict[str, Any]:
    """Writes ``status: error`` with ``reason``, unless the job is gone or already complete; frees its slot."""
    admission.release_job(job_id)
    doc = jobstatus.read(store, job_id)
    if doc is None:
        log.warning("job_failed %s: no status document (deleted job?)", job_id)
        return {"uuid": job_id, "skipped": "no job"}
    if doc.get("status") == jobstatus.COMPLETE:
        log.info("job_failed %s: already complete, leaving it (%s)", job_id, error)
        return {"uuid": job_id, "skipped": "complete"}
    jobstatus.write(
        store,
        job_id,
        jobstatus.ERROR,
        message="Processing failed",
        error_message=reason,
        completion_time=jobstatus.now_iso(),
    )
    return {"uuid": job_id, "status": jobstatus.ERROR, "error": error}
