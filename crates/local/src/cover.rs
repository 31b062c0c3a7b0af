//! A local track's cover: the picture in the file first (the front cover, else the first),
//! else its folder's cover file. Read from disk when asked, never copied into the index:
//! covers are large and the files are right there.
//!
//! Finding where a cover is ([`LocalIndex::cover_source`], one query) and reading it
//! ([`CoverSource::read`], file I/O and a parse of the file's tags) are apart, so a caller
//! holding the index's connection answers the first and reads on a thread of its own: a big
//! cover on a slow disk then holds up nothing else asked of the index.

use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;

use crate::error::{LocalError, LocalErrorKind, Result};
use crate::ids::track_path;
use crate::index::{LocalIndex, path_text};
use crate::tags::embedded_picture;
use crate::walk::mtime_ns;

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

/// Where a track's cover is read from, as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverSource {
    /// The track's file, when it carries a picture.
    embedded_in: Option<PathBuf>,
    /// The cover file beside it (`cover.jpg` and the like), read when the file's picture
    /// cannot be.
    folder_cover: Option<PathBuf>,
}

impl CoverSource {
    /// Reads the cover: `None` when there is none (or it is gone from disk since the last
    /// scan). Blocking file I/O: on a thread that nothing else waits for.
    #[must_use]
    pub fn read(&self) -> Option<Cover> {
        if let Some(path) = &self.embedded_in {
            match embedded_picture(path) {
                Ok(Some((bytes, mime_type))) => return Some(Cover { bytes, mime_type }),
                Ok(None) => {}
                Err(why) => {
                    tracing::debug!(path = %path.display(), words = why.words, "no embedded cover");
                }
            }
        }
        self.folder_cover.as_deref().and_then(read_cover_file)
    }

    /// What changes when the cover may have: which files it is read from, and the size and
    /// modification time of each (`None` when none of them can be looked at). For a cache to
    /// ask "is mine still the one?" without the cover being read: a cover read from another
    /// file of the same size and time (the album's first track changed) is another. Blocking,
    /// as [`Self::read`].
    #[must_use]
    pub fn validator(&self) -> Option<String> {
        let parts: Vec<String> = [&self.embedded_in, &self.folder_cover]
            .into_iter()
            .flatten()
            .filter_map(|path| Some((path, std::fs::metadata(path).ok()?)))
            .map(|(path, metadata)| {
                format!(
                    "{:x}-{:x}-{:x}",
                    path_hash(path),
                    metadata.len(),
                    mtime_ns(&metadata)
                )
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("."))
    }
}

impl LocalIndex {
    /// The cover of the track `id`, or `None` when it has none (or it is gone from disk
    /// since the last scan). `NotFound` when the index does not hold the track. Reads the
    /// cover on the caller's thread: see [`Self::cover_source`] to read it elsewhere.
    pub fn cover(&self, id: &str) -> Result<Option<Cover>> {
        Ok(self.cover_source(id)?.read())
    }

    /// Where the cover of the track `id` is read from, without reading it. `NotFound` when
    /// the index does not hold the track.
    pub fn cover_source(&self, id: &str) -> Result<CoverSource> {
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
        Ok(CoverSource {
            embedded_in: embedded.then_some(path),
            folder_cover: folder_cover.map(PathBuf::from),
        })
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

/// A short, stable stand-in for a path in a validator (which goes into an HTTP header, where
/// the path itself does not belong). Stable for a build: a validator is never kept longer
/// than a web view's cache, and a different one only means the cover is sent again.
fn path_hash(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    path.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cover_read_from_another_file_of_the_same_size_and_time_is_another() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("one.jpg"), dir.path().join("two.jpg"));
        std::fs::write(&one, b"cover").unwrap();
        std::fs::copy(&one, &two).unwrap();
        let time = std::fs::metadata(&one).unwrap().modified().unwrap();
        std::fs::File::options()
            .write(true)
            .open(&two)
            .unwrap()
            .set_modified(time)
            .unwrap();
        let source = |folder_cover: &Path| CoverSource {
            embedded_in: None,
            folder_cover: Some(folder_cover.to_owned()),
        };
        let first = source(&one).validator().unwrap();
        assert_eq!(source(&one).validator().unwrap(), first, "stable");
        assert_ne!(source(&two).validator().unwrap(), first);
        assert_eq!(source(&dir.path().join("gone.jpg")).validator(), None);
    }
}
