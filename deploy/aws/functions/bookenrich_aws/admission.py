"""Who may start a job, and the registry of jobs in flight (docs/aws.md, "Abuse guards").

The API is open, so one client could hold every other reader's job behind its own. Uploads are
refused beyond ``MAX_BOOKS_PER_JOB`` books, and beyond ``MAX_JOBS_PER_CLIENT`` jobs in flight per
client (by source IP, stored only as a salted hash). Everything lives in the DynamoDB table
``COORDINATION_TABLE`` (key ``pk``/``sk``, TTL attribute ``expires_at``):

- ``client#<hash>`` / ``slots``: the string set ``jobs`` of the client's jobs in flight. Admission is
  one transaction whose update is conditional on the set being smaller than the cap, so concurrent
  uploads of one client cannot both take the last slot.
- ``job#<id>`` / ``job``: the job's client, books and admission time (to release its slot), and
  for its ETA (``eta``) the plan the orchestrator recorded (``plan_books``, ``plan_requests`` per
  catalogue, :func:`record_plan`) and the books its processors have done (``done_books``,
  :func:`count_done`).
- ``queue`` / ``<admitted>#<id>``: every job in flight in admission order; the status route counts
  the ones ahead of a waiting job and reads their records.

A job's slot and entries are released when it completes, fails, is dead-lettered or deleted. A slot
whose job record has expired (``JOB_TTL_SECONDS`` after admission, longer than any execution) is
taken back the next time its client is refused, so a lost release cannot lock a client out.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bookenrich_aws import aws
from bookenrich_aws.eta import JobLoad

log = logging.getLogger(__name__)

DEFAULT_MAX_BOOKS_PER_JOB = 5000
DEFAULT_MAX_JOBS_PER_CLIENT = 2
#: A job record outlives any execution (2 h by default) by a margin.
DEFAULT_JOB_TTL_SECONDS = 4 * 3600
QUEUE = "queue"


@dataclass(frozen=True)
class Refused(Exception):
    """An upload the guards refuse: the HTTP status, the error and its detail."""

    status: int
    error: str
    detail: str


@dataclass(frozen=True)
class Waiting:
    """Where a job stands among the jobs in flight."""

    #: Jobs admitted before it and still in flight.
    jobs_ahead: int
    #: What the job itself still asks of the catalogues.
    mine: JobLoad
    #: What every other job in flight still asks.
    others: tuple[JobLoad, ...]


def enabled() -> bool:
    """Whether the deployment has a coordination table (the stack always sets one)."""
    return bool(aws.setting("COORDINATION_TABLE", ""))


def _table() -> str:
    return aws.setting("COORDINATION_TABLE")


def _dynamodb() -> Any:
    return aws.client("dynamodb")


def client_key(source_ip: str) -> str:
    """The client's key: a hash of its IP and the table name (no address is stored)."""
    digest = hashlib.sha256(f"{_table()}|{source_ip}".encode()).hexdigest()
    return f"client#{digest[:32]}"


def check_size(books: int) -> None:
    """Refuses a job of more than ``MAX_BOOKS_PER_JOB`` books."""
    cap = aws.integer("MAX_BOOKS_PER_JOB", DEFAULT_MAX_BOOKS_PER_JOB, minimum=1)
    if books > cap:
        raise Refused(
            400,
            "Too many books",
            f"the export has {books} books to enrich; this service takes at most {cap} per upload",
        )


