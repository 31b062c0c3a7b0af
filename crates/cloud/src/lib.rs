//! Talking to the Strato service. Nothing else in the project builds a service URL or holds
//! a token.
//!
//! - [`ServiceClient::connect`] reads `GET /v1/config` from the one URL the listener gives.
//! - [`auth`] signs in with Amazon Cognito and keeps the tokens (in memory; they never reach
//!   a file or a log: their `Debug` is redacted).
//! - [`ApiClient`] is the typed REST client; [`CdnRequest`] fetches from the CDN with the
//!   credentials of a [`StreamGrant`](strato_model::api::StreamGrant).
//! - [`redact`] strips `CloudFront` signatures from URLs before they are logged.

mod api;
pub mod auth;
mod error;
pub mod redact;
mod service;

pub use api::{ApiClient, CdnRequest};
pub use auth::{Credentials, Tokens};
pub use error::{CloudError, CloudErrorKind};
pub use service::ServiceClient;
