//! Published uploads in the media bucket behind `CloudFront`: [`S3Media`], devcloud's
//! [`MediaStore`] as a deployment keeps it.
//!
//! Each file is its own object (`media/<id>/…`, `art/<id>-<n>.jpg`) with the content type and
//! `Cache-Control` of the contract's CDN table, which `CloudFront` passes on to players: S3
//! has no rename, so a publication puts every file, then removes what an earlier run of the
//! same upload left that this one did not make. The upload is marked ready only after, so
//! no listener is sent to a file not yet there.
//!
//! [`MediaStore::serve`] is `CloudFront`'s side, for `aws-local`'s CDN ([`origin`]).

mod origin;

use std::collections::BTreeSet;
use std::path::Path;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use futures_util::{StreamExt as _, TryStreamExt as _};
use strato_devcloud::uploads::ID_PREFIX;
use strato_devcloud::uploads::media::{
    Inventory, MediaError, MediaStore, cache_control, content_type, files_under,
};
use strato_devcloud::uploads::store::cover_file;

/// Files put at once while publishing: an upload is a few hundred segments.
const PUTS_AT_ONCE: usize = 8;
/// The most keys one `DeleteObjects` takes.
const DELETE_BATCH: usize = 1000;

/// Published media in an S3 bucket; see the module's documentation.
#[derive(Debug, Clone)]
pub struct S3Media {
    client: Client,
    bucket: String,
}

impl S3Media {
    #[must_use]
    pub fn new(client: Client, bucket: String) -> Self {
        Self { client, bucket }
    }

