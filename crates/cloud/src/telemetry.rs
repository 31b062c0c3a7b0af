//! Playback reports (`docs/api.md`, "Telemetry"), sent only for a listener who opted in.

use reqwest::Method;
use strato_model::api::{TelemetryBatch, TelemetryReceipt};

use crate::CloudError;
use crate::api::{ApiClient, Request};

impl ApiClient {
    /// `POST /v1/telemetry`: one batch of counts. Safe to retry: the service counts a batch
    /// once by its id, so a resend after a lost answer is answered as a duplicate.
    pub async fn send_telemetry(
        &self,
        batch: &TelemetryBatch,
    ) -> Result<TelemetryReceipt, CloudError> {
        let request = Request::new(
            Method::POST,
            self.endpoint("telemetry"),
            "send playback reports",
        )
        .json(batch)?
        .retry_safe();
        self.send_json(request).await
    }
}
