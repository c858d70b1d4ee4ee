"""build_dashboard / write_dashboard, and the contract fixtures value for value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import bookenrich
from conftest import EDGE_CASES_CSV, load_expected


def comparable(dashboard: bookenrich.Dashboard) -> dict[str, Any]:
    """What the expected files hold: books and summary (no export id, timestamp or metadata)."""
    return {"books": dashboard["books"], "summary": dashboard["summary"]}


@pytest.mark.parametrize(
    ("include_unread", "expected_file"),
    [(False, "expected_dashboard_default.json"), (True, "expected_dashboard_all_shelves.json")],
)
def test_contract_fixtures_through_the_modern_api(include_unread: bool, expected_file: str) -> None:
    export = bookenrich.read_export(EDGE_CASES_CSV, include_unread=include_unread)
    dashboard = bookenrich.build_dashboard(export.books, include_private_notes=True)
    expected = load_expected(expected_file)
    assert comparable(dashboard) == expected
    # Key order too, book by book, as the dashboard's JSON has it.
    assert [list(b) for b in dashboard["books"]] == [list(b) for b in expected["books"]]
    assert list(dashboard["summary"]) == list(expected["summary"])


def test_shape_metadata_and_private_notes() -> None:
    export = bookenrich.read_export(EDGE_CASES_CSV)
    dashboard = bookenrich.build_dashboard(export.books, export_id="0f4c1f9e-0000-4000-8000-000000000001")
    assert list(dashboard) == ["export_id", "books", "summary", "metadata"]
    assert dashboard["export_id"] == "0f4c1f9e-0000-4000-8000-000000000001"
    meta = dashboard["metadata"]
    assert meta["export_id"] == dashboard["export_id"]
    assert meta["data_schema_version"] == "1.0.0"
    assert meta["exporter_version"] == f"bookenrich {bookenrich.__version__}"
    assert "private notes omitted" in meta["processing_notes"]
    assert all(b["private_notes"] is None for b in dashboard["books"])
    assert meta["validation"]["books_without_enrichment_result"] == 11


def test_results_are_merged_by_goodreads_id() -> None:
    books = bookenrich.read_export(EDGE_CASES_CSV).books[:3]
    results = [
        bookenrich.EnrichedBook(goodreads_id=books[2].goodreads_id, final_genres=["Classics"], genre_sources=["open_library"]),
        bookenrich.EnrichedBook(goodreads_id="no-such-book", final_genres=["Horror"]),
        bookenrich.EnrichedBook(goodreads_id=books[0].goodreads_id, final_genres=["Science Fiction"], genre_sources=["google_books"]),
    ]
    dashboard = bookenrich.build_dashboard(books, results)
    assert [b["genres"] for b in dashboard["books"]] == [["Science Fiction"], [], ["Classics"]]
    validation = dashboard["metadata"]["validation"]
    assert validation["books_without_enrichment_result"] == 1
    assert validation["genre_sources_success"] == {"google_books": 1, "open_library": 1, "both_sources": 0, "no_genres": 1}
    assert "1 enrichment results matched no book and were ignored" in dashboard["metadata"]["processing_notes"]
    assert dashboard["summary"]["most_common_genres"][0] == {"genre": "Science Fiction", "count": 1, "percentage": 50.0}


def test_written_contract_dashboard_equals_json_dumps(tmp_path: Path) -> None:
    export = bookenrich.read_export(EDGE_CASES_CSV, include_unread=True)
    dashboard = bookenrich.build_dashboard(export.books, include_private_notes=True)
    bookenrich.write_dashboard(dashboard, tmp_path / "d.json")
    assert (tmp_path / "d.json").read_text(encoding="utf-8") == json.dumps(dashboard, indent=2, ensure_ascii=False)


def test_write_dashboard_writes_what_the_dashboard_reads(tmp_path: Path) -> None:
    books = [bookenrich.BookAnalytics("1", "Cien años de soledad", "Gabriel García Márquez", reading_status="read")]
    dashboard = bookenrich.build_dashboard(books, export_id="e")
    target = tmp_path / "nested" / "dir" / "data.json"
    bookenrich.write_dashboard(dashboard, target)
    text = target.read_text(encoding="utf-8")
    assert "García Márquez" in text  # non-ASCII kept, not \u-escaped
    assert text.startswith('{\n  "export_id": "e",\n  "books": [\n    {\n')  # indent 2, contract key order
    assert json.loads(text) == dashboard
    assert text == json.dumps(dashboard, indent=2, ensure_ascii=False)  # what docs/python.md promises
    assert sorted(p.name for p in target.parent.iterdir()) == ["data.json"]  # no temporary file left
    # A str path works too, and an existing file is replaced.
    bookenrich.write_dashboard({**dashboard, "export_id": "f"}, str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["export_id"] == "f"


def test_write_dashboard_rejects_what_json_cannot_hold(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"dashboard\[\"summary\"\]\[\"x\"\]: NaN is not a finite number"):
        bookenrich.write_dashboard({"summary": {"x": float("nan")}}, tmp_path / "d.json")  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match=r"dashboard\[\"books\"\]\[0\]: unsupported type object"):
        bookenrich.write_dashboard({"books": [object()]}, tmp_path / "d.json")  # type: ignore[typeddict-item]
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError) as info:  # the parent "folder" is a file
        dashboard = bookenrich.build_dashboard([])
        bookenrich.write_dashboard(dashboard, tmp_path / "file" / "d.json")
    assert info.value.filename == str(tmp_path / "file")
    assert not (tmp_path / "d.json").exists()


def edited(dashboard: Any, case: dict[str, Any]) -> Any:
    """A copy of `dashboard` with the fixture case's edit made at its path."""
    broken = json.loads(json.dumps(dashboard))
    node = broken
    for step in case["at"][:-1]:
        node = node[step]
    key = case["at"][-1]
    if case.get("delete"):
        del node[key]
    else:
        node[key] = case["set"]
    return broken


