"""The synthesized stack, run in moto: resources named, definition resolved, handlers dispatched.

moto executes the state machine for real (Distributed Map over the S3 item list, Retry, Catch) but
its no-Docker Lambda backend does not run code: ``LambdaSimpleBackend.invoke`` is replaced by a
dispatcher that calls the handler the template names, with the environment the template gives the
function, and answers like Lambda (an unhandled exception becomes ``x-amz-function-error:
Unhandled`` with ``{"errorType", "errorMessage"}``).

moto stores a function's asynchronous-invocation settings but does not act on them, so the
dispatcher does what Lambda does with an asynchronous invocation that raises: it runs it again
``MaximumRetryAttempts`` times (without the waits), then sends Lambda's on-failure record to the
destination queue the template's ``AWS::Lambda::EventInvokeConfig`` names (an SQS queue in moto).

DynamoDB checks a condition and writes an item atomically, and serves reads while it writes;
moto's backend does not lock, so two threads can both pass ``used < limit``, and a read can copy
an item while another thread changes it. The harness serializes every moto DynamoDB call.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.responses import DynamoHandler
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from bookenrich_aws import aws
from bookenrich_infra.definition import (
    function_environment,
    placeholder_resolver,
    resources_of_type,
    state_machine_definition,
)

BUCKET = "bookenrich-jobs-test"
STATE_MACHINE = "BookEnrichJobs"
ACCOUNT = "123456789012"
REGION = "us-east-1"
#: Step Functions' limit on any state's input or output.
PAYLOAD_LIMIT = 256 * 1024


class TooManyRequests(JsonRESTError):
    """What the Lambda service answers when a function is at its concurrency limit."""

    code = 429

    def __init__(self) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")


#: A fault, keyed by function name prefix ("Processor"): called before the handler with
#: (function name, event, attempt), where attempt counts per batch for the processor; may raise.
Fault = Callable[[str, dict[str, Any], int], None]


@dataclass
class Invocations:
    """What the dispatcher saw."""

    calls: Counter[str] = field(default_factory=Counter)
    #: Invocations that have returned (or raised), per function.
    returned: Counter[str] = field(default_factory=Counter)
    #: Per processor batch index, how many times it was invoked.
    batch_attempts: Counter[int] = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    largest_request: int = 0
    largest_response: int = 0
    async_errors: list[BaseException] = field(default_factory=list)
    retry_sleeps: list[float] = field(default_factory=list)
    #: Seconds spent in each function's handler, all invocations together.
    busy_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    lock: threading.Lock = field(default_factory=threading.Lock)


class Deployment:
    """One synthesized stack in a moto account."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.template = template
        functions = resources_of_type(template, "AWS::Lambda::Function")
        names = {logical_id: logical_id for logical_id in functions}
        names.update({k: BUCKET for k in resources_of_type(template, "AWS::S3::Bucket")})
        names.update({k: STATE_MACHINE for k in resources_of_type(template, "AWS::StepFunctions::StateMachine")})
        self.resolver = placeholder_resolver(template, names, account=ACCOUNT, region=REGION)
        self.definition = state_machine_definition(template, self.resolver)
        self.handlers = {name: functions[name]["Properties"]["Handler"] for name in functions}
        self.environment: dict[str, str] = {}
        for name in functions:
            for key, value in function_environment(template, name, self.resolver).items():
                if self.environment.setdefault(key, value) != value:
                    raise AssertionError(f"functions disagree on {key}: {self.environment[key]!r} vs {value!r}")
        self.state_machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{STATE_MACHINE}"
        self.invocations = Invocations()
        self.faults: dict[str, Fault] = {}
        self.queues = list(resources_of_type(template, "AWS::SQS::Queue"))
        self.tables = resources_of_type(template, "AWS::DynamoDB::GlobalTable")
        #: Per function, (retries, destination queue name) of its asynchronous invocations.
        self.async_config: dict[str, tuple[int, str | None]] = {}
        for config in resources_of_type(template, "AWS::Lambda::EventInvokeConfig").values():
            properties = config["Properties"]
            destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            queue = self.resolver(destination).rsplit(":", 1)[-1] if destination else None
            self.async_config[self.resolver(properties["FunctionName"])] = (
                int(properties.get("MaximumRetryAttempts", 2)),
                queue,
            )

    def function(self, prefix: str) -> str:
        """The function whose logical id starts with ``prefix`` (e.g. "Processor")."""
        matches = [n for n in self.handlers if n.startswith(prefix)]
        if len(matches) != 1:
            raise KeyError(f"{prefix}: {matches}")
        return matches[0]

    # ---- the Lambda dispatcher ------------------------------------------------------------------

    def _handler(self, name: str) -> Callable[[dict[str, Any], Any], Any]:
        module, _, attribute = self.handlers[name].rpartition(".")
        handler: Callable[[dict[str, Any], Any], Any] = getattr(importlib.import_module(module), attribute)
        return handler

    def invoke(self, function_name: str, body: Any, headers: Any, response_headers: dict[str, str]) -> bytes:
        name = function_name.rsplit(":function:", 1)[-1].split(":", 1)[0]
        if name not in self.handlers:
            raise AssertionError(f"invoke of unknown function {function_name!r}")
        raw = body if isinstance(body, (bytes, bytearray)) else str(body or "{}").encode()
        event = json.loads(raw or b"{}")
        record = self.invocations
        with record.lock:
            record.calls[name] += 1
            record.largest_request = max(record.largest_request, len(raw))
            attempt = record.calls[name]
            if name.startswith("Processor"):
                index = int(event["batch"]["batch"])
                record.batch_attempts[index] += 1
                attempt = record.batch_attempts[index]
        asynchronous = str((headers or {}).get("X-Amz-Invocation-Type", "")).lower() == "event"
        try:
            if asynchronous:
                return self._run_async(name, event, attempt)
            self._fault(name, event, attempt)  # may raise TooManyRequests (a service error) or anything
            began = time.monotonic()
            try:
                return self._run(name, event, self._context(name, attempt), response_headers)
            finally:
                with record.lock:
                    record.busy_seconds[name] += time.monotonic() - began
        finally:
            with record.lock:
                record.returned[name] += 1

    def _fault(self, name: str, event: dict[str, Any], attempt: int) -> None:
        fault = next((f for prefix, f in self.faults.items() if name.startswith(prefix)), None)
        if fault is not None:
            fault(name, event, attempt)

    @staticmethod
    def _context(name: str, attempt: int) -> SimpleNamespace:
        return SimpleNamespace(
            function_name=name, aws_request_id=f"req-{attempt}", get_remaining_time_in_millis=lambda: 60_000
        )

    def _run_async(self, name: str, event: dict[str, Any], attempt: int) -> bytes:
        """An asynchronous invocation: retried, then dead-lettered, as the template configures."""
        record = self.invocations
        retries, queue = self.async_config.get(name, (2, None))
        error: BaseException | None = None
        for retry in range(retries + 1):
            try:
                self._fault(name, event, attempt + retry)
                self._handler(name)(event, self._context(name, attempt + retry))
                return b""
            except Exception as e:
                with record.lock:
                    record.errors.append((name, type(e).__name__, str(e)))
                error = e
        assert error is not None
        record.async_errors.append(error)
        if queue is not None:
            failure = {
                "version": "1.0",
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "requestContext": {
                    "requestId": f"req-{attempt}",
                    "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:$LATEST",
                    "condition": "RetriesExhausted",
                    "approximateInvokeCount": retries + 1,
                },
                "requestPayload": event,
                "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
                "responsePayload": {"errorType": type(error).__name__, "errorMessage": str(error)},
            }
            sqs = boto3.client("sqs")
            sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=queue)["QueueUrl"], MessageBody=json.dumps(failure))
        return b""

    def dead_letters(self) -> list[dict[str, Any]]:
        """Receives every message of the dead-letter queue, as the SQS event a consumer gets."""
        sqs = boto3.client("sqs")
        records = []
        for queue in self.queues:
            url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            while True:
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not messages:
                    break
                for message in messages:
                    records.append(
                        {"messageId": message["MessageId"], "body": message["Body"], "eventSource": "aws:sqs"}
                    )
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return records

    def _run(self, name: str, event: dict[str, Any], context: Any, response_headers: dict[str, str]) -> bytes:
        record = self.invocations
        try:
            result = self._handler(name)(event, context)
            payload = json.dumps(result).encode()
        except Exception as e:  # Lambda reports any exception as an unhandled error
            with record.lock:
                record.errors.append((name, type(e).__name__, str(e)))
            response_headers["x-amz-function-error"] = "Unhandled"
            payload = json.dumps(
                {
                    "errorType": type(e).__name__,
                    "errorMessage": str(e),
                    "stackTrace": traceback.format_tb(e.__traceback__),
                }
            ).encode()
        with record.lock:
            record.largest_response = max(record.largest_response, len(payload))
        return payload

    def wait_returned(self, prefix: str, count: int, timeout: float = 60) -> None:
        """Waits until ``count`` invocations of the function have returned."""
        name = self.function(prefix)
        deadline = time.monotonic() + timeout
        while self.invocations.returned[name] < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{name}: {self.invocations.returned[name]} of {count} invocations returned")
            time.sleep(0.05)

    # ---- the account ------------------------------------------------------------------------------

    @contextmanager
    def running(self, monkeypatch: Any, **environment: str) -> Iterator[Deployment]:
        """Starts moto, creates the bucket and the state machine, and routes invocations here."""
        deployment = self
        sleeps = self.invocations.retry_sleeps

        def invoke(
            backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
        ) -> bytes:
            return deployment.invoke(function_name, body, headers, response_headers)

        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.setenv(key, "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        for key, value in {**self.environment, **environment}.items():
            monkeypatch.setenv(key, value)
        with ExitStack() as stack:
            stack.enter_context(
                mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}})
            )
            stack.enter_context(mock.patch.object(LambdaSimpleBackend, "invoke", invoke))
            stack.enter_context(mock.patch.object(DynamoHandler, "call_action", _atomic(DynamoHandler.call_action)))
            # Retry waits are recorded, not slept: the test checks the backoff, not the clock.
            stack.enter_context(mock.patch.object(retrier_decl, "time", SimpleNamespace(sleep=sleeps.append)))
            aws.reset()
            boto3.client("s3").create_bucket(Bucket=BUCKET)
            for queue in self.queues:
                boto3.client("sqs").create_queue(QueueName=queue)
            for name, table in self.tables.items():
                properties = table["Properties"]
                dynamodb = boto3.client("dynamodb")
                dynamodb.create_table(
                    TableName=name,
                    KeySchema=properties["KeySchema"],
                    AttributeDefinitions=properties["AttributeDefinitions"],
                    BillingMode=properties["BillingMode"],
                )
                ttl = properties["TimeToLiveSpecification"]
                dynamodb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": ttl["Enabled"], "AttributeName": ttl["AttributeName"]},
                )
            boto3.client("stepfunctions").create_state_machine(
                name=STATE_MACHINE,
                definition=json.dumps(self.definition),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/{STATE_MACHINE}Role",
            )
            try:
                yield self
            finally:
                aws.reset()

    # ---- driving the API ----------------------------------------------------------------------------

    def call(self, prefix: str, event: dict[str, Any]) -> dict[str, Any]:
        """Calls an API function directly, as API Gateway would."""
        result: dict[str, Any] = self._handler(self.function(prefix))(event, None)
        return result

    def wait(self, job_id: str, timeout: float = 600) -> dict[str, Any]:
        """Waits for the job's execution to end; returns describe_execution."""
        sfn = boto3.client("stepfunctions")
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{job_id}"
        deadline = time.monotonic() + timeout
        while True:
            description: dict[str, Any] = sfn.describe_execution(executionArn=arn)
            if description["status"] != "RUNNING":
                return description
            if time.monotonic() > deadline:
                raise AssertionError(f"execution {job_id} still running after {timeout} s")
            time.sleep(0.1)

    def history(self, job_id: str) -> list[dict[str, Any]]:
        sfn = boto3.client("stepfunctions")
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{job_id}"
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**kwargs)
            events.extend(page["events"])
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]


