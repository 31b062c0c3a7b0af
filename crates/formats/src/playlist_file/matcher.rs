//! A playlist file's entries matched to the tracks of a library, so an imported playlist
//! plays what the listener has: "12 of 14 matched", and why the other two were not.
//!
//! Each entry is matched, in order:
//! 1. by its file: an absolute path, or a relative one resolved against the playlist's
//!    folder, equal to a track's path (separators, `.` and `..`, Unicode normalisation
//!    aside; a Windows drive's paths in any case). Without the folder, a relative path
//!    matches the one track whose path ends with it;
//! 2. by its tags: the title, and the artist when the entry has one, equal once both are
//!    folded (see [`fold`]). An entry without tags is looked up by its file name
//!    (`03 - Artist - Title.mp3`). When both know their length, it must agree within
//!    [`LENGTH_TOLERANCE`]; among several tracks, the closest length wins, then the same
//!    album. Tracks of one title by different artists, with nothing to choose between
//!    them, leave an entry without an artist unmatched rather than guessed.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

use super::PlaylistEntry;
use super::location::{LocationKind, is_drive_path, location_kind};

/// How far apart an entry's length and a track's may be: players round, and rips differ
/// by a few hundred milliseconds of silence.
pub const LENGTH_TOLERANCE: Duration = Duration::from_secs(3);

/// A track of the library an entry may match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Candidate {
    pub id: String,
    pub artist: Option<String>,
    pub title: String,
    pub album: Option<String>,
    pub duration: Option<Duration>,
    /// The track's file, for tracks on this computer.
    pub path: Option<String>,
}

/// What became of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryMatch {
    Matched {
        /// The entry's index in the playlist file.
        entry: usize,
        /// The [`Candidate::id`] it matched.
        candidate: String,
        by: MatchedBy,
    },
    Unmatched {
        entry: usize,
        why: Unmatched,
    },
}

/// What an entry was matched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    Path,
    Tags,
}

/// Why an entry matched no track, in words for the listener (its `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// Its file is not in the library, and it has no title to look for (a stream, say).
    NothingToLookFor,
    /// No track has its title (by its artist, when it has one).
    NotInLibrary {
        artist: Option<String>,
        title: String,
    },
    /// Tracks of its title and artist, none of its length.
    LengthDiffers {
        title: String,
        expected: Duration,
        closest: Duration,
    },
    /// Several tracks of its title, by different artists, and it names none.
    Ambiguous { title: String, count: usize },
}

impl fmt::Display for Unmatched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmatched::NothingToLookFor => {
                write!(
                    f,
                    "its file is not in the library, and it has no title to look for"
                )
            }
            Unmatched::NotInLibrary {
                artist: Some(artist),
                title,
            } => write!(f, "no track called “{title}” by {artist} in the library"),
            Unmatched::NotInLibrary {
                artist: None,
                title,
            } => write!(f, "no track called “{title}” in the library"),
            Unmatched::LengthDiffers {
                title,
                expected,
                closest,
            } => write!(
                f,
                "“{title}” is in the library, but {} long, not {}",
                minutes(*closest),
                minutes(*expected)
            ),
            Unmatched::Ambiguous { title, count } => write!(
                f,
                "{count} tracks by different artists are called “{title}”, and the playlist does not say which"
            ),
        }
    }
}

/// `3:07`
fn minutes(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

impl EntryMatch {
    #[must_use]
    pub fn is_matched(&self) -> bool {
        matches!(self, EntryMatch::Matched { .. })
    }
}

/// Matches every entry, in the playlist's order. `playlist_folder` is the folder the
/// playlist file is in, for its relative paths.
#[must_use]
pub fn match_entries(
    entries: &[PlaylistEntry],
    candidates: &[Candidate],
    playlist_folder: Option<&str>,
) -> Vec<EntryMatch> {
    let mut by_path: HashMap<String, usize> = HashMap::new();
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        if let Some(path) = &candidate.path {
            by_path.entry(normalised_path(path)).or_insert(index);
        }
        by_title
            .entry(fold(&candidate.title))
            .or_default()
            .push(index);
    }
    let library = Library {
        candidates,
        by_path,
        by_title,
    };
    entries
        .iter()
        .enumerate()
        .map(|(entry, wanted)| {
            if let Some(index) = library.by_file(wanted, playlist_folder) {
                return EntryMatch::Matched {
                    entry,
                    candidate: candidates[index].id.clone(),
                    by: MatchedBy::Path,
                };
            }
            match library.by_tags(wanted) {
                Ok(index) => EntryMatch::Matched {
                    entry,
                    candidate: candidates[index].id.clone(),
                    by: MatchedBy::Tags,
                },
                Err(why) => EntryMatch::Unmatched { entry, why },
            }
        })
        .collect()
}