def test_write_dashboard_rejects_what_is_not_a_dashboard(tmp_path: Path) -> None:
    """The cases the core's and Node's tests give too: the same kind, field and message in each."""
    dashboard = bookenrich.build_dashboard(bookenrich.read_export(EDGE_CASES_CSV).books)
    cases = load_expected("invalid_dashboards.json")["cases"]
    assert len(cases) >= 5
    for case in cases:
        # The core's kind `invalid_dashboard` is InvalidInputError (the table in src/error.rs).
        assert case["kind"] == "invalid_dashboard"
        with pytest.raises(bookenrich.InvalidInputError) as info:
            bookenrich.write_dashboard(edited(dashboard, case), tmp_path / "d.json")
        assert str(info.value) == case["message"]
        assert info.value.field == case["field"]
        assert info.value.file == "<input>"
    assert list(tmp_path.iterdir()) == []


def test_build_dashboard_type_errors() -> None:
    with pytest.raises(TypeError):
        bookenrich.build_dashboard([object()])  # type: ignore[list-item]


def test_timestamp_and_processing_notes() -> None:
    import datetime

    books = bookenrich.read_export(EDGE_CASES_CSV).books
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    dashboard = bookenrich.build_dashboard(books, timestamp=when, processing_notes=["from the test"])
    meta = dashboard["metadata"]
    assert meta["export_timestamp"] == "2024-05-06T05:08:09.000000Z"
    assert meta["processing_notes"][0] == "from the test"
    with pytest.raises(TypeError):
        bookenrich.build_dashboard(books, timestamp=datetime.datetime(2024, 5, 6))  # naive: ambiguous


# ---- export_to_dashboard: the same file, without Python objects per book ---------------------

FIXED = {"export_id": "0f4c1f9e-0000-4000-8000-000000000002"}


@pytest.mark.parametrize("include_unread", [False, True])
def test_export_to_dashboard_writes_the_same_bytes_as_the_object_path(tmp_path: Path, include_unread: bool) -> None:
    import datetime

    when = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    export = bookenrich.read_export(EDGE_CASES_CSV, include_unread=include_unread)
    results = [
        bookenrich.EnrichedBook(goodreads_id=export.books[1].goodreads_id, final_genres=["Fantasy"], genre_sources=["open_library"]),
        bookenrich.EnrichedBook(goodreads_id="no-such-book", final_genres=["Horror"]),
    ]
    options: dict[str, Any] = dict(include_private_notes=True, timestamp=when, processing_notes=["from the test"], **FIXED)
    dashboard = bookenrich.build_dashboard(export.books, results, **options)
    bookenrich.write_dashboard(dashboard, tmp_path / "objects.json")

    report = bookenrich.export_to_dashboard(EDGE_CASES_CSV, tmp_path / "fast.json", results, include_unread=include_unread, **options)

    assert (tmp_path / "fast.json").read_bytes() == (tmp_path / "objects.json").read_bytes()
    assert report.path == tmp_path / "fast.json"
    assert isinstance(report.path, Path)
    assert report.books == len(export.books) == len(dashboard["books"])
    assert (report.rows_read, report.unread_skipped) == (export.rows_read, export.unread_skipped)
    assert report.problems == export.problems
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fast.json", "objects.json"]  # no temporary file left


def test_export_to_dashboard_reports_the_rows_it_could_not_use(tmp_path: Path) -> None:
    text = (
        "Book Id,Title,Author,Exclusive Shelf,Date Read\n"
        "1,Dune,Frank Herbert,read,2020/01/02\n"
        "2,,Someone,read,2020/01/03\n"
        "3,Emma,Jane Austen,to-read,\n"
    )
    target = tmp_path / "nested" / "dashboard.json"
    report = bookenrich.export_to_dashboard(text.encode(), str(target))  # bytes in, str path out
    assert (report.books, report.rows_read, report.unread_skipped) == (1, 3, 1)
    assert [(p.line, p.kind) for p in report.problems] == [(3, "blank_title")]
    assert repr(report) == f"DashboardReport(path={str(target)!r}, books=1, problems=1, rows_read=3, unread_skipped=1)"
    dashboard = json.loads(target.read_text(encoding="utf-8"))
    assert [b["title"] for b in dashboard["books"]] == ["Dune"]
    # The dashboard says rows were left out, as the CLI's does.
    assert "1 rows of the export could not be used" in dashboard["metadata"]["processing_notes"]


def test_export_to_dashboard_errors_name_what_is_at_fault(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(FileNotFoundError) as not_found:
        bookenrich.export_to_dashboard(missing, tmp_path / "d.json")
    assert not_found.value.filename == str(missing)
    with pytest.raises(bookenrich.MissingColumnsError):
        bookenrich.export_to_dashboard(b"Book Id,Title\n1,Dune\n", tmp_path / "d.json")
    with pytest.raises(TypeError, match=r"export_to_dashboard\(\) expects a path"):
        bookenrich.export_to_dashboard(42, tmp_path / "d.json")  # type: ignore[arg-type]
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError) as blocked:  # the output's parent "folder" is a file
        bookenrich.export_to_dashboard(EDGE_CASES_CSV, tmp_path / "file" / "d.json")
    assert str(tmp_path / "file") in str(blocked.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # nothing written on failure
