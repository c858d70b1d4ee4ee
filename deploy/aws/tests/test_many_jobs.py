"""Many jobs at once, in moto against the fake catalogue: the shared lookup cache (hits across jobs,
batched reads, TTL expiry), the shared budgets under concurrent jobs, the per-client and per-job
caps, fair admission and the status fields a waiting or running job reports.

Request counts are asserted at the fake catalogue; budgets by the counters in the coordination
table (every window's count within its limit, and their sum equal to what the catalogue saw), so
no assertion depends on how fast the machine is.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from catalogue import FakeCatalogue, synthetic_export
from conftest import EDGE_CASES_CSV
from harness import BUCKET, Deployment, http_event, multipart, scan, table

from bookenrich_aws import processor
from bookenrich_aws.budgets import Budgets, Busy, busiest_second
from bookenrich_aws.layout import batches_key
from bookenrich_aws.lookup_cache import Answer, LookupCache

ONE, TWO, THREE = "198.51.100.1", "198.51.100.2", "198.51.100.3"


def upload(deployment: Deployment, csv_bytes: bytes, source_ip: str = ONE) -> dict[str, Any]:
    body, content_type = multipart(csv_bytes)
    event = http_event("POST", "/upload", body=body, content_type=content_type, source_ip=source_ip)
    response = deployment.call("Upload", event)
    answer: dict[str, Any] = json.loads(response["body"])
    answer["statusCode"] = response["statusCode"]
    return answer


def start(deployment: Deployment, csv_bytes: bytes, source_ip: str = ONE) -> str:
    answer = upload(deployment, csv_bytes, source_ip)
    assert answer["statusCode"] == 200, answer
    job_id: str = answer["uuid"]
    return job_id


def status(deployment: Deployment, job_id: str) -> dict[str, Any]:
    response = deployment.call("Status", http_event("GET", "/status/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = json.loads(response["body"])
    return body


def dashboard(deployment: Deployment, job_id: str) -> dict[str, Any]:
    response = deployment.call("DataGet", http_event("GET", "/data/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = json.loads(response["body"])
    return body


def finish(deployment: Deployment, *job_ids: str) -> None:
    for job_id in job_ids:
        description = deployment.wait(job_id)
        assert description["status"] == "SUCCEEDED", (description, deployment.invocations.errors)


def requests_at(catalogue: FakeCatalogue) -> dict[str, int]:
    stats = catalogue.stats()
    return {api: int(n) for api, n in stats["requests_by_api"].items()}


def split_export(csv_bytes: bytes, parts: int) -> list[bytes]:
    """One export's rows dealt into ``parts`` exports (disjoint books)."""
    header, *rows = csv_bytes.decode().split("\r\n")
    rows = [r for r in rows if r]
    return [("\r\n".join([header, *rows[i::parts]]) + "\r\n").encode() for i in range(parts)]


def join_exports(parts: list[bytes]) -> bytes:
    """The rows of several exports (with one header) in one export."""
    header = parts[0].decode().split("\r\n")[0]
    rows = [r for part in parts for r in part.decode().split("\r\n")[1:] if r]
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def union(monkeypatch: Any) -> None:
    """Google asked for every book, as the tests of Google's budgets need: the default policy
    (``planned``) asks it only for books Open Library left without genres, and only with an API key,
    which the test stack does not configure."""
    monkeypatch.setenv("BOOKENRICH_MERGE_POLICY", "union")


class Hold:
    """Holds every processor invocation until released (a job that waits for its turn)."""

    def __init__(self, deployment: Deployment) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        deployment.faults["Processor"] = self

    def __call__(self, name: str, event: dict[str, Any], attempt: int) -> None:
        self.started.set()
        assert self.release.wait(120), "the test never released the processors"


# ---- the shared lookup cache ---------------------------------------------------------------------


