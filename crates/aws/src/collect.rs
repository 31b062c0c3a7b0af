//! The collector function, `strato-collect`, run hourly by an `EventBridge` rule: one pass of
//! devcloud's collector over a deployment's buckets and upload records (what no live upload
//! names is removed: originals, unfinished multipart uploads, published media and covers), then
//! the playlist sweeps a deletion left unfinished
//! ([`DynamoPlaylists::finish_sweeps`](crate::playlists::DynamoPlaylists::finish_sweeps)).
//!
//! A pass that fails is the invocation's error: Lambda runs an asynchronous invocation that
//! failed twice more, and the next hour's pass starts over, as devcloud's does.

use aws_config::SdkConfig;
use serde::Serialize;
use strato_devcloud::uploads::collector::{Collected, collect_from};
use strato_devcloud::uploads::object_store::ObjectStore;

use crate::bodies::AnswerBodies;
use crate::deployment::{
    SetUpError, endpoint_override, failed, required, s3_client, upload_bucket,
};
use crate::media::S3Media;
use crate::playlists::DynamoPlaylists;
use crate::tables::Tables;
use crate::uploads::DynamoUploads;

/// What the collector function reads from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectEnvironment {
    pub region: String,
    pub tables: Tables,
    pub media_bucket: String,
    pub uploads_bucket: String,
    /// `AWS_ENDPOINT_URL`: a stand-in for every AWS service; `None` on AWS.
    pub endpoint: Option<String>,
}

impl CollectEnvironment {
    /// Reads the variables through `var`.
    ///
    /// # Errors
    /// When one is missing or empty, or the endpoint override is neither `https` nor loopback.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SetUpError> {
        let get = |name| required(&var, name);
        Ok(Self {
            region: get("STRATO_REGION")?,
            tables: Tables {
                playlists: get("STRATO_PLAYLISTS_TABLE")?,
                uploads: get("STRATO_UPLOADS_TABLE")?,
                users: get("STRATO_USERS_TABLE")?,
                // Tables the collector never touches.
                idempotency: String::new(),
                connections: String::new(),
                telemetry: String::new(),
            },
            media_bucket: get("STRATO_MEDIA_BUCKET")?,
            uploads_bucket: get("STRATO_UPLOADS_BUCKET")?,
            endpoint: endpoint_override(&var)?,
        })
    }
}

/// What one run did, the invocation's answer (and its log line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collection {
    /// What the collector removed from the buckets.
    pub collected: Collected,
    /// Deleted playlists whose blocks were finally swept.
    pub sweeps_finished: usize,
}

/// The collector over a deployment's stores.
#[derive(Debug, Clone)]
pub struct Collector {
    records: DynamoUploads,
    storage: ObjectStore,
    media: S3Media,
    playlists: DynamoPlaylists,
}

impl Collector {
    /// The stores `env` names, through the SDK's configuration.
    ///
    /// # Errors
    /// When the SDK found no credentials.
    pub fn new(env: &CollectEnvironment, sdk: &SdkConfig) -> Result<Self, SetUpError> {
        let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
        let s3 = s3_client(sdk);
        Ok(Self {
            records: DynamoUploads::new(dynamodb.clone(), env.tables.clone()),
            storage: upload_bucket(
                sdk,
                &env.region,
                &env.uploads_bucket,
                env.endpoint.as_deref(),
            )?,
            media: S3Media::new(s3.clone(), env.media_bucket.clone()),
            playlists: DynamoPlaylists::new(
                dynamodb,
                env.tables.clone(),
                AnswerBodies::new(s3, env.uploads_bucket.clone()),
            ),
        })
    }

    /// One run.
    ///
    /// # Errors
    /// When a pass cannot read or remove what it should.
    pub async fn run(&self) -> Result<Collection, SetUpError> {
        let collected = collect_from(&self.records, &self.storage, &self.media)
            .await
            .map_err(failed("collecting what deleted uploads left"))?;
        let sweeps_finished = self
            .playlists
            .finish_sweeps()
            .await
            .map_err(|e| failed("finishing playlist sweeps")(e.to_string()))?;
        Ok(Collection {
            collected,
            sweeps_finished,
        })
    }
}
