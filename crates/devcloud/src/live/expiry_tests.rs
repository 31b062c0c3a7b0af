//! The close at a token's expiry, which the integration tests cannot wait for (the user
//! pool's tokens live an hour): a connection served in process for a listener whose token
//! expires in a second is closed with `4401` and the words the contract names, over a real
//! WebSocket on loopback.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::routing::get;
use futures_util::StreamExt as _;
use strato_model::api::live_close;
use tokio_tungstenite::tungstenite::Message;

use super::{Link, LiveHub, serve};
use crate::auth::User;
use crate::unix_now;

#[tokio::test]
async fn a_connection_is_closed_when_its_token_expires() {
    let hub = Arc::new(LiveHub::default());
    let route = {
        let hub = Arc::clone(&hub);
        get(move |upgrade: WebSocketUpgrade| async move {
            upgrade.on_upgrade(move |socket| async move {
                let user = User {
                    sub: "listener-1".into(),
                    username: None,
                    groups: Vec::new(),
                    expires_at: unix_now() + 1,
                };
                let connection: Arc<str> = Arc::from("conn-1");
                let events = hub.subscribe(&user.sub);
                let link = Link {
                    hub: &hub,
                    user: &user,
                    connection: &connection,
                };
                serve(socket, link, events, Duration::from_secs(3600)).await;
            })
        })
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, Router::new().route("/v1/live", route))
            .await
            .unwrap();
    });

    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{address}/v1/live"))
        .await
        .unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(frame) = socket.next().await {
            if let Message::Close(frame) = frame.unwrap() {
                return frame;
            }
        }
        None
    })
    .await
    .expect("closed within 10 s of a token living 1 s")
    .expect("a close frame with a code");
    assert_eq!(u16::from(closed.code), live_close::TOKEN_EXPIRED);
    assert_eq!(closed.reason.as_str(), "token expired");
}
