//! The processing function, `strato-process`: Lambda's SQS event source hands it the jobs the
//! API function queued (each message an upload's id; the stack sends them one at a time and
//! takes partial batch answers), and it runs devcloud's processing
//! ([`process_job`]) over the deployment's upload records, upload bucket and media bucket,
//! with ffmpeg and ffprobe from the layer at `/opt/bin`.
//!
//! A message whose outcome is not recorded is answered as a batch item failure, its
//! visibility first set to the stack's retry delay times its receive count (a minute, then
//! two), so SQS hands it out again then rather than after the queue's 90-minute visibility
//! timeout. The queue's third receive is a job's last (then SQS moves it to the dead-letter
//! queue), so on it whatever can be recorded is: a failure the service caused becomes the
//! upload's failure, and a run that would outlast the invocation is stopped short of Lambda's
//! deadline and recorded as too slow. No try leaves its files in `/tmp`. What can still leave
//! an upload `processing` is a last try that cannot write its record at all, or that dies
//! (out of memory): its message goes to the dead-letter queue, whose alarm says so.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::error::DisplayErrorContext;
use strato_devcloud::uploads::is_upload_id;
use strato_devcloud::uploads::processing::{Attempt, Outcome, Processor, give_up, process_job};
use strato_model::api::{FailureKind, UploadFailure};

use crate::deployment::{
    SetUpError, endpoint_override, failed, limits, required, s3_client, upload_bucket, work_dir,
};
use crate::media::S3Media;
use crate::tables::Tables;
use crate::uploads::DynamoUploads;

/// The receive on which a job is handed out for the last time: the processing queue's
/// `maxReceiveCount` in `deploy/aws/lib/processing.ts`.
pub const LAST_RECEIVE: u32 = crate::queue::MAX_RECEIVES;

/// How long before the invocation's deadline a run is stopped: time to record the failure
/// (one read and one conditional write) and clear the work folder.
pub const STOP_BEFORE_DEADLINE: Duration = Duration::from_secs(10);

/// What the processing function reads from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessEnvironment {
    pub region: String,
    pub tables: Tables,
    pub media_bucket: String,
    pub uploads_bucket: String,
    /// The queue whose jobs it takes, to hand one back sooner.
    pub queue_url: String,
    /// How long a job it could not finish waits before it comes again, times its receive
    /// count.
    pub retry_after: Duration,
    /// `AWS_ENDPOINT_URL`: a stand-in for every AWS service; `None` on AWS.
    pub endpoint: Option<String>,
}

impl ProcessEnvironment {
    /// Reads the variables through `var`.
    ///
    /// # Errors
    /// When one is missing or empty, or the endpoint override is neither `https` nor loopback.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SetUpError> {
        let get = |name| required(&var, name);
        Ok(Self {
            region: get("STRATO_REGION")?,
            tables: Tables {
                uploads: get("STRATO_UPLOADS_TABLE")?,
                // Tables processing never touches.
                playlists: String::new(),
                idempotency: String::new(),
                users: String::new(),
                connections: String::new(),
                telemetry: String::new(),
            },
            media_bucket: get("STRATO_MEDIA_BUCKET")?,
            uploads_bucket: get("STRATO_UPLOADS_BUCKET")?,
            queue_url: get("STRATO_PROCESS_QUEUE_URL")?,
            retry_after: Duration::from_secs(get("STRATO_PROCESS_RETRY_SECS")?.parse().map_err(
                |_| failed("reading STRATO_PROCESS_RETRY_SECS")("not a number of seconds".into()),
            )?),
            endpoint: endpoint_override(&var)?,
        })
    }
}

/// The processing function over a deployment's stores.
#[derive(Debug, Clone)]
pub struct ProcessFunction {
    processor: Processor,
    queue: aws_sdk_sqs::Client,
    queue_url: String,
    retry_after: Duration,
}

impl ProcessFunction {
    /// The stores `env` names, through the SDK's configuration, working under `/tmp`.
    ///
    /// # Errors
    /// When the SDK found no credentials or the work folders cannot be made.
    pub async fn new(env: &ProcessEnvironment, sdk: &SdkConfig) -> Result<Self, SetUpError> {
        let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
        let processor = Processor::open(
            Arc::new(DynamoUploads::new(dynamodb, env.tables.clone())),
            upload_bucket(
                sdk,
                &env.region,
                &env.uploads_bucket,
                env.endpoint.as_deref(),
            )?,
            Arc::new(S3Media::new(s3_client(sdk), env.media_bucket.clone())),
            limits().max_duration_ms,
            &work_dir(),
        )
        .await
        .map_err(|e| failed("making the work folders")(e.to_string()))?;
        Ok(Self {
            processor,
            queue: aws_sdk_sqs::Client::new(sdk),
            queue_url: env.queue_url.clone(),
            retry_after: env.retry_after,
        })
    }

