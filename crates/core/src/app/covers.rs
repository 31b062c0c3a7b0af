//! Album covers: from memory, else from the account's library (so they show offline), else
//! from the CDN, then kept in both. A local album's (`local-album:…`) comes from its files.

use std::path::PathBuf;
use std::sync::Arc;

use strato_library::{COVERS_KEPT_BYTES, KeptCover};
use strato_model::ipc::{AppError, ErrorKind};

use super::{App, Cover, lock};

/// Covers held in memory for this run: the ones on screen come back without a query.
const COVERS_IN_MEMORY: usize = 256;

/// A cover for an asker that may hold a copy already (the web view's cache, through the
/// `cover://` scheme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverAnswer {
    /// The copy the asker holds, of this validator, is still the cover.
    Unchanged { validator: String },
    /// The cover, and how long the asker may keep it.
    Image { cover: Cover, keeping: CoverKeeping },
}

/// How long an asker may keep a cover answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverKeeping {
    /// A service's cover: kept; a new cover of the album comes with a new version in the
    /// window's URL.
    Versioned,
    /// A local album's, read from files that can change under the same album id: asked for
    /// again each time. `validator` (its files' paths, sizes and times) tells whether the
    /// copy held is still the one; `None` when its files could not be looked at, and the
    /// cover is sent whole each time.
    Revalidate { validator: Option<String> },
}

impl App {
    /// An album's cover unless the asker's copy, whose validator is `known`, is still the
    /// one (see [`CoverAnswer`]).
    ///
    /// # Errors
    /// As [`Self::cover`].
    pub async fn cover_unless_unchanged(
        &self,
        album_id: &str,
        known: Option<&str>,
    ) -> Result<CoverAnswer, AppError> {
        if album_id.starts_with(strato_local::ids::ALBUM_ID_PREFIX) {
            return self
                .local_cover_unless(album_id, known.map(str::to_owned))
                .await;
        }
        Ok(CoverAnswer::Image {
            cover: self.cover(album_id).await?,
            keeping: CoverKeeping::Versioned,
        })
    }

    /// An album's cover image and its content type.
    pub async fn cover(&self, album_id: &str) -> Result<Cover, AppError> {
        // Read from the files each time (not kept in memory): a retagged file's new cover
        // shows at once.
        if album_id.starts_with(strato_local::ids::ALBUM_ID_PREFIX) {
            return self.local_cover(album_id).await;
        }
        if let Some(cover) = lock(&self.covers).get(album_id) {
            return Ok(cover.clone());
        }
        let cover = if let Some(kept) = self.kept_cover(album_id).await {
            (Arc::new(kept.bytes), kept.content_type)
        } else {
            let fetched = self.fetch_cover(album_id).await?;
            self.keep_cover(album_id, &fetched).await;
            fetched
        };
        let mut covers = lock(&self.covers);
        if covers.len() >= COVERS_IN_MEMORY {
            covers.clear();
        }
        covers.insert(album_id.to_owned(), cover.clone());
        Ok(cover)
    }

