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
//! the user's listens only some time later: an attempt is looked up only once
//! [`SubmitterConfig::settle`] has passed since it *ended* (a request can take the client's
//! whole timeout to fail, and the service may have stored it at its last moment). The
//! submitter remembers when its own attempts ended; for rows found sending at start (a
//! crash, a stop) it takes the claim's time plus the client's whole request timeout, the
//! latest such an attempt can have ended. The look-up asks for windows of at most
//! [`LONGEST_LOOKUP`] (the service refuses wider ones); a look-up the service refuses for
//! good (a 4xx) counts its listens as absent, with a warning, so they are sent again rather
//! than block the queue: `ListenBrainz` keeps one listen per user, time and title, so a copy
//! sent again is dropped there.
//!
//! A 400 for a batch means some listen in it is refused: the batch's listens are then sent
//! one at a time, the refused one is kept as rejected with the service's words and never
//! sent again, and the others go on, so one bad listen never blocks the queue.
//!
//! Offline, a batch waits and is retried with a growing delay, or at once when woken
//! ([`Submitter::wake`]: a listen was queued, the network came back). A rate limit is waited
//! out as the service says ([`ScrobbleError::wait`]; the client holds its next call too). A
//! refused token stops sending until woken (the listener enters a new one, which makes a new
//! submitter anyway). Stopping (or dropping the handle) interrupts whatever step is going
//! on: a batch claimed stays sending and is looked up by the next run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use strato_library::{Library, Listen, QueuedListen, ScrobbleTarget};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::error::{ScrobbleError, ScrobbleErrorKind};
use crate::listenbrainz::{
    LISTENS_PER_GET, LONGEST_LOOKUP, ListenBrainzClient, ListenSeen, MAX_LISTENS_PER_REQUEST,
};

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
    /// How long after an attempt with an unknown outcome ended its listens are looked up on
    /// the service: how long the service may take to show a listen it took.
    pub settle: Duration,
}

impl Default for SubmitterConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            first_retry: Duration::from_secs(2),
            longest_retry: Duration::from_secs(300),
            // ListenBrainz files listens through a queue that can lag by minutes when busy;
            // looking up too early resends a listen it took. A few minutes' delay of a
            // listen whose answer was lost costs nothing.
            settle: Duration::from_secs(300),
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
            attempts_ended: HashMap::new(),
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

    /// Stops the task and waits for it: the step in progress is abandoned at once (a request
    /// in flight leaves its listens in flight, looked up by the next run).
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
    /// Row id -> when this run's attempt to send it ended with an unknown outcome (Unix
    /// milliseconds): its look-up waits [`SubmitterConfig::settle`] from then.
    attempts_ended: HashMap<i64, u64>,
    status: watch::Sender<SubmitterStatus>,
}

