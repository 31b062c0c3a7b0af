//! The live channel as a test client sees it: a raw WebSocket, frames read one by one.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use strato_model::api::{LiveEvent, LiveRequest};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the channel with `token` (none: no `Authorization` header).
pub async fn open(api_url: &str, token: Option<&str>) -> Result<Socket, tungstenite::Error> {
    let url = format!("{}/v1/live", api_url.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The next event, within a few seconds (pings skipped).
pub async fn next(socket: &mut Socket) -> LiveEvent {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an event within 10 s")
            .expect("the connection open")
            .unwrap();
        match frame {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("not an event: {other:?}"),
        }
    }
}

/// How the service ends the connection, within a few seconds: a `closing` event, then a
/// close frame that says the same (a deployment's channel can only send the event).
pub async fn closed(socket: &mut Socket) -> (u16, String) {
    let LiveEvent::Closing { code, reason } = next(socket).await else {
        panic!("the connection ends without a closing event first");
    };
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed within 10 s");
        match frame {
            Some(Ok(Message::Close(Some(frame)))) => {
                let frame = (u16::from(frame.code), frame.reason.to_string());
                assert_eq!(
                    frame,
                    (code, reason),
                    "the close frame and the event differ"
                );
                return frame;
            }
            Some(Ok(Message::Text(text))) => panic!("an event instead of the close: {text}"),
            Some(Ok(_)) => {}
            other => panic!("no close frame: {other:?}"),
        }
    }
}

pub async fn hello(socket: &mut Socket) {
    let LiveEvent::Hello { heartbeat_secs, .. } = next(socket).await else {
        panic!("the first frame is not a hello");
    };
    assert!(heartbeat_secs > 0);
}

/// Asks for a pong: what arrives before it was sent before the ping was read, so a pong
/// first means nothing else was on its way.
pub async fn nothing_else(socket: &mut Socket) {
    socket
        .send(Message::Text(json!({"type": "ping"}).to_string().into()))
        .await
        .unwrap();
    assert_eq!(next(socket).await, LiveEvent::Pong);
}

/// Sends a request of the client's.
pub async fn say(socket: &mut Socket, request: &LiveRequest) {
    let text = serde_json::to_string(request).unwrap();
    socket.send(Message::Text(text.into())).await.unwrap();
}
