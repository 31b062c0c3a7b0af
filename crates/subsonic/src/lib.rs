//! An OpenSubsonic client: talking to a listener's own music server (Navidrome, Gonic,
//! Airsonic-Advanced, Supysonic, Ampache...) through the Subsonic API and its OpenSubsonic
//! extensions.
//!
//! - [`SubsonicClient::connect`] reads the server's extensions first, then signs in the best
//!   way the server takes (API key, salted token, or the legacy hex password; [`auth`]), and
//!   keeps what it learnt ([`ServerInfo`], [`Extensions`], [`AuthMethod`]).
//! - Calls answer in the API's own types ([`wire`]); [`convert`] turns them into the project's
//!   (`strato_model::api`), the shapes the app's service trait answers in.
//! - Streams are addresses the audio engine fetches itself ([`StreamUrl`], with whether the
//!   original file is sent, so seeking can be promised); a download for offline is fetched
//!   here, from a byte on ([`SongDownload`]), a refusal being its code's error, never bytes of
//!   a file; covers are fetched here, "no cover" being an answer, not an error.
//! - [`SubsonicClient`] implements strato-service's `MusicService` (`music_service.rs`), so
//!   the app browses a Subsonic server as it browses the Strato cloud; its errors become
//!   `ServiceError`s with their kind, words and HTTP status.
//! - Errors carry a kind mirroring strato-cloud's, the Subsonic code, and a sentence
//!   ([`SubsonicError`]).
//! - Secrets: the password or key is a [`Secret`] (its `Debug` is `[redacted]`), and every
//!   URL this crate logs or gives for logging goes through [`redact_url`].
//! - Plain http only to this computer, https elsewhere (`address.rs`).
//!
//! It depends on no other Strato crate but the model and the service trait: the app composes
//! it.

mod address;
pub mod auth;
mod calls;
mod client;
pub mod convert;
mod download;
mod error;
mod extensions;
mod media;
mod music_service;
mod redact;
pub mod wire;

pub use address::is_loopback;
pub use auth::{AuthMethod, Credentials, Secret, salted_token};
pub use calls::{AlbumListType, PlaylistUpdate, SearchCounts, StarTarget};
pub use client::{API_VERSION, CLIENT_NAME, ConnectOptions, ServerInfo, SubsonicClient};
pub use download::SongDownload;
pub use error::{SubsonicError, SubsonicErrorKind};
pub use extensions::{
    API_KEY_AUTHENTICATION, Extensions, FORM_POST, SONG_LYRICS, TRANSCODE_OFFSET,
};
pub use media::{CoverArt, StreamOptions, StreamUrl, sends_original};
pub use music_service::features;
pub use redact::{redact_url, redact_url_str};
