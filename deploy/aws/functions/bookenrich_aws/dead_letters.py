"""The dead-letter consumer: marks ``error`` every job whose start or failure marking was lost.

The dead-letter queue receives (docs/aws.md, "Nothing lost"):

- Lambda's on-failure records of the asynchronous invocations that failed for good: the
  orchestrator (invoked by the upload handler; so the job's execution never started) and JobFailed
  (invoked by EventBridge). Their body is ``{"requestContext": {"functionArn", "condition", ...},
  "requestPayload": <the event>, "responsePayload": {"errorType", "errorMessage"}}``.
- EventBridge's undeliverable events of the rule on executions that ended badly: the body is the
  event itself (``{"detail": {"name": <job id>, "status": ...}}``).

Each job named by a message is marked ``error`` with a reason, unless it is gone or complete. A
message naming no job is logged and dropped: retrying cannot make it name one.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bookenrich_aws import job_failed
from bookenrich_aws.layout import InvalidJobId, parse_job_id
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)

#: What the reader sees when the orchestrator never ran to the end.
NEVER_STARTED = "processing could not be started"


def _orchestrator_reason(record: dict[str, Any]) -> str:
    condition = str((record.get("requestContext") or {}).get("condition") or "")
    if condition == "EventAgeExceeded":
        return f"{NEVER_STARTED} in time (the request waited too long)"
    error = (record.get("responsePayload") or {}).get("errorType") or "unknown error"
    return f"{NEVER_STARTED} ({error})"


def job_and_reason(message: dict[str, Any]) -> tuple[str, str, str]:
    """(job id, reason for the reader, error name) of one dead letter, or :class:`InvalidJobId`."""
    payload = message.get("requestPayload")
    if isinstance(payload, dict):  # a Lambda on-failure destination record
        function = str((message.get("requestContext") or {}).get("functionArn") or "")
        if "uuid" in payload:  # the orchestrator's event
            return parse_job_id(payload.get("uuid")), _orchestrator_reason(message), f"orchestrator failed ({function})"
        message = payload  # JobFailed's event from EventBridge: the execution's end, undelivered
    detail = message.get("detail")
    if isinstance(detail, dict):
        status = str(detail.get("status") or "FAILED")
        return parse_job_id(detail.get("name")), job_failed.user_message(status), status
    raise InvalidJobId("the message names no job (neither requestPayload.uuid nor detail.name)")


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    """SQS batch: every record marks its job; failures are reported per record (partial batch)."""
    store = Store()
    failed: list[dict[str, str]] = []
    marked = 0
    for record in event.get("Records") or []:
        message_id = str(record.get("messageId") or "")
        try:
            body = json.loads(record.get("body") or "")
            if not isinstance(body, dict):
                raise ValueError("the body is not a JSON object")
            job_id, reason, error = job_and_reason(body)
        except (ValueError, InvalidJobId) as e:
            log.error("dead letter %s names no job, dropped: %s: %s", message_id, e, str(record.get("body"))[:500])
            continue
        try:
            log.error("dead letter %s: job %s: %s", message_id, job_id, error)
            result = job_failed.mark_failed(store, job_id, reason, error)
            marked += "skipped" not in result
        except Exception:
            log.exception("dead letter %s: could not mark job %s", message_id, job_id)
            failed.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failed, "marked": marked}