def table(prefix: str) -> str:
    """The moto table whose name (the template's logical id) starts with ``prefix``."""
    names: list[str] = boto3.client("dynamodb").list_tables()["TableNames"]
    (name,) = [t for t in names if t.startswith(prefix)]
    return name


def scan(prefix: str) -> list[dict[str, Any]]:
    """Every item of :func:`table` ``prefix``."""
    items: list[dict[str, Any]] = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table(prefix)):
        items.extend(page["Items"])
    return items


_DYNAMODB_CALLS = threading.Lock()


def _atomic(call: Callable[..., Any]) -> Callable[..., Any]:
    """``call`` (moto's handler of one DynamoDB API call) run under one lock, as one atomic operation."""

    def locked(*args: Any, **kwargs: Any) -> Any:
        with _DYNAMODB_CALLS:
            return call(*args, **kwargs)

    return locked


def largest_payload(events: list[dict[str, Any]]) -> int:
    """The largest state input or output (bytes of UTF-8) in an execution history."""
    largest = 0
    for event in events:
        for key, value in event.items():
            if key.endswith("EventDetails") and isinstance(value, dict):
                for field_name in ("input", "output"):
                    text = value.get(field_name)
                    if isinstance(text, str):
                        largest = max(largest, len(text.encode("utf-8")))
    return largest


def multipart(csv_bytes: bytes, filename: str = "goodreads_library_export.csv") -> tuple[bytes, str]:
    """A browser-like multipart/form-data body with the export in field ``csv``."""
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="csv"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + csv_bytes
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def http_event(
    method: str,
    path: str,
    *,
    uuid: str | None = None,
    body: bytes = b"",
    content_type: str = "",
    accept_encoding: str = "",
    source_ip: str = "203.0.113.7",
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event from ``source_ip``."""
    import base64

    headers = {"content-type": content_type} if content_type else {}
    if accept_encoding:
        headers["accept-encoding"] = accept_encoding
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path if uuid is None else path.replace("{uuid}", uuid),
        "headers": headers,
        "requestContext": {"http": {"method": method, "path": path, "sourceIp": source_ip}},
        "pathParameters": {} if uuid is None else {"uuid": uuid},
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }
