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
//!
//! The hub also keeps each listener's devices ([`devices`]): what every connection
//! registered, what it plays, and the commands between them, routed within one listener.

pub mod devices;
#[cfg(test)]
mod expiry_tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use strato_model::api::{ChangeKind, DeviceCommand, LiveEvent, LiveRequest, live_close};
use tokio::sync::broadcast;

use crate::api::AppState;
use crate::auth::User;
use crate::playlists::Recorded;
use crate::unix_now;
use devices::DeviceRegistry;

/// Events held for a connection that reads slowly; past this it has lagged and is closed, to
/// connect again and pull the changes feed (nothing is lost: the feed is the record).
const BACKLOG: usize = 256;
/// How often the service pings an idle connection (API Gateway drops one idle for 10 min).
pub const HEARTBEAT: Duration = Duration::from_secs(30);

/// The largest frame a client may send (API Gateway's limit for a WebSocket frame).
const MAX_FRAME: usize = 128 * 1024;

/// Each listener's open connections, as a channel every one of them hears, and their devices.
#[derive(Debug, Default)]
pub struct LiveHub {
    listeners: Mutex<HashMap<String, Listener>>,
}

#[derive(Debug)]
struct Listener {
    sender: broadcast::Sender<Delivery>,
    devices: DeviceRegistry,
}

/// An event on its way to a listener's connections: to all of them, or to one (a command).
#[derive(Debug, Clone)]
pub struct Delivery {
    only: Option<Arc<str>>,
    event: LiveEvent,
}

impl LiveHub {
    /// Hears what is published for `user` from now on.
    pub fn subscribe(&self, user: &str) -> broadcast::Receiver<Delivery> {
        self.lock()
            .entry(user.to_owned())
            .or_insert_with(|| Listener {
                sender: broadcast::channel(BACKLOG).0,
                devices: DeviceRegistry::default(),
            })
            .sender
            .subscribe()
    }

    /// Tells `user`'s open connections; nobody listening is not an error.
    pub fn publish(&self, user: &str, event: LiveEvent) {
        self.deliver(user, Delivery { only: None, event });
    }

    /// Tells every open connection of every listener (a public track withdrawn).
    pub fn publish_all(&self, event: &LiveEvent) {
        // A listener whose last connection went is dropped as it is met.
        self.lock().retain(|_, listener| {
            let delivery = Delivery {
                only: None,
                event: event.clone(),
            };
            listener.sender.send(delivery).is_ok() || !listener.devices.is_empty()
        });
    }

    /// Makes `connection` one of `user`'s devices, and tells their devices the new list.
    fn register(
        &self,
        user: &str,
        connection: &Arc<str>,
        (device_id, name, os): (&str, &str, &str),
    ) -> Result<(), &'static str> {
        self.change_devices(user, |devices| {
            devices
                .register(connection, (device_id, name, os), now_ms())
                .map(|()| true)
        })
    }

    /// Forgets the device of a connection that ended, and the listener once nothing of
    /// theirs is left.
    fn leave(&self, user: &str, connection: &str) {
        let _ = self.change_devices(user, |devices| Ok(devices.leave(connection)));
        let mut listeners = self.lock();
        if listeners
            .get(user)
            .is_some_and(|l| l.devices.is_empty() && l.sender.receiver_count() == 0)
        {
            listeners.remove(user);
        }
    }

    /// Sends `command` from `connection`'s device to `user`'s device `to`; `Err` is why not.
    fn command(
        &self,
        user: &str,
        connection: &str,
        to: &str,
        command: DeviceCommand,
    ) -> Result<(), &'static str> {
        let (from, target) = {
            let listeners = self.lock();
            let listener = listeners
                .get(user)
                .ok_or("no device of this account is connected")?;
            listener.devices.route(connection, to, &command)?
        };
        let event = LiveEvent::Command { from, command };
        self.deliver(
            user,
            Delivery {
                only: Some(target),
                event,
            },
        );
        Ok(())
    }

    /// Applies `change` to `user`'s devices; when it changed them, their connections hear the
    /// new list.
    fn change_devices(
        &self,
        user: &str,
        change: impl FnOnce(&mut DeviceRegistry) -> Result<bool, &'static str>,
    ) -> Result<(), &'static str> {
        let mut listeners = self.lock();
        let Some(listener) = listeners.get_mut(user) else {
            return Ok(());
        };
        if change(&mut listener.devices)? {
            let event = LiveEvent::Devices {
                devices: listener.devices.list(now_ms()),
            };
            // Sent under the lock, so that two changes' lists arrive in their order.
            let _ = listener.sender.send(Delivery { only: None, event });
        }
        Ok(())
    }

    fn deliver(&self, user: &str, delivery: Delivery) {
        let mut listeners = self.lock();
        // No receiver left: the last connection went, and the channel is forgotten.
        if let Some(listener) = listeners.get(user)
            && listener.sender.send(delivery).is_err()
            && listener.devices.is_empty()
        {
            listeners.remove(user);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Listener>> {
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
    let hub = Arc::clone(&state.live);
    upgrade
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| async move {
            let connection: Arc<str> = Arc::from(format!("conn-{}", uuid::Uuid::new_v4().simple()));
            let link = Link {
                hub: &hub,
                user: &user,
                connection: &connection,
            };
            serve(socket, link, events, max_life).await;
            hub.leave(&user.sub, &connection);
        })
}

/// One connection's place in the hub.
#[derive(Clone, Copy)]
struct Link<'a> {
    hub: &'a LiveHub,
    user: &'a User,
    connection: &'a Arc<str>,
}

