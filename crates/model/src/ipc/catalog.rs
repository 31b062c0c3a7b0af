//! The catalog screen's list: pages read from this computer's library, and what the window
//! is told while a walk of the service's listing refreshes them.
//!
//! The list is read a page at a time ([`CatalogPage`], the `catalog_tracks` command, with an
//! opaque cursor). A walk of the service's listing runs in the background (after sign-in
//! when the last one is old or the list is empty, and on demand); after each of its pages
//! the `catalog-changed` event ([`CatalogChange`]) says where the list changed, if it did, so
//! the window re-reads only from there, and nothing when the walk finds the catalog as it
//! was.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::AppError;
use crate::api::Track;

/// One page of the catalog, in the service's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CatalogPage {
    pub items: Vec<Track>,
    /// Pass it back for the next page; `None` when this page ends the list. Opaque.
    pub next_cursor: Option<String>,
    pub status: CatalogStatus,
}

/// Where the list stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogStatus {
    /// How many tracks the list holds now; `None` when it is read from the service page by
    /// page (no library) and the end is not known.
    pub total: Option<u32>,
    /// A walk of the service's listing is refreshing the list.
    pub refreshing: bool,
    /// Tracks that walk (or the last one) has read so far.
    pub walked: u32,
    /// When a walk last read the whole listing (Unix seconds); `None` if none ever did here.
    #[ts(type = "number | null")]
    pub listed_at: Option<i64>,
    /// Why the list may be out of date: offline, or the last walk failed. In words.
    pub problem: Option<AppError>,
}

/// The `catalog-changed` event: the list's status, and where it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogChange {
    pub status: CatalogStatus,
    /// `None` when the tracks listed read exactly as before (only the status moved).
    pub changed: Option<CatalogSplice>,
}

/// The list changed after its first `kept` tracks: they are the same tracks, in the same
/// places, with the same data. Re-read from `cursor` what followed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogSplice {
    pub kept: u32,
    /// The cursor to read on from (`None`: from the start).
    pub cursor: Option<String>,
}

/// The name of the event that carries [`CatalogChange`].
pub const CATALOG_CHANGED_EVENT: &str = "catalog-changed";
