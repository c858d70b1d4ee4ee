"""Pure functions of the handlers and the CDK app: job ids, multipart, failure classes, concurrency."""

from __future__ import annotations

import bookenrich
import pytest

from bookenrich_aws import eta, failures, jobstatus, multipart
from bookenrich_aws.layout import InvalidJobId, batch_of_result_key, batch_sizes, parse_job_id, result_key
from bookenrich_infra.config import DeploymentConfig, child_rate_limits, rate_limits_env

JOB = "0b6f8a52-3c1e-4d7a-9f2b-5e6c7d8e9f01"


class TestJobId:
    def test_canonical_uuids_pass_and_are_lower_cased(self) -> None:
        assert parse_job_id(JOB) == JOB
        assert parse_job_id(JOB.upper()) == JOB

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "not-a-uuid",
            "../status/x",
            JOB + "/../data",
            JOB[:-1] + "g",
            "{" + JOB + "}",
            JOB.replace("-", ""),
            "0b6f8a52-3c1e-4d7a-9f2b-5e6c7d8e9f01\x00",
            "a" * 10_000,
            None,
            42,
        ],
    )
    def test_anything_else_is_refused(self, value: object) -> None:
        with pytest.raises(InvalidJobId):
            parse_job_id(value)

    def test_the_error_does_not_echo_huge_values(self) -> None:
        with pytest.raises(InvalidJobId) as info:
            parse_job_id("x" * 10_000)
        assert len(str(info.value)) < 200


def test_batches_cover_every_book_once() -> None:
    assert batch_sizes(0, 25) == []
    assert batch_sizes(25, 25) == [25]
    assert batch_sizes(3001, 25) == [25] * 120 + [1]
    assert sum(batch_sizes(2999, 7)) == 2999
    with pytest.raises(ValueError):
        batch_sizes(10, 0)


def test_result_keys_round_trip() -> None:
    assert batch_of_result_key(result_key(JOB, 0)) == 0
    assert batch_of_result_key(result_key(JOB, 123_456)) == 123_456
    assert batch_of_result_key(f"uploads/{JOB}/job.json") is None


def test_progress() -> None:
    assert jobstatus.progress(0, 0) == {"total_books": 0, "processed_books": 0, "percent_complete": 100.0}
    assert jobstatus.progress(3, 1) == {"total_books": 3, "processed_books": 1, "percent_complete": 33.3}
    assert jobstatus.progress(3, 7)["processed_books"] == 3


class TestMultipart:
    CSV = 'Book Id,Title\r\n1,"Line one\r\nline two, é"\r\n2,Ünïcödé\n'.encode()

    def body(self, boundary: str = "XyZ", *, name: str = "csv", closing: bool = True) -> bytes:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="lib.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        return head + self.CSV + (f"\r\n--{boundary}--\r\n".encode() if closing else b"")

    def test_file_bytes_come_back_unchanged(self) -> None:
        parts = multipart.parse(self.body(), "multipart/form-data; boundary=XyZ")
        assert [(p.name, p.filename) for p in parts] == [("note", None), ("csv", "lib.csv")]
        assert parts[1].data == self.CSV
        assert parts[1].content_type == "text/csv"

    def test_quoted_boundary(self) -> None:
        parts = multipart.parse(self.body("a b"), 'multipart/form-data; boundary="a b"')
        assert parts[1].data == self.CSV

    @pytest.mark.parametrize("content_type", ["text/csv", "multipart/form-data", "multipart/form-data; boundary="])
    def test_bad_content_types(self, content_type: str) -> None:
        with pytest.raises(multipart.MultipartError):
            multipart.parse(self.body(), content_type)

    def test_truncated_body(self) -> None:
        with pytest.raises(multipart.MultipartError, match="truncated"):
            multipart.parse(self.body(closing=False), "multipart/form-data; boundary=XyZ")

    def test_wrong_boundary(self) -> None:
        with pytest.raises(multipart.MultipartError, match="boundary"):
            multipart.parse(self.body(), "multipart/form-data; boundary=other")


