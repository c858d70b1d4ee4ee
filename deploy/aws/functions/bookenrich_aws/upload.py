"""POST /upload: a multipart form with the export in field ``csv`` -> a new job.

Writes ``uploads/{uuid}/raw.csv`` and ``status/{uuid}.json`` (``processing``), then invokes the
orchestrator asynchronously and answers ``{"uuid", "status", "message"}``. The export is read with
``bookenrich.read_export`` first, so a file that is not a Goodreads export is a 400 naming what is
wrong, not a job that fails later. An export over the book cap is a 400, a client with too many
jobs in flight a 429 (``admission``).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import bookenrich

from bookenrich_aws import admission, api, aws, jobstatus, multipart
from bookenrich_aws.layout import raw_csv_key
from bookenrich_aws.store import Store

log = logging.getLogger(__name__)

#: An API Gateway -> Lambda request is at most 6 MB after base64 (4/3): 4 MiB of CSV fits.
DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 * 1024
FIELD = "csv"


def _export_part(parts: list[multipart.Part]) -> multipart.Part | None:
    named = [p for p in parts if p.name == FIELD]
    if named:
        return named[0]
    files = [p for p in parts if p.filename]
    return files[0] if len(files) == 1 else None


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    request = api.Request.from_event(event)
    max_bytes = aws.integer("MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES, minimum=1)
    if len(request.body) > max_bytes + 64 * 1024:
        return api.error(400, "File too large", f"the upload is over the {max_bytes // (1024 * 1024)} MiB limit")
    try:
        parts = multipart.parse(request.body, request.headers.get("content-type", ""))
    except multipart.MultipartError as e:
        return api.error(400, "Invalid upload", f"{e}; send the export as multipart/form-data field '{FIELD}'")
    part = _export_part(parts)
    if part is None:
        return api.error(400, "No CSV file", f"send the export as multipart/form-data field '{FIELD}'")
    if part.filename and not part.filename.lower().endswith(".csv"):
        return api.error(400, "File must be a CSV", f"{part.filename!r} is not a .csv file")
    if len(part.data) > max_bytes:
        return api.error(400, "File too large", f"{len(part.data)} bytes; the limit is {max_bytes} bytes")
    if not part.data.strip():
        return api.error(400, "Invalid CSV format or not a Goodreads export", "the file is empty")

    try:
        export = bookenrich.read_export(part.data, include_unread=aws.flag("INCLUDE_UNREAD"))
    except bookenrich.InvalidInputError as e:  # MissingColumnsError included
        return api.error(400, "Invalid CSV format or not a Goodreads export", str(e))

    job_id = str(uuid.uuid4())
    try:
        admission.admit(job_id, request.source_ip, len(export.books))
    except admission.Refused as e:
        return api.error(e.status, e.error, e.detail)
    store = Store()
    try:
        store.put_bytes(raw_csv_key(job_id), part.data, "text/csv; charset=utf-8")
        jobstatus.write(
            store,
            job_id,
            jobstatus.PROCESSING,
            new=True,
            upload_time=jobstatus.now_iso(),
            filename=part.filename or "goodreads_library_export.csv",
            file_size=len(part.data),
            progress=jobstatus.progress(len(export.books), 0),
            message="Upload successful, processing started",
        )
        aws.client("lambda").invoke(
            FunctionName=aws.setting("ORCHESTRATOR_FUNCTION_NAME"),
            InvocationType="Event",
            Payload=json.dumps({"uuid": job_id}).encode("utf-8"),
        )
    except Exception as e:
        log.exception("upload %s: could not start the job", job_id)
        admission.release_job(job_id)
        return api.error(500, "Failed to save uploaded file", f"{type(e).__name__} while starting job {job_id}")
    log.info("upload %s: %d bytes, %d books", job_id, len(part.data), len(export.books))
    return api.json_response(
        200, {"uuid": job_id, "status": jobstatus.PROCESSING, "message": "Upload successful, processing started"}
    )