impl Link<'_> {
    /// Carries out a client's request; `Some` is what to answer, `Err` a close.
    fn handle(self, request: LiveRequest) -> Result<Option<LiveEvent>, &'static str> {
        let user = &self.user.sub;
        match request {
            LiveRequest::Ping => Ok(Some(LiveEvent::Pong)),
            LiveRequest::RegisterDevice {
                device_id,
                name,
                os,
            } => {
                self.hub
                    .register(user, self.connection, (&device_id, &name, &os))?;
                Ok(None)
            }
            LiveRequest::Playback { playback } => {
                self.hub.change_devices(user, |devices| {
                    Ok(devices.set_playback(self.connection, playback, now_ms()))
                })?;
                Ok(None)
            }
            LiveRequest::Command { to, command } => Ok(
                match self.hub.command(user, self.connection, &to, command) {
                    Ok(()) => None,
                    Err(reason) => Some(LiveEvent::CommandRefused {
                        to,
                        reason: reason.to_owned(),
                    }),
                },
            ),
        }
    }
}

async fn serve(
    mut socket: WebSocket,
    link: Link<'_>,
    mut events: broadcast::Receiver<Delivery>,
    max_life: Duration,
) {
    let user = link.user;
    let connection_id = link.connection;
    tracing::info!(connection = %connection_id, user = %user.sub, "live connection opened");
    let hello = LiveEvent::Hello {
        connection_id: connection_id.to_string(),
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
            delivery = events.recv() => match delivery.map(|d| (d.only, d.event)) {
                Ok((Some(only), _)) if only != *connection_id => {}
                Ok((_, LiveEvent::SignedOut)) => {
                    // Told, then closed: the token it was opened with is refused from now.
                    let _ = send(&mut socket, &LiveEvent::SignedOut).await;
                    break Some((live_close::TOKEN_EXPIRED, "signed out everywhere"));
                }
                Ok((_, event)) => {
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
                Some(Ok(Message::Text(text))) => {
                    let Ok(request) = serde_json::from_str::<LiveRequest>(&text) else {
                        break Some((live_close::UNREADABLE, "not a request this service knows"));
                    };
                    match link.handle(request) {
                        Ok(Some(answer)) => {
                            if send(&mut socket, &answer).await.is_err() {
                                break None;
                            }
                        }
                        Ok(None) => {}
                        Err(reason) => break Some((live_close::UNREADABLE, reason)),
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                Some(Ok(_)) => {}
            },
        }
    };
    if let Some((code, reason)) = close {
        // Said first as an event, as a deployment's channel must (API Gateway closes with
        // 1000 whatever the reason), so that clients have one way to read it.
        let closing = LiveEvent::Closing {
            code,
            reason: reason.to_owned(),
        };
        let _ = send(&mut socket, &closing).await;
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
    }
    tracing::info!(connection = %connection_id, ?close, "live connection closed");
}

/// The wall clock in Unix milliseconds, as a deployment's rows keep device times.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
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

/// Sends `event`; a client that has not taken it within a heartbeat has stopped reading,
/// and the connection is given up (its device leaves the list).
async fn send(socket: &mut WebSocket, event: &LiveEvent) -> Result<(), axum::Error> {
    let text = serde_json::to_string(event).expect("events serialise");
    tokio::time::timeout(HEARTBEAT, socket.send(Message::Text(text.into())))
        .await
        .map_err(axum::Error::new)?
}
