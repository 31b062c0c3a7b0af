//! The pure half of playlist files: reading and writing one on disk, what each entry is
//! looked up by, and how an entry, a track and a reason are put for the window.

use std::path::Path;
use std::time::Duration;

use strato_formats::playlist_file::{
    self, Candidate, Format, PlaylistEntry, PlaylistFile, PlaylistFileError, Unmatched,
};
use strato_model::ipc::{AppError, ErrorKind, Track, UnmatchedReason};

use crate::error::from_io;

/// A Strato track's link, as exports write it.
pub(super) const TRACK_LINK: &str = "strato://track/";

/// Reads and parses the file, refusing one too large to be a playlist before reading it.
pub(super) fn read_file(path: &Path) -> Result<(PlaylistFile, Format), AppError> {
    let shown = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let unreadable = |error: std::io::Error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            AppError::new(
                ErrorKind::NotFound,
                format!("“{shown}” is not there any more."),
            )
        } else {
            from_io(&error, "read the playlist file")
        }
    };
    let size = std::fs::metadata(path).map_err(unreadable)?;
    if size.len() > playlist_file::MAX_PLAYLIST_BYTES as u64 {
        return Err(not_a_playlist(&shown, &PlaylistFileError::TooLarge));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    playlist_file::parse(&bytes).map_err(|e| not_a_playlist(&shown, &e))
}

fn not_a_playlist(name: &str, error: &PlaylistFileError) -> AppError {
    AppError::new(
        ErrorKind::InvalidInput,
        format!("“{name}” could not be read as a playlist: {error}."),
    )
}

/// Writes the whole file or nothing: a temporary file beside it, renamed over it.
pub(super) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let write = || -> std::io::Result<()> {
        let folder = path.parent().unwrap_or_else(|| Path::new("."));
        let mut builder = tempfile::Builder::new();
        // Readable by the listener's other programs (a media server, another player), as a
        // file any app saves is; a temporary file alone would be private to its owner.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let mut part = builder.tempfile_in(folder)?;
        std::io::Write::write_all(&mut part, bytes)?;
        part.as_file().sync_all()?;
        part.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| from_io(&e, "save the playlist file"))
}

/// What an entry is looked up by: "artist title", or the title alone; from its tags, else
/// from its file's name (`03 - Artist - Title.mp3`), as the matcher reads it.
pub(super) fn query(entry: &PlaylistEntry) -> Option<String> {
    let tagged = entry
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|title| (entry.artist.clone(), title.to_owned()));
    let (artist, title) = tagged.or_else(|| {
        entry
            .location
            .as_deref()
            .and_then(playlist_file::tags_from_file_name)
    })?;
    Some(match artist.as_deref().map(str::trim) {
        Some(artist) if !artist.is_empty() => format!("{artist} {title}"),
        _ => title,
    })
}

pub(super) fn to_candidates(tracks: &[Track]) -> Vec<Candidate> {
    tracks
        .iter()
        .map(|t| Candidate {
            id: t.id.clone(),
            artist: Some(t.artist_name.clone()),
            title: t.title.clone(),
            album: Some(t.album_title.clone()),
            duration: Some(Duration::from_millis(u64::from(t.duration_ms))),
            path: None,
        })
        .collect()
}

/// One track as an export writes it: its link (M3U needs a location per entry; the link
/// brings it back exactly) and its tags (which other players match by).
pub(super) fn export_entry(id: &str, track: Option<&Track>) -> PlaylistEntry {
    PlaylistEntry {
        location: Some(format!("{TRACK_LINK}{id}")),
        artist: track.map(|t| t.artist_name.clone()),
        title: track.map(|t| t.title.clone()),
        album: track.map(|t| t.album_title.clone()),
        duration: track.map(|t| Duration::from_millis(u64::from(t.duration_ms))),
        track_number: track.map(|t| t.track_number),
    }
}

/// "Artist – Title", the title alone, else the file's name or address.
pub(super) fn label(entry: &PlaylistEntry) -> String {
    match (entry.artist.as_deref(), entry.title.as_deref()) {
        (Some(artist), Some(title)) => format!("{artist} – {title}"),
        (None, Some(title)) => title.to_owned(),
        _ => entry
            .location
            .as_deref()
            .map(|l| l.rsplit(['/', '\\']).next().unwrap_or(l).to_owned())
            .unwrap_or_default(),
    }
}

pub(super) fn reason(why: &Unmatched) -> UnmatchedReason {
    let ms = |d: &Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
    match why {
        Unmatched::NothingToLookFor => UnmatchedReason::NothingToLookFor,
        Unmatched::LengthDiffers {
            expected, closest, ..
        } => UnmatchedReason::LengthDiffers {
            expected_ms: ms(expected),
            closest_ms: ms(closest),
        },
        Unmatched::Ambiguous { count, .. } => UnmatchedReason::Ambiguous {
            count: u32::try_from(*count).unwrap_or(u32::MAX),
        },
        Unmatched::NotInLibrary { .. } => UnmatchedReason::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(location: &str, artist: Option<&str>, title: Option<&str>) -> PlaylistEntry {
        PlaylistEntry {
            location: Some(location.to_owned()),
            artist: artist.map(str::to_owned),
            title: title.map(str::to_owned),
            ..PlaylistEntry::default()
        }
    }

    #[test]
    fn an_entry_is_looked_up_by_its_tags_else_its_file_name() {
        let tagged = entry("/m/x.mp3", Some("Aurora Lane"), Some("Polar Morning"));
        assert_eq!(query(&tagged).as_deref(), Some("Aurora Lane Polar Morning"));
        let title_only = entry("/m/x.mp3", None, Some("Polar Morning"));
        assert_eq!(query(&title_only).as_deref(), Some("Polar Morning"));
        let named = entry("/m/03 - Aurora Lane - Polar Morning.flac", None, None);
        assert_eq!(query(&named).as_deref(), Some("Aurora Lane Polar Morning"));
        let bare = entry("C:\\Music\\Kelp Forest.mp3", None, None);
        assert_eq!(query(&bare).as_deref(), Some("Kelp Forest"));
        assert_eq!(query(&entry("http://radio.example/live", None, None)), None);
    }

    #[test]
    fn an_export_names_each_track_by_its_link_and_tags() {
        let written = export_entry("tr-1", None);
        assert_eq!(written.location.as_deref(), Some("strato://track/tr-1"));
        assert_eq!(written.title, None);
    }

    #[cfg(unix)]
    #[test]
    fn a_saved_file_is_whole_and_readable_by_others() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.m3u8");
        write_file(&path, b"#EXTM3U\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"#EXTM3U\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}
