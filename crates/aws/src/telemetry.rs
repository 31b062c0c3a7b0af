//! [`TelemetryStore`] on AWS: each batch id in the `Telemetry` table, put on the condition
//! that it is new (a resend is a duplicate), kept 31 days (longer than an app keeps an unsent
//! batch); and only for a new batch, the batch itself in the uploads bucket at
//! `telemetry/day=YYYY-MM-DD/<batch id>.json`, a layout Athena reads as a table partitioned by
//! day. Nothing of the sender is kept.
//!
//! The id is put first, marked not yet stored, with the day it was taken: were the batch put
//! first, a resend after midnight would land under another day's prefix too and be counted
//! twice. Once the batch is in S3 the id is marked stored. A resend that finds its id not
//! stored (S3 failed, the function died in between) puts the batch under the first day's
//! prefix, the same object, and marks it: a batch is never lost to a failure and never
//! counted twice.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::primitives::ByteStream;
use strato_devcloud::telemetry::{TelemetryStore, TelemetryStoreError};
use strato_model::api::TelemetryBatch;

use crate::attrs::{Item, n, number, s, sdk, string};
use crate::tables::{EXPIRES_AT, Tables};

/// How long a batch id is remembered.
const KEPT_SECS: i64 = 31 * 24 * 3600;

/// Playback reports in a deployment's table and bucket.
#[derive(Debug, Clone)]
pub struct DynamoTelemetry {
    client: Client,
    tables: Tables,
    s3: aws_sdk_s3::Client,
    bucket: String,
}

impl DynamoTelemetry {
    #[must_use]
    pub fn new(client: Client, tables: Tables, s3: aws_sdk_s3::Client, bucket: String) -> Self {
        Self {
            client,
            tables,
            s3,
            bucket,
        }
    }

    fn object_key(day: &str, batch_id: &str) -> String {
        format!("telemetry/day={day}/{batch_id}.json")
    }
}

/// What the table says of a batch id already taken.
enum Taken {
    Stored,
    Unstored { day: String },
    Gone,
}

impl DynamoTelemetry {
    async fn taken(&self, batch_id: &str) -> Result<Taken, TelemetryStoreError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.tables.telemetry)
            .key("batch_id", s(batch_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failed(sdk(e)))?;
        let Some(item) = answer.item() else {
            return Ok(Taken::Gone);
        };
        if item.get("stored").and_then(|v| v.as_bool().ok()) == Some(&true) {
            return Ok(Taken::Stored);
        }
        Ok(Taken::Unstored {
            day: string(item, "day").map_err(failed)?,
        })
    }

    /// Puts the batch under `day` (the same key however often: counted once), then marks its
    /// id stored. Until then a resend finishes the job.
    async fn keep(&self, batch: &TelemetryBatch, day: &str) -> Result<(), TelemetryStoreError> {
        let body = serde_json::to_vec(batch).map_err(failed)?;
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(Self::object_key(day, &batch.batch_id))
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| failed(sdk(e)))?;
        self.client
            .update_item()
            .table_name(&self.tables.telemetry)
            .key("batch_id", s(&batch.batch_id))
            .update_expression("SET #stored = :yes")
            .expression_attribute_names("#stored", "stored")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await
            .map_err(|e| failed(sdk(e)))?;
        Ok(())
    }
}

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> TelemetryStoreError {
    TelemetryStoreError(Box::new(error))
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
fn day_of(unix: i64) -> Result<String, TelemetryStoreError> {
    Ok(time::OffsetDateTime::from_unix_timestamp(unix)
        .map_err(failed)?
        .date()
        .to_string())
}

#[async_trait]
impl TelemetryStore for DynamoTelemetry {
    async fn take(&self, batch: &TelemetryBatch, now: i64) -> Result<bool, TelemetryStoreError> {
        let day = day_of(now)?;
        let item = Item::from([
            ("batch_id".into(), s(&batch.batch_id)),
            ("received_at".into(), n(now)),
            ("day".into(), s(&day)),
            ("stored".into(), AttributeValue::Bool(false)),
            (EXPIRES_AT.into(), n(now + KEPT_SECS)),
        ]);
        let put = self
            .client
            .put_item()
            .table_name(&self.tables.telemetry)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(batch_id)")
            .send()
            .await;
        let day = match put {
            Ok(_) => day,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(PutItemError::is_conditional_check_failed_exception) =>
            {
                match self.taken(&batch.batch_id).await? {
                    Taken::Stored => return Ok(true),
                    // Taken before but its batch not kept (S3 failed, or the function died
                    // in between): keep it now, under the day it was first taken.
                    Taken::Unstored { day } => day,
                    // Taken back meanwhile (its time to live): a new batch after all.
                    Taken::Gone => return self.take(batch, now).await,
                }
            }
            Err(error) => return Err(failed(sdk(error))),
        };
        self.keep(batch, &day).await?;
        Ok(false)
    }

    async fn received(&self) -> Result<Vec<TelemetryBatch>, TelemetryStoreError> {
        let mut taken: Vec<(i64, String, String)> = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.tables.telemetry)
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| failed(sdk(e)))?;
            for item in page.items() {
                if item.get("stored").and_then(|v| v.as_bool().ok()) != Some(&true) {
                    continue;
                }
                let received_at = number(item, "received_at").map_err(failed)?;
                let day = string(item, "day").map_err(failed)?;
                let batch_id = string(item, "batch_id").map_err(failed)?;
                taken.push((received_at, day, batch_id));
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        taken.sort();
        let mut batches = Vec::with_capacity(taken.len());
        for (_, day, batch_id) in taken {
            let object = self
                .s3
                .get_object()
                .bucket(&self.bucket)
                .key(Self::object_key(&day, &batch_id))
                .send()
                .await
                .map_err(|e| failed(sdk(e)))?;
            let bytes = object.body.collect().await.map_err(failed)?.into_bytes();
            batches.push(serde_json::from_slice(&bytes).map_err(failed)?);
        }
        Ok(batches)
    }
}
