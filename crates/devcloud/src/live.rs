//! The live channel, `GET /v1/live` (`docs/api.md`, "Live events"): a WebSocket per signed-in
//! client, over which each listener's playlist writes, upload changes and sign-outs are
//! pushed as they commit (and withdrawn public tracks to everyone).
//!
//! A real deployment is an API Gateway WebSocket API: `$connect` authorised by a function
//! that checks the token as the REST API does, a connections table (connection id, user,
//! token expiry), and a function on the playlist tables' change stream posting each change
//! to the user's connections (`@connections`). Here the [`LiveHub`] is that table and fan-out
//! in one process: the playlist routes publish the changes their transaction recorded, once
//! it has committed, so an event never names a write that did not happen.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use strato_model::api::{ChangeKind, LiveEvent, LiveRequest, live_close};
use tokio::sync::broadcast;

use crate::api::AppState;
use crate::auth::User;
use crate::playlists::store::Recorded;
use crate::unix_now;

/// Events held for a connection that reads slowly; past this it has lagged and is closed, to
/// connect again and pull the changes feed (nothing is lost: the feed is the record).
const BACKLOG: usize = 256;
/// How often the service pings an idle connection (API Gateway drops one idle for 10 min).
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// Each listener's open connections, as a channel every one of them hears.
#[derive(Debug, Default)]
pub struct LiveHub {
    listeners: Mutex<HashMap<String, broadcast::Sender<LiveEvent>>>,
}

impl LiveHub {
    /// Hears what is published for `user` from now on.
    pub fn subscribe(&self, user: &str) -> broadcast::Receiver<LiveEvent> {
        self.lock()
            .entry(user.to_owned())
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe()
    }

    /// Tells `user`'s open connections; nobody listening is not an error.
    pub fn publish(&self, user: &str, event: LiveEvent) {
        let mut listeners = self.lock();
        // No receiver left: the last connection went, and the channel is forgotten.
        if let Some(sender) = listeners.get(user)
            && sender.send(event).is_err()
        {
            listeners.remove(user);
        }
    }

    /// Tells every open connection of every listener (a public track withdrawn).
    pub fn publish_all(&self, event: &LiveEvent) {
        // A sender whose last receiver went is dropped as it is met.
        self.lock()
            .retain(|_, sender| sender.send(event.clone()).is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, broadcast::Sender<LiveEvent>>> {
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// `GET /v1/live`: the token is checked before the upgrade (401 in words, as every door
/// answers); the connection then lives until its token expires (closed with
/// [`live_close::TOKEN_EXPIRED`]), its longest life passes, or the client goes.
pub async fn connect(
    user: User,
    upgrade: WebSocketUpgrade,
    State(state): State<AppState>,
) -> Response {
    let events = state.live.subscribe(&user.sub);
    let max_life = state.settings.live_max_life;
    upgrade.on_upgrade(move |socket| serve(socket, user, events, max_life))
}

async fn serve(
    mut socket: WebSocket,
    user: User,
    mut events: broadcast::Receiver<LiveEvent>,
    max_life: Duration,
) {
    let connection_id = format!("conn-{}", uuid::Uuid::new_v4().simple());
    tracing::info!(connection = %connection_id, user = %user.sub, "live connection opened");
    let hello = LiveEvent::Hello {
        connection_id: connection_id.clone(),
        heartbeat_secs: u32::try_from(HEARTBEAT.as_secs()).unwrap_or(u32::MAX),
    };
    if send(&mut socket, &hello).await.is_err() {
        return;
    }
    let token_left = u64::try_from(user.expires_at - unix_now()).unwrap_or(0);
    let token_expiry = tokio::time::sleep(Duration::from_secs(token_left));
    let end_of_life = tokio::time::sleep(max_life);
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    tokio::pin!(token_expiry, end_of_life);
    let close = loop {
        tokio::select! {
            // In this order: what is queued for the listener goes out before the answer to a
            // ping read after it (a client's ping is a barrier for what was sent before).
            biased;
            () = &mut token_expiry => break Some((live_close::TOKEN_EXPIRED, "token expired")),
            () = &mut end_of_life => break Some((live_close::TOO_OLD, "connection too old")),
            _ = heartbeat.tick() => {
                if socket.send(Message::Ping(axum::body::Bytes::new())).await.is_err() {
                    break None;
                }
            }
            event = events.recv() => match event {
                Ok(LiveEvent::SignedOut) => {
                    // Told, then closed: the token it was opened with is refused from now.
                    let _ = send(&mut socket, &LiveEvent::SignedOut).await;
                    break Some((live_close::TOKEN_EXPIRED, "signed out everywhere"));
                }
                Ok(event) => {
                    if send(&mut socket, &event).await.is_err() {
                        break None;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    break Some((live_close::LAGGED, "too far behind: pull the changes feed"));
                }
                Err(broadcast::error::RecvError::Closed) => break None,
            },
            frame = socket.recv() => match frame {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<LiveRequest>(&text) {
                    Ok(LiveRequest::Ping) => {
                        if send(&mut socket, &LiveEvent::Pong).await.is_err() {
                            break None;
                        }
                    }
                    Err(_) => break Some((live_close::UNREADABLE, "not a request this service knows")),
                },
                Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                Some(Ok(_)) => {}
            },
        }
    };
    if let Some((code, reason)) = close {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
    }
    tracing::info!(connection = %connection_id, ?close, "live connection closed");
}

/// What a recorded playlist change tells the listener's devices.
#[must_use]
pub fn playlist_event(change: Recorded) -> LiveEvent {
    let Recorded {
        seq,
        playlist_id,
        kind,
        revision,
    } = change;
    if kind == ChangeKind::Deleted {
        LiveEvent::PlaylistDeleted {
            playlist_id,
            revision,
            seq,
        }
    } else {
        LiveEvent::PlaylistChanged {
            playlist_id,
            revision,
            seq,
        }
    }
}

async fn send(socket: &mut WebSocket, event: &LiveEvent) -> Result<(), axum::Error> {
    let text = serde_json::to_string(event).expect("events serialise");
    socket.send(Message::Text(text.into())).await
}
