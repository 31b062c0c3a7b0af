//! Full-text search: by title, artist, album; prefixes; accents; what listeners type.

use strato_library::Library;

use crate::support::{Fixture, album, artist, track};

fn seeded(fixture: &Fixture) -> Library {
    let mut library = fixture.open();
    library
        .upsert_catalog(
            &[
                track("t1", "Hyperballad", "Björk", "Post"),
                track("t2", "Army of Me", "Björk", "Post"),
                track("t3", "Jóga", "Björk", "Homogenic"),
                track("t4", "Paranoid Android", "Radiohead", "OK Computer"),
                track("t5", "Karma Police", "Radiohead", "OK Computer"),
                track("t6", "Svefn-g-englar", "Sigur Rós", "Ágætis byrjun"),
                track("t7", "Post Malone Blues", "Various Artists", "Compilation"),
                track("t8", "Ace of Spades", "Motörhead", "Ace of Spades"),
                track("t9", "Crème Brûlée", "Café Tacvba", "Re"),
            ],
            &[
                album("Post", "Björk", 1995),
                album("Homogenic", "Björk", 1997),
                album("OK Computer", "Radiohead", 1997),
                album("Ágætis byrjun", "Sigur Rós", 1999),
            ],
            &[
                artist("Björk"),
                artist("Radiohead"),
                artist("Sigur Rós"),
                artist("Motörhead"),
            ],
        )
        .unwrap();
    library
}

fn track_ids(library: &Library, query: &str) -> Vec<String> {
    let found = library.search(query, 20).unwrap();
    found.tracks.into_iter().map(|t| t.id).collect()
}

#[test]
fn finds_by_title_artist_and_album() {
    let fixture = Fixture::new();
    let library = seeded(&fixture);
    assert_eq!(track_ids(&library, "hyperballad"), ["t1"]);
    let mut by_artist = track_ids(&library, "radiohead");
    by_artist.sort();
    assert_eq!(by_artist, ["t4", "t5"]);
    let mut by_album = track_ids(&library, "homogenic");
    by_album.sort();
    assert_eq!(by_album, ["t3"]);
    // Words may come from different columns: all must match (AND).
    assert_eq!(track_ids(&library, "radiohead karma"), ["t5"]);
    assert!(track_ids(&library, "radiohead hyperballad").is_empty());

    let found = library.search("bjork", 20).unwrap();
    assert_eq!(found.artists.len(), 1);
    assert_eq!(found.artists[0].name, "Björk");
    let albums: Vec<_> = found.albums.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(albums.len(), 2);
    assert!(albums.contains(&"Post") && albums.contains(&"Homogenic"));
    fixture.check(library);
}

#[test]
fn every_word_is_a_prefix() {
    let fixture = Fixture::new();
    let library = seeded(&fixture);
    assert_eq!(track_ids(&library, "hyperb"), ["t1"]);
    assert_eq!(track_ids(&library, "para andr"), ["t4"]);
    assert_eq!(library.search("radioh", 20).unwrap().artists.len(), 1);
    // A prefix of a middle word works too; a suffix does not.
    assert_eq!(track_ids(&library, "poli"), ["t5"]);
    assert!(track_ids(&library, "olice").is_empty());
    fixture.check(library);
}

#[test]
fn accents_and_case_do_not_matter() {
    let fixture = Fixture::new();
    let library = seeded(&fixture);
    assert_eq!(track_ids(&library, "JOGA"), ["t3"]);
    assert_eq!(track_ids(&library, "jóga"), ["t3"]);
    assert_eq!(track_ids(&library, "motorhead"), ["t8"]);
    assert_eq!(track_ids(&library, "creme brulee"), ["t9"]);
    assert_eq!(track_ids(&library, "CAFÉ"), ["t9"]);
    // Accents fold, but letters of their own do not: "æ" is not "ae" to unicode61.
    assert_eq!(track_ids(&library, "agæt"), ["t6"]);
    assert!(track_ids(&library, "agaetis").is_empty());
    assert_eq!(library.search("sigur ros", 20).unwrap().artists.len(), 1);
    fixture.check(library);
}

#[test]
fn title_matches_rank_above_album_matches() {
    let fixture = Fixture::new();
    let library = seeded(&fixture);
    // "post" is t7's title word, and the album of t1 and t2.
    let ranked = track_ids(&library, "post");
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[0], "t7");
    // "ace of spades": t8 matches in title and album.
    assert_eq!(track_ids(&library, "spades")[0], "t8");
    fixture.check(library);
}

#[test]
fn hostile_input_is_searched_as_text() {
    let fixture = Fixture::new();
    let library = seeded(&fixture);
    for query in [
        "\"",
        "\"radiohead",
        "radiohead\"",
        "(",
        ")",
        "*",
        "-",
        ":",
        "^",
        "title:karma",
        "artist_name:radiohead",
        "karma OR",
        "NOT",
        "AND karma",
        "NEAR(karma police)",
        "k*a",
        "-karma",
        "--",
        "\"\"\"",
        "';DROP TABLE tracks;--",
        "\u{0}",
        "🎸 karma",
        "   ",
    ] {
        library
            .search(query, 20)
            .unwrap_or_else(|error| panic!("{query:?} failed: {error}"));
    }
    // Column filters and operators are not obeyed, but the words still count.
    assert_eq!(track_ids(&library, "title:karma"), Vec::<String>::new());
    assert_eq!(track_ids(&library, "-karma"), ["t5"]);
    assert_eq!(track_ids(&library, "(karma)"), ["t5"]);
    assert_eq!(track_ids(&library, "\"karma police\""), ["t5"]);
    assert_eq!(track_ids(&library, "🎸 karma"), ["t5"]);
    // The table survived the SQL-looking input.
    assert!(library.track("t1").unwrap().is_some());
    fixture.check(library);
}

#[test]
fn index_follows_recaching_and_renames() {
    let fixture = Fixture::new();
    let mut library = seeded(&fixture);
    library
        .upsert_tracks(&[track("t1", "Isobel", "Björk", "Post")])
        .unwrap();
    assert!(track_ids(&library, "hyperballad").is_empty());
    assert_eq!(track_ids(&library, "isobel"), ["t1"]);
    // Re-caching the same page changes nothing.
    library
        .upsert_tracks(&[track("t1", "Isobel", "Björk", "Post")])
        .unwrap();
    assert_eq!(track_ids(&library, "isobel"), ["t1"]);
    assert_eq!(library.search("bjork", 20).unwrap().tracks.len(), 3);
    fixture.check(library);
}

#[test]
fn limit_applies_per_type() {
    let fixture = Fixture::new();
    let library = seeded(&fixture);
    let found = library.search("b", 1).unwrap();
    assert_eq!(found.tracks.len(), 1);
    assert!(found.albums.len() <= 1 && found.artists.len() <= 1);
    fixture.check(library);
}
