"""boto3 clients, created once per Lambda container (and again after :func:`reset`, for tests)."""

from __future__ import annotations

import os
from typing import Any

import boto3

_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    """A boto3 client for ``service`` (s3, stepfunctions, lambda, secretsmanager)."""
    existing = _clients.get(service)
    if existing is None:
        existing = boto3.client(service)
        _clients[service] = existing
    return existing


def reset() -> None:
    """Forgets the clients (tests start a new mocked account for each case)."""
    _clients.clear()


def setting(name: str, default: str | None = None) -> str:
    """The environment variable ``name``; a missing required one is a clear error, not a KeyError."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if default is not None:
        return default
    raise RuntimeError(f"environment variable {name} is not set (the CDK stack sets it; see docs/aws.md)")


def flag(name: str, default: bool = False) -> bool:
    """A boolean environment variable: 1/true/yes/on or 0/false/no/off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise RuntimeError(f"environment variable {name}={value!r} is not a boolean (use true or false)")


def integer(name: str, default: int, minimum: int = 0) -> int:
    """A whole-number environment variable of at least ``minimum``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise RuntimeError(f"environment variable {name}={value!r} is not a whole number") from None
    if number < minimum:
        raise RuntimeError(f"environment variable {name}={number} must be at least {minimum}")
    return number
