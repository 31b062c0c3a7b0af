//! The live channel where a deployment has it: not the API's `/v1/live` but a WebSocket API
//! of its own, named by the service's configuration (`live_url`). What a client sees of API
//! Gateway there is stood in for by a small server below: its authorizer's refusal is a 401
//! with API Gateway's own body (the authorizer answers "Unauthorized"), it cannot speak
//! before the client's first frame, and it ends every connection with 1000, the reason told
//! first in a `closing` event. devcloud
//! serves the API and sign-in, and names the stand-in as its live channel.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use common::demo_api;
use strato_cloud::{CloudErrorKind, LiveEnd};
use strato_model::api::{LiveEvent, LiveRequest, live_close};
use strato_testkit::{DevCloud, Moto};

/// The stand-in's state: how many more connects its authorizer refuses.
struct Gateway {
    refusals: AtomicU32,
}

/// Serves the stand-in on loopback: its `wss://` URL's loopback form.
async fn gateway(refusals: u32) -> String {
    let state = Arc::new(Gateway {
        refusals: AtomicU32::new(refusals),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let routes = Router::new().route("/live", get(connect)).with_state(state);
    tokio::spawn(async move { axum::serve(listener, routes).await });
    format!("ws://{address}/live")
}

async fn connect(
    State(gateway): State<Arc<Gateway>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The identity source, `route.request.header.Authorization`, missing: API Gateway's 401.
    if !headers.contains_key("authorization") {
        return (StatusCode::UNAUTHORIZED, r#"{"message":"Unauthorized"}"#).into_response();
    }
    let refused = gateway
        .refusals
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if refused {
        return (StatusCode::UNAUTHORIZED, r#"{"message":"Unauthorized"}"#).into_response();
    }
    upgrade.on_upgrade(serve)
}

/// One connection: silent until the client's first frame, then hello and the answer, then
/// the end of a connection's life as API Gateway closes it.
async fn serve(mut socket: WebSocket) {
    let Some(Ok(Message::Text(first))) = socket.recv().await else {
        return;
    };
    let hello = LiveEvent::Hello {
        connection_id: "Jq2X1cHgoAMCJmA=".into(),
        heartbeat_secs: 30,
    };
    let mut events = vec![hello];
    if serde_json::from_str::<LiveRequest>(&first).ok() == Some(LiveRequest::Ping) {
        events.push(LiveEvent::Pong);
    }
    events.push(LiveEvent::Closing {
        code: live_close::TOO_OLD,
        reason: "connection too old".into(),
    });
    for event in &events {
        let text = serde_json::to_string(event).unwrap();
        if socket.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
    let normal = CloseFrame {
        code: 1000,
        reason: "".into(),
    };
    let _ = socket.send(Message::Close(Some(normal))).await;
}

#[tokio::test]
async fn a_deployments_channel_opens_at_its_address_and_its_closing_event_is_the_code() {
    let live_url = gateway(1).await;
    let cloud = DevCloud::builder(Moto::start())
        .arg("live-url", &live_url)
        .start()
        .await;
    let api = demo_api(&cloud).await;
    assert_eq!(
        api.service().config().live_url.as_deref(),
        Some(live_url.as_str())
    );

    // The authorizer's refusal, API Gateway's own 401: the token is refreshed, and it opens.
    let mut live = api.open_live().await.unwrap();
    assert_eq!(api.session().refresh_count(), 1);
    // The client spoke first, so the hello came; the pong to its own ping is not the caller's.
    assert!(matches!(live.next().await, Ok(LiveEvent::Hello { .. })));
    // Closed with 1000, read as the code the closing event gave.
    assert_eq!(
        live.next().await.unwrap_err(),
        LiveEnd::Closed {
            code: live_close::TOO_OLD,
            reason: "connection too old".into()
        }
    );
}

#[tokio::test]
async fn a_token_the_deployments_channel_keeps_refusing_is_a_sign_in_problem() {
    let live_url = gateway(u32::MAX).await;
    let cloud = DevCloud::builder(Moto::start())
        .arg("live-url", &live_url)
        .start()
        .await;
    let api = demo_api(&cloud).await;
    let err = api.open_live().await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Auth, "{err}");
    assert_eq!(api.session().refresh_count(), 1);
}
