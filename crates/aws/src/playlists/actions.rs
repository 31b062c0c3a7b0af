//! The actions of a playlist write's transaction, in the order [`super::write`]'s doc lists
//! them. The idempotency record is always the fifth (its cancellation reason is read by
//! position).

use aws_sdk_dynamodb::types::builders::TransactWriteItemBuilder;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use strato_devcloud::playlists::idempotency::{IdempotencyKey, RETENTION_SECS, StoredResponse};
use strato_devcloud::playlists::storage::{StoreError, WriteRequest};

use super::items::{
    BLOCK_PREFIX, GC, META, SEQ, block_item, change_item, listener_pk, playlist_pk,
};
use super::write::{Edit, key_pk};
use crate::attrs::{Item, build, n, s};
use crate::bodies::{AnswerBodies, INLINE_MAX};
use crate::tables::{EXPIRES_AT, Tables};

/// Where the idempotency record's action sits in the transaction.
pub const KEY_ACTION: usize = 4;

/// The write's actions, in the order the module doc lists them.
pub fn transaction(
    tables: &Tables,
    request: &WriteRequest,
    edit: &Edit,
    seq: u64,
    response: &StoredResponse,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let owner = &request.owner;
    let meta_action = meta_action(tables, owner, edit)?;
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
                    .key("sk", s(crate::accounts::PROFILE))
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
        actions.push(remember(
            &tables.idempotency,
            owner,
            key,
            response,
            request.now,
        )?);
    }
    actions.extend(summary_actions(tables, owner, edit)?);
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
            .key("sk", s(format!("{BLOCK_PREFIX}{key}")))
            .build()
            .map_err(build)?;
        actions.push(TransactWriteItem::builder().delete(delete).build());
    }
    Ok(actions)
}

/// The playlist's summary under its owner, as the write leaves it; with a deletion, the
/// `GC` mark of its blocks' sweep.
fn summary_actions(
    tables: &Tables,
    owner: &str,
    edit: &Edit,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    if let Some((meta, _)) = &edit.after {
        let put = Put::builder()
            .table_name(&tables.playlists)
            .set_item(Some(meta.summary_item()))
            .build()
            .map_err(build)?;
        return Ok(vec![TransactWriteItem::builder().put(put).build()]);
    }
    let delete = Delete::builder()
        .table_name(&tables.playlists)
        .key("pk", s(listener_pk(owner)))
        .key("sk", s(&edit.summary_sk))
        .build()
        .map_err(build)?;
    let mark = Put::builder()
        .table_name(&tables.playlists)
        .set_item(Some(Item::from([
            ("pk".into(), s(GC)),
            ("sk".into(), s(&edit.playlist_id)),
            ("owner".into(), s(owner)),
        ])))
        .build()
        .map_err(build)?;
    Ok(vec![
        TransactWriteItem::builder().delete(delete).build(),
        TransactWriteItem::builder().put(mark).build(),
    ])
}

/// The write's `META` action: made, replaced or deleted, on the condition of what was read.
fn meta_action(
    tables: &Tables,
    owner: &str,
    edit: &Edit,
) -> Result<TransactWriteItemBuilder, StoreError> {
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
    table: &str,
    owner: &str,
    key: &IdempotencyKey,
    response: &StoredResponse,
    now: i64,
) -> Result<TransactWriteItem, StoreError> {
    let mut item = Item::from([
        ("pk".into(), s(key_pk(owner, key))),
        ("fingerprint".into(), s(&key.fingerprint)),
        ("status".into(), n(response.status)),
        ("created_at".into(), n(now)),
        (EXPIRES_AT.into(), n(now + RETENTION_SECS)),
    ]);
    // The body was put in S3 before the transaction when too big for the item.
    if response.body.len() > INLINE_MAX {
        item.insert(
            "body_s3".into(),
            s(AnswerBodies::object_key(owner, key, &response.body)),
        );
    } else {
        item.insert("body".into(), s(&response.body));
    }
    for (name, value) in [("location", &response.location), ("etag", &response.etag)] {
        if let Some(value) = value {
            item.insert(name.into(), s(value));
        }
    }
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk) OR created_at <= :cutoff")
        .expression_attribute_values(":cutoff", n(now - RETENTION_SECS))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().put(put).build())
}