impl Drain {
    async fn run(mut self, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
        let mut retry = self.config.first_retry;
        loop {
            if *stopped.borrow() {
                return;
            }
            // Stopping abandons the step: a claimed batch stays sending, looked up next run.
            let outcome = tokio::select! {
                _ = stopped.wait_for(|stop| *stop) => return,
                outcome = self.step() => outcome,
            };
            let pause = match outcome {
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
                    let (kind, asked) = (error.kind(), error.wait());
                    self.publish(Some(error), false).await;
                    match kind {
                        // Waited out here, where a stop can still end it.
                        ScrobbleErrorKind::RateLimited => Some(asked.unwrap_or(retry)),
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
            if let Some(last_end) = in_flight.iter().filter_map(|q| self.attempt_ended(q)).max() {
                let settle = u64::try_from(self.config.settle.as_millis()).unwrap_or(u64::MAX);
                let settled_at = last_end.saturating_add(settle);
                let now = unix_millis();
                if now < settled_at {
                    return Ok(Step::Settle(Duration::from_millis(settled_at - now)));
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
                // Left in flight: looked up before anything else is sent, once settled.
                let ended = unix_millis();
                self.attempts_ended
                    .extend(ids.iter().map(|id| (*id, ended)));
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

    /// When the attempt that left `queued` in flight ended (Unix milliseconds): as this run
    /// saw it, or else at the latest its claim plus the client's whole request timeout (and
    /// a second, the claim's time being whole seconds).
    fn attempt_ended(&self, queued: &QueuedListen) -> Option<u64> {
        if let Some(ended) = self.attempts_ended.get(&queued.id) {
            return Some(*ended);
        }
        let strato_library::ListenState::Sending { since } = queued.state else {
            return None;
        };
        let since = u64::try_from(since).unwrap_or(0).saturating_mul(1000);
        let timeout = u64::try_from(self.client.request_timeout().as_millis()).unwrap_or(u64::MAX);
        Some(since.saturating_add(timeout).saturating_add(1000))
    }

    /// Looks `in_flight` up on the service: the ones it holds are marked sent, the others
    /// go back to the queue.
    async fn settle_in_flight(&mut self, in_flight: &[QueuedListen]) -> Result<(), ScrobbleError> {
        if self.user.is_none() {
            self.user = Some(self.client.validate_token().await?);
        }
        let user = self.user.clone().unwrap_or_default();
        let mut seen = Vec::new();
        for window in lookup_windows(in_flight) {
            seen.extend(self.look_up(&user, &window).await?);
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
        let settled: Vec<i64> = landed.iter().chain(&absent).copied().collect();
        self.library(move |lib| {
            lib.mark_listens_sent(&landed, unix_now())?;
            lib.requeue_listens(&absent)
        })
        .await?;
        for id in settled {
            self.attempts_ended.remove(&id);
        }
        self.status.send_modify(|status| status.sent += count);
        Ok(())
    }

    /// What the service holds of `window`'s listens (one look-up window, in time order). A
    /// look-up refused for good finds nothing: those listens are sent again.
    async fn look_up(
        &self,
        user: &str,
        window: &[&QueuedListen],
    ) -> Result<Vec<ListenSeen>, ScrobbleError> {
        let (Some(first), Some(last)) = (window.first(), window.last()) else {
            return Ok(Vec::new());
        };
        let (first, last) = (first.listen.listened_at, last.listen.listened_at);
        let seen = match self.client.listens_between(user, first - 1, last + 1).await {
            Err(error) if error.kind() == ScrobbleErrorKind::Rejected => {
                warn_refused(&error, window.len());
                return Ok(Vec::new());
            }
            other => other?,
        };
        if seen.len() < LISTENS_PER_GET {
            return Ok(seen);
        }
        // The window may hold more than one answer shows: each listen on its own.
        let mut each = Vec::new();
        for queued in window {
            let at = queued.listen.listened_at;
            match self.client.listens_between(user, at - 1, at + 1).await {
                Err(error) if error.kind() == ScrobbleErrorKind::Rejected => {
                    warn_refused(&error, 1);
                }
                other => each.extend(other?),
            }
        }
        Ok(each)
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

/// `in_flight` in time order, cut into look-up windows: each spans (one second either side
/// included) at most [`LONGEST_LOOKUP`].
fn lookup_windows(in_flight: &[QueuedListen]) -> Vec<Vec<&QueuedListen>> {
    let mut sorted: Vec<&QueuedListen> = in_flight.iter().collect();
    sorted.sort_by_key(|queued| queued.listen.listened_at);
    let widest = i64::try_from(LONGEST_LOOKUP.as_secs()).unwrap_or(i64::MAX) - 2;
    let mut windows: Vec<Vec<&QueuedListen>> = Vec::new();
    for queued in sorted {
        match windows.last_mut() {
            Some(window) if queued.listen.listened_at - window[0].listen.listened_at <= widest => {
                window.push(queued);
            }
            _ => windows.push(vec![queued]),
        }
    }
    windows
}

fn warn_refused(error: &ScrobbleError, listens: usize) {
    tracing::warn!(
        %error,
        listens,
        "ListenBrainz refused to look up listens in flight; they are sent again (it keeps one \
         listen per user, time and title)"
    );
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
