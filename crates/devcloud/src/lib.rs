//! devcloud: a faithful local stand-in for Strato's AWS service, for development, tests and
//! benchmarks. The contract it implements is `docs/api.md`; a real deployment implements the
//! same contract with Cognito, API Gateway or an ALB in front of containers, and S3 behind
//! CloudFront.
//!
//! It owns:
//! - **Identity** ([`auth`]): verifying Cognito access tokens (RS256 via the pool's JWKS,
//!   issuer, app client, token use), and provisioning a moto Cognito emulator; signing a
//!   listener out everywhere ([`account`]).
//! - **The REST API** ([`api`]): the catalog ([`catalog`]) from `MEDIA_DIR/catalog.json`;
//!   per-user playlists ([`playlists`]) in SQLite with revisions, `If-Match`, idempotency keys
//!   and a changes feed; and stream/download grants ([`grants`]) signed for the CDN.
//! - **Uploads** ([`uploads`]): listeners' own music, sent straight to an S3 bucket (moto's)
//!   through presigned multipart parts, processed with ffmpeg into the catalog's forms,
//!   private or public, moderated, explored, and collected from storage once deleted.
//! - **Live events** ([`live`]): a WebSocket per signed-in client at `/v1/live`, on which
//!   each listener's playlist writes, upload changes and sign-outs are pushed as they commit.
//! - **Playback reports** ([`telemetry`]): counts by the hour from listeners who opted in,
//!   kept without their sender, a resent batch counted once.
//! - **The CDN** ([`cdn`]): `MEDIA_DIR/media/**` behind CloudFront signed URLs and cookies
//!   (real CloudFront signing: RSA-SHA1, canned and custom policies), public `MEDIA_DIR/art/**`,
//!   ranges, ETags, content types, streamed from disk.
//! - **`OpenSubsonic`** ([`subsonic`], devcloud only): `/rest/` from the same catalog, with
//!   devcloud's own Subsonic accounts and API keys, per-user stars, playlists and scrobbles,
//!   and stand-in lyrics: a test peer for Strato's `OpenSubsonic` client.
//! - **Fault injection** ([`faults`]): latency, bandwidth, stalls, dropped connections, error
//!   rates, refused signatures and short-lived grants, from a file or a loopback-only admin API.
//!
//! The contract's routes and stores have a home ([`home`]): devcloud's own SQLite, or another
//! (`strato-aws`'s `DynamoDB` behind API Gateway's events) for the same tests to run against.
//!
//! Database work runs on its own thread ([`db`]); nothing holds a lock across an
//! `.await`. Logs never carry tokens, cookies or signatures ([`access_log`]).

pub mod access_log;
pub mod account;
pub mod api;
pub mod auth;
pub mod catalog;
pub mod cdn;
pub mod config;
pub mod db;
pub mod error;
pub mod faults;
pub mod glob;
pub mod grants;
pub mod home;
pub mod live;
pub mod playlists;
pub mod problem;
pub mod rng;
pub mod server;
pub mod subsonic;
pub mod telemetry;
pub mod uploads;

pub use config::Args;
pub use error::Error;
pub use server::{Ready, run, run_in};

/// Seconds since the Unix epoch.
#[must_use]
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
