"""Genre sources written in Python, run by the engine beside the built-in ones."""

from __future__ import annotations

import asyncio
import html
import json
import re
import threading
from collections.abc import Sequence
from typing import Any, Literal, Optional

import pytest

import bookenrich
from bookenrich import BookInfo, Fetch, GenreSource, Progress
from conftest import FAST_RATES, FakeCatalogue, GenrePages

# Books the fake catalogue knows (recorded answers): Google Books answers `volumes?q=isbn:...`.
FOX = BookInfo("Fantastic Mr. Fox", "Roald Dahl", isbn13="9780140328721", goodreads_id="6310")
ANNIHILATION = BookInfo("Annihilation", "Jeff VanderMeer", isbn13="9780374104092", goodreads_id="17470674")
BOOKS = [FOX, ANNIHILATION]


class Fixed(GenreSource):
    """Answers every book with the same genres, without a request; records its calls."""

    def __init__(self, name: str = "mine", genres: Optional[list[str]] = None, batch_size: int = 1) -> None:
        self.name = name
        self.genres = ["Science Fiction"] if genres is None else genres
        self.batch_size = batch_size
        self.calls: list[list[str]] = []

    def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
        self.calls.append([b.title for b in books])
        return [list(self.genres) for _ in books]


class GoogleCategories(GenreSource):
    """An async source calling a JSON API (the fake catalogue's Google Books) through `fetch`."""

    name = "categories"
    rate_limit = 1000.0

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
        out: list[Any] = []
        for book in books:
            answer = await fetch.get_json(f"{self.base_url}/books/v1/volumes?q=isbn:{book.isbn13}")
            items = (answer or {}).get("items") or []
            out.append([c for item in items for c in item["volumeInfo"].get("categories", [])] or None)
        return out


def only(*sources: Any, **kwargs: Any) -> bookenrich.Enricher:
    return bookenrich.Enricher(sources=list(sources), cache="off", **kwargs)


def test_a_sync_source_gives_genres_under_its_own_name() -> None:
    source = Fixed()
    results, summary = only(source).enrich_with_summary(BOOKS)
    assert [r.final_genres[:1] for r in results] == [["Science Fiction"], ["Science Fiction"]]
    assert results[0].genres_by_source == {"mine": ["Science Fiction"]}
    assert results[0].genre_sources == ["mine"]
    assert [s["name"] for s in summary["sources"]] == ["mine"]
    assert summary["sources"][0]["books_with_genres"] == 2


def test_a_duck_typed_object_works_too_and_batches_follow_batch_size() -> None:
    class Plain:
        name = "plain"
        batch_size = 3

        def __init__(self) -> None:
            self.sizes: list[int] = []

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> None:
            self.sizes.append(len(books))
            return None  # none found

    source = Plain()
    books = [BookInfo(f"Book {i}", "A", isbn13=isbn) for i, isbn in enumerate(ISBNS)]
    results = only(source).enrich(books)
    assert sorted(source.sizes, reverse=True) == [3, 3, 1]
    assert all(r.final_genres == [] and r.error is None for r in results)


# Seven valid ISBN-13s (the check digit computed), so all books are batched.
ISBNS = [
    s + str((10 - sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(s)) % 10) % 10)
    for s in (f"978000000{n:03d}" for n in range(7))
]


@pytest.mark.network
def test_an_async_source_fetches_through_the_engine_with_its_cache(catalogue: FakeCatalogue) -> None:
    source = GoogleCategories(catalogue.url)
    # An http:// catalogue URL lets the engine's client use the fake catalogue's plain http.
    enricher = bookenrich.Enricher(sources=[source], cache="memory", google_books_url=catalogue.url)
    results, summary = enricher.enrich_with_summary(BOOKS)
    assert results[0].genres_by_source["categories"] == ["Juvenile Fiction"]
    assert catalogue.stats()["total"] == 2  # one request per book, counted by the engine too
    assert summary["sources"][0]["requests"] == 2
    # The same requests again: the engine's response cache answers, the catalogue sees nothing.
    again, summary = enricher.enrich_with_summary(BOOKS)
    assert catalogue.stats()["total"] == 2
    assert summary["sources"][0]["cache_hits"] == 2
    assert [r.final_genres for r in again] == [r.final_genres for r in results]


