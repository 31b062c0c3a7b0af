//! The account's library and the session around it: resuming at start, starting offline
//! when the service cannot be reached, and reconnecting from there.

use std::sync::Arc;

use strato_cloud::ApiClient;
use strato_cloud::redact::account_tag;
use strato_model::ipc::{AppError, ErrorKind, Session};
use strato_service::MusicService;

use super::{App, RECONNECT_INTERVAL, lock};
use crate::account::{Connection, features_offline};
use crate::error;
use crate::offline::AccountLibrary;
use crate::offline::queue;

impl App {
    /// At start: the current session if there is one (the window reloaded), else resumes the
    /// session kept in the keychain, if any. `Ok(None)` when none was kept; an error in words
    /// when it was revoked (then it is forgotten). When the service cannot be reached, the
    /// kept account opens offline: its library works, and [`Self::online_api`] resumes the
    /// session once the service answers.
    pub async fn restore_session(&self) -> Result<Option<Session>, AppError> {
        if let Some(session) = self.session() {
            return Ok(Some(session));
        }
        match self.accounts.restore().await {
            Ok(Some(account)) => Ok(Some(self.set_account(account).await)),
            Ok(None) => Ok(None),
            Err(error) if error.kind == ErrorKind::Network && self.data_dir.borrow().is_some() => {
                // On a plane: the kept account's library opens without the service, so
                // playlists and downloads work; the session resumes once it answers.
                let Some((service_url, username, kind)) = self.accounts.last_kept().await else {
                    return Err(error);
                };
                let session = Session {
                    service_url,
                    username,
                    kind,
                    features: features_offline(kind),
                };
                tracing::info!(account = %account_tag(&session.username), "started offline");
                *lock(&self.offline_session) = Some(session.clone());
                *lock(&self.reconnect_tried) = Some(std::time::Instant::now());
                self.open_library(&session).await;
                // Plays heard offline are listens too: queued now, sent once it answers.
                self.follow_for_scrobbling(&session, None).await;
                Ok(Some(session))
            }
            Err(error) => Err(error),
        }
    }

    /// The music service the listener browses: the session's, once
    /// [`Self::online_connection`] has it.
    pub(crate) async fn online_service(&self) -> Result<Arc<dyn MusicService>, AppError> {
        Ok(self.online_connection().await?.service())
    }

    /// The Strato cloud's client, for what only it offers (see [`Self::online_connection`]).
    pub(crate) async fn online_api(&self) -> Result<Arc<ApiClient>, AppError> {
        self.online_connection()
            .await?
            .cloud()
            .cloned()
            .ok_or_else(error::not_offered)
    }

    /// The session's client; after an offline start, tries (at most every few seconds) to
    /// resume the kept session first.
    pub(crate) async fn online_connection(&self) -> Result<Connection, AppError> {
        if let Ok(connection) = self.connection() {
            return Ok(connection);
        }
        let Some(offline) = lock(&self.offline_session).clone() else {
            return self.connection();
        };
        let due = lock(&self.reconnect_tried).is_none_or(|at| at.elapsed() >= RECONNECT_INTERVAL);
        if due {
            *lock(&self.reconnect_tried) = Some(std::time::Instant::now());
            let resumed = self
                .accounts
                .resume(&offline.service_url, &offline.username)
                .await;
            match resumed {
                Ok(account) => {
                    tracing::info!(account = %account_tag(&offline.username), "back online");
                    self.set_account(account).await;
                }
                Err(error) if error.kind == ErrorKind::Auth => {
                    // The kept session was refused (and forgotten): sign in again.
                    // Only if still offline: a sign-in meanwhile keeps its own targets.
                    if lock(&self.offline_session).take().is_some() {
                        self.stop_scrobbling();
                    }
                    return Err(error);
                }
                Err(error) => return Err(error),
            }
        }
        self.connection()
    }

    /// Whether `session` is the app's now: signed in, or started offline and not resumed.
    fn is_current_session(&self, session: &Session) -> bool {
        let signed_in = lock(&self.session).as_ref().map(|s| s.session.clone());
        match signed_in {
            Some(signed_in) => signed_in == *session,
            None => lock(&self.offline_session).as_ref() == Some(session),
        }
    }

    /// Opens the account's offline library (unless it is open) and starts its sync and
    /// downloads with the session's client.
    pub(super) async fn open_library(&self, session: &Session) {
        let Some(data_dir) = self.data_dir.borrow().clone() else {
            return;
        };
        let open = |l: &Arc<AccountLibrary>| l.is_for(&session.service_url, &session.username);
        if !lock(&self.library).as_ref().is_some_and(open) {
            let runtime = self
                .runtime
                .as_ref()
                .expect("the runtime lives as long as the app")
                .handle()
                .clone();
            let opened_for = session.clone();
            let applied = self.applied_settings();
            let storage = (applied.storage_quota_bytes, applied.download_quality);
            let events = Arc::clone(&self.events);
            let catalog_walk = self.settings.catalog_walk;
            let library_runtime = runtime.clone();
            // Opening SQLite (and migrating it) and reading the saved queue are disk work:
            // off the async threads.
            let opened = runtime
                .spawn_blocking(move || {
                    let library = AccountLibrary::open(
                        &data_dir,
                        &opened_for,
                        storage,
                        catalog_walk,
                        library_runtime,
                        events,
                    )?;
                    let restored = queue::restore(&library);
                    Ok::<_, AppError>((library, restored))
                })
                .await;
            let (library, restored) = match opened {
                Ok(Ok(opened)) => opened,
                Ok(Err(error)) => {
                    tracing::error!(%error, "the offline library could not be opened");
                    return;
                }
                Err(error) => {
                    tracing::error!(%error, "opening the offline library failed");
                    return;
                }
            };
            // The listener may have signed in to another account while this one's library
            // was opening: that account's sign-in opens its own, and this one is not wanted.
            if !self.is_current_session(session) {
                tracing::info!("another account signed in while its library opened");
                drop(library);
                return;
            }
            let mut current = lock(&self.library);
            // Another sign-in may have opened it meanwhile; the first one stays.
            if !current.as_ref().is_some_and(open) {
                if let Some(old) = current.take() {
                    old.go_offline();
                }
                let nothing_playing =
                    self.status.snapshot().state == strato_model::ipc::PlaybackState::Idle;
                library.set_reporting(self.preferences.current().share_playback_reports);
                // The library is in place before the player has the queue, so the queue's
                // keeper saves its changes there.
                *current = Some(library);
                if let Some(restored) = restored.filter(|_| nothing_playing) {
                    self.queue.know(&restored.tracks);
                    self.status
                        .restored(restored.current.clone(), restored.position_ms);
                    self.player.restore_queue(
                        restored.state,
                        std::time::Duration::from_millis(restored.position_ms.into()),
                    );
                }
            }
        }
        // Sync, downloads, uploads and the live channel with the Strato cloud; the playlists'
        // sync with a Subsonic server. Only this account's library with this account's
        // client: another sign-in meanwhile pairs its own.
        let connection = lock(&self.session)
            .as_ref()
            .filter(|signed_in| signed_in.session == *session)
            .map(|signed_in| signed_in.connection.clone());
        let current = lock(&self.library).clone().filter(open);
        match (current, connection) {
            (Some(library), Some(Connection::Strato(api))) => {
                library.go_online(&api, &self.devices);
            }
            (Some(library), Some(Connection::Subsonic(client))) => {
                library.go_online_subsonic(&client);
            }
            _ => {}
        }
    }
}