def failed(*failures_: tuple[str, str, bool]) -> bookenrich.EnrichedBook:
    """A result whose sources failed as (source, kind, retryable), as the S3 results hold it."""
    messages = [f"{source}: {kind}" for source, kind, _ in failures_]
    records = [
        {"source": source, "kind": kind, "retryable": retryable, "message": message}
        for (source, kind, retryable), message in zip(failures_, messages)
    ]
    return bookenrich.EnrichedBook.from_dict(
        {"goodreads_id": "1", "error": "; ".join(messages) or None, "failures": records}
    )


class TestFailureClasses:
    @pytest.mark.parametrize(
        "result",
        [
            failed(("open_library", "rate_limited", True)),
            failed(("google_books", "server", True)),
            failed(("open_library", "timeout", True)),
            failed(("open_library", "connection", True)),
            failed(("google_books", "malformed_response", True)),
            # One retryable failure is enough, whatever the other source says.
            failed(("google_books", "rejected", False), ("open_library", "server", True)),
        ],
    )
    def test_transient(self, result: bookenrich.EnrichedBook) -> None:
        assert failures.is_transient(result)

    @pytest.mark.parametrize(
        "result",
        [
            failed(),
            failed(("google_books", "quota_exhausted", False)),
            failed(("google_books", "disabled", False)),
            failed(("open_library", "rejected", False)),
            failed(("open_library", "response_too_large", False)),
            failed(("open_library", "offline", False)),
        ],
    )
    def test_not_transient(self, result: bookenrich.EnrichedBook) -> None:
        assert not failures.is_transient(result)
        assert not failures.is_throttle(result)

    def test_only_a_rate_limit_is_a_throttle(self) -> None:
        assert failures.is_throttle(failed(("google_books", "server", True), ("open_library", "rate_limited", True)))
        assert not failures.is_throttle(failed(("google_books", "server", True)))

    def test_a_failure_kind_the_core_does_not_know_is_refused(self) -> None:
        with pytest.raises(bookenrich.InvalidInputError, match="kind"):
            failed(("open_library", "gremlins", True))


