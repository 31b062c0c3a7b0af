//! The keychain on a thread of its own: [`Keychain`].
//!
//! Any [`TokenStore`] call may block for as long as the OS keychain takes: a D-Bus round trip,
//! or a locked keyring waiting for the listener to unlock it. On a tokio worker that stalls
//! other network work; on the window's thread, the window. So one thread owns the store and
//! runs the calls one at a time, in the order they were sent, and async callers await the
//! answer. One at a time also keeps two read-modify-writes of the kept accounts' list from
//! interleaving.

use std::panic::AssertUnwindSafe;
use std::sync::{OnceLock, mpsc};

use super::TokenStore;
use crate::{CloudError, CloudErrorKind};

type Job = Box<dyn FnOnce(&TokenStore) + Send>;

/// A handle to the keychain thread. Cheap to clone; the thread ends when the last handle is
/// dropped, after the calls already sent.
#[derive(Debug, Clone)]
pub struct Keychain {
    jobs: mpsc::Sender<Job>,
}

impl Keychain {
    /// The process's keychain: [`TokenStore::system`], chosen and probed on the keychain
    /// thread, so not even the probe's D-Bus round trip runs on the caller's thread.
    #[must_use]
    pub fn system() -> &'static Keychain {
        static SYSTEM: OnceLock<Keychain> = OnceLock::new();
        SYSTEM.get_or_init(|| Keychain::start(TokenStore::system))
    }

    /// Starts a keychain thread owning the store `open` makes (on that thread).
    #[must_use]
    pub fn start(open: impl FnOnce() -> TokenStore + Send + 'static) -> Self {
        let (jobs, received) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("strato-keychain".into())
            .spawn(move || {
                let store = open();
                for job in received {
                    // A call that panics fails alone: its caller gets an error (its answer
                    // channel is dropped), the thread goes on with the next.
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&store))).is_err() {
                        tracing::error!("a keychain call panicked");
                    }
                }
            });
        if let Err(err) = spawned {
            // Every call then fails with `stopped()`'s words: the sign-in still works.
            tracing::error!(error = %err, "the keychain thread could not be started");
        }
        Self { jobs }
    }

    /// Runs `call` on the keychain thread and awaits its answer; the caller's thread is free
    /// meanwhile.
    ///
    /// # Errors
    /// `call`'s own, or [`CloudErrorKind::Keychain`] if the keychain thread is gone.
    pub async fn call<T: Send + 'static>(
        &self,
        call: impl FnOnce(&TokenStore) -> Result<T, CloudError> + Send + 'static,
    ) -> Result<T, CloudError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.send(move |store| {
            // The caller may have stopped waiting; the call was made all the same.
            let _ = answer.send(call(store));
        })?;
        answered.await.map_err(|_| stopped())?
    }

    /// Queues `call` without waiting for it; calls sent later run after it.
    ///
    /// # Errors
    /// [`CloudErrorKind::Keychain`] if the keychain thread is gone.
    pub fn send(&self, call: impl FnOnce(&TokenStore) + Send + 'static) -> Result<(), CloudError> {
        self.jobs.send(Box::new(call)).map_err(|_| stopped())
    }
}

fn stopped() -> CloudError {
    CloudError::new(
        CloudErrorKind::Keychain,
        "The system keychain stopped answering; staying signed in is off until Strato restarts.",
    )
}