def test_a_second_job_of_the_same_books_asks_the_catalogues_nothing(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    union(monkeypatch)
    first = start(deployment, EDGE_CASES_CSV.read_bytes(), ONE)
    finish(deployment, first)
    after_first = requests_at(catalogue)
    assert after_first.get("openlibrary", 0) > 0 and after_first.get("google", 0) > 0

    second = start(deployment, EDGE_CASES_CSV.read_bytes(), TWO)
    finish(deployment, second)
    assert requests_at(catalogue) == after_first, "the second job went to the catalogues"
    one, two = dashboard(deployment, first), dashboard(deployment, second)
    assert one["books"] == two["books"] and one["summary"] == two["summary"]
    assert two["summary"]["genre_enriched_books"] > 0
    # Raw answers, not results: every item is a catalogue's answer under its request.
    keys = {item["pk"]["S"] for item in scan("LookupCache")}
    assert any(k.startswith("openlibrary|search:isbn:") for k in keys)
    assert any(k.startswith("google|/books/v1/volumes?q=isbn:") for k in keys)
    assert all(k.split("|", 1)[0] in {"openlibrary", "google"} for k in keys)


def test_reads_are_batched_100_keys_a_call(deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any) -> None:
    cache = LookupCache(table("LookupCache"))
    cache.put_many({f"openlibrary|isbn:{n:013d}": Answer(200, b'{"n": %d}' % n) for n in range(250)})
    found = cache.get_many([f"openlibrary|isbn:{n:013d}" for n in range(260)])
    assert len(found) == 250 and found["openlibrary|isbn:0000000000007"].body == b'{"n": 7}'
    assert cache.stats.read_calls == [100, 100, 60]

    # In the workflow: a batch of 60 books pre-loads the first keys of its 57 ISBN books (every 20th
    # book has none: its Goodreads id is pre-loaded instead) in two calls, then the volumes their
    # Google searches name, in one call.
    union(monkeypatch)
    monkeypatch.setenv("BATCH_SIZE", "60")
    csv_bytes = synthetic_export(catalogue, 60)
    finish(deployment, start(deployment, csv_bytes, ONE))
    (gateway,) = processor._gateways.values()
    assert gateway.cache is not None
    before = len(gateway.cache.stats.read_calls)
    finish(deployment, start(deployment, csv_bytes, TWO))
    calls = gateway.cache.stats.read_calls[before:]
    assert calls[:3] == [100, 17, 57], calls
    # What the batch reads one by one is what cannot be predicted: the three title searches per
    # catalogue and Open Library's work records; far fewer than the 120 requests of the first job.
    assert all(c == 1 for c in calls[3:]) and len(calls[3:]) < 30, calls


def test_the_books_the_cache_does_not_know_are_batched_together(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    monkeypatch.setenv("BATCH_SIZE", "5")
    header, *rows = synthetic_export(catalogue, 20).decode().split("\r\n")
    rows = [r for r in rows if r]
    # The first reader's 10 books are every other one; the second has all 20, old and new alternating.
    finish(deployment, start(deployment, ("\r\n".join([header, *rows[::2]]) + "\r\n").encode(), ONE))
    catalogue.request("/__reset", {})
    second = start(deployment, ("\r\n".join([header, *rows]) + "\r\n").encode(), TWO)
    finish(deployment, second)
    items = json.loads(boto3.client("s3").get_object(Bucket=BUCKET, Key=batches_key(second))["Body"].read())
    known = {r.split(",")[0] for r in rows[::2]}
    batches = [{b["goodreads_id"] in known for b in item["books"]} for item in items]
    assert batches == [{True}, {True}, {False}, {False}], batches
    # The new books' identifier searches: one per batch of them (two), not one in each of four batches.
    assert requests_at(catalogue).get("openlibrary", 0) <= 4
    assert len(dashboard(deployment, second)["books"]) == 20


def test_expired_answers_are_asked_again(deployment: Deployment, catalogue: FakeCatalogue) -> None:
    first = start(deployment, EDGE_CASES_CSV.read_bytes(), ONE)
    finish(deployment, first)
    asked = requests_at(catalogue)
    # DynamoDB deletes expired items lazily: an item past its expires_at must not be served.
    dynamodb = boto3.client("dynamodb")
    past = str(int(time.time()) - 1)
    for item in scan("LookupCache"):
        dynamodb.update_item(
            TableName=table("LookupCache"),
            Key={"pk": item["pk"]},
            UpdateExpression="SET expires_at = :past",
            ExpressionAttributeValues={":past": {"N": past}},
        )
    catalogue.request("/__reset", {})
    finish(deployment, start(deployment, EDGE_CASES_CSV.read_bytes(), TWO))
    assert requests_at(catalogue) == asked
    fresh = [item for item in scan("LookupCache") if int(item["expires_at"]["N"]) > int(past)]
    assert len(fresh) == len(scan("LookupCache")), "every answer was written back with a new TTL"


# ---- shared budgets ------------------------------------------------------------------------------


def test_concurrent_jobs_share_the_daily_budget_and_finish_with_open_library(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    union(monkeypatch)
    monkeypatch.setenv("BUDGET_PER_DAY", "google=12")
    monkeypatch.setenv("JOB_DAILY_SHARE", "0.5")
    monkeypatch.setenv("BATCH_SIZE", "5")
    parts = split_export(synthetic_export(catalogue, 60), 3)
    jobs = [start(deployment, part, ip) for part, ip in zip(parts, (ONE, TWO, THREE))]
    finish(deployment, *jobs)

    google = requests_at(catalogue).get("google", 0)
    assert 0 < google <= 12, google  # the day's budget, whatever the three jobs wanted (~120)
    (day,) = [i for i in scan("Coordination") if i["pk"]["S"].startswith("budget#google#d#")]
    assert int(day["used"]["N"]) == google == 12
    without_google = 0
    for job_id in jobs:
        board, doc = dashboard(deployment, job_id), status(deployment, job_id)
        assert len(board["books"]) == 20 and doc["progress"]["processed_books"] == 20
        assert doc["status"] == "complete"
        spent = doc["enrichment"]["without_google_budget"]
        without_google += spent
        if spent:
            assert "Google Books' daily budget was spent" in doc["message"]
        assert board["summary"]["genre_enriched_books"] >= 18  # Open Library alone still has genres
    assert without_google >= 60 - 12 // 2 * 2


def test_a_job_uses_at_most_its_share_of_the_daily_budget(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    union(monkeypatch)
    monkeypatch.setenv("BUDGET_PER_DAY", "google=20")
    monkeypatch.setenv("JOB_DAILY_SHARE", "0.25")
    finish(deployment, start(deployment, synthetic_export(catalogue, 20), ONE))
    assert requests_at(catalogue).get("google", 0) == 5  # 25 % of 20, although 40 were wanted


def granted(source: str) -> list[float]:
    """The send times the shared per-second budget granted ``source`` in every processor's gateway."""
    return [at for g in processor._gateways.values() if g.budgets for s, at in g.budgets.granted if s == source]


def test_no_second_exceeds_the_per_second_budget(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    union(monkeypatch)
    monkeypatch.setenv("BUDGET_PER_SECOND", "openlibrary=2,google=6")
    monkeypatch.setenv("BATCH_SIZE", "2")
    parts = split_export(synthetic_export(catalogue, 24), 2)
    catalogue.request("/__reset", {})  # making the export asked the catalogue too
    jobs = [start(deployment, part, ip) for part, ip in zip(parts, (ONE, TWO))]
    finish(deployment, *jobs)
    seen = requests_at(catalogue)
    for source, limit in (("openlibrary", 2), ("google", 6)):
        times = granted(source)
        # Every request the catalogue saw was granted a send time, and no span of one second,
        # wherever it starts, holds more than the limit (a fixed window would allow twice that).
        assert len(times) == seen.get(source, 0)
        assert busiest_second(times) <= limit, sorted(times)
        assert all(b - a >= 1 / limit - 1e-6 for a, b in zip(sorted(times), sorted(times)[1:]))
    assert seen["openlibrary"] > 2  # more than one second's worth, so the limit was exercised
    for job_id in jobs:
        assert len(dashboard(deployment, job_id)["books"]) == 12


def test_the_per_second_budget_spaces_concurrent_requests(deployment: Deployment) -> None:
    """Eight threads asking at the same instant (a frozen clock; sleeps recorded, not slept): the
    granted times are 1/limit apart, the busiest second holds exactly the limit, and a request
    whose slot would be more than 20 s away is refused at once."""
    waits: list[float] = []
    budgets = Budgets(table("Coordination"), {"openlibrary": 20.0}, {}, clock=lambda: 500.0, sleep=waits.append)

    def ten() -> None:
        for _ in range(10):
            budgets.acquire("openlibrary", None)

    threads = [threading.Thread(target=ten) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(at for _, at in budgets.granted)
    assert len(times) == 80 and busiest_second(times) == 20
    assert times == pytest.approx([500.0 + i * 0.05 for i in range(80)])
    assert sorted(waits) == pytest.approx([i * 0.05 for i in range(1, 80)])  # the first went at once

    frozen = Budgets(table("Coordination"), {"google": 1.0}, {}, clock=lambda: 1_000.0, sleep=lambda _: None)
    for _ in range(21):  # slots 1000 .. 1020: at most MAX_WAIT_SECONDS away
        frozen.acquire("google", None)
    with pytest.raises(Busy, match="no google request slot within 20 s"):
        frozen.acquire("google", None)
    assert [at for _, at in frozen.granted] == [1_000.0 + i for i in range(21)]


# ---- caps, fairness, status ----------------------------------------------------------------------


def test_per_client_and_per_job_caps(deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any) -> None:
    hold = Hold(deployment)
    csv_bytes = EDGE_CASES_CSV.read_bytes()
    first, second = start(deployment, csv_bytes, ONE), start(deployment, csv_bytes, ONE)
    refused = upload(deployment, csv_bytes, ONE)
    assert (refused["statusCode"], refused["error"]) == (429, "Too many jobs in progress")
    assert "at most 2" in refused["detail"]
    other = start(deployment, csv_bytes, TWO)  # another client is not held up
    hold.release.set()
    finish(deployment, first, second, other)
    again = start(deployment, csv_bytes, ONE)  # finished jobs gave their slots back
    finish(deployment, again)

    monkeypatch.setenv("MAX_BOOKS_PER_JOB", "10")
    too_big = upload(deployment, csv_bytes, THREE)  # 11 read books
    assert (too_big["statusCode"], too_big["error"]) == (400, "Too many books")
    assert "11 books" in too_big["detail"] and "at most 10" in too_big["detail"]


def test_a_waiting_job_reports_its_position_and_an_eta(deployment: Deployment, monkeypatch: Any) -> None:
    hold = Hold(deployment)
    first = start(deployment, EDGE_CASES_CSV.read_bytes(), ONE)
    assert hold.started.wait(60)
    second = start(deployment, EDGE_CASES_CSV.read_bytes(), TWO)
    # The orchestrator recorded each job's plan: the books the shared cache does not know (all of
    # them: no batch has run) and the requests expected per catalogue.
    coordination = boto3.resource("dynamodb").Table(table("Coordination"))
    records = {job: coordination.get_item(Key={"pk": f"job#{job}", "sk": "job"})["Item"] for job in (first, second)}
    plans = {job: {s: float(n) for s, n in r["plan_requests"].items()} for job, r in records.items()}
    assert all(r["plan_books"] == 11 for r in records.values())
    assert plans[first] == plans[second] and plans[first]["openlibrary"] > 0
    # Slow shared limits for the status route only (the processors are held).
    limits = {"openlibrary": 0.5, "google": 0.25}
    saved = deployment.environment["BUDGET_PER_SECOND"]
    monkeypatch.setenv("BUDGET_PER_SECOND", ",".join(f"{s}={v}" for s, v in limits.items()))
    one, two = status(deployment, first), status(deployment, second)
    monkeypatch.setenv("BUDGET_PER_SECOND", saved)
    for doc in (one, two):
        assert doc["status"] == "processing" and doc["error_message"] is None and doc["message"]
        assert doc["progress"] == {"total_books": 11, "processed_books": 0, "percent_complete": 0.0}
    assert (one["queue_position"], two["queue_position"]) == (1, 2)
    now = datetime.now(timezone.utc)
    # Processor sharing per catalogue: both jobs' planned requests at the shared limit, the slowest
    # catalogue deciding; then the processors' time for both jobs' batches (one each).
    env = deployment.environment
    expected = max(2 * requests / limits[source] for source, requests in plans[first].items())
    expected += 2 * float(env["BATCH_SECONDS"]) / int(env["PROCESSORS"])
    for doc in (one, two):
        when = datetime.fromisoformat(doc["estimated_completion"].replace("Z", "+00:00"))
        assert expected - 5 <= (when - now).total_seconds() <= expected, (when, expected)
    hold.release.set()
    finish(deployment, first, second)
    done = status(deployment, first)
    assert done["status"] == "complete"
    assert done["queue_position"] is None and done["estimated_completion"] is None


def test_a_small_job_is_not_held_behind_a_large_one(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: Any
) -> None:
    monkeypatch.setenv("BUDGET_PER_SECOND", "openlibrary=10,google=10")
    monkeypatch.setenv("BATCH_SIZE", "5")
    books = synthetic_export(catalogue, 130)
    large, small = split_export(books, 13)[0], b""
    large_rows = split_export(books, 13)
    large = (
        "\r\n".join(
            [large_rows[0].decode().split("\r\n")[0]]
            + [r for p in large_rows[1:] for r in p.decode().split("\r\n")[1:] if r]
        )
        + "\r\n"
    ).encode()
    small = large_rows[0]  # 10 books, disjoint from the large job's 120
    big = start(deployment, large, ONE)
    little = start(deployment, small, TWO)
    sfn = boto3.client("stepfunctions")
    arn = deployment.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{big}"
    finish(deployment, little)
    # Interleaved: the large job (about 240 Google requests at 10/s) is still running.
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    finish(deployment, big)
    assert len(dashboard(deployment, big)["books"]) == 120
    assert len(dashboard(deployment, little)["books"]) == 10