struct Library<'a> {
    candidates: &'a [Candidate],
    by_path: HashMap<String, usize>,
    by_title: HashMap<String, Vec<usize>>,
}

impl Library<'_> {
    fn by_file(&self, entry: &PlaylistEntry, playlist_folder: Option<&str>) -> Option<usize> {
        let location = entry.location.as_deref()?;
        match (location_kind(location), playlist_folder) {
            (LocationKind::Url, _) => None,
            (LocationKind::Absolute, _) => self.by_path.get(&normalised_path(location)).copied(),
            (LocationKind::Relative, Some(folder)) => self
                .by_path
                .get(&normalised_path(&format!("{folder}/{location}")))
                .copied(),
            (LocationKind::Relative, None) => {
                let tail = format!("/{}", normalised_path(location));
                let mut found = self
                    .by_path
                    .iter()
                    .filter(|(path, _)| path.ends_with(&tail));
                let (_, &index) = found.next()?;
                found.next().is_none().then_some(index)
            }
        }
    }

    fn by_tags(&self, entry: &PlaylistEntry) -> Result<usize, Unmatched> {
        let (artist, title) = if let Some(title) = &entry.title {
            (entry.artist.clone(), title.clone())
        } else {
            let from_name = entry.location.as_deref().and_then(tags_from_file_name);
            let Some((artist, title)) = from_name else {
                return Err(Unmatched::NothingToLookFor);
            };
            (entry.artist.clone().or(artist), title)
        };
        let not_found = || Unmatched::NotInLibrary {
            artist: artist.clone(),
            title: title.clone(),
        };
        let artist_key = artist.as_deref().map(fold);
        let same_title = self.by_title.get(&fold(&title)).ok_or_else(not_found)?;
        let of = |index: &usize| &self.candidates[*index];
        let by_artist: Vec<usize> = same_title
            .iter()
            .copied()
            .filter(|index| match (&artist_key, &of(index).artist) {
                (Some(wanted), Some(theirs)) => fold(theirs) == *wanted,
                _ => true,
            })
            .collect();
        if by_artist.is_empty() {
            return Err(not_found());
        }
        let gap = |index: &usize| match (entry.duration, of(index).duration) {
            (Some(wanted), Some(theirs)) => Some(wanted.abs_diff(theirs)),
            _ => None,
        };
        let close: Vec<usize> = by_artist
            .iter()
            .copied()
            .filter(|index| gap(index).is_none_or(|gap| gap <= LENGTH_TOLERANCE))
            .collect();
        if close.is_empty() {
            // Both lengths are known for every one of them, or none would be far.
            let closest = by_artist
                .iter()
                .min_by_key(|index| gap(index))
                .and_then(|index| of(index).duration)
                .unwrap_or_default();
            return Err(Unmatched::LengthDiffers {
                title,
                expected: entry.duration.unwrap_or_default(),
                closest,
            });
        }
        let album_key = entry.album.as_deref().map(fold);
        // Known and close first, unknown lengths after; then the entry's album.
        let rank = |index: &usize| {
            let other_album =
                album_key.is_some() && of(index).album.as_deref().map(fold) != album_key;
            (gap(index).unwrap_or(Duration::MAX), other_album)
        };
        let Some(&best) = close.iter().min_by_key(|index| rank(index)) else {
            return Err(not_found());
        };
        if artist_key.is_none() {
            let artist_of = |index: &usize| of(index).artist.as_deref().map(fold);
            let tied_with_another_artist = close
                .iter()
                .any(|index| rank(index) == rank(&best) && artist_of(index) != artist_of(&best));
            if tied_with_another_artist {
                return Err(Unmatched::Ambiguous {
                    title,
                    count: close.len(),
                });
            }
        }
        Ok(best)
    }
}

