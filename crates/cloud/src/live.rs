//! The live channel's client end (`docs/api.md`, "Live events"): one WebSocket at
//! `/v1/live`, opened with the session's access token, over which the service says what
//! changed on the listener's other devices.
//!
//! The socket is opened through the API's own reqwest client (`reqwest-websocket` performs
//! the upgrade on it), so it is held to the same [`Trust`](crate::Trust) as every request:
//! `wss://` beyond this computer, the same TLS roots, no plain `ws://` except to loopback.
//! A refused token is refreshed once and tried again, as every request does.
//!
//! The channel is the service's `/v1/live` unless its configuration names another
//! (`live_url`: a deployment's WebSocket API, on a host of its own). Two things differ there,
//! and this end reads both one way (`docs/api.md`, "Live events"): such a service cannot
//! speak first, so the client pings as it opens and the hello may come before or after the
//! answer; and it closes with 1000 whatever the reason, so the reason comes first as a
//! `closing` event, read as the close frame's code. It refuses a token with API Gateway's
//! own 401 (its authorizer's "Unauthorized"), refreshed once as the API's.
//!
//! This module reads frames and says how a connection ended; when to connect again, and
//! what an event sets in motion, is the sync layer's business.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use reqwest::StatusCode;
use reqwest_websocket::{CloseCode, Message, Upgrade as _, WebSocket};
use strato_model::api::{LiveEvent, LiveRequest, Problem};
use tokio::time::Instant;

use crate::{ApiClient, CloudError, CloudErrorKind};

/// How long the upgrade may take: beyond it, the channel is given up for now.
const OPEN_TIMEOUT: Duration = Duration::from_secs(15);
/// Until the service's hello says otherwise, how often it pings.
const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(30);

/// An open live connection.
///
/// Its liveness is the client's to check, since not every service can ping (API Gateway's
/// WebSocket APIs cannot): after a heartbeat of silence the client asks for a pong, and a
/// second heartbeat without a word means the connection is dead. That ping also keeps an
/// idle connection from being dropped (API Gateway's ten minutes).
#[derive(Debug)]
pub struct LiveConnection {
    socket: WebSocket,
    /// How long a silence lasts before the client asks: the service's `heartbeat_secs`.
    heartbeat: Duration,
    /// When the service was last heard (or the connection opened): the silence is counted
    /// from here, so that [`LiveConnection::next`] may be cancelled and called again (to send
    /// a request meanwhile) without forgetting how long it has lasted.
    heard_at: Instant,
    /// A ping is out and nothing was heard since.
    asked: bool,
    /// Pongs still owed to pings of the connection's own (its opening one, and the ones a
    /// silence asks): they are not the caller's, who hears only answers to [`Self::ping`].
    own_pongs: u32,
}

/// How a live connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEnd {
    /// The service closed it, with a code of the contract (`live_close`) or another.
    Closed { code: u16, reason: String },
    /// Nothing was heard for two heartbeats, a ping included: the network went away quietly.
    Silent,
    /// The connection broke (reset, or the stream ended without a close frame).
    Broken(String),
}

impl ApiClient {
    /// Opens the live channel. A `401` refreshes the session once and tries again; a service
    /// without the channel answers [`CloudErrorKind::NotFound`] (or another 4xx), a network
    /// failure [`CloudErrorKind::Offline`].
    pub async fn open_live(&self) -> Result<LiveConnection, CloudError> {
        let mut bearer = self.session().bearer().await?;
        let mut refreshed = false;
        loop {
            match self.upgrade(&bearer.token).await {
                Err(err) if err.status() == Some(401) && !refreshed => {
                    refreshed = true;
                    bearer = self.session().bearer_after_unauthorized(&bearer).await?;
                }
                outcome => return outcome,
            }
        }
    }

    async fn upgrade(&self, token: &str) -> Result<LiveConnection, CloudError> {
        const WHAT: &str = "open live updates";
        let url = self.service().live_endpoint.clone();
        let request = self
            .service()
            .http
            .get(url)
            .bearer_auth(token)
            .timeout(OPEN_TIMEOUT)
            .upgrade();
        let response = request.send().await.map_err(|e| upgrade_error(e, WHAT))?;
        let status = response.status();
        if status != StatusCode::SWITCHING_PROTOCOLS {
            let problem = response.into_inner().json::<Problem>().await.ok();
            return Err(CloudError::from_response(status.as_u16(), problem, WHAT));
        }
        let socket = response
            .into_websocket()
            .await
            .map_err(|e| upgrade_error(e, WHAT))?;
        let mut connection = LiveConnection {
            socket,
            heartbeat: DEFAULT_HEARTBEAT,
            heard_at: Instant::now(),
            asked: false,
            own_pongs: 0,
        };
        // A service that cannot speak first says hello in answer to this.
        connection.ask().await.map_err(|end| {
            CloudError::new(
                CloudErrorKind::Offline,
                format!("Could not {WHAT}: {end:?}"),
            )
        })?;
        Ok(connection)
    }
}

