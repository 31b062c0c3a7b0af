//! The client a signed-in account's calls go through, by the kind of its service.
//!
//! Browsing, search, covers and track lookups take [`Connection::service`], the trait every
//! kind implements; what only one kind has (the Strato cloud's grants, uploads, live channel
//! and playlist revisions; a Subsonic server's stream addresses) asks for its client by
//! name and is hidden in the window when the session's `Features` lack it.

use std::sync::Arc;

use strato_cloud::ApiClient;
use strato_model::ipc::{Features, ServiceKind, Session};
use strato_service::MusicService;
use strato_subsonic::SubsonicClient;

/// A signed-in account's client.
#[derive(Debug, Clone)]
pub(crate) enum Connection {
    Strato(Arc<ApiClient>),
    Subsonic(Arc<SubsonicClient>),
}

impl Connection {
    /// The account's service, whatever its kind.
    pub(crate) fn service(&self) -> Arc<dyn MusicService> {
        match self {
            Self::Strato(api) => Arc::clone(api) as Arc<dyn MusicService>,
            Self::Subsonic(client) => Arc::clone(client) as Arc<dyn MusicService>,
        }
    }

    /// The Strato cloud's client, for what only it offers.
    pub(crate) fn cloud(&self) -> Option<&Arc<ApiClient>> {
        match self {
            Self::Strato(api) => Some(api),
            Self::Subsonic(_) => None,
        }
    }

    /// The Subsonic server's client, for its stream addresses.
    pub(crate) fn subsonic(&self) -> Option<&Arc<SubsonicClient>> {
        match self {
            Self::Subsonic(client) => Some(client),
            Self::Strato(_) => None,
        }
    }

    /// The client's address, whichever trait it is called through: a failed call names its
    /// client this way, so only the session that failed is ended.
    pub(crate) fn address(&self) -> *const () {
        match self {
            Self::Strato(api) => Arc::as_ptr(api).cast(),
            Self::Subsonic(client) => Arc::as_ptr(client).cast(),
        }
    }

    /// The session the window sees for `username` on this connection.
    pub(crate) fn session(&self, service_url: &str, username: &str) -> Session {
        let service = self.service();
        Session {
            service_url: service_url.to_owned(),
            username: username.to_owned(),
            kind: service.kind(),
            features: service.features(),
        }
    }
}

/// What a service of `kind` offers when it cannot be asked (an offline start): what every
/// server of the kind has, and nothing a server may lack.
pub(crate) fn features_offline(kind: ServiceKind) -> Features {
    match kind {
        ServiceKind::Strato => strato_cloud::FEATURES,
        ServiceKind::OpenSubsonic => {
            strato_subsonic::features(&strato_subsonic::Extensions::none())
        }
    }
}
