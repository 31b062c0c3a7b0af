//! The test endpoint refuses what the `ListenBrainz` API documents as refused, so a client
//! passing the other tests sends what the real service takes (and the endpoint's checks can
//! fail). Raw requests, not the client: each one breaks one rule.

mod common;

use common::{TOKEN, USER, unix_now};
use serde_json::{Value, json};
use strato_testkit::ListenBrainzEndpoint;

fn track() -> Value {
    json!({
        "artist_name": "The Demo Band",
        "track_name": "Song",
        "release_name": "Demo Album",
        "additional_info": {
            "duration_ms": 183_000,
            "tracknumber": 2,
            "media_player": "Strato",
            "submission_client": "Strato",
            "submission_client_version": "0.1.0"
        }
    })
}

fn listened(at: i64) -> Value {
    json!({"listened_at": at, "track_metadata": track()})
}

fn with_info(key: &str, value: Value) -> Value {
    let mut listen = listened(unix_now() - 60);
    listen["track_metadata"]["additional_info"][key] = value;
    json!({"listen_type": "single", "payload": [listen]})
}

/// Bodies the API refuses, each breaking one rule, with what it breaks.
fn refused_bodies(now: i64) -> Vec<(&'static str, Value)> {
    let without = |key: &str| {
        let mut listen = listened(now - 60);
        listen["track_metadata"]
            .as_object_mut()
            .unwrap()
            .remove(key);
        json!({"listen_type": "single", "payload": [listen]})
    };
    let mut empty_title = listened(now - 60);
    empty_title["track_metadata"]["track_name"] = json!("  ");
    let mut extra_key = listened(now - 60);
    extra_key["user"] = json!("ben");
    let too_many: Vec<Value> = (0..1001).map(|n| listened(now - 5000 + n)).collect();
    let mut both_durations = with_info("duration", json!(183));
    both_durations["payload"][0]["track_metadata"]["additional_info"]["duration_ms"] =
        json!(183_000);
    vec![
        (
            "a listen type it does not know",
            json!({"listen_type": "scrobble", "payload": [listened(now)]}),
        ),
        (
            "no listens",
            json!({"listen_type": "import", "payload": []}),
        ),
        (
            "two listens as single",
            json!({"listen_type": "single", "payload": [listened(now - 9), listened(now - 8)]}),
        ),
        (
            "two listens as playing_now",
            json!({"listen_type": "playing_now", "payload": [{"track_metadata": track()}, {"track_metadata": track()}]}),
        ),
        (
            "1001 listens in an import",
            json!({"listen_type": "import", "payload": too_many}),
        ),
        (
            "playing_now with a time",
            json!({"listen_type": "playing_now", "payload": [listened(now)]}),
        ),
        (
            "single without a time",
            json!({"listen_type": "single", "payload": [{"track_metadata": track()}]}),
        ),
        (
            "a time that is no integer",
            json!({"listen_type": "single", "payload": [{"listened_at": "yesterday", "track_metadata": track()}]}),
        ),
        (
            "a time before 2002",
            json!({"listen_type": "single", "payload": [listened(1_000_000_000)]}),
        ),
        (
            "a time two hours ahead",
            json!({"listen_type": "single", "payload": [listened(now + 7200)]}),
        ),
        (
            "another top-level key",
            json!({"listen_type": "single", "payload": [extra_key]}),
        ),
        ("no artist", without("artist_name")),
        ("no title", without("track_name")),
        (
            "an empty title",
            json!({"listen_type": "single", "payload": [empty_title]}),
        ),
        (
            "duration_ms as words",
            with_info("duration_ms", json!("long")),
        ),
        (
            "a negative duration_ms",
            with_info("duration_ms", json!(-5)),
        ),
        ("duration and duration_ms", both_durations),
        (
            "tracknumber as a list",
            with_info("tracknumber", json!([2])),
        ),
        (
            "media_player as a number",
            with_info("media_player", json!(5)),
        ),
        (
            "a malformed MBID",
            with_info("recording_mbid", json!("not-an-mbid")),
        ),
        ("additional_info as a list", {
            let mut listen = listened(now - 60);
            listen["track_metadata"]["additional_info"] = json!([]);
            json!({"listen_type": "single", "payload": [listen]})
        }),
    ]
}

async fn post(
    endpoint: &ListenBrainzEndpoint,
    token: Option<&str>,
    content_type: &str,
    body: &Value,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/1/submit-listens", endpoint.url()))
        .header("content-type", content_type)
        .body(body.to_string());
    if let Some(token) = token {
        request = request.header("authorization", format!("Token {token}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.json().await.unwrap(), headers)
}

#[tokio::test]
async fn submissions_are_checked_as_the_api_documents_them() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let now = unix_now();
    let json_type = "application/json";
    let good = [
        json!({"listen_type": "single", "payload": [listened(now - 60)]}),
        json!({"listen_type": "playing_now", "payload": [{"track_metadata": track()}]}),
        json!({"listen_type": "import", "payload": [listened(now - 300), listened(now - 200)]}),
    ];
    for body in &good {
        let (status, answer, headers) = post(&endpoint, Some(TOKEN), json_type, body).await;
        assert_eq!((status, &answer), (200, &json!({"status": "ok"})), "{body}");
        for header in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset-in",
        ] {
            assert!(headers.contains_key(header), "{header}");
        }
    }

    let single = json!({"listen_type": "single", "payload": [listened(now - 60)]});
    let (status, answer, _) = post(&endpoint, None, json_type, &single).await;
    assert_eq!((status, answer["code"].as_u64()), (401, Some(401)));
    let (status, _, _) = post(&endpoint, Some("not-a-token"), json_type, &single).await;
    assert_eq!(status, 401);

    for (what, body) in &refused_bodies(now) {
        let (status, answer, _) = post(&endpoint, Some(TOKEN), json_type, body).await;
        assert_eq!(status, 400, "{what} was taken");
        assert_eq!(answer["code"], 400, "{what}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{what}: {answer}"
        );
    }
    let (status, _, _) = post(&endpoint, Some(TOKEN), "text/plain", &single).await;
    assert_eq!(status, 400, "a body not sent as JSON");

    // Only the good ones were kept: one single and an import of two.
    assert_eq!(endpoint.listens(USER).len(), 3);
    assert!(endpoint.playing_now(USER).is_some());
}

#[tokio::test]
async fn listens_are_served_between_two_times_newest_first() {
    let endpoint = ListenBrainzEndpoint::start(&[(TOKEN, USER)]).await;
    let now = unix_now();
    let body = json!({"listen_type": "import", "payload": [listened(now - 30), listened(now - 20), listened(now - 10)]});
    let (status, _, _) = post(&endpoint, Some(TOKEN), "application/json", &body).await;
    assert_eq!(status, 200);
    let url = format!(
        "{}/1/user/{USER}/listens?min_ts={}&max_ts={}",
        endpoint.url(),
        now - 30,
        now - 10
    );
    let answer: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let times: Vec<i64> = answer["payload"]["listens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["listened_at"].as_i64().unwrap())
        .collect();
    // Both bounds exclusive.
    assert_eq!(times, [now - 20]);
    let unknown = reqwest::get(format!("{}/1/user/nobody/listens", endpoint.url()))
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
}