impl LiveConnection {
    /// The next event, or how the connection ended. Frames of unknown types are skipped
    /// (the list of events grows); the hello sets the heartbeat.
    ///
    /// Cancel-safe: dropped while waiting, no frame is lost and the silence goes on counting.
    pub async fn next(&mut self) -> Result<LiveEvent, LiveEnd> {
        loop {
            let deadline = self.heard_at + self.heartbeat;
            let Ok(frame) = tokio::time::timeout_at(deadline, self.socket.next()).await else {
                if self.asked {
                    return Err(LiveEnd::Silent);
                }
                // Counted as asked once the ping is out: cancelled while sending, the next
                // call finds the silence still over and asks again.
                self.ask().await?;
                self.asked = true;
                self.heard_at = Instant::now();
                continue;
            };
            self.asked = false;
            self.heard_at = Instant::now();
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close { code, reason })) => {
                    return Err(LiveEnd::Closed {
                        code: code.into(),
                        reason,
                    });
                }
                // Pings are answered by the socket itself; they count as signs of life.
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(LiveEnd::Broken(error.to_string())),
                None => return Err(LiveEnd::Broken("the connection ended".into())),
            };
            match serde_json::from_str::<LiveEvent>(&text) {
                Ok(LiveEvent::Pong) if self.own_pongs > 0 => self.own_pongs -= 1,
                Ok(LiveEvent::Closing { code, reason }) => {
                    return Err(LiveEnd::Closed { code, reason });
                }
                Ok(event) => {
                    if let LiveEvent::Hello { heartbeat_secs, .. } = &event {
                        self.heartbeat = Duration::from_secs(u64::from(*heartbeat_secs))
                            .max(Duration::from_secs(1));
                    }
                    return Ok(event);
                }
                Err(error) => tracing::debug!(%error, "live frame skipped: not an event we know"),
            }
        }
    }

    /// Asks the service for a pong (the answer arrives through [`Self::next`]).
    pub async fn ping(&mut self) -> Result<(), LiveEnd> {
        self.send(&LiveRequest::Ping).await
    }

    /// A ping of the connection's own, whose pong the caller never sees. Counted once the
    /// frame is queued, before it is flushed: cancelled in between, the frame still goes
    /// out (with the next flush) and its pong is still the connection's.
    async fn ask(&mut self) -> Result<(), LiveEnd> {
        let text = serde_json::to_string(&LiveRequest::Ping)
            .map_err(|e| LiveEnd::Broken(e.to_string()))?;
        self.socket
            .feed(Message::Text(text))
            .await
            .map_err(|e| LiveEnd::Broken(e.to_string()))?;
        self.own_pongs += 1;
        self.socket
            .flush()
            .await
            .map_err(|e| LiveEnd::Broken(e.to_string()))
    }

    /// Sends a request of the client's (a device's registration, what it plays, a command).
    pub async fn send(&mut self, request: &LiveRequest) -> Result<(), LiveEnd> {
        let text = serde_json::to_string(request).map_err(|e| LiveEnd::Broken(e.to_string()))?;
        self.socket
            .send(Message::Text(text))
            .await
            .map_err(|e| LiveEnd::Broken(e.to_string()))
    }

    /// Closes the connection politely (the app is quitting or signing out).
    pub async fn close(self) {
        let _ = self.socket.close(CloseCode::Normal, None).await;
    }
}

/// A failed upgrade in the client's words: the network, or a service that answered with
/// something that is not a WebSocket.
fn upgrade_error(error: reqwest_websocket::Error, what: &str) -> CloudError {
    match error {
        reqwest_websocket::Error::Reqwest(error) => CloudError::transport(error, what),
        other => CloudError::new(
            CloudErrorKind::Server,
            format!("Could not {what}: the service did not open the channel."),
        )
        .with_source(other),
    }
}