@pytest.mark.network
def test_a_sync_source_fetches_without_blocking_the_other_sources(catalogue: FakeCatalogue) -> None:
    class SyncCategories(GenreSource):
        name = "sync_categories"

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            answers = [fetch.get_json(f"{catalogue.url}/books/v1/volumes?q=isbn:{b.isbn13}") for b in books]
            return [[c for i in (a or {}).get("items", []) for c in i["volumeInfo"].get("categories", [])] for a in answers]

    # Every source for every book (`union`): the default plan would not ask Open Library for a book
    # the first source already gave genres.
    enricher = bookenrich.Enricher(
        sources=[SyncCategories(), "openlibrary"],
        rate_limits={**FAST_RATES, "sync_categories": 1000},
        merge="union",
        **_urls(catalogue),
    )
    results = enricher.enrich(BOOKS)
    assert "sync_categories" in results[0].genres_by_source and "open_library" in results[0].genres_by_source


def _urls(catalogue: FakeCatalogue) -> dict[str, Any]:
    return {"open_library_url": catalogue.url, "google_books_url": catalogue.url, "cache": "off"}


@pytest.mark.network
def test_the_sources_rate_limit_applies_to_its_fetch(catalogue: FakeCatalogue) -> None:
    # The fake catalogue answers 429 above 4 Google requests a second; the engine keeps the source
    # at its rate_limit of 2, so no request is refused however fast the lookups are.
    catalogue.configure(rate_limits={"openlibrary": None, "google": {"per_second": 4, "burst": 2, "retry_after": 1}})
    source = GoogleCategories(catalogue.url)
    source.rate_limit = 2.0
    books = [FOX, ANNIHILATION] * 3
    enricher = bookenrich.Enricher(sources=[source], cache="off", google_books_url=catalogue.url)
    assert enricher.rate_limits == {"categories": 2.0}
    _, summary = enricher.enrich_with_summary([b.__class__(b.title, b.author, isbn13=b.isbn13) for b in books])
    assert summary["rate_limited"] == 0 and summary["requests"] == catalogue.stats()["total"] == 6
    assert bookenrich.Enricher(sources=[source], rate_limits={"categories": 2}).rate_limits == {"categories": 2.0}


def test_an_exception_fails_only_that_sources_answers() -> None:
    class Broken(GenreSource):
        name = "broken"

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            raise ValueError("catalogue said no")

    results = only(Broken(), Fixed()).enrich(BOOKS)
    for r in results:
        assert r.final_genres  # the other source still answered
        (failure,) = r.failures
        assert (failure.source, failure.kind) == ("broken", "rejected")
        assert "ValueError: catalogue said no" in failure.message


def test_an_async_exception_a_wrong_count_and_a_bad_result_are_reported_the_same_way() -> None:
    class AsyncBroken(GenreSource):
        name = "async_broken"

        async def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            raise KeyError("missing")

    class Short(GenreSource):
        name = "short"
        batch_size = 2

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            return [["Fantasy"]]

    class PerBook(GenreSource):
        name = "per_book"
        batch_size = 2

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            return [RuntimeError("not this one"), 42]

    # union: every source sees both books at once, as one batch of two
    results = only(AsyncBroken(), Short(), PerBook(), Fixed(), merge="union").enrich(BOOKS)
    messages = {f.source: f.message for f in results[0].failures}
    assert "KeyError: 'missing'" in messages["async_broken"]
    assert "returned 1 results for 2 books" in messages["short"]
    assert "result 0: RuntimeError: not this one" in messages["per_book"]
    second = {f.source: f.message for f in results[1].failures}
    assert "result 1: expected None, an exception, a list of genre strings" in second["per_book"]
    assert all(r.final_genres for r in results)