def _admit_transaction(job_id: str, client: str, books: int, now: float) -> list[dict[str, Any]]:
    table = _table()
    expires = str(int(now) + aws.integer("JOB_TTL_SECONDS", DEFAULT_JOB_TTL_SECONDS, minimum=60))
    cap = aws.integer("MAX_JOBS_PER_CLIENT", DEFAULT_MAX_JOBS_PER_CLIENT, minimum=1)
    admitted = f"{now:017.6f}#{job_id}"
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": client}, "sk": {"S": "slots"}},
                "UpdateExpression": "ADD jobs :job SET expires_at = :expires",
                "ConditionExpression": "attribute_not_exists(jobs) OR size(jobs) < :cap",
                "ExpressionAttributeValues": {
                    ":job": {"SS": [job_id]},
                    ":expires": {"N": expires},
                    ":cap": {"N": str(cap)},
                },
            }
        },
        {
            "Put": {
                "TableName": table,
                "Item": {
                    "pk": {"S": f"job#{job_id}"},
                    "sk": {"S": "job"},
                    "client": {"S": client},
                    "books": {"N": str(books)},
                    "admitted": {"S": admitted},
                    "expires_at": {"N": expires},
                },
            }
        },
        {
            "Put": {
                "TableName": table,
                "Item": {
                    "pk": {"S": QUEUE},
                    "sk": {"S": admitted},
                    "job": {"S": job_id},
                    "books": {"N": str(books)},
                    "expires_at": {"N": expires},
                },
            }
        },
    ]


def _refused_by_cap(error: ClientError) -> bool:
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons") or []
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"


def _reclaim_expired_slots(client: str, now: float) -> int:
    """Takes back the client's slots whose job record is gone or expired; returns how many."""
    table = _table()
    item = _dynamodb().get_item(TableName=table, Key={"pk": {"S": client}, "sk": {"S": "slots"}}).get("Item") or {}
    stale = []
    for job_id in item.get("jobs", {}).get("SS", []):
        record = _dynamodb().get_item(TableName=table, Key={"pk": {"S": f"job#{job_id}"}, "sk": {"S": "job"}})
        found = record.get("Item")
        if found is None or float(found["expires_at"]["N"]) < now:
            stale.append(job_id)
    if stale:
        _dynamodb().update_item(
            TableName=table,
            Key={"pk": {"S": client}, "sk": {"S": "slots"}},
            UpdateExpression="DELETE jobs :stale",
            ExpressionAttributeValues={":stale": {"SS": stale}},
        )
        log.warning("admission: took back %d expired slot(s) of %s", len(stale), client)
    return len(stale)


def admit(job_id: str, source_ip: str, books: int) -> None:
    """Registers the job and takes one of its client's slots, or raises :class:`Refused`."""
    check_size(books)
    if not enabled():
        return
    client = client_key(source_ip or "unknown")
    for attempt in (1, 2):
        now = time.time()
        try:
            _dynamodb().transact_write_items(TransactItems=_admit_transaction(job_id, client, books, now))
            return
        except ClientError as e:
            if not _refused_by_cap(e):
                raise
            if attempt == 1 and _reclaim_expired_slots(client, now):
                continue
    cap = aws.integer("MAX_JOBS_PER_CLIENT", DEFAULT_MAX_JOBS_PER_CLIENT, minimum=1)
    raise Refused(
        429,
        "Too many jobs in progress",
        f"at most {cap} uploads per client are processed at once; wait for one to finish",
    )


def release_job(job_id: str) -> bool:
    """Frees the job's slot and queue entry (idempotent); True when there was something to free."""
    if not enabled():
        return False
    table = _table()
    key = {"pk": {"S": f"job#{job_id}"}, "sk": {"S": "job"}}
    record = _dynamodb().get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    if record is None:
        return False
    _dynamodb().transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": record["client"], "sk": {"S": "slots"}},
                    "UpdateExpression": "DELETE jobs :job",
                    "ExpressionAttributeValues": {":job": {"SS": [job_id]}},
                }
            },
            {"Delete": {"TableName": table, "Key": {"pk": {"S": QUEUE}, "sk": record["admitted"]}}},
            {"Delete": {"TableName": table, "Key": key}},
        ]
    )
    return True


def _job_key(job_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"job#{job_id}"}, "sk": {"S": "job"}}


