//! [`PlaylistStore`] on `DynamoDB`: devcloud's playlist contract in the `Playlists` and
//! `Idempotency` tables (their items: [`items`]; a playlist's items in blocks: [`blocks`]),
//! with answers too big for an item in S3 ([`AnswerBodies`]).
//!
//! Every read that a write depends on is strongly consistent, and a write commits as one
//! `TransactWriteItems` conditioned on what it read (the revision, the listener's change
//! counter, the idempotency key): two writes at once cannot both commit on the same reading;
//! the loser reads again and tries again ([`write`]). A listener's list is read from the
//! summaries under their own key, strongly consistent too. A playlist read is its `META` and
//! its blocks in two calls: the `META` is read again after the blocks, and the read done
//! again when a write came in between, so an `ETag` never names items of another revision.

mod actions;
mod blocks;
mod items;
mod sweep;
mod write;

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use strato_devcloud::playlists::storage::{PlaylistStore, StoreError, WriteRequest, Written};
use strato_devcloud::uploads::explore::is_upload;
use strato_model::api::{
    ChangeKind, Playlist, PlaylistChange, PlaylistChanges, PlaylistItem, PlaylistSummary,
};

use self::blocks::{Block, Entry};
use self::items::{
    BLOCK_PREFIX, META, Meta, SUMMARY_PREFIX, block_from_item, change_sk, listener_pk, playlist_pk,
};
use crate::attrs::{Item, number, query_all, s, sdk, string};
use crate::bodies::AnswerBodies;
use crate::tables::Tables;
use crate::uploads::visible_uploads;

/// How many times a read is done again while writes keep landing between its two calls.
const READ_ATTEMPTS: u32 = 5;

/// Playlists in a deployment's tables.
#[derive(Debug, Clone)]
pub struct DynamoPlaylists {
    client: Client,
    tables: Tables,
    bodies: AnswerBodies,
}

impl DynamoPlaylists {
    #[must_use]
    pub fn new(client: Client, tables: Tables, bodies: AnswerBodies) -> Self {
        Self {
            client,
            tables,
            bodies,
        }
    }

    /// A playlist's `META`, read strongly consistent.
    async fn meta(&self, id: &str) -> Result<Option<Meta>, StoreError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.tables.playlists)
            .key("pk", s(playlist_pk(id)))
            .key("sk", s(META))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        Ok(answer.item().map(Meta::from_item).transpose()?)
    }

    /// A playlist's blocks in order, read strongly consistent, page by page.
    async fn blocks(&self, id: &str) -> Result<Vec<Block>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.playlists)
            .key_condition_expression("pk = :pk AND begins_with(sk, :blocks)")
            .expression_attribute_values(":pk", s(playlist_pk(id)))
            .expression_attribute_values(":blocks", s(BLOCK_PREFIX))
            .consistent_read(true);
        let items = query_all(query).await?;
        Ok(items
            .iter()
            .map(block_from_item)
            .collect::<Result<_, _>>()?)
    }

    /// The playlist `id` with its blocks, when `owner` owns it.
    async fn owned(&self, owner: &str, id: &str) -> Result<(Meta, Vec<Block>), StoreError> {
        let meta = self
            .meta(id)
            .await?
            .filter(|m| m.owner == owner)
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
        Ok((meta, self.blocks(id).await?))
    }

    /// A playlist as `viewer` reads it: items of uploads they may not see are unavailable.
    async fn render(
        &self,
        viewer: &str,
        meta: &Meta,
        entries: &[&Entry],
    ) -> Result<Playlist, StoreError> {
        let uploads: Vec<&str> = entries
            .iter()
            .map(|e| e.track_id.as_str())
            .filter(|t| t.starts_with("up-"))
            .collect();
        let visible = if uploads.is_empty() {
            HashSet::default()
        } else {
            visible_uploads(&self.client, &self.tables.uploads, viewer, &uploads).await?
        };
        Ok(Playlist {
            id: meta.id.clone(),
            name: meta.name.clone(),
            description: meta.description.clone(),
            revision: meta.revision,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
            public: meta.public,
            items: entries
                .iter()
                .map(|e| PlaylistItem {
                    item_id: e.item_id.clone(),
                    track_id: e.track_id.clone(),
                    added_at: e.added_at,
                    available: !e.track_id.starts_with("up-") || visible.contains(&e.track_id),
                })
                .collect(),
        })
    }

    /// Which of `track_ids` are uploads `owner` may not add (unknown to them).
    async fn first_unknown_upload(
        &self,
        owner: &str,
        track_ids: &[String],
    ) -> Result<Option<String>, StoreError> {
        let uploads: Vec<&str> = track_ids
            .iter()
            .map(String::as_str)
            .filter(|t| is_upload(t))
            .collect();
        if uploads.is_empty() {
            return Ok(None);
        }
        let visible = visible_uploads(&self.client, &self.tables.uploads, owner, &uploads).await?;
        Ok(uploads
            .into_iter()
            .find(|t| !visible.contains(*t))
            .map(str::to_owned))
    }
}

