//! What a home for playback reports must do: [`TelemetryStore`], each batch taken once by its
//! id. devcloud keeps them in SQLite ([`SqliteTelemetry`]); a deployment on AWS keeps the ids
//! in the `Telemetry` table and the batches in S3 for Athena (`strato-aws`).

use async_trait::async_trait;
use strato_model::api::TelemetryBatch;

use crate::db::Db;

/// The store could not be read or written: an outage or a bug, never the listener's doing.
#[derive(Debug, thiserror::Error)]
#[error("playback reports: {0}")]
pub struct TelemetryStoreError(pub Box<dyn std::error::Error + Send + Sync>);

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> TelemetryStoreError {
    TelemetryStoreError(Box::new(error))
}

/// Where playback reports are kept, without their sender.
#[async_trait]
pub trait TelemetryStore: Send + Sync + std::fmt::Debug {
    /// Keeps `batch` unless its id was taken before; answers whether it was (a duplicate).
    async fn take(&self, batch: &TelemetryBatch, now: i64) -> Result<bool, TelemetryStoreError>;

    /// Every batch taken, oldest first: for tests and a look at what apps send.
    async fn received(&self) -> Result<Vec<TelemetryBatch>, TelemetryStoreError>;
}

/// Playback reports in `DATA_DIR/devcloud.db`.
#[derive(Debug, Clone)]
pub struct SqliteTelemetry {
    db: Db,
}

impl SqliteTelemetry {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl TelemetryStore for SqliteTelemetry {
    async fn take(&self, batch: &TelemetryBatch, now: i64) -> Result<bool, TelemetryStoreError> {
        let body = serde_json::to_string(batch).map_err(failed)?;
        let batch_id = batch.batch_id.clone();
        let inserted = self
            .db
            .call(move |conn| {
                conn.execute(
                    "INSERT INTO telemetry_batches (batch_id, received_at, body)
                     VALUES (?1, ?2, ?3) ON CONFLICT (batch_id) DO NOTHING",
                    rusqlite::params![batch_id, now, body],
                )
            })
            .await
            .map_err(failed)?
            .map_err(failed)?;
        Ok(inserted == 0)
    }

    async fn received(&self) -> Result<Vec<TelemetryBatch>, TelemetryStoreError> {
        let bodies = self
            .db
            .call(|conn| {
                let mut statement =
                    conn.prepare("SELECT body FROM telemetry_batches ORDER BY received_at, rowid")?;
                let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })
            .await
            .map_err(failed)?
            .map_err(failed)?;
        bodies
            .iter()
            .map(|body| serde_json::from_str(body).map_err(failed))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_keeps_the_telemetry_contract() {
        let store = SqliteTelemetry::new(Db::open_in_memory().await.unwrap());
        super::super::conformance::run(&store).await;
    }
}
