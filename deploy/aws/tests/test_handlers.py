"""The handlers one at a time in moto: the API's status codes and bodies, deletion, failure marking,
and the orchestrator / processor / aggregator contracts the workflow relies on."""

from __future__ import annotations

import base64
import gzip
import json
import threading
import uuid
from typing import Any

import bookenrich
import boto3
import pytest
from catalogue import HEADER
from conftest import EDGE_CASES_CSV
from harness import BUCKET, Deployment, http_event, multipart

from bookenrich_aws import aggregator, job_failed, orchestrator, processor
from bookenrich_aws.layout import manifest_key, originals_key, result_key


def s3() -> Any:
    return boto3.client("s3")


def keys(prefix: str = "") -> list[str]:
    response = s3().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in response.get("Contents", []))


def put(key: str, value: Any) -> None:
    s3().put_object(Bucket=BUCKET, Key=key, Body=json.dumps(value).encode())


def get(key: str) -> Any:
    return json.loads(s3().get_object(Bucket=BUCKET, Key=key)["Body"].read())


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw)
        if response["headers"].get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
    return json.loads(raw)


def upload(deployment: Deployment, csv_bytes: bytes, filename: str = "library.csv") -> dict[str, Any]:
    body, content_type = multipart(csv_bytes, filename)
    return deployment.call("Upload", http_event("POST", "/upload", body=body, content_type=content_type))


# ---- POST /upload ------------------------------------------------------------------------------


