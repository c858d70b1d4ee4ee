#!/usr/bin/env python3
"""Writes tests/fixtures/dashboard_genres_covers.json: a dashboard JSON with genres and covers for the report tests.

The books are hand-picked to reach every part of the report: Fiction, Nonfiction, both and neither,
an unenriched book, a year with no reads (2021), re-reads, an unrated book, a book without pages,
a to-read book and a read book without a date (neither counts as read), cover URLs over https and
http plus a `javascript:` one that must be dropped, private notes that must never be shown, and a
hostile title, author, genre and review. The summary and metadata are computed by the contract's
rules (shared/contract/README.md), as the Python pipeline did.

Run from the repository root: python3 bookenrich-cli/tests/report/make_dashboard_fixture.py
"""

import json
from pathlib import Path

OUT = Path("tests/fixtures/dashboard_genres_covers.json")
EXPORT_ID = "5b0c9a3e-2f4d-4e8a-9c1b-7d6e5f4a3b2c"

HOSTILE_TITLE = "</script><script>alert(1)</script>"
HOSTILE_AUTHOR = "<img src=x onerror=alert(2)>"
HOSTILE_GENRE = "<!-- Weird -->"
PRIVATE = "PRIVATE-NOTE-do-not-show"

# (id, title, author, date_read, my_rating, average, pages, genres, status, read_count, thumbnail, review, spoilers, notes)
BOOKS = [
    ("17470674", "Annihilation (Southern Reach #1)", "Jeff VanderMeer", "2023-03-14", 4, 3.7, 195,
     ["Science Fiction", "Horror", "Fiction"], "read", 1, "https://covers.openlibrary.org/b/id/8306756-M.jpg",
     "Strange and <b>beautiful</b>.<br/><br/>The \"Shimmer\" before it was cool.", False, PRIVATE),
    ("25499718", "Children of Time (Children of Time #1)", "Adrian Tchaikovsky", "2024-08-02", 5, 4.29, 600,
     ["Science Fiction", "Space Opera", "Fiction"], "read", 3,
     "http://books.google.com/books/content?id=49T5twEACAAJ&printsec=frontcover&img=1&zoom=1&source=gbs_api",
     "Spiders! The ending spoils itself.", True, None),
    ("23692271", "Sapiens: A Brief History of Humankind", "Yuval Noah Harari", "2022-01-20", 3, 4.39, 443,
     ["History", "Anthropology", "Nonfiction"], "read", 1, "https://covers.openlibrary.org/b/id/8372411-M.jpg",
     None, False, None),
    ("7235533", "The Way of Kings (The Stormlight Archive #1)", "Brandon Sanderson", "2022-07-04", 5, 4.65, 1007,
     ["Fantasy", "Epic Fantasy", "Fiction"], "read", 1, "https://covers.openlibrary.org/b/id/8227331-M.jpg",
     None, False, None),
    ("68428", "The Final Empire (Mistborn #1)", "Brandon Sanderson", "2022-09-10", 4, 4.47, 541,
     ["Fantasy", "Epic Fantasy", "Fiction"], "read", 1, None, None, False, None),
    ("35133922", "Educated", "Tara Westover", "2020-05-01", 4, 4.47, 334,
     ["Memoir", "Biography", "Nonfiction"], "read", 1, "https://covers.openlibrary.org/b/id/8314077-M.jpg",
     None, False, None),
    ("99999999", HOSTILE_TITLE, HOSTILE_AUTHOR, "2020-11-11", 1, 2.5, 150,
     [HOSTILE_GENRE, "Horror", "Fiction"], "read", 1, "javascript:alert(3)",
     "<script>alert(4)</script>Tom &amp; <b>Jerry</b> <img src=x onerror=alert(5)>", False, PRIVATE),
    ("54493401", "Project Hail Mary", "Andy Weir", "2023-11-30", 5, 4.52, 476,
     ["Science Fiction", "Fiction"], "read", 1, "https://covers.openlibrary.org/b/id/11200092-M.jpg",
     None, False, None),
    ("34", "The Fellowship of the Ring (The Lord of the Rings #1)", "J.R.R. Tolkien", "2019-02-14", 5, 4.38, 432,
     ["Fantasy", "Classics", "Fiction"], "read", 2, "https://covers.openlibrary.org/b/id/8474036-M.jpg",
     None, False, None),
    ("11468377", "Thinking, Fast and Slow", "Daniel Kahneman", "2019-09-01", 3, 4.18, 499,
     ["Psychology", "Science", "Nonfiction"], "read", 1, None, None, False, None),
    ("518848", "Sabriel (Abhorsen #1)", "Garth Nix", "2023-06-15", None, 4.18, None,
     ["Fantasy", "Young Adult", "Fiction"], "read", 1, "https://covers.openlibrary.org/b/id/6619325-M.jpg",
     None, False, None),
    ("24113", "Gödel, Escher, Bach: an Eternal Golden Braid", "Douglas R. Hofstadter", "2024-02-02", 4, 4.29, 777,
     ["Mathematics", "Philosophy", "Science", "Fiction", "Nonfiction"], "read", 1, None, None, False, None),
    ("23513349", "Milk and Honey", "Rupi Kaur", "2020-02-14", 2, 3.84, 208,
     ["Poetry"], "read", 1, None, None, False, None),
    ("40121378", "Atomic Habits", "James Clear", "2023-01-05", 3, 4.38, 320,
     [], "read", 1, None, None, False, None),
    ("44767458", "Dune (Dune #1)", "Frank Herbert", None, None, 4.27, 658,
     ["Science Fiction", "Classics", "Fiction"], "to-read", 1, "https://covers.openlibrary.org/b/id/11481354-M.jpg",
     None, False, None),
    ("5907", "The Hobbit", "J.R.R. Tolkien", None, 5, 4.29, 310,
     ["Fantasy", "Classics", "Fiction"], "read", 1, None, None, False, None),
]


