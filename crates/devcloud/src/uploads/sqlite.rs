//! devcloud's [`UploadStore`]: the records in its SQLite file, each method one call on the
//! database thread ([`store`](super::store)'s functions), the quota check and the new record
//! in one transaction. Cursors are offsets into the listing's order.

use std::collections::HashSet;

use async_trait::async_trait;
use strato_model::api::{Page, UploadFailure, UploadPatch};

use super::storage::{
    Answer, LiveSet, NewRow, PatchError, Published, UploadStore, UploadStoreError,
};
use super::store::{self, UploadRow};
use crate::catalog::{decode_cursor, encode_cursor};
use crate::db::Db;

/// Upload records in devcloud's database.
#[derive(Debug, Clone)]
pub struct SqliteUploads {
    db: Db,
}

impl SqliteUploads {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Answer<T> {
        Ok(self.db.call(work).await??)
    }
}

fn offset_of(cursor: Option<&str>) -> Answer<usize> {
    match cursor.filter(|cursor| !cursor.is_empty()) {
        None => Ok(0),
        Some(cursor) => decode_cursor(cursor).ok_or(UploadStoreError::BadCursor),
    }
}

/// A page from one more row than asked for: the extra one says there is a next page.
fn page_of(mut rows: Vec<UploadRow>, offset: usize, limit: usize) -> Page<UploadRow> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    Page {
        next_cursor: more.then(|| encode_cursor(offset + limit)),
        items: rows,
    }
}

#[async_trait]
impl UploadStore for SqliteUploads {
    async fn create(&self, new: &NewRow, quota_bytes: u64, now: i64) -> Answer<Result<(), u64>> {
        let new = new.clone();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let taken = store::used_bytes(&tx, &new.owner)?;
            if taken.saturating_add(new.size) > quota_bytes {
                return Ok(Err(taken));
            }
            store::insert(&tx, &new, now)?;
            tx.commit()?;
            Ok(Ok(()))
        })
        .await
    }

    async fn set_multipart(&self, id: &str, multipart_id: &str) -> Answer<()> {
        let (id, multipart_id) = (id.to_owned(), multipart_id.to_owned());
        self.call(move |conn| store::set_multipart(conn, &id, &multipart_id))
            .await
    }

    async fn used_bytes(&self, owner: &str) -> Answer<u64> {
        let owner = owner.to_owned();
        self.call(move |conn| store::used_bytes(conn, &owner)).await
    }

    async fn row(&self, id: &str) -> Answer<Option<UploadRow>> {
        let id = id.to_owned();
        self.call(move |conn| store::row(conn, &id)).await
    }

    async fn by_key(&self, owner: &str, key: &str) -> Answer<Option<UploadRow>> {
        let (owner, key) = (owner.to_owned(), key.to_owned());
        self.call(move |conn| store::by_key(conn, &owner, &key))
            .await
    }

    async fn visible(&self, viewer: &str, id: &str) -> Answer<Option<UploadRow>> {
        let (viewer, id) = (viewer.to_owned(), id.to_owned());
        self.call(move |conn| store::visible(conn, &viewer, &id))
            .await
    }

    async fn visible_ids(&self, viewer: &str, ids: &[String]) -> Answer<HashSet<String>> {
        let (viewer, ids) = (viewer.to_owned(), ids.to_vec());
        self.call(move |conn| store::visible_ids(conn, &viewer, ids.iter().map(String::as_str)))
            .await
    }

    async fn list_owned(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Answer<Page<UploadRow>> {
        let (owner, offset) = (owner.to_owned(), offset_of(cursor)?);
        let rows = self
            .call(move |conn| store::list_owned(conn, &owner, offset, limit + 1))
            .await?;
        Ok(page_of(rows, offset, limit))
    }

    async fn list_public(
        &self,
        owner: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Answer<Page<UploadRow>> {
        let (owner, offset) = (owner.map(str::to_owned), offset_of(cursor)?);
        let rows = self
            .call(move |conn| store::list_public(conn, owner.as_deref(), offset, limit + 1))
            .await?;
        Ok(page_of(rows, offset, limit))
    }

    async fn list_visible(
        &self,
        viewer: &str,
        album_id: Option<&str>,
        artist_id: Option<&str>,
    ) -> Answer<Vec<UploadRow>> {
        let viewer = viewer.to_owned();
        let (album_id, artist_id) = (album_id.map(str::to_owned), artist_id.map(str::to_owned));
        self.call(move |conn| {
            store::list_visible(conn, &viewer, album_id.as_deref(), artist_id.as_deref())
        })
        .await
    }

    async fn start_processing(&self, id: &str, now: i64) -> Answer<bool> {
        let id = id.to_owned();
        self.call(move |conn| store::start_processing(conn, &id, now))
            .await
    }

    async fn processing_ids(&self) -> Answer<Vec<String>> {
        self.call(|conn| store::processing_ids(conn)).await
    }

    async fn set_progress(&self, id: &str, progress: f32) -> Answer<()> {
        let id = id.to_owned();
        self.call(move |conn| store::set_progress(conn, &id, progress))
            .await
    }

    async fn mark_ready(&self, id: &str, published: &Published, now: i64) -> Answer<bool> {
        let (id, published) = (id.to_owned(), published.clone());
        self.call(move |conn| store::mark_ready(conn, &id, &published, now))
            .await
    }

    async fn mark_failed(&self, id: &str, failure: &UploadFailure, now: i64) -> Answer<()> {
        let (id, failure) = (id.to_owned(), failure.clone());
        self.call(move |conn| store::mark_failed(conn, &id, &failure, now))
            .await
    }

    async fn patch(
        &self,
        current: &UploadRow,
        patch: &UploadPatch,
        now: i64,
    ) -> Answer<Result<(), PatchError>> {
        let (current, patch) = (current.clone(), patch.clone());
        self.call(move |conn| store::patch(conn, &current, &patch, now))
            .await
    }

    async fn next_cover_version(&self, id: &str, now: i64) -> Answer<u32> {
        let id = id.to_owned();
        self.call(move |conn| store::next_cover_version(conn, &id, now))
            .await
    }

    async fn undo_cover_version(&self, id: &str, version: u32) -> Answer<()> {
        let id = id.to_owned();
        self.call(move |conn| store::undo_cover_version(conn, &id, version))
            .await
    }

    async fn delete(&self, id: &str, now: i64) -> Answer<()> {
        let id = id.to_owned();
        self.call(move |conn| store::delete(conn, &id, now)).await
    }

    async fn set_takedown(&self, id: &str, reason: Option<&str>, now: i64) -> Answer<()> {
        let (id, reason) = (id.to_owned(), reason.map(str::to_owned));
        self.call(move |conn| store::set_takedown(conn, &id, reason.as_deref(), now))
            .await
    }

    async fn live_set(&self) -> Answer<LiveSet> {
        self.call(|conn| store::live_set(conn)).await
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteUploads;
    use crate::db::Db;

    #[tokio::test]
    async fn sqlite_keeps_the_upload_contract() {
        let db = Db::open_in_memory().await.unwrap();
        super::super::conformance::run(&SqliteUploads::new(db)).await;
    }
}
