//! The endpoint's checks of a submission, as the `ListenBrainz` API documents them ("JSON
//! Documentation", and the limits its "Core" page names): each failure is the sentence the
//! endpoint answers in its 400.

use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

use super::{MAX_LISTENS_PER_REQUEST, unix_now};

/// The API's `MAX_LISTEN_SIZE`, in bytes.
const MAX_LISTEN_SIZE: usize = 10240;
/// The API's `LISTEN_MINIMUM_TS`.
const LISTEN_MINIMUM_TS: i64 = 1_033_430_400;
/// How far ahead of the server's clock a listen may be (the API's allowed skew).
const ALLOWED_SKEW_SECS: i64 = 3600;
/// The API's `MAX_DURATION_MS_LIMIT` (24 days) and its `duration` twin in seconds.
const MAX_DURATION_MS: i64 = 2_073_600_000;
const MAX_DURATION_SECS: i64 = 2_073_600;
const MAX_TAGS: usize = 50;
const MAX_TAG_CHARS: usize = 64;

pub(super) fn check_content_type(headers: &HeaderMap) -> Result<(), String> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        Ok(())
    } else {
        Err("The request must be sent as application/json.".into())
    }
}

/// The submission's type and listens, or the error the API would answer.
pub(super) fn check_submission(document: Value) -> Result<(&'static str, Vec<Value>), String> {
    let Value::Object(mut top) = document else {
        return Err("The JSON document must be an object.".into());
    };
    let kind = match top.get("listen_type").and_then(Value::as_str) {
        Some("single") => "single",
        Some("playing_now") => "playing_now",
        Some("import") => "import",
        _ => return Err("JSON document requires a valid listen_type key.".into()),
    };
    let Some(Value::Array(payload)) = top.remove("payload") else {
        return Err("JSON document requires a payload list of listens.".into());
    };
    if payload.is_empty() {
        return Err("JSON document does not contain any listens.".into());
    }
    if kind != "import" && payload.len() > 1 {
        return Err(format!(
            "JSON document contains more than one listen for a {kind} submission."
        ));
    }
    if payload.len() > MAX_LISTENS_PER_REQUEST {
        return Err(format!(
            "Too many listens: at most {MAX_LISTENS_PER_REQUEST} per request."
        ));
    }
    for listen in &payload {
        check_listen(listen, kind)?;
    }
    Ok((kind, payload))
}

fn check_listen(listen: &Value, kind: &str) -> Result<(), String> {
    let Value::Object(listen) = listen else {
        return Err("Each listen must be a JSON object.".into());
    };
    if serde_json::to_vec(listen).map_or(0, |bytes| bytes.len()) > MAX_LISTEN_SIZE {
        return Err(format!("A listen may not exceed {MAX_LISTEN_SIZE} bytes."));
    }
    if kind == "playing_now" {
        if listen.contains_key("listened_at") {
            return Err(
                "JSON document must not contain listened_at while submitting playing_now.".into(),
            );
        }
    } else {
        let at = listen
            .get("listened_at")
            .ok_or("JSON document must contain the key listened_at at the top level.")?
            .as_i64()
            .ok_or("JSON document must contain an int value for listened_at.")?;
        if at < LISTEN_MINIMUM_TS {
            return Err("Value for key listened_at is too low.".into());
        }
        if at >= unix_now() + ALLOWED_SKEW_SECS {
            return Err("Value for key listened_at is too high.".into());
        }
    }
    if listen
        .keys()
        .any(|key| key != "listened_at" && key != "track_metadata")
    {
        return Err(
            "JSON document may only contain listened_at and track_metadata top level keys.".into(),
        );
    }
    let Some(Value::Object(metadata)) = listen.get("track_metadata") else {
        return Err("JSON document must contain the key track_metadata as an object.".into());
    };
    for (key, required) in [
        ("artist_name", true),
        ("track_name", true),
        ("release_name", false),
    ] {
        match metadata.get(key) {
            None if required => {
                return Err(format!(
                    "JSON document does not contain required field track_metadata.{key}."
                ));
            }
            Some(Value::String(text)) if text.trim().is_empty() => {
                return Err(format!("field track_metadata.{key} is empty."));
            }
            Some(value) if !value.is_string() => {
                return Err(format!("track_metadata.{key} must be a single string."));
            }
            _ => {}
        }
    }
    match metadata.get("additional_info") {
        None => Ok(()),
        Some(Value::Object(info)) => check_additional_info(info),
        Some(_) => Err("track_metadata.additional_info must be an object.".into()),
    }
}

fn check_additional_info(info: &Map<String, Value>) -> Result<(), String> {
    if info.contains_key("duration") && info.contains_key("duration_ms") {
        return Err("JSON document should not contain both duration and duration_ms.".into());
    }
    for (key, max) in [
        ("duration", MAX_DURATION_SECS),
        ("duration_ms", MAX_DURATION_MS),
    ] {
        if let Some(value) = info.get(key) {
            match value.as_i64() {
                Some(n) if n > 0 && n <= max => {}
                _ => {
                    return Err(format!(
                        "Value for {key} is invalid, should be a positive integer."
                    ));
                }
            }
        }
    }
    // The documented numbers: an integer (the API also takes its digits as a string).
    for key in ["tracknumber", "discnumber"] {
        if let Some(value) = info.get(key) {
            let number = value.as_u64().is_some()
                || value
                    .as_str()
                    .is_some_and(|s| s.trim().parse::<u64>().is_ok());
            if !number {
                return Err(format!("Value for {key} should be an integer."));
            }
        }
    }
    for key in [
        "media_player",
        "media_player_version",
        "submission_client",
        "submission_client_version",
        "music_service",
        "music_service_name",
        "origin_url",
        "isrc",
        "spotify_id",
    ] {
        if info.get(key).is_some_and(|v| !v.is_string()) {
            return Err(format!("Value for {key} should be a string."));
        }
    }
    if let Some(tags) = info.get("tags") {
        let tags = tags.as_array().ok_or("tags should be a list of strings.")?;
        if tags.len() > MAX_TAGS {
            return Err(format!(
                "JSON document may not contain more than {MAX_TAGS} tags."
            ));
        }
        if tags.iter().any(|tag| {
            tag.as_str()
                .is_none_or(|t| t.chars().count() > MAX_TAG_CHARS)
        }) {
            return Err(format!(
                "Tags must be strings of at most {MAX_TAG_CHARS} characters."
            ));
        }
    }
    for key in [
        "release_mbid",
        "recording_mbid",
        "release_group_mbid",
        "track_mbid",
    ] {
        if let Some(Value::String(mbid)) = info.get(key)
            && !mbid.is_empty()
            && !is_uuid(mbid)
        {
            return Err(format!("{key} MBID format invalid."));
        }
    }
    Ok(())
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}
