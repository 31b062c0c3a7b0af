//! A local track's cover: the picture in the file first (the front cover, else the first),
//! else its folder's cover file. Read from disk when asked, never copied into the index:
//! covers are large and the files are right there.

use std::path::Path;

use rusqlite::OptionalExtension;

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::ids::track_path;
use crate::index::{LocalIndex, path_text};
use crate::tags::embedded_picture;

/// A cover's bytes and their MIME type (`image/jpeg`, `image/png`, ...).
#[derive(Clone, PartialEq, Eq)]
pub struct Cover {
    pub bytes: Vec<u8>,
    pub mime_type: String,
}

impl std::fmt::Debug for Cover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cover")
            .field("bytes", &self.bytes.len())
            .field("mime_type", &self.mime_type)
            .finish()
    }
}

impl LocalIndex {
    /// The cover of the track `id`, or `None` when it has none (or it is gone from disk
    /// since the last scan). `NotFound` when the index does not hold the track.
    pub fn cover(&self, id: &str) -> Result<Option<Cover>> {
        let path = track_path(id)?;
        let found: Option<(bool, Option<String>)> = self
            .conn
            .query_row(
                "SELECT has_embedded_cover, folder_cover FROM files WHERE path = ?1",
                [path_text(&path)?],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((embedded, folder_cover)) = found else {
            return Err(LocalError::new(
                LocalErrorKind::NotFound,
                format!("{} is not in your music folders.", path.display()),
            ));
        };
        if embedded {
            match embedded_picture(&path) {
                Ok(Some((bytes, mime_type))) => return Ok(Some(Cover { bytes, mime_type })),
                Ok(None) => {}
                Err(words) => tracing::debug!(path = %path.display(), words, "no embedded cover"),
            }
        }
        Ok(folder_cover.and_then(|cover| read_cover_file(Path::new(&cover))))
    }
}

fn read_cover_file(path: &Path) -> Option<Cover> {
    let bytes = std::fs::read(path).ok()?;
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    let mime_type = if extension == "png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    Some(Cover {
        bytes,
        mime_type: mime_type.to_owned(),
    })
}