def page_category(pages):
    if pages is None:
        return None
    if pages < 200:
        return "Short (<200)"
    if pages < 350:
        return "Medium (200-350)"
    if pages < 500:
        return "Long (350-500)"
    return "Very Long (500+)"


def book(row):
    (gid, title, author, date, rating, avg, pages, genres, status, reads, thumb, review, spoilers, notes) = row
    return {
        "goodreads_id": gid,
        "title": title,
        "author": author,
        "isbn": None,
        "isbn13": None,
        "date_read": date,
        "reading_year": int(date[:4]) if date else None,
        "reading_month_year": date[:7] if date else None,
        "my_rating": rating,
        "average_rating": avg,
        "is_rated": rating is not None,
        "num_pages": pages,
        "publisher": None,
        "binding": "Paperback",
        "publication_year": None,
        "page_category": page_category(pages),
        "reading_status": status,
        "bookshelves": [] if status == "read" else [status],
        "genres": genres,
        "thumbnail_url": thumb,
        "small_thumbnail_url": thumb.replace("-M.jpg", "-S.jpg") if thumb and thumb.endswith("-M.jpg") else thumb,
        "my_review": review,
        "private_notes": notes,
        "has_spoilers": spoilers,
        "has_review": bool(review and review.strip()),
        "genre_enriched": bool(genres),
        "was_reread": reads > 1,
        "original_read_count": reads,
    }


def main():
    books = [book(r) for r in BOOKS]
    read = [b for b in books if b["reading_status"] == "read" and b["date_read"]]
    rated = [b["my_rating"] for b in books if b["my_rating"]]
    enriched = sum(1 for b in books if b["genres"])
    counts = {}
    occurrences = 0
    for b in books:
        for g in b["genres"]:
            occurrences += 1
            counts[g] = counts.get(g, 0) + 1
    # sorted() is stable: ties keep first-seen order, as the contract asks.
    common = sorted(counts.items(), key=lambda kv: -kv[1])[:10]
    dates = sorted(b["date_read"] for b in read)
    summary = {
        "total_books": len(books),
        "read_books": len(read),
        "rated_books": len(rated),
        "genre_enriched_books": enriched,
        "genre_enrichment_rate": enriched / len(books) * 100,
        "unique_authors": len({b["author"] for b in books}),
        "unique_genres": len(counts),
        "total_pages": sum(b["num_pages"] or 0 for b in read),
        "reading_date_range": {"earliest": dates[0], "latest": dates[-1]},
        "reading_years": sorted({b["reading_year"] for b in read}),
        "average_rating": round(sum(rated) / len(rated), 15),
        "most_common_genres": [
            {"genre": g, "count": c, "percentage": c / occurrences * 100} for g, c in common
        ],
    }
    with_genres = [b for b in books if b["genres"]]
    metadata = {
        "export_id": EXPORT_ID,
        "export_timestamp": "2024-09-01T12:00:00.000000Z",
        "exporter_version": "bookenrich 0.1.0",
        "data_schema_version": "1.0.0",
        "export_source": "goodreads_library_export",
        "processing_notes": [f"{len(books)} of {len(books)} books have an enrichment result"],
        "validation": {
            "books_with_missing_dates": sum(1 for b in books if not b["date_read"]),
            "books_with_missing_pages": sum(1 for b in books if b["num_pages"] is None),
            "re_read_books_original_count": sum(1 for b in books if b["was_reread"]),
            # Synthetic: every enriched book from Open Library, the first three from Google Books too.
            "genre_sources_success": {
                "google_books": 3,
                "open_library": len(with_genres),
                "both_sources": 3,
                "no_genres": len(books) - len(with_genres),
            },
            "books_with_failed_lookup": 0,
            "books_without_enrichment_result": 0,
        },
    }
    doc = {"export_id": EXPORT_ID, "books": books, "summary": summary, "metadata": metadata}
    OUT.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(books)} books, {len(read)} read")


if __name__ == "__main__":
    main()
