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
//! 6. the blocks the edit touched (at most four; see [`super::blocks`]).
//!
//! That is at most ten actions, far from the hundred a transaction allows. When a condition
//! fails another write got there first: read again and retry, a few times with jitter. A
//! deleted playlist's blocks are deleted after the commit (a crash in between leaves blocks
//! no `META` points to, which no read reaches).
//!
//! Idempotency records carry `expires_at` for `DynamoDB`'s time to live, which deletes them
//! some time (up to days) after it: the 24 hours are checked here, on `created_at`.

use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::builders::TransactWriteItemBuilder;
use aws_sdk_dynamodb::types::{
    Delete, DeleteRequest, Put, TransactWriteItem, Update, WriteRequest as BatchWrite,
};
use rand::Rng as _;
use strato_devcloud::playlists::idempotency::{IdempotencyKey, RETENTION_SECS, StoredResponse};
use strato_devcloud::playlists::storage::{
    MAX_ITEMS, Outcome, PlaylistOp, Recorded, StoreError, WriteRequest, Written, check_description,
    check_name, check_patch, new_id,
};
use strato_model::api::ChangeKind;

use super::DynamoPlaylists;
use super::blocks::{BlockWrites, Blocks, Entry};
use super::items::{META, Meta, SEQ, block_item, change_item, listener_pk, playlist_pk};
use crate::attrs::{Item, build, n, number, s, sdk, string};
use crate::tables::EXPIRES_AT;

/// How many times a write reads again after losing a race before giving up.
const ATTEMPTS: u32 = 8;
/// Where the idempotency record's action sits in the transaction.
const KEY_ACTION: usize = 4;
/// `BatchWriteItem`'s most requests a call.
const BATCH_WRITE_MAX: usize = 25;

/// What one attempt came to.
enum Attempt {
    Done(Written),
    /// Another write committed between our reads and our transaction.
    Raced,
    /// A request with the same key committed meanwhile.
    KeyTaken,
}

/// An op applied in memory, ready to commit.
struct Edit {
    playlist_id: String,
    /// The playlist as the write leaves it with its items; `None` once deleted.
    after: Option<(Meta, Vec<Entry>)>,
    /// The revision read; `None` for a new playlist.
    read: Option<u64>,
    kind: ChangeKind,
    revision: u64,
    blocks: BlockWrites,
    /// Blocks to delete once a deletion committed.
    sweep: Vec<String>,
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
    Err(StoreError::Storage(
        format!("{ATTEMPTS} writes at once to the same playlists kept colliding").into(),
    ))
}

fn key_pk(owner: &str, key: &IdempotencyKey) -> String {
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
    Ok(Some(Written {
        response: StoredResponse {
            status: number(item, "status")?,
            body: string(item, "body")?,
            location: string(item, "location").ok(),
            etag: string(item, "etag").ok(),
        },
        replayed: true,
        recorded: Vec::new(),
    }))
}

async fn attempt_write(
    store: &DynamoPlaylists,
    request: &WriteRequest,
) -> Result<Attempt, StoreError> {
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
    let actions = transaction(store, request, &edit, seq, &response)?;
    match store
        .client
        .transact_write_items()
        .set_transact_items(Some(actions))
        .send()
        .await
    {
        Ok(_) => {}
        Err(error) => return cancelled(error),
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
        .get(KEY_ACTION)
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

/// The write's actions, in the order the module doc lists them.
fn transaction(
    store: &DynamoPlaylists,
    request: &WriteRequest,
    edit: &Edit,
    seq: u64,
    response: &StoredResponse,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let owner = &request.owner;
    let tables = &store.tables;
    let meta_action = meta_action(store, owner, edit)?;
    let seq_item = Item::from([
        ("pk".into(), s(listener_pk(owner))),
        ("sk".into(), s(SEQ)),
        ("seq".into(), n(seq + 1)),
    ]);
    let mut seq_put = Put::builder()
        .table_name(&tables.playlists)
        .set_item(Some(seq_item));
    seq_put = if seq == 0 {
        seq_put.condition_expression("attribute_not_exists(pk)")
    } else {
        seq_put
            .condition_expression("seq = :prev")
            .expression_attribute_values(":prev", n(seq))
    };
    let change = change_item(
        owner,
        seq + 1,
        &edit.playlist_id,
        edit.kind,
        edit.revision,
        request.now,
    );
    let mut actions = vec![
        meta_action.build(),
        TransactWriteItem::builder()
            .put(seq_put.build().map_err(build)?)
            .build(),
        TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&tables.playlists)
                    .set_item(Some(change))
                    .condition_expression("attribute_not_exists(pk)")
                    .build()
                    .map_err(build)?,
            )
            .build(),
        TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&tables.users)
                    .key("sub", s(owner))
                    .key("sk", s("PROFILE"))
                    .update_expression("SET #name = :name")
                    .expression_attribute_names("#name", "name")
                    .expression_attribute_values(":name", s(&request.owner_name))
                    .build()
                    .map_err(build)?,
            )
            .build(),
    ];
    if let Some(key) = &request.key {
        debug_assert_eq!(actions.len(), KEY_ACTION);
        actions.push(remember(store, owner, key, response, request.now)?);
    }
    for block in &edit.blocks.put {
        let put = Put::builder()
            .table_name(&tables.playlists)
            .set_item(Some(block_item(&edit.playlist_id, block)))
            .build()
            .map_err(build)?;
        actions.push(TransactWriteItem::builder().put(put).build());
    }
    for key in &edit.blocks.delete {
        let delete = Delete::builder()
            .table_name(&tables.playlists)
            .key("pk", s(playlist_pk(&edit.playlist_id)))
            .key("sk", s(format!("{}{key}", super::items::BLOCK_PREFIX)))
            .build()
            .map_err(build)?;
        actions.push(TransactWriteItem::builder().delete(delete).build());
    }
    Ok(actions)
}

