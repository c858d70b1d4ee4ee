"""Where a job's objects live in the bucket, and what a job id looks like.

``uploads/{uuid}/raw.csv``, ``status/{uuid}.json`` and ``data/{uuid}.json`` are the layout the
dashboard and the old Lambdas share (the contract); everything else the scale-out flow writes stays
under ``uploads/{uuid}/`` so that deleting a job is deleting three keys and one prefix.
"""

from __future__ import annotations

import re

#: Books per Distributed Map item: one processor invocation, one Open Library batch lookup.
DEFAULT_BATCH_SIZE = 25

# The canonical textual form uuid.uuid4() produces; anything else is refused before it reaches S3.
_JOB_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class InvalidJobId(ValueError):
    """A job id that is not a UUID in canonical form."""


def parse_job_id(value: object) -> str:
    """The job id ``value`` as a canonical lower-case UUID string, or :class:`InvalidJobId`."""
    if not isinstance(value, str):
        raise InvalidJobId(f"job id must be a string, not {type(value).__name__}")
    text = value.strip().lower()
    if not _JOB_ID.fullmatch(text):
        shown = value if len(value) <= 64 else value[:64] + "..."
        raise InvalidJobId(f"{shown!r} is not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
    return text


def job_prefix(job_id: str) -> str:
    """Every working object of the job is under this prefix."""
    return f"uploads/{job_id}/"


def raw_csv_key(job_id: str) -> str:
    """The uploaded export."""
    return f"uploads/{job_id}/raw.csv"


def status_key(job_id: str) -> str:
    """The status document the frontend polls."""
    return f"status/{job_id}.json"


def data_key(job_id: str) -> str:
    """The dashboard JSON."""
    return f"data/{job_id}.json"


def manifest_key(job_id: str) -> str:
    """The job's manifest (book and batch counts), written by the orchestrator."""
    return f"uploads/{job_id}/job.json"


def originals_key(job_id: str) -> str:
    """Every book of the export, as ``BookAnalytics.to_dict()`` records."""
    return f"uploads/{job_id}/originals.json"


def batches_key(job_id: str) -> str:
    """The Distributed Map's item list: a JSON array of batches."""
    return f"uploads/{job_id}/batches.json"


def results_prefix(job_id: str) -> str:
    """Where the processors write one object per batch."""
    return f"uploads/{job_id}/results/"


def result_key(job_id: str, batch: int) -> str:
    """The results of one batch."""
    return f"{results_prefix(job_id)}batch-{batch:06d}.json"


def batch_of_result_key(key: str) -> int | None:
    """The batch index of a :func:`result_key`, or None for any other key."""
    match = re.search(r"/results/batch-(\d{6,})\.json$", key)
    return int(match.group(1)) if match else None


def map_results_prefix(job_id: str) -> str:
    """The Distributed Map's ResultWriter output (child summaries; not read by the flow)."""
    return f"uploads/{job_id}/map-results"


def batch_sizes(total_books: int, batch_size: int) -> list[int]:
    """The number of books in each batch of a job."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    full, rest = divmod(total_books, batch_size)
    return [batch_size] * full + ([rest] if rest else [])