    /// Processes what SQS handed over, each job stopped short of `deadline`: the answer names
    /// the messages to hand out again.
    pub async fn handle(&self, event: SqsEvent, deadline: SystemTime) -> SqsBatchResponse {
        let mut answer = SqsBatchResponse::default();
        for message in &event.records {
            if self.run(message, deadline).await != Outcome::Again {
                continue;
            }
            self.hand_back_soon(message).await;
            if let Some(message_id) = &message.message_id {
                answer.add_failure(message_id.clone());
            } else {
                // Without an id SQS cannot be told; it hands the message out again anyway.
                tracing::warn!("a job to retry came without a message id");
            }
        }
        answer
    }

    /// Makes `message` visible again after the retry delay times its receive count, rather
    /// than the queue's visibility timeout. Failing that, it comes back after the timeout.
    async fn hand_back_soon(&self, message: &SqsMessage) {
        let Some(receipt) = &message.receipt_handle else {
            return;
        };
        let wait = self.retry_after.saturating_mul(receive_count(message));
        // SQS's longest visibility is 12 hours.
        let seconds = i32::try_from(wait.as_secs().min(43_200)).unwrap_or(43_200);
        let changed = self
            .queue
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(seconds)
            .send()
            .await;
        if let Err(error) = changed {
            let error = DisplayErrorContext(error);
            tracing::warn!(%error, "the job will come again after the queue's visibility timeout");
        }
    }

    async fn run(&self, message: &SqsMessage, deadline: SystemTime) -> Outcome {
        let Some(id) = message
            .body
            .as_deref()
            .map(str::trim)
            .filter(|id| is_upload_id(id))
        else {
            tracing::error!(message_id = ?message.message_id, "a job that names no upload");
            return Outcome::Skipped;
        };
        let attempt = if receive_count(message) >= LAST_RECEIVE {
            Attempt::Last
        } else {
            Attempt::NotLast
        };
        let time = deadline
            .duration_since(SystemTime::now())
            .unwrap_or_default()
            .saturating_sub(STOP_BEFORE_DEADLINE);
        if time.is_zero() {
            // An earlier job of the batch took the time: this one was not even tried.
            return Outcome::Again;
        }
        let processor = &self.processor;
        let outcome = tokio::time::timeout(time, process_job(processor, id, attempt)).await;
        // On time out the run is dropped, and with it its ffmpeg processes (`kill_on_drop`).
        let outcome = match (outcome, attempt) {
            (Ok(outcome), _) => outcome,
            (Err(_), Attempt::Last) => give_up(processor, id, too_slow()).await,
            (Err(_), Attempt::NotLast) => {
                tracing::warn!(%id, "processing ran out of time; the job will come again");
                processor.clear(id).await;
                Outcome::Again
            }
        };
        tracing::info!(%id, ?attempt, ?outcome, "job");
        outcome
    }
}

/// SQS's count of the times it handed this message out (1 on the first).
fn receive_count(message: &SqsMessage) -> u32 {
    message
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|count| count.parse().ok())
        .unwrap_or(1)
}

/// A job whose every try ran out of time.
fn too_slow() -> UploadFailure {
    UploadFailure {
        kind: FailureKind::Internal,
        message: "This file took too long to process. Try a shorter track, or upload it again \
                  later."
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(count: Option<&str>) -> SqsMessage {
        let mut message = SqsMessage::default();
        if let Some(count) = count {
            message
                .attributes
                .insert("ApproximateReceiveCount".into(), count.into());
        }
        message
    }

    #[test]
    fn the_receive_count_is_sqs_attribute_and_one_when_it_lacks_it() {
        assert_eq!(receive_count(&message(Some("3"))), 3);
        assert_eq!(receive_count(&message(Some("1"))), 1);
        assert_eq!(receive_count(&message(None)), 1);
        assert_eq!(receive_count(&message(Some("many"))), 1);
    }

    #[test]
    fn the_environment_is_the_variables_the_stack_gives_strato_process() {
        let vars = [
            ("STRATO_REGION", "eu-west-1"),
            ("STRATO_UPLOADS_TABLE", "Uploads"),
            ("STRATO_MEDIA_BUCKET", "media"),
            (
                "STRATO_PROCESS_QUEUE_URL",
                "https://sqs.eu-west-1.amazonaws.com/1/q",
            ),
            ("STRATO_PROCESS_RETRY_SECS", "60"),
            ("STRATO_UPLOADS_BUCKET", "uploads"),
        ];
        let read = |vars: &[(&str, &str)]| {
            let vars: std::collections::HashMap<_, _> = vars.iter().copied().collect();
            ProcessEnvironment::from_vars(|name| vars.get(name).map(|v| (*v).to_owned()))
        };
        let env = read(&vars).unwrap();
        assert_eq!(env.tables.uploads, "Uploads");
        assert_eq!(
            (env.media_bucket.as_str(), env.uploads_bucket.as_str()),
            ("media", "uploads")
        );
        assert_eq!(env.endpoint, None);
        assert_eq!(env.retry_after, Duration::from_secs(60));
        let error = read(&vars[..5]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the function's environment lacks STRATO_UPLOADS_BUCKET"
        );
    }
}
