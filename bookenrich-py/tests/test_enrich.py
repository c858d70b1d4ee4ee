"""Enricher against the fake catalogue server: sync, async, progress, errors, cancellation, GIL, fork."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import warnings
from pathlib import Path
from types import FrameType
from typing import Any, Optional

import pytest

import bookenrich
from conftest import EDGE_CASES_CSV, FakeCatalogue

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def books() -> list[bookenrich.BookAnalytics]:
    return bookenrich.read_export(EDGE_CASES_CSV, include_unread=True).books


def by_title(results: list[bookenrich.EnrichedBook], prefix: str) -> bookenrich.EnrichedBook:
    matches = [r for r in results if r.title.startswith(prefix)]
    assert len(matches) == 1, prefix
    return matches[0]


def settle(catalogue: FakeCatalogue) -> int:
    """The server's request count once requests already on the wire have arrived."""
    time.sleep(0.5)
    return int(catalogue.stats()["total"])


def assert_no_more_requests(catalogue: FakeCatalogue) -> None:
    """After a cancelled run: nothing new reaches the server."""
    before = settle(catalogue)
    time.sleep(1.0)
    assert catalogue.stats()["total"] == before


def test_enrich_returns_one_result_per_book_in_order(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    results = enricher.enrich(books)
    assert [r.goodreads_id for r in results] == [b.goodreads_id for b in books]
    assert all(isinstance(r, bookenrich.EnrichedBook) for r in results)
    annihilation = by_title(results, "Annihilation")
    assert "Science Fiction" in annihilation.final_genres
    assert annihilation.final_genres[-1] == "Fiction"
    assert set(annihilation.genre_sources) <= {"open_library", "google_books"}
    assert annihilation.genres_by_source  # the raw strings are kept per source
    atomic = by_title(results, "Atomic Habits")
    assert atomic.final_genres[-1] == "Nonfiction"
    # Unknown to both catalogues (the only "The Alchemist" found is Ben Jonson's play).
    alchemist = by_title(results, "The Alchemist")
    assert alchemist.final_genres == [] and alchemist.thumbnail_url is None and alchemist.error is None
    # Unknown to Open Library: genres and cover come from Google Books alone.
    ready = by_title(results, "Ready Player One")
    assert ready.genre_sources == ["google_books"]
    assert ready.thumbnail_url is not None and "books.google.com" in ready.thumbnail_url
    stats = catalogue.stats()
    assert stats["requests_by_api"]["openlibrary"] > 0 and stats["requests_by_api"]["google"] > 0


def test_enrich_accepts_book_info_and_rejects_other_objects(catalogue: FakeCatalogue) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    fox = bookenrich.BookInfo("Fantastic Mr. Fox", "Roald Dahl", isbn13="9780140328721", goodreads_id="6310")
    [result] = enricher.enrich([fox])
    assert result.goodreads_id == "6310" and result.has_genres
    assert enricher.enrich([]) == []
    with pytest.raises(TypeError, match=r"books\[1\]: expected BookInfo or BookAnalytics, not dict"):
        enricher.enrich([fox, {"title": "x"}])  # type: ignore[list-item]


def test_progress_is_reported_in_order_on_the_calling_thread(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]
) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    events: list[bookenrich.Progress] = []
    threads: set[int] = set()

    def progress(p: bookenrich.Progress) -> None:
        threads.add(threading.get_ident())
        events.append(p)

    enricher.enrich(books, progress=progress)
    assert threads == {threading.get_ident()}
    done = [p.books_done for p in events]
    assert done[0] == 0 and done[-1] == len(books)
    assert done == sorted(done)
    assert {p.books_total for p in events} == {len(books)}
    last = events[-1]
    assert last.fraction_done == 1.0
    assert last.requests == catalogue.stats()["total"]
    assert [s["name"] for s in last.sources] == ["open_library", "google_books"]
    assert set(last.to_dict()) >= {"books_total", "books_done", "requests", "elapsed", "sources"}
    assert isinstance(last.elapsed, float)
    with pytest.raises(TypeError, match="progress must be callable"):
        enricher.enrich(books, progress=42)  # type: ignore[arg-type]