class TestConcurrency:
    def test_each_processor_gets_its_share(self) -> None:
        assert child_rate_limits({"openlibrary": 3, "google": 1}, 3, contact="me@example.com") == {
            "openlibrary": 1.0,
            "google": 1 / 3,
        }

    def test_the_total_never_exceeds_the_catalogue_limit(self) -> None:
        for n in range(1, 50):
            rates = child_rate_limits({"openlibrary": 3, "google": 1}, n, contact="me@example.com")
            assert rates["openlibrary"] * n == pytest.approx(3)
            assert rates["google"] * n == pytest.approx(1)

    def test_open_library_without_a_contact_is_one_per_second(self) -> None:
        assert child_rate_limits({"openlibrary": 3}, 2, contact=None) == {"openlibrary": 0.5}

    def test_invalid_settings(self) -> None:
        with pytest.raises(ValueError):
            child_rate_limits({"openlibrary": 3}, 0, contact=None)
        with pytest.raises(ValueError):
            child_rate_limits({"openlibrary": 0}, 1, contact=None)
        with pytest.raises(ValueError):
            DeploymentConfig(tolerated_failure_percentage=101)

    @pytest.mark.parametrize(
        ("limits", "sources", "contact", "expected"),
        [
            ({"openlibrary": 3, "google": 1}, None, "me@example.com", 1),  # Google's 1/s is the tightest
            ({"openlibrary": 3, "google": 1}, "openlibrary", "me@example.com", 3),
            ({"openlibrary": 3, "google": 1}, "open_library", None, 1),  # 1/s without a contact
            ({"openlibrary": 3, "google": 10}, "openlibrary,google_books", "me@example.com", 3),
            ({"openlibrary": 0.5, "google": 1}, None, "me@example.com", 1),  # never below one
        ],
    )
    def test_default_concurrency_gives_each_processor_one_request_per_second(
        self, limits: dict[str, float], sources: str | None, contact: str | None, expected: int
    ) -> None:
        config = DeploymentConfig(catalogue_rate_limits=limits, sources=sources, contact=contact)
        assert config.concurrency == expected
        assert set(config.child_rate_limits) == (
            {"openlibrary"} if sources in ("openlibrary", "open_library") else {"openlibrary", "google"}
        )
        for source, rate in config.child_rate_limits.items():
            assert rate * expected <= limits[source] + 1e-9

    def test_a_configured_concurrency_wins(self) -> None:
        config = DeploymentConfig(max_concurrency=5, contact="me@example.com")
        assert config.concurrency == 5
        assert config.child_rate_limits == {"openlibrary": 3 / 5, "google": 1 / 5}

    def test_unknown_sources_are_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown catalogue"):
            DeploymentConfig(sources="openlibrary,amazon")

    def test_env_syntax(self) -> None:
        assert rate_limits_env({"openlibrary": 1.0, "google": 1 / 3}) == "openlibrary=1,google=0.333333"

    def test_context_values(self) -> None:
        context = {
            "maxConcurrency": "6",
            "catalogueRateLimits": "openlibrary=3,google=2",
            "includeUnread": "true",
            "contact": "me@example.com",
            "corsOrigins": "https://a.example,https://b.example",
        }
        config = DeploymentConfig.from_context(context.get)
        assert config.max_concurrency == 6
        assert config.include_unread is True
        assert config.cors_origins == ("https://a.example", "https://b.example")
        assert config.child_rate_limits == {"openlibrary": 0.5, "google": 2 / 6}


def test_the_eta_shares_each_catalogue_and_the_processors_among_the_jobs_in_flight() -> None:
    limits = {"openlibrary": 2.0, "google": 1.0}
    one = eta.Processors(count=1, batch_size=25, batch_seconds=0.5)
    # 100 books, 40 unknown to the cache: 8 Open Library and 30 Google requests planned.
    mine = eta.JobLoad(books=100, planned_books=40, planned_requests={"openlibrary": 8, "google": 30})
    assert mine.requests_left() == {"openlibrary": 8, "google": 30}
    # The known books go first: 60 done leave every planned request; 80 done leave half.
    assert eta.JobLoad(**{**mine.__dict__, "done": 60}).requests_left() == {"openlibrary": 8, "google": 30}
    assert eta.JobLoad(**{**mine.__dict__, "done": 80}).requests_left() == {"openlibrary": 4, "google": 15}
    alone = eta.planned_seconds(mine, [], limits, one)
    assert alone == pytest.approx(30 / 1.0 + 4 * 0.5)  # Google decides; four batches
    # A job with 10 Google requests left takes 10 of this job's share; one with 100 takes 30.
    small = eta.JobLoad(books=25, planned_books=25, planned_requests={"google": 10})
    large = eta.JobLoad(books=500, planned_books=500, planned_requests={"google": 100})
    shared = eta.planned_seconds(mine, [small, large], limits, one)
    assert shared == pytest.approx((30 + 10 + 30) / 1.0 + (4 + 1 + 4) * 0.5)
    # Google's requests sent so far were half the plan's for the books done: the rest is halved.
    sent = eta.JobLoad(books=100, done=100, planned_books=100, planned_requests={"google": 40}, sent={"google": 20})
    assert eta.observed_ratios([mine, sent]) == {"openlibrary": 1.0, "google": 0.5}
    assert eta.planned_seconds(mine, [sent], limits, one) == pytest.approx(15 / 1.0 + 4 * 0.5)
    # Without a plan, per book.
    assert eta.shared_seconds(10, [5, 20], 2.0) == pytest.approx(2.0 * (10 + 5 + 10))
