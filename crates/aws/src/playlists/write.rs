//! A playlist write as one `DynamoDB` transaction.
//!
//! Read (strongly consistent) the playlist, its blocks and the listener's change counter;
//! apply the op in memory ([`Blocks`]); then commit in one `TransactWriteItems`:
//!
//! 1. `META`, conditioned on the revision and owner read (or on not existing, for a new one);
//! 2. the listener's `SEQ`, conditioned on the value read, so change numbers stay gap-free;
//! 3. the change record `C#<seq>`;
//! 4. the listener's name in `Users` (their profile);
//! 5. with an `Idempotency-Key`, the answer, conditioned on the key being free or expired;
//! 6. the blocks the edit touched (at most four; see [`super::blocks`]);
//!
//! 7. the playlist's summary under its owner (put, or deleted with the playlist, which also
//!    puts a `GC` mark).
//!
//! That is at most twelve actions, far from the hundred a transaction allows. When a
//! condition fails another write got there first: read again and retry, a few times with
//! jitter, then answer busy (503). A deleted playlist's blocks are deleted after the commit,
//! then its `GC` mark; a sweep cut short keeps its mark for the collector, and no read
//! reaches blocks without a `META`.
//!
//! An answer too big for the record is put in S3 first ([`crate::bodies`]). Idempotency
//! records carry `expires_at` for `DynamoDB`'s time to live, which deletes them
//! some time (up to days) after it: the 24 hours are checked here, on `created_at`.

use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use rand::Rng as _;
use strato_devcloud::playlists::idempotency::{IdempotencyKey, RETENTION_SECS, StoredResponse};
use strato_devcloud::playlists::storage::{
    MAX_ITEMS, Outcome, PlaylistOp, Recorded, StoreError, WriteRequest, Written, check_description,
    check_name, check_patch, new_id,
};
use strato_model::api::ChangeKind;

use super::blocks::{BlockWrites, Blocks, Entry};
use super::items::{Meta, SEQ, listener_pk};
use super::sweep::sweep;
use super::{DynamoPlaylists, actions};
use crate::attrs::{number, s, sdk, string};
use crate::bodies::{AnswerBodies, INLINE_MAX};

/// How many times a write reads again after losing a race before giving up.
const ATTEMPTS: u32 = 8;

/// What one attempt came to.
enum Attempt {
    Done(Written),
    /// Another write committed between our reads and our transaction.
    Raced,
    /// A request with the same key committed meanwhile.
    KeyTaken,
}

/// An op applied in memory, ready to commit.
pub(super) struct Edit {
    pub(super) playlist_id: String,
    /// The playlist as the write leaves it with its items; `None` once deleted.
    pub(super) after: Option<(Meta, Vec<Entry>)>,
    /// The revision read; `None` for a new playlist.
    pub(super) read: Option<u64>,
    pub(super) kind: ChangeKind,
    pub(super) revision: u64,
    pub(super) blocks: BlockWrites,
    /// Blocks to delete once a deletion committed.
    pub(super) sweep: Vec<String>,
    /// The key of the playlist's summary under its owner.
    pub(super) summary_sk: String,
}

pub(super) async fn write(
    store: &DynamoPlaylists,
    request: &WriteRequest,
) -> Result<Written, StoreError> {
    for attempt in 0..ATTEMPTS {
        if let Some(key) = &request.key
            && let Some(replayed) = replay(store, &request.owner, key, request.now).await?
        {
            return Ok(replayed);
        }
        match attempt_write(store, request).await? {
            Attempt::Done(written) => return Ok(written),
            // The next round's lookup replays it or says the key is another request's.
            Attempt::KeyTaken => {}
            Attempt::Raced => {
                let millis = rand::thread_rng().gen_range(5..=25) * u64::from(attempt + 1);
                tokio::time::sleep(Duration::from_millis(millis)).await;
            }
        }
    }
    // A key taken in the last round is answered, as in any other.
    if let Some(key) = &request.key
        && let Some(replayed) = replay(store, &request.owner, key, request.now).await?
    {
        return Ok(replayed);
    }
    Err(StoreError::Busy)
}

pub(super) fn key_pk(owner: &str, key: &IdempotencyKey) -> String {
    format!("{owner}#{}", key.key)
}

