//! Full-text search of the catalog cache (the FTS5 indexes of migration 0002).
//!
//! What the listener types is never handed to FTS5 as query syntax. It is split on
//! whitespace and every word becomes a quoted prefix term, `"word"*`, joined by spaces
//! (FTS5's implicit AND). Inside quotes FTS5 treats `-`, `:`, `(`, `*`, `^`, `AND`, `NEAR`
//! as plain text, and the tokenizer then drops the punctuation, so "AC/DC" still finds
//! AC/DC. A quote inside a word is doubled, FTS5's only escape.

use rusqlite::params;
use strato_model::api::SearchResults;

use crate::catalog::{
    ALBUM_COLUMNS, ARTIST_COLUMNS, TRACK_COLUMNS, album_from_row, artist_from_row, collect,
    track_from_row,
};
use crate::error::Result;
use crate::library::Library;

/// Words past this many are ignored: nobody types them, and each one costs a lookup.
const MAX_TERMS: usize = 12;

impl Library {
    /// Searches the cached catalog. Every word must match the start of a word in a track's
    /// title, artist or album (for albums: title or artist; artists: name), ignoring case
    /// and accents. At most `limit` results of each type, best match first (bm25).
    ///
    /// Any input is accepted; input with no letters or digits finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Result<SearchResults> {
        let Some(fts_query) = fts_query(query) else {
            return Ok(SearchResults {
                tracks: Vec::new(),
                albums: Vec::new(),
                artists: Vec::new(),
            });
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|conn| {
            // A track the service said is gone (deleted, taken down, made private) is not
            // offered, though its row stays for the playlists that show it as unavailable.
            // Left out before the ranking's limit, so it takes no place of a track that is.
            let tracks = collect(
                conn,
                &ranked_match(
                    TRACK_COLUMNS,
                    "tracks",
                    "t",
                    TRACK_WEIGHTS,
                    "AND rowid NOT IN \
                     (SELECT g.pk FROM tracks g JOIN unavailable_tracks u ON u.track_id = g.id)",
                ),
                params![fts_query, limit],
                |row| track_from_row(row, 0),
            )?;
            let albums = collect(
                conn,
                &ranked_match(ALBUM_COLUMNS, "albums", "a", ALBUM_WEIGHTS, ""),
                params![fts_query, limit],
                |row| album_from_row(row, 0),
            )?;
            let artists = collect(
                conn,
                &ranked_match(ARTIST_COLUMNS, "artists", "r", "", ""),
                params![fts_query, limit],
                |row| artist_from_row(row, 0),
            )?;
            Ok(SearchResults {
                tracks,
                albums,
                artists,
            })
        })
    }
}

/// bm25 weights of `tracks_search`'s columns (title, artist, album): a title match counts
/// most, then the artist, then the album.
const TRACK_WEIGHTS: &str = ", 10.0, 5.0, 2.0";
/// bm25 weights of `albums_search`'s columns (title, artist).
const ALBUM_WEIGHTS: &str = ", 10.0, 4.0";

/// The query for the best `?2` rows of `table` matching `?1`. The ranked, limited match runs
/// inside FTS5 first; only the winners are joined to their rows. The weights are spelled out
/// here rather than stored as the index's default `rank`, which FTS5 evaluates through an
/// extra indirection per matching row (measured ~40% slower on common words).
/// `filter` (`AND` a condition on the index's `rowid`, or empty) drops rows before the
/// ranking's limit.
fn ranked_match(columns: &str, table: &str, alias: &str, weights: &str, filter: &str) -> String {
    let score = format!("bm25({table}_search{weights})");
    format!(
        "SELECT {columns} FROM \
           (SELECT rowid, {score} AS score FROM {table}_search \
            WHERE {table}_search MATCH ?1 {filter} ORDER BY {score} LIMIT ?2) s \
         JOIN {table} {alias} ON {alias}.pk = s.rowid ORDER BY s.score, {alias}.pk"
    )
}

/// The FTS5 query for what the listener typed, or `None` if it has nothing to search for.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split_whitespace()
        // A word with no letter or digit would be an empty phrase once tokenized.
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(MAX_TERMS)
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_healthy, track};

    #[test]
    fn words_become_quoted_prefix_terms() {
        assert_eq!(fts_query("radio head").unwrap(), r#""radio"* "head"*"#);
        assert_eq!(fts_query(r#"say "hi""#).unwrap(), r#""say"* """hi"""*"#);
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("- * : ( \" )"), None);
    }

    #[test]
    fn hostile_input_never_errors() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .upsert_tracks(&[track("t1", "Paranoid Android", "Radiohead", "OK Computer")])
            .unwrap();
        let hostile = [
            "\"",
            "\"\"",
            "*",
            "-",
            "--",
            ":",
            "(",
            ")",
            "^",
            "+",
            "a:b",
            "title:x",
            "(x",
            "x)",
            "x AND",
            "OR",
            "NOT x",
            "NEAR(a b)",
            "a\"b",
            "\"unterminated",
            "*prefix",
            "-radiohead",
            "🎸",
            "\u{301}",
            "a - b",
            "{x}",
            "[x]",
            "'",
            "\\",
            "\0",
            "x*y",
            "radio*",
            "%",
            "_",
        ];
        for query in hostile {
            library
                .search(query, 10)
                .unwrap_or_else(|error| panic!("{query:?}: {error}"));
        }
        // Operator words are searched as words, not obeyed.
        let found = library.search("-radiohead", 10).unwrap();
        assert_eq!(found.tracks.len(), 1);
        let found = library.search("OK NOT", 10).unwrap();
        assert!(found.tracks.is_empty());
        assert_healthy(&library);
    }

    #[test]
    fn tracks_no_longer_available_are_not_found() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .upsert_tracks(&[
                track("up-1", "Porch", "Ana", "Home Tapes"),
                track(
                    "up-2",
                    "Porch Light at the Very End of the Summer",
                    "Ana",
                    "Home Tapes",
                ),
            ])
            .unwrap();
        let ids = vec!["up-1".to_owned(), "up-2".to_owned()];
        library.record_availability(&ids, &ids[..1]).unwrap();
        // The gone track would rank first (the shorter title): it takes no place of the one
        // that is available, even with room for one.
        let found = library.search("porch", 1).unwrap();
        let found: Vec<&str> = found.tracks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(found, ["up-2"]);
        assert_healthy(&library);
    }

    #[test]
    fn punctuated_names_are_found() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .upsert_tracks(&[track("t1", "Thunderstruck", "AC/DC", "The Razors Edge")])
            .unwrap();
        for query in ["AC/DC", "ac dc", "ac-dc", "razors", "thunder"] {
            let found = library.search(query, 10).unwrap();
            assert_eq!(found.tracks.len(), 1, "{query}");
        }
        assert_healthy(&library);
    }
}
