"""The status document (``status/{uuid}.json``) the frontend polls every 5 s.

Fields from the contract: ``status`` (processing | complete | error), ``progress`` {``total_books``,
``processed_books``, ``percent_complete``}, ``message``, ``error_message``, ``last_updated``
(ISO 8601 UTC); plus what the old API also returned (``uuid``, ``upload_time``, ``filename``,
``file_size``, ``data_url``, ``completion_time``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bookenrich_aws.layout import status_key
from bookenrich_aws.store import Store

PROCESSING = "processing"
COMPLETE = "complete"
ERROR = "error"


def iso(when: datetime) -> str:
    """``when`` as ISO 8601 UTC with milliseconds and a Z, the form of every timestamp in a status."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_iso() -> str:
    """The current time, ISO 8601 UTC with a Z."""
    return iso(datetime.now(timezone.utc))


def parse_iso(value: object) -> datetime | None:
    """A timestamp written by :func:`now_iso` (or any ISO 8601 with an offset), None otherwise."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def progress(total_books: int, processed_books: int) -> dict[str, Any]:
    """The ``progress`` object; ``percent_complete`` has one decimal."""
    processed = max(0, min(processed_books, total_books))
    percent = 100.0 if total_books == 0 else round(processed * 100.0 / total_books, 1)
    return {"total_books": total_books, "processed_books": processed, "percent_complete": percent}


def read(store: Store, job_id: str) -> dict[str, Any] | None:
    """The job's status document, or None when there is no such job."""
    doc = store.get_json(status_key(job_id))
    if doc is not None and not isinstance(doc, dict):
        raise ValueError(f"{status_key(job_id)}: expected a JSON object")
    return doc


def write(store: Store, job_id: str, status: str, *, new: bool = False, **fields: Any) -> dict[str, Any]:
    """Updates the status document: ``fields`` replace, the rest of the old document stays.

    ``new`` starts a fresh document without reading (the upload handler may not read statuses).
    """
    doc = {} if new else (read(store, job_id) or {})
    doc.update(fields)
    doc["uuid"] = job_id
    doc["status"] = status
    doc.setdefault("progress", progress(0, 0))
    doc.setdefault("message", "")
    doc.setdefault("error_message", None)
    if status != ERROR:
        doc["error_message"] = fields.get("error_message")
    doc["last_updated"] = now_iso()
    store.put_json(status_key(job_id), doc, indent=2)
    return doc
