#!/usr/bin/env python3
"""Builds the committed seed corpus of every fuzz target from the test fixtures.

    python3 fuzz/make_seed_corpus.py

Every seed is named `seed-<fixture>[-<variant>]` and derived only from files under
`tests/fixtures/` and `bookenrich-core/tests/data/` (see tests/fixtures/PROVENANCE.md for where
those came from), so the corpus can be rebuilt at any time. Inputs libFuzzer finds later are not committed.
"""

import json
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# The recorded catalogue responses live with the core, whose unit tests read them.
RECORDED = ROOT / "bookenrich-core" / "tests" / "data"
CORPUS = ROOT / "fuzz" / "corpus"


def fixture(name: str) -> bytes:
    recorded = RECORDED / name
    return (recorded if recorded.exists() else FIXTURES / name).read_bytes()


def write(target: str, name: str, data: bytes) -> None:
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"seed-{name}").write_bytes(data)


def responses(*parts: bytes) -> bytes:
    """Responses served in order to a source target (see fuzz/src/lib.rs)."""
    return b"\0".join(parts)


def export_reader() -> None:
    csv = fixture("goodreads_edge_cases.csv")
    write("export_reader", "goodreads_edge_cases", csv)
    # Rows one at a time (with the header): small inputs mutate faster. Rows may
    # span lines (quoted reviews), so split on the Book Id at the start of a line.
    text = csv.decode("utf-8")
    header, _, body = text.partition("\n")
    rows, current = [], []
    for line in body.splitlines(keepends=True):
        if current and line.split(",", 1)[0].isdigit():
            rows.append("".join(current))
            current = []
        current.append(line)
    if current:
        rows.append("".join(current))
    for i, row in enumerate(rows, start=1):
        write("export_reader", f"goodreads_edge_cases-row{i:02}", f"{header}\n{row}".encode())
    write("export_reader", "bom-crlf", b"\xef\xbb\xbf" + f"{header}\r\n{rows[0]}".replace("\n", "\r\n").encode())


def open_library() -> None:
    names = sorted(p.name for p in RECORDED.glob("openlibrary_*.json"))
    for name in names:
        write("open_library", Path(name).stem, fixture(name))
    books = fixture("openlibrary_api_books_jscmd_data_3_bibkeys.json")
    no_subjects = fixture("openlibrary_api_books_jscmd_data_isbn_9782070427796_no_subjects_no_cover.json")
    search = fixture("openlibrary_search_json_time_war.json")
    work = fixture("openlibrary_works_OL45804W_fantastic_mr_fox.json")
    write("open_library", "plan-books-search-work", responses(books, search, work))
    write("open_library", "plan-no-subjects-search-work", responses(no_subjects, search, work))
    write("open_library", "plan-empty-then-search", responses(b"{}", search, b"#404{\"error\":\"notfound\"}"))
    write("open_library", "plan-throttled", responses(b'#429{"status":429,"message":"Too Many Requests."}', search))


def google_books() -> None:
    names = sorted(p.name for p in RECORDED.glob("google_*.json"))
    for name in names:
        write("google_books", Path(name).stem, fixture(name))
    write(
        "google_books",
        "plan-isbn-search-then-volume",
        responses(
            fixture("google_volumes_isbn_9780374104092_annihilation.json"),
            fixture("google_volume_2cl7AgAAQBAJ_annihilation.json"),
        ),
    )
    write(
        "google_books",
        "plan-zero-then-title-search-then-volume",
        responses(
            fixture("google_volumes_zero_items.json"),
            fixture("google_volumes_search_children_of_time.json"),
            fixture("google_volume_49T5twEACAAJ_children_of_time.json"),
        ),
    )
    quota = json.dumps(
        {"error": {"code": 429, "message": "Quota exceeded for quota metric 'Queries' and limit 'Queries per day'"}}
    ).encode()
    write("google_books", "plan-daily-quota", responses(b"#429" + quota))


def dashboard_reader() -> None:
    for name in ("dashboard_genres_covers.json", "expected_dashboard_default.json", "expected_dashboard_all_shelves.json"):
        write("dashboard_reader", Path(name).stem, fixture(name))


def fnv1a(kind: int, body: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in bytes([kind]) + body:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def cache_record() -> None:
    """Rows as the cache stores them, in the layout fuzz_targets/cache_record.rs reads."""

    def row(name: str, source: bytes, request: bytes, body: bytes | None, fetched_at: int) -> None:
        positive = body is not None
        payload = body or b""
        size = len(source) + len(request) + len(payload)
        checksum = fnv1a(1 if positive else 0, payload)
        classes = bytes([1, 4 if positive else 0, 1, 1])
        numbers = struct.pack("<qqqQ", fetched_at, 0, size, checksum)
        lengths = bytes([len(source), len(request)])
        write("cache_record", name, classes + numbers + lengths + source + request + payload)

    row(
        "openlibrary_works_OL45804W",
        b"open_library",
        b"/works/OL45804W.json",
        fixture("openlibrary_works_OL45804W_fantastic_mr_fox.json"),
        1_767_225_600,
    )
    row(
        "google_volume_2cl7AgAAQBAJ",
        b"google_books",
        b"/books/v1/volumes/2cl7AgAAQBAJ",
        fixture("google_volume_2cl7AgAAQBAJ_annihilation.json"),
        1_767_225_600,
    )
    row("negative-entry", b"open_library", b"isbn:9780000000002", None, 1_767_225_600)
    row("empty-body", b"google_books", b"/books/v1/volumes?q=isbn:9780000000002", b"", 0)


def genre_normalizer() -> None:
    def subjects_of(value) -> list[str]:
        found = []
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("subjects", "subject", "categories", "mainCategory", "genres") and isinstance(inner, list):
                    for s in inner:
                        if isinstance(s, str):
                            found.append(s)
                        elif isinstance(s, dict) and isinstance(s.get("name"), str):
                            found.append(s["name"])
                elif key == "mainCategory" and isinstance(inner, str):
                    found.append(inner)
                else:
                    found.extend(subjects_of(inner))
        elif isinstance(value, list):
            for inner in value:
                found.extend(subjects_of(inner))
        return found

    for path in sorted([*FIXTURES.glob("*.json"), *RECORDED.glob("*.json")], key=lambda p: p.name):
        subjects = subjects_of(json.loads(path.read_text(encoding="utf-8")))
        if subjects:
            write("genre_normalizer", path.stem, "\n".join(subjects).encode())


def main() -> None:
    for target in ("export_reader", "open_library", "google_books", "dashboard_reader", "cache_record", "genre_normalizer"):
        directory = CORPUS / target
        if directory.exists():
            for seed in directory.glob("seed-*"):
                seed.unlink()
    export_reader()
    open_library()
    google_books()
    dashboard_reader()
    cache_record()
    genre_normalizer()
    for directory in sorted(CORPUS.iterdir()):
        print(f"{directory.relative_to(ROOT)}: {len(list(directory.glob('seed-*')))} seeds")


if __name__ == "__main__":
    main()
