//! Idempotency answers too big for a `DynamoDB` item, kept in S3 instead.
//!
//! A write's answer is the whole playlist: about 110 bytes an item, so about 900 KB for 10,000
//! items, past the 400 KB a `DynamoDB` item holds. An answer over [`INLINE_MAX`] bytes is put
//! at `idempotency/<sha-256 of listener and key>/<sha-256 of the answer>.json` in the uploads
//! bucket before the
//! transaction that records it (an object no record names is harmless, and expires with the
//! bucket's three-day rule for the prefix); the record names the object instead of holding
//! the body.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use sha2::{Digest as _, Sha256};
use strato_devcloud::playlists::idempotency::IdempotencyKey;
use strato_devcloud::playlists::storage::StoreError;

use crate::attrs::sdk;

/// The largest answer kept in the record itself, leaving room under 400 KB for the rest.
pub const INLINE_MAX: usize = 300_000;

/// Where big answers go.
#[derive(Debug, Clone)]
pub struct AnswerBodies {
    client: Client,
    bucket: String,
}

impl AnswerBodies {
    #[must_use]
    pub fn new(client: Client, bucket: String) -> Self {
        Self { client, bucket }
    }

    /// The object's key for `owner`'s `key` and this `body`. The body's own hash is part of
    /// it: two attempts with one key (a retry racing its first try) each put their answer,
    /// and the record that commits names its own, never the other's.
    #[must_use]
    pub fn object_key(owner: &str, key: &IdempotencyKey, body: &str) -> String {
        let request = Sha256::new()
            .chain_update(owner.as_bytes())
            .chain_update(b"\n")
            .chain_update(key.key.as_bytes())
            .finalize();
        let answer = Sha256::digest(body.as_bytes());
        format!(
            "idempotency/{}/{}.json",
            hex::encode(request),
            hex::encode(answer)
        )
    }

    /// Keeps `body` at `object_key`.
    ///
    /// # Errors
    /// When S3 refuses or cannot be reached.
    pub async fn put(&self, object_key: &str, body: &str) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(object_key)
            .content_type("application/json")
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// The body kept at `object_key`.
    ///
    /// # Errors
    /// When it cannot be read, or is not text.
    pub async fn get(&self, object_key: &str) -> Result<String, StoreError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(object_key)
            .send()
            .await
            .map_err(sdk)?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Storage(Box::new(e)))?;
        String::from_utf8(bytes.to_vec()).map_err(|e| StoreError::Storage(Box::new(e)))
    }
}

/// An S3 client for a stand-in at `endpoint` ([`local_config`](crate::local_config)),
/// path-style as a stand-in serves every bucket on one host.
#[must_use]
pub fn local_s3_client(endpoint: &str, region: &str) -> Client {
    crate::deployment::s3_client(&crate::local_config(endpoint, region))
}
