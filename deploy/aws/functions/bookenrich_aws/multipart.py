"""A strict ``multipart/form-data`` reader for the upload route (bytes in, parts out; nothing decoded)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True)
class Part:
    """One form field."""

    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes


def _params(header_value: str) -> tuple[str, dict[str, str]]:
    head, _, _rest = header_value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(header_value[len(head) :]):
        key, value = match.group(1).lower(), match.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[key] = value
    return head.strip().lower(), params


def boundary_of(content_type: str) -> str:
    """The boundary of a ``multipart/form-data`` content type."""
    kind, params = _params(content_type)
    if kind != "multipart/form-data":
        raise MultipartError(f"expected Content-Type multipart/form-data, got {kind or 'none'}")
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise MultipartError("the multipart/form-data Content-Type has no valid boundary")
    return boundary


def parse(body: bytes, content_type: str) -> list[Part]:
    """The parts of a multipart/form-data ``body``."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    start = body.find(delimiter)
    if start < 0:
        raise MultipartError("the body does not contain the multipart boundary")
    parts: list[Part] = []
    closed = False
    for section in body[start + len(delimiter) :].split(b"\r\n" + delimiter):
        if section.startswith(b"--"):
            closed = True
            break
        if not section.startswith(b"\r\n"):
            raise MultipartError("a multipart boundary is not followed by a line break")
        head, sep, data = section[2:].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("a multipart part has no blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            name, colon, value = line.decode("utf-8", errors="replace").partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        _, disposition = _params(headers.get("content-disposition", ""))
        parts.append(
            Part(
                name=disposition.get("name"),
                filename=disposition.get("filename"),
                content_type=headers.get("content-type"),
                data=data,
            )
        )
    if not closed:
        raise MultipartError("the multipart body is truncated (no closing boundary)")
    return parts
