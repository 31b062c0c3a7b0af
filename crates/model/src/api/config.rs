use serde::{Deserialize, Serialize};

/// `GET /v1/config`: everything a client needs besides the service URL. Public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceConfig {
    /// The contract version the service speaks, `"1"`.
    pub api_version: String,
    pub cognito: CognitoConfig,
    /// Base URL of the CDN that serves audio and art, without a trailing slash.
    pub cdn_base_url: String,
    /// The live channel's URL (`wss://`) when it is not the API's own `/v1/live`: a
    /// deployment's channel is a WebSocket API of its own, on another host. Clients prefer
    /// it to the URL derived from the service's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_url: Option<String>,
}

/// Where and how to sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CognitoConfig {
    pub region: String,
    pub user_pool_id: String,
    /// An app client without a secret, as desktop apps cannot keep one.
    pub client_id: String,
    /// Overrides the regional Cognito endpoint; set only for an emulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}
