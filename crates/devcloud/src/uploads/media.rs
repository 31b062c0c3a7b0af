//! Where published uploads live, and how the CDN reads them: each processed upload's media
//! (`media/<id>/…`: HLS variants, MP3s, their playlists) and covers (`art/<id>-<n>.jpg`).
//!
//! Processing and the cover route publish here, the collector takes away what no record names,
//! and the CDN serves it as its second origin beside the catalog's media dir. devcloud keeps it
//! in a folder ([`FolderMedia`]), publishing with renames; a deployment keeps it in the media
//! bucket behind CloudFront (`strato-aws`'s `S3Media`), each object with the content type and
//! `Cache-Control` the contract's CDN table gives it ([`content_type`], [`cache_control`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use axum::http::{HeaderMap, Method};
use axum::response::Response;

use super::ID_PREFIX;
use super::store::cover_file;

/// Media could not be published, listed, removed or read.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {message}")]
pub struct MediaError {
    /// What was being done ("publishing the media").
    pub what: &'static str,
    /// Why it failed, from the storage.
    pub message: String,
}

impl MediaError {
    /// A failure while doing `what`.
    pub fn new(what: &'static str, error: impl std::fmt::Display) -> Self {
        Self {
            what,
            message: error.to_string(),
        }
    }
}

/// What uploads have published, by name: what the collector compares with the records. Only
/// names of uploads ([`ID_PREFIX`]) are listed: a deployment's catalog shares the bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    /// Uploads with a `media/<id>/` folder.
    pub media_ids: BTreeSet<String>,
    /// Covers, as `art/<id>-<n>.jpg`.
    pub covers: BTreeSet<String>,
}

impl Inventory {
    /// Keeps the names of uploads' media and covers only.
    #[must_use]
    pub fn of_uploads(mut self) -> Self {
        self.media_ids.retain(|id| id.starts_with(ID_PREFIX));
        self.covers.retain(|name| {
            name.strip_prefix("art/")
                .is_some_and(|n| n.starts_with(ID_PREFIX) && !n.contains('/'))
        });
        self
    }
}

/// Published media and covers; see the module's documentation.
#[async_trait]
pub trait MediaStore: Send + Sync + std::fmt::Debug {
    /// Publishes upload `id`'s media: every file under `folder`, at its path relative to
    /// `folder` under `media/<id>/`, and `cover` as its cover version 1. What an earlier run
    /// published for `id` is replaced. Callers mark the upload ready only after this returns.
    ///
    /// # Errors
    /// When a file cannot be read or stored.
    async fn publish(
        &self,
        id: &str,
        folder: &Path,
        cover: Option<&Path>,
    ) -> Result<(), MediaError>;

    /// Publishes the JPEG at `file` as cover `version` of upload `id`.
    ///
    /// # Errors
    /// When the file cannot be read or stored.
    async fn put_cover(&self, id: &str, version: u32, file: &Path) -> Result<(), MediaError>;

    /// Everything published.
    ///
    /// # Errors
    /// When the storage cannot be listed.
    async fn inventory(&self) -> Result<Inventory, MediaError>;

    /// Removes upload `id`'s media (nothing to remove is no error).
    ///
    /// # Errors
    /// When the storage refuses.
    async fn remove_media(&self, id: &str) -> Result<(), MediaError>;

    /// Removes a cover, named as [`Inventory::covers`] names it.
    ///
    /// # Errors
    /// When the storage refuses.
    async fn remove_cover(&self, name: &str) -> Result<(), MediaError>;

    /// The CDN's answer to a GET or HEAD of `key` (the URL's path without its leading `/`,
    /// still percent-encoded), already authorised: ranges, `ETag`, `If-None-Match`, content
    /// type and `Cache-Control` as S3 behind CloudFront answers them. `None` when nothing is
    /// published under `key`.
    async fn serve(&self, method: &Method, headers: &HeaderMap, key: &str) -> Option<Response>;
}

/// The content type of a published file, by its name's extension.
#[must_use]
pub fn content_type(name: &str) -> &'static str {
    crate::cdn::serve::content_type(Path::new(name))
}

/// The `Cache-Control` of a published file: playlists a minute, everything else for good.
#[must_use]
pub fn cache_control(name: &str) -> &'static str {
    crate::cdn::serve::cache_control(Path::new(name))
}

/// Published media in a folder (`DATA_DIR/published`), each publication a rename into place
/// from a staging folder on the same file system, so the CDN never serves half of it.
#[derive(Debug, Clone)]
pub struct FolderMedia {
    root: PathBuf,
}

