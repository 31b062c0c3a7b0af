//! The processing queue: where a completed upload waits for processing, between the route
//! that completes it and the workers that process it ([`processing::run_workers`]).
//! devcloud's queue is a channel in its process ([`LocalQueue`]); a deployment's is SQS, with
//! the processing function as its worker (`strato-aws`'s `SqsQueue` in `aws-local`).
//!
//! Delivery is at least once. A job a worker never marks done comes again: from SQS after its
//! visibility timeout; from devcloud's channel, which a restart empties, because uploads
//! left `processing` are queued again at start ([`ProcessingQueue::keeps_jobs`]). Processing
//! an upload that is no longer `processing` does nothing, so a job delivered twice is
//! harmless.
//!
//! [`processing::run_workers`]: super::processing::run_workers

use async_trait::async_trait;

/// Why the queue could not take or give a job.
#[derive(Debug, thiserror::Error)]
#[error("processing queue: {0}")]
pub struct QueueError(pub Box<dyn std::error::Error + Send + Sync>);

/// A job taken from the queue, until it is marked done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The upload to process.
    pub upload_id: String,
    /// What the queue needs to forget the job (SQS's receipt handle; empty for a channel).
    pub receipt: String,
}

/// A queue of uploads to process; see the module's documentation.
#[async_trait]
pub trait ProcessingQueue: std::fmt::Debug + Send + Sync {
    /// Queues upload `upload_id` for processing.
    async fn enqueue(&self, upload_id: &str) -> Result<(), QueueError>;

    /// The next job, waiting for one; `None` once the queue is closed.
    async fn next(&self) -> Result<Option<Job>, QueueError>;

    /// Forgets a job processed (whatever its outcome).
    async fn done(&self, job: &Job) -> Result<(), QueueError>;

    /// Whether jobs outlive the process (a real queue's do). When they do not, uploads left
    /// `processing` are queued again at start.
    fn keeps_jobs(&self) -> bool {
        false
    }
}

/// devcloud's queue: a channel in its process.
#[derive(Debug, Clone)]
pub struct LocalQueue {
    sender: async_channel::Sender<String>,
    receiver: async_channel::Receiver<String>,
}

impl Default for LocalQueue {
    fn default() -> Self {
        let (sender, receiver) = async_channel::unbounded();
        Self { sender, receiver }
    }
}

#[async_trait]
impl ProcessingQueue for LocalQueue {
    async fn enqueue(&self, upload_id: &str) -> Result<(), QueueError> {
        self.sender
            .send(upload_id.to_owned())
            .await
            .map_err(|error| QueueError(Box::new(error)))
    }

    async fn next(&self) -> Result<Option<Job>, QueueError> {
        Ok(self.receiver.recv().await.ok().map(|upload_id| Job {
            upload_id,
            receipt: String::new(),
        }))
    }

    async fn done(&self, _job: &Job) -> Result<(), QueueError> {
        Ok(())
    }
}
