"""The project's fake catalogue server (tests/fake-catalogue) as a subprocess, and synthetic exports."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]

#: The Goodreads export header, in Goodreads' column order.
HEADER = [
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
]


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
    """A running ``fake-catalogue --synthetic``: its base URL and its runtime control."""

    def __init__(self) -> None:
        binary = cargo_binary("fake-catalogue", "BOOKENRICH_FAKE_CATALOGUE")
        self.process = subprocess.Popen(
            [str(binary), "--synthetic"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        prefix = "listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"fake-catalogue did not start: {line!r}")
        self.url = line[len(prefix) :]

    def request(self, path: str, body: Any = None) -> Any:
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

    def clean(self) -> None:
        """No latency, faults or limits, and zeroed stats."""
        self.request(
            "/__config",
            {
                "latency_ms": 0,
                "faults": [],
                "rate_limits": {"openlibrary": None, "google": None},
                "google_daily_quota": None,
            },
        )
        self.request("/__reset", {})

    def configure(self, **config: Any) -> None:
        self.request("/__config", config)

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


def synthetic_isbn13(n: int) -> str:
    """The fake catalogue's synthetic book ``n``: ``979000`` + six digits + the check digit."""
    body = f"979000{n:06d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def synthetic_export(catalogue: FakeCatalogue, count: int) -> bytes:
    """A Goodreads export of ``count`` read books the fake catalogue knows (titles and authors from it).

    Every 20th book has no ISBN, so the title search path runs too.
    """
    known: dict[str, dict[str, Any]] = {}
    isbns = [synthetic_isbn13(n) for n in range(count)]
    for start in range(0, count, 40):
        keys = ",".join(f"ISBN:{i}" for i in isbns[start : start + 40])
        known.update(catalogue.request(f"/api/books?bibkeys={keys}&format=json&jscmd=data"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n, isbn in enumerate(isbns):
        record = known[f"ISBN:{isbn}"]
        author = record["authors"][0]["name"]
        day = 1 + n % 28
        month = 1 + (n // 28) % 12
        year = 2015 + n % 9
        writer.writerow(
            [
                str(500000 + n),
                record["title"],
                author,
                author,
                "",
                "" if n % 20 == 7 else '=""',
                "" if n % 20 == 7 else f'="{isbn}"',
                str(n % 6),
                f"{3 + (n % 20) / 10:.2f}",
                "Synthetic Press",
                "Paperback",
                str(90 + (n * 37) % 700),
                str(1950 + n % 70),
                str(1950 + n % 70),
                f"{year}/{month:02d}/{day:02d}",
                f"{year}/{month:02d}/{day:02d}",
                "",
                "",
                "read",
                "A fine book, é ü." if n % 4 == 0 else "",
                "",
                "",
                str(1 + (n % 17 == 0)),
                "0",
            ]
        )
    return out.getvalue().encode("utf-8")
