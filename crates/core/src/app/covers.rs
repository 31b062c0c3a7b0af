//! Album covers: from memory, else from the account's library (so they show offline), else
//! from the CDN, then kept in both.

use std::sync::Arc;

use strato_library::{COVERS_KEPT_BYTES, KeptCover};
use strato_model::ipc::{AppError, ErrorKind};

use super::{App, Cover, lock};

/// Covers held in memory for this run: the ones on screen come back without a query.
const COVERS_IN_MEMORY: usize = 256;

impl App {
    /// An album's cover image and its content type.
    pub async fn cover(&self, album_id: &str) -> Result<Cover, AppError> {
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
        let api = self.api()?;
        let known = lock(&self.tracks)
            .values()
            .find(|t| t.album_id == album_id)
            .cloned();
        let cover_path = match known {
            Some(track) => track.cover_path,
            None => {
                api.album(album_id)
                    .await
                    .map_err(|e| self.cloud_error(&api, &e))?
                    .album
                    .cover_path
            }
        }
        .ok_or_else(|| AppError::new(ErrorKind::NotFound, "This album has no cover."))?;
        let request = api
            .art_request(&cover_path)
            .map_err(|e| self.cloud_error(&api, &e))?;
        let (bytes, content_type) = request
            .bytes()
            .await
            .map_err(|e| self.cloud_error(&api, &e))?;
        Ok((
            Arc::new(bytes),
            content_type.unwrap_or_else(|| "image/jpeg".to_owned()),
        ))
    }
}
