//! [`DynamoUploads`]: devcloud's [`UploadStore`] on the `Uploads` table ([`item`](super::item)),
//! with each listener's storage used kept on their `Users` `PROFILE` item as `used_bytes`.
//!
//! - **Every change reads the item (strongly consistent), changes the record in memory with
//!   devcloud's own rules (`UploadRow::made_ready`, `patched`), and writes it back on the
//!   condition that its counter `v` is still the one read**, recomputing the index keys from
//!   the new record; a lost race reads again. So a takedown and an owner's edit at once
//!   cannot leave a track in the public index it should have left.
//! - **The quota is a condition on the counter**: a create adds its size to `used_bytes` on
//!   the condition that the sum stays within the quota, in one transaction with the new
//!   record (and its `Idempotency-Key` item); a delete takes the size back with the tombstone.
//! - **Lists read the indexes**, which `DynamoDB` keeps eventually consistent: an upload made a
//!   moment ago may be missing from a list (never from a read by id). A page asks for one item
//!   more than it shows; its cursor names the index's partition and the last item's keys,
//!   and a cursor of another partition (another listener's) is refused.
//! - **Scans** (uploads left processing, what storage may keep) read the whole table: the
//!   collector and a worker's start, not a listener's request.

use std::collections::HashSet;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use strato_devcloud::playlists::storage::StoreError;
use strato_devcloud::uploads::storage::{
    Answer, LiveSet, NewRow, PatchError, Published, UploadStore, UploadStoreError,
};
use strato_devcloud::uploads::store::{Status, UploadRow, cover_file};
use strato_model::api::{Page, UploadFailure, UploadPatch, UploadStatus};

use super::item::{PUBLIC, from_item, is_public, to_item};
use super::pages::{Listing, page};
use super::retry::{ATTEMPTS, CONDITION_FAILED, backoff, cancellation};
use crate::attrs::{Item, build, n, number, query_all, s, sdk, string};
use crate::tables::Tables;

/// Upload records in a deployment's `Uploads` table.
#[derive(Debug, Clone)]
pub struct DynamoUploads {
    client: Client,
    tables: Tables,
}

pub(super) fn failed(error: impl Into<StoreError>) -> UploadStoreError {
    match error.into() {
        StoreError::Storage(source) => UploadStoreError::Storage(source),
        other => UploadStoreError::Storage(other.to_string().into()),
    }
}

impl DynamoUploads {
    #[must_use]
    pub fn new(client: Client, tables: Tables) -> Self {
        Self { client, tables }
    }

    async fn read(&self, id: &str) -> Answer<Option<(UploadRow, u64)>> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.tables.uploads)
            .key("id", s(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failed(sdk(e)))?;
        answer
            .item()
            .filter(|item| item.contains_key("status"))
            .map(|item| from_item(item).map_err(failed))
            .transpose()
    }

    /// `row` written as version `v`, if the item is still at `v - 1`.
    fn put(&self, row: &UploadRow, v: u64) -> Answer<Put> {
        let put = Put::builder()
            .table_name(&self.tables.uploads)
            .set_item(Some(to_item(row, v)));
        let put = if v == 1 {
            put.condition_expression("attribute_not_exists(id)")
        } else {
            put.condition_expression("v = :read")
                .expression_attribute_values(":read", n(v - 1))
        };
        put.build().map_err(|e| failed(build(e)))
    }

    /// Changes the record `id` with `change` (`None`: nothing to write), retried when another
    /// write came first. Answers the record written.
    async fn change(
        &self,
        id: &str,
        mut change: impl FnMut(&UploadRow) -> Option<UploadRow> + Send,
    ) -> Answer<Option<UploadRow>> {
        for _ in 0..ATTEMPTS {
            let Some((row, v)) = self.read(id).await? else {
                return Ok(None);
            };
            let Some(changed) = change(&row) else {
                return Ok(None);
            };
            let put = self.put(&changed, v + 1)?;
            let written = self
                .client
                .put_item()
                .table_name(put.table_name())
                .set_item(Some(put.item().clone()))
                .set_condition_expression(put.condition_expression().map(str::to_owned))
                .set_expression_attribute_values(put.expression_attribute_values().cloned())
                .send()
                .await;
            match written {
                Ok(_) => return Ok(Some(changed)),
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(PutItemError::is_conditional_check_failed_exception) => {}
                Err(error) => return Err(failed(sdk(error))),
            }
        }
        Err(UploadStoreError::Storage(
            format!("upload {id} kept changing under a write").into(),
        ))
    }

    fn used_bytes_update(&self, owner: &str) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder()
            .table_name(&self.tables.users)
            .key("sub", s(owner))
            .key("sk", s(crate::accounts::PROFILE))
    }

    async fn query_index(&self, index: &str, key: &str, value: &str) -> Answer<Vec<UploadRow>> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.uploads)
            .index_name(index)
            .key_condition_expression("#p = :p")
            .expression_attribute_names("#p", key)
            .expression_attribute_values(":p", s(value));
        rows_of(&query_all(query).await.map_err(failed)?)
    }

    async fn scan(&self) -> Answer<Vec<UploadRow>> {
        let mut rows = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.tables.uploads)
                .filter_expression("attribute_exists(#status)")
                .expression_attribute_names("#status", "status")
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| failed(sdk(e)))?;
            rows.extend(rows_of(page.items())?);
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(rows),
            }
        }
    }
}

