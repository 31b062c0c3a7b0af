//! The middleware that applies fault rules to each request of a listener.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use strato_model::api::{Problem, ProblemType};

use super::body::FaultBody;
use super::{FaultStore, Target};
use crate::cdn::access::xml_error;
use crate::problem::ApiError;

/// The middleware's state: the rules and which listener it guards.
#[derive(Debug, Clone)]
pub struct FaultLayer {
    pub store: Arc<FaultStore>,
    pub listener: Target,
}

/// Matches the request once, then: waits `latency`, answers an injected error, or runs the
/// handler (which sees the [`FaultPlan`](super::FaultPlan) in the request's extensions) and
/// wraps its body. The admin API is never faulted.
pub async fn apply(State(layer): State<FaultLayer>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/admin" || path.starts_with("/admin/") {
        return next.run(request).await;
    }
    let plan = layer.store.plan(layer.listener, path);
    if plan.rule_ids.is_empty() {
        return next.run(request).await;
    }
    tracing::debug!(rules = ?plan.rule_ids, "fault rules match");
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    if let Some(status) = plan.error_status {
        return injected_error(layer.listener, status);
    }
    let body_faults = plan.body;
    request.extensions_mut().insert(plan);
    let response = next.run(request).await;
    if body_faults.is_active() {
        response.map(|body| Body::new(FaultBody::new(body, body_faults)))
    } else {
        response
    }
}

fn injected_error(listener: Target, status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    if listener == Target::Cdn {
        return xml_error(code, "InjectedFault", "fault injection: error_rate");
    }
    let problem = Problem {
        status: code.as_u16(),
        ..Problem::new(ProblemType::Internal, "Injected fault")
    };
    ApiError::from_problem(problem)
        .detail("fault injection: error_rate")
        .into_response()
}