/// The write's `META` action: made, replaced or deleted, on the condition of what was read.
fn meta_action(
    store: &DynamoPlaylists,
    owner: &str,
    edit: &Edit,
) -> Result<TransactWriteItemBuilder, StoreError> {
    let tables = &store.tables;
    Ok(match (&edit.after, edit.read) {
        (Some((meta, _)), None) => TransactWriteItem::builder().put(
            Put::builder()
                .table_name(&tables.playlists)
                .set_item(Some(meta.to_item()))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(build)?,
        ),
        (Some((meta, _)), Some(read)) => TransactWriteItem::builder().put(
            Put::builder()
                .table_name(&tables.playlists)
                .set_item(Some(meta.to_item()))
                .condition_expression("revision = :read AND #owner = :owner")
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_values(":read", n(read))
                .expression_attribute_values(":owner", s(owner))
                .build()
                .map_err(build)?,
        ),
        (None, read) => TransactWriteItem::builder().delete(
            Delete::builder()
                .table_name(&tables.playlists)
                .key("pk", s(playlist_pk(&edit.playlist_id)))
                .key("sk", s(META))
                .condition_expression("revision = :read AND #owner = :owner")
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_values(":read", n(read.unwrap_or_default()))
                .expression_attribute_values(":owner", s(owner))
                .build()
                .map_err(build)?,
        ),
    })
}

/// The idempotency record's put: free or expired keys only.
fn remember(
    store: &DynamoPlaylists,
    owner: &str,
    key: &IdempotencyKey,
    response: &StoredResponse,
    now: i64,
) -> Result<TransactWriteItem, StoreError> {
    let mut item = Item::from([
        ("pk".into(), s(key_pk(owner, key))),
        ("fingerprint".into(), s(&key.fingerprint)),
        ("status".into(), n(response.status)),
        ("body".into(), s(&response.body)),
        ("created_at".into(), n(now)),
        (EXPIRES_AT.into(), n(now + RETENTION_SECS)),
    ]);
    for (name, value) in [("location", &response.location), ("etag", &response.etag)] {
        if let Some(value) = value {
            item.insert(name.into(), s(value));
        }
    }
    let put = Put::builder()
        .table_name(&store.tables.idempotency)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk) OR created_at <= :cutoff")
        .expression_attribute_values(":cutoff", n(now - RETENTION_SECS))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Deletes a deleted playlist's blocks. A failure leaves blocks no read reaches; it is
/// logged, not the listener's problem (their playlist is gone either way).
async fn sweep(store: &DynamoPlaylists, playlist_id: &str, keys: &[String]) {
    for chunk in keys.chunks(BATCH_WRITE_MAX) {
        let requests: Result<Vec<BatchWrite>, _> = chunk
            .iter()
            .map(|key| {
                DeleteRequest::builder()
                    .key("pk", s(playlist_pk(playlist_id)))
                    .key("sk", s(format!("{}{key}", super::items::BLOCK_PREFIX)))
                    .build()
                    .map(|delete| BatchWrite::builder().delete_request(delete).build())
            })
            .collect();
        let result = match requests {
            Ok(requests) => store
                .client
                .batch_write_item()
                .request_items(&store.tables.playlists, requests)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk(e).to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = result {
            tracing::warn!(playlist_id, %error, "a deleted playlist's blocks were left behind");
        }
    }
}
