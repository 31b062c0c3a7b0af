//! The REST API's router and shared state.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::routing::{delete, get, post, put};
use strato_model::api::{MAX_TELEMETRY_BYTES, ServiceConfig};

use crate::auth::Authenticator;
use crate::catalog::{Catalog, routes as catalog};
use crate::cdn::signing::Signer;
use crate::faults::{FaultStore, admin};
use crate::grants;
use crate::playlists::routes as playlists;
use crate::problem;
use crate::telemetry;
use crate::uploads::{Uploads, collector, explore, moderation, routes as uploads};

/// Settings the handlers read.
#[derive(Debug)]
pub struct Settings {
    /// Base URL of the CDN, without a trailing slash.
    pub cdn_base_url: String,
    pub grant_ttl_secs: u64,
    pub home_reshuffle_secs: u64,
    /// The longest a live connection lives (API Gateway's limit is two hours).
    pub live_max_life: std::time::Duration,
    /// What `GET /v1/config` answers.
    pub service: ServiceConfig,
}

/// Everything the API handlers share. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub auth: Arc<Authenticator>,
    /// Sign-outs everywhere and listeners' names.
    pub accounts: Arc<dyn crate::account::AccountStore>,
    /// Playback reports.
    pub telemetry: Arc<dyn crate::telemetry::TelemetryStore>,
    /// Where playlists live.
    pub playlists: Arc<dyn crate::playlists::PlaylistStore>,
    pub signer: Arc<Signer>,
    pub settings: Arc<Settings>,
    pub uploads: Uploads,
    /// The live channel's connections, by listener.
    pub live: Arc<crate::live::LiveHub>,
    /// The user pool's administration, to revoke sessions (`None`: not configured).
    pub pool_admin: Option<crate::account::PoolAdmin>,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.auth)
    }
}

/// The API listener's routes: the live channel and the admin API, devcloud's own, and every
/// other request to `front`, the contract's home ([`crate::home::Home::front`] over
/// [`contract_router`]). Fault and logging layers are the server's.
pub fn router(state: AppState, faults: Arc<FaultStore>, front: Router) -> Router {
    Router::new()
        .route("/v1/live", get(crate::live::connect))
        .with_state(state.clone())
        .merge(admin::router(faults))
        .merge(
            Router::new()
                .route("/admin/cdn-signatures", get(issued_signatures))
                .route("/admin/collect", post(collector::collect_now))
                .route("/admin/telemetry", get(telemetry::received))
                .layer(axum::middleware::from_fn(admin::loopback_only))
                .with_state(state),
        )
        .fallback_service(front)
        .method_not_allowed_fallback(problem::method_not_allowed)
}

/// The contract (`docs/api.md`): every `/v1` route but the live channel, the routes a
/// deployment's API function serves; an unknown path or method is a problem, and every answer
/// carries the request's trace root back.
pub fn contract_router(state: AppState) -> Router {
    Router::new()
        .route("/v1/config", get(config))
        .route(
            "/v1/account/sign-out-everywhere",
            post(crate::account::sign_out_everywhere),
        )
        .route("/v1/tracks", get(catalog::list_tracks))
        .route("/v1/tracks/{id}", get(catalog::get_track))
        .route("/v1/tracks/availability", post(explore::availability))
        .route("/v1/tracks/{id}/stream", get(grants::stream))
        .route("/v1/tracks/{id}/download", get(grants::download))
        .route("/v1/albums", get(catalog::list_albums))
        .route("/v1/albums/{id}", get(catalog::get_album))
        .route("/v1/artists", get(catalog::list_artists))
        .route("/v1/artists/{id}", get(catalog::get_artist))
        .route("/v1/search", get(catalog::search))
        .route("/v1/home", get(catalog::home))
        .route(
            "/v1/playlists",
            get(playlists::list).post(playlists::create),
        )
        .route("/v1/playlists/changes", get(playlists::changes))
        .route(
            "/v1/playlists/{id}",
            get(playlists::get)
                .patch(playlists::update)
                .delete(playlists::delete),
        )
        .route("/v1/uploads", get(uploads::list).post(uploads::create))
        .route("/v1/uploads/limits", get(uploads::limits))
        .route(
            "/v1/uploads/{id}",
            get(uploads::get)
                .patch(uploads::update)
                .delete(uploads::delete),
        )
        .route(
            "/v1/uploads/{id}/parts",
            get(uploads::list_parts).post(uploads::part_urls),
        )
        .route("/v1/uploads/{id}/complete", post(uploads::complete))
        .route("/v1/uploads/{id}/cover", put(uploads::put_cover))
        .route(
            "/v1/moderation/tracks/{id}/takedown",
            post(moderation::takedown).delete(moderation::restore),
        )
        .route(
            "/v1/telemetry",
            post(telemetry::receive).layer(DefaultBodyLimit::max(MAX_TELEMETRY_BYTES)),
        )
        .route("/v1/explore/uploads", get(explore::newest))
        .route("/v1/users/{id}", get(explore::profile))
        .route("/v1/playlists/{id}/items", post(playlists::add_items))
        .route(
            "/v1/playlists/{id}/items/{item_id}",
            delete(playlists::remove_item),
        )
        .route(
            "/v1/playlists/{id}/items/{item_id}/move",
            post(playlists::move_item),
        )
        .with_state(state)
        .fallback(problem::no_such_route)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .layer(axum::middleware::from_fn(crate::access_log::echo_trace))
}

/// `GET /admin/cdn-signatures` (loopback peers only): every CDN signature and cookie policy
/// issued lately, for tests that search a client's files and logs for them.
async fn issued_signatures(State(state): State<AppState>) -> Json<Vec<String>> {
    Json(state.signer.issued())
}

/// `GET /v1/config`: public.
async fn config(State(state): State<AppState>) -> Json<ServiceConfig> {
    Json(state.settings.service.clone())
}
