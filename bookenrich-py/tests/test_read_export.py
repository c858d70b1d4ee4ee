"""read_export: every kind of source, the options, row problems and errors."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import bookenrich
from conftest import EDGE_CASES_CSV

HEADER = "Book Id,Title,Author,Exclusive Shelf,Date Read\n"


def test_reads_a_path_and_keeps_read_books_only() -> None:
    export = bookenrich.read_export(EDGE_CASES_CSV)
    assert isinstance(export, bookenrich.Export)
    assert export.rows_read == 15
    assert export.unread_skipped == 4
    assert len(export) == len(export.books) == 11
    assert export.problems == []
    assert all(b.is_read for b in export.books)
    assert [b.goodreads_id for b in export.books[:3]] == ["17470674", "25499718", "6310"]


def test_include_unread_and_limit() -> None:
    everything = bookenrich.read_export(EDGE_CASES_CSV, include_unread=True)
    assert len(everything.books) == 15
    assert everything.unread_skipped == 0
    statuses = {b.reading_status for b in everything.books}
    assert statuses == {"read", "to-read", "currently-reading", "dnf"}

    first_two = bookenrich.read_export(EDGE_CASES_CSV, limit=2)
    assert [b.title for b in first_two.books] == [
        "Annihilation (Southern Reach #1)",
        "Children of Time (Children of Time #1)",
    ]


@pytest.mark.parametrize(
    "make_source",
    [
        pytest.param(lambda p: p, id="pathlib.Path"),
        pytest.param(lambda p: str(p), id="str path"),
        pytest.param(lambda p: p.read_bytes(), id="bytes"),
        pytest.param(lambda p: bytearray(p.read_bytes()), id="bytearray"),
        pytest.param(lambda p: memoryview(p.read_bytes()), id="memoryview"),
        pytest.param(lambda p: p.read_text(encoding="utf-8"), id="str CSV text"),
    ],
)
def test_every_source_kind_gives_the_same_books(make_source: object) -> None:
    expected = bookenrich.read_export(EDGE_CASES_CSV, include_unread=True).books
    source = make_source(EDGE_CASES_CSV)  # type: ignore[operator]
    assert bookenrich.read_export(source, include_unread=True).books == expected


def test_str_rule_text_with_newline_comma_line_and_path(tmp_path: Path) -> None:
    # A newline makes it CSV text.
    text = HEADER + "1,Dune,Frank Herbert,read,2020/01/02\n"
    assert [b.title for b in bookenrich.read_export(text).books] == ["Dune"]
    # One line with commas that is not a file: CSV text (a header without rows).
    header_only = bookenrich.read_export(HEADER.strip())
    assert header_only.books == [] and header_only.rows_read == 0
    # An existing file wins, even when its name has a comma.
    odd = tmp_path / "my,library.csv"
    odd.write_text(text, encoding="utf-8")
    assert [b.title for b in bookenrich.read_export(str(odd)).books] == ["Dune"]


def test_missing_file_is_file_not_found_with_errno_and_filename(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError) as info:
        bookenrich.read_export(str(missing))
    assert info.value.errno == 2
    assert info.value.filename == str(missing)
    assert str(missing) in str(info.value)


def test_row_problems_name_line_and_reason() -> None:
    text = (
        HEADER
        + "1,Dune,Frank Herbert,read,2020/01/02\n"
        + "2,,Someone,read,2020/01/03\n"
        + "1,Dune again,Frank Herbert,read,2020/01/04\n"
        + "4,Only four,fields,read\n"
    )
    export = bookenrich.read_export(text)
    assert [b.goodreads_id for b in export.books] == ["1"]
    assert export.rows_read == 4
    kinds = [(p.line, p.kind, p.goodreads_id) for p in export.problems]
    assert kinds == [(3, "blank_title", "2"), (4, "duplicate_book_id", "1"), (5, "field_count", None)]
    assert export.problems[0].message == 'column "Title" is blank'
    assert str(export.problems[0]) == 'line 3: column "Title" is blank'
    assert "RowProblem(line=3, kind='blank_title'" in repr(export.problems[0])


def test_not_an_export_is_invalid_input_with_the_reason() -> None:
    with pytest.raises(bookenrich.InvalidInputError) as info:
        bookenrich.read_export(b"name,price\nlamp,3\n")
    assert str(info.value) == (
        "<bytes>: not a Goodreads library export: none of the Goodreads columns "
        "(Book Id, Title, Author, …) is in the header [name, price]"
    )
    assert info.value.file == "<bytes>"

    with pytest.raises(bookenrich.InvalidInputError, match="the file is empty"):
        bookenrich.read_export(b"")
    with pytest.raises(bookenrich.InvalidInputError, match="binary file"):
        bookenrich.read_export(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_missing_columns_error_lists_them() -> None:
    with pytest.raises(bookenrich.MissingColumnsError) as info:
        bookenrich.read_export("Book Id,Exclusive Shelf\n1,read\n")
    error = info.value
    assert isinstance(error, bookenrich.InvalidInputError)
    assert isinstance(error, bookenrich.BookEnrichError)
    assert error.columns == ["Title", "Author"]
    assert error.file == "<string>"
    assert str(error) == "<string>: missing required column(s): Title, Author"


def test_wrong_source_type_is_type_error() -> None:
    with pytest.raises(TypeError, match=r"read_export\(\) expects a path .* not int"):
        bookenrich.read_export(42)  # type: ignore[arg-type]


def test_cells_follow_the_contract() -> None:
    books = {b.goodreads_id: b for b in bookenrich.read_export(EDGE_CASES_CSV, include_unread=True).books}
    fox = books["6310"]
    assert fox.my_rating is None and not fox.is_rated  # 0 stars = not rated
    assert fox.isbn == "0140328726" and fox.isbn13 == "9780140328721"  # ="…" wrapper removed
    assert fox.date_read == datetime.date(2019, 6, 1)
    assert fox.additional_authors == "Quentin Blake"
    pride = books["1885"]
    assert pride.date_read == datetime.date(2008, 9, 1)  # YYYY/MM → 1st of month
    assert pride.reading_month_year == "2008-09"
    assert books["5107"].date_read == datetime.date(2007, 1, 1)  # YYYY → 1 January
    assert books["5107"].has_spoilers is True  # "yes"
    assert books["518848"].num_pages is None  # 0 pages → None
    assert books["36373481"].isbn is None  # ="" → None
    assert books["2767052"].read_count == 1  # 0 → 1
    harry = books["3"]
    assert harry.read_count == 4 and harry.was_reread
    assert harry.owned_copies == 2
    assert books["17470674"].my_review is not None and "\nSecond line" in books["17470674"].my_review
    assert books["17470674"].bookshelves == ["sci-fi", "weird", "favorites"]
    assert books["11870085"].average_rating == 0.0
