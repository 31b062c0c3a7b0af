//! Per-user playlists: optimistic concurrency with revisions and `If-Match`, idempotent POSTs,
//! and a per-user changes feed. The routes speak to a [`PlaylistStore`]: SQLite in devcloud
//! (`DATA_DIR/devcloud.db`), `DynamoDB` in a deployment on AWS.

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod idempotency;
pub mod routes;
pub mod sqlite;
pub mod storage;
mod store;

pub use sqlite::SqlitePlaylists;
pub use storage::{PlaylistStore, Recorded};
