"""API Gateway events in (HTTP API payload 2.0 or REST proxy 1.0) and responses out."""

from __future__ import annotations

import base64
import functools
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bookenrich_aws.layout import InvalidJobId, parse_job_id

# Lambda refuses a synchronous response over 6 MB; stay clear of it.
MAX_RESPONSE_BYTES = 5_500_000
# Bodies above this go out gzip-compressed when the client accepts it.
GZIP_THRESHOLD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Request:
    """What the handlers need from an API Gateway proxy event."""

    method: str
    path: str
    path_parameters: dict[str, str]
    headers: dict[str, str]
    body: bytes
    #: The caller's address as API Gateway saw it ("" when the event has none).
    source_ip: str = ""

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Request:
        http = (event.get("requestContext") or {}).get("http") or {}
        method = str(http.get("method") or event.get("httpMethod") or "").upper()
        path = str(event.get("rawPath") or event.get("path") or "")
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        raw = event.get("body") or ""
        if event.get("isBase64Encoded"):
            body = base64.b64decode(raw)
        else:
            body = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        params = {str(k): str(v) for k, v in (event.get("pathParameters") or {}).items()}
        context = event.get("requestContext") or {}
        source_ip = str(http.get("sourceIp") or (context.get("identity") or {}).get("sourceIp") or "")
        return cls(method=method, path=path, path_parameters=params, headers=headers, body=body, source_ip=source_ip)

    def accepts_gzip(self) -> bool:
        return "gzip" in self.headers.get("accept-encoding", "").lower()


def json_response(status: int, body: Any) -> dict[str, Any]:
    """A JSON response."""
    return raw_json_response(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def raw_json_response(status: int, body: bytes, request: Request | None = None) -> dict[str, Any]:
    """A response whose body is already JSON, compressed when it is large and the client accepts gzip."""
    headers = {"content-type": "application/json; charset=utf-8", "cache-control": "no-store"}
    if request is not None and len(body) > GZIP_THRESHOLD_BYTES and request.accepts_gzip():
        packed = base64.b64encode(gzip.compress(body, compresslevel=6)).decode("ascii")
        if len(packed) > MAX_RESPONSE_BYTES:
            return error(413, "Dashboard too large", f"{len(body)} bytes of JSON do not fit a Lambda response")
        headers["content-encoding"] = "gzip"
        headers["vary"] = "accept-encoding"
        return {"statusCode": status, "headers": headers, "body": packed, "isBase64Encoded": True}
    if len(body) > MAX_RESPONSE_BYTES:
        return error(
            413,
            "Dashboard too large",
            f"{len(body)} bytes of JSON do not fit a Lambda response; request it with Accept-Encoding: gzip",
        )
    return {"statusCode": status, "headers": headers, "body": body.decode("utf-8"), "isBase64Encoded": False}


def error(status: int, message: str, detail: str) -> dict[str, Any]:
    """An error response: ``{"error": message, "detail": detail}``."""
    return json_response(status, {"error": message, "detail": detail})


def job_endpoint(
    handle: Callable[[Request, str], dict[str, Any]],
) -> Callable[[dict[str, Any], object], dict[str, Any]]:
    """A Lambda handler for a ``/…/{uuid}`` route: ``handle(request, job_id)``, or 400 for an invalid UUID."""

    @functools.wraps(handle)
    def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
        request = Request.from_event(event)
        try:
            job_id = parse_job_id(request.path_parameters.get("uuid"))
        except InvalidJobId as e:
            return error(400, "Invalid UUID", str(e))
        return handle(request, job_id)

    return handler
