//! `CloudFront` reading the media bucket, for `aws-local`'s CDN: `GetObject` or `HeadObject`
//! with the request's `Range` and `If-None-Match`, and S3's answer passed on with the headers
//! a player reads (type, `Cache-Control`, `ETag`, `Last-Modified`, length, range).
//!
//! Where S3's own answer lacks what `CloudFront` would send from its cache (the object's
//! headers on a 304, its length on a 416), one `HeadObject` fills it in. `If-Range` is not
//! passed on: `GetObject` takes no such condition, and the app never sends one.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use percent_encoding::percent_decode_str;
use strato_devcloud::cdn::access::xml_error;

/// The answer to a GET or HEAD of `key` (still percent-encoded) in `bucket`; `None` when
/// there is no such object.
pub(super) async fn serve(
    client: &Client,
    bucket: &str,
    method: &Method,
    headers: &HeaderMap,
    key: &str,
) -> Option<Response> {
    let key = percent_decode_str(key).decode_utf8().ok()?;
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (range, if_none_match) = (text(header::RANGE), text(header::IF_NONE_MATCH));
    let answer = if *method == Method::HEAD {
        client
            .head_object()
            .bucket(bucket)
            .key(key.as_ref())
            .set_range(range)
            .set_if_none_match(if_none_match)
            .send()
            .await
            .map(|head| (described(&head), Body::empty()))
            .map_err(|e| Refusal::of(&e))
    } else {
        client
            .get_object()
            .bucket(bucket)
            .key(key.as_ref())
            .set_range(range)
            .set_if_none_match(if_none_match)
            .send()
            .await
            .map(|object| {
                let described = Described {
                    content_type: object.content_type,
                    cache_control: object.cache_control,
                    etag: object.e_tag,
                    last_modified: object.last_modified,
                    length: object.content_length,
                    range: object.content_range,
                };
                let stream = tokio_util::io::ReaderStream::new(object.body.into_async_read());
                (described, Body::from_stream(stream))
            })
            .map_err(|e| Refusal::of(&e))
    };
    match answer {
        Ok((described, body)) => {
            let status = if described.range.is_some() {
                StatusCode::PARTIAL_CONTENT
            } else {
                StatusCode::OK
            };
            Some((status, described.headers(), body).into_response())
        }
        Err(refusal) => refusal.answer(client, bucket, &key).await,
    }
}

/// What S3 says of an object.
struct Described {
    content_type: Option<String>,
    cache_control: Option<String>,
    etag: Option<String>,
    last_modified: Option<DateTime>,
    length: Option<i64>,
    range: Option<String>,
}

fn described(head: &HeadObjectOutput) -> Described {
    Described {
        content_type: head.content_type.clone(),
        cache_control: head.cache_control.clone(),
        etag: head.e_tag.clone(),
        last_modified: head.last_modified,
        length: head.content_length,
        range: head.content_range.clone(),
    }
}

impl Described {
    fn headers(self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        let last_modified = self
            .last_modified
            .and_then(|t| t.fmt(DateTimeFormat::HttpDate).ok());
        for (name, value) in [
            (header::CONTENT_TYPE, self.content_type),
            (header::CACHE_CONTROL, self.cache_control),
            (header::ETAG, self.etag),
            (header::LAST_MODIFIED, last_modified),
            (header::CONTENT_LENGTH, self.length.map(|n| n.to_string())),
            (header::CONTENT_RANGE, self.range),
        ] {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                headers.insert(name, value);
            }
        }
        headers
    }
}

/// S3's refusal: its status and error code.
struct Refusal {
    status: Option<u16>,
    code: Option<String>,
    message: String,
}

impl Refusal {
    fn of<E>(error: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        Self {
            status: error.raw_response().map(|r| r.status().as_u16()),
            code: error
                .as_service_error()
                .and_then(|e| e.code())
                .map(str::to_owned),
            message: DisplayErrorContext(error).to_string(),
        }
    }

    /// As `CloudFront` passes it on: `None` for a missing key.
    async fn answer(self, client: &Client, bucket: &str, key: &str) -> Option<Response> {
        let head = || client.head_object().bucket(bucket).key(key).send();
        match self.status {
            Some(404) => None,
            Some(304) => {
                let head = head().await.ok()?;
                let mut headers = described(&head).headers();
                for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
                    headers.remove(name);
                }
                Some((StatusCode::NOT_MODIFIED, headers).into_response())
            }
            Some(416) => {
                let length = head().await.ok()?.content_length.unwrap_or_default();
                let mut response = xml_error(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "InvalidRange",
                    "The requested range is not satisfiable",
                );
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
                    response.headers_mut().insert(header::CONTENT_RANGE, value);
                }
                Some(response)
            }
            Some(status @ (400 | 403)) => {
                tracing::warn!(error = %self.message, "the media bucket refused a read");
                let code = self.code.unwrap_or_else(|| {
                    if status == 403 {
                        "AccessDenied"
                    } else {
                        "InvalidArgument"
                    }
                    .to_owned()
                });
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                Some(xml_error(status, &code, "The origin refused the request"))
            }
            _ => {
                tracing::error!(error = %self.message, "reading published media");
                Some(xml_error(
                    StatusCode::BAD_GATEWAY,
                    "InternalError",
                    "We encountered an internal error",
                ))
            }
        }
    }
}
