//! What the relay sees of the HTTP it passes on: the requests, in the order it sent them on
//! (so a test can prove a request reached the server once, which the server's own state
//! cannot always show), and holds on the answers to some of them (so a test can have an
//! answer arrive after something else happened).
//!
//! Each connection's client side is read as HTTP/1.1 requests: a head up to its blank line,
//! then a body of its `Content-Length`. A connection that leaves that shape (a chunked body,
//! an upgrade to a WebSocket, bytes that are not a request) is no longer read, only relayed:
//! what is read never changes what is passed on. Clients send the next request on a
//! connection only once the answer to the one before is in (no pipelining), so the next
//! answer a connection carries is the one to its last request.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

/// The longest request head read; a longer one ends the reading of its connection.
const MAX_HEAD: usize = 64 * 1024;

/// A request the relay passed on to the server.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path and query, as sent.
    pub target: String,
}

impl RelayedRequest {
    /// The path, without the query.
    #[must_use]
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The value of the query's parameter `name`, decoded (the first if it is given twice).
    #[must_use]
    pub fn param(&self, name: &str) -> Option<String> {
        let url = reqwest::Url::parse(&format!("http://relay{}", self.target)).ok()?;
        url.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

/// The method and path only: queries carry credentials (a Subsonic client's password).
impl std::fmt::Debug for RelayedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path())
    }
}

/// Holds the answers to the requests whose path ends with the text it was made with, from
/// [`crate::Relay::hold_answers`]: each waits at the relay until [`Self::release`] (or the
/// hold is dropped). Requests the relay passes on after the release are not held.
#[derive(Debug)]
pub struct AnswerHold {
    hold: Arc<Hold>,
    log: Arc<RequestLog>,
}

impl AnswerHold {
    /// Waits until an answer is held: the server answered such a request, and the answer
    /// waits at the relay.
    pub async fn held(&self) {
        let mut held = self.hold.held.subscribe();
        // The sender lives in `self.hold`: the wait ends only by an answer held.
        let _ = held.wait_for(|count| *count > 0).await;
    }

    /// Passes the answers held on, and holds no more.
    pub fn release(&self) {
        self.log
            .holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|hold| !Arc::ptr_eq(hold, &self.hold));
        self.hold.released.send_replace(true);
    }
}

impl Drop for AnswerHold {
    fn drop(&mut self) {
        self.release();
    }
}

#[derive(Debug)]
struct Hold {
    path_end: String,
    /// Answers held so far.
    held: watch::Sender<usize>,
    released: watch::Sender<bool>,
}

/// The requests of every connection of one relay, and the holds in force.
#[derive(Debug, Default)]
pub(super) struct RequestLog {
    requests: Mutex<Vec<RelayedRequest>>,
    holds: Mutex<Vec<Arc<Hold>>>,
}

impl RequestLog {
    pub(super) fn requests(&self) -> Vec<RelayedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn hold(self: &Arc<Self>, path_end: &str) -> AnswerHold {
        let hold = Arc::new(Hold {
            path_end: path_end.to_owned(),
            held: watch::Sender::new(0),
            released: watch::Sender::new(false),
        });
        self.holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&hold));
        AnswerHold {
            hold,
            log: Arc::clone(self),
        }
    }
}

/// One relayed connection: its requests read as they go to the server, and the hold its
/// next answer waits for.
#[derive(Debug)]
pub(super) struct Connection {
    log: Arc<RequestLog>,
    reading: Mutex<Reading>,
    next_answer_held: Mutex<Option<Arc<Hold>>>,
}

#[derive(Debug)]
enum Reading {
    /// A request head, so far.
    Head(Vec<u8>),
    /// This many bytes of a body left.
    Body(usize),
    /// No longer HTTP requests as read here.
    Opaque,
}

impl Connection {
    pub(super) fn new(log: Arc<RequestLog>) -> Self {
        Self {
            log,
            reading: Mutex::new(Reading::Head(Vec::new())),
            next_answer_held: Mutex::new(None),
        }
    }

    /// `chunk` is about to go to the server: the requests whose heads it ends are logged,
    /// and a hold their path names is set on the next answer.
    pub(super) fn to_server(&self, chunk: &[u8]) {
        let heads = self
            .reading
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(chunk);
        for request in heads {
            let hold = self
                .log
                .holds
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .find(|hold| request.path().ends_with(&hold.path_end))
                .cloned();
            if hold.is_some() {
                *self
                    .next_answer_held
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = hold;
            }
            self.log
                .requests
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(request);
        }
    }

