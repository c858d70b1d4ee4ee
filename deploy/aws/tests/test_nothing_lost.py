"""Nothing lost: a job whose orchestrator never ran, or whose failure event was undeliverable, ends
``error`` with a reason instead of ``processing`` forever.

moto keeps the functions' asynchronous-invocation settings but does not deliver failures to their
destinations; the harness does what Lambda does (retries, then Lambda's on-failure record to the
queue the template names, a real SQS queue in moto), and the dead-letter consumer is run over what
the queue holds. EventBridge's own dead-lettering is not modelled by moto at all: its message (the
undelivered event) is sent to the queue by the test, and the rule's DeadLetterConfig is checked in
the template (test_stack.py).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
from conftest import EDGE_CASES_CSV
from harness import BUCKET, Deployment, http_event, multipart

from bookenrich_aws import dead_letters, status_api


def status_of(deployment: Deployment, job_id: str) -> dict[str, Any]:
    response = deployment.call("Status", http_event("GET", "/status/{uuid}", uuid=job_id))
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = json.loads(response["body"])
    return body


def consume(deployment: Deployment) -> dict[str, Any]:
    """Runs the dead-letter consumer over everything in the queue, as its SQS event source would."""
    records = deployment.dead_letters()
    result: dict[str, Any] = deployment.call("DeadLetterConsumer", {"Records": records})
    result["records"] = len(records)
    return result


def put_status(job_id: str, **fields: Any) -> None:
    doc = {"uuid": job_id, "status": "processing", "progress": {}, "message": "", **fields}
    boto3.client("s3").put_object(Bucket=BUCKET, Key=f"status/{job_id}.json", Body=json.dumps(doc).encode())


def test_a_failed_orchestrator_invoke_is_dead_lettered_and_its_job_marked(deployment: Deployment) -> None:
    def crash(name: str, event: dict[str, Any], attempt: int) -> None:
        raise RuntimeError("simulated orchestrator crash")

    deployment.faults["Orchestrator"] = crash
    body, content_type = multipart(EDGE_CASES_CSV.read_bytes())
    response = deployment.call("Upload", http_event("POST", "/upload", body=body, content_type=content_type))
    assert response["statusCode"] == 200
    job_id = json.loads(response["body"])["uuid"]
    # Lambda's first attempt and the template's two retries, all failed.
    assert [e[1] for e in deployment.invocations.errors] == ["RuntimeError"] * 3
    assert status_of(deployment, job_id)["status"] == "processing"

    result = consume(deployment)
    assert (result["records"], result["marked"], result["batchItemFailures"]) == (1, 1, [])
    status = status_of(deployment, job_id)
    assert status["status"] == "error"
    assert status["error_message"] == "processing could not be started (RuntimeError)"
    data = deployment.call("DataGet", http_event("GET", "/data/{uuid}", uuid=job_id))
    assert data["statusCode"] == 500
    assert consume(deployment)["records"] == 0  # consumed, not left for a second pass


def test_an_undeliverable_execution_event_still_marks_the_job(deployment: Deployment) -> None:
    job_id = str(uuid.uuid4())
    put_status(job_id)
    event = {"source": "aws.states", "detail": {"name": job_id, "status": "TIMED_OUT"}}
    sqs = boto3.client("sqs")
    (queue,) = deployment.queues
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=queue)["QueueUrl"], MessageBody=json.dumps(event))
    assert consume(deployment)["marked"] == 1
    assert status_of(deployment, job_id)["error_message"] == "processing took too long"


def test_dead_letters_of_jobfailed_and_of_no_job(deployment: Deployment) -> None:
    failed, complete = str(uuid.uuid4()), str(uuid.uuid4())
    put_status(failed)
    put_status(complete, status="complete")
    lost = {"detail": {"name": failed, "status": "ABORTED"}}
    records = [
        {"messageId": "1", "body": json.dumps({"requestContext": {}, "requestPayload": lost})},
        {"messageId": "2", "body": json.dumps({"detail": {"name": complete, "status": "FAILED"}})},
        {"messageId": "3", "body": "not json"},
        {"messageId": "4", "body": json.dumps({"detail": {"name": "manual-run"}})},
    ]
    result = dead_letters.handler({"Records": records})
    assert (result["marked"], result["batchItemFailures"]) == (1, [])
    assert status_of(deployment, failed)["error_message"] == "processing was stopped"
    assert status_of(deployment, complete)["status"] == "complete"


def test_a_job_that_never_started_is_marked_by_the_status_route(deployment: Deployment, monkeypatch: Any) -> None:
    monkeypatch.setenv("STALE_AFTER_SECONDS", "1500")
    recent, old = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(timezone.utc)
    put_status(recent, upload_time=(now - timedelta(seconds=60)).isoformat())
    put_status(old, upload_time=(now - timedelta(seconds=1600)).isoformat())
    assert status_of(deployment, recent)["status"] == "processing"
    status = status_of(deployment, old)
    assert (status["status"], status["error_message"]) == ("error", "processing never started")
    # A job whose orchestrator ran (a manifest exists) is not stale, however old.
    started = str(uuid.uuid4())
    put_status(started, upload_time=(now - timedelta(days=1)).isoformat())
    boto3.client("s3").put_object(
        Bucket=BUCKET,
        Key=f"uploads/{started}/job.json",
        Body=json.dumps({"total_books": 2, "batch_size": 25, "batch_count": 1}).encode(),
    )
    assert status_of(deployment, started)["status"] == "processing"
    assert not status_api.never_started({"upload_time": "garbage"})