def test_invalid_source_objects_are_refused_when_the_enricher_is_made() -> None:
    with pytest.raises(TypeError, match="needs a `name`"):
        bookenrich.Enricher(sources=[object()])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="batch_size must be a whole number of at least 1"):
        bookenrich.Enricher(sources=[Fixed(batch_size=0)])
    with pytest.raises(bookenrich.ConfigError, match="configured twice"):
        bookenrich.Enricher(sources=[Fixed(), Fixed()])


@pytest.mark.parametrize("merge", ["union", "first_with_genres"])
@pytest.mark.parametrize("first", [True, False])
@pytest.mark.network
def test_mixed_with_built_ins_in_either_place_under_each_merge_policy(
    catalogue: FakeCatalogue, merge: Literal["union", "first_with_genres"], first: bool
) -> None:
    mine = Fixed(genres=["Horror"])
    sources: list[Any] = [mine, "openlibrary"] if first else ["openlibrary", mine]
    progress: list[Progress] = []
    enricher = bookenrich.Enricher(sources=sources, merge=merge, rate_limits=FAST_RATES, **_urls(catalogue))
    assert enricher.sources == (["mine", "open_library"] if first else ["open_library", "mine"])
    results, summary = enricher.enrich_with_summary(BOOKS, progress=progress.append)
    assert [s["name"] for s in summary["sources"]] == enricher.sources
    fox = results[0]
    assert "Horror" in fox.final_genres or not first and merge == "first_with_genres"
    if merge == "first_with_genres" and first:
        # Mine answered every book with genres: Open Library was never asked.
        assert catalogue.stats()["total"] == 0 and fox.genre_sources == ["mine"]
    else:
        assert "open_library" in fox.genre_sources
    if merge == "union":
        assert set(fox.genre_sources) == {"mine", "open_library"}
        assert fox.genres_by_source["mine"] == ["Horror"]
    # Progress counts name the source and end with every book done.
    assert [s["name"] for s in progress[-1].sources] == enricher.sources
    assert progress[-1].books_done == progress[-1].books_total == 2


