//! API errors as RFC 9457 `application/problem+json`, and extractors that answer with one.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use strato_model::api::{Problem, ProblemType};

/// The media type of every error body of the API.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error response of the API: a [`Problem`] plus any headers that go with it. Boxed, so
/// `Result<T, ApiError>` stays small.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    problem: Problem,
    headers: HeaderMap,
}

impl ApiError {
    #[must_use]
    pub fn new(kind: ProblemType, title: &str) -> Self {
        Self::from_problem(Problem::new(kind, title))
    }

    #[must_use]
    pub fn from_problem(problem: Problem) -> Self {
        Self(Box::new(Inner {
            problem,
            headers: HeaderMap::new(),
        }))
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.0.problem.detail = Some(detail.into());
        self
    }

    #[must_use]
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.insert(name, value);
        self
    }

    #[must_use]
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::BadRequest, "Bad request").detail(detail)
    }

    #[must_use]
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::NotFound, "Not found").detail(detail)
    }

    /// A server-side failure. The cause is logged here and not sent to the client.
    #[must_use]
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(ProblemType::Internal, "Internal error")
    }

    /// 403: the loopback-only admin API from elsewhere, or moderation by a non-administrator.
    #[must_use]
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, "Forbidden").detail(detail)
    }

    /// 409: the upload's state does not allow the request.
    #[must_use]
    pub fn upload_conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::UploadConflict, "Not possible now").detail(detail)
    }

    #[must_use]
    pub fn problem(&self) -> &Problem {
        &self.0.problem
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Inner { problem, headers } = *self.0;
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response.headers_mut().extend(headers);
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::from_problem(Problem {
                status: 413,
                ..Problem::new(ProblemType::BadRequest, "Too large")
            })
            .detail(rejection.body_text());
        }
        Self::bad_request(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

/// `axum::Json`, answering a malformed body with a 400 problem.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query`, answering a malformed query with a 400 problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `axum::extract::Path`, answering a malformed path with a 400 problem.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// The API's fallback for unknown routes.
pub async fn no_such_route() -> ApiError {
    ApiError::not_found("no such endpoint")
}

/// The API's answer to a known path with an unsupported method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::from_problem(Problem {
        problem_type: ProblemType::BadRequest.uri(),
        title: "Method not allowed".to_owned(),
        status: 405,
        detail: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn problems_carry_their_type_status_and_headers() {
        let response = ApiError::new(ProblemType::RevisionMismatch, "Stale")
            .detail("current revision is 3")
            .header(header::ETAG, HeaderValue::from_static("\"3\""))
            .into_response();
        assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(response.headers()[header::ETAG], "\"3\"");
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let problem: Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem.kind(), Some(ProblemType::RevisionMismatch));
        assert_eq!(problem.detail.as_deref(), Some("current revision is 3"));
    }
}