impl FolderMedia {
    /// Makes `root` and its `media/` and `art/` folders.
    ///
    /// # Errors
    /// When they cannot be made.
    pub fn open(root: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(root.join("media"))?;
        std::fs::create_dir_all(root.join("art"))?;
        // Canonical, as the CDN's resolution compares real paths with it.
        Ok(Self {
            root: std::fs::canonicalize(root)?,
        })
    }
}

#[async_trait]
impl MediaStore for FolderMedia {
    async fn publish(
        &self,
        id: &str,
        folder: &Path,
        cover: Option<&Path>,
    ) -> Result<(), MediaError> {
        let target = self.root.join("media").join(id);
        let _ = tokio::fs::remove_dir_all(&target).await;
        tokio::fs::rename(folder, &target)
            .await
            .map_err(|e| MediaError::new("publishing the media", e))?;
        if let Some(cover) = cover {
            self.put_cover(id, 1, cover).await?;
        }
        Ok(())
    }

    async fn put_cover(&self, id: &str, version: u32, file: &Path) -> Result<(), MediaError> {
        tokio::fs::rename(file, self.root.join(cover_file(id, version)))
            .await
            .map_err(|e| MediaError::new("publishing the cover", e))
    }

    async fn inventory(&self) -> Result<Inventory, MediaError> {
        Ok(Inventory {
            media_ids: entries(&self.root.join("media"), true).await?,
            covers: entries(&self.root.join("art"), false)
                .await?
                .into_iter()
                .map(|name| format!("art/{name}"))
                .collect(),
        }
        .of_uploads())
    }

    async fn remove_media(&self, id: &str) -> Result<(), MediaError> {
        match tokio::fs::remove_dir_all(self.root.join("media").join(id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(MediaError::new("removing the media", e))
            }
            _ => Ok(()),
        }
    }

    async fn remove_cover(&self, name: &str) -> Result<(), MediaError> {
        let relative = Path::new(name);
        let mut parts = relative.components();
        let is_cover = parts.next() == Some(std::path::Component::Normal("art".as_ref()))
            && matches!(parts.next(), Some(std::path::Component::Normal(_)))
            && parts.next().is_none();
        if !is_cover {
            return Err(MediaError::new("removing a cover", "not a cover's name"));
        }
        match tokio::fs::remove_file(self.root.join(relative)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(MediaError::new("removing a cover", e))
            }
            _ => Ok(()),
        }
    }

    async fn serve(&self, method: &Method, headers: &HeaderMap, key: &str) -> Option<Response> {
        let file = crate::cdn::serve::resolve(&self.root, key).await?;
        Some(crate::cdn::serve::file(method, headers, &file).await)
    }
}

/// The names of the folders (`folders`) or files in a folder: what else is there is nothing
/// publishing made, and no business of the collector's.
async fn entries(dir: &Path, folders: bool) -> Result<BTreeSet<String>, MediaError> {
    let listing = |e| MediaError::new("listing the published media", e);
    let mut names = BTreeSet::new();
    let mut read = tokio::fs::read_dir(dir).await.map_err(listing)?;
    while let Some(entry) = read.next_entry().await.map_err(listing)? {
        let kind = entry.file_type().await.map_err(listing)?;
        if (folders && kind.is_dir()) || (!folders && kind.is_file()) {
            names.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}

/// Every file under `folder`, as its path relative to `folder` with `/` between names, and
/// its full path: what a store without renames publishes one object at a time.
///
/// # Errors
/// When a folder cannot be read.
pub async fn files_under(folder: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let mut pending = vec![(String::new(), folder.to_owned())];
    while let Some((prefix, dir)) = pending.pop() {
        let mut read = tokio::fs::read_dir(&dir).await?;
        while let Some(entry) = read.next_entry().await? {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().await?.is_dir() {
                pending.push((format!("{name}/"), entry.path()));
            } else {
                files.push((name, entry.path()));
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::FolderMedia;

    #[tokio::test]
    async fn a_folder_keeps_the_media_contract() {
        let root = tempfile::tempdir().unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let store = FolderMedia::open(root.path()).unwrap();
        super::super::media_conformance::run(&store, scratch.path()).await;
    }

    #[tokio::test]
    async fn files_under_lists_every_file_with_its_relative_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("hls/aac_64")).unwrap();
        std::fs::write(dir.path().join("hls/aac_64/a.ts"), b"a").unwrap();
        std::fs::write(dir.path().join("top.mp3"), b"t").unwrap();
        let names: Vec<String> = super::files_under(dir.path())
            .await
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["hls/aac_64/a.ts", "top.mp3"]);
    }
}
