//! Per-user playlists in SQLite (`DATA_DIR/devcloud.db`): optimistic concurrency with
//! revisions and `If-Match`, idempotent POSTs, and a per-user changes feed.

pub mod idempotency;
pub mod routes;
pub mod store;