def _update_registered(job_id: str, expression: str, values: dict[str, Any]) -> bool:
    """Updates the job's record if it is registered (admitted and not released); True if it was."""
    try:
        _dynamodb().update_item(
            TableName=_table(),
            Key=_job_key(job_id),
            UpdateExpression=expression,
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=values,
        )
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return False
    return True


def record_plan(job_id: str, planned_books: int, requests: dict[str, float]) -> bool:
    """Keeps the orchestrator's plan on the job's record: the books it covered (those the shared
    cache did not know) and the requests it expects per catalogue."""
    if not enabled():
        return False
    return _update_registered(
        job_id,
        "SET plan_books = :books, plan_requests = :requests",
        {
            ":books": {"N": str(planned_books)},
            ":requests": {"M": {source: {"N": f"{n:.6g}"} for source, n in requests.items()}},
        },
    )


def count_done(job_id: str, books: int, sent: Mapping[str, int]) -> bool:
    """Adds a batch's books to the job's done books (once per batch: its first results) and the
    catalogue requests it sent (every attempt) to the job's ``sent_<catalogue>`` counts."""
    if not enabled():
        return False
    adds = [("done_books", books)] + [(f"sent_{s}", n) for s, n in sorted(sent.items()) if s.isalnum()]
    adds = [(name, n) for name, n in adds if n]
    if not adds:
        return False
    return _update_registered(
        job_id,
        "ADD " + ", ".join(f"{name} :v{i}" for i, (name, _) in enumerate(adds)),
        {f":v{i}": {"N": str(n)} for i, (_, n) in enumerate(adds)},
    )


def _load(record: dict[str, Any]) -> JobLoad:
    """A job record's :class:`JobLoad`."""
    plan = record.get("plan_requests", {}).get("M")
    return JobLoad(
        books=int(record["books"]["N"]),
        done=int(record.get("done_books", {}).get("N", 0)),
        planned_books=int(record["plan_books"]["N"]) if "plan_books" in record else None,
        planned_requests={source: float(n["N"]) for source, n in (plan or {}).items()},
        sent={k.removeprefix("sent_"): float(v["N"]) for k, v in record.items() if k.startswith("sent_")},
    )


def _records(job_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The records of ``job_ids`` that exist, by job id (batched reads of 100 keys)."""
    found: dict[str, dict[str, Any]] = {}
    for first in range(0, len(job_ids), 100):
        request: dict[str, Any] = {_table(): {"Keys": [_job_key(j) for j in job_ids[first : first + 100]]}}
        while request:
            answer = _dynamodb().batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(_table(), []):
                found[item["pk"]["S"].removeprefix("job#")] = item
            request = answer.get("UnprocessedKeys") or {}
    return found


def waiting(job_id: str) -> Waiting | None:
    """The jobs in flight admitted before this one, and what this one and the others still ask of
    the catalogues; None if it is not registered."""
    if not enabled():
        return None
    table = _table()
    record = _dynamodb().get_item(TableName=table, Key=_job_key(job_id)).get("Item")
    if record is None:
        return None
    mine = record["admitted"]["S"]
    jobs_ahead = 0
    others: list[str] = []
    now = time.time()
    paginator = _dynamodb().get_paginator("query")
    for page in paginator.paginate(
        TableName=table,
        KeyConditionExpression="pk = :queue",
        ExpressionAttributeValues={":queue": {"S": QUEUE}},
    ):
        for item in page.get("Items", []):
            if float(item["expires_at"]["N"]) < now:
                continue  # expired, not yet deleted by TTL
            if item["sk"]["S"] == mine:
                continue
            others.append(item["job"]["S"])
            jobs_ahead += item["sk"]["S"] < mine
    records = _records(others)
    # A job whose record is gone was released since the query: it asks nothing more.
    loads = tuple(_load(records[j]) for j in others if j in records)
    return Waiting(jobs_ahead=jobs_ahead, mine=_load(record), others=loads)