/// The answer stored for this request, when it was made in the last 24 hours.
async fn replay(
    store: &DynamoPlaylists,
    owner: &str,
    key: &IdempotencyKey,
    now: i64,
) -> Result<Option<Written>, StoreError> {
    let answer = store
        .client
        .get_item()
        .table_name(&store.tables.idempotency)
        .key("pk", s(key_pk(owner, key)))
        .consistent_read(true)
        .send()
        .await
        .map_err(sdk)?;
    let Some(item) = answer.item() else {
        return Ok(None);
    };
    // Time to live deletes late: a record past its day may still be here.
    if number::<i64>(item, "created_at")? <= now - RETENTION_SECS {
        return Ok(None);
    }
    if string(item, "fingerprint")? != key.fingerprint {
        return Err(StoreError::IdempotencyConflict);
    }
    let body = match string(item, "body_s3") {
        Ok(object_key) => store.bodies.get(&object_key).await?,
        Err(_) => string(item, "body")?,
    };
    Ok(Some(Written {
        response: StoredResponse {
            status: number(item, "status")?,
            body,
            location: string(item, "location").ok(),
            etag: string(item, "etag").ok(),
        },
        replayed: true,
        recorded: Vec::new(),
    }))
}

/// A write read and applied in memory, not yet committed.
struct Prepared {
    /// This attempt's `ClientRequestToken`: should the SDK send its transaction again after
    /// a timeout, `DynamoDB` answers the first commit's outcome instead of running it twice
    /// (which would fail its conditions and be taken for a lost race, applying the op again).
    token: String,
    /// The listener's change counter as read.
    seq: u64,
    edit: Edit,
    response: StoredResponse,
}

async fn attempt_write(
    store: &DynamoPlaylists,
    request: &WriteRequest,
) -> Result<Attempt, StoreError> {
    let prepared = prepare(store, request).await?;
    commit(store, request, prepared).await
}

/// Reads what the write depends on and applies the op in memory.
async fn prepare(store: &DynamoPlaylists, request: &WriteRequest) -> Result<Prepared, StoreError> {
    let seq = last_seq(store, &request.owner).await?;
    let edit = edit(store, &request.owner, &request.op, request.now).await?;
    let outcome = match &edit.after {
        Some((meta, entries)) => {
            let entries: Vec<&Entry> = entries.iter().collect();
            Outcome::Playlist(store.render(&request.owner, meta, &entries).await?)
        }
        None => Outcome::Deleted,
    };
    let response = request.op.respond(outcome)?;
    Ok(Prepared {
        token: uuid::Uuid::new_v4().to_string(),
        seq,
        edit,
        response,
    })
}

/// Commits a prepared write, unless what it read has changed since.
async fn commit(
    store: &DynamoPlaylists,
    request: &WriteRequest,
    prepared: Prepared,
) -> Result<Attempt, StoreError> {
    let Prepared {
        token,
        seq,
        edit,
        response,
    } = prepared;
    if let Some(key) = &request.key
        && response.body.len() > INLINE_MAX
    {
        let object_key = AnswerBodies::object_key(&request.owner, key, &response.body);
        store.bodies.put(&object_key, &response.body).await?;
    }
    let actions = actions::transaction(&store.tables, request, &edit, seq, &response)?;
    if let Err(error) = store
        .client
        .transact_write_items()
        .client_request_token(token)
        .set_transact_items(Some(actions))
        .send()
        .await
    {
        return cancelled(error);
    }
    if !edit.sweep.is_empty() {
        sweep(store, &edit.playlist_id, &edit.sweep).await;
    }
    Ok(Attempt::Done(Written {
        response,
        replayed: false,
        recorded: vec![Recorded {
            seq: seq + 1,
            playlist_id: edit.playlist_id,
            kind: edit.kind,
            revision: edit.revision,
        }],
    }))
}

/// Why a transaction was cancelled, as the next step: retry, look the key up, or fail.
fn cancelled<R>(error: SdkError<TransactWriteItemsError, R>) -> Result<Attempt, StoreError>
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let reasons: Vec<String> = match &error {
        SdkError::ServiceError(service) => match service.err() {
            TransactWriteItemsError::TransactionCanceledException(cancel) => cancel
                .cancellation_reasons()
                .iter()
                .map(|r| r.code().unwrap_or("None").to_owned())
                .collect(),
            TransactWriteItemsError::TransactionInProgressException(_) => {
                return Ok(Attempt::Raced);
            }
            _ => return Err(sdk(error)),
        },
        _ => return Err(sdk(error)),
    };
    if reasons
        .get(actions::KEY_ACTION)
        .is_some_and(|c| c == "ConditionalCheckFailed")
    {
        return Ok(Attempt::KeyTaken);
    }
    if reasons.iter().all(|c| {
        matches!(
            c.as_str(),
            "None" | "ConditionalCheckFailed" | "TransactionConflict"
        )
    }) {
        return Ok(Attempt::Raced);
    }
    Err(sdk(error))
}

/// The listener's last change number (0 before their first).
async fn last_seq(store: &DynamoPlaylists, owner: &str) -> Result<u64, StoreError> {
    let answer = store
        .client
        .get_item()
        .table_name(&store.tables.playlists)
        .key("pk", s(listener_pk(owner)))
        .key("sk", s(SEQ))
        .consistent_read(true)
        .send()
        .await
        .map_err(sdk)?;
    Ok(match answer.item() {
        Some(item) => number(item, "seq")?,
        None => 0,
    })
}

