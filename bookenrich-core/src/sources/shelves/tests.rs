use super::*;

fn book(shelves: &[&str]) -> BookQuery {
    BookQuery {
        bookshelves: shelves.iter().map(|s| (*s).to_owned()).collect(),
        ..BookQuery::new("Title", "Author")
    }
}

#[test]
fn status_housekeeping_and_yearly_shelves_are_not_genres() {
    let s = Shelves::new();
    for shelf in [
        "to-read",
        "currently-reading",
        "Currently Reading",
        "read",
        "owned",
        "kindle",
        "favorites",
        "2023-reads",
        "read-in-2019",
        "2023",
        "books_i_own",
        " ",
    ] {
        assert!(!s.is_genre_shelf(shelf), "{shelf:?} should be dropped");
    }
    for shelf in [
        "sci-fi",
        "non-fiction",
        "fantasy",
        "Historical Fiction",
        "book-2",
        "top-100",
        "1001-books",
    ] {
        assert!(s.is_genre_shelf(shelf), "{shelf:?} should be kept");
    }
}

#[test]
fn a_hit_holds_the_kept_shelves_as_written_and_notes_the_dropped_ones() {
    let s = Shelves::new();
    let hit = s.hit(&book(&["sci-fi", " to-read", "Non-Fiction ", "2023-reads"])).unwrap();
    assert_eq!(hit.genres, ["sci-fi", "Non-Fiction"]);
    assert_eq!(hit.notes, ["shelves: sci-fi, Non-Fiction (not genres: to-read, 2023-reads)"]);
    assert!(hit.identifiers.is_empty() && hit.thumbnail_url.is_none());
    assert_eq!(s.hit(&book(&["to-read", "owned"])), None);
    assert_eq!(s.hit(&book(&[])), None);
}

#[test]
fn the_list_of_ignored_shelves_is_read_from_the_data_file() {
    let s = Shelves::new();
    // Comments and blank lines are not shelves; every other line is one.
    let listed = IGNORED.lines().filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'));
    assert_eq!(s.ignored.len(), listed.count());
    assert!(!s.ignored.iter().any(|k| k.starts_with('#') || k.is_empty()));
}
