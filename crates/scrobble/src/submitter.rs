//! The `ListenBrainz` sender: a tokio task that drains the library's queue of listens
//! (target `listenbrainz`) in order, in batches, whenever the service can be reached, and
//! never submits a listen twice.
//!
//! # Never twice, never lost
//!
//! A listen is in the library before anything is sent. A batch is claimed (marked sending,
//! in the transaction that read it), sent, and marked sent only on the service's 200. When
//! the outcome is unknown (a timeout, a connection dropped after the request went out, a
//! server failing mid-way, or a crash of the whole app between the send and the record),
//! the rows stay sending, and before anything else is sent they are looked up on the service
//! (`GET /1/user/{user}/listens` around their times): found, they are marked sent; absent,
//! they go back to the queue in their place and are sent again. A request that surely never
//! went out (no connection, a 429, a 401) puts its batch straight back.
//!
//! `ListenBrainz` files a listen through a queue of its own, so a listen it took may show in
//! the user's listens only moments later: an attempt is looked up only once
//! [`SubmitterConfig::settle`] has passed since it began.
//!
//! A 400 for a batch means some listen in it is refused: the batch's listens are then sent
//! one at a time, the refused one is kept as rejected with the service's words and never
//! sent again, and the others go on, so one bad listen never blocks the queue.
//!
//! Offline, a batch waits and is retried with a growing delay, or at once when woken
//! ([`Submitter::wake`]: a listen was queued, the network came back). A rate limit is waited
//! out as the service says (the client holds its next call). A refused token stops sending
//! until woken (the listener enters a new one, which makes a new submitter anyway).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use strato_library::{Library, Listen, QueuedListen, ScrobbleTarget};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::error::{ScrobbleError, ScrobbleErrorKind};
use crate::listenbrainz::{LISTENS_PER_GET, ListenBrainzClient, MAX_LISTENS_PER_REQUEST};

const TARGET: ScrobbleTarget = ScrobbleTarget::ListenBrainz;

/// The library as the submitter shares it: a connection it locks only inside blocking
/// calls, never across an `.await`. A connection of its own to the library's file does
/// as well (the database is in WAL mode; each write is one short transaction).
pub type SharedLibrary = Arc<Mutex<Library>>;

/// How the submitter paces itself.
#[derive(Debug, Clone)]
pub struct SubmitterConfig {
    /// Listens per request (1 to [`MAX_LISTENS_PER_REQUEST`]).
    pub batch_size: usize,
    /// The first wait after a failure; it doubles up to [`Self::longest_retry`].
    pub first_retry: Duration,
    pub longest_retry: Duration,
    /// How long after an attempt began its listens are looked up on the service.
    pub settle: Duration,
}

impl Default for SubmitterConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            first_retry: Duration::from_secs(2),
            longest_retry: Duration::from_secs(300),
            settle: Duration::from_secs(10),
        }
    }
}

/// What the submitter is doing, for the UI and for tests to wait on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmitterStatus {
    /// Listens waiting or in flight.
    pub pending: usize,
    /// Listens the service took since the submitter started.
    pub sent: usize,
    /// Listens the service refused for good since the submitter started.
    pub rejected: usize,
    /// Why the last attempt failed, until one succeeds.
    pub last_error: Option<(ScrobbleErrorKind, String)>,
    /// Nothing left to do until a listen is queued or it is woken.
    pub idle: bool,
}

/// The running submitter. Dropping it stops the task.
#[derive(Debug)]
pub struct Submitter {
    library: SharedLibrary,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    status: watch::Receiver<SubmitterStatus>,
    task: JoinHandle<()>,
}

impl Submitter {
    /// Starts draining `library`'s queue to `client`'s service. Listens left in flight by an
    /// earlier run are looked up first.
    #[must_use]
    pub fn spawn(
        client: ListenBrainzClient,
        library: SharedLibrary,
        config: SubmitterConfig,
    ) -> Self {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let (status_sender, status) = watch::channel(SubmitterStatus::default());
        let drain = Drain {
            client,
            library: Arc::clone(&library),
            batch_size: config.batch_size.clamp(1, MAX_LISTENS_PER_REQUEST),
            config,
            user: None,
            look_up_in_flight: true,
            one_at_a_time: 0,
            status: status_sender,
        };
        let task = tokio::spawn(drain.run(Arc::clone(&wake), stopped));
        Self {
            library,
            wake,
            stop,
            status,
            task,
        }
    }