def test_an_exception_in_the_progress_callback_stops_the_run_and_is_raised(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]
) -> None:
    catalogue.configure(latency_ms=300)
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())

    def progress(p: bookenrich.Progress) -> None:
        raise ValueError(f"stop at {p.books_done} of {p.books_total}")

    with pytest.raises(ValueError, match="stop at 0 of 15"):
        enricher.enrich(books, progress=progress)
    assert_no_more_requests(catalogue)


def test_concurrent_runs_on_one_enricher_keep_their_own_progress(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]
) -> None:
    catalogue.configure(latency_ms=50)
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    sizes = {"small": 3, "large": len(books)}
    totals: dict[str, set[int]] = {name: set() for name in sizes}
    results: dict[str, list[bookenrich.EnrichedBook]] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            results[name] = enricher.enrich(books[: sizes[name]], progress=lambda p: totals[name].add(p.books_total))
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(name,)) for name in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert totals == {"small": {3}, "large": {len(books)}}  # no run saw the other's events
    assert [r.goodreads_id for r in results["small"]] == [b.goodreads_id for b in books[:3]]
    assert len(results["large"]) == len(books)


def test_enrich_with_summary(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    results, summary = enricher.enrich_with_summary(books)
    assert len(results) == len(books)
    assert summary["books"] == len(books)
    assert summary["with_genres"] == sum(r.has_genres for r in results)
    assert summary["requests"] == catalogue.stats()["total"]
    assert [s["name"] for s in summary["sources"]] == ["open_library", "google_books"]
    assert isinstance(summary["elapsed"], float)


def test_enrich_async_gives_the_same_results(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    sync = enricher.enrich(books)

    async def main() -> tuple[list[bookenrich.EnrichedBook], tuple[list[bookenrich.EnrichedBook], dict[str, Any]]]:
        plain = await enricher.enrich_async(books)
        with_summary = await enricher.enrich_with_summary_async(books)
        return plain, with_summary

    plain, (again, summary) = asyncio.run(main())
    assert plain == sync
    assert again == sync
    assert summary["books"] == len(books)


def test_async_progress_runs_on_the_event_loop_before_the_await_returns(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]
) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    events: list[int] = []
    threads: set[int] = set()

    def progress(p: bookenrich.Progress) -> None:
        threads.add(threading.get_ident())
        asyncio.get_running_loop()  # raises unless called from the loop's thread
        events.append(p.books_done)

    async def main() -> int:
        results = await enricher.enrich_async(books, progress=progress)
        return len(results)

    assert asyncio.run(main()) == len(books)
    assert threads == {threading.get_ident()}
    assert events[0] == 0 and events[-1] == len(books) and events == sorted(events)


def test_async_progress_exception_is_raised_by_the_await(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]
) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())

    def progress(p: bookenrich.Progress) -> None:
        if p.books_done == p.books_total:
            raise RuntimeError("callback failed on the last event")

    async def main() -> None:
        await enricher.enrich_async(books, progress=progress)

    with pytest.raises(RuntimeError, match="callback failed on the last event"):
        asyncio.run(main())


def test_cancelling_the_asyncio_task_stops_the_work(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    catalogue.configure(latency_ms=2000)
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())

    async def main() -> None:
        task = asyncio.ensure_future(enricher.enrich_async(books))
        deadline = time.monotonic() + 30
        while (await asyncio.to_thread(catalogue.stats))["total"] == 0:
            assert time.monotonic() < deadline, "no request reached the server"
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 30
    assert_no_more_requests(catalogue)


def test_a_signal_handler_exception_stops_a_blocking_enrich(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]
) -> None:
    catalogue.configure(latency_ms=2000)
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())

    class Deadline(Exception):
        pass

    def on_alarm(signum: int, frame: Optional[FrameType]) -> None:
        raise Deadline("enrich took too long")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        started = time.monotonic()
        with pytest.raises(Deadline, match="enrich took too long"):
            enricher.enrich(books)
        assert time.monotonic() - started < 30
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert_no_more_requests(catalogue)


