#!/usr/bin/env python3
"""Writes the table-driven test data of the genre normaliser.

Run from this directory: `python3 generate.py`. The outputs are committed; the
tests read them with `include_str!`. Each table is built from the shapes real
catalogues use (see issue 4 and tests/fixtures/), crossed with lists of
components whose expected genres are known *independently of the normaliser*:
a row's expected value is the union of its components' expected genres.

noise_<class>.txt   one raw string per line; none of them may yield a genre.
hierarchy_<style>.tsv   raw<TAB>expected genres joined by ";" (order-free).
"""

import itertools
import random

RNG = random.Random(4)  # fixed seed: the files are deterministic


def write_lines(name, rows):
    rows = list(dict.fromkeys(rows))  # dedupe, keep order
    assert len(rows) >= 200, (name, len(rows))
    with open(name, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")


def write_tsv(name, rows):
    seen = {}
    for raw, expected in rows:
        seen.setdefault(raw, expected)
    assert len(seen) >= 200, (name, len(seen))
    with open(name, "w", encoding="utf-8") as f:
        for raw, expected in seen.items():
            assert "\t" not in raw
            f.write(f"{raw}\t{';'.join(sorted(set(expected)))}\n")


def case_variants(s):
    return [s, s.lower(), s.upper(), s.title(), s + ".", " " + s + " "]


# ------------------------------------------------------------------ noise

def reading_levels():
    rows = []
    for g in range(1, 13):
        rows += [f"Reading Level-Grade {g}", f"Grade {g}", f"Grade level {g}", f"Reading level: grade {g}"]
    for a, b in [(0, 3), (3, 5), (4, 8), (5, 7), (6, 8), (8, 12), (9, 12), (10, 14), (12, 17), (14, 18)]:
        rows += [
            f"Ages {a}-{b}", f"Ages {a} to {b}", f"For ages {a}-{b}", f"Grades {a}-{b}", f"Interest level: Grades {a}-{b}",
            f"Reading level: grades {a}-{b}", f"Age {a}+", f"Ages {a} and up", f"{a} year olds", f"Interest age: from c {a} years",
            f"Reading age {a}+", f"Ab {a} Jahren", f"Dès {a} ans", f"À partir de {a} ans", f"{a} ans et plus", f"Edad: {a}",
            f"Suitable for ages {a}+",
        ]
    for n in [420, 560, 680, 720, 800, 850, 910, 1000, 1150]:
        rows += [f"Lexile {n}L", f"Lexile: {n}"]
    for x in ["3.4", "4.5", "5.1", "6.8", "7.2"]:
        rows += [f"Accelerated Reader AR {x}", f"AR level {x}", f"ATOS {x}"]
    for lvl in "ABCDJKMNPRTZ":
        rows += [f"Guided reading level {lvl}", f"Fountas & Pinnell level {lvl}"]
    rows += ["Juvenile audience", "Preschool", "Kindergarten", "Easy reading materials", "Early readers", "Readers", "Key Stage 2"]
    return rows


FORMATS = [
    "Large type books", "Large print books", "Large print", "Large type", "Audiobooks", "Audiobook", "Audio book",
    "Audio books", "Audio CD", "Sound recordings", "Talking books", "Braille books", "Braille", "Electronic books",
    "eBook", "E-books", "Ebooks", "Kindle edition", "Kindle", "Hardcover", "Paperback", "Mass market paperback",
    "Trade paperback", "Board books", "Toy and movable books", "Pop-up books", "Lift-the-flap books", "Protected DAISY",
    "DAISY", "Unabridged", "Abridged", "Abridged edition", "MP3 CD", "Audiocassettes", "Book club edition",
    "First edition", "Illustrated edition", "Deluxe edition", "Boxed set", "Box set", "Special edition",
    "Anniversary edition", "Limited edition", "Collector's edition", "Large print books -- Spanish",
    "Electronic resources", "Online resource", "Microform", "Livres audio", "Hörbuch", "Grands caractères",
    "Letra grande", "Großdruck", "Livre de poche", "Pocket books",
]


def formats():
    rows = []
    for f in FORMATS:
        rows += [f, f.lower(), f.upper(), f + ".", f"{f} (2004)"]
    return rows


NYT_LISTS = [
    "hardcover-fiction", "paperback-nonfiction", "combined-print-and-e-book-fiction", "business-books", "young-adult",
    "childrens-middle-grade", "science", "sports", "graphic-books-and-manga", "advice-how-to-and-miscellaneous",
    "picture-books", "series-books", "trade-fiction-paperback", "mass-market-paperback", "hardcover-nonfiction",
]
AWARDS = [
    "hugo_award=best_novel", "nebula_award=novel", "locus_award=sf_novel", "newbery_medal", "carnegie_medal=2001",
    "booker_prize=shortlist", "national_book_award=fiction", "edgar_award=best_novel", "printz_award=winner",
    "pulitzer_prize=fiction", "costa_book_awards=novel", "arthur_c_clarke_award", "world_fantasy_award=novel",
    "caldecott_medal=honor", "bram_stoker_award=novel",
]


def housekeeping():
    rows = [
        "In library", "Lending library", "Open Library Staff Picks", "Staff picks", "reviewed", "bestseller",
        "Bestsellers", "New York Times bestseller", "New York Times reviewed", "Accessible book", "Protected DAISY",
        "Internet Archive Wishlist", "Long Now Manual for Civilization", "OverDrive", "to-read", "currently-reading",
        "Currently reading", "favorites", "Favourites", "Wishlist", "Wish list", "Book club", "Book club pick",
        "Reading group guide", "Reading challenge 2019", "1001 Books You Must Read Before You Die", "Must read",
        "TBR", "Kindle Unlimited", "Textbooks", "Popular print disabled books", "Print disabled", "Owned",
        "Oprah's Book Club", "Book of the Month", "Goodreads Choice", "Amazon Best of the Month", "Recommended reading",
        "Reading list", "Booklist starred review", "series:Discworld", "place:london", "person:harry potter",
        "time:19th century", "subject:fiction", "shelf:to-read", "list:top-100", "Nestlé Smarties Book Prize winner",
        "Newbery Medal", "Newbery Honor Book", "Caldecott Medal", "Caldecott Honor", "Hugo Award Winner",
        "Hugo Awards", "Nebula Award Nominee", "Booker Prize shortlist", "Pulitzer Prize for Fiction",
        "National Book Award winner", "Carnegie Medal", "Whitbread Book Award", "Costa Book Award", "Printz Honor",
        "Man Booker Prize longlist", "Prix Goncourt", "Premio Planeta", "Deutscher Buchpreis",
        "Deutscher Jugendliteraturpreis", "Andersen Award", "Coretta Scott King Award", "Stonewall Honor Book",
        "Scholastic Book Club", "Library binding", "In library.", "LENDING LIBRARY",
    ]
    for lst in NYT_LISTS:
        for date in ["2008-06-01", "2012-01-15", "2017-10-29", "2020-07-12", "2021-03-07", "2023-11-19"]:
            rows.append(f"nyt:{lst}={date}")
    for award in AWARDS:
        rows += [f"award:{award}", f"award:{award}".upper()]
    for y in range(2005, 2025, 3):
        rows += [f"Read in {y}", f"Reading challenge {y}"]
    return rows


LANGS = [
    "English", "Spanish", "French", "German", "Italian", "Chinese", "Japanese", "Russian", "Dutch", "Portuguese", "Latin",
    "Arabic", "Hebrew", "Korean", "Swedish", "Polish", "Greek", "Turkish", "Hindi", "Welsh", "Irish", "Catalan",
    "Danish", "Norwegian", "Finnish",
]


def languages():
    rows = ["Amerikanisches Englisch", "Engels", "Englisch", "Anglais", "Inglés", "English language", "Bilingual",
            "Texts", "Translations"]
    for lang in LANGS:
        rows += [
            f"{lang} language materials", f"Translations from {lang}", f"Translations into {lang}",
            f"{lang} language materials -- Bilingual", f"{lang} authors", f"{lang} language edition",
            f"Translated from the {lang}", f"{lang} language",
        ]
    return rows


def dates():
    rows = []
    for y in range(1500, 2025, 9):
        rows.append(str(y))
    for a in range(1600, 2000, 25):
        rows += [f"{a}-{a + 24}", f"{a}s", f"ca. {a}", f"To {a}"]
    for n, ordinal in enumerate(["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "11th", "12th", "13th",
                                 "14th", "15th", "16th", "17th", "18th", "19th", "20th", "21st"], start=1):
        rows += [f"{ordinal} century", f"{n}. Jahrhundert", f"{ordinal} Century."]
    for roman in ["XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"]:
        rows += [f"Siglo {roman}", f"{roman}e siècle"]
    rows += ["Early works to 1800", "1939-1945", "1914-1918", "1861-1865", "1990s", "2000-2099", "18th-19th centuries"]
    return rows


QUALIFIERS = [
    "Fictitious character", "Fictional character", "Imaginary place", "Imaginary organization", "Personnage fictif",
    "Personaje ficticio", "Legendary character", "Lieu imaginaire", "Fiktive Gestalt", "Imaginary creature",
]
ENTITY_NAMES = [
    "Harry Potter", "Hermione Granger", "Ron Weasley", "Albus Dumbledore", "Sherlock Holmes", "Hercule Poirot",
    "Discworld", "Middle-earth", "Narnia", "Hogwarts School of Witchcraft and Wizardry", "Westeros", "Earthsea",
    "Gandalf", "Frodo Baggins", "Bilbo Baggins", "Paddington Bear", "Winnie-the-Pooh", "Peter Rabbit", "Mr. Fox",
    "Sabriel", "Rincewind", "Sam Vimes", "Jack Reacher", "Miss Marple", "Nancy Drew", "Tintin", "Astérix",
    "Oz", "Wonderland", "King Arthur", "Robin Hood", "Dracula, Count", "Potter, Harry", "Holmes, Sherlock",
    "Granger, Hermione", "Lyra Belacqua", "Arrakis", "Gormenghast", "Lilliput", "Atlantis",
]


def entities():
    rows = []
    for name, q in itertools.product(ENTITY_NAMES, QUALIFIERS):
        rows.append(f"{name} ({q})")
    RNG.shuffle(rows)
    return rows[:320]


PLACES = [
    "England", "London (England)", "Scotland", "Wales", "Ireland", "France", "Paris (France)", "Germany", "Berlin (Germany)",
    "Spain", "Madrid (Spain)", "Italy", "Rome (Italy)", "United States", "New York (N.Y.)", "California", "Texas",
    "Chicago (Ill.)", "Boston (Mass.)", "Canada", "Toronto (Ont.)", "Australia", "Sydney (N.S.W.)", "India", "China",
    "Japan", "Tokyo (Japan)", "Russia", "Moscow (Russia)", "Mexico", "Brazil", "Argentina", "Egypt", "Nigeria",
    "South Africa", "Kenya", "Inglaterra", "Deutschland", "Angleterre", "Londres", "Estados Unidos", "Frankreich",
    "Europe", "Africa", "Asia", "Arctic regions", "Antarctica", "Mars (Planet)", "Outer space", "English countryside",
    "Privet Drive", "Yorkshire (England)", "Oxford (England)", "Cambridge (England)", "Edinburgh (Scotland)",
    "Dublin (Ireland)", "Los Angeles (Calif.)", "San Francisco (Calif.)", "Seattle (Wash.)", "Mississippi",
]


def geographic():
    rows = []
    for p in PLACES:
        rows += [p, p.upper(), p + ".", p.lower()]
    return rows


PERSONS = [
    "Rowling, J. K.", "Shakespeare, William, 1564-1616", "Lincoln, Abraham, 1809-1865", "Austen, Jane, 1775-1817",
    "Dickens, Charles, 1812-1870", "Tolkien, J. R. R. (John Ronald Reuel), 1892-1973", "Dahl, Roald",
    "Napoleon I, Emperor of the French, 1769-1821", "Elizabeth I, Queen of England, 1533-1603",
    "Einstein, Albert, 1879-1955", "Darwin, Charles, 1809-1882", "Curie, Marie, 1867-1934", "Churchill, Winston, 1874-1965",
    "Gandhi, Mahatma, 1869-1948", "King, Martin Luther, Jr., 1929-1968", "Mandela, Nelson, 1918-2013",
    "Frank, Anne, 1929-1945", "Obama, Barack", "Jobs, Steve, 1955-2011", "Musk, Elon", "Hitler, Adolf, 1889-1945",
    "Stalin, Joseph, 1878-1953", "Cleopatra, Queen of Egypt, -30 B.C.", "Caesar, Julius", "Jesus Christ",
    "Harry Potter", "Hermione Granger", "Ron Weasley", "Albus Dumbledore", "Hagrid", "The Dursleys", "Dobby",
    "Moaning Myrtle", "Ginny Weasley", "Draco Malfoy", "Boggis", "Bunce", "Bean", "Mr Fox", "Gilderoy Lockhart",
    "Atwood, Margaret, 1939-", "Pratchett, Terry", "Le Guin, Ursula K., 1929-2018", "Nix, Garth",
    "VanderMeer, Jeff", "Tchaikovsky, Adrian", "El-Mohtar, Amal", "Gladstone, Max", "Clear, James",
]


def persons():
    rows = []
    for p in PERSONS:
        rows += [p, p.upper(), p + ".", p.lower(), p.replace(",", "")]
    return rows


ERAS = [
    "Middle Ages", "Renaissance", "Victorian era", "Twentieth century", "Nineteenth century", "Edo period",
    "Meiji period", "Elizabethan era", "Jazz Age", "Great Depression", "Tang dynasty", "Bronze Age", "Prehistoric times",
    "Regency", "Georgian era", "Belle Époque", "Roaring twenties", "Reformation", "Enlightenment", "Cold war",
    "Industrial revolution", "Ming dynasty", "Stone age", "Iron age", "Gilded Age", "The whole of time and space",
    "Life and Death", "Modern period", "Antiquity", "Space age",
]


def times():
    rows = []
    for era in ERAS:
        rows += [era, era.lower(), f"{era}, 1800-1900", f"{era} (1700-1800)", era.upper(), f"{era}.",
                 f"{era} -- 1500-1600", f"{era}, ca. 1200"]
    rows = [r for r in rows if r.lower() not in ("regency",)]  # "Regency" is a romance genre word
    return rows


# ------------------------------------------------------------------ hierarchies

FIC = "Fiction"
CH = "Children's"
YA = "Young Adult"

GOOGLE_FICTION_CATS = [
    ("Fantasy", ["Fantasy"]), ("Science Fiction", ["Science Fiction"]), ("Mystery & Detective", ["Mystery"]),
    ("Thrillers", ["Thriller"]), ("Horror", ["Horror"]), ("Romance", ["Romance"]), ("Historical", ["Historical Fiction"]),
    ("Literary", ["Literary Fiction"]), ("Dystopian", ["Dystopia"]), ("Action & Adventure", ["Adventure"]),
    ("Westerns", ["Westerns"]), ("Short Stories (single author)", ["Short Stories"]),
    ("Fairy Tales, Folk Tales, Legends & Mythology", ["Fairy Tales"]), ("Humorous", ["Humor"]),
    ("War & Military", ["War"]), ("Christian", ["Christian"]), ("LGBTQ+", ["LGBT"]), ("Sports", ["Sports"]),
    ("Coming of Age", ["Coming of Age"]), ("Magical Realism", ["Magical Realism"]), ("Gothic", ["Gothic"]),
    ("Erotica", ["Erotica"]), ("Alternative History", ["Alternate History"]), ("Classics", ["Classics"]),
    ("Crime", ["Crime"]), ("Noir", ["Crime"]), ("Occult & Supernatural", ["Paranormal"]), ("General", []),
    ("Dystopian", ["Dystopia"]), ("Women", []), ("Family Life", []), ("Psychological", []), ("Contemporary Women", ["Women's Fiction"]),
]
GOOGLE_SUBS = [
    (None, []), ("General", []), ("Suspense", ["Thriller"]), ("Historical", ["Historical Fiction"]),
    ("Contemporary", ["Contemporary"]), ("Paranormal", ["Paranormal"]), ("Time Travel", ["Time Travel"]),
    ("Cyberpunk", ["Cyberpunk"]), ("Steampunk", ["Steampunk"]), ("Post-Apocalyptic", ["Post Apocalyptic"]),
    ("Space Opera", ["Space Opera"]), ("Hard Science Fiction", ["Science Fiction"]), ("Cozy", ["Mystery"]),
    ("Police Procedural", ["Crime"]), ("Humorous", ["Humor"]), ("Military", ["War"]), ("Alien Contact", ["Science Fiction"]),
    ("Genetic Engineering", []), ("Space Exploration", []), ("Epic", []), ("Dark Fantasy", ["Fantasy"]),
    ("Action & Adventure", ["Adventure"]), ("Dragons & Mythical Creatures", ["Fantasy"]),
]
GOOGLE_NONFICTION = [
    ("Business & Economics", ["Business"]), ("Cooking", ["Cooking"]), ("Health & Fitness", ["Health"]),
    ("History", ["History"]), ("Philosophy", ["Philosophy"]), ("Psychology", ["Psychology"]), ("Religion", ["Religion"]),
    ("Science", ["Science"]), ("Self-Help", ["Self Help"]), ("Social Science", ["Sociology"]),
    ("Political Science", ["Politics"]), ("Travel", ["Travel"]), ("True Crime", ["True Crime"]), ("Art", ["Art"]),
    ("Music", ["Music"]), ("Nature", ["Nature"]), ("Poetry", ["Poetry"]), ("Drama", ["Plays"]),
    ("Literary Criticism", ["Literary Criticism"]), ("Language Arts & Disciplines", ["Linguistics"]),
    ("Education", ["Education"]), ("Family & Relationships", ["Relationships"]), ("Sports & Recreation", ["Sports"]),
    ("Technology & Engineering", ["Technology"]), ("Computers", ["Technology"]), ("Mathematics", ["Mathematics"]),
    ("Law", ["Law"]), ("Reference", ["Reference"]), ("Crafts & Hobbies", ["Crafts"]), ("Gardening", ["Gardening"]),
    ("Games & Activities", ["Games"]), ("Body, Mind & Spirit", ["Spirituality"]),
    ("Comics & Graphic Novels", ["Graphic Novels"]), ("Humor", ["Humor"]), ("Pets", ["Animals"]), ("Medical", ["Health"]),
    ("Photography", ["Art"]), ("Architecture", ["Art"]), ("Design", ["Art"]), ("Foreign Language Study", ["Foreign Language Study"]),
    ("Biography & Autobiography", ["Biography"]),
]
GOOGLE_NONFICTION_SUBS = [
    (None, []), ("General", []), ("Essays", ["Essays"]), ("Study & Teaching", ["Education"]), ("Reference", ["Reference"]),
    ("Anecdotes", []), ("Personal Memoirs", ["Memoir"]),
]


def google():
    rows = []
    for (cat, cg), (sub, sg) in itertools.product(GOOGLE_FICTION_CATS, GOOGLE_SUBS):
        for top, tg in [("Fiction", [FIC]), ("Juvenile Fiction", [FIC, CH]), ("Young Adult Fiction", [FIC, YA])]:
            raw = f"{top} / {cat}" + (f" / {sub}" if sub else "")
            rows.append((raw, tg + cg + sg))
    RNG.shuffle(rows)
    rows = rows[:420]
    for (cat, cg), (sub, sg) in itertools.product(GOOGLE_NONFICTION, GOOGLE_NONFICTION_SUBS):
        raw = cat + (f" / {sub}" if sub else "")
        rows.append((raw, cg + sg))
        rows.append((f"Juvenile Nonfiction / {raw}", [CH, "Nonfiction"] + cg + sg))
    # Upper-case BISAC as some feeds send it.
    rows += [(raw.upper(), exp) for raw, exp in rows[:60]]
    return rows


LCSH_TOPICS = [
    "Wizards", "Schools", "Orphans", "Friendship", "Families", "Brothers and sisters", "Magic", "Witches", "Boarding schools",
    "Good and evil", "Courage", "Quests (Expeditions)", "Revenge", "Neighbors", "Self-realization",
    "Death", "Grief", "Islands", "Ships", "Robots", "Foxes", "Badgers", "Farmers", "Tunnels", "Hunger",
    "Teenage girls", "Young women", "Married people", "Mothers and daughters", "Fathers and sons",
]
# The genre each topic belongs to by the vocabulary's [topics] table (kind: F fiction, N nonfiction,
# P a nonfiction genre that stays itself in fiction), independent of any heading around it.
LCSH_TOPIC_GENRES = {
    "Wizards": [("Fantasy", "F")], "Magic": [("Fantasy", "F")], "Witches": [("Fantasy", "F")],
    "Schools": [("Education", "N")], "Boarding schools": [("Education", "N")], "Orphans": [("Sociology", "N")],
    "Friendship": [("Relationships", "N")], "Families": [("Relationships", "N")],
    "Brothers and sisters": [("Relationships", "N")],
    "Quests (Expeditions)": [("Adventure", "A")], "Grief": [("Psychology", "N")], "Robots": [("Technology", "N")],
    "Foxes": [("Animals", "A")], "Badgers": [("Animals", "A")], "Farmers": [("Sociology", "N")],
    "Teenage girls": [("Sociology", "N")], "Young women": [("Sociology", "N")],
}
# Forms after which a heading is an invented work: its nonfiction topics are not genres.
LCSH_INVENTED = {"Fiction", "Juvenile fiction", "Young adult fiction", "Fiction.", "Drama", "Poetry", "Juvenile poetry",
                 "Juvenile drama"}
LCSH_MIDDLES = [
    (None, []), ("England", []), ("London (England)", []), ("New York (N.Y.)", []), ("20th century", []),
    ("1939-1945", []), ("19th century", []), ("Scotland", []),
]
LCSH_FORMS = [
    ("Fiction", [FIC]), ("Juvenile fiction", [FIC, CH]), ("Juvenile literature", [CH, "Nonfiction"]),
    ("Drama", ["Plays"]), ("Poetry", ["Poetry"]), ("Comic books, strips, etc.", ["Graphic Novels"]), ("Humor", ["Humor"]),
    ("Juvenile poetry", ["Poetry", CH]), ("Young adult fiction", [FIC, YA]), ("Pictorial works", []),
    ("Caricatures and cartoons", ["Humor"]), ("Juvenile drama", ["Plays", CH]), ("Fiction.", [FIC]),
]


def lcsh():
    rows = []
    for topic, (mid, mg), (form, fg) in itertools.product(LCSH_TOPICS, LCSH_MIDDLES, LCSH_FORMS):
        raw = topic + (f" -- {mid}" if mid else "") + f" -- {form}"
        tg = [g for g, kind in LCSH_TOPIC_GENRES.get(topic, []) if form not in LCSH_INVENTED or kind != "N"]
        rows.append((raw, tg + mg + fg))
    RNG.shuffle(rows)
    rows = rows[:400]
    # Em-dash and no-space spellings some catalogues use.
    rows += [(raw.replace(" -- ", "—"), exp) for raw, exp in rows[:40]]
    rows += [(raw.replace(" -- ", "--"), exp) for raw, exp in rows[40:80]]
    return rows


LOC_GENRES = [
    ("fantasy", ["Fantasy"]), ("science fiction", ["Science Fiction"]), ("mystery & detective", ["Mystery"]),
    ("romance", ["Romance"]), ("historical", ["Historical Fiction"]), ("thrillers", ["Thriller"]), ("horror", ["Horror"]),
    ("westerns", ["Westerns"]), ("war & military", ["War"]), ("humorous", ["Humor"]), ("christian", ["Christian"]),
    ("action & adventure", ["Adventure"]), ("short stories", ["Short Stories"]), ("dystopian", ["Dystopia"]),
    ("literary", ["Literary Fiction"]), ("coming of age", ["Coming of Age"]), ("gothic", ["Gothic"]),
]
LOC_QUALS = [(None, []), ("general", []), ("epic", []), ("contemporary", ["Contemporary"]), ("space opera", ["Space Opera"])]
NATIONALITIES = ["American", "English", "Welsh", "Canadian", "Australian", "Irish", "Scottish", "French", "German",
                 "Spanish", "Italian", "Russian", "Japanese", "Chinese", "New Zealand", "Nigerian"]
LOC_FORMS = [
    ("Fantasy fiction", ["Fantasy", FIC]), ("Science fiction", ["Science Fiction"]), ("Detective and mystery stories", ["Mystery"]),
    ("Children's stories", [CH, FIC]), ("Short stories", ["Short Stories"]), ("Horror tales", ["Horror"]),
    ("Love stories", ["Romance"]), ("Historical fiction", ["Historical Fiction"]), ("Adventure stories", ["Adventure"]),
    ("Ghost stories", ["Horror"]), ("Humorous stories", ["Humor"]), ("Children's poetry", [CH, "Poetry"]),
    ("Young adult fiction", [YA, FIC]), ("Fiction", [FIC]), ("Drama", ["Plays"]),
]


def loc_inverted():
    rows = []
    for (g, gg), (q, qg) in itertools.product(LOC_GENRES, LOC_QUALS):
        rows.append((f"Fiction, {g}" + (f", {q}" if q else ""), [FIC] + gg + qg))
    for (form, fg), nat in itertools.product(LOC_FORMS, NATIONALITIES):
        rows.append((f"{form}, {nat}", fg))
    for topic in LCSH_TOPICS:
        tg = [g for g, kind in LCSH_TOPIC_GENRES.get(topic, []) if kind != "N"]
        rows.append((f"{topic}, fiction", [FIC] + tg))
        rows.append((f"{topic}, juvenile fiction", [FIC, CH] + tg))
    return rows


ENTITY_FORMS = [
    ("fiction", [FIC]), ("juvenile fiction", [FIC, CH]), ("Comic books, strips, etc.", ["Graphic Novels"]),
    ("Drama", ["Plays"]), ("Juvenile literature", [CH, "Nonfiction"]), ("Poetry", ["Poetry"]),
]


def entity_hierarchies():
    rows = []
    for name, q, (form, fg) in itertools.product(ENTITY_NAMES, QUALIFIERS[:5], ENTITY_FORMS):
        sep = RNG.choice([", ", " -- ", " / "])
        rows.append((f"{name} ({q}){sep}{form}", fg))
    RNG.shuffle(rows)
    return rows[:300]


def main():
    write_lines("noise_reading_level.txt", reading_levels())
    write_lines("noise_format.txt", formats())
    write_lines("noise_housekeeping.txt", housekeeping())
    write_lines("noise_language.txt", languages())
    write_lines("noise_date.txt", dates())
    write_lines("noise_entity.txt", entities())
    write_lines("noise_geographic.txt", geographic())
    write_lines("noise_person.txt", persons())
    write_lines("noise_time.txt", times())
    write_tsv("hierarchy_google.tsv", google())
    write_tsv("hierarchy_lcsh.tsv", lcsh())
    write_tsv("hierarchy_loc_inverted.tsv", loc_inverted())
    write_tsv("hierarchy_entity.tsv", entity_hierarchies())


if __name__ == "__main__":
    main()
