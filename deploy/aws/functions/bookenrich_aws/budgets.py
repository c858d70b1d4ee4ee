"""Deployment-wide request budgets per catalogue, kept in DynamoDB (docs/aws.md, "Shared budgets").

Every request any processor sends to a catalogue first takes a token here, with conditional
atomic counters in ``COORDINATION_TABLE``, so no combination of concurrent jobs exceeds a limit:

- per second: ``budget#<source>#s`` holds the next time a request may go; each request reserves
  one, ``1 / limit`` after the previous one (``BUDGET_PER_SECOND``), and waits for it, so no span
  of one second, wherever it starts, holds more than ``limit`` requests. A caller that would wait
  more than :data:`MAX_WAIT_SECONDS` is refused at once (:class:`Busy`);
- per day (UTC): ``budget#<source>#d#<YYYY-MM-DD>``, for catalogues with a daily quota
  (``BUDGET_PER_DAY``, e.g. ``google=1000``);
- per job: the job's record (``job#<id>``, see ``admission``) counts its own requests of each
  daily-budgeted catalogue and may reach ``JOB_DAILY_SHARE`` of the daily budget, so one job cannot
  spend what the day's other readers need.

The day's and the job's counters move together in one transaction: a request the job's share
refuses does not use the day's budget. Counter items expire (TTL) two days after their last use.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError

from bookenrich_aws import aws

log = logging.getLogger(__name__)

#: The longest a request may wait for its per-second slot; a later one is answered "busy" at once.
MAX_WAIT_SECONDS = 20.0
DEFAULT_JOB_DAILY_SHARE = 0.25
_KEEP_SECONDS = 2 * 24 * 3600


class DailyBudgetSpent(Exception):
    """The day's budget of a catalogue, or this job's share of it, is used up."""


class Busy(Exception):
    """The next per-second slot is more than :data:`MAX_WAIT_SECONDS` away."""


def parse_limits(value: str, name: str) -> dict[str, float]:
    """``openlibrary=3,google=1`` -> {"openlibrary": 3.0, "google": 1.0}; errors name the variable."""
    out: dict[str, float] = {}
    for item in value.split(","):
        if not item.strip():
            continue
        source, sep, number = item.partition("=")
        try:
            limit = float(number)
        except ValueError:
            limit = -1.0
        if not sep or not limit > 0:
            raise RuntimeError(f"environment variable {name}: {item.strip()!r} is not SOURCE=POSITIVE_NUMBER")
        out[source.strip()] = limit
    return out


class Budgets:
    """The shared budgets of one deployment; ``clock`` and ``sleep`` are replaceable for tests."""

    def __init__(
        self,
        table: str,
        per_second: Mapping[str, float],
        per_day: Mapping[str, float],
        *,
        job_share: float = DEFAULT_JOB_DAILY_SHARE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.table = table
        self.per_second = dict(per_second)
        self.per_day = dict(per_day)
        self.job_share = job_share
        self.clock = clock
        self.sleep = sleep
        #: Seconds callers waited for per-second slots (the processor logs it).
        self.waited = 0.0
        #: (source, granted send time) of every request this container sent.
        self.granted: list[tuple[str, float]] = []
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls) -> Budgets | None:
        """The deployment's budgets, or None when the stack configured none."""
        table = aws.setting("COORDINATION_TABLE", "")
        per_second = aws.setting("BUDGET_PER_SECOND", "")
        if not table or not per_second:
            return None
        share = float(aws.setting("JOB_DAILY_SHARE", str(DEFAULT_JOB_DAILY_SHARE)))
        if not 0 < share <= 1:
            raise RuntimeError(f"environment variable JOB_DAILY_SHARE={share} must be in (0, 1]")
        return cls(
            table,
            parse_limits(per_second, "BUDGET_PER_SECOND"),
            parse_limits(aws.setting("BUDGET_PER_DAY", ""), "BUDGET_PER_DAY"),
            job_share=share,
        )

    @property
    def _dynamodb(self) -> Any:
        return aws.client("dynamodb")

    def job_allowance(self, source: str) -> int | None:
        """Requests of ``source`` one job may send in a day (None: no daily budget)."""
        daily = self.per_day.get(source)
        return None if daily is None else max(1, math.floor(daily * self.job_share))

    def registered(self, job_id: str) -> bool:
        """Whether the job has a record (admitted through the upload route), so a share of its own."""
        key = {"pk": {"S": f"job#{job_id}"}, "sk": {"S": "job"}}
        return "Item" in self._dynamodb.get_item(TableName=self.table, Key=key, ProjectionExpression="pk")

    def acquire(self, source: str, job_id: str | None) -> None:
        """Takes one request's tokens of ``source``; raises :class:`DailyBudgetSpent` or :class:`Busy`.

        ``job_id`` names a :meth:`registered` job whose share is counted, or is None.
        """
        if source in self.per_day:
            self._take_daily(source, job_id)
        if source in self.per_second:
            self._take_second(source)

    def _take_daily(self, source: str, job_id: str | None) -> None:
        now = self.clock()
        day = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d")
        limit = int(self.per_day[source])
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"pk": {"S": f"budget#{source}#d#{day}"}, "sk": {"S": "n"}},
                    "UpdateExpression": "ADD used :one SET expires_at = :expires",
                    "ConditionExpression": "attribute_not_exists(used) OR used < :limit",
                    "ExpressionAttributeValues": {
                        ":one": {"N": "1"},
                        ":limit": {"N": str(limit)},
                        ":expires": {"N": str(int(now) + _KEEP_SECONDS)},
                    },
                }
            }
        ]
        if job_id is not None:
            field = f"used_{source}"
            items.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": {"pk": {"S": f"job#{job_id}"}, "sk": {"S": "job"}},
                        "UpdateExpression": "ADD #used :one",
                        # Only a registered job has a share; its record exists from admission on.
                        "ConditionExpression": (
                            "attribute_exists(pk) AND (attribute_not_exists(#used) OR #used < :share)"
                        ),
                        "ExpressionAttributeNames": {"#used": field},
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"},
                            ":share": {"N": str(self.job_allowance(source))},
                        },
                    }
                }
            )
        try:
            self._dynamodb.transact_write_items(TransactItems=items)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in e.response.get("CancellationReasons") or []]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise DailyBudgetSpent(f"the deployment's daily budget of {limit} {source} requests is spent") from None
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise DailyBudgetSpent(
                    f"this job has used its share ({self.job_allowance(source)}) of the daily {source} budget"
                ) from None
            raise

    def _take_second(self, source: str) -> None:
        """Reserves the next send time of ``source`` and waits for it.

        The counter item ``budget#<source>#s`` holds ``next_at``, the earliest time the next request
        may go (the virtual-scheduling form of a rate limiter, GCRA without burst). Each request
        takes ``max(now, next_at)`` and moves ``next_at`` on by ``1 / limit``, in one conditional
        update, so granted times are at least ``1 / limit`` apart across every processor: no span
        of one second holds more than ``limit`` of them, wherever it starts (a fixed window would
        allow twice the limit across its edge). No read, no retry loop: an idle catalogue is one
        update, a busy one two.
        """
        # Times are kept to the microsecond; the interval is rounded up, never below 1 / limit.
        interval = math.ceil(1_000_000 / self.per_second[source]) / 1_000_000
        key = {"pk": {"S": f"budget#{source}#s"}, "sk": {"S": "next"}}
        now = round(self.clock(), 6)
        numbers = {
            ":now": now,
            ":after": now + interval,
            ":interval": interval,
            ":horizon": now + MAX_WAIT_SECONDS,
        }
        values = {name: {"N": _number(value)} for name, value in numbers.items()}
        values[":expires"] = {"N": str(int(now) + _KEEP_SECONDS)}

        def update(expression: str, condition: str) -> dict[str, Any] | None:
            """The item's new values, or None when ``condition`` did not hold."""
            used = {name: value for name, value in values.items() if name in expression or name in condition}
            try:
                answer: dict[str, Any] = self._dynamodb.update_item(
                    TableName=self.table,
                    Key=key,
                    UpdateExpression=expression,
                    ConditionExpression=condition,
                    ExpressionAttributeValues=used,
                    ReturnValues="UPDATED_NEW",
                )
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                return None
            return answer

        if update("SET next_at = :after, expires_at = :expires", "attribute_not_exists(next_at) OR next_at <= :now"):
            slot = now  # the catalogue is idle: go now
        else:
            # Requests are queued: take the next free time unless it is too far off. `next_at`
            # only grows, so it is still after `now` here.
            queued = update(
                "SET next_at = next_at + :interval, expires_at = :expires", "next_at > :now AND next_at <= :horizon"
            )
            if queued is None:
                raise Busy(f"no {source} request slot within {MAX_WAIT_SECONDS:.0f} s")
            slot = float(queued["Attributes"]["next_at"]["N"]) - interval
        with self._lock:
            self.granted.append((source, slot))
        if slot > now:
            self.sleep(slot - now)
            with self._lock:
                self.waited += slot - now


def _number(value: float) -> str:
    """A DynamoDB number with microseconds kept (``str`` of a float may use an exponent)."""
    return f"{value:.6f}"


def busiest_second(times: list[float]) -> int:
    """The most of ``times`` inside any half-open span of one second, wherever it starts.

    Times are microseconds read back as floats (about 0.2 µs of rounding at today's epoch), so
    two times within half a microsecond of one second apart count as one second apart.
    """
    ordered = sorted(times)
    most = first = 0
    for last, time_ in enumerate(ordered):
        while ordered[first] <= time_ - 1.0 + 5e-7:
            first += 1
        most = max(most, last - first + 1)
    return most
