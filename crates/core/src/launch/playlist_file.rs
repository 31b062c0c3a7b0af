//! Playlist files opened with the app: M3U and extended M3U (`.m3u`, `.m3u8`), the form
//! every player and file manager writes. Entries are paths (relative to the playlist's
//! folder, or absolute), `file://` URLs or `http(s)` URLs; `#` lines are comments or
//! `#EXTINF` titles, which the player reads from the files themselves.
//!
//! An `.m3u8` is also what HLS calls its playlists: one with `#EXT-X-` tags is a stream,
//! played as one location, not a list of entries.

use std::path::Path;

use strato_model::ipc::{AppError, ErrorKind};

/// The most entries read from one file: a queue of more is not a playlist a listener made.
pub const MAX_ENTRIES: usize = 100_000;

/// Files larger than this are not playlists (100,000 long paths fit in 32 MB).
const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// Whether a file's name says it is an M3U playlist.
#[must_use]
pub fn is_playlist_name(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("m3u") || ext.eq_ignore_ascii_case("m3u8"))
}

/// What a playlist file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaylistFile {
    /// The locations to play, in order: absolute paths and URLs.
    Entries(Vec<String>),
    /// An HLS stream's playlist: played as it is.
    Stream,
}

/// Reads the playlist at `path`.
///
/// # Errors
/// `NotFound` when it cannot be read, `InvalidInput` when it is not a playlist (too large, not
/// text, or nothing in it to play), in words that name the file.
pub fn read(path: &Path) -> Result<PlaylistFile, AppError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let unreadable = |err: std::io::Error| {
        AppError::new(
            ErrorKind::NotFound,
            format!("The playlist \"{name}\" could not be read: {err}."),
        )
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_BYTES {
        return Err(AppError::new(
            ErrorKind::InvalidInput,
            format!("\"{name}\" is too large to be a playlist."),
        ));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let folder = path.parent().unwrap_or(Path::new("/"));
    parse(&bytes, folder).map_err(|reason| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("\"{name}\" is not a playlist Strato can read: {reason}."),
        )
    })
}

/// A playlist's text, with relative entries taken from `folder`.
///
/// # Errors
/// Why it is not a playlist, in a few words.
pub fn parse(bytes: &[u8], folder: &Path) -> Result<PlaylistFile, String> {
    let text = decode(bytes)?;
    let mut entries = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("#EXT-X-") {
            return Ok(PlaylistFile::Stream);
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if entries.len() == MAX_ENTRIES {
            return Err(format!("it has more than {MAX_ENTRIES} entries"));
        }
        entries.push(entry(line, folder));
    }
    if entries.is_empty() {
        return Err("there is nothing in it to play".to_owned());
    }
    Ok(PlaylistFile::Entries(entries))
}

/// UTF-8 (with or without a byte-order mark), or Latin-1 for the old `.m3u` files that
/// Winamp and its heirs wrote in the system's code page.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err("it is not text".to_owned());
    }
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&byte| char::from(byte)).collect(),
    })
}

fn entry(line: &str, folder: &Path) -> String {
    if let Ok(url) = url::Url::parse(line)
        && url.scheme().len() > 1
    {
        if url.scheme() == "file"
            && let Ok(path) = url.to_file_path()
        {
            return path.display().to_string();
        }
        return line.to_owned();
    }
    // Playlists written on Windows separate folders with backslashes.
    let relative = if cfg!(windows) {
        line.to_owned()
    } else {
        line.replace('\\', "/")
    };
    folder.join(relative).display().to_string()
}