    /// Queues `listen` for `ListenBrainz` and wakes the task; the row's id.
    pub async fn enqueue(&self, listen: Listen) -> Result<i64, ScrobbleError> {
        let id = with_library(&self.library, move |lib| {
            lib.enqueue_listen(TARGET, &listen)
        })
        .await?;
        self.wake();
        Ok(id)
    }

    /// Tries now: a listen was queued, or the network came back.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// What it is doing, as it changes.
    #[must_use]
    pub fn status(&self) -> watch::Receiver<SubmitterStatus> {
        self.status.clone()
    }

    /// Stops the task and waits for it: a request in flight is abandoned (its listens stay
    /// in flight, looked up by the next run).
    pub async fn stop(self) {
        self.stop.send_replace(true);
        let _ = self.task.await;
    }
}

/// What one step of the drain came to.
enum Step {
    /// Something was sent or settled: go on.
    Progress,
    /// Nothing to send.
    Idle,
    /// Listens in flight are too fresh to look up: come back after this.
    Settle(Duration),
}

struct Drain {
    client: ListenBrainzClient,
    library: SharedLibrary,
    config: SubmitterConfig,
    batch_size: usize,
    /// The service's name of the token's user, once asked.
    user: Option<String>,
    /// Rows may be in flight with an unknown outcome: look them up before sending more.
    look_up_in_flight: bool,
    /// After a refused batch: how many listens still go one at a time.
    one_at_a_time: usize,
    status: watch::Sender<SubmitterStatus>,
}