#[async_trait]
impl PlaylistStore for DynamoPlaylists {
    async fn list(
        &self,
        owner: &str,
        public_only: bool,
    ) -> Result<Vec<PlaylistSummary>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.playlists)
            .key_condition_expression("pk = :pk AND begins_with(sk, :summaries)")
            .expression_attribute_values(":pk", s(listener_pk(owner)))
            .expression_attribute_values(":summaries", s(SUMMARY_PREFIX))
            .consistent_read(true);
        let mut summaries = Vec::new();
        for item in query_all(query).await? {
            let meta = Meta::from_item(&item)?;
            if !public_only || meta.public {
                summaries.push(meta.summary());
            }
        }
        Ok(summaries)
    }

    async fn get(&self, viewer: &str, id: &str, shared: bool) -> Result<Playlist, StoreError> {
        let may_read = |m: &Meta| m.owner == viewer || (shared && m.public);
        let not_found = || StoreError::NotFound(id.to_owned());
        let mut meta = self
            .meta(id)
            .await?
            .filter(may_read)
            .ok_or_else(not_found)?;
        for _ in 0..READ_ATTEMPTS {
            let blocks = self.blocks(id).await?;
            let again = self
                .meta(id)
                .await?
                .filter(may_read)
                .ok_or_else(not_found)?;
            if again.revision == meta.revision {
                let entries: Vec<&Entry> = blocks.iter().flat_map(|b| &b.entries).collect();
                return self.render(viewer, &again, &entries).await;
            }
            meta = again;
        }
        Err(StoreError::Busy)
    }

    async fn write(&self, request: WriteRequest) -> Result<Written, StoreError> {
        write::write(self, &request).await
    }

    async fn changes(&self, owner: &str, since: u64) -> Result<PlaylistChanges, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.tables.playlists)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(listener_pk(owner)))
            .expression_attribute_values(":from", s(change_sk(since.saturating_add(1))))
            .expression_attribute_values(":to", s(change_sk(u64::MAX)))
            .consistent_read(true);
        let mut recorded = query_all(query)
            .await?
            .iter()
            .map(change_of)
            .collect::<Result<Vec<_>, _>>()?;
        let mut snapshots: HashMap<String, Option<Playlist>> = HashMap::new();
        for change in &mut recorded {
            if change.kind == ChangeKind::Deleted {
                continue;
            }
            if !snapshots.contains_key(&change.playlist_id) {
                let snapshot = match self.get(owner, &change.playlist_id, false).await {
                    Ok(playlist) => Some(playlist),
                    Err(StoreError::NotFound(_)) => None,
                    Err(error) => return Err(error),
                };
                snapshots.insert(change.playlist_id.clone(), snapshot);
            }
            change.playlist.clone_from(&snapshots[&change.playlist_id]);
        }
        let cursor = recorded.last().map_or(since, |c| c.seq);
        Ok(PlaylistChanges {
            changes: recorded,
            cursor,
        })
    }
}

fn change_of(item: &Item) -> Result<PlaylistChange, StoreError> {
    Ok(PlaylistChange {
        seq: number(item, "seq")?,
        playlist_id: string(item, "playlist_id")?,
        kind: items::kind_of(&string(item, "kind")?)?,
        revision: number(item, "revision")?,
        playlist: None,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use strato_testkit::Moto;

    use super::DynamoPlaylists;
    use crate::bodies::{AnswerBodies, local_s3_client};
    use crate::tables::{self, Tables};

    /// A store in fresh tables and a fresh bucket of the process's moto.
    pub(crate) async fn moto_store() -> DynamoPlaylists {
        let moto = Moto::start();
        let client = crate::local_client(moto.url(), "us-east-1");
        let prefix = format!("u{}", uuid::Uuid::new_v4().simple());
        let tables = Tables::prefixed(&prefix);
        tables::create(&client, &tables).await.unwrap();
        let s3 = local_s3_client(moto.url(), "us-east-1");
        let bucket = format!("{prefix}-uploads");
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        DynamoPlaylists::new(client, tables, AnswerBodies::new(s3, bucket))
    }
}
