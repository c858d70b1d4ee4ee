"""The project's fake catalogue server (tests/fake-catalogue) as a subprocess, and synthetic exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import fake_catalogue

REPO = Path(__file__).resolve().parents[3]

#: The Goodreads export header, in Goodreads' column order: the bundled example export's, so it is
#: the real one and not a second copy of the core's column list.
with (REPO / "examples" / "goodreads_library_export.csv").open(encoding="utf-8-sig", newline="") as _example:
    HEADER: list[str] = next(csv.reader(_example))


class FakeCatalogue(fake_catalogue.FakeCatalogue):
    """A running ``fake-catalogue --synthetic``: its base URL and its runtime control."""

    def __init__(self) -> None:
        super().__init__("--synthetic")


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
