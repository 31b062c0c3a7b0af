//! [`SqsQueue`]: devcloud's processing queue on SQS, as a deployment has it (the API function
//! sends, the processing function receives). Each message is an upload's id; a message
//! received and not deleted comes again after the queue's visibility timeout, so a worker
//! that dies mid-way loses nothing, and SQS keeps the jobs across restarts.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::operation::create_queue::CreateQueueError;
use aws_sdk_sqs::types::QueueAttributeName;
use strato_devcloud::uploads::queue::{Job, ProcessingQueue, QueueError};

/// How long a received job stays hidden from other workers: processing's longest run (the
/// deployment's queue says six times the function's 15 minutes).
const VISIBILITY_TIMEOUT_SECS: u32 = 900;
/// The receives after which a job goes to the dead-letter queue: the stack's
/// `maxReceiveCount` (`deploy/aws/lib/processing.ts`).
pub const MAX_RECEIVES: u32 = 3;
/// How long to wait before asking again when the queue was empty. Short polling: moto's long
/// polling could hold a message for a receive its caller had given up on. (The deployment's
/// worker is not a poller: Lambda's event source mapping receives for it.)
const EMPTY_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

/// Uploads to process, in an SQS queue.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    url: String,
}

fn failed(error: impl std::error::Error + Send + Sync + 'static) -> QueueError {
    QueueError(DisplayErrorContext(error).to_string().into())
}

impl SqsQueue {
    /// The queue at `url`.
    #[must_use]
    pub fn new(client: Client, url: String) -> Self {
        Self { client, url }
    }

    /// The queue named `name`, made if missing, with its dead-letter queue `<name>-dead`
    /// after [`MAX_RECEIVES`] as the stack's (`aws-local` against moto; a deployment's queues
    /// come from `deploy/aws`): a job that never gets done stops coming.
    ///
    /// # Errors
    /// When either cannot be made.
    pub async fn create(client: Client, name: &str) -> Result<Self, QueueError> {
        let dead = client
            .create_queue()
            .queue_name(format!("{name}-dead"))
            .send()
            .await
            .map_err(failed)?;
        let dead_url = dead
            .queue_url()
            .ok_or_else(|| QueueError("SQS made a queue without a URL".into()))?;
        let dead_arn = client
            .get_queue_attributes()
            .queue_url(dead_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(failed)?
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .ok_or_else(|| QueueError("SQS did not say the dead-letter queue's ARN".into()))?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dead_arn,
            "maxReceiveCount": MAX_RECEIVES.to_string(),
        });
        let attributes = [
            (
                QueueAttributeName::VisibilityTimeout,
                VISIBILITY_TIMEOUT_SECS.to_string(),
            ),
            (QueueAttributeName::RedrivePolicy, redrive.to_string()),
        ];
        let made = client
            .create_queue()
            .queue_name(name)
            .set_attributes(Some(attributes.clone().into()))
            .send()
            .await;
        let url = match made {
            Ok(made) => made.queue_url().map(str::to_owned),
            // Made by an earlier aws-local with other attributes: given these.
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(CreateQueueError::is_queue_name_exists) =>
            {
                let url = client
                    .get_queue_url()
                    .queue_name(name)
                    .send()
                    .await
                    .map_err(failed)?
                    .queue_url()
                    .map(str::to_owned);
                if let Some(url) = &url {
                    client
                        .set_queue_attributes()
                        .queue_url(url)
                        .set_attributes(Some(attributes.into()))
                        .send()
                        .await
                        .map_err(failed)?;
                }
                url
            }
            Err(error) => return Err(failed(error)),
        };
        let url = url.ok_or_else(|| QueueError("SQS made a queue without a URL".into()))?;
        Ok(Self::new(client, url))
    }
}

/// An SQS client for a stand-in at `endpoint` ([`local_config`](crate::local_config)).
#[must_use]
pub fn local_sqs_client(endpoint: &str, region: &str) -> Client {
    Client::new(&crate::local_config(endpoint, region))
}

#[async_trait]
impl ProcessingQueue for SqsQueue {
    async fn enqueue(&self, upload_id: &str) -> Result<(), QueueError> {
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(upload_id)
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn next(&self) -> Result<Option<Job>, QueueError> {
        loop {
            let received = self
                .client
                .receive_message()
                .queue_url(&self.url)
                .max_number_of_messages(1)
                .send()
                .await
                .map_err(failed)?;
            let job = received.messages().first().and_then(|message| {
                Some(Job {
                    upload_id: message.body()?.to_owned(),
                    receipt: message.receipt_handle()?.to_owned(),
                })
            });
            if let Some(job) = job {
                return Ok(Some(job));
            }
            tokio::time::sleep(EMPTY_PAUSE).await;
        }
    }

    async fn done(&self, job: &Job) -> Result<(), QueueError> {
        self.client
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(&job.receipt)
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    fn keeps_jobs(&self) -> bool {
        true
    }
}