    /// Makes the bucket if it is missing (`aws-local`; a deployment's is the stack's).
    ///
    /// # Errors
    /// When S3 refuses.
    pub async fn create_bucket(&self) -> Result<(), MediaError> {
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error)
                if error.as_service_error().is_some_and(|e| {
                    e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
                }) =>
            {
                Ok(())
            }
            Err(error) => Err(MediaError::new(
                "making the media bucket",
                DisplayErrorContext(error),
            )),
        }
    }

    async fn put(&self, key: String, file: &Path) -> Result<(), MediaError> {
        let body = ByteStream::from_path(file)
            .await
            .map_err(|e| MediaError::new("reading a file to publish", e))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .content_type(content_type(&key))
            .cache_control(cache_control(&key))
            .key(key)
            .body(body)
            .send()
            .await
            .map_err(|e| MediaError::new("publishing a file", DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Every key under `prefix`, across pages.
    async fn keys(&self, prefix: &str) -> Result<Vec<String>, MediaError> {
        Ok(self
            .list(prefix, None)
            .await?
            .into_iter()
            .flat_map(|page| page.contents.unwrap_or_default())
            .filter_map(|object| object.key)
            .collect())
    }

    /// The "folders" (common prefixes up to the next `/`) of keys beginning `prefix`.
    async fn folders(&self, prefix: &str) -> Result<Vec<String>, MediaError> {
        Ok(self
            .list(prefix, Some("/"))
            .await?
            .into_iter()
            .flat_map(|page| page.common_prefixes.unwrap_or_default())
            .filter_map(|folder| folder.prefix)
            .collect())
    }

    /// Every page of a listing under `prefix`.
    async fn list(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
    ) -> Result<Vec<ListObjectsV2Output>, MediaError> {
        self.client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_delimiter(delimiter.map(str::to_owned))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| MediaError::new("listing the published media", DisplayErrorContext(e)))
    }

    async fn delete(&self, keys: Vec<String>) -> Result<(), MediaError> {
        for batch in keys.chunks(DELETE_BATCH) {
            let objects = batch
                .iter()
                .map(|key| ObjectIdentifier::builder().key(key).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| MediaError::new("removing published media", e))?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| MediaError::new("removing published media", e))?;
            let answer = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| MediaError::new("removing published media", DisplayErrorContext(e)))?;
            if let Some(error) = answer.errors.unwrap_or_default().into_iter().next() {
                return Err(MediaError::new(
                    "removing published media",
                    format!("{:?}: {:?}", error.key, error.message),
                ));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl MediaStore for S3Media {
    async fn publish(
        &self,
        id: &str,
        folder: &Path,
        cover: Option<&Path>,
    ) -> Result<(), MediaError> {
        let prefix = format!("media/{id}/");
        let files = files_under(folder)
            .await
            .map_err(|e| MediaError::new("reading the staged media", e))?;
        let made: BTreeSet<String> = files
            .iter()
            .map(|(name, _)| format!("{prefix}{name}"))
            .collect();
        futures_util::stream::iter(files)
            .map(|(name, path)| {
                let key = format!("{prefix}{name}");
                async move { self.put(key, &path).await }
            })
            .buffer_unordered(PUTS_AT_ONCE)
            .try_collect::<()>()
            .await?;
        let left = self
            .keys(&prefix)
            .await?
            .into_iter()
            .filter(|key| !made.contains(key))
            .collect();
        self.delete(left).await?;
        if let Some(cover) = cover {
            self.put_cover(id, 1, cover).await?;
        }
        Ok(())
    }

    async fn put_cover(&self, id: &str, version: u32, file: &Path) -> Result<(), MediaError> {
        self.put(cover_file(id, version), file).await
    }

    async fn inventory(&self) -> Result<Inventory, MediaError> {
        // Uploads' names only, the catalog's never listed; media by folder, not by segment.
        let media_prefix = format!("media/{ID_PREFIX}");
        let media_ids = self
            .folders(&media_prefix)
            .await?
            .into_iter()
            .filter_map(|folder| {
                let id = folder.strip_prefix("media/")?.strip_suffix('/')?;
                Some(id.to_owned())
            })
            .collect();
        let covers = self
            .keys(&format!("art/{ID_PREFIX}"))
            .await?
            .into_iter()
            .collect();
        Ok(Inventory { media_ids, covers }.of_uploads())
    }

    async fn remove_media(&self, id: &str) -> Result<(), MediaError> {
        let keys = self.keys(&format!("media/{id}/")).await?;
        self.delete(keys).await
    }

    async fn remove_cover(&self, name: &str) -> Result<(), MediaError> {
        let is_cover = name
            .strip_prefix("art/")
            .is_some_and(|file| !matches!(file, "" | "." | "..") && !file.contains('/'));
        if !is_cover {
            return Err(MediaError::new("removing a cover", "not a cover's name"));
        }
        self.delete(vec![name.to_owned()]).await
    }

    async fn serve(&self, method: &Method, headers: &HeaderMap, key: &str) -> Option<Response> {
        origin::serve(&self.client, &self.bucket, method, headers, key).await
    }
}

#[cfg(test)]
mod tests {
    use super::S3Media;
    use crate::bodies::local_s3_client;
    use strato_devcloud::uploads::media::MediaStore as _;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_media_bucket_keeps_the_media_contract() {
        let moto = strato_testkit::Moto::start();
        let client = local_s3_client(moto.url(), "us-east-1");
        let store = S3Media::new(client, format!("media-{}", uuid::Uuid::new_v4().simple()));
        store.create_bucket().await.unwrap();
        store.create_bucket().await.unwrap();
        let scratch = tempfile::tempdir().unwrap();
        strato_devcloud::uploads::media_conformance::run(&store, scratch.path()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_catalogs_files_beside_uploads_are_never_the_collectors() {
        let moto = strato_testkit::Moto::start();
        let client = local_s3_client(moto.url(), "us-east-1");
        let bucket = format!("media-{}", uuid::Uuid::new_v4().simple());
        let store = S3Media::new(client.clone(), bucket.clone());
        store.create_bucket().await.unwrap();
        for key in [
            "media/tr-polar-morning/mp3/cbr.mp3",
            "art/al-northern-drift.jpg",
        ] {
            client
                .put_object()
                .bucket(&bucket)
                .key(key)
                .body(b"catalog".to_vec().into())
                .send()
                .await
                .unwrap();
        }
        let scratch = tempfile::tempdir().unwrap();
        let cover = scratch.path().join("c.jpg");
        std::fs::write(&cover, b"jpeg").unwrap();
        store.put_cover("up-1", 1, &cover).await.unwrap();
        let inventory = store.inventory().await.unwrap();
        assert_eq!(
            inventory.covers.into_iter().collect::<Vec<_>>(),
            ["art/up-1-1.jpg"]
        );
        assert!(inventory.media_ids.is_empty(), "{:?}", inventory.media_ids);
    }
}
