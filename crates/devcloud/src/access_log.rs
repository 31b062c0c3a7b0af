//! One log line per request: listener, method, path, status, bytes actually sent, duration
//! and trace id. The query is left out (a CDN URL's carries a signature), but for
//! `/rest/`'s, whose parameters say what was asked: there the credentials (`p`, `t`, `s`,
//! `apiKey`) are replaced by `***` ([`redacted_query`]). Logged when the body is
//! done or dropped, so streamed and aborted responses are counted right. Headers (tokens,
//! cookies) are never logged, but for the trace id.
//!
//! The trace id is the `Root` of the request's `X-Amzn-Trace-Id` (`docs/api.md`, "Tracing");
//! a request without one starts a trace of its own, as API Gateway does, and goes on with it
//! (the handlers and the contract's home see the same root). Either way the response carries
//! it back, so a client can name it when it reports a problem; the contract's router does the
//! same on its own ([`echo_trace`]), as a deployment's function must.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use strato_model::api::{TRACE_HEADER, trace_root};

/// A trace id for a request that came without one: this second, and 24 hex digits of a
/// random UUID (88 random bits: the version digit is fixed).
#[must_use]
pub fn new_trace_root() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("1-{:08x}-{}", crate::unix_now() & 0xffff_ffff, &id[..24])
}

/// Middleware: answers with the request's trace root, for the contract's router, which a
/// deployment's function serves without devcloud's access log around it.
pub async fn echo_trace(request: Request, next: Next) -> Response {
    let root = request
        .headers()
        .get(TRACE_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(trace_root)
        .and_then(|root| HeaderValue::from_str(&format!("Root={root}")).ok());
    let mut response = next.run(request).await;
    if let Some(root) = root {
        response.headers_mut().insert(TRACE_HEADER, root);
    }
    response
}

/// Middleware; the state names the listener.
pub async fn log(
    State(listener): State<&'static str>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = path
        .starts_with("/rest/")
        .then(|| request.uri().query().map(redacted_query))
        .flatten()
        .unwrap_or_default();
    let trace = request
        .headers()
        .get(TRACE_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(trace_root)
        .map(str::to_owned);
    let trace = trace.unwrap_or_else(|| {
        let trace = new_trace_root();
        if let Ok(value) = HeaderValue::from_str(&format!("Root={trace}")) {
            request.headers_mut().insert(TRACE_HEADER, value);
        }
        trace
    });
    let started = Instant::now();
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&format!("Root={trace}")) {
        response.headers_mut().insert(TRACE_HEADER, value);
    }
    let status = response.status();
    let empty = response.body().is_end_stream();
    response.map(|inner| {
        Body::new(LoggedBody {
            inner,
            record: Record {
                listener,
                method,
                path,
                query,
                status,
                trace,
                started,
                bytes: 0,
                finished: empty,
            },
        })
    })
}

/// Subsonic parameters that carry a secret: the password, the token and its salt, the key.
const SECRET_PARAMETERS: [&str; 4] = ["p", "t", "s", "apiKey"];

/// `query` with the value of each [`SECRET_PARAMETERS`] replaced by `***`, its name compared
/// once decoded (so `%70=` is `p`, as the server reads it).
#[must_use]
pub fn redacted_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| {
            let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = percent_encoding::percent_decode_str(&name.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned();
            if SECRET_PARAMETERS.contains(&decoded.as_str()) {
                format!("{name}=***")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Debug)]
struct Record {
    listener: &'static str,
    method: Method,
    path: String,
    /// `/rest/`'s query without its secrets; empty elsewhere.
    query: String,
    status: StatusCode,
    trace: String,
    started: Instant,
    bytes: u64,
    finished: bool,
}

impl Drop for Record {
    fn drop(&mut self) {
        let millis = self.started.elapsed().as_millis();
        tracing::info!(
            target: "devcloud::access",
            listener = self.listener,
            method = %self.method,
            path = %self.path,
            query = %self.query,
            status = self.status.as_u16(),
            trace = %self.trace,
            bytes = self.bytes,
            ms = u64::try_from(millis).unwrap_or(u64::MAX),
            complete = self.finished,
        );
    }
}

#[derive(Debug)]
struct LoggedBody {
    inner: Body,
    record: Record,
}

impl http_body::Body for LoggedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                self.record.bytes += frame.data_ref().map_or(0, |d| d.len() as u64);
                // hyper stops polling once the body says it is at its end.
                self.record.finished = self.inner.is_end_stream();
            }
            Poll::Ready(None) => self.record.finished = true,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_query;

    #[test]
    fn subsonic_secrets_are_redacted_and_the_rest_kept() {
        assert_eq!(
            redacted_query(
                "u=alice&t=26719a1196d2a940705a59634eb18eab&s=c19b2d&c=strato&v=1.16.1&id=tr-1"
            ),
            "u=alice&t=***&s=***&c=strato&v=1.16.1&id=tr-1"
        );
        assert_eq!(
            redacted_query("u=a&p=enc:736563726574&f=json"),
            "u=a&p=***&f=json"
        );
        assert_eq!(redacted_query("apiKey=k3y&c=x"), "apiKey=***&c=x");
        // Encoded names are the same parameters to the server.
        assert_eq!(
            redacted_query("%70=secret&%61piKey=k"),
            "%70=***&%61piKey=***"
        );
        // Names that only start like a secret stay.
        assert_eq!(
            redacted_query("size=300&songId=x&submission=true"),
            "size=300&songId=x&submission=true"
        );
        assert_eq!(redacted_query("p"), "p=***");
    }
}
