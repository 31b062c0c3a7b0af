//! The "Local files" source: the owner of the index of the listener's music folders
//! (`strato-local`'s [`LocalIndex`](strato_local::LocalIndex), kept in
//! `<data folder>/local-files.sqlite3`), its scans and its watcher.
//!
//! Local files belong to the computer, not to an account: the owner starts with the app,
//! whether or not anyone is signed in, and a sign-out or an account switch never touches it.
//! It stops with the app ([`LocalFiles::stop`]: a scan under way stops at its next file).
//!
//! One thread ([`worker`]) owns the index's connection and the watcher. Every request comes
//! to it over a bounded channel with a oneshot reply ([`LocalFiles::ask`]), so no async task
//! ever waits on `SQLite` or the disk, and requests are answered in the order they came.
//! A scan runs on a thread of its own with its own connection (the index is in WAL mode, so
//! pages read it while a scan writes), stoppable; it and the watcher's thread only *nudge*
//! the worker (a flag and a message that is never waited for), so neither can block on a
//! full channel while the worker waits for it to stop. The worker then tells the window
//! ([`AppEvents::local_files_changed`]) what changed.
//!
//! The index file is made when the first folder is added, not before: a data folder of a
//! listener without local files holds nothing of them. At start, an index already there is
//! watched and rescanned once in the background (incremental: only what changed is read).

mod view;
mod worker;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use strato_model::ipc::{AppError, ErrorKind};
use tokio::sync::{mpsc, oneshot};

use crate::playback::AppEvents;
use crate::settings::AppSettings;
pub(crate) use worker::Worker;

/// The index's file in the data folder (with its WAL side files beside it).
pub(crate) const INDEX_FILE: &str = "local-files.sqlite3";

/// Requests waiting for the worker: beyond this, callers wait (asynchronously) their turn.
const REQUESTS_WAITING: usize = 64;

/// A request to the worker.
enum Message {
    /// Work on the worker's state; it answers through its own oneshot.
    Call(Box<dyn FnOnce(&mut Worker) + Send>),
    /// A scan moved on or ended, or the watcher changed the index (see [`Shared`]).
    Nudge,
    /// The app is ending.
    Stop,
}

/// What the worker's helpers (the scan's thread, the watcher's) and the handle set for it
/// to see after its next message, whether or not their message fit in the channel.
#[derive(Default)]
struct Shared {
    stopping: AtomicBool,
    nudged: AtomicBool,
    /// The watcher changed the index.
    watched: AtomicBool,
}

/// How the scan's and the watcher's threads tell the worker something happened: never
/// waiting, so they can always be stopped and joined.
#[derive(Clone)]
struct Nudger {
    requests: mpsc::Sender<Message>,
    shared: Arc<Shared>,
}

impl Nudger {
    fn nudge(&self) {
        self.shared.nudged.store(true, Ordering::SeqCst);
        // Full: the worker has messages to handle and looks at the flag after each.
        let _ = self.requests.try_send(Message::Nudge);
    }

    fn watched(&self) {
        self.shared.watched.store(true, Ordering::SeqCst);
        self.nudge();
    }
}

/// The handle the app holds.
pub(crate) struct LocalFiles {
    requests: mpsc::Sender<Message>,
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for LocalFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalFiles").finish_non_exhaustive()
    }
}

impl LocalFiles {
    /// Starts the owner, with the index in the settings' data folder (none: this run keeps
    /// no files, and has no local files).
    pub(crate) fn start(
        settings: &AppSettings,
        events: &Arc<dyn AppEvents>,
    ) -> std::io::Result<Self> {
        let (requests, received) = mpsc::channel(REQUESTS_WAITING);
        let shared = Arc::new(Shared::default());
        let nudger = Nudger {
            requests: requests.clone(),
            shared: Arc::clone(&shared),
        };
        let database = settings.data_dir.as_ref().map(|dir| dir.join(INDEX_FILE));
        let events = Arc::clone(events);
        let thread = std::thread::Builder::new()
            .name("local-files".into())
            .spawn(move || worker::run(Worker::new(database, events, nudger), received))?;
        Ok(Self {
            requests,
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Runs `work` on the worker and answers what it gave.
    ///
    /// # Errors
    /// `Storage` when the worker has stopped (the app is ending): local files are not
    /// available now, which is no bug. `Internal` when `work` panicked (one is).
    pub(crate) async fn ask<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Worker) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (reply, answer) = oneshot::channel();
        let call = Message::Call(Box::new(move |worker: &mut Worker| {
            // The asker may have gone (a window closed); nothing then waits for it.
            let _ = reply.send(work(worker));
        }));
        self.requests.send(call).await.map_err(|_| stopped())?;
        // The reply dropped unsent: the worker caught a panic of `work` (see worker::run), or
        // it stopped with the call still waiting.
        answer.await.map_err(|_| {
            if self.shared.stopping.load(Ordering::SeqCst) {
                stopped()
            } else {
                AppError::new(
                    ErrorKind::Internal,
                    "Your local files could not be read: Strato met a fault of its own.",
                )
            }
        })
    }

    /// Stops the owner and waits for it: a scan under way stops at its next file, the
    /// watcher ends, the index is closed. Later requests fail; calling it again does nothing.
    pub(crate) fn stop(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Full: the worker sees `stopping` after the message it is on.
        let _ = self.requests.try_send(Message::Stop);
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(thread) = thread
            && thread.join().is_err()
        {
            tracing::warn!("the local files' thread had panicked");
        }
    }
}

impl Drop for LocalFiles {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The worker has stopped: the app is closing. Not a bug, so not `Internal`: local files are
/// not available now, as when the index cannot be used.
fn stopped() -> AppError {
    AppError::new(
        ErrorKind::Storage,
        "Your local files are not available now: Strato is closing.",
    )
}

#[cfg(test)]
mod tests {
    use strato_model::ipc::PlayerStatus;

    use super::*;
    use crate::settings::AudioOutput;

    struct NoWindow;

    impl AppEvents for NoWindow {
        fn player_status(&self, _status: &PlayerStatus) {}
    }

    fn start(data: &std::path::Path) -> LocalFiles {
        let mut settings = AppSettings::new("http://127.0.0.1:9", AudioOutput::Null);
        settings.data_dir = Some(data.to_owned());
        let events: Arc<dyn AppEvents> = Arc::new(NoWindow);
        LocalFiles::start(&settings, &events).unwrap()
    }

    #[tokio::test]
    async fn asked_once_stopped_it_says_local_files_are_not_available_now() {
        let data = tempfile::tempdir().unwrap();
        let local_files = start(data.path());
        assert_eq!(local_files.ask(|_| 7).await, Ok(7));
        local_files.stop();
        let refused = local_files.ask(|_| 7).await.unwrap_err();
        assert_eq!(refused.kind, ErrorKind::Storage, "{refused:?}");
        assert!(refused.message.contains("not available now"), "{refused:?}");
    }

    #[tokio::test]
    async fn a_request_that_panics_is_a_fault_of_strato_and_the_next_is_answered() {
        let data = tempfile::tempdir().unwrap();
        let local_files = start(data.path());
        let fault = local_files
            .ask(|_| -> u32 { panic!("a bug in one request") })
            .await
            .unwrap_err();
        assert_eq!(fault.kind, ErrorKind::Internal, "{fault:?}");
        assert_eq!(local_files.ask(|_| 7).await, Ok(7));
    }
}
