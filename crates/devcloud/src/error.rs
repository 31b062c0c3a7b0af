//! Why devcloud could not start or keep serving.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::cognito::ProvisionError;
use crate::catalog::LoadError;
use crate::cdn::keys::KeyError;
use crate::db::DbError;
use crate::faults::FaultError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `catalog.json` is missing, malformed, or references something that is not there.
    #[error("catalog: {0}")]
    Catalog(#[from] LoadError),
    /// The `--faults` file could not be read or holds an invalid rule.
    #[error(transparent)]
    Faults(#[from] FaultError),
    /// The CloudFront key pair could not be read or created.
    #[error("CloudFront key pair: {0}")]
    Key(#[from] KeyError),
    /// The database (playlists, uploads) could not be opened or migrated.
    #[error("playlists database: {0}")]
    Db(#[from] DbError),
    /// The Cognito emulator could not be provisioned.
    #[error("Cognito: {0}")]
    Provision(#[from] ProvisionError),
    /// The upload bucket could not be reached or made.
    #[error("upload bucket: {0}")]
    Storage(String),
    /// The contract's stores (another home's: `DynamoDB`, S3) could not be reached or made.
    #[error("the contract's stores: {0}")]
    Stores(String),
    /// A file or directory devcloud needs could not be used.
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A listener could not be bound.
    #[error("listening on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// A listener failed while serving.
    #[error("serving: {0}")]
    Serve(std::io::Error),
    /// A blocking start-up task panicked.
    #[error("start-up task failed: {0}")]
    Task(String),
}
