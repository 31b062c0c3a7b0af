//! `aws-local`'s home of the contract: devcloud's process with the contract's stores
//! (playlists, accounts, uploads' records, playback reports) in `DynamoDB` and S3, the
//! processing queue in SQS and published media in a media bucket the CDN reads as `CloudFront`
//! reads S3 (all moto's), and every contract request answered through API Gateway's event
//! ([`gateway`](crate::gateway)), as a deployment's API function answers it. devcloud's
//! integration tests run against it a second time (`scripts/lib/contract-on-lambda.sh`).
//!
//! Not yet in their AWS form: processing's worker runs in this process (taking its jobs from
//! SQS as the processing function would), and the live channel's connections are devcloud's.

use std::path::Path;

use async_trait::async_trait;
use axum::Router;
use sha2::{Digest as _, Sha256};
use strato_devcloud::Error;
use strato_devcloud::home::{Home, Site, Stores};

use crate::accounts::DynamoAccounts;
use crate::bodies::{AnswerBodies, local_s3_client};
use crate::media::S3Media;
use crate::playlists::DynamoPlaylists;
use crate::queue::{SqsQueue, local_sqs_client};
use crate::tables::{self, Tables};
use crate::telemetry::DynamoTelemetry;
use crate::uploads::DynamoUploads;

/// The contract on moto's `DynamoDB` and S3, behind API Gateway's events.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLocalHome;

#[async_trait]
impl Home for AwsLocalHome {
    async fn open_stores(&self, site: Site<'_>) -> Result<Stores, Error> {
        let endpoint = site.endpoint().ok_or_else(|| {
            Error::Stores("aws-local keeps its stores in moto: pass --cognito-emulator".into())
        })?;
        let dynamodb = crate::local_client(endpoint, site.region);
        let tables = Tables::prefixed(&table_prefix(&site.args.data_dir));
        tables::create_or_keep(&dynamodb, &tables)
            .await
            .map_err(|error| Error::Stores(error.to_string()))?;
        let s3 = local_s3_client(endpoint, site.region);
        let bucket = site.args.upload_bucket.clone();
        let queue_name = format!("{}processing", table_prefix(&site.args.data_dir));
        let processing = SqsQueue::create(local_sqs_client(endpoint, site.region), &queue_name)
            .await
            .map_err(|error| Error::Stores(error.to_string()))?;
        let media = S3Media::new(
            s3.clone(),
            format!("{}media", table_prefix(&site.args.data_dir)),
        );
        media
            .create_bucket()
            .await
            .map_err(|error| Error::Stores(error.to_string()))?;
        Ok(Stores {
            playlists: std::sync::Arc::new(DynamoPlaylists::new(
                dynamodb.clone(),
                tables.clone(),
                AnswerBodies::new(s3.clone(), bucket.clone()),
            )),
            accounts: std::sync::Arc::new(DynamoAccounts::new(dynamodb.clone(), tables.clone())),
            uploads: std::sync::Arc::new(DynamoUploads::new(dynamodb.clone(), tables.clone())),
            processing: std::sync::Arc::new(processing),
            media: std::sync::Arc::new(media),
            telemetry: std::sync::Arc::new(DynamoTelemetry::new(dynamodb, tables, s3, bucket)),
        })
    }

    fn front(&self, contract: Router) -> Router {
        crate::gateway::front(contract)
    }
}

/// The tables' prefix for a data dir: the same on every start (a restart finds its tables
/// again), another for each data dir (tests sharing one moto keep apart).
#[must_use]
pub fn table_prefix(data_dir: &Path) -> String {
    let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    let digest = Sha256::digest(dir.to_string_lossy().as_bytes());
    format!("local-{}-", &hex::encode(digest)[..16])
}

#[cfg(test)]
mod tests {
    use super::table_prefix;

    #[test]
    fn each_data_dir_has_its_own_tables_and_keeps_them() {
        let one = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        assert_eq!(table_prefix(one.path()), table_prefix(one.path()));
        assert_ne!(table_prefix(one.path()), table_prefix(other.path()));
        let prefix = table_prefix(one.path());
        assert!(
            prefix.len() < 40
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{prefix} is no table name's start"
        );
    }
}
