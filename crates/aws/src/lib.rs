//! Strato's service on AWS: devcloud's contract (`docs/api.md`) over `DynamoDB`, for the Lambda
//! functions `deploy/aws` deploys. devcloud's routes stay the one implementation of the
//! contract; this crate gives them stores of a deployment's kind behind devcloud's storage
//! traits, and each store runs through the same conformance suite as devcloud's own.
//!
//! It owns:
//! - [`tables`]: the tables' names, keys and indexes (the ones `deploy/aws` declares).
//! - [`playlists`]: [`playlists::DynamoPlaylists`], the playlists, their items in blocks, the
//!   per-listener change feed and idempotency records, each write one transaction.
//! - [`accounts`]: [`accounts::DynamoAccounts`], listeners' sign-outs and names.
//! - [`connections`]: [`connections::DynamoConnections`], the live channel's open connections
//!   and the devices they registered.
//! - [`uploads`]: [`uploads::DynamoUploads`], uploads' records and who may see them, the
//!   storage each listener uses kept as a counter.
//! - [`bodies`]: idempotency answers too big for an item, in S3.
//! - [`media`]: [`media::S3Media`], uploads' published media and covers in the media bucket.
//! - [`queue`]: [`queue::SqsQueue`], the processing queue on SQS.
//! - [`telemetry`]: [`telemetry::DynamoTelemetry`], playback reports taken once, kept in S3.
//! - [`attrs`]: reading and writing items.
//! - [`deployment`]: what a deployment's functions read from their environment, and the API
//!   function's state.
//! - [`collect`]: the collector function, hourly.
//! - [`process`]: the processing function, SQS's worker.
//! - [`gateway`]: API Gateway's HTTP API in front of the API function, in process.
//! - [`runtime`]: Lambda's runtime API on loopback, for a function run as its own process.
//! - [`local`]: `aws-local`'s home of the contract (moto's `DynamoDB` and S3 behind
//!   [`gateway`]), which devcloud's integration tests run against a second time.

pub mod accounts;
pub mod attrs;
pub mod bodies;
pub mod collect;
pub mod connections;
pub mod deployment;
pub mod gateway;
pub mod local;
pub mod media;
pub mod playlists;
pub mod process;
pub mod queue;
pub mod runtime;
pub mod tables;
pub mod telemetry;
pub mod uploads;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};

/// The AWS configuration of a stand-in at `endpoint` with static credentials: moto, for tests
/// and `aws-local`. A function in a deployment takes its role's from the SDK's default chain.
#[must_use]
pub fn local_config(endpoint: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "strato", "strato", None, None, "static",
        )))
        .endpoint_url(endpoint)
        .build()
}

/// A `DynamoDB` client for a stand-in at `endpoint` ([`local_config`]).
#[must_use]
pub fn local_client(endpoint: &str, region: &str) -> Client {
    Client::new(&local_config(endpoint, region))
}
