//! A TCP relay between a test's clients and a server on loopback, standing for the network
//! between them: it can be cut (a laptop losing its network) and can delay every byte each
//! way (a round trip of a real distance), for HTTP and WebSocket traffic alike. It also
//! keeps the HTTP requests it passed on, and can hold answers ([`requests`]).

mod requests;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use requests::{AnswerHold, RelayedRequest};
use requests::{Connection, RequestLog};

/// Chunks in flight each way before the reading side waits (backpressure, not loss).
const IN_FLIGHT: usize = 256;

/// The relay; its [`Self::url`] replaces the server's in a client. Dropping it stops it.
#[derive(Debug)]
pub struct Relay {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    cut: watch::Sender<bool>,
    task: JoinHandle<()>,
    log: Arc<RequestLog>,
}

impl Relay {
    /// Relays to `target_url` (`http://host:port`), without delay.
    pub async fn to(target_url: &str) -> Self {
        Self::with_delay(target_url, Duration::ZERO).await
    }

    /// Relays to `target_url`, holding every chunk `one_way` before passing it on in each
    /// direction: a round trip takes twice that more than it would.
    ///
    /// # Panics
    /// If no loopback port can be had.
    pub async fn with_delay(target_url: &str, one_way: Duration) -> Self {
        let target = target_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the relay");
        let url = format!("http://{}", listener.local_addr().expect("a bound address"));
        let (cut, watch) = watch::channel(false);
        let log = Arc::new(RequestLog::default());
        let requests = Arc::clone(&log);
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                if *watch.borrow() {
                    continue;
                }
                let (target, mut watch) = (target.clone(), watch.clone());
                let connection = Arc::new(Connection::new(Arc::clone(&requests)));
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let _ = inbound.set_nodelay(true);
                    let _ = outbound.set_nodelay(true);
                    let (in_read, in_write) = inbound.into_split();
                    let (out_read, out_write) = outbound.into_split();
                    // Both ways run to their end (a half-closed connection still gets its
                    // answer); only a cut ends them early.
                    let both = async {
                        tokio::join!(
                            pipe(in_read, out_write, one_way, Side::ToServer(&connection)),
                            pipe(out_read, in_write, one_way, Side::ToClient(&connection))
                        )
                    };
                    tokio::select! {
                        _ = both => {}
                        _ = watch.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        Self {
            url,
            cut,
            task,
            log,
        }
    }

    /// Cuts the network (open connections are closed, new ones refused) or restores it.
    pub fn cut(&self, cut: bool) {
        self.cut.send_replace(cut);
    }

    /// The HTTP requests passed on to the server so far, in the order they went.
    #[must_use]
    pub fn requests(&self) -> Vec<RelayedRequest> {
        self.log.requests()
    }

    /// Holds the answers to the requests passed on from now whose path ends with
    /// `path_end` (`/rest/getStarred2.view`), until the hold is released or dropped.
    #[must_use]
    pub fn hold_answers(&self, path_end: &str) -> AnswerHold {
        self.log.hold(path_end)
    }
}

/// Which way a [`pipe`] copies, with the connection that reads its requests.
#[derive(Clone, Copy)]
enum Side<'a> {
    ToServer(&'a Connection),
    ToClient(&'a Connection),
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies one direction, each chunk due `delay` after it was read; chunks keep their order
/// and the delay does not limit throughput (many chunks can be in flight).
async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration, side: Side<'_>) {
    let (sender, mut receiver) = mpsc::channel::<(Instant, Vec<u8>)>(IN_FLIGHT);
    let reader = async move {
        let mut buffer = vec![0; 64 * 1024];
        while let Ok(read) = from.read(&mut buffer).await {
            if read == 0 {
                break;
            }
            let due = Instant::now() + delay;
            if sender.send((due, buffer[..read].to_vec())).await.is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((due, chunk)) = receiver.recv().await {
            tokio::time::sleep_until(due).await;
            match side {
                Side::ToServer(connection) => connection.to_server(&chunk),
                Side::ToClient(connection) => connection.to_client().await,
            }
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