class TestUpload:
    def test_an_export_starts_a_job(self, deployment: Deployment) -> None:
        response = upload(deployment, EDGE_CASES_CSV.read_bytes())
        assert response["statusCode"] == 200
        answer = body_of(response)
        assert answer["message"] == "Upload successful, processing started"
        job_id = answer["uuid"]
        assert str(uuid.UUID(job_id)) == job_id
        raw = s3().get_object(Bucket=BUCKET, Key=f"uploads/{job_id}/raw.csv")["Body"].read()
        assert raw == EDGE_CASES_CSV.read_bytes()
        assert deployment.invocations.calls[deployment.function("Orchestrator")] == 1
        assert deployment.wait(job_id)["status"] == "SUCCEEDED"

    @pytest.mark.parametrize(
        ("content_type", "body", "error"),
        [
            ("application/json", b"{}", "Invalid upload"),
            (
                "multipart/form-data; boundary=x",
                b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
                "No CSV file",
            ),
            ("multipart/form-data; boundary=x", b"garbage", "Invalid upload"),
        ],
    )
    def test_malformed_requests_are_400(
        self, deployment: Deployment, content_type: str, body: bytes, error: str
    ) -> None:
        response = deployment.call("Upload", http_event("POST", "/upload", body=body, content_type=content_type))
        assert response["statusCode"] == 400
        assert body_of(response)["error"] == error
        assert body_of(response)["detail"]
        assert keys() == []

    def test_not_a_goodreads_export(self, deployment: Deployment) -> None:
        response = upload(deployment, b"name,colour\nfoo,red\n")
        assert response["statusCode"] == 400
        answer = body_of(response)
        assert answer["error"] == "Invalid CSV format or not a Goodreads export"
        assert "Book Id" in answer["detail"] or "column" in answer["detail"]
        assert keys() == []

    def test_not_a_csv_file(self, deployment: Deployment) -> None:
        response = upload(deployment, EDGE_CASES_CSV.read_bytes(), filename="library.xlsx")
        assert (response["statusCode"], body_of(response)["error"]) == (400, "File must be a CSV")

    def test_too_large(self, deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MAX_UPLOAD_BYTES", "1000")
        response = upload(deployment, EDGE_CASES_CSV.read_bytes())
        assert (response["statusCode"], body_of(response)["error"]) == (400, "File too large")


# ---- GET /status/{uuid} and GET /data/{uuid} ---------------------------------------------------------


def job(deployment: Deployment, status: str, **fields: Any) -> str:
    job_id = str(uuid.uuid4())
    put(f"status/{job_id}.json", {"uuid": job_id, "status": status, "progress": {}, "message": "", **fields})
    return job_id


@pytest.mark.parametrize(
    "route", [("Status", "/status/{uuid}"), ("DataGet", "/data/{uuid}"), ("DataDelete", "/data/{uuid}")]
)
@pytest.mark.parametrize("bad", ["not-a-uuid", "..%2Fstatus", "0b6f8a52-3c1e-4d7a-9f2b-5e6c7d8e9f0z", ""])
def test_routes_refuse_malformed_ids(deployment: Deployment, route: tuple[str, str], bad: str) -> None:
    function, path = route
    method = "DELETE" if function == "DataDelete" else "GET"
    response = deployment.call(function, http_event(method, path, uuid=bad))
    assert response["statusCode"] == 400
    assert body_of(response)["error"] == "Invalid UUID"


@pytest.mark.parametrize(("function", "error"), [("Status", "UUID not found"), ("DataGet", "Data not found")])
def test_unknown_jobs_are_404(deployment: Deployment, function: str, error: str) -> None:
    response = deployment.call(function, http_event("GET", "/x/{uuid}", uuid=str(uuid.uuid4())))
    assert (response["statusCode"], body_of(response)["error"]) == (404, error)


def test_status_counts_the_batches_already_done(deployment: Deployment) -> None:
    job_id = job(deployment, "processing")
    put(manifest_key(job_id), {"total_books": 60, "batch_size": 25, "batch_count": 3})
    for batch in (0, 2):
        put(result_key(job_id, batch), {"batch": batch, "results": []})
    response = deployment.call("Status", http_event("GET", "/status/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200
    assert body_of(response)["progress"] == {"total_books": 60, "processed_books": 35, "percent_complete": 58.3}


def test_data_while_processing_is_202(deployment: Deployment) -> None:
    response = deployment.call("DataGet", http_event("GET", "/data/{uuid}", uuid=job(deployment, "processing")))
    assert (response["statusCode"], body_of(response)["error"]) == (202, "Still processing")


def test_data_of_a_failed_job_is_500(deployment: Deployment) -> None:
    job_id = job(deployment, "error", error_message="processing took too long")
    response = deployment.call("DataGet", http_event("GET", "/data/{uuid}", uuid=job_id))
    assert (response["statusCode"], body_of(response)["error"]) == (500, "Processing failed: processing took too long")


def test_large_dashboards_are_gzipped_when_the_client_accepts_it(deployment: Deployment) -> None:
    job_id = job(deployment, "complete")
    dashboard = {"books": [{"title": f"Book {i}", "genres": ["Fiction"]} for i in range(5000)], "summary": {}}
    put(f"data/{job_id}.json", dashboard)
    plain = deployment.call("DataGet", http_event("GET", "/data/{uuid}", uuid=job_id))
    assert plain["statusCode"] == 200 and not plain["isBase64Encoded"]
    assert json.loads(plain["body"]) == dashboard
    packed = deployment.call("DataGet", http_event("GET", "/data/{uuid}", uuid=job_id, accept_encoding="gzip, br"))
    assert packed["statusCode"] == 200 and packed["headers"]["content-encoding"] == "gzip"
    assert len(packed["body"]) < len(plain["body"]) / 4
    assert body_of(packed) == dashboard


# ---- DELETE /data/{uuid} ---------------------------------------------------------------------------------


def test_delete_removes_every_object_of_the_job_and_nothing_else(deployment: Deployment) -> None:
    first = body_of(upload(deployment, EDGE_CASES_CSV.read_bytes()))["uuid"]
    second = body_of(upload(deployment, EDGE_CASES_CSV.read_bytes()))["uuid"]
    for job_id in (first, second):
        assert deployment.wait(job_id)["status"] == "SUCCEEDED"
    before_second = [k for k in keys() if second in k]
    assert any(k.startswith(f"uploads/{first}/results/") for k in keys())
    assert any(k.startswith(f"uploads/{first}/map-results/") for k in keys())

    response = deployment.call("DataDelete", http_event("DELETE", "/data/{uuid}", uuid=first))
    assert response["statusCode"] == 200
    answer = body_of(response)
    assert answer["message"] == "Data deleted successfully"
    assert sorted(answer["deleted_files"]) == ["dashboard.json", "raw.csv", "status.json"]
    assert answer["deleted_objects"] > 5
    assert [k for k in keys() if first in k] == []
    assert [k for k in keys() if second in k] == before_second

    again = deployment.call("DataDelete", http_event("DELETE", "/data/{uuid}", uuid=first))
    assert (again["statusCode"], body_of(again)["error"]) == (404, "No data found to delete")
    gone = deployment.call("Status", http_event("GET", "/status/{uuid}", uuid=first))
    assert gone["statusCode"] == 404


def test_a_deleted_job_writes_nothing_back(deployment: Deployment) -> None:
    job_id = str(uuid.uuid4())
    book = bookenrich.BookInfo("Title", "Author", goodreads_id="1")
    summary = processor.handler({"job": {"uuid": job_id}, "batch": {"batch": 0, "books": [book.to_dict()]}})
    assert summary["skipped"] == "job deleted"
    assert aggregator.handler({"job": {"uuid": job_id}})["skipped"] == "job deleted"
    assert keys() == []


# ---- marking failures ----------------------------------------------------------------------------------------


def test_the_catch_marks_the_job_error(deployment: Deployment) -> None:
    job_id = job(deployment, "processing", upload_time="2026-01-01T00:00:00.000Z")
    job_failed.handler({"job": {"uuid": job_id}, "failure": {"Error": "States.Timeout", "Cause": "x"}})
    status = get(f"status/{job_id}.json")
    assert status["status"] == "error"
    assert status["error_message"] == "processing took too long"
    assert status["upload_time"] == "2026-01-01T00:00:00.000Z"  # the rest of the document stays


def test_an_execution_that_timed_out_marks_the_job_error(deployment: Deployment) -> None:
    job_id = job(deployment, "processing")
    event = {
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "detail": {"name": job_id, "status": "TIMED_OUT", "stateMachineArn": deployment.state_machine_arn},
    }
    job_failed.handler(event)
    assert get(f"status/{job_id}.json")["status"] == "error"


def test_a_complete_job_is_never_marked_error(deployment: Deployment) -> None:
    job_id = job(deployment, "complete")
    result = job_failed.handler({"detail": {"name": job_id, "status": "FAILED"}})
    assert result["skipped"] == "complete"
    assert get(f"status/{job_id}.json")["status"] == "complete"


def test_executions_without_a_job_are_ignored(deployment: Deployment) -> None:
    assert job_failed.handler({"detail": {"name": "manual-test-run", "status": "FAILED"}}) == {"skipped": "no job id"}


# ---- orchestrator, processor, aggregator -------------------------------------------------------------------


def test_the_orchestrator_marks_an_unreadable_export_error(deployment: Deployment) -> None:
    job_id = job(deployment, "processing")
    s3().put_object(Bucket=BUCKET, Key=f"uploads/{job_id}/raw.csv", Body=b"\x00\x01 not a csv")
    result = orchestrator.handler({"uuid": job_id})
    assert result["status"] == "error"
    status = get(f"status/{job_id}.json")
    assert status["status"] == "error" and "Goodreads export" in status["error_message"]
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=deployment.state_machine_arn)
    assert executions["executions"] == []


def test_the_execution_input_holds_keys_not_books(deployment: Deployment) -> None:
    rows = [",".join(HEADER)] + [f"{i},Title {i},Author {i},,,,,,,,,,,,2020/01/01,,,,read,,,,1,0" for i in range(500)]
    job_id = job(deployment, "processing")
    s3().put_object(Bucket=BUCKET, Key=f"uploads/{job_id}/raw.csv", Body="\n".join(rows).encode())
    orchestrator.handler({"uuid": job_id})
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=deployment.state_machine_arn)
    (execution,) = executions["executions"]
    assert execution["name"] == job_id
    description = boto3.client("stepfunctions").describe_execution(executionArn=execution["executionArn"])
    assert json.loads(description["input"]) == {
        "job": {"uuid": job_id},
        "batchesKey": f"uploads/{job_id}/batches.json",
        "toleratedFailurePercentage": 100,
    }
    manifest = get(manifest_key(job_id))
    assert (manifest["total_books"], manifest["batch_count"], manifest["batch_size"]) == (500, 20, 25)
    deployment.wait(job_id)
    # A retried invocation (Lambda retries async invocations) does not start a second execution.
    orchestrator.handler({"uuid": job_id})
    assert (
        len(boto3.client("stepfunctions").list_executions(stateMachineArn=deployment.state_machine_arn)["executions"])
        == 1
    )


def test_a_retried_batch_only_looks_up_the_books_that_failed(deployment: Deployment) -> None:
    job_id = job(deployment, "processing")
    put(manifest_key(job_id), {"total_books": 2, "batch_size": 25, "batch_count": 1})
    books = [
        bookenrich.BookInfo("The Way of Kings", "Brandon Sanderson", isbn13="9780765326355", goodreads_id="7235533"),
        bookenrich.BookInfo("Sabriel", "Garth Nix", isbn13="9780064471831", goodreads_id="518848"),
    ]
    done = bookenrich.EnrichedBook(
        goodreads_id="7235533",
        title="The Way of Kings",
        author="Brandon Sanderson",
        final_genres=["Fantasy"],
        genre_sources=["open_library"],
    )
    message = "open_library: HTTP 429 Too Many Requests (gave up after 4 attempts) (http://x)"
    throttled = bookenrich.EnrichedBook(
        goodreads_id="518848",
        title="Sabriel",
        author="Garth Nix",
        error=message,
        failures=[bookenrich.SourceFailure("open_library", "rate_limited", message)],
    )
    put(result_key(job_id, 0), {"batch": 0, "attempt": 1, "results": [done.to_dict(), throttled.to_dict()]})
    summary = processor.handler({"job": {"uuid": job_id}, "batch": {"batch": 0, "books": [b.to_dict() for b in books]}})
    assert summary["attempt"] == 2 and summary["looked_up"] == 1 and summary["transient"] == 0
    results = [bookenrich.EnrichedBook.from_dict(r) for r in get(result_key(job_id, 0))["results"]]
    assert results[0] == done
    assert results[1].goodreads_id == "518848" and results[1].error is None and results[1].has_genres


def test_the_aggregator_merges_by_goodreads_id_not_position(deployment: Deployment) -> None:
    books = bookenrich.read_export(EDGE_CASES_CSV).books[:6]
    job_id = job(deployment, "processing")
    put(manifest_key(job_id), {"total_books": 6, "batch_size": 2, "batch_count": 3, "row_problem_count": 2})
    put(originals_key(job_id), [b.to_dict() for b in books])

    def result(book: bookenrich.BookAnalytics) -> dict[str, Any]:
        return bookenrich.EnrichedBook(
            goodreads_id=book.goodreads_id,
            title=book.title,
            author=book.author,
            final_genres=[f"Genre {book.goodreads_id}"],
        ).to_dict()

    # Batch 0 reversed and with a result of no book; batch 1 missing; batch 2 without book 4.
    stray = bookenrich.EnrichedBook(goodreads_id="999", title="Stray", author="Nobody", final_genres=["Noise"])
    put(result_key(job_id, 0), {"results": [result(books[1]), stray.to_dict(), result(books[0])]})
    put(result_key(job_id, 2), {"results": [result(books[5])]})

    summary = aggregator.handler({"job": {"uuid": job_id}})
    assert (summary["books"], summary["not_enriched"], summary["missing_batches"]) == (6, 3, 1)
    dashboard = get(f"data/{job_id}.json")
    assert [b["goodreads_id"] for b in dashboard["books"]] == [b.goodreads_id for b in books]
    genres = {b["goodreads_id"]: b["genres"] for b in dashboard["books"]}
    for index, book in enumerate(books):
        expected = [f"Genre {book.goodreads_id}"] if index in (0, 1, 5) else []
        assert genres[book.goodreads_id] == expected, index
    assert "Noise" not in json.dumps(dashboard)
    notes = dashboard["metadata"]["processing_notes"]
    assert "2 rows of the export could not be used" in notes
    assert "3 books were not enriched: batch(es) 1 did not finish" in notes
    status = get(f"status/{job_id}.json")
    assert status["status"] == "complete" and status["progress"]["processed_books"] == 6
    assert status["message"] == "Processing complete: 3 of 6 books have genres; 3 could not be enriched"


def test_private_notes_stay_out_unless_configured(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    books = bookenrich.read_export(EDGE_CASES_CSV).books
    assert any(b.private_notes for b in books)
    for include, expect_notes in (("false", False), ("true", True)):
        monkeypatch.setenv("INCLUDE_PRIVATE_NOTES", include)
        job_id = job(deployment, "processing")
        put(manifest_key(job_id), {"total_books": len(books), "batch_size": 25, "batch_count": 0})
        put(originals_key(job_id), [b.to_dict() for b in books])
        aggregator.handler({"job": {"uuid": job_id}})
        notes = [b["private_notes"] for b in get(f"data/{job_id}.json")["books"]]
        assert any(notes) is expect_notes


def test_deleting_a_running_job_stops_it_and_nothing_is_written_back(deployment: Deployment) -> None:
    release = threading.Event()
    started = threading.Event()

    def hold(name: str, event: dict[str, Any], attempt: int) -> None:
        started.set()
        assert release.wait(60), "the test never released the processor"

    deployment.faults["Processor"] = hold
    job_id = body_of(upload(deployment, EDGE_CASES_CSV.read_bytes()))["uuid"]
    assert started.wait(60)
    response = deployment.call("DataDelete", http_event("DELETE", "/data/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200
    release.set()
    assert deployment.wait(job_id)["status"] == "ABORTED"
    deployment.wait_returned("Processor", 1)  # whatever it would write is written by now
    assert [k for k in keys() if job_id in k] == []


def test_deleting_a_job_whose_execution_is_gone(deployment: Deployment) -> None:
    job_id = job(deployment, "processing")
    response = deployment.call("DataDelete", http_event("DELETE", "/data/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200
    assert keys() == []