fn rows_of(items: &[Item]) -> Answer<Vec<UploadRow>> {
    items
        .iter()
        .map(|item| from_item(item).map(|(row, _)| row).map_err(failed))
        .collect()
}

fn key_item_id(owner: &str, key: &str) -> String {
    format!("KEY#{owner}#{key}")
}

#[async_trait]
impl UploadStore for DynamoUploads {
    async fn create(&self, new: &NewRow, quota_bytes: u64, now: i64) -> Answer<Result<(), u64>> {
        let row = UploadRow::new(new, now);
        let Some(room) = quota_bytes.checked_sub(new.size) else {
            return Ok(Err(self.used_bytes(&new.owner).await?));
        };
        let mut actions = vec![
            TransactWriteItem::builder().put(self.put(&row, 1)?).build(),
            TransactWriteItem::builder()
                .update(
                    self.used_bytes_update(&new.owner)
                        .update_expression(
                            "SET #name = :name, used_bytes = if_not_exists(used_bytes, :zero) + :size",
                        )
                        .condition_expression("attribute_not_exists(used_bytes) OR used_bytes <= :room")
                        .expression_attribute_names("#name", "name")
                        .expression_attribute_values(":name", s(&new.owner_name))
                        .expression_attribute_values(":zero", n(0))
                        .expression_attribute_values(":size", n(new.size))
                        .expression_attribute_values(":room", n(room))
                        .build()
                        .map_err(|e| failed(build(e)))?,
                )
                .build(),
        ];
        if let Some(key) = &new.idempotency_key {
            actions.push(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.tables.uploads)
                            .item("id", s(key_item_id(&new.owner, key)))
                            .item("upload_id", s(&new.id))
                            .condition_expression("attribute_not_exists(id)")
                            .build()
                            .map_err(|e| failed(build(e)))?,
                    )
                    .build(),
            );
        }
        for attempt in 1..=ATTEMPTS {
            // The token (at most 36 characters: an upload id is 35) makes the SDK's own resend
            // of this call apply once.
            let written = self
                .client
                .transact_write_items()
                .set_transact_items(Some(actions.clone()))
                .client_request_token(&new.id)
                .send()
                .await;
            let Err(error) = written else {
                return Ok(Ok(()));
            };
            match cancellation(&error) {
                // The second action is the quota's: its condition failing means no room.
                Some(reasons) if reasons.get(1).map(String::as_str) == Some(CONDITION_FAILED) => {
                    return Ok(Err(self.used_bytes(&new.owner).await?));
                }
                // Another write of the listener's profile at once (a playlist's, another
                // upload's): DynamoDB cancels one of them; it is tried again.
                Some(reasons) if !reasons.iter().any(|r| r == CONDITION_FAILED) => {
                    tokio::time::sleep(backoff(attempt)).await;
                }
                _ => return Err(failed(sdk(error))),
            }
        }
        Err(UploadStoreError::Storage(
            "too many writes of this listener's profile at once".into(),
        ))
    }

    async fn set_multipart(&self, id: &str, multipart_id: &str) -> Answer<()> {
        self.change(id, |row| {
            (row.status == Status::Live(UploadStatus::Uploading)).then(|| UploadRow {
                multipart_id: Some(multipart_id.to_owned()),
                ..row.clone()
            })
        })
        .await
        .map(drop)
    }

    async fn used_bytes(&self, owner: &str) -> Answer<u64> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.tables.users)
            .key("sub", s(owner))
            .key("sk", s(crate::accounts::PROFILE))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failed(sdk(e)))?;
        Ok(answer
            .item()
            .and_then(|item| number(item, "used_bytes").ok())
            .unwrap_or(0))
    }

    async fn row(&self, id: &str) -> Answer<Option<UploadRow>> {
        Ok(self.read(id).await?.map(|(row, _)| row))
    }

    async fn by_key(&self, owner: &str, key: &str) -> Answer<Option<UploadRow>> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.tables.uploads)
            .key("id", s(key_item_id(owner, key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failed(sdk(e)))?;
        let Some(item) = answer.item() else {
            return Ok(None);
        };
        let id = string(item, "upload_id").map_err(failed)?;
        self.row(&id).await
    }

    async fn visible(&self, viewer: &str, id: &str) -> Answer<Option<UploadRow>> {
        Ok(self.row(id).await?.filter(|row| row.visible_to(viewer)))
    }

    async fn visible_ids(&self, viewer: &str, ids: &[String]) -> Answer<HashSet<String>> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        super::visible_uploads(&self.client, &self.tables.uploads, viewer, &ids)
            .await
            .map_err(failed)
    }

    async fn list_owned(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Answer<Page<UploadRow>> {
        let listing = Listing {
            index: "by_owner",
            partition_key: "owner_live",
            partition: owner,
            sort_key: "created",
        };
        page(&self.client, &self.tables.uploads, &listing, cursor, limit).await
    }

    async fn list_public(
        &self,
        owner: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Answer<Page<UploadRow>> {
        let listing = match owner {
            Some(owner) => Listing {
                index: "public_by_owner",
                partition_key: "public_owner",
                partition: owner,
                sort_key: "published",
            },
            None => Listing {
                index: "public",
                partition_key: "public_part",
                partition: PUBLIC,
                sort_key: "published",
            },
        };
        page(&self.client, &self.tables.uploads, &listing, cursor, limit).await
    }

    async fn list_visible(
        &self,
        viewer: &str,
        album_id: Option<&str>,
        artist_id: Option<&str>,
    ) -> Answer<Vec<UploadRow>> {
        let mut rows = match (album_id, artist_id) {
            (Some(album), _) => self.query_index("by_album", "album_id", album).await?,
            (None, Some(artist)) => self.query_index("by_artist", "artist_id", artist).await?,
            (None, None) => {
                let mut rows = self.query_index("public", "public_part", PUBLIC).await?;
                let own = self.query_index("by_owner", "owner_live", viewer).await?;
                rows.extend(own.into_iter().filter(|row| !is_public(row)));
                rows
            }
        };
        // An index can lag a change: a track may show up in both queries above.
        let mut seen = HashSet::new();
        rows.retain(|row| {
            seen.insert(row.id.clone())
                && row.visible_to(viewer)
                && album_id.is_none_or(|album| row.album_id == album)
                && artist_id.is_none_or(|artist| row.artist_id == artist)
        });
        rows.sort_by_cached_key(|row| (row.album_id.clone(), super::item::track_order(row)));
        Ok(rows)
    }

    async fn start_processing(&self, id: &str, now: i64) -> Answer<bool> {
        let started = self
            .change(id, |row| {
                (row.status == Status::Live(UploadStatus::Uploading)).then(|| UploadRow {
                    status: Status::Live(UploadStatus::Processing),
                    multipart_id: None,
                    progress: 0.0,
                    updated_at: now,
                    ..row.clone()
                })
            })
            .await?;
        Ok(started.is_some())
    }

    async fn processing_ids(&self) -> Answer<Vec<String>> {
        let mut ids: Vec<String> = self
            .scan()
            .await?
            .into_iter()
            .filter(|row| row.status == Status::Live(UploadStatus::Processing))
            .map(|row| row.id)
            .collect();
        ids.sort();
        Ok(ids)
    }

    async fn set_progress(&self, id: &str, progress: f32) -> Answer<()> {
        self.change(id, |row| {
            (row.status == Status::Live(UploadStatus::Processing)).then(|| UploadRow {
                progress,
                ..row.clone()
            })
        })
        .await
        .map(drop)
    }

    async fn mark_ready(&self, id: &str, published: &Published, now: i64) -> Answer<bool> {
        let ready = self
            .change(id, |row| {
                (row.status == Status::Live(UploadStatus::Processing))
                    .then(|| row.made_ready(published, now))
            })
            .await?;
        Ok(ready.is_some())
    }

    async fn mark_failed(&self, id: &str, failure: &UploadFailure, now: i64) -> Answer<()> {
        self.change(id, |row| {
            (row.status == Status::Live(UploadStatus::Processing)).then(|| UploadRow {
                status: Status::Live(UploadStatus::Failed),
                failure: Some(failure.clone()),
                updated_at: now,
                ..row.clone()
            })
        })
        .await
        .map(drop)
    }

    async fn patch(
        &self,
        current: &UploadRow,
        patch: &UploadPatch,
        now: i64,
    ) -> Answer<Result<(), PatchError>> {
        // Checked on the record as the route read it, then applied to the one stored now.
        if let Err(refused) = current.patched(patch, now) {
            return Ok(Err(refused));
        }
        let mut refused = None;
        self.change(&current.id, |row| match row.patched(patch, now) {
            Ok(edited) => Some(edited),
            Err(error) => {
                refused = Some(error);
                None
            }
        })
        .await?;
        Ok(refused.map_or(Ok(()), Err))
    }

    async fn next_cover_version(&self, id: &str, now: i64) -> Answer<u32> {
        let changed = self
            .change(id, |row| {
                Some(UploadRow {
                    cover_version: Some(row.cover_version.unwrap_or(0) + 1),
                    updated_at: now,
                    ..row.clone()
                })
            })
            .await?;
        changed
            .and_then(|row| row.cover_version)
            .ok_or_else(|| UploadStoreError::Storage(format!("no upload {id}").into()))
    }

    async fn undo_cover_version(&self, id: &str, version: u32) -> Answer<()> {
        self.change(id, |row| {
            (row.cover_version == Some(version)).then(|| UploadRow {
                cover_version: Some(version - 1).filter(|v| *v > 0),
                ..row.clone()
            })
        })
        .await
        .map(drop)
    }

    async fn delete(&self, id: &str, now: i64) -> Answer<()> {
        // A counter below the upload's size has drifted (a profile written by hand, a bug):
        // the delete still goes through, and starts the counter again from nothing.
        let mut drifted = false;
        for attempt in 1..=ATTEMPTS {
            let Some((row, v)) = self.read(id).await? else {
                return Ok(());
            };
            if row.status == Status::Deleted {
                return Ok(());
            }
            let tombstone = UploadRow {
                status: Status::Deleted,
                visibility: strato_model::api::Visibility::Private,
                updated_at: now,
                ..row.clone()
            };
            let actions = vec![
                TransactWriteItem::builder()
                    .put(self.put(&tombstone, v + 1)?)
                    .build(),
                TransactWriteItem::builder()
                    .update(
                        if drifted {
                            self.used_bytes_update(&row.owner)
                                .update_expression("SET used_bytes = :zero")
                                .expression_attribute_values(":zero", n(0))
                        } else {
                            self.used_bytes_update(&row.owner)
                                .update_expression("SET used_bytes = used_bytes - :size")
                                .condition_expression("used_bytes >= :size")
                                .expression_attribute_values(":size", n(row.size))
                        }
                        .build()
                        .map_err(|e| failed(build(e)))?,
                    )
                    .build(),
            ];
            let written = self
                .client
                .transact_write_items()
                .set_transact_items(Some(actions))
                .client_request_token(uuid::Uuid::new_v4().simple().to_string())
                .send()
                .await;
            let Err(error) = written else {
                return Ok(());
            };
            match cancellation(&error) {
                Some(reasons) if reasons.get(1).map(String::as_str) == Some(CONDITION_FAILED) => {
                    tracing::warn!(owner = %row.owner, "storage used was below an upload's size");
                    drifted = true;
                }
                // Another write came first (reason 0), or a conflict: read again.
                Some(_) => tokio::time::sleep(backoff(attempt)).await,
                None => return Err(failed(sdk(error))),
            }
        }
        Err(UploadStoreError::Storage(
            format!("upload {id} kept changing under a delete").into(),
        ))
    }

    async fn set_takedown(&self, id: &str, reason: Option<&str>, now: i64) -> Answer<()> {
        self.change(id, |row| {
            Some(UploadRow {
                takedown: reason.map(|reason| strato_model::api::Takedown {
                    reason: reason.to_owned(),
                    at: now,
                }),
                updated_at: now,
                ..row.clone()
            })
        })
        .await
        .map(drop)
    }

    async fn live_set(&self) -> Answer<LiveSet> {
        let mut live = LiveSet::default();
        for row in self.scan().await? {
            if row.status == Status::Deleted {
                continue;
            }
            live.object_keys.insert(row.object_key.clone());
            if let Some(version) = row.cover_version {
                live.covers.insert(cover_file(&row.id, version));
            }
            // Processing publishes the first cover before the record names it.
            if row.status == Status::Live(UploadStatus::Processing) {
                live.covers.insert(cover_file(&row.id, 1));
            }
            live.media_ids.insert(row.id);
        }
        Ok(live)
    }
}