def interrupt_once_a_request_arrives(catalogue: FakeCatalogue) -> None:
    """Sends this process SIGINT (Ctrl-C) once the run is on the wire, not after a fixed time."""
    deadline = time.monotonic() + 60
    while catalogue.stats()["total"] == 0:
        if time.monotonic() > deadline:
            return  # the test then fails with "DID NOT RAISE"
        time.sleep(0.02)
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_raises_keyboard_interrupt(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    catalogue.configure(latency_ms=5000)
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    # Python leaves SIGINT ignored when it starts with it ignored (`nohup ... &`): install
    # the handler a terminal's Ctrl-C reaches, which is what this test is about.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupter = threading.Thread(target=interrupt_once_a_request_arrives, args=(catalogue,))
    try:
        interrupter.start()
        with pytest.raises(KeyboardInterrupt):
            enricher.enrich(books)
    finally:
        interrupter.join()
        signal.signal(signal.SIGINT, previous)
    assert_no_more_requests(catalogue)


def test_the_gil_is_released_while_enriching(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    catalogue.configure(latency_ms=300)
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    stop = threading.Event()
    counter = [0]

    def spin() -> None:
        while not stop.is_set():
            counter[0] += 1

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        before = counter[0]
        enricher.enrich(books)
        during = counter[0] - before
    finally:
        stop.set()
        worker.join()
    # With the GIL held for the whole run the other thread could not count at all.
    assert during > 10_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_enrich_works_in_a_forked_child(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs())
    parent = enricher.enrich(books[:3])  # the runtime and HTTP pool now exist in the parent
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a process with threads (tokio's) may deadlock:
        # surviving exactly that is what this test checks.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        code = 1
        try:
            child = enricher.enrich(books[:3])
            child_async = asyncio.run(enricher.enrich_async(books[:3]))
            ok = child == parent and child_async == parent
            os.write(write_end, b"same" if ok else b"different")
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.05)
    answer = os.read(read_end, 64)
    os.close(read_end)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert answer == b"same"


def test_options_come_from_arguments_then_environment_then_defaults(
    catalogue: FakeCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bookenrich.Enricher().concurrency == 16
    monkeypatch.setenv("BOOKENRICH_CONCURRENCY", "7")
    monkeypatch.setenv("BOOKENRICH_OPEN_LIBRARY_URL", catalogue.url)
    monkeypatch.setenv("BOOKENRICH_SOURCES", "openlibrary")
    from_env = bookenrich.Enricher()
    assert from_env.concurrency == 7
    assert from_env.sources == ["open_library"]
    assert from_env.options()["open_library_url"] == catalogue.url
    explicit = bookenrich.Enricher(concurrency=3, sources=["google", "openlibrary"], merge="first_with_genres")
    assert explicit.concurrency == 3
    assert explicit.sources == ["google_books", "open_library"]
    assert explicit.merge == "first_with_genres"
    assert "concurrency=3" in repr(explicit)


def test_rate_limits_and_contact() -> None:
    anonymous = bookenrich.Enricher()
    assert anonymous.rate_limits == {"open_library": 1.0, "google_books": 1.0}
    identified = bookenrich.Enricher(contact="me@example.com")
    assert identified.rate_limits["open_library"] == 3.0
    custom = bookenrich.Enricher(rate_limits={"openlibrary": 2.5})
    assert custom.rate_limits["open_library"] == 2.5


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"concurrency": 0}, "concurrency", "must be a whole number of at least 1, got 0"),
        ({"concurrency": -2}, "concurrency", "must be a whole number of at least 1, got -2"),
        ({"max_body_bytes": 0}, "max_body_bytes", "must be a whole number of at least 1, got 0"),
        ({"google_daily_budget": 0}, "google_daily_budget", "must be a whole number of at least 1, got 0"),
        ({"merge": "both"}, "merge", '"both" is not "planned", "union" or "first_with_genres"'),
        ({"sources": ["amazon"]}, "sources", 'unknown source "amazon"'),
        ({"rate_limits": {"open_library": -1.0}}, "rate_limits", "open_library: requests per second must be a positive number"),
        ({"rate_limits": {"amazon": 1.0}}, "rate_limits", "amazon"),
        ({"google_books_url": "not a url"}, "google_books_url", "is not a URL"),
        ({"request_timeout": 0.0}, "request_timeout", "between 0 and 86400"),
    ],
)
def test_invalid_options_raise_config_error(kwargs: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher(**kwargs)
    assert message in str(info.value)
    assert info.value.field == field
    assert str(info.value).startswith(f"invalid {field}: ")


def test_invalid_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKENRICH_CONCURRENCY", "lots")
    with pytest.raises(bookenrich.ConfigError) as info:
        bookenrich.Enricher()
    assert info.value.field == "BOOKENRICH_CONCURRENCY"
    assert str(info.value) == 'invalid BOOKENRICH_CONCURRENCY: "lots" is not a whole number'
    with pytest.raises(TypeError, match="cache must be .* or a path, not int 42"):
        bookenrich.Enricher(cache=42)  # type: ignore[arg-type]


def test_a_failing_source_is_recorded_per_book_and_the_key_never_leaks(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]
) -> None:
    catalogue.configure(faults=["503,api=google"])
    secret = "SECRET-KEY-123"
    enricher = bookenrich.Enricher(**catalogue.enricher_kwargs(), google_api_key=secret, max_attempts=1)
    results = enricher.enrich(books)
    failed = [r for r in results if r.error is not None]
    assert failed, "google_books answered 503 for every request"
    assert all("google_books" in (r.error or "") for r in failed)
    # The same, structured: one retryable server failure of Google per failed book.
    for result in failed:
        (failure,) = result.failures
        assert isinstance(failure, bookenrich.SourceFailure)
        assert (failure.source, failure.kind, failure.retryable) == ("google_books", "server", True)
        assert failure.message == result.error == str(failure)
        assert "SourceFailure(source='google_books', kind='server', retryable=True" in repr(failure)
        assert result.is_retryable
        assert bookenrich.EnrichedBook.from_dict(result.to_dict()).failures == result.failures
    assert all(r.failures == [] and not r.is_retryable for r in results if r.error is None)
    # Open Library still answered: the books it knows have genres.
    assert by_title(results, "Fantastic Mr. Fox").has_genres
    everything = repr(enricher) + repr(enricher.options()) + "".join(repr(r.to_dict()) + repr(r.failures) for r in results)
    assert secret not in everything
    assert "google_api_key" not in enricher.options()
    assert catalogue.stats()["api_keys_seen"] > 0


