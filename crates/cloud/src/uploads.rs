//! The uploads part of the REST client (`docs/api.md`, "Your own music"), and the one request
//! that does not go to the API: a part's `PUT` to object storage, by its presigned URL.

use reqwest::Method;
use strato_model::api::{
    CompleteUpload, ListenerProfile, NewUpload, Page, PartUrl, PartsRequest, TakedownRequest,
    Track, Upload, UploadLimits, UploadPatch, UploadSession, UploadedPart,
};

use crate::api::{ApiClient, Request, encode};
use crate::{CloudError, CloudErrorKind};

impl ApiClient {
    /// What the service accepts, and how much of the listener's storage is used.
    pub async fn upload_limits(&self) -> Result<UploadLimits, CloudError> {
        self.get(self.endpoint("uploads/limits"), "read the upload limits")
            .await
    }

    /// Announces a file. `idempotency_key` (the app's own id for the upload) makes a retry
    /// after a lost answer find the same upload instead of making a second one.
    pub async fn create_upload(
        &self,
        new: &NewUpload,
        idempotency_key: &str,
    ) -> Result<UploadSession, CloudError> {
        let request = Request::new(Method::POST, self.endpoint("uploads"), "start the upload")
            .json(new)?
            .idempotency_key(Some(idempotency_key));
        self.send_json(request).await
    }

    /// Fresh part URLs: for `part_numbers`, or for every part storage lacks when empty.
    pub async fn upload_part_urls(
        &self,
        upload_id: &str,
        part_numbers: &[u32],
    ) -> Result<UploadSession, CloudError> {
        let body = PartsRequest {
            part_numbers: part_numbers.to_vec(),
        };
        // Asking again gives new URLs for the same parts: safe to retry.
        let request = Request::new(
            Method::POST,
            self.upload_url(upload_id, "/parts"),
            "continue the upload",
        )
        .json(&body)?
        .idempotency_key(None);
        self.send_json(request).await
    }

    /// The parts object storage holds.
    pub async fn uploaded_parts(&self, upload_id: &str) -> Result<Vec<UploadedPart>, CloudError> {
        self.get(self.upload_url(upload_id, "/parts"), "check the upload")
            .await
    }

    /// Every part sent: the service completes the file and starts processing it. Not retried
    /// by itself: the upload manager reads a second answer ("already completed") as success.
    pub async fn complete_upload(
        &self,
        upload_id: &str,
        parts: &[UploadedPart],
    ) -> Result<Upload, CloudError> {
        let body = CompleteUpload {
            parts: parts.to_vec(),
        };
        let request = Request::new(
            Method::POST,
            self.upload_url(upload_id, "/complete"),
            "finish the upload",
        )
        .json(&body)?;
        self.send_json(request).await
    }

    /// The listener's uploads, newest first.
    pub async fn uploads(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Upload>, CloudError> {
        self.get(self.paged("uploads", cursor, limit), "list your uploads")
            .await
    }

    pub async fn uploaded(&self, upload_id: &str) -> Result<Upload, CloudError> {
        self.get(self.upload_url(upload_id, ""), "read the upload")
            .await
    }

    /// Edits details or visibility (a PATCH of plain values: sending it twice is harmless).
    pub async fn update_upload(
        &self,
        upload_id: &str,
        patch: &UploadPatch,
    ) -> Result<Upload, CloudError> {
        let request = Request::new(
            Method::PATCH,
            self.upload_url(upload_id, ""),
            "change the track",
        )
        .json(patch)?
        .retry_safe();
        self.send_json(request).await
    }

    /// A new cover: JPEG or PNG bytes.
    pub async fn set_upload_cover(
        &self,
        upload_id: &str,
        image: Vec<u8>,
    ) -> Result<Upload, CloudError> {
        let request = Request::new(
            Method::PUT,
            self.upload_url(upload_id, "/cover"),
            "change the cover",
        )
        .raw(image, "application/octet-stream");
        self.send_json(request).await
    }

    pub async fn delete_upload(&self, upload_id: &str) -> Result<(), CloudError> {
        let request = Request::new(
            Method::DELETE,
            self.upload_url(upload_id, ""),
            "delete the track",
        );
        match self.send(request).await {
            Err(err) if err.kind() == CloudErrorKind::NotFound => Ok(()),
            other => other.map(drop),
        }
    }

    /// Everyone's public uploads, newest first.
    pub async fn explore_uploads(
        &self,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Track>, CloudError> {
        self.get(
            self.paged("explore/uploads", cursor, limit),
            "load what listeners share",
        )
        .await
    }

    pub async fn listener_profile(&self, listener_id: &str) -> Result<ListenerProfile, CloudError> {
        self.get(
            self.endpoint(&format!("users/{}", encode(listener_id))),
            "load the listener's page",
        )
        .await
    }

    /// Takes a public track down (administrators only).
    pub async fn take_down(&self, track_id: &str, reason: &str) -> Result<Upload, CloudError> {
        let body = TakedownRequest {
            reason: reason.to_owned(),
        };
        let request = Request::new(
            Method::POST,
            self.takedown_url(track_id),
            "take the track down",
        )
        .json(&body)?;
        self.send_json(request).await
    }

    /// Restores a taken-down track (administrators only).
    pub async fn restore_track(&self, track_id: &str) -> Result<Upload, CloudError> {
        let request = Request::new(
            Method::DELETE,
            self.takedown_url(track_id),
            "restore the track",
        );
        self.send_json(request).await
    }

    /// Sends one part's bytes to object storage by its presigned URL (no bearer token: the
    /// URL is the authorisation); the part's `ETag`.
    pub async fn put_part(
        &self,
        part: &PartUrl,
        bytes: bytes::Bytes,
    ) -> Result<UploadedPart, CloudError> {
        const WHAT: &str = "send part of the file";
        let size = bytes.len() as u64;
        let mut request = self
            .service()
            .http
            .put(&part.url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream");
        for (name, value) in &part.headers {
            request = request.header(name, value);
        }
        let response = request
            .body(bytes)
            .send()
            .await
            .map_err(|e| CloudError::transport(e, WHAT))?;
        let status = response.status();
        if !status.is_success() {
            return Err(CloudError::from_storage(status.as_u16(), WHAT));
        }
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| CloudError::from_storage(status.as_u16(), WHAT))?;
        Ok(UploadedPart {
            part_number: part.part_number,
            etag,
            size,
        })
    }

    fn upload_url(&self, upload_id: &str, rest: &str) -> url::Url {
        self.endpoint(&format!("uploads/{}{rest}", encode(upload_id)))
    }

    fn takedown_url(&self, track_id: &str) -> url::Url {
        self.endpoint(&format!("moderation/tracks/{}/takedown", encode(track_id)))
    }
}
