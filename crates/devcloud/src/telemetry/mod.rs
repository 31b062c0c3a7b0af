//! `POST /v1/telemetry` (`docs/api.md`, "Telemetry"): playback reports from listeners who
//! opted in. The token is checked, as at every door, so strangers cannot fill the store; but
//! nothing of the caller is kept with a batch: a batch is counts by the hour, and its own id
//! is the only key (a resend after a lost answer is answered as a duplicate, counted once).
//!
//! A real deployment's function does the same: it validates, puts the batch id in a
//! `DynamoDB` table with a conditional write (and a TTL of 31 days, longer than an app keeps
//! an unsent batch), and only when that write is new sends the batch to a Firehose stream
//! that lands in S3 for Athena.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use strato_model::api::{TelemetryBatch, TelemetryReceipt};

use crate::api::AppState;
use crate::auth::User;
use crate::problem::{ApiError, ApiJson};
use crate::unix_now;

/// `POST /v1/telemetry` → 202 with a receipt (`duplicate` when the batch was taken before).
pub async fn receive(
    _user: User,
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<TelemetryBatch>,
) -> Result<(StatusCode, Json<TelemetryReceipt>), ApiError> {
    if let Some(problem) = batch.problem() {
        return Err(ApiError::bad_request(problem));
    }
    let body = serde_json::to_string(&batch).map_err(|e| ApiError::internal(&e))?;
    let batch_id = batch.batch_id.clone();
    let now = unix_now();
    let inserted = state
        .db
        .call(move |conn| {
            conn.execute(
                "INSERT INTO telemetry_batches (batch_id, received_at, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (batch_id) DO NOTHING",
                rusqlite::params![batch_id, now, body],
            )
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))?;
    let duplicate = inserted == 0;
    tracing::info!(
        batch = %batch.batch_id,
        hours = batch.hours.len(),
        duplicate,
        "playback reports received"
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(TelemetryReceipt {
            batch_id: batch.batch_id,
            duplicate,
        }),
    ))
}

/// `GET /admin/telemetry` (loopback peers only): every batch taken, oldest first, for tests
/// and for a look at what listeners' apps send.
pub async fn received(
    State(state): State<AppState>,
) -> Result<Json<Vec<TelemetryBatch>>, ApiError> {
    let bodies = state
        .db
        .call(|conn| {
            let mut statement =
                conn.prepare("SELECT body FROM telemetry_batches ORDER BY received_at, rowid")?;
            let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))?;
    bodies
        .iter()
        .map(|body| serde_json::from_str(body).map_err(|e| ApiError::internal(&e)))
        .collect::<Result<_, _>>()
        .map(Json)
}
