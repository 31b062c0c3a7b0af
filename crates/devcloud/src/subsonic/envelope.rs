//! The `subsonic-response` envelope every `/rest/` answer is wrapped in, in JSON (`f=json`)
//! or XML (no `f`, or `f=xml`, the Subsonic default), and the API's errors with their codes.
//!
//! Subsonic answers errors with HTTP 200 and `status: "failed"`; clients read the code, so
//! each [`SubsonicError`] names one of the spec's codes and a sentence a listener understands.

use std::fmt::Write as _;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// The Subsonic API version devcloud speaks.
pub const API_VERSION: &str = "1.16.1";
/// What `type` says: the server's name.
pub const SERVER_TYPE: &str = "devcloud";

/// How the client asked to be answered (`f`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// The format `f` names; `None` for one devcloud does not write (`jsonp`), answered in
    /// JSON with error 0.
    #[must_use]
    pub fn from_param(f: Option<&str>) -> Option<Self> {
        match f {
            None | Some("xml") => Some(Self::Xml),
            Some("json") => Some(Self::Json),
            Some(_) => None,
        }
    }
}

/// A Subsonic error code (the spec's `error.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 0: a generic error.
    Generic = 0,
    /// 10: a required parameter is missing.
    MissingParameter = 10,
    /// 40: wrong username or password.
    WrongCredentials = 40,
    /// 42: the authentication mechanism given is not supported.
    MechanismNotSupported = 42,
    /// 43: several conflicting authentication mechanisms were given.
    ConflictingMechanisms = 43,
    /// 44: the API key is not one this server issued.
    InvalidApiKey = 44,
    /// 50: the user may not do this.
    NotAuthorized = 50,
    /// 70: the requested data was not found.
    NotFound = 70,
}

/// An error answer: its code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsonicError {
    pub code: Code,
    pub message: String,
}

impl SubsonicError {
    #[must_use]
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    #[must_use]
    pub fn missing(parameter: &str) -> Self {
        Self::new(
            Code::MissingParameter,
            format!("Required parameter '{parameter}' is missing."),
        )
    }

    #[must_use]
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(Code::NotFound, format!("{what} was not found."))
    }

    #[must_use]
    pub fn generic(message: impl Into<String>) -> Self {
        Self::new(Code::Generic, message)
    }

    /// A server-side failure: the cause is logged, the client gets a plain sentence.
    #[must_use]
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "subsonic: internal error");
        Self::generic("The server failed to answer; try again.")
    }

    /// The envelope of this error, in `format`.
    #[must_use]
    pub fn into_response(self, format: Format) -> Response {
        let mut body = envelope("failed");
        body.insert(
            "error".into(),
            serde_json::json!({ "code": self.code as u16, "message": self.message }),
        );
        render(format, body)
    }
}

/// The envelope's own fields, with `status`.
fn envelope(status: &str) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("status".into(), status.into());
    body.insert("version".into(), API_VERSION.into());
    body.insert("type".into(), SERVER_TYPE.into());
    body.insert("serverVersion".into(), env!("CARGO_PKG_VERSION").into());
    body.insert("openSubsonic".into(), true.into());
    body
}

/// A successful answer carrying `payload`'s fields (e.g. `{"album": {...}}`), or none.
#[must_use]
pub fn ok(format: Format, payload: Map<String, Value>) -> Response {
    let mut body = envelope("ok");
    body.extend(payload);
    render(format, body)
}

fn render(format: Format, body: Map<String, Value>) -> Response {
    match format {
        Format::Json => {
            let mut root = Map::new();
            root.insert("subsonic-response".into(), Value::Object(body));
            let text = serde_json::to_vec(&Value::Object(root)).unwrap_or_default();
            with_type(text, "application/json")
        }
        Format::Xml => {
            let mut text = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
            element(&mut text, "subsonic-response", &body, true);
            with_type(text.into_bytes(), "text/xml; charset=utf-8")
        }
    }
}

fn with_type(body: Vec<u8>, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Writes `fields` as the XML the Subsonic schema describes: scalars are attributes, objects
/// child elements, arrays repeated child elements, and a `value` field the element's text
/// (a lyrics line).
fn element(out: &mut String, name: &str, fields: &Map<String, Value>, root: bool) {
    out.push('<');
    out.push_str(name);
    if root {
        out.push_str(r#" xmlns="http://subsonic.org/restapi""#);
    }
    let mut text = None;
    for (key, value) in fields {
        let scalar = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null | Value::Array(_) | Value::Object(_) => continue,
        };
        if key == "value" {
            text = Some(scalar);
        } else {
            let _ = write!(out, r#" {key}="{}""#, escape(&scalar));
        }
    }
    out.push('>');
    if let Some(text) = text {
        out.push_str(&escape(&text));
    }
    for (key, value) in fields {
        match value {
            Value::Object(child) => element(out, key, child, false),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(child) => element(out, key, child, false),
                        Value::Null => {}
                        scalar => {
                            let text = scalar
                                .as_str()
                                .map_or_else(|| scalar.to_string(), str::to_owned);
                            let _ = write!(out, "<{key}>{}</{key}>", escape(&text));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn json_errors_carry_code_and_envelope() {
        let response = SubsonicError::missing("id").into_response(Format::Json);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let value: Value = serde_json::from_str(&body_text(response).await).unwrap();
        let inner = &value["subsonic-response"];
        assert_eq!(inner["status"], "failed");
        assert_eq!(inner["version"], API_VERSION);
        assert_eq!(inner["openSubsonic"], true);
        assert_eq!(inner["error"]["code"], 10);
        assert_eq!(
            inner["error"]["message"],
            "Required parameter 'id' is missing."
        );
    }

    #[tokio::test]
    async fn xml_puts_scalars_in_attributes_arrays_as_elements_and_value_as_text() {
        let payload = serde_json::json!({
            "lyricsList": {"structuredLyrics": [{
                "lang": "xxx", "synced": true,
                "line": [{"start": 0, "value": "a < b & \"c\""}, {"start": 4000, "value": "d"}]
            }]},
            "openSubsonicExtensions": [{"name": "formPost", "versions": [1]}]
        });
        let Value::Object(payload) = payload else {
            unreachable!()
        };
        let text = body_text(ok(Format::Xml, payload)).await;
        // serde_json's maps keep keys sorted, so attributes come in that order.
        let root = format!(
            r#"<subsonic-response xmlns="http://subsonic.org/restapi" openSubsonic="true" serverVersion="{}" status="ok" type="devcloud" version="1.16.1">"#,
            env!("CARGO_PKG_VERSION")
        );
        let lyrics = concat!(
            r#"<structuredLyrics lang="xxx" synced="true">"#,
            r#"<line start="0">a &lt; b &amp; &quot;c&quot;</line>"#,
            r#"<line start="4000">d</line></structuredLyrics>"#
        );
        let extension = concat!(
            r#"<openSubsonicExtensions name="formPost">"#,
            r#"<versions>1</versions></openSubsonicExtensions>"#
        );
        for part in [root.as_str(), lyrics, extension] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(text.ends_with("</subsonic-response>"));
    }

    #[test]
    fn formats_by_f() {
        assert_eq!(Format::from_param(Some("json")), Some(Format::Json));
        assert_eq!(Format::from_param(None), Some(Format::Xml));
        assert_eq!(Format::from_param(Some("xml")), Some(Format::Xml));
        assert_eq!(Format::from_param(Some("jsonp")), None);
    }
}