/// Applies `op` in memory after the checks the contract makes, in devcloud's order (the
/// uploads an `AddItems` names, then owner and revision, then the request's own limits).
async fn edit(
    store: &DynamoPlaylists,
    owner: &str,
    op: &PlaylistOp,
    now: i64,
) -> Result<Edit, StoreError> {
    let (id, precondition) = match op {
        PlaylistOp::Create(new) => {
            let name = check_name(&new.name)?;
            check_description(&new.description)?;
            let meta = Meta {
                id: new_id("pl"),
                owner: owner.to_owned(),
                name,
                description: new.description.clone(),
                public: false,
                revision: 1,
                item_count: 0,
                created_at: now,
                updated_at: now,
            };
            return Ok(Edit {
                playlist_id: meta.id.clone(),
                summary_sk: meta.summary_sk(),
                after: Some((meta, Vec::new())),
                read: None,
                kind: ChangeKind::Created,
                revision: 1,
                blocks: BlockWrites::default(),
                sweep: Vec::new(),
            });
        }
        PlaylistOp::Update {
            id, precondition, ..
        }
        | PlaylistOp::Delete { id, precondition }
        | PlaylistOp::AddItems {
            id, precondition, ..
        }
        | PlaylistOp::RemoveItem {
            id, precondition, ..
        }
        | PlaylistOp::MoveItem {
            id, precondition, ..
        } => (id, *precondition),
    };
    if let PlaylistOp::Update { patch, .. } = op {
        check_patch(patch)?;
    }
    if let PlaylistOp::AddItems { track_ids, .. } = op
        && let Some(unknown) = store.first_unknown_upload(owner, track_ids).await?
    {
        return Err(StoreError::Invalid(format!("unknown track id {unknown:?}")));
    }
    let (mut meta, blocks) = store.owned(owner, id).await?;
    let read = precondition.check(meta.revision)?;
    if matches!(op, PlaylistOp::Delete { .. }) {
        return Ok(Edit {
            playlist_id: id.clone(),
            summary_sk: meta.summary_sk(),
            after: None,
            read: Some(read),
            kind: ChangeKind::Deleted,
            revision: read + 1,
            blocks: BlockWrites::default(),
            sweep: blocks.into_iter().map(|b| b.key).collect(),
        });
    }
    let mut blocks = Blocks::new(blocks);
    apply(op, &mut meta, &mut blocks, now)?;
    meta.revision = read + 1;
    meta.updated_at = now;
    meta.item_count = u32::try_from(blocks.len()).unwrap_or(u32::MAX);
    let entries = blocks.entries().cloned().collect();
    Ok(Edit {
        playlist_id: id.clone(),
        summary_sk: meta.summary_sk(),
        after: Some((meta, entries)),
        read: Some(read),
        kind: ChangeKind::Updated,
        revision: read + 1,
        blocks: blocks.into_writes(),
        sweep: Vec::new(),
    })
}

/// The op's change to the playlist's fields and items.
fn apply(
    op: &PlaylistOp,
    meta: &mut Meta,
    blocks: &mut Blocks,
    now: i64,
) -> Result<(), StoreError> {
    let broken = |e: strato_model::order_key::OrderKeyError| StoreError::Storage(Box::new(e));
    match op {
        PlaylistOp::Update { patch, .. } => {
            if let Some(name) = &patch.name {
                meta.name = check_name(name)?;
            }
            if let Some(description) = &patch.description {
                check_description(description)?;
                meta.description.clone_from(description);
            }
            if let Some(public) = patch.public {
                meta.public = public;
            }
        }
        PlaylistOp::AddItems {
            track_ids,
            position,
            ..
        } => {
            let len = blocks.len();
            if len + track_ids.len() > MAX_ITEMS {
                return Err(StoreError::Invalid(format!(
                    "a playlist holds at most {MAX_ITEMS} items"
                )));
            }
            let at = position.map_or(len, |p| (p as usize).min(len));
            let entries = track_ids
                .iter()
                .map(|track_id| Entry {
                    item_id: new_id("it"),
                    track_id: track_id.clone(),
                    added_at: now,
                })
                .collect();
            blocks.insert(at, entries).map_err(broken)?;
        }
        PlaylistOp::RemoveItem { item_id, .. } => {
            blocks
                .remove(item_id)
                .ok_or_else(|| StoreError::ItemNotFound(item_id.clone()))?;
        }
        PlaylistOp::MoveItem {
            item_id, position, ..
        } => {
            let (_, entry) = blocks
                .remove(item_id)
                .ok_or_else(|| StoreError::ItemNotFound(item_id.clone()))?;
            let to = (*position as usize).min(blocks.len());
            blocks.insert(to, vec![entry]).map_err(broken)?;
        }
        PlaylistOp::Create(_) | PlaylistOp::Delete { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