impl Drain {
    async fn run(mut self, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
        let mut retry = self.config.first_retry;
        loop {
            if *stopped.borrow() {
                return;
            }
            let pause = match self.step().await {
                Ok(Step::Progress) => {
                    retry = self.config.first_retry;
                    self.publish(None, false).await;
                    continue;
                }
                Ok(Step::Idle) => {
                    retry = self.config.first_retry;
                    self.forget_old().await;
                    self.publish(None, true).await;
                    None
                }
                Ok(Step::Settle(wait)) => Some(wait),
                Err(error) => {
                    tracing::info!(kind = ?error.kind(), %error, "listens not sent yet");
                    let kind = error.kind();
                    self.publish(Some(error), false).await;
                    match kind {
                        // The client holds its next call until the window resets.
                        ScrobbleErrorKind::RateLimited => continue,
                        // Nothing will change until the listener does something.
                        ScrobbleErrorKind::Auth => None,
                        _ => {
                            let wait = retry;
                            retry = (retry * 2).min(self.config.longest_retry);
                            Some(wait)
                        }
                    }
                }
            };
            let timer = async {
                match pause {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stopped.wait_for(|stop| *stop) => return,
                () = wake.notified() => retry = self.config.first_retry,
                () = timer => {}
            }
        }
    }

    async fn step(&mut self) -> Result<Step, ScrobbleError> {
        if self.look_up_in_flight {
            let in_flight = self.library(|lib| lib.listens_in_flight(TARGET)).await?;
            if let Some(newest) = in_flight.iter().filter_map(attempt_began).max() {
                let age = Duration::from_secs(u64::try_from(unix_now() - newest).unwrap_or(0));
                if let Some(left) = self.config.settle.checked_sub(age).filter(|l| !l.is_zero()) {
                    return Ok(Step::Settle(left));
                }
                self.settle_in_flight(&in_flight).await?;
            }
            self.look_up_in_flight = false;
        }
        let size = if self.one_at_a_time > 0 {
            1
        } else {
            self.batch_size
        };
        let batch = self
            .library(move |lib| lib.claim_listens(TARGET, size, unix_now()))
            .await?;
        if batch.is_empty() {
            return Ok(Step::Idle);
        }
        let ids: Vec<i64> = batch.iter().map(|q| q.id).collect();
        let listens: Vec<Listen> = batch.into_iter().map(|q| q.listen).collect();
        match self.client.submit_listens(&listens).await {
            Ok(()) => {
                self.one_at_a_time = self.one_at_a_time.saturating_sub(1);
                let count = ids.len();
                self.library(move |lib| lib.mark_listens_sent(&ids, unix_now()))
                    .await
                    .inspect_err(|_| self.look_up_in_flight = true)?;
                self.status.send_modify(|status| status.sent += count);
                Ok(Step::Progress)
            }
            Err(error) if error.may_have_landed() => {
                // Left in flight: looked up before anything else is sent.
                self.look_up_in_flight = true;
                Err(error)
            }
            Err(error) if error.kind() == ScrobbleErrorKind::Rejected && ids.len() == 1 => {
                self.one_at_a_time = self.one_at_a_time.saturating_sub(1);
                let (id, reason) = (ids[0], error.to_string());
                tracing::warn!(%reason, "ListenBrainz refused a listen; it is kept and not sent again");
                self.library(move |lib| lib.reject_listen(id, &reason))
                    .await
                    .inspect_err(|_| self.look_up_in_flight = true)?;
                self.status.send_modify(|status| status.rejected += 1);
                Ok(Step::Progress)
            }
            Err(error) => {
                let refused_batch = error.kind() == ScrobbleErrorKind::Rejected;
                let count = ids.len();
                self.library(move |lib| lib.requeue_listens(&ids))
                    .await
                    .inspect_err(|_| self.look_up_in_flight = true)?;
                if refused_batch {
                    // One of them is refused: find it by sending them one at a time.
                    self.one_at_a_time = count;
                    return Ok(Step::Progress);
                }
                Err(error)
            }
        }
    }

    /// Looks `in_flight` up on the service: the ones it holds are marked sent, the others
    /// go back to the queue.
    async fn settle_in_flight(&mut self, in_flight: &[QueuedListen]) -> Result<(), ScrobbleError> {
        if self.user.is_none() {
            self.user = Some(self.client.validate_token().await?);
        }
        let user = self.user.clone().unwrap_or_default();
        let first = in_flight
            .iter()
            .map(|q| q.listen.listened_at)
            .min()
            .unwrap_or(0);
        let last = in_flight
            .iter()
            .map(|q| q.listen.listened_at)
            .max()
            .unwrap_or(0);
        let mut seen = self
            .client
            .listens_between(&user, first - 1, last + 1)
            .await?;
        if seen.len() >= LISTENS_PER_GET {
            // The window may hold more than one answer shows: each listen on its own.
            seen.clear();
            for queued in in_flight {
                let at = queued.listen.listened_at;
                seen.extend(self.client.listens_between(&user, at - 1, at + 1).await?);
            }
        }
        let (landed, absent): (Vec<&QueuedListen>, Vec<&QueuedListen>) = in_flight
            .iter()
            .partition(|queued| seen.iter().any(|s| s.is(&queued.listen)));
        let landed: Vec<i64> = landed.iter().map(|q| q.id).collect();
        let absent: Vec<i64> = absent.iter().map(|q| q.id).collect();
        tracing::info!(
            landed = landed.len(),
            absent = absent.len(),
            "listens in flight looked up on ListenBrainz"
        );
        let count = landed.len();
        self.library(move |lib| {
            lib.mark_listens_sent(&landed, unix_now())?;
            lib.requeue_listens(&absent)
        })
        .await?;
        self.status.send_modify(|status| status.sent += count);
        Ok(())
    }

    async fn forget_old(&self) {
        if let Err(error) = self
            .library(|lib| lib.forget_sent_listens(unix_now()))
            .await
        {
            tracing::warn!(%error, "old sent listens could not be forgotten");
        }
    }

    async fn publish(&self, error: Option<ScrobbleError>, idle: bool) {
        let pending = self
            .library(|lib| lib.pending_listen_count(TARGET))
            .await
            .unwrap_or(self.status.borrow().pending);
        self.status.send_modify(|status| {
            status.pending = pending;
            status.idle = idle;
            status.last_error = error.map(|e| (e.kind(), e.to_string()));
        });
    }

    async fn library<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Library) -> strato_library::Result<T> + Send + 'static,
    ) -> Result<T, ScrobbleError> {
        with_library(&self.library, work).await
    }
}

/// Runs `work` on the blocking pool with the library locked for its duration only.
async fn with_library<T: Send + 'static>(
    library: &SharedLibrary,
    work: impl FnOnce(&mut Library) -> strato_library::Result<T> + Send + 'static,
) -> Result<T, ScrobbleError> {
    let library = Arc::clone(library);
    let joined = tokio::task::spawn_blocking(move || {
        let mut library = library.lock().unwrap_or_else(PoisonError::into_inner);
        work(&mut library)
    })
    .await;
    match joined {
        Ok(result) => Ok(result?),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(ScrobbleError::new(
            ScrobbleErrorKind::Library,
            "Strato is closing; your listens are kept for next time.",
        )
        .with_source(error)),
    }
}

fn attempt_began(queued: &QueuedListen) -> Option<i64> {
    match queued.state {
        strato_library::ListenState::Sending { since } => Some(since),
        _ => None,
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
