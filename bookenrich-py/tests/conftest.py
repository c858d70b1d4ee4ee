"""Shared fixtures: the repository's test data and the fake catalogue server."""

from __future__ import annotations

import html
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import fake_catalogue
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
# Recorded catalogue answers live with the core, whose own tests read them (tests/fixtures/PROVENANCE.md).
RECORDED = REPO / "bookenrich-core" / "tests" / "data"
EDGE_CASES_CSV = FIXTURES / "goodreads_edge_cases.csv"

# Rates far above anything the fake server limits: tests assert what happens, not how fast.
FAST_RATES = {"open_library": 1000.0, "google_books": 1000.0}
FAST_RATES_ENV = "openlibrary=1000,google=1000"


class FakeCatalogue(fake_catalogue.FakeCatalogue):
    """The fake catalogue server, and the keyword arguments that point an Enricher at it."""

    def enricher_kwargs(self) -> dict[str, Any]:
        """Keyword arguments pointing an Enricher at this server, with fast rates and no shared cache.

        Every source is asked for every book (``union``), so tests see both catalogues at work
        without an API key; the default request plan has tests of its own (test_plan.py).
        """
        return {
            "open_library_url": self.url,
            "google_books_url": self.url,
            "rate_limits": dict(FAST_RATES),
            "cache": "off",
            "merge": "union",
        }


@pytest.fixture(scope="session")
def catalogue_server() -> Iterator[FakeCatalogue]:
    server = FakeCatalogue()
    yield server
    server.stop()


@pytest.fixture()
def catalogue(catalogue_server: FakeCatalogue) -> Iterator[FakeCatalogue]:
    """The shared fake catalogue, with zeroed stats and no latency, faults or limits."""
    catalogue_server.clean()
    yield catalogue_server
    catalogue_server.clean()


@pytest.fixture()
def catalogue_env(catalogue: FakeCatalogue, monkeypatch: pytest.MonkeyPatch) -> FakeCatalogue:
    """The fake catalogue configured through BOOKENRICH_* variables (for the compat API and the docs)."""
    monkeypatch.setenv("BOOKENRICH_OPEN_LIBRARY_URL", catalogue.url)
    monkeypatch.setenv("BOOKENRICH_GOOGLE_BOOKS_URL", catalogue.url)
    monkeypatch.setenv("BOOKENRICH_RATE_LIMITS", FAST_RATES_ENV)
    monkeypatch.setenv("BOOKENRICH_CACHE", "off")
    return catalogue


@pytest.fixture(autouse=True)
def _clean_bookenrich_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without BOOKENRICH_* settings from the calling shell."""
    for name in list(os.environ):
        if name.startswith("BOOKENRICH_") and name != "BOOKENRICH_FAKE_CATALOGUE" or name == "GOOGLE_BOOKS_API_KEY":
            monkeypatch.delenv(name)


def load_expected(name: str) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return expected


class GenrePages:
    """A service of the user's own: an HTML page of genres per ISBN, 404 for an unknown one.

    (Tests may start their own server for a source's own service: it stands for the user's, so
    there is no real answer to record.)
    """

    def __init__(self, pages: dict[str, list[str]]) -> None:
        self.pages = pages
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                outer.paths.append(self.path)
                genres = outer.pages.get(self.path.rsplit("/", 1)[-1])
                body = (
                    "<html><body><ul>"
                    + "".join(f'<li class="genre">{html.escape(g)}</li>' for g in genres)
                    + "</ul></body></html>"
                    if genres is not None
                    else "<html><body>No such book</body></html>"
                ).encode()
                self.send_response(200 if genres is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def genre_pages() -> Iterator[GenrePages]:
    """Genre pages for Fantastic Mr. Fox (9780140328721) only."""
    pages = GenrePages({"9780140328721": ["Children's", "Fantasy & Magic"]})
    yield pages
    pages.server.shutdown()
    pages.server.server_close()