def test_offline_with_an_empty_cache_sends_nothing(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    kwargs = catalogue.enricher_kwargs()
    kwargs.update(offline=True, cache="memory")
    enricher = bookenrich.Enricher(**kwargs)
    assert enricher.offline
    results = enricher.enrich(books)
    assert len(results) == len(books)
    assert not any(r.has_genres for r in results)
    assert catalogue.stats()["total"] == 0


def test_the_memory_cache_answers_a_second_run(catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics]) -> None:
    kwargs = catalogue.enricher_kwargs()
    kwargs["cache"] = "memory"
    enricher = bookenrich.Enricher(**kwargs)
    first = enricher.enrich(books)
    sent = catalogue.stats()["total"]
    second = enricher.enrich(books)
    assert catalogue.stats()["total"] == sent
    assert [r.final_genres for r in second] == [r.final_genres for r in first]
    assert all(r.from_cache for r in second if r.sources_matched)



def test_a_cache_file_answers_later_enrichers_and_offline_runs(
    catalogue: FakeCatalogue, books: list[bookenrich.BookAnalytics], tmp_path: Path
) -> None:
    cache = tmp_path / "cache" / "responses.sqlite"
    kwargs = catalogue.enricher_kwargs()
    kwargs["cache"] = cache
    first = bookenrich.Enricher(**kwargs).enrich(books)
    sent = catalogue.stats()["total"]
    assert sent > 0 and cache.exists()
    second = bookenrich.Enricher(**kwargs).enrich(books)  # a new Enricher: only the file is shared
    assert catalogue.stats()["total"] == sent
    assert [r.final_genres for r in second] == [r.final_genres for r in first]
    offline = bookenrich.Enricher(**{**kwargs, "cache": str(cache), "offline": True}).enrich(books)
    assert [r.final_genres for r in offline] == [r.final_genres for r in first]
    assert catalogue.stats()["total"] == sent


def test_an_unusable_cache_path_is_a_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    path = blocker / "cache.sqlite"
    with pytest.raises(bookenrich.CacheError) as info:
        bookenrich.Enricher(cache=path)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