def test_cancelling_the_run_cancels_an_async_lookup_in_progress() -> None:
    started, saw_cancel = threading.Event(), threading.Event()

    class Slow(GenreSource):
        name = "slow"

        async def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            started.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                saw_cancel.set()
                raise
            return [None for _ in books]

    async def main() -> None:
        task = asyncio.create_task(only(Slow()).enrich_async(BOOKS))
        assert await asyncio.get_running_loop().run_in_executor(None, started.wait, 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert saw_cancel.wait(60), "the lookup's coroutine was not cancelled"


def test_cancelling_stops_a_sync_lookups_later_requests() -> None:
    started, release, outcome = threading.Event(), threading.Event(), []

    class Blocking(GenreSource):
        name = "blocking"

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> Sequence[Any]:
            started.set()
            release.wait(60)
            # The run's cancellation reaches this thread shortly after the task is cancelled;
            # from then on every request fails at once instead of being sent.
            for _ in range(1200):
                try:
                    fetch.get_json("http://127.0.0.1:9/never")
                except bookenrich.CancelledError as e:
                    outcome.append(e)
                    break
                except bookenrich.SourceError:
                    threading.Event().wait(0.05)
            return [None for _ in books]

    async def main() -> None:
        task = asyncio.create_task(only(Blocking()).enrich_async(BOOKS[:1]))
        assert await asyncio.get_running_loop().run_in_executor(None, started.wait, 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    release.set()
    for _ in range(1200):
        if outcome:
            break
        threading.Event().wait(0.05)
    assert outcome and "cancelled" in str(outcome[0])


def test_the_dashboard_counts_the_books_each_source_of_your_own_gave_genres_to() -> None:
    from conftest import EDGE_CASES_CSV

    books = bookenrich.read_export(EDGE_CASES_CSV).books
    dashboard = bookenrich.build_dashboard(books, only(Fixed()).enrich(books))
    success = dashboard["metadata"]["validation"]["genre_sources_success"]
    assert success["other_sources"] == {"mine": len(books)}
    assert (success["open_library"], success["google_books"]) == (0, 0)
    # Without such a source the key is left out, as the contract has it.
    assert "other_sources" not in bookenrich.build_dashboard(books)["metadata"]["validation"]["genre_sources_success"]


def genres_on(page: Optional[str]) -> Optional[list[str]]:
    return [html.unescape(g) for g in re.findall(r'<li class="genre">(.*?)</li>', page)] if page else None


class PageGenres(GenreSource):
    name = "pages"
    rate_limit = 1000.0

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
        return [genres_on(fetch.get_text(f"{self.base_url}/isbn/{b.isbn13}")) for b in books]


class AsyncPageGenres(PageGenres):
    name = "async_pages"

    async def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:  # type: ignore[override]
        return [genres_on(await fetch.get_text(f"{self.base_url}/isbn/{b.isbn13}")) for b in books]


@pytest.mark.parametrize("kind", [PageGenres, AsyncPageGenres])
def test_get_text_reads_html_pages_through_the_engine_and_its_cache(genre_pages: GenrePages, kind: type[PageGenres]) -> None:
    source = kind(genre_pages.url)
    # The engine's client refuses plain http unless a base URL is an http:// one (a local server).
    enricher = bookenrich.Enricher(sources=[source], cache="memory", open_library_url=genre_pages.url)
    results, summary = enricher.enrich_with_summary(BOOKS)
    assert results[0].genres_by_source[source.name] == ["Children's", "Fantasy & Magic"]
    assert source.name not in results[1].genres_by_source and results[1].failures == []  # 404: not found
    assert sorted(genre_pages.paths) == sorted(f"/isbn/{b.isbn13}" for b in BOOKS)
    assert summary["sources"][0]["requests"] == 2
    # Again: the page and the "not found" both come from the engine's cache.
    _, summary = enricher.enrich_with_summary(BOOKS)
    assert len(genre_pages.paths) == 2 and summary["sources"][0]["cache_hits"] == 2


@pytest.mark.network
def test_get_text_is_retried_like_get_json(catalogue: FakeCatalogue) -> None:
    # Open Library's Books API answers JavaScript without `format=json` (a documented shape the
    # fake catalogue serves); the first request of each URL gets Open Library's HTML 503.
    catalogue.configure(faults=["503,api=openlibrary,first-per-url=1"])
    seen: list[str] = []

    class BookInfoScript(GenreSource):
        name = "ol_script"
        rate_limit = 1000.0

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            out: list[Any] = []
            for book in books:
                page = fetch.get_text(f"{catalogue.url}/api/books?bibkeys=ISBN:{book.isbn13}&jscmd=data")
                assert page is not None
                seen.append(page)
                record = json.loads(page.removeprefix("var _OLBookInfo = ").removesuffix(";"))
                out.append([s["name"] for r in record.values() for s in r.get("subjects", [])])
            return out

    enricher = bookenrich.Enricher(sources=[BookInfoScript()], **_urls(catalogue))
    results, summary = enricher.enrich_with_summary([BookInfo("Sabriel", "Garth Nix", isbn13="9780064471831")])
    assert seen[0].startswith("var _OLBookInfo = {")
    assert "Fantasy" in results[0].final_genres
    assert catalogue.stats()["total"] == 2 and summary["sources"][0]["retries"] == 1


def test_get_text_and_get_json_refuse_what_is_not_a_url() -> None:
    errors: list[str] = []

    class BadUrl(GenreSource):
        name = "bad_url"

        def lookup(self, books: list[BookInfo], fetch: Fetch) -> list[Any]:
            for call in (fetch.get_text, fetch.get_json):
                try:
                    call("no url")
                except ValueError as e:
                    errors.append(str(e))
            return [None for _ in books]

    only(BadUrl()).enrich(BOOKS[:1])
    assert [e.split(":")[0] for e in errors] == ["get_text", "get_json"]
    assert all('"no url" is not a URL' in e for e in errors)