    /// The album's cover as a file on this computer (`<data folder>/covers/`), written the
    /// first time it is asked for: for the OS's media session, which shows art by file URL.
    ///
    /// # Errors
    /// No cover (see [`Self::cover`]), no data folder, or the file could not be written.
    pub async fn cover_file(&self, album_id: &str) -> Result<PathBuf, AppError> {
        let Some(data_dir) = self.data_dir.borrow().clone() else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                "This run keeps no files, so covers have no place.",
            ));
        };
        let (bytes, content_type) = self.cover(album_id).await?;
        let extension = match content_type.as_str() {
            "image/png" => "png",
            "image/webp" => "webp",
            _ => "jpg",
        };
        let dir = data_dir.join(crate::data_folder::COVERS);
        let file = dir.join(format!("{}.{extension}", file_safe(album_id)));
        // A local album's cover may change with its files: written again each time.
        if file.is_file() && !album_id.starts_with(strato_local::ids::ALBUM_ID_PREFIX) {
            return Ok(file);
        }
        let written = file.clone();
        self.blocking(move || {
            let write = || -> std::io::Result<()> {
                std::fs::create_dir_all(&dir)?;
                let mut part = tempfile::NamedTempFile::new_in(&dir)?;
                std::io::Write::write_all(&mut part, &bytes)?;
                part.persist(&written).map_err(|e| e.error)?;
                Ok(())
            };
            write().map_err(|error| crate::error::from_io(&error, "keep a cover on disk"))
        })
        .await?;
        Ok(file)
    }

    /// The album has a new cover: the one held in memory, in the library and on disk (for
    /// the media session) goes, and the next showing fetches the new one.
    pub(super) async fn forget_cover(&self, album_id: &str) {
        lock(&self.covers).remove(album_id);
        // Taken out first: the folder's guard must not be held across the removals' awaits.
        let data_dir = self.data_dir.borrow().clone();
        if let Some(data_dir) = data_dir {
            let dir = data_dir.join(crate::data_folder::COVERS);
            for extension in ["jpg", "png", "webp"] {
                let file = dir.join(format!("{}.{extension}", file_safe(album_id)));
                // Absent is the usual case: only covers the media session showed are files.
                let _ = tokio::fs::remove_file(file).await;
            }
        }
        let Some(library) = self.library() else {
            return;
        };
        let album_id = album_id.to_owned();
        if let Err(error) = library
            .handle()
            .call(move |lib| lib.forget_cover(&album_id))
            .await
        {
            tracing::warn!(%error, "could not forget a replaced cover");
        }
    }

    async fn kept_cover(&self, album_id: &str) -> Option<KeptCover> {
        let library = self.library()?;
        let album_id = album_id.to_owned();
        match library
            .handle()
            .call(move |lib| lib.kept_cover(&album_id))
            .await
        {
            Ok(kept) => kept,
            Err(error) => {
                tracing::warn!(%error, "could not read a kept cover");
                None
            }
        }
    }

    /// Best effort: a cover that cannot be kept is fetched again next time.
    async fn keep_cover(&self, album_id: &str, cover: &Cover) {
        let Some(library) = self.library() else {
            return;
        };
        let album_id = album_id.to_owned();
        let kept = KeptCover {
            content_type: cover.1.clone(),
            bytes: cover.0.as_ref().clone(),
        };
        let result = library
            .handle()
            .call(move |lib| lib.keep_cover(&album_id, &kept, COVERS_KEPT_BYTES))
            .await;
        if let Err(error) = result {
            tracing::warn!(%error, "could not keep a cover");
        }
    }

    async fn fetch_cover(&self, album_id: &str) -> Result<Cover, AppError> {
        let service = self.connection()?.service();
        let known = lock(&self.tracks)
            .values()
            .find(|t| t.album_id == album_id)
            .cloned();
        let cover_path = match known {
            Some(track) => track.cover_path,
            None => {
                service
                    .album(album_id)
                    .await
                    .map_err(|e| self.service_error(service.as_ref(), &e))?
                    .album
                    .cover_path
            }
        }
        .ok_or_else(|| AppError::new(ErrorKind::NotFound, "This album has no cover."))?;
        let cover = service
            .cover(&cover_path)
            .await
            .map_err(|e| self.service_error(service.as_ref(), &e))?;
        Ok((Arc::new(cover.bytes), cover.content_type))
    }
}

/// An id as a file name on every OS: letters, digits, `-` and `.` kept, any other byte `_xx`.
fn file_safe(id: &str) -> String {
    use std::fmt::Write as _;
    let mut name = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || (byte == b'.' && !name.is_empty()) {
            name.push(char::from(byte));
        } else {
            let _ = write!(name, "_{byte:02x}");
        }
    }
    name
}
