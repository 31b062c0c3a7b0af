//! API Gateway's HTTP API in front of the API function, in process: what `aws-local` answers
//! the contract's requests with, so devcloud's integration tests reach the handlers the way a
//! deployment's requests do.
//!
//! A request becomes the event an HTTP API sends a function (payload format 2.0): lower-case
//! headers, repeated ones joined by commas, cookies apart, the query raw, the body base64
//! unless its type is text. The event is serialized and read back by `lambda_http` as the
//! Lambda runtime reads it, and answered by [`invoke`], the function's own path (`lambda_http`'s
//! adapter over the contract's router). The answer is serialized as the runtime returns it and
//! read back as API Gateway reads it: `cookies` become `Set-Cookie` headers, a base64 body is
//! decoded. So what the translation loses or changes on AWS (a header repeated in an answer
//! keeps only its first value) is lost or changed here too.
//!
//! Lambda's 6 MB limit on an invocation's request and answer is kept, with the answers an HTTP
//! API gives for them: 413 when the event is too big, 500 when the answer is. These bodies are
//! API Gateway's own, not problems; the contract's payloads must stay under the limit.
//!
//! What this cannot show: API Gateway's own limits but these (its 30 s timeout, throttling),
//! its header rules (it drops some, such as `Connection`), and X-Ray's own sampling (the
//! client's decision is passed on, else the request is sampled). Nothing but the event
//! crosses, as on AWS: devcloud's fault rules that ride on a request's extensions (a grant's
//! shortened lifetime) do not reach the function, so fault tests stay devcloud's.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::FutureExt as _;
use lambda_http::lambda_runtime::{Context, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Service as _};
use serde_json::{Map, Value, json};
use strato_devcloud::access_log::new_trace_root;
use strato_model::api::{TRACE_HEADER, trace_root};

use crate::runtime::RuntimeApi;

/// Lambda's limit on a synchronous invocation's payload, each way, in bytes (its error
/// messages name this figure; the quotas page says "6 MB").
pub const INVOCATION_LIMIT: usize = 6_291_556;

/// An HTTP API's limit on a request's body ("10 MB" in its quotas).
const REQUEST_BODY_LIMIT: usize = 10_000_000;

/// A router that answers every request as an HTTP API in front of `function` (in this
/// process) does.
pub fn front(function: Router) -> Router {
    front_of(Arc::new(InProcess(function)))
}

/// A router that answers every request as an HTTP API in front of `function` does.
pub fn front_of(function: Arc<dyn Function>) -> Router {
    Router::new().fallback(move |request: Request| answer(Arc::clone(&function), request))
}

/// What answers an HTTP API's events: the function in this process, or a function's own
/// process through Lambda's runtime API ([`RuntimeApi`]).
#[async_trait]
pub trait Function: Send + Sync {
    /// The answer to `event` (JSON, as the runtime receives it), serialized as the runtime
    /// returns it.
    ///
    /// # Errors
    /// What the function reported instead of an answer.
    async fn invoke(&self, event: String, context: Context) -> Result<String, String>;
}

/// The API function's router, in this process.
struct InProcess(Router);

#[async_trait]
impl Function for InProcess {
    async fn invoke(&self, event: String, context: Context) -> Result<String, String> {
        invoke(self.0.clone(), &event, context)
            .await
            .map_err(|error| error.to_string())
    }
}

#[async_trait]
impl Function for RuntimeApi {
    async fn invoke(&self, event: String, context: Context) -> Result<String, String> {
        RuntimeApi::invoke(self, event, &context.request_id, context.xray_trace_id).await
    }
}

/// Why an invocation gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The event is not one of API Gateway's.
    #[error("not an API Gateway event: {0}")]
    Event(serde_json::Error),
    /// The function's answer could not be serialized.
    #[error("the function's answer: {0}")]
    Answer(serde_json::Error),
}

