//! `/admin/faults`: managing fault rules at run time. Loopback peers only.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use strato_model::api::{Problem, ProblemType};

use super::{FaultError, FaultRule, FaultStore, FaultView};
use crate::problem::{ApiError, ApiJson, ApiPath};

/// The admin routes, with their own state, ready to merge into the API router.
pub fn router<S>(store: Arc<FaultStore>) -> Router<S> {
    Router::new()
        .route("/admin/faults", get(list).post(add).delete(clear))
        .route("/admin/faults/{id}", delete(remove))
        .layer(middleware::from_fn(loopback_only))
        .with_state(store)
}

/// 403 unless the peer is a loopback address.
pub(crate) async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    match peer {
        Some(peer) if peer.ip().is_loopback() => next.run(request).await,
        _ => ApiError::forbidden("the admin API only answers loopback peers").into_response(),
    }
}

async fn list(State(store): State<Arc<FaultStore>>) -> Json<Vec<FaultView>> {
    Json(store.list())
}

async fn add(
    State(store): State<Arc<FaultStore>>,
    ApiJson(rule): ApiJson<FaultRule>,
) -> Result<(StatusCode, Json<FaultRule>), ApiError> {
    let rule = store.add(rule).map_err(|error| match error {
        FaultError::DuplicateId(_) => ApiError::from_problem(Problem {
            status: 409,
            ..Problem::new(ProblemType::BadRequest, "Conflict")
        })
        .detail(error.to_string()),
        other => ApiError::bad_request(other.to_string()),
    })?;
    tracing::info!(id = rule.id.as_deref().unwrap_or_default(), path = %rule.path, "fault rule added");
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn remove(
    State(store): State<Arc<FaultStore>>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    if store.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no fault rule {id:?}")))
    }
}

async fn clear(State(store): State<Arc<FaultStore>>) -> StatusCode {
    store.clear();
    tracing::info!("fault rules cleared");
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    async fn status_from(peer: &str) -> StatusCode {
        let app: Router = router(Arc::new(FaultStore::default()));
        let mut request = Request::get("/admin/faults").body(Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        app.oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn only_loopback_peers_are_served() {
        assert_eq!(status_from("127.0.0.1:5555").await, StatusCode::OK);
        assert_eq!(status_from("[::1]:5555").await, StatusCode::OK);
        assert_eq!(
            status_from("192.168.1.20:5555").await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(status_from("10.0.0.1:5555").await, StatusCode::FORBIDDEN);
    }
}