/// `/Music/03 - Björk - Jóga.mp3`: the artist (when the name has one) and the title, the
/// track number and the extension left out. `None` for a URL or a name with no title.
#[must_use]
pub fn tags_from_file_name(location: &str) -> Option<(Option<String>, String)> {
    if location_kind(location) == LocationKind::Url {
        return None;
    }
    let name = location.rsplit(['/', '\\']).next()?;
    let stem = match name.rsplit_once('.') {
        Some((stem, extension)) if (1..=5).contains(&extension.len()) => stem,
        _ => name,
    };
    let unnumbered = stem
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches([' ', '.', '-', '_']);
    // A name that is only a number is its own title.
    let stem = if unnumbered.is_empty() {
        stem
    } else {
        unnumbered
    };
    let (artist, title) = match stem.split_once(" - ") {
        Some((artist, title)) => (Some(artist.trim().to_owned()), title.trim()),
        None => (None, stem.trim()),
    };
    (!title.is_empty()).then(|| (artist.filter(|a| !a.is_empty()), title.to_owned()))
}

/// A path to compare: `/` for separators, `.` and `..` resolved, in Unicode's composed form
/// (a Mac stores names decomposed), a Windows drive's in lower case (its file systems ignore
/// case).
fn normalised_path(path: &str) -> String {
    let path: String = path.nfc().collect::<String>().replace('\\', "/");
    let root = if path.starts_with("//") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if root.is_empty() {
                    parts.push(part);
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = format!("{root}{}", parts.join("/"));
    if is_drive_path(&joined) || root == "//" {
        joined.to_lowercase()
    } else {
        joined
    }
}

/// A title or an artist as it is compared: compatibility forms and accents folded, lower
/// case, apostrophes dropped, `&` as "and", other punctuation as spaces, and the credits of
/// featured artists left out (`(feat. X)`, `[ft. X]`, `(with X)`, and `feat. X` up to a
/// bracket), so "Beyoncé feat. JAY-Z" is "beyonce" and "Crazy in Love (feat. Jay-Z)" is
/// "crazy in love".
#[must_use]
pub fn fold(text: &str) -> String {
    let mut spaced = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            '\'' | '’' | '‘' | 'ʼ' | '`' | '´' => {}
            '&' => spaced.push_str(" and "),
            '(' | '[' | '{' => spaced.push_str(" ( "),
            ')' | ']' | '}' => spaced.push_str(" ) "),
            'ß' => spaced.push_str("ss"),
            'æ' | 'Æ' => spaced.push_str("ae"),
            'œ' | 'Œ' => spaced.push_str("oe"),
            'ø' | 'Ø' => spaced.push('o'),
            'ł' | 'Ł' => spaced.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => spaced.push('d'),
            'þ' | 'Þ' => spaced.push_str("th"),
            'ı' => spaced.push('i'),
            c if c.is_alphanumeric() => spaced.extend(c.to_lowercase()),
            _ => spaced.push(' '),
        }
    }
    let credit = |word: &str| matches!(word, "feat" | "ft" | "featuring");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    let mut at = 0;
    while at < words.len() {
        match words[at] {
            "(" if words.get(at + 1).is_some_and(|w| credit(w) || *w == "with") => {
                // The whole bracket, nested ones too.
                let mut depth = 0_usize;
                while at < words.len() {
                    match words[at] {
                        "(" => depth += 1,
                        ")" => depth -= 1,
                        _ => {}
                    }
                    at += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            "(" | ")" => at += 1,
            word if credit(word) => {
                while at < words.len() && !matches!(words[at], "(" | ")") {
                    at += 1;
                }
            }
            word => {
                kept.push(word);
                at += 1;
            }
        }
    }
    kept.join(" ")
}

#[cfg(test)]
mod tests;