    /// A chunk of an answer is about to go to the client: the first of an answer held waits
    /// for its release.
    pub(super) async fn to_client(&self) {
        let hold = self
            .next_answer_held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(hold) = hold {
            let mut released = hold.released.subscribe();
            hold.held.send_modify(|count| *count += 1);
            // The sender lives in `hold`: the wait ends only by the release.
            let _ = released.wait_for(|released| *released).await;
        }
    }
}

impl Reading {
    /// Reads `chunk` on from where the last one ended; the requests whose heads it ends.
    fn take(&mut self, mut chunk: &[u8]) -> Vec<RelayedRequest> {
        let mut requests = Vec::new();
        while !chunk.is_empty() {
            match self {
                Self::Opaque => break,
                Self::Body(left) => {
                    let skipped = (*left).min(chunk.len());
                    *left -= skipped;
                    chunk = &chunk[skipped..];
                    if *left == 0 {
                        *self = Self::Head(Vec::new());
                    }
                }
                Self::Head(head) => {
                    let before = head.len();
                    head.extend_from_slice(chunk);
                    let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") else {
                        if head.len() > MAX_HEAD {
                            *self = Self::Opaque;
                        }
                        break;
                    };
                    chunk = &chunk[end + 4 - before..];
                    let (request, next) = read_head(&head[..end]);
                    requests.extend(request);
                    *self = next;
                }
            }
        }
        requests
    }
}

/// The request a head names, and how its connection reads on.
fn read_head(head: &[u8]) -> (Option<RelayedRequest>, Reading) {
    let Ok(head) = std::str::from_utf8(head) else {
        return (None, Reading::Opaque);
    };
    let mut lines = head.split("\r\n");
    let mut words = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version)) = (words.next(), words.next(), words.next())
    else {
        return (None, Reading::Opaque);
    };
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !version.starts_with("HTTP/1")
    {
        return (None, Reading::Opaque);
    }
    let mut next = Reading::Head(Vec::new());
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("content-length") {
            next = match value.parse::<usize>() {
                Ok(0) => Reading::Head(Vec::new()),
                Ok(length) => Reading::Body(length),
                Err(_) => Reading::Opaque,
            };
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || name.eq_ignore_ascii_case("upgrade")
        {
            return (Some(request(method, target)), Reading::Opaque);
        }
    }
    (Some(request(method, target)), next)
}

fn request(method: &str, target: &str) -> RelayedRequest {
    RelayedRequest {
        method: method.to_owned(),
        target: target.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(requests: &[RelayedRequest]) -> Vec<&str> {
        requests.iter().map(|r| r.target.as_str()).collect()
    }

    #[test]
    fn requests_are_read_across_chunks_bodies_skipped() {
        let stream = b"GET /rest/star.view?id=a%20b&p=x HTTP/1.1\r\nHost: h\r\n\r\n\
                       POST /up HTTP/1.1\r\nContent-Length: 21\r\n\r\nGET /not HTTP/1.1\r\n\r\n\
                       GET /rest/unstar.view?albumId=7 HTTP/1.1\r\n\r\n";
        for size in [1, 3, 7, stream.len()] {
            let mut reading = Reading::Head(Vec::new());
            let requests: Vec<_> = stream
                .chunks(size)
                .flat_map(|chunk| reading.take(chunk))
                .collect();
            assert_eq!(
                targets(&requests),
                [
                    "/rest/star.view?id=a%20b&p=x",
                    "/up",
                    "/rest/unstar.view?albumId=7"
                ],
                "chunks of {size}"
            );
            assert_eq!(requests[0].path(), "/rest/star.view");
            assert_eq!(requests[0].param("id").as_deref(), Some("a b"));
            assert_eq!(requests[2].param("albumId").as_deref(), Some("7"));
            assert_eq!(format!("{:?}", requests[0]), "GET /rest/star.view");
        }
    }

    #[test]
    fn a_connection_that_leaves_plain_requests_is_no_longer_read() {
        let mut reading = Reading::Head(Vec::new());
        let upgraded = reading
            .take(b"GET /live HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /frame HTTP/1.1\r\n\r\n");
        assert_eq!(targets(&upgraded), ["/live"]);
        let mut reading = Reading::Head(Vec::new());
        assert!(reading.take(b"\x16\x03\x01 not http\r\n\r\n").is_empty());
        assert!(reading.take(b"GET / HTTP/1.1\r\n\r\n").is_empty());
    }
}
