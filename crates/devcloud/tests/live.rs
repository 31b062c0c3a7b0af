//! The live channel, `GET /v1/live`: refused before the upgrade without a valid token, a
//! hello first, each listener's playlist writes pushed as they commit (and nobody else's),
//! pings answered, unreadable frames and old connections closed with the contract's codes.

mod common;

use std::time::Duration;

use futures_util::SinkExt as _;
use reqwest::StatusCode;
use serde_json::json;
use strato_model::api::{LiveEvent, Playlist, Problem, ProblemType, live_close};
use tokio_tungstenite::tungstenite::{self, Message};

use common::live::{closed, hello, next, nothing_else, open};
use common::uploads::{listener, make_track, upload};
use common::{Api, builder, ok_json};
use strato_model::api::Visibility;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_channel_is_refused_without_a_valid_token_in_words() {
    let cloud = builder().start().await;
    for token in [None, Some("not-a-token")] {
        match open(cloud.api_url(), token).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
                let body = response.body().clone().unwrap_or_default();
                let problem: strato_model::api::Problem = serde_json::from_slice(&body).unwrap();
                assert_eq!(problem.kind(), Some(ProblemType::Unauthorized));
            }
            other => panic!("{token:?} was let in: {:?}", other.map(|_| ())),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_listeners_playlist_writes_reach_their_connections_and_nobody_elses() {
    let cloud = builder().start().await;
    let demo = Api::demo(&cloud).await;
    let other = listener(&cloud, "other-live").await;
    let mut laptop = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    let mut desktop = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    let mut stranger = open(cloud.api_url(), Some(&other.token)).await.unwrap();
    for socket in [&mut laptop, &mut desktop, &mut stranger] {
        hello(socket).await;
    }

    let created: Playlist = ok_json(
        demo.post("/v1/playlists")
            .json(&json!({"name": "Live"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let renamed: Playlist = ok_json(
        demo.request(
            reqwest::Method::PATCH,
            &format!("/v1/playlists/{}", created.id),
        )
        .header("if-match", "\"1\"")
        .json(&json!({"name": "Live, renamed"}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    let deleted = demo
        .request(
            reqwest::Method::DELETE,
            &format!("/v1/playlists/{}", created.id),
        )
        .header("if-match", "*")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    for socket in [&mut laptop, &mut desktop] {
        let changed = next(socket).await;
        let LiveEvent::PlaylistChanged {
            playlist_id,
            revision,
            seq,
        } = changed
        else {
            panic!("{changed:?}");
        };
        assert_eq!((playlist_id.as_str(), revision), (created.id.as_str(), 1));
        assert_eq!(
            next(socket).await,
            LiveEvent::PlaylistChanged {
                playlist_id: created.id.clone(),
                revision: renamed.revision,
                seq: seq + 1,
            }
        );
        assert_eq!(
            next(socket).await,
            LiveEvent::PlaylistDeleted {
                playlist_id: created.id.clone(),
                revision: renamed.revision + 1,
                seq: seq + 2,
            }
        );
    }
    // The other listener heard nothing of it: their next frame is the answer to a ping.
    stranger
        .send(Message::Text(json!({"type": "ping"}).to_string().into()))
        .await
        .unwrap();
    assert_eq!(next(&mut stranger).await, LiveEvent::Pong);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_hears_each_change_of_an_upload_and_everyone_hears_a_public_track_withdrawn() {
    let cloud = builder().start().await;
    let owner = listener(&cloud, "live-owner").await;
    let fan = listener(&cloud, "live-fan").await;
    let mut owners = open(cloud.api_url(), Some(&owner.token)).await.unwrap();
    let mut fans = open(cloud.api_url(), Some(&fan.token)).await.unwrap();
    hello(&mut owners).await;
    hello(&mut fans).await;
    let dir = tempfile::tempdir().unwrap();
    let file = make_track(dir.path(), "live.flac", 3.0, false);

    let uploaded = upload(&owner, &file, Visibility::Private).await;
    let changed = LiveEvent::UploadsChanged {
        upload_id: uploaded.id.clone(),
    };
    // Completed (processing), then processed (ready).
    assert_eq!(next(&mut owners).await, changed);
    assert_eq!(next(&mut owners).await, changed);
    nothing_else(&mut owners).await;
    nothing_else(&mut fans).await;

    let visibility = |to: &str| {
        owner
            .request(
                reqwest::Method::PATCH,
                &format!("/v1/uploads/{}", uploaded.id),
            )
            .json(&json!({ "visibility": to }))
    };
    assert!(
        visibility("public")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert_eq!(next(&mut owners).await, changed);
    nothing_else(&mut fans).await;

    // Private again: whoever kept it offline is told to check.
    assert!(
        visibility("private")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert_eq!(next(&mut owners).await, changed);
    let withdrawn = LiveEvent::TrackUnavailable {
        track_id: uploaded.id.clone(),
    };
    assert_eq!(next(&mut fans).await, withdrawn);
    assert_eq!(next(&mut owners).await, withdrawn);

    // Public, then deleted: withdrawn again; private, it would not be.
    assert!(
        visibility("public")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    assert_eq!(next(&mut owners).await, changed);
    let deleted = owner
        .request(
            reqwest::Method::DELETE,
            &format!("/v1/uploads/{}", uploaded.id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(next(&mut owners).await, changed);
    assert_eq!(next(&mut owners).await, withdrawn);
    assert_eq!(next(&mut fans).await, withdrawn);
    nothing_else(&mut fans).await;
    nothing_else(&mut owners).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_everywhere_tells_and_closes_every_connection_and_refuses_the_old_tokens() {
    let cloud = builder().start().await;
    // A listener of this test's own: the emulator's pool is shared by the process's tests.
    let leaving = listener(&cloud, "leaves-everywhere").await;
    let other = listener(&cloud, "stays-signed-in").await;
    let mut laptop = open(cloud.api_url(), Some(&leaving.token)).await.unwrap();
    let mut desktop = open(cloud.api_url(), Some(&leaving.token)).await.unwrap();
    let mut stranger = open(cloud.api_url(), Some(&other.token)).await.unwrap();
    for socket in [&mut laptop, &mut desktop, &mut stranger] {
        hello(socket).await;
    }
    // Tokens of the second before the sign-out are the ones refused after it.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let response = leaving
        .post("/v1/account/sign-out-everywhere")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for socket in [&mut laptop, &mut desktop] {
        assert_eq!(next(socket).await, LiveEvent::SignedOut);
        assert_eq!(
            closed(socket).await,
            (
                live_close::TOKEN_EXPIRED,
                "signed out everywhere".to_owned()
            )
        );
    }
    nothing_else(&mut stranger).await;

    // The old token's signature still verifies, and it is refused all the same, in words.
    let refused = leaving.get("/v1/playlists").send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let problem: Problem = refused.json().await.unwrap();
    assert_eq!(problem.kind(), Some(ProblemType::Unauthorized));
    assert!(
        problem
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("signed out everywhere")),
        "{problem:?}"
    );
    assert!(open(cloud.api_url(), Some(&leaving.token)).await.is_err());
    // Someone else's session goes on; signing in again starts a new one.
    assert!(
        other
            .get("/v1/playlists")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let again = listener(&cloud, "leaves-everywhere").await;
    assert!(
        again
            .get("/v1/playlists")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_frame_and_an_old_connection_are_closed_with_the_contracts_codes() {
    let cloud = builder().arg("live-max-life-secs", 2).start().await;
    let demo = Api::demo(&cloud).await;
    let mut garbled = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    hello(&mut garbled).await;
    garbled
        .send(Message::Text("{\"type\": \"teleport\"}".into()))
        .await
        .unwrap();
    assert_eq!(closed(&mut garbled).await.0, live_close::UNREADABLE);

    let mut old = open(cloud.api_url(), Some(&demo.token)).await.unwrap();
    hello(&mut old).await;
    assert_eq!(closed(&mut old).await.0, live_close::TOO_OLD);
}
