//! Talking to the Strato service. Nothing else in the project builds a service URL or holds
//! a token.
//!
//! - [`ServiceClient::connect`] reads `GET /v1/config` from the one URL the listener gives,
//!   if [`trust`] allows that address (https, or this computer, or a developer setting).
//! - [`auth`] signs in with Amazon Cognito (SRP by default; challenges, sign-up, password
//!   reset) and keeps the tokens fresh in an [`AuthSession`] (in memory; they never reach a
//!   file or a log: their `Debug` is redacted).
//! - [`keychain`] keeps a refresh token in the OS keychain for "stay signed in".
//! - [`ApiClient`] is the typed REST client.
//! - [`CdnAccess`] fetches audio from the CDN with the credentials of a track's
//!   [`StreamGrant`](strato_model::api::StreamGrant), renewing them after a refusal;
//!   [`CdnRequest`] is a one-shot fetch (cover art).
//! - [`ApiClient`] is also the cloud's [`strato_service::MusicService`]: the catalog the app
//!   browses, the same way as any other service's.
//! - [`LiveConnection`] is the live channel: what changed on the listener's other devices.
//! - [`trace`] carries one user action's trace id to the service (`X-Amzn-Trace-Id`).
//! - [`redact`] strips `CloudFront` signatures from URLs before they are logged.

mod api;
pub mod auth;
mod cdn;
mod error;
pub mod keychain;
mod live;
mod music_service;
pub mod redact;
mod service;
mod sessions;
mod telemetry;
pub mod trace;
pub mod trust;
mod uploads;

pub use api::ApiClient;
pub use auth::{AuthFlow, AuthSession, Challenge, ChallengeKind, Credentials, SignInStep, Tokens};
pub use cdn::{CdnAccess, CdnRequest, CdnResponse};
pub use error::{CloudError, CloudErrorKind};
pub use live::{LiveConnection, LiveEnd};
pub use music_service::FEATURES;
pub use service::ServiceClient;
pub use trust::Trust;
