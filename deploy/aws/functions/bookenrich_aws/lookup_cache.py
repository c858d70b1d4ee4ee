"""The deployment's shared lookup cache: raw catalogue answers in DynamoDB (docs/aws.md, "Shared lookup cache").

One item per answer, keyed ``<source>|<request>`` where the request is the path and query the core
sent (never a secret: Google's key travels in a header), or ``openlibrary|isbn:<ISBN-13>`` for one
book's part of an Open Library Books API answer (so batches of different books share it). An item
holds the HTTP status (200, or 404 for "the catalogue does not know it"), the raw body
(zlib-compressed) and ``expires_at``, DynamoDB's TTL attribute: 30 days for answers, 3 days for
404s, the core's own cache policy. DynamoDB deletes expired items within days, not at once, so an
item past its ``expires_at`` is a miss here too.

Reads are batched (``BatchGetItem``, 100 keys a call, unprocessed keys asked again); writes too
(``BatchWriteItem``, 25 a call).
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bookenrich_aws import aws

log = logging.getLogger(__name__)

#: DynamoDB's limits per call.
READ_BATCH = 100
WRITE_BATCH = 25
#: The core's cache policy (bookenrich-core/src/cache/mod.rs, CachePolicy::default).
DEFAULT_TTL_SECONDS = 30 * 24 * 3600
DEFAULT_NEGATIVE_TTL_SECONDS = 3 * 24 * 3600
#: DynamoDB items are at most 400 KB; a larger compressed answer is not shared (it is rare).
MAX_ITEM_BODY = 350 * 1024
#: Attempts at a batch whose keys DynamoDB left unprocessed (throttling), with backoff.
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Answer:
    """A catalogue's answer: 200 with a body, or 404 (body empty)."""

    status: int
    body: bytes


@dataclass
class CacheStats:
    """What one container's cache did (the tests and the processor's log read it)."""

    batch_reads: int = 0
    keys_read: int = 0
    hits: int = 0
    writes: int = 0
    write_calls: int = 0
    expired: int = 0
    read_calls: list[int] = field(default_factory=list)


class LookupCache:
    """The shared cache table ``LOOKUP_CACHE_TABLE``."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.ttl = aws.integer("LOOKUP_CACHE_TTL_SECONDS", DEFAULT_TTL_SECONDS, minimum=1)
        self.negative_ttl = aws.integer("LOOKUP_CACHE_NEGATIVE_TTL_SECONDS", DEFAULT_NEGATIVE_TTL_SECONDS, minimum=1)
        self.stats = CacheStats()

    @classmethod
    def from_environment(cls) -> LookupCache | None:
        """The deployment's cache, or None when the stack configured none."""
        table = aws.setting("LOOKUP_CACHE_TABLE", "")
        return cls(table) if table else None

    @property
    def _dynamodb(self) -> Any:
        return aws.client("dynamodb")

    def get_many(self, keys: Iterable[str]) -> dict[str, Answer]:
        """The fresh answers among ``keys``: one BatchGetItem per 100 keys."""
        wanted = sorted(set(keys))
        found: dict[str, Answer] = {}
        now = time.time()
        for start in range(0, len(wanted), READ_BATCH):
            chunk = wanted[start : start + READ_BATCH]
            self.stats.read_calls.append(len(chunk))
            self.stats.keys_read += len(chunk)
            request: dict[str, Any] = {self.table: {"Keys": [{"pk": {"S": k}} for k in chunk]}}
            for round_ in range(MAX_ROUNDS):
                self.stats.batch_reads += 1
                response = self._dynamodb.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    answer = self._answer(item, now)
                    if answer is not None:
                        found[item["pk"]["S"]] = answer
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(1.0, 0.05 * 2**round_))
            else:
                log.warning("lookup cache: %d keys stayed unprocessed; treated as misses", len(request))
        self.stats.hits += len(found)
        return found

    def _answer(self, item: dict[str, Any], now: float) -> Answer | None:
        if float(item.get("expires_at", {}).get("N", "0")) <= now:
            self.stats.expired += 1
            return None
        try:
            status = int(item["status"]["N"])
            body = zlib.decompress(item["body"]["B"]) if "body" in item else b""
        except (KeyError, ValueError, zlib.error) as e:
            log.warning("lookup cache: item %s is unreadable (%s); treated as a miss", item.get("pk"), e)
            return None
        return Answer(status, body)

    def put_many(self, answers: dict[str, Answer]) -> None:
        """Stores ``answers`` (25 per BatchWriteItem); a failure is logged, never fatal."""
        now = int(time.time())
        items = []
        for key, answer in sorted(answers.items()):
            ttl = self.ttl if answer.status == 200 else self.negative_ttl
            item: dict[str, Any] = {
                "pk": {"S": key},
                "status": {"N": str(answer.status)},
                "fetched_at": {"N": str(now)},
                "expires_at": {"N": str(now + ttl)},
            }
            if answer.body:
                packed = zlib.compress(answer.body, 6)
                if len(packed) > MAX_ITEM_BODY:
                    log.info("lookup cache: %s is %d bytes compressed, not shared", key, len(packed))
                    continue
                item["body"] = {"B": packed}
            items.append({"PutRequest": {"Item": item}})
        try:
            for start in range(0, len(items), WRITE_BATCH):
                request: dict[str, Any] = {self.table: items[start : start + WRITE_BATCH]}
                for round_ in range(MAX_ROUNDS):
                    self.stats.write_calls += 1
                    response = self._dynamodb.batch_write_item(RequestItems=request)
                    request = response.get("UnprocessedItems") or {}
                    if not request:
                        break
                    time.sleep(min(1.0, 0.05 * 2**round_))
            self.stats.writes += len(items)
        except Exception:
            # The answers are in this batch's results already; only later readers lose them.
            log.exception("lookup cache: could not write %d answers back", len(items))
