//! The seam between the app and a music service.
//!
//! Strato plays from more than one kind of service: its own cloud (Cognito, the REST API, a
//! CDN) and servers that speak OpenSubsonic (Navidrome, Gonic, Supysonic...). Each lives in
//! its own crate (`strato-cloud`, `strato-subsonic`) and implements [`MusicService`] here;
//! everything above it (browsing, search, covers, the offline cache of what was seen) holds
//! an `Arc<dyn MusicService>` and never asks which kind it is. What a service cannot do, it
//! says in its [`Features`], so the window hides it instead of offering a broken button.
//!
//! The catalog's shapes are the project's own (`strato_model::api`): a service converts its
//! wire types at its edge. Ids stay the service's own strings.
//!
//! This crate does no I/O and names no HTTP client: it is the contract, and the error both
//! sides speak ([`ServiceError`]).

mod error;
mod features;

use async_trait::async_trait;
pub use error::{ServiceError, ServiceErrorKind};
pub use features::{Features, ServiceKind};
use strato_model::api::{Album, AlbumDetail, ArtistDetail, HomeFeed, SearchResults, Track};

/// An image and its MIME type, as the service sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverImage {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// A music service the listener is signed in to: its catalog, read.
///
/// Every method is one request's worth of work (or a few joined), answers in the project's
/// catalog shapes, and fails with a [`ServiceError`] whose kind says whether the app should
/// fall back to what this computer has seen ([`ServiceError::is_unreachable`]).
#[async_trait]
pub trait MusicService: Send + Sync + std::fmt::Debug {
    /// Which kind of service this is: for the account list and diagnostics, never to branch
    /// on (ask [`Self::features`] instead).
    fn kind(&self) -> ServiceKind;

    /// What this service offers beyond the catalog.
    fn features(&self) -> Features;

    /// The home page's picks: a few tracks and albums the service chose.
    async fn home(&self) -> Result<HomeFeed, ServiceError>;

    /// The newest albums, newest first.
    async fn newest_albums(&self, limit: u32) -> Result<Vec<Album>, ServiceError>;

    /// An album with its tracks in order.
    async fn album(&self, album_id: &str) -> Result<AlbumDetail, ServiceError>;

    /// An artist with their albums.
    async fn artist(&self, artist_id: &str) -> Result<ArtistDetail, ServiceError>;

    /// One track's catalog data.
    async fn track(&self, track_id: &str) -> Result<Track, ServiceError>;

    /// Tracks, albums and artists matching `query`, best first, at most `limit` of each.
    async fn search(&self, query: &str, limit: u32) -> Result<SearchResults, ServiceError>;

    /// The cover named by a track's or album's `cover_path`.
    async fn cover(&self, cover_path: &str) -> Result<CoverImage, ServiceError>;
}
