//! Everything the index holds about one file, for a "file info" view and for tests: what a
//! [`strato_model::api::Track`] has no field for (format, codec, rate, channels, disc, year,
//! album artist, size) and, for a file that cannot be played, why.

use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::index::{LocalIndex, path_text};

/// One file as the index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    pub path: PathBuf,
    pub size: u64,
    pub title: String,
    pub artist: Option<String>,
    pub album: String,
    pub album_artist: Option<String>,
    pub track_no: Option<u32>,
    pub disc_no: Option<u32>,
    pub year: Option<u32>,
    pub duration_ms: u32,
    /// The container, by extension (`mp3`, `flac`, `m4a`, `ogg`, `opus`, `wav`).
    pub format: String,
    /// `MP3`, `FLAC`, `AAC`, `ALAC`, `Vorbis`, `Opus`, `PCM`; `None` when unreadable.
    pub codec: Option<String>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u8>,
    pub has_embedded_cover: bool,
    pub folder_cover: Option<PathBuf>,
    /// Why it cannot be played, in words; `None` when it can.
    pub error: Option<String>,
}

impl LocalIndex {
    /// What the index holds about the file at `path`; `NotFound` when it holds nothing.
    pub fn file_info(&self, path: impl AsRef<Path>) -> Result<LocalFile> {
        let path = path.as_ref();
        let mut statement = self.conn.prepare_cached(
            "SELECT size, title, artist, album, album_artist, track_no, disc_no, year,
                 duration_ms, format, codec, sample_rate, channels, has_embedded_cover,
                 folder_cover, error
             FROM files WHERE path = ?1",
        )?;
        let found = statement
            .query_row([path_text(path)?], |row| {
                Ok(LocalFile {
                    path: path.to_owned(),
                    size: row.get::<_, i64>(0)?.unsigned_abs(),
                    title: row.get(1)?,
                    artist: row.get(2)?,
                    album: row.get(3)?,
                    album_artist: row.get(4)?,
                    track_no: row.get(5)?,
                    disc_no: row.get(6)?,
                    year: row.get(7)?,
                    duration_ms: row.get(8)?,
                    format: row.get(9)?,
                    codec: row.get(10)?,
                    sample_rate: row.get(11)?,
                    channels: row.get(12)?,
                    has_embedded_cover: row.get(13)?,
                    folder_cover: row.get::<_, Option<String>>(14)?.map(PathBuf::from),
                    error: row.get(15)?,
                })
            })
            .optional()?;
        found.ok_or_else(|| {
            LocalError::new(
                LocalErrorKind::NotFound,
                format!("{} is not in your music folders.", path.display()),
            )
        })
    }
}
