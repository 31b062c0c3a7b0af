//! The Subsonic sender: drains the library's queue of listens for target `subsonic` to the
//! account's server (`scrobble` with `submission=true` and the listen's time), oldest first,
//! one at a time, whenever the server can be reached.
//!
//! Each listen is claimed (marked sending) before it is sent and marked sent on the server's
//! answer. The Subsonic API offers no way to ask whether a scrobble landed, so a listen whose
//! answer was lost (or left sending by a crash) is put back and sent again: the server may
//! count that play twice, which is better than never. A refusal for good (an unknown song,
//! code 70; not this account's, 50; a wrong parameter, 10) is kept as rejected with the
//! server's words, so it never blocks the ones after it; anything else waits and is tried
//! again, with a growing delay, or at once when a new listen is queued.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use strato_library::{Library, ScrobbleTarget};
use strato_scrobble::SharedLibrary;
use strato_subsonic::{SubsonicClient, SubsonicErrorKind};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

const TARGET: ScrobbleTarget = ScrobbleTarget::Subsonic;
const FIRST_RETRY: Duration = Duration::from_secs(2);
const LONGEST_RETRY: Duration = Duration::from_secs(300);
/// How often the queue is looked at when nothing woke the sender.
const SWEEP: Duration = Duration::from_secs(60);

/// The running sender; dropping it stops its task.
pub(crate) struct SubsonicSender {
    wake: Arc<Notify>,
    last_error: Arc<Mutex<Option<String>>>,
    task: JoinHandle<()>,
}

impl SubsonicSender {
    pub(crate) fn spawn(
        runtime: &tokio::runtime::Handle,
        client: Arc<SubsonicClient>,
        library: SharedLibrary,
    ) -> Self {
        let wake = Arc::new(Notify::new());
        let last_error = Arc::new(Mutex::new(None));
        let task = runtime.spawn(drain(
            client,
            library,
            Arc::clone(&wake),
            Arc::clone(&last_error),
        ));
        Self {
            wake,
            last_error,
            task,
        }
    }

    /// What wakes the sender (a listen was queued).
    pub(crate) fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Why the last attempt failed, until one succeeds.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for SubsonicSender {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What one pass came to.
enum Pass {
    /// Nothing left to send.
    Done,
    /// The server could not take it now: wait and try again.
    Failed(String),
}

async fn drain(
    client: Arc<SubsonicClient>,
    library: SharedLibrary,
    wake: Arc<Notify>,
    last_error: Arc<Mutex<Option<String>>>,
) {
    // Left sending by an earlier run: their fate is unknown, and the server cannot be asked.
    let left = with_library(&library, |lib| {
        let ids: Vec<i64> = lib
            .listens_in_flight(TARGET)?
            .iter()
            .map(|l| l.id)
            .collect();
        lib.requeue_listens(&ids)
    })
    .await;
    if let Err(error) = left {
        tracing::warn!(%error, "listens left in flight could not be put back");
    }
    let mut retry = FIRST_RETRY;
    loop {
        let pass = send_due(&client, &library).await;
        let error = match pass {
            Pass::Done => None,
            Pass::Failed(error) => Some(error),
        };
        let failed = error.is_some();
        *last_error.lock().unwrap_or_else(PoisonError::into_inner) = error;
        if failed {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(retry) => {}
            }
            retry = (retry * 2).min(LONGEST_RETRY);
        } else {
            retry = FIRST_RETRY;
            // Woken by a listen queued through this sender; the sweep finds those queued
            // without one (heard after an offline start, before this session resumed).
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(SWEEP) => {}
            }
        }
    }
}

/// Sends the listens waiting, oldest first, until none is left or one cannot be sent.
async fn send_due(client: &SubsonicClient, library: &SharedLibrary) -> Pass {
    loop {
        let now = crate::unix_now();
        let claimed =
            match with_library(library, move |lib| lib.claim_listens(TARGET, 1, now)).await {
                Ok(claimed) => claimed,
                Err(error) => return Pass::Failed(error.to_string()),
            };
        let Some(queued) = claimed.into_iter().next() else {
            return Pass::Done;
        };
        let sent = client
            .scrobble(
                &queued.listen.track_id,
                Some(queued.listen.listened_at.saturating_mul(1000)),
                true,
            )
            .await;
        let id = queued.id;
        let recorded = match &sent {
            Ok(()) => with_library(library, move |lib| lib.mark_listens_sent(&[id], now)).await,
            Err(error) if refused_for_good(error.kind()) => {
                let reason = error.to_string();
                with_library(library, move |lib| lib.reject_listen(id, &reason)).await
            }
            Err(_) => with_library(library, move |lib| lib.requeue_listens(&[id])).await,
        };
        if let Err(error) = recorded {
            return Pass::Failed(error.to_string());
        }
        if let Err(error) = sent
            && !refused_for_good(error.kind())
        {
            return Pass::Failed(error.to_string());
        }
    }
}

/// Whether sending the listen again cannot change the server's answer.
fn refused_for_good(kind: SubsonicErrorKind) -> bool {
    matches!(
        kind,
        SubsonicErrorKind::NotFound
            | SubsonicErrorKind::Forbidden
            | SubsonicErrorKind::InvalidInput
    )
}

/// Runs `work` with the library on the blocking pool.
async fn with_library<T: Send + 'static>(
    library: &SharedLibrary,
    work: impl FnOnce(&mut Library) -> strato_library::Result<T> + Send + 'static,
) -> Result<T, strato_library::Error> {
    let library = Arc::clone(library);
    match tokio::task::spawn_blocking(move || {
        work(&mut library.lock().unwrap_or_else(PoisonError::into_inner))
    })
    .await
    {
        Ok(result) => result,
        Err(error) => Err(strato_library::Error::Corrupt(format!(
            "the library call stopped: {error}"
        ))),
    }
}
