//! What a home for accounts must keep: [`AccountStore`], each listener's last sign-out
//! everywhere (read by every token check) and their name as others see it (their profile).
//! devcloud keeps both in SQLite ([`SqliteAccounts`]); a deployment on AWS keeps them in the
//! `Users` table (`strato-aws`).
//!
//! Listeners' names are written by the writes that make a listener visible (a playlist write,
//! an upload), inside their own transactions; this store only reads them.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use strato_model::api::Listener;

use crate::db::{Db, DbError};

/// The store could not be read or written: an outage or a bug, never the listener's doing.
#[derive(Debug, thiserror::Error)]
#[error("accounts: {0}")]
pub struct AccountStoreError(pub Box<dyn std::error::Error + Send + Sync>);

/// Where accounts' sign-outs and names live.
#[async_trait]
pub trait AccountStore: Send + Sync + std::fmt::Debug {
    /// When `sub` last signed out everywhere (Unix seconds): their tokens issued before are
    /// refused. Read on every authenticated request, so it must be cheap and current.
    async fn signed_out_at(&self, sub: &str) -> Result<Option<i64>, AccountStoreError>;

    /// Records that `sub` signed out everywhere at `at`, unless a later sign-out is kept.
    async fn sign_out(&self, sub: &str, at: i64) -> Result<(), AccountStoreError>;

    /// The listener `id` as others see them, once they have shown up (a playlist or an
    /// upload).
    async fn listener(&self, id: &str) -> Result<Option<Listener>, AccountStoreError>;
}

/// Accounts in `DATA_DIR/devcloud.db`, with the sign-out times also held in memory: the token
/// check reads them without a trip to the database thread.
#[derive(Debug)]
pub struct SqliteAccounts {
    db: Db,
    signed_out: Mutex<HashMap<String, i64>>,
}

impl SqliteAccounts {
    /// Opens the store, loading every sign-out time.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub async fn open(db: Db) -> Result<Self, DbError> {
        let times = db
            .call(|conn| -> rusqlite::Result<Vec<(String, i64)>> {
                let mut statement = conn.prepare("SELECT sub, signed_out_at FROM signed_out")?;
                let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
                rows.collect()
            })
            .await?
            .map_err(DbError::Read)?;
        Ok(Self {
            db,
            signed_out: Mutex::new(times.into_iter().collect()),
        })
    }
}

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> AccountStoreError {
    AccountStoreError(Box::new(error))
}

#[async_trait]
impl AccountStore for SqliteAccounts {
    async fn signed_out_at(&self, sub: &str) -> Result<Option<i64>, AccountStoreError> {
        Ok(self
            .signed_out
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(sub)
            .copied())
    }

    async fn sign_out(&self, sub: &str, at: i64) -> Result<(), AccountStoreError> {
        let owned = sub.to_owned();
        self.db
            .call(move |conn| {
                conn.execute(
                    "INSERT INTO signed_out (sub, signed_out_at) VALUES (?1, ?2)
                     ON CONFLICT (sub) DO UPDATE
                     SET signed_out_at = MAX(signed_out_at, excluded.signed_out_at)",
                    rusqlite::params![owned, at],
                )
            })
            .await
            .map_err(failed)?
            .map_err(failed)?;
        // Only once stored: a sign-out the database lost would come undone at a restart. The
        // latest counts, whichever call gets here first.
        self.signed_out
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(sub.to_owned())
            .and_modify(|kept| *kept = (*kept).max(at))
            .or_insert(at);
        Ok(())
    }

    async fn listener(&self, id: &str) -> Result<Option<Listener>, AccountStoreError> {
        let id = id.to_owned();
        self.db
            .call(move |conn| crate::uploads::store::listener(conn, &id))
            .await
            .map_err(failed)?
            .map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sign_outs_are_kept_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devcloud.db");
        let accounts = SqliteAccounts::open(Db::open(&path).await.unwrap())
            .await
            .unwrap();
        assert_eq!(accounts.signed_out_at("a").await.unwrap(), None);
        accounts.sign_out("a", 100).await.unwrap();
        accounts.sign_out("a", 200).await.unwrap();
        assert_eq!(accounts.signed_out_at("a").await.unwrap(), Some(200));
        drop(accounts);
        let reopened = SqliteAccounts::open(Db::open(&path).await.unwrap())
            .await
            .unwrap();
        assert_eq!(reopened.signed_out_at("a").await.unwrap(), Some(200));
        assert_eq!(reopened.signed_out_at("b").await.unwrap(), None);
        assert_eq!(reopened.listener("a").await.unwrap(), None);
    }

    #[tokio::test]
    async fn sqlite_keeps_the_accounts_contract() {
        let db = Db::open_in_memory().await.unwrap();
        let accounts = SqliteAccounts::open(db.clone()).await.unwrap();
        let playlists = crate::playlists::SqlitePlaylists::new(db);
        crate::account::conformance::run(&accounts, &playlists).await;
    }
}
