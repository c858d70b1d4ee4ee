"""Deployment-wide request budgets per catalogue, kept in DynamoDB (docs/aws.md, "Shared budgets").

Every request any processor sends to a catalogue first takes a token here, with conditional
atomic counters in ``COORDINATION_TABLE``, so no combination of concurrent jobs exceeds a limit:

- per second: ``budget#<source>#s#<window>`` counts the requests of one window of
  ``ceil(1 / limit)`` seconds (1 s for limits of at least 1/s), allowing ``limit × window``. A full
  window makes the caller wait for the next one (``BUDGET_PER_SECOND``);
- per day (UTC): ``budget#<source>#d#<YYYY-MM-DD>``, for catalogues with a daily quota
  (``BUDGET_PER_DAY``, e.g. ``google=1000``);
- per job: the job's record (``job#<id>``, see ``admission``) counts its own requests of each
  daily-budgeted catalogue and may reach ``JOB_DAILY_SHARE`` of the daily budget, so one job cannot
  spend what the day's other readers need.

The day's and the job's counters move together in one transaction: a request the job's share
refuses does not use the day's budget. Counter items expire (TTL) two days after their window.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError

from bookenrich_aws import aws

log = logging.getLogger(__name__)

#: The longest a request waits for a per-second token before it is answered "busy".
MAX_WAIT_SECONDS = 20.0
DEFAULT_JOB_DAILY_SHARE = 0.25
_KEEP_SECONDS = 2 * 24 * 3600


class DailyBudgetSpent(Exception):
    """The day's budget of a catalogue, or this job's share of it, is used up."""


class Busy(Exception):
    """No per-second token came within :data:`MAX_WAIT_SECONDS`."""


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
        #: Seconds callers waited for per-second tokens (the processor logs it).
        self.waited = 0.0

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
        limit = self.per_second[source]
        window = max(1, math.ceil(1 / limit))
        allowed = max(1, math.floor(limit * window))
        waited = 0.0
        while True:
            now = self.clock()
            start = math.floor(now / window) * window
            try:
                self._dynamodb.update_item(
                    TableName=self.table,
                    Key={"pk": {"S": f"budget#{source}#s#{start}"}, "sk": {"S": "n"}},
                    UpdateExpression="ADD used :one SET expires_at = :expires",
                    ConditionExpression="attribute_not_exists(used) OR used < :allowed",
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":allowed": {"N": str(allowed)},
                        ":expires": {"N": str(int(now) + _KEEP_SECONDS)},
                    },
                )
                self.waited += waited
                return
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
            # This window is full: wait for the next one, jittered so that waiters spread out.
            pause = start + window - now + random.uniform(0, 0.05 * window)
            if waited + pause > MAX_WAIT_SECONDS:
                self.waited += waited
                raise Busy(f"no {source} request slot within {MAX_WAIT_SECONDS:.0f} s")
            self.sleep(pause)
            waited += pause