/// The API function: `event` (JSON, as the Lambda runtime receives it) answered by `function`
/// through `lambda_http`'s adapter, serialized as the runtime returns it. A deployment's
/// function runs the same adapter through `lambda_http::run`.
///
/// # Errors
/// When the event is not API Gateway's.
pub async fn invoke(
    function: Router,
    event: &str,
    context: Context,
) -> Result<String, InvokeError> {
    let payload: LambdaRequest = serde_json::from_str(event).map_err(InvokeError::Event)?;
    // The adapter is not `Send` (it names the router's body type by reference), so it does
    // not live across an await; a router is always ready, `poll_ready` answers at once.
    let answering = {
        let mut adapter = Adapter::from(function);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        if let std::task::Poll::Ready(Err(never)) = adapter.poll_ready(&mut cx) {
            match never {}
        }
        adapter.call(LambdaEvent::new(payload, context))
    };
    let answer = answering
        .await
        .unwrap_or_else(|never: Infallible| match never {});
    serde_json::to_string(&answer).map_err(InvokeError::Answer)
}

async fn answer(function: Arc<dyn Function>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match to_bytes(body, REQUEST_BODY_LIMIT).await {
        Ok(body) => body,
        Err(error) if too_long(&error) => {
            return gateway_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
        }
        // The client went away or sent a broken body: nobody is left to answer.
        Err(_) => return gateway_message(StatusCode::BAD_REQUEST, "Bad Request"),
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let trace = Trace::of(&parts.headers);
    let event = event(&parts, &body, &request_id, &trace).to_string();
    if event.len() > INVOCATION_LIMIT {
        return gateway_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    }
    let mut context = Context::default();
    context.request_id = request_id;
    context.xray_trace_id = Some(trace.for_the_function());
    // The Lambda runtime answers a panicking handler with an error, which API Gateway turns
    // into a 500; a dropped connection would hide it.
    let invoked = std::panic::AssertUnwindSafe(function.invoke(event, context))
        .catch_unwind()
        .await;
    match invoked {
        Ok(Ok(answer)) if answer.len() <= INVOCATION_LIMIT => {
            http_response(&answer).unwrap_or_else(|| internal("a malformed answer"))
        }
        Ok(Ok(answer)) => internal(&format!("an answer of {} bytes", answer.len())),
        Ok(Err(error)) => internal(&error),
        Err(_) => internal("the handler panicked"),
    }
}

/// Whether reading a body failed on the request size limit.
fn too_long(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// The trace a request is part of: its root (the client's, or one devcloud's access log
/// started) and the client's sampling decision.
struct Trace {
    root: String,
    sampled: Option<String>,
}

impl Trace {
    fn of(headers: &HeaderMap) -> Self {
        let header = headers
            .get(TRACE_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Self {
            root: trace_root(header).map_or_else(new_trace_root, str::to_owned),
            sampled: header
                .split(';')
                .find_map(|part| part.trim().strip_prefix("Sampled="))
                .map(str::to_owned),
        }
    }

    /// As Lambda hands it to a traced function: the root, a parent segment, the decision (the
    /// client's, else sampled: X-Ray's rule traces the first request each second).
    fn for_the_function(&self) -> String {
        let parent = &uuid::Uuid::new_v4().simple().to_string()[..16];
        let sampled = self.sampled.as_deref().unwrap_or("1");
        format!("Root={};Parent={parent};Sampled={sampled}", self.root)
    }
}

/// The event an HTTP API sends for this request (payload format 2.0).
fn event(
    parts: &axum::http::request::Parts,
    body: &[u8],
    request_id: &str,
    trace: &Trace,
) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for name in parts.headers.keys() {
        let values = parts
            .headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        if name == header::COOKIE {
            cookies.extend(values.flat_map(|line| {
                line.split(';')
                    .map(str::trim)
                    .filter(|cookie| !cookie.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            }));
        } else {
            headers.insert(
                name.as_str().to_owned(),
                values.collect::<Vec<_>>().join(",").into(),
            );
        }
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    // The domain name API Gateway answers on has no port; aws-local's address has one.
    let (domain, port) = host.rsplit_once(':').unwrap_or((host, "443"));
    let source = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "127.0.0.1".to_owned(), |peer| peer.0.ip().to_string());
    // An HTTP API is reached over HTTPS only; the function is told so, as on AWS.
    headers.insert("x-forwarded-proto".into(), "https".into());
    headers.insert("x-forwarded-port".into(), port.into());
    headers.insert("x-forwarded-for".into(), source.clone().into());
    headers.insert(
        TRACE_HEADER.to_ascii_lowercase(),
        format!("Root={}", trace.root).into(),
    );
    let now = time::OffsetDateTime::now_utc();
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.uri.path(),
        "rawQueryString": parts.uri.query().unwrap_or_default(),
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "aws-local",
            "domainName": domain,
            "domainPrefix": domain.split('.').next().unwrap_or_default(),
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": format!("{:?}", parts.version),
                "sourceIp": source,
                "userAgent": parts.headers.get(header::USER_AGENT)
                    .and_then(|value| value.to_str().ok()).unwrap_or_default(),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": request_time(now),
            "timeEpoch": now.unix_timestamp() * 1000 + i64::from(now.millisecond()),
        },
        "isBase64Encoded": false,
    });
    if !cookies.is_empty() {
        event["cookies"] = cookies.into();
    }
    if let Some(query) = parts.uri.query().filter(|query| !query.is_empty()) {
        event["queryStringParameters"] = query_parameters(query).into();
    }
    if !body.is_empty() {
        let text = is_text(&parts.headers)
            .then(|| std::str::from_utf8(body).ok())
            .flatten();
        if let Some(text) = text {
            event["body"] = text.into();
        } else {
            event["body"] = BASE64.encode(body).into();
            event["isBase64Encoded"] = true.into();
        }
    }
    event
}

