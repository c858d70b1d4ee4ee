"""End to end in moto: upload -> orchestrator -> execution (Distributed Map of processors against the
fake catalogue) -> aggregator -> GET /data/{uuid}, compared with what the CLI writes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from catalogue import FakeCatalogue, synthetic_export
from conftest import CONTACT, EDGE_CASES_CSV, TEST_RATE_LIMITS
from fake_catalogue import cargo_binary
from harness import BUCKET, PAYLOAD_LIMIT, Deployment, TooManyRequests, http_event, largest_payload, multipart


def cli_dashboard(csv_path: Path, catalogue: FakeCatalogue, out: Path) -> dict[str, Any]:
    """``bookenrich enrich`` on the same export against the same catalogue."""
    cli = cargo_binary("bookenrich", "BOOKENRICH_CLI")
    args = [
        str(cli),
        "enrich",
        str(csv_path),
        "-o",
        str(out),
        "--quiet",
        "--no-cache",
        "--open-library-url",
        catalogue.url,
        "--google-books-url",
        catalogue.url,
        "--contact",
        CONTACT,
    ]
    for source, rate in TEST_RATE_LIMITS.items():
        args += ["--rate-limit", f"{source}={rate:g}"]
    subprocess.run(args, check=True, timeout=300, env={"PATH": "/usr/bin:/bin"})
    dashboard: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return dashboard


def upload(deployment: Deployment, csv_bytes: bytes) -> str:
    body, content_type = multipart(csv_bytes)
    response = deployment.call("Upload", http_event("POST", "/upload", body=body, content_type=content_type))
    assert response["statusCode"] == 200, response
    answer = json.loads(response["body"])
    assert answer["status"] == "processing"
    assert not deployment.invocations.async_errors, deployment.invocations.async_errors
    job_id: str = answer["uuid"]
    return job_id


def run_job(deployment: Deployment, csv_bytes: bytes) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Uploads, waits for the execution, and returns (job id, dashboard, status document)."""
    job_id = upload(deployment, csv_bytes)
    description = deployment.wait(job_id)
    assert description["status"] == "SUCCEEDED", (description, deployment.invocations.errors)
    response = deployment.call("Status", http_event("GET", "/status/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200
    status = json.loads(response["body"])
    response = deployment.call("DataGet", http_event("GET", "/data/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200, response
    return job_id, json.loads(response["body"]), status


def differences(ours: dict[str, Any], cli: dict[str, Any]) -> list[str]:
    """Readable differences between two dashboards' books (by goodreads_id) and summaries."""
    out = [
        f"summary.{k}: {ours['summary'].get(k)!r} != {v!r}"
        for k, v in cli["summary"].items()
        if ours["summary"].get(k) != v
    ]
    theirs = {b["goodreads_id"]: b for b in cli["books"]}
    for book in ours["books"]:
        other = theirs.get(book["goodreads_id"], {})
        out += [f"{book['goodreads_id']}.{k}: {v!r} != {other.get(k)!r}" for k, v in book.items() if other.get(k) != v]
    return out


def comparable(dashboard: dict[str, Any]) -> dict[str, Any]:
    """What must match between two runs: the books and the summary (not ids and timestamps)."""
    return {"books": dashboard["books"], "summary": dashboard["summary"]}


def test_edge_cases_match_the_cli(
    deployment: Deployment, catalogue: FakeCatalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCH_SIZE", "4")  # 11 read books: three batches, the last one short
    job_id, dashboard, status = run_job(deployment, EDGE_CASES_CSV.read_bytes())
    expected = cli_dashboard(EDGE_CASES_CSV, catalogue, tmp_path / "cli.json")

    assert differences(dashboard, expected) == []
    assert comparable(dashboard) == comparable(expected)
    assert dashboard["export_id"] == job_id == dashboard["metadata"]["export_id"]
    assert dashboard["summary"]["genre_enriched_books"] > 0
    assert status["status"] == "complete"
    assert status["progress"] == {"total_books": 11, "processed_books": 11, "percent_complete": 100.0}
    assert status["data_url"] == f"/data/{job_id}"
    assert deployment.invocations.batch_attempts == {0: 1, 1: 1, 2: 1}
    assert deployment.invocations.errors == []


def test_three_thousand_books_stay_under_the_payload_limit(
    deployment: Deployment, catalogue: FakeCatalogue, tmp_path: Path
) -> None:
    csv_bytes = synthetic_export(catalogue, 3000)
    (tmp_path / "library.csv").write_bytes(csv_bytes)
    job_id, dashboard, status = run_job(deployment, csv_bytes)

    assert len(dashboard["books"]) == 3000
    assert status["progress"]["processed_books"] == 3000
    assert deployment.invocations.batch_attempts == {i: 1 for i in range(120)}
    history = deployment.history(job_id)
    largest = largest_payload(history)
    # The parent's history does not grow with the number of batches either.
    assert len(history) < 40, len(history)
    # Constant-size payloads: the largest is a few hundred bytes, whatever the library's size.
    assert 0 < largest < 4 * 1024, largest
    # Child executions are not in the parent's history: their input is one Map item, and their
    # Lambda payloads were measured by the dispatcher.
    items = json.loads(
        boto3.client("s3").get_object(Bucket=BUCKET, Key=f"uploads/{job_id}/batches.json")["Body"].read()
    )
    assert len(items) == 120
    assert max(len(json.dumps(item).encode()) for item in items) < 16 * 1024
    assert deployment.invocations.largest_request < 16 * 1024
    assert deployment.invocations.largest_response < 4 * 1024
    assert max(largest, deployment.invocations.largest_request) < PAYLOAD_LIMIT

    expected = cli_dashboard(tmp_path / "library.csv", catalogue, tmp_path / "cli.json")
    assert comparable(dashboard) == comparable(expected)
    assert dashboard["summary"]["genre_enriched_books"] > 2500


def test_a_batch_that_fails_for_good_still_ends_in_a_full_dashboard(
    deployment: Deployment, catalogue: FakeCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCH_SIZE", "4")

    def crash_batch_1(name: str, event: dict[str, Any], attempt: int) -> None:
        if event["batch"]["batch"] == 1:
            raise RuntimeError("simulated crash of the processor")

    deployment.faults["Processor"] = crash_batch_1
    job_id, dashboard, status = run_job(deployment, EDGE_CASES_CSV.read_bytes())

    assert len(dashboard["books"]) == 11
    unenriched = [b for b in dashboard["books"] if not b["genre_enriched"]]
    assert len(unenriched) >= 4
    assert status["status"] == "complete"
    assert status["enrichment"]["not_enriched"] == 4
    assert status["enrichment"]["missing_batches"] == 1
    assert "could not be enriched" in status["message"]
    assert any("batch(es) 1 did not finish" in note for note in dashboard["metadata"]["processing_notes"])
    # A RuntimeError is not retryable: one attempt, then the child's Catch.
    assert deployment.invocations.batch_attempts[1] == 1


def test_throttling_is_retried_with_jittered_backoff(
    deployment: Deployment, catalogue: FakeCatalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCH_SIZE", "4")
    monkeypatch.setenv("BOOKENRICH_MAX_ATTEMPTS", "2")
    # Every catalogue URL answers 429 twice: the core's two attempts fail, the processor raises
    # CatalogueThrottled, and the state machine's retry succeeds.
    catalogue.configure(faults=["429,first-per-url=2"])

    def lambda_throttles_first_call(name: str, event: dict[str, Any], attempt: int) -> None:
        if event["batch"]["batch"] == 2 and attempt == 1:
            raise TooManyRequests()

    deployment.faults["Processor"] = lambda_throttles_first_call
    job_id, dashboard, status = run_job(deployment, EDGE_CASES_CSV.read_bytes())

    catalogue.configure(faults=[])
    catalogue.request("/__reset", {})
    expected = cli_dashboard(EDGE_CASES_CSV, catalogue, tmp_path / "cli.json")
    assert comparable(dashboard) == comparable(expected)
    attempts = deployment.invocations.batch_attempts
    assert attempts[0] >= 2 and attempts[1] >= 2, attempts
    assert attempts[2] >= 3, attempts  # one Lambda throttle, then the catalogue throttle
    throttled = [e for e in deployment.invocations.errors if e[1] == "CatalogueThrottled"]
    assert len(throttled) >= 3
    sleeps = deployment.invocations.retry_sleeps
    assert len(sleeps) >= 4
    assert all(0 <= s <= 120 for s in sleeps)
    assert len(set(sleeps)) > 1  # full jitter: not one fixed interval
