"""JSON objects in the job bucket.

Each function may list only the exact keys it works with (its IAM policy allows ``s3:ListBucket``
for key-shaped prefixes, so no function can enumerate jobs). S3 answers a GET of a missing key
with 403 rather than 404 to a caller that cannot list the bucket, so a 403 is checked against a
listing of that one key: absent means missing, present means a real permission error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from bookenrich_aws import aws

_MISSING = {"NoSuchKey", "404", "NotFound"}
_DENIED = {"AccessDenied", "403", "Forbidden"}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class Store:
    """The bucket every job lives in (``DATA_BUCKET``)."""

    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or aws.setting("DATA_BUCKET")

    @property
    def s3(self) -> Any:
        return aws.client("s3")

    def exists(self, key: str) -> bool:
        """Whether the object exists (a one-key listing)."""
        response = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        return any(item.get("Key") == key for item in response.get("Contents", []))

    def get_bytes(self, key: str) -> bytes | None:
        """The object's content, or None when it does not exist."""
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as e:
            code = _code(e)
            if code in _MISSING or (code in _DENIED and not self.exists(key)):
                return None
            raise
        body: bytes = response["Body"].read()
        return body

    def get_json(self, key: str) -> Any:
        """The object parsed as JSON, or None when it does not exist."""
        body = self.get_bytes(key)
        if body is None:
            return None
        try:
            return json.loads(body)
        except ValueError as e:
            raise ValueError(f"s3://{self.bucket}/{key}: not valid JSON: {e}") from None

    def put_bytes(self, key: str, body: bytes, content_type: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def put_json(self, key: str, value: Any, *, indent: int | None = None) -> int:
        """Writes ``value`` as UTF-8 JSON; returns the size in bytes."""
        separators = None if indent else (",", ":")
        data = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators).encode("utf-8")
        self.put_bytes(key, data, "application/json; charset=utf-8")
        return len(data)

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under ``prefix``."""
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def delete(self, keys: list[str]) -> None:
        """Deletes ``keys`` (1,000 per request, the API's maximum); a key that fails is an error."""
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            response = self.s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise RuntimeError(
                    f"could not delete {len(errors)} object(s), e.g. {first.get('Key')}: "
                    f"{first.get('Code')} {first.get('Message')}"
                )
