//! The async face of the (synchronous) library.

use std::sync::{Arc, Mutex, PoisonError};

use strato_library::Library;

/// A shared [`Library`] for async code. Each [`Self::call`] runs on tokio's blocking pool and
/// holds the lock only for the duration of its closure, never across an `.await`.
#[derive(Clone, Debug)]
pub struct LibraryHandle {
    library: Arc<Mutex<Library>>,
    /// Held by whoever sends the library's star toggles (`subsonic_stars.rs`), so two
    /// senders never send the same toggles out of order, and by whoever takes in the
    /// server's stars, so no toggle is sent between the server's list being read and taken
    /// in.
    star_sender: Arc<tokio::sync::Mutex<()>>,
    /// How many star toggles the server refused for good (each put a star shown back).
    star_refusals: Arc<tokio::sync::watch::Sender<u64>>,
}

impl LibraryHandle {
    #[must_use]
    pub fn new(library: Library) -> Self {
        Self {
            library: Arc::new(Mutex::new(library)),
            star_sender: Arc::default(),
            star_refusals: Arc::new(tokio::sync::watch::Sender::new(0)),
        }
    }

    /// The turn to send the library's star toggles: one sender at a time, across every
    /// clone of this handle.
    pub async fn star_sender(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.star_sender.lock().await
    }

    /// Changes each time the server refused a star toggle for good, whoever sent it (the
    /// sync pass, a click, the Starred page): the stars kept went back, so what shows them
    /// reads them again.
    #[must_use]
    pub fn star_refusals(&self) -> tokio::sync::watch::Receiver<u64> {
        self.star_refusals.subscribe()
    }

    pub(crate) fn note_star_refused(&self) {
        self.star_refusals.send_modify(|count| *count += 1);
    }

    /// Runs `f` with the library on the blocking pool.
    ///
    /// # Panics
    /// If `f` panics (the panic is resumed here).
    pub async fn call<T, F>(&self, f: F) -> T
    where
        F: FnOnce(&mut Library) -> T + Send + 'static,
        T: Send + 'static,
    {
        let library = Arc::clone(&self.library);
        match tokio::task::spawn_blocking(move || {
            let mut library = library.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut library)
        })
        .await
        {
            Ok(value) => value,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            // Cancelled: the runtime is shutting down and will drop this task too; there is no
            // value to give back, and nothing left to give it to.
            Err(_) => std::future::pending().await,
        }
    }

    /// How many handles share this library (clones of this one): one when its holder alone
    /// is left, so dropping it closes the database.
    #[must_use]
    pub fn users(&self) -> usize {
        Arc::strong_count(&self.library)
    }

    /// The library itself, for a task that takes its lock the same way (inside blocking
    /// calls only): the scrobble sender (`strato-scrobble`'s `SharedLibrary`).
    #[must_use]
    pub fn shared(&self) -> Arc<Mutex<Library>> {
        Arc::clone(&self.library)
    }

    /// Runs `f` with the library on the calling thread (for code that is not async).
    pub fn blocking<T>(&self, f: impl FnOnce(&mut Library) -> T) -> T {
        let mut library = self.library.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut library)
    }
}
