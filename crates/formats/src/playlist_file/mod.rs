//! Playlists as files other players read and write: M3U and M3U8 (Winamp's list of files,
//! `#EXTINF` lines with each track's length and name) and XSPF (the XML playlist of VLC,
//! Foobar2000, Strawberry, Last.fm's exports).
//!
//! - [`parse`]: a playlist file's bytes read into a [`PlaylistFile`], the format told from
//!   the content (XML is XSPF, anything else M3U), so an `.m3u` and an `.m3u8` are read alike:
//!   UTF-8 when the bytes are UTF-8, Windows-1252 (Winamp's `.m3u`) when they are not;
//! - [`to_m3u8`] and [`to_xspf`]: a playlist written, for export;
//! - [`matcher`]: each entry matched to a track of the library, by its file or its tags.
//!
//! Locations are kept as the file gives them, except `file://` URLs, which become paths
//! (`file:///home/me/A%20B.mp3` is `/home/me/A B.mp3`, `file:///C:/Music/a.mp3` is
//! `C:\Music\a.mp3`); in XSPF, where every location is a URI, relative ones are decoded too.
//! Resolving a relative path against the playlist's folder is the matcher's, given the
//! folder.
//!
//! Every text value is on one line: control characters and runs of spaces become one space,
//! the ends are trimmed, and an empty value is `None`. A length of zero is no length.

mod location;
mod m3u;
pub mod matcher;
mod xspf;

use std::time::Duration;

pub use location::{LocationKind, location_kind};
pub use m3u::{parse_m3u, to_m3u8};
pub use matcher::{
    Candidate, EntryMatch, MatchedBy, Unmatched, match_entries, tags_from_file_name,
};
pub use xspf::{parse_xspf, to_xspf};

use crate::text;

/// The largest playlist file read, in bytes.
pub const MAX_PLAYLIST_BYTES: usize = 5 * 1024 * 1024;
/// The most entries a playlist file may have.
pub const MAX_ENTRIES: usize = 100_000;

/// A playlist as a file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlaylistFile {
    /// M3U's `#PLAYLIST:`, XSPF's `<title>`.
    pub name: Option<String>,
    pub entries: Vec<PlaylistEntry>,
}

/// One track of a playlist file, with what the file says about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlaylistEntry {
    /// A path (absolute or relative to the playlist) or a URL. An M3U entry always has one;
    /// an XSPF track may have only its tags.
    pub location: Option<String>,
    pub artist: Option<String>,
    pub title: Option<String>,
    pub album: Option<String>,
    pub duration: Option<Duration>,
    /// XSPF's `<trackNum>`, from 1.
    pub track_number: Option<u32>,
}

/// The two kinds of playlist file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// M3U and M3U8: the same format, told apart by their encoding only.
    M3u,
    Xspf,
}

/// Why a file could not be read as a playlist, in words for the listener.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaylistFileError {
    #[error("the file is larger than a playlist can be (5 MB)")]
    TooLarge,
    #[error("the file is not text, so it is not a playlist")]
    NotText,
    #[error("the playlist has more than {MAX_ENTRIES} tracks")]
    TooManyEntries,
    /// An XSPF whose XML is broken; `line` counts from 1.
    #[error("the XSPF playlist is not valid XML at line {line}: {problem}")]
    NotXml { line: usize, problem: String },
    /// XML, but some other document (`found` is its root element, or says there is none).
    #[error("the file is XML but not an XSPF playlist: it has {found}")]
    NotXspf { found: String },
}

/// Reads a playlist file's bytes: XSPF when they are XML, M3U otherwise.
pub fn parse(bytes: &[u8]) -> Result<(PlaylistFile, Format), PlaylistFileError> {
    if bytes.len() > MAX_PLAYLIST_BYTES {
        return Err(PlaylistFileError::TooLarge);
    }
    let text = text::decode(bytes).map_err(|text::NotText| PlaylistFileError::NotText)?;
    let format = Format::of(&text);
    let playlist = match format {
        Format::M3u => parse_m3u(&text)?,
        Format::Xspf => parse_xspf(&text)?,
    };
    Ok((playlist, format))
}

impl Format {
    /// XML (the first thing past white space is `<`) is XSPF; anything else M3U.
    #[must_use]
    pub fn of(text: &str) -> Format {
        if text::trim(text).starts_with('<') {
            Format::Xspf
        } else {
            Format::M3u
        }
    }
}

/// A duration given in milliseconds, zero being none.
fn from_millis(ms: u64) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms))
}
