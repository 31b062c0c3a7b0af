//! Published uploads in the media bucket behind `CloudFront`: [`S3Media`], devcloud's
//! [`MediaStore`] as a deployment keeps it.
//!
//! Each file is its own object (`media/<id>/…`, `art/<id>-<n>.jpg`) with the content type and
//! `Cache-Control` of the contract's CDN table, which `CloudFront` passes on to players: S3
//! has no rename, so a publication puts every file, then removes what an earlier run of the
//! same upload left that this one did not make. The upload is marked ready only after, so
//! no listener is sent to a file not yet there.
//!
//! [`MediaStore::serve`] is `CloudFront`'s side, for `aws-local`'s CDN: `GetObject` or
//! `HeadObject` with the request's `Range` and `If-None-Match`, and S3's answer passed on.

use std::collections::BTreeSet;
use std::path::Path;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use futures_util::{StreamExt as _, TryStreamExt as _};
use percent_encoding::percent_decode_str;
use strato_devcloud::cdn::access::xml_error;
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
        let pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let pages: Vec<_> = pages
            .try_collect()
            .await
            .map_err(|e| MediaError::new("listing the published media", DisplayErrorContext(e)))?;
        Ok(pages
            .into_iter()
            .flat_map(|page| page.contents.unwrap_or_default())
            .filter_map(|object| object.key)
            .collect())
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
        let media_ids = self
            .keys("media/")
            .await?
            .into_iter()
            .filter_map(|key| {
                let id = key.strip_prefix("media/")?.split('/').next()?;
                (!id.is_empty()).then(|| id.to_owned())
            })
            .collect();
        let covers = self.keys("art/").await?.into_iter().collect();
        Ok(Inventory { media_ids, covers })
    }

    async fn remove_media(&self, id: &str) -> Result<(), MediaError> {
        let keys = self.keys(&format!("media/{id}/")).await?;
        self.delete(keys).await
    }

    async fn remove_cover(&self, name: &str) -> Result<(), MediaError> {
        let is_cover = name
            .strip_prefix("art/")
            .is_some_and(|file| !file.is_empty() && !file.contains('/'));
        if !is_cover {
            return Err(MediaError::new("removing a cover", "not a cover's name"));
        }
        self.delete(vec![name.to_owned()]).await
    }

    async fn serve(&self, method: &Method, headers: &HeaderMap, key: &str) -> Option<Response> {
        let key = percent_decode_str(key).decode_utf8().ok()?;
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let (range, if_none_match) = (text(header::RANGE), text(header::IF_NONE_MATCH));
        if *method == Method::HEAD {
            let answer = self
                .client
                .head_object()
                .bucket(&self.bucket)
                .key(key.as_ref())
                .set_range(range.map(str::to_owned))
                .set_if_none_match(if_none_match.map(str::to_owned))
                .send()
                .await;
            return match answer {
                Ok(head) => Some(found(
                    head.content_range.is_some(),
                    Described {
                        content_type: head.content_type,
                        cache_control: head.cache_control,
                        etag: head.e_tag,
                        length: head.content_length,
                        range: head.content_range,
                    },
                    Body::empty(),
                )),
                Err(error) => refused(error),
            };
        }
        let answer = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_ref())
            .set_range(range.map(str::to_owned))
            .set_if_none_match(if_none_match.map(str::to_owned))
            .send()
            .await;
        match answer {
            Ok(object) => Some(found(
                object.content_range.is_some(),
                Described {
                    content_type: object.content_type,
                    cache_control: object.cache_control,
                    etag: object.e_tag,
                    length: object.content_length,
                    range: object.content_range,
                },
                Body::from_stream(tokio_util::io::ReaderStream::new(
                    object.body.into_async_read(),
                )),
            )),
            Err(error) => refused(error),
        }
    }
}

/// What S3 says of an object it answers with.
struct Described {
    content_type: Option<String>,
    cache_control: Option<String>,
    etag: Option<String>,
    length: Option<i64>,
    range: Option<String>,
}

fn found(partial: bool, described: Described, body: Body) -> Response {
    let status = if partial {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    for (name, value) in [
        (header::CONTENT_TYPE, described.content_type),
        (header::CACHE_CONTROL, described.cache_control),
        (header::ETAG, described.etag),
        (
            header::CONTENT_LENGTH,
            described.length.map(|n| n.to_string()),
        ),
        (header::CONTENT_RANGE, described.range),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    (status, headers, body).into_response()
}

/// S3's refusal as `CloudFront` passes it on: `None` for a missing key.
fn refused<E, R>(error: SdkError<E, R>) -> Option<Response>
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + AsHttpAnswer,
{
    let answer = error.raw_response().map(AsHttpAnswer::status_and_etag);
    match answer {
        Some((404, _)) => None,
        Some((304, etag)) => {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            if let Some(etag) = etag.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(header::ETAG, etag);
            }
            Some(response)
        }
        Some((416, _)) => Some(xml_error(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "InvalidRange",
            "The requested range is not satisfiable",
        )),
        _ => {
            tracing::error!(error = %DisplayErrorContext(error), "reading published media");
            Some(xml_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error",
            ))
        }
    }
}

/// The status and `ETag` of the raw answer behind an SDK error.
trait AsHttpAnswer {
    fn status_and_etag(&self) -> (u16, Option<String>);
}

impl AsHttpAnswer for aws_sdk_s3::config::http::HttpResponse {
    fn status_and_etag(&self) -> (u16, Option<String>) {
        (
            self.status().as_u16(),
            self.headers().get("etag").map(str::to_owned),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::S3Media;
    use crate::bodies::local_s3_client;

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
}
