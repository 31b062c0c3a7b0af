//! Catalog search: case- and accent-insensitive, over track titles, artist names and album
//! titles, ranked exact > prefix > word prefix > substring > all words present.

use strato_model::api::{Album, Artist, SearchResults, Track};
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

use super::{Catalog, TrackEntry};

/// Results per kind when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 20;
/// The most results per kind.
pub const MAX_LIMIT: usize = 100;

/// Lowercase, accents stripped (NFD, then combining marks dropped), whitespace collapsed.
#[must_use]
pub fn normalise(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How well a field matches a query; higher is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// Every word of the query starts some word of the field, in any order.
    AllWords,
    Substring,
    /// The query starts a word of the field.
    WordPrefix,
    Prefix,
    Exact,
}

/// How `field` matches `query`, both [`normalise`]d.
#[must_use]
pub fn rank(field: &str, query: &str) -> Option<Rank> {
    if query.is_empty() {
        return None;
    }
    if field == query {
        return Some(Rank::Exact);
    }
    if field.starts_with(query) {
        return Some(Rank::Prefix);
    }
    let mut substring = false;
    for (at, _) in field.match_indices(query) {
        substring = true;
        let before = field[..at].chars().next_back();
        if before.is_some_and(|c| !c.is_alphanumeric()) {
            return Some(Rank::WordPrefix);
        }
    }
    if substring {
        return Some(Rank::Substring);
    }
    let words: Vec<&str> = field.split(|c: char| !c.is_alphanumeric()).collect();
    let all = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|q| words.iter().any(|w| w.starts_with(q)));
    all.then_some(Rank::AllWords)
}

/// Normalised text of each entry, computed once at load.
#[derive(Debug)]
pub struct Index {
    /// Per track: title, artist name, album title.
    tracks: Vec<[String; 3]>,
    /// Per album: title, artist name.
    albums: Vec<[String; 2]>,
    artists: Vec<String>,
}

impl Index {
    pub(super) fn build(tracks: &[TrackEntry], albums: &[Album], artists: &[Artist]) -> Self {
        Self {
            tracks: tracks
                .iter()
                .map(|e| {
                    let t = &e.track;
                    [
                        normalise(&t.title),
                        normalise(&t.artist_name),
                        normalise(&t.album_title),
                    ]
                })
                .collect(),
            albums: albums
                .iter()
                .map(|a| [normalise(&a.title), normalise(&a.artist_name)])
                .collect(),
            artists: artists.iter().map(|a| normalise(&a.name)).collect(),
        }
    }
}

/// Best rank over an entry's fields; earlier fields win ties. Also tries all fields at once,
/// so "artist title" finds the track.
pub(crate) fn best<const N: usize>(fields: &[String; N], query: &str) -> Option<(Rank, usize)> {
    let direct = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| rank(f, query).map(|r| (r, i)))
        .max_by(|(ra, ia), (rb, ib)| ra.cmp(rb).then(ib.cmp(ia)));
    direct.or_else(|| {
        let joined = fields.join(" ");
        (rank(&joined, query) == Some(Rank::AllWords)).then_some((Rank::AllWords, N))
    })
}

/// Sorts candidates best first: rank, then field (title before names), then catalog order.
fn ranked(mut hits: Vec<(Rank, usize, usize)>, limit: usize) -> Vec<usize> {
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    hits.into_iter().take(limit).map(|(_, _, i)| i).collect()
}

impl Catalog {
    /// Searches everything for `query` (not empty after normalising), `limit` results per kind.
    #[must_use]
    pub fn search(&self, query: &str, limit: usize) -> SearchResults {
        let query = normalise(query);
        let limit = limit.clamp(1, MAX_LIMIT);
        let index = self.search_index();
        let hits = |scores: Vec<Option<(Rank, usize)>>| {
            let hits = scores
                .into_iter()
                .enumerate()
                .filter_map(|(i, s)| s.map(|(rank, field)| (rank, field, i)))
                .collect();
            ranked(hits, limit)
        };
        let tracks: Vec<Track> = hits(index.tracks.iter().map(|f| best(f, &query)).collect())
            .into_iter()
            .map(|i| self.all_tracks()[i].track.clone())
            .collect();
        let albums: Vec<Album> = hits(index.albums.iter().map(|f| best(f, &query)).collect())
            .into_iter()
            .map(|i| self.all_albums()[i].clone())
            .collect();
        let artists: Vec<Artist> = hits(
            index
                .artists
                .iter()
                .map(|name| rank(name, &query).map(|r| (r, 0)))
                .collect(),
        )
        .into_iter()
        .map(|i| self.all_artists()[i].clone())
        .collect();
        SearchResults {
            tracks,
            albums,
            artists,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_folds_case_accents_and_spaces() {
        assert_eq!(normalise("  Beyoncé   ÉCLAIR  "), "beyonce eclair");
        assert_eq!(normalise("Mötley Crüe"), "motley crue");
    }

    #[test]
    fn ranks_are_ordered() {
        assert_eq!(rank("blue", "blue"), Some(Rank::Exact));
        assert_eq!(rank("blue monday", "blue"), Some(Rank::Prefix));
        assert_eq!(rank("kind of blue", "blue"), Some(Rank::WordPrefix));
        assert_eq!(rank("true blue", "ue"), Some(Rank::Substring));
        assert_eq!(rank("monday blue", "blue mon"), Some(Rank::AllWords));
        assert_eq!(rank("red", "blue"), None);
        assert!(Rank::Exact > Rank::Prefix && Rank::Prefix > Rank::WordPrefix);
        assert!(Rank::WordPrefix > Rank::Substring && Rank::Substring > Rank::AllWords);
    }
}
