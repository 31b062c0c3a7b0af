//! `POST /v1/telemetry` (`docs/api.md`, "Telemetry"): playback reports from listeners who
//! opted in. The token is checked, as at every door, so strangers cannot fill the store; but
//! nothing of the caller is kept with a batch: a batch is counts by the hour, and its own id
//! is the only key (a resend after a lost answer is answered as a duplicate, counted once).
//!
//! Where batches are kept is the [`TelemetryStore`]'s business ([`store`]): SQLite here; in a
//! deployment, the batch id in a `DynamoDB` table with a conditional write (and a TTL of 31
//! days, longer than an app keeps an unsent batch) and, only when that write is new, the
//! batch in S3 under a day's prefix for Athena.

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod store;

pub use store::{SqliteTelemetry, TelemetryStore, TelemetryStoreError};

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
    let duplicate = state
        .telemetry
        .take(&batch, unix_now())
        .await
        .map_err(|e| ApiError::internal(&e))?;
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
    state
        .telemetry
        .received()
        .await
        .map(Json)
        .map_err(|e| ApiError::internal(&e))
}
