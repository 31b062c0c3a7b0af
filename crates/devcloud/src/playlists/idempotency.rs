//! `Idempotency-Key` for POSTs: the first request's response is stored with a fingerprint of
//! the request (method, path, body); a retry with the same key and request gets that response
//! again without the write being applied twice, a different request with the key gets 409.
//! Keys are per user and kept for [`RETENTION_SECS`]. Only successful responses are stored:
//! a refused request may be retried with the same key.

use rusqlite::{OptionalExtension as _, Transaction, params};
use sha2::{Digest, Sha256};

use super::storage::StoreError;

/// How long a key is remembered.
pub const RETENTION_SECS: i64 = 24 * 3600;
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// A request's key and fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub fingerprint: String,
}

impl IdempotencyKey {
    /// Checks the key (1 to 255 visible ASCII characters) and fingerprints the request.
    pub fn new(key: &str, method: &str, path: &str, body: &[u8]) -> Result<Self, String> {
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"
            ));
        }
        let mut hasher = Sha256::new();
        for part in [method.as_bytes(), b"\n", path.as_bytes(), b"\n", body] {
            hasher.update(part);
        }
        Ok(Self {
            key: key.to_owned(),
            fingerprint: hex::encode(hasher.finalize()),
        })
    }
}

/// A write's response, as sent and as replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// JSON, or empty for 204.
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
}

/// The stored response for `key`, if this request was made before.
pub fn lookup(
    tx: &Transaction<'_>,
    owner: &str,
    key: &IdempotencyKey,
    now: i64,
) -> Result<Option<StoredResponse>, StoreError> {
    let row = tx
        .query_row(
            "SELECT fingerprint, status, body, location, etag FROM idempotency_keys
             WHERE owner = ?1 AND key = ?2 AND created_at > ?3",
            params![owner, key.key, now - RETENTION_SECS],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    StoredResponse {
                        status: r.get(1)?,
                        body: r.get(2)?,
                        location: r.get(3)?,
                        etag: r.get(4)?,
                    },
                ))
            },
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((fingerprint, stored)) if fingerprint == key.fingerprint => Ok(Some(stored)),
        Some(_) => Err(StoreError::IdempotencyConflict),
    }
}

/// Stores a response for replays, and forgets expired keys.
pub fn remember(
    tx: &Transaction<'_>,
    owner: &str,
    key: &IdempotencyKey,
    response: &StoredResponse,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= ?1",
        [now - RETENTION_SECS],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO idempotency_keys
             (owner, key, fingerprint, status, body, location, etag, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            owner,
            key.key,
            key.fingerprint,
            response.status,
            response.body,
            response.location,
            response.etag,
            now
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::memory_connection;

    const NOW: i64 = 1_800_000_000;

    fn response() -> StoredResponse {
        StoredResponse {
            status: 201,
            body: "{}".into(),
            location: Some("/x".into()),
            etag: None,
        }
    }

    #[test]
    fn same_request_replays_other_request_conflicts() {
        let mut conn = memory_connection();
        let tx = conn.transaction().unwrap();
        let key = IdempotencyKey::new("k1", "POST", "/v1/playlists", b"{\"name\":\"a\"}").unwrap();
        assert_eq!(lookup(&tx, "u", &key, NOW).unwrap(), None);
        remember(&tx, "u", &key, &response(), NOW).unwrap();
        assert_eq!(lookup(&tx, "u", &key, NOW + 1).unwrap(), Some(response()));
        assert_eq!(lookup(&tx, "other-user", &key, NOW + 1).unwrap(), None);
        let different =
            IdempotencyKey::new("k1", "POST", "/v1/playlists", b"{\"name\":\"b\"}").unwrap();
        assert!(matches!(
            lookup(&tx, "u", &different, NOW),
            Err(StoreError::IdempotencyConflict)
        ));
        assert_eq!(
            lookup(&tx, "u", &key, NOW + RETENTION_SECS + 1).unwrap(),
            None,
            "expired"
        );
    }

    #[test]
    fn keys_must_be_visible_ascii() {
        assert!(IdempotencyKey::new("", "POST", "/", b"").is_err());
        assert!(IdempotencyKey::new("a b", "POST", "/", b"").is_err());
        assert!(IdempotencyKey::new(&"k".repeat(256), "POST", "/", b"").is_err());
        assert!(
            IdempotencyKey::new("550e8400-e29b-41d4-a716-446655440000", "POST", "/", b"").is_ok()
        );
    }
}