/// `requestContext.time` as API Gateway writes it: `07/Dec/2026:16:58:00 +0000`.
fn request_time(now: time::OffsetDateTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{:02}/{}/{}:{:02}:{:02}:{:02} +0000",
        now.day(),
        MONTHS[usize::from(u8::from(now.month())) - 1],
        now.year(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// `queryStringParameters`: decoded, a repeated name's values joined by commas.
fn query_parameters(query: &str) -> Map<String, Value> {
    let mut parameters: Map<String, Value> = Map::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match parameters.get_mut(name.as_ref()) {
            Some(Value::String(joined)) => {
                joined.push(',');
                joined.push_str(&value);
            }
            _ => {
                parameters.insert(name.into_owned(), value.into_owned().into());
            }
        }
    }
    parameters
}

/// Whether an HTTP API passes this body as text: text and JSON or XML types.
fn is_text(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let mime = content_type.split(';').next().unwrap_or_default().trim();
    mime.starts_with("text/")
        || [
            "application/json",
            "application/xml",
            "application/javascript",
        ]
        .contains(&mime)
        || mime.ends_with("+json")
        || mime.ends_with("+xml")
}

/// The HTTP answer to a function's answer, as an HTTP API makes it.
fn http_response(answer: &str) -> Option<Response> {
    let answer: Value = serde_json::from_str(answer).ok()?;
    let status =
        StatusCode::from_u16(u16::try_from(answer.get("statusCode")?.as_u64()?).ok()?).ok()?;
    let mut response = Response::builder().status(status);
    for (name, value) in answer
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        response = response.header(name, HeaderValue::from_str(value.as_str()?).ok()?);
    }
    for cookie in answer
        .get("cookies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        response = response.header(
            header::SET_COOKIE,
            HeaderValue::from_str(cookie.as_str()?).ok()?,
        );
    }
    let body = answer
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let body = if answer.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
        BASE64.decode(body).ok()?
    } else {
        body.as_bytes().to_vec()
    };
    response.body(Body::from(body)).ok()
}

/// What an HTTP API answers when the function failed or gave an answer it cannot use.
fn internal(why: &str) -> Response {
    tracing::error!(why, "the API function gave no answer API Gateway can use");
    gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
}

fn gateway_message(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "message": message }).to_string(),
    )
        .into_response()
}

#[cfg(test)]
#[path = "gateway_tests.rs"]
mod tests;
