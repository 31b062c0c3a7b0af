//! The contract's home: where its data lives and how its requests reach the handlers.
//!
//! devcloud's process keeps what only a local stand-in has (its listeners, the CDN, the
//! loopback admin API, the live channel, `/rest/`). The contract's `/v1` routes and their
//! stores are the home's:
//! - devcloud's own, [`LocalHome`]: the stores in its SQLite file, each request straight to
//!   [`api::contract_router`](crate::api::contract_router);
//! - `strato-aws`'s `aws-local`: the stores in `DynamoDB` and S3 (moto's), each request turned
//!   into API Gateway's event and answered by the handler a deployment's function runs.
//!
//! So the same integration tests can run against either process and hold both to the
//! contract. One difference stays: a method `/v1/live` does not take is devcloud's 405 in
//! either home, where a deployment's API function would answer 404 (the live channel is a
//! WebSocket API of its own there).

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;

use crate::account::{AccountStore, SqliteAccounts};
use crate::config::Args;
use crate::db::Db;
use crate::error::Error;
use crate::playlists::{PlaylistStore, SqlitePlaylists};
use crate::telemetry::{SqliteTelemetry, TelemetryStore};
use crate::uploads::media::{FolderMedia, MediaStore};
use crate::uploads::published_dir;
use crate::uploads::queue::{LocalQueue, ProcessingQueue};
use crate::uploads::sqlite::SqliteUploads;
use crate::uploads::storage::UploadStore;

/// The contract's stores.
#[derive(Debug, Clone)]
pub struct Stores {
    /// Playlists, their change feed and idempotency records.
    pub playlists: Arc<dyn PlaylistStore>,
    /// Sign-outs everywhere and listeners' names.
    pub accounts: Arc<dyn AccountStore>,
    /// Playback reports.
    pub telemetry: Arc<dyn TelemetryStore>,
    /// Uploads' records.
    pub uploads: Arc<dyn UploadStore>,
    /// Where completed uploads wait for processing.
    pub processing: Arc<dyn ProcessingQueue>,
    /// Uploads' published media and covers, the CDN's second origin.
    pub media: Arc<dyn MediaStore>,
}

/// What a home opens its stores with.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// devcloud's command line (the data dir, the bucket, the emulator's address).
    pub args: &'a Args,
    /// devcloud's own database.
    pub db: &'a Db,
    /// The region of the user pool, and of the stores a home keeps in AWS's services.
    pub region: &'a str,
}

impl Site<'_> {
    /// Where AWS's services answer: `--s3-endpoint`, else the Cognito emulator's address (one
    /// moto serves every service); `None` for AWS itself.
    #[must_use]
    pub fn endpoint(&self) -> Option<&str> {
        self.args
            .s3_endpoint
            .as_deref()
            .or(self.args.cognito_emulator.as_deref())
    }
}

/// Where the contract lives; see the module's documentation.
#[async_trait]
pub trait Home: Send + Sync {
    /// Opens the stores (after the upload bucket exists, before uploads' processing starts).
    ///
    /// # Errors
    /// When a store cannot be reached or made.
    async fn open_stores(&self, site: Site<'_>) -> Result<Stores, Error>;

    /// The service that answers the contract's requests, given the contract's router: every
    /// request the API listener has no route of its own for reaches it.
    fn front(&self, contract: Router) -> Router;
}

/// Published media in `DATA_DIR/published`.
///
/// # Errors
/// When its folders cannot be made.
pub fn open_folder_media(args: &Args) -> Result<FolderMedia, Error> {
    let root = published_dir(&args.data_dir);
    FolderMedia::open(&root).map_err(|source| Error::Io {
        what: "making the published folder",
        path: root,
        source,
    })
}

/// devcloud's own home: SQLite, and the router called directly.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalHome;

#[async_trait]
impl Home for LocalHome {
    async fn open_stores(&self, site: Site<'_>) -> Result<Stores, Error> {
        Ok(Stores {
            playlists: Arc::new(SqlitePlaylists::new(site.db.clone())),
            accounts: Arc::new(SqliteAccounts::open(site.db.clone()).await?),
            telemetry: Arc::new(SqliteTelemetry::new(site.db.clone())),
            uploads: Arc::new(SqliteUploads::new(site.db.clone())),
            processing: Arc::new(LocalQueue::default()),
            media: Arc::new(open_folder_media(site.args)?),
        })
    }

    fn front(&self, contract: Router) -> Router {
        contract
    }
}
