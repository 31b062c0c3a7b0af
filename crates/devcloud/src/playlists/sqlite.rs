//! [`PlaylistStore`] on devcloud's SQLite database: each write is one transaction on the
//! database thread, so the idempotency lookup, the op, the change records and the stored
//! response commit together.

use async_trait::async_trait;
use strato_model::api::{Playlist, PlaylistChanges, PlaylistSummary};

use super::idempotency;
use super::storage::{PlaylistStore, StoreError, WriteRequest, Written};
use super::store;
use crate::db::{Db, DbError};

/// Playlists in `DATA_DIR/devcloud.db`.
#[derive(Debug, Clone)]
pub struct SqlitePlaylists {
    db: Db,
}

impl SqlitePlaylists {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.db
            .call(work)
            .await
            .map_err(|e: DbError| StoreError::Storage(Box::new(e)))?
    }
}

#[async_trait]
impl PlaylistStore for SqlitePlaylists {
    async fn list(
        &self,
        owner: &str,
        public_only: bool,
    ) -> Result<Vec<PlaylistSummary>, StoreError> {
        let owner = owner.to_owned();
        self.call(move |conn| store::list(conn, &owner, public_only))
            .await
    }

    async fn get(&self, viewer: &str, id: &str, shared: bool) -> Result<Playlist, StoreError> {
        let (viewer, id) = (viewer.to_owned(), id.to_owned());
        self.call(move |conn| store::get(conn, &viewer, &id, shared))
            .await
    }

    async fn write(&self, request: WriteRequest) -> Result<Written, StoreError> {
        self.call(move |conn| {
            let WriteRequest {
                owner,
                owner_name,
                key,
                op,
                now,
            } = request;
            let tx = conn.transaction()?;
            if let Some(key) = &key
                && let Some(stored) = idempotency::lookup(&tx, &owner, key, now)?
            {
                return Ok(Written {
                    response: stored,
                    replayed: true,
                    recorded: Vec::new(),
                });
            }
            crate::uploads::store::remember_listener(&tx, &owner, &owner_name)?;
            let before = store::last_seq(&tx, &owner)?;
            let outcome = store::apply(&tx, &owner, &op, now)?;
            let response = op.respond(outcome)?;
            let recorded = store::recorded_after(&tx, &owner, before)?;
            if let Some(key) = &key {
                idempotency::remember(&tx, &owner, key, &response, now)?;
            }
            tx.commit()?;
            Ok(Written {
                response,
                replayed: false,
                recorded,
            })
        })
        .await
    }

    async fn changes(&self, owner: &str, since: u64) -> Result<PlaylistChanges, StoreError> {
        let owner = owner.to_owned();
        self.call(move |conn| store::changes(conn, &owner, since))
            .await
    }
}

#[cfg(test)]
mod tests {
    use strato_model::api::NewPlaylist;

    use super::*;
    use crate::playlists::conformance;
    use crate::playlists::storage::{PlaylistOp, Precondition};

    async fn store() -> (SqlitePlaylists, Db) {
        let db = Db::open_in_memory().await.unwrap();
        (SqlitePlaylists::new(db.clone()), db)
    }

    #[tokio::test]
    async fn sqlite_keeps_the_contract() {
        let (playlists, _db) = store().await;
        conformance::run(&playlists).await;
        conformance::concurrent_writes(&playlists).await;
    }

    #[tokio::test]
    async fn item_positions_stay_dense_after_every_edit() {
        let (playlists, db) = store().await;
        let write = |op| conformance::request("user-a", op, conformance::NOW);
        let created = playlists
            .write(write(PlaylistOp::Create(NewPlaylist {
                name: "p".into(),
                description: String::new(),
            })))
            .await
            .unwrap();
        let id = conformance::playlist_of(&created).id;
        for position in [None, Some(0), Some(1)] {
            playlists
                .write(write(PlaylistOp::AddItems {
                    id: id.clone(),
                    precondition: Precondition::Any,
                    track_ids: vec!["a".into(), "b".into()],
                    position,
                }))
                .await
                .unwrap();
        }
        let first = playlists.get("user-a", &id, false).await.unwrap().items[2]
            .item_id
            .clone();
        playlists
            .write(write(PlaylistOp::RemoveItem {
                id: id.clone(),
                precondition: Precondition::Any,
                item_id: first,
            }))
            .await
            .unwrap();
        let positions: Vec<i64> = db
            .call(move |conn| {
                conn.prepare(
                    "SELECT position FROM playlist_items WHERE playlist_id = ?1 ORDER BY position",
                )
                .unwrap()
                .query_map([&id], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
            })
            .await
            .unwrap();
        assert_eq!(positions, [0, 1, 2, 3, 4]);
    }
}
