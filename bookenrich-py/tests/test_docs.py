"""docs/python.md: its quick-start blocks run against the fake catalogue and pass mypy --strict."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bookenrich

from conftest import EDGE_CASES_CSV, REPO, FakeCatalogue, GenrePages

DOC = REPO / "docs" / "python.md"


def doc_block(name: str) -> str:
    """The ```python block right after `<!-- test: NAME -->` in docs/python.md."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- test: {re.escape(name)} -->\n```python\n(.*?)\n```", text, re.DOTALL)
    assert match, f"no block marked {name!r} in {DOC}"
    return match.group(1) + "\n"


def type_check(script: Path, tmp_path: Path) -> None:
    """`mypy --strict` passes on `script`, as a user's editor would check the example."""
    check = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(tmp_path / ".mypy"), str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.network
@pytest.mark.parametrize("name", ["quickstart", "quickstart-async", "export-to-dashboard"])
def test_quickstart_runs_and_type_checks(name: str, tmp_path: Path, catalogue_env: FakeCatalogue) -> None:
    script = tmp_path / f"{name.replace('-', '_')}.py"
    script.write_text(doc_block(name), encoding="utf-8")
    shutil.copy(EDGE_CASES_CSV, tmp_path / "goodreads_library_export.csv")

    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    dashboard = json.loads((tmp_path / "dashboard.json").read_text(encoding="utf-8"))
    assert dashboard["summary"]["total_books"] == 11
    with_genres = dashboard["summary"]["genre_enriched_books"]
    assert 0 < with_genres <= 11
    if name == "export-to-dashboard":
        assert "11 books written to dashboard.json, 0 rows skipped" in run.stdout
    else:
        assert f"{with_genres} " in run.stdout
    assert catalogue_env.stats()["total"] > 0  # the BOOKENRICH_* variables pointed it at the fake server

    type_check(script, tmp_path)


def test_typed_dashboard_example_runs_and_type_checks(tmp_path: Path) -> None:
    script = tmp_path / "typed_dashboard.py"
    script.write_text(doc_block("typed-dashboard"), encoding="utf-8")
    shutil.copy(EDGE_CASES_CSV, tmp_path / "goodreads_library_export.csv")
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "11 books read\n"
    type_check(script, tmp_path)
    # The TypedDicts are what makes a misspelt key an error, as the doc says.
    script.write_text(doc_block("typed-dashboard").replace('["read_books"]', '["red_books"]'), encoding="utf-8")
    with pytest.raises(AssertionError, match='TypedDict "DashboardSummary" has no key "red_books"'):
        type_check(script, tmp_path)


@pytest.mark.network
def test_readme_python_example_runs(tmp_path: Path, catalogue_env: FakeCatalogue) -> None:
    """The root README's Python example, as written, enriches and writes the dashboard."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)\n```", readme, re.DOTALL)
    assert match, "README.md has a ```python block"
    script = tmp_path / "readme.py"
    script.write_text(match.group(1) + "\n", encoding="utf-8")
    shutil.copy(EDGE_CASES_CSV, tmp_path / "goodreads_library_export.csv")

    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    dashboard = json.loads((tmp_path / "dashboard.json").read_text(encoding="utf-8"))
    assert dashboard["summary"]["total_books"] == 11
    assert dashboard["summary"]["genre_enriched_books"] > 0
    assert catalogue_env.stats()["total"] > 0


def run_doc_block(name: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Runs the block `name` of docs/python.md beside a copy of the edge-case export."""
    script = tmp_path / f"{name.replace('-', '_')}.py"
    script.write_text(doc_block(name), encoding="utf-8")
    shutil.copy(EDGE_CASES_CSV, tmp_path / "goodreads_library_export.csv")
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run


@pytest.mark.network
def test_shelves_example_prints_the_readers_genre_shelves(tmp_path: Path, catalogue_env: FakeCatalogue) -> None:
    lines = run_doc_block("shelves", tmp_path).stdout.splitlines()
    annihilation = next(line for line in lines if line.startswith("Annihilation"))
    assert "shelves ['sci-fi', 'weird'] ->" in annihilation and "Science Fiction" in annihilation
    assert any(line.startswith("The Way of Kings") and "['fantasy']" in line for line in lines)
    # Books on reading-status shelves only (to-read, currently-reading) have no shelf genres.
    assert not any(line.startswith(("Atomic Habits", "Project Hail Mary")) for line in lines)


@pytest.mark.network
def test_source_examples_run_and_type_check(
    tmp_path: Path, catalogue_env: FakeCatalogue, genre_pages: GenrePages, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = run_doc_block("source-json-api", tmp_path).stdout
    fox = next(line for line in out.splitlines() if line.startswith("Fantastic Mr. Fox"))
    assert fox.startswith("Fantastic Mr. Fox: ['Juvenile Fiction'] -> ")
    assert catalogue_env.stats()["total"] > 0

    (tmp_path / "my_genres.csv").write_text("title,genre\nThe Alchemist,Philosophy\nThe Alchemist,Fiction\n")
    catalogue_env.reset()
    out = run_doc_block("source-local-file", tmp_path).stdout
    assert out.startswith("1 books from my_genres.csv, ")

    monkeypatch.setenv("MY_GENRE_PAGES", genre_pages.url)
    out = run_doc_block("source-html-page", tmp_path).stdout
    assert out.splitlines()[0].startswith("Fantastic Mr. Fox: [\"Children's\", 'Fantasy & Magic'] -> ")
    assert len(out.splitlines()) == 1, out
    # One page asked for per book with an ISBN, each once.
    with_isbn = {f"/isbn/{b.isbn13}" for b in bookenrich.read_export(EDGE_CASES_CSV).books if b.isbn13}
    assert sorted(genre_pages.paths) == sorted(with_isbn)

    for name in ("source-json-api", "source-local-file", "source-html-page"):
        type_check(tmp_path / f"{name.replace('-', '_')}.py", tmp_path)
