"""Smoke test of an installed bookenrich package, as a user gets it: from the sdist on this machine,
and from the aarch64 wheel under qemu-user (scripts/ci/release.sh). Offline: no enrichment."""

import platform
import sys

import bookenrich

assert "site-packages" in bookenrich.__file__ or "wheel" in bookenrich.__file__, bookenrich.__file__
CSV = (
    "Book Id,Title,Author,ISBN13,Exclusive Shelf,Date Read,Number of Pages\n"
    '1,Annihilation,Jeff VanderMeer,"=""9780374104092""",read,2023/03/14,195\n'
    "2,Sabriel,Garth Nix,,to-read,,491\n"
)
export = bookenrich.read_export(CSV)
assert [b.title for b in export.books] == ["Annihilation"], export.books
assert export.books[0].isbn13 == "9780374104092" and export.unread_skipped == 1
genres = bookenrich.normalize_genres(["Fiction / Science Fiction / Space Opera", "Large type books", "Sci-fi."])
assert genres == ["Science Fiction", "Space Opera", "Fiction"], genres
dashboard = bookenrich.build_dashboard(export.books)
assert dashboard["summary"]["total_books"] == 1, dashboard["summary"]
print(f"release: bookenrich {bookenrich.__version__} works on {platform.machine()} (Python {sys.version.split()[0]})")
