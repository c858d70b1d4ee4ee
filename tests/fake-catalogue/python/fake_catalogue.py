"""The fake catalogue server (the ``fake-catalogue`` binary of this crate) as a subprocess, for Python tests.

bookenrich-py/tests and deploy/aws/tests both start and drive it through this module (their pytest
and mypy settings put this directory on the path).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


def cargo_binary(name: str, env_var: str) -> Path:
    """A binary of the workspace build: ``$env_var``, else the usual cargo output paths."""
    explicit = os.environ.get(env_var)
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    triple = os.environ.get("CARGO_BUILD_TARGET", "")
    candidates = [target / triple / "debug" / name, target / "debug" / name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FileNotFoundError(
        f"{name} not found: build it with cargo or set {env_var} (looked at {', '.join(map(str, candidates))})"
    )


class FakeCatalogue:
    """A running ``fake-catalogue ARGS``: its base URL, its stats and its runtime control."""

    def __init__(self, *args: str) -> None:
        binary = cargo_binary("fake-catalogue", "BOOKENRICH_FAKE_CATALOGUE")
        self.process = subprocess.Popen([str(binary), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        prefix = "listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"fake-catalogue did not start: {line!r}")
        self.url = line[len(prefix) :]

    def request(self, path: str, body: Any = None) -> Any:
        """GET ``path`` (POST ``body`` as JSON when given); the JSON answer, or None for an empty one."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="GET" if data is None else "POST")
        if data is not None:
            request.add_header("content-type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.request("/__stats")
        return stats

    def reset(self) -> None:
        """Zeroes the stats."""
        self.request("/__reset", {})

    def configure(self, **config: Any) -> None:
        self.request("/__config", config)

    def clean(self) -> None:
        """No latency, faults or limits, and zeroed stats."""
        self.configure(
            latency_ms=0,
            faults=[],
            rate_limits={"openlibrary": None, "google": None},
            google_daily_quota=None,
        )
        self.reset()

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # the server exits when its stdin closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
