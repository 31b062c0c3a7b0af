//! What a home for playlists must do, whatever it is: [`PlaylistStore`], the seam between the
//! `/v1/playlists` routes and the database. devcloud keeps playlists in SQLite
//! ([`super::sqlite::SqlitePlaylists`]); a deployment on AWS keeps them in `DynamoDB`
//! (`strato-aws`). Both apply the same [`PlaylistOp`]s with the same checks and store the same
//! response bytes for replays ([`PlaylistOp::respond`]), so a client cannot tell them apart;
//! [`super::conformance`] checks that of each.

use async_trait::async_trait;
use strato_model::api::{
    ChangeKind, NewPlaylist, Playlist, PlaylistChanges, PlaylistPatch, PlaylistSummary,
};

use super::idempotency::{IdempotencyKey, StoredResponse};

/// The longest playlist name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// The most items one playlist holds.
pub const MAX_ITEMS: usize = 10_000;
/// The most tracks one `AddItems` may carry.
pub const MAX_ADD: usize = 500;

/// Why an operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no playlist {0:?}")]
    NotFound(String),
    #[error("no item {0:?} in this playlist")]
    ItemNotFound(String),
    #[error("current revision is {current}")]
    RevisionMismatch { current: u64 },
    #[error("{0}")]
    Invalid(String),
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyConflict,
    /// Too many writes to the same playlists at once kept colliding: a 503, worth a retry.
    #[error("too many changes to these playlists at once; try again")]
    Busy,
    /// The database failed or could not be reached: a 500, and a bug or an outage.
    #[error("storage: {0}")]
    Storage(Box<dyn std::error::Error + Send + Sync>),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Storage(Box::new(error))
    }
}

/// What `If-Match` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// `If-Match: *`: any current revision.
    Any,
    Revision(u64),
}

impl Precondition {
    /// The revision to write on, or why not.
    pub fn check(self, current: u64) -> Result<u64, StoreError> {
        match self {
            Self::Revision(expected) if expected != current => {
                Err(StoreError::RevisionMismatch { current })
            }
            _ => Ok(current),
        }
    }
}

/// One write a listener asks of their playlists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaylistOp {
    Create(NewPlaylist),
    Update {
        id: String,
        precondition: Precondition,
        patch: PlaylistPatch,
    },
    Delete {
        id: String,
        precondition: Precondition,
    },
    /// Inserts tracks at `position` (clamped to the end; `None` appends), in the given order.
    /// Uploads among them must be visible to the owner: the store checks, since it holds them.
    AddItems {
        id: String,
        precondition: Precondition,
        track_ids: Vec<String>,
        position: Option<u32>,
    },
    RemoveItem {
        id: String,
        precondition: Precondition,
        item_id: String,
    },
    /// Moves an item to `position`, counted in the list without the item (clamped to the end).
    MoveItem {
        id: String,
        precondition: Precondition,
        item_id: String,
        position: u32,
    },
}

/// What an op left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The playlist as the write left it.
    Playlist(Playlist),
    Deleted,
}

impl PlaylistOp {
    /// The response a write answers (and replays): `201` with `Location` for a new playlist,
    /// `204` for a deletion, else `200`; each playlist with its revision as `ETag`.
    pub fn respond(&self, outcome: Outcome) -> Result<StoredResponse, StoreError> {
        let Outcome::Playlist(playlist) = outcome else {
            return Ok(StoredResponse {
                status: 204,
                body: String::new(),
                location: None,
                etag: None,
            });
        };
        let created = matches!(self, Self::Create(_));
        Ok(StoredResponse {
            status: if created { 201 } else { 200 },
            body: serde_json::to_string(&playlist).map_err(|e| StoreError::Storage(Box::new(e)))?,
            location: created.then(|| format!("/v1/playlists/{}", playlist.id)),
            etag: Some(format!("\"{}\"", playlist.revision)),
        })
    }
}

/// A write with everything the store needs to apply it once.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    /// The listener's `sub`.
    pub owner: String,
    /// Their display name, remembered for their profile.
    pub owner_name: String,
    /// With a key, a repeat of the same request within 24 hours replays the first answer.
    pub key: Option<IdempotencyKey>,
    pub op: PlaylistOp,
    /// Unix seconds.
    pub now: i64,
}

/// One change as recorded, without the playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub seq: u64,
    pub playlist_id: String,
    pub kind: ChangeKind,
    pub revision: u64,
}

/// A write's answer, whether it was replayed, and the changes it recorded (none for a replay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub response: StoredResponse,
    pub replayed: bool,
    pub recorded: Vec<Recorded>,
}

/// Where playlists live. Every write is atomic: the op, its revision bump, its change records
/// (numbered per listener, gap-free), the listener's name and its idempotency record commit
/// together or not at all.
#[async_trait]
pub trait PlaylistStore: Send + Sync + std::fmt::Debug {
    /// `owner`'s playlists, oldest first; only the public ones when `public_only` (a profile).
    async fn list(
        &self,
        owner: &str,
        public_only: bool,
    ) -> Result<Vec<PlaylistSummary>, StoreError>;

    /// A playlist `viewer` may read: theirs, or with `shared` a public one. Items whose track
    /// `viewer` may not see (deleted, taken down, someone else's private upload) are marked
    /// unavailable; catalog tracks never go away.
    async fn get(&self, viewer: &str, id: &str, shared: bool) -> Result<Playlist, StoreError>;

    /// Applies `request` once, or replays the answer its idempotency key was given before.
    async fn write(&self, request: WriteRequest) -> Result<Written, StoreError>;

    /// `owner`'s changes after `since`, oldest first, each with the playlist as it is now.
    async fn changes(&self, owner: &str, since: u64) -> Result<PlaylistChanges, StoreError>;
}

/// A name as stored: trimmed, 1 to [`MAX_NAME_CHARS`] characters.
pub fn check_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::Invalid(format!(
            "name must have 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_owned())
}

/// A description of at most [`MAX_DESCRIPTION_CHARS`] characters.
pub fn check_description(description: &str) -> Result<(), StoreError> {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(StoreError::Invalid(format!(
            "description must have at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(())
}

/// A patch that changes something.
pub fn check_patch(patch: &PlaylistPatch) -> Result<(), StoreError> {
    if patch.name.is_none() && patch.description.is_none() && patch.public.is_none() {
        return Err(StoreError::Invalid(
            "nothing to change: give name, description and/or public".into(),
        ));
    }
    Ok(())
}

/// A new playlist's or item's id.
#[must_use]
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}
