//! Scrobbling (issue 20): the app's commands for the Settings screen's Scrobbling group, and
//! the account's targets following sign-in.
//!
//! - [`driver`]: the player's events through the rule (`strato-scrobble`), off the player
//!   thread.
//! - [`targets`]: `ListenBrainz` and a Subsonic account's server, each listen queued in the
//!   account's library first.
//! - [`subsonic`]: the sender of the Subsonic queue (`scrobble`, `submission=true`).
//!
//! The `ListenBrainz` user token is validated with the service before it is kept, and kept
//! only in the keychain, in an entry of its own per signed-in account (the account's
//! service address prefixed `listenbrainz:`, under its username): never in the library, a
//! file or the log. Its value is the `ListenBrainz` user's name and the token, so a start
//! offline still says whom it is connected as without asking the service.

mod driver;
mod subsonic;
mod targets;

use std::sync::PoisonError;

use strato_cloud::keychain::Keychain;
use strato_library::ScrobbleTarget;
use strato_model::ipc::{AppError, ErrorKind, ScrobblingView, Session};
use strato_scrobble::{ListenBrainzClient, ScrobbleError, ScrobbleErrorKind, UserToken};

pub(super) use driver::ScrobbleDriver;
use targets::AccountTargets;

use super::{App, lock};
use crate::account::Connection;

impl App {
    /// Where plays are reported, and the listens waiting.
    pub async fn scrobbling(&self) -> ScrobblingView {
        let (mut view, library) = {
            let targets = self.scrobbler.targets().lock();
            let targets = targets.unwrap_or_else(PoisonError::into_inner);
            let Some(account) = targets.account() else {
                return ScrobblingView::default();
            };
            let listenbrainz = account.listenbrainz();
            let last_error = listenbrainz
                .and_then(|lb| lb.submitter.as_ref())
                .and_then(|submitter| submitter.status().borrow().last_error.clone())
                .map(|(_, message)| message)
                .or_else(|| {
                    account
                        .subsonic_sender()
                        .and_then(subsonic::SubsonicSender::last_error)
                });
            let view = ScrobblingView {
                listenbrainz_user: listenbrainz.map(|lb| lb.user.clone()),
                server_scrobbles: account.reports_to_server(),
                pending: 0,
                last_error,
            };
            (view, account.library().cloned())
        };
        if let Some(library) = library {
            let counted = tokio::task::spawn_blocking(move || {
                let library = library.lock().unwrap_or_else(PoisonError::into_inner);
                [ScrobbleTarget::ListenBrainz, ScrobbleTarget::Subsonic]
                    .iter()
                    .map(|target| library.pending_listen_count(*target))
                    .sum::<Result<usize, _>>()
            })
            .await;
            if let Ok(Ok(pending)) = counted {
                view.pending = u32::try_from(pending).unwrap_or(u32::MAX);
            }
        }
        view
    }

    /// Connects `ListenBrainz` with the listener's user `token`: checked with the service
    /// first, then kept in the keychain (only there) for this account.
    ///
    /// # Errors
    /// Not signed in; the token refused or the service unreachable (in words; nothing kept);
    /// the keychain unavailable.
    pub async fn connect_listenbrainz(&self, token: String) -> Result<ScrobblingView, AppError> {
        let session = self.session().ok_or_else(crate::error::not_signed_in)?;
        let token = token.trim().to_owned();
        if token.is_empty() {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "Enter your ListenBrainz user token: it is on your ListenBrainz settings page.",
            ));
        }
        let client = ListenBrainzClient::with_base_url(
            &self.settings.listenbrainz_url,
            UserToken::new(token.clone()),
        )
        .map_err(|e| from_scrobble(&e))?;
        let user = client
            .validate_token()
            .await
            .map_err(|e| from_scrobble(&e))?;
        let (service, username) = entry_of(&session);
        let kept = format!("{user}\n{token}");
        Keychain::system()
            .call(move |store| store.save_secret(&service, &username, &kept))
            .await
            .map_err(|e| {
                AppError::new(
                    ErrorKind::Storage,
                    format!("Your ListenBrainz token could not be kept in the keychain: {e}"),
                )
            })?;
        if let Some(account) = self
            .scrobbler
            .targets()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .account_mut()
        {
            account.connect_listenbrainz(client, user);
        }
        tracing::info!("ListenBrainz connected");
        Ok(self.scrobbling().await)
    }

    /// Stops reporting to `ListenBrainz` and forgets the token (listens not sent yet stay in
    /// the library, sent if it is connected again).
    pub async fn disconnect_listenbrainz(&self) -> ScrobblingView {
        if let Some(account) = self
            .scrobbler
            .targets()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .account_mut()
        {
            account.disconnect_listenbrainz();
        }
        if let Some(session) = self.session() {
            let (service, username) = entry_of(&session);
            if let Err(error) = Keychain::system()
                .call(move |store| store.forget(&service, &username))
                .await
            {
                tracing::warn!(%error, "the ListenBrainz token could not be forgotten");
            }
        }
        self.scrobbling().await
    }

    /// `session` is signed in with `connection` (or started offline, without one): its
    /// targets replace the previous account's, with `ListenBrainz` if a token is kept for
    /// it. Called once its library is open.
    ///
    /// The keychain is read first and the targets installed only if `session` is still the
    /// app's (signed in with a connection, or still offline without one): a sign-out, an
    /// ended session or a resume that came during the read keeps its own targets. The
    /// previous targets go before the new ones follow the library, so two senders never
    /// drain one queue.
    pub(super) async fn follow_for_scrobbling(
        &self,
        session: &Session,
        connection: Option<&Connection>,
    ) {
        let listenbrainz = self.kept_listenbrainz(session).await;
        let mut account = AccountTargets::new(
            session.clone(),
            self.own_runtime(),
            connection.and_then(Connection::subsonic).cloned(),
        );
        if let Some((client, user)) = listenbrainz {
            account.connect_listenbrainz(client, user);
        }
        let library = self.library();
        let mut targets = self
            .scrobbler
            .targets()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !self.is_current(session, connection.is_some()) {
            return;
        }
        targets.follow(account);
        if let Some(account) = targets.account_mut() {
            account.follow_library(library.as_ref());
        }
    }

    /// Whether `session` is the app's now: signed in (`online`), or started offline and not
    /// resumed yet.
    fn is_current(&self, session: &Session, online: bool) -> bool {
        if online {
            lock(&self.session)
                .as_ref()
                .is_some_and(|signed_in| &signed_in.session == session)
        } else {
            lock(&self.session).is_none() && lock(&self.offline_session).as_ref() == Some(session)
        }
    }

    /// The `ListenBrainz` client and user kept in the keychain for `session`'s account.
    async fn kept_listenbrainz(&self, session: &Session) -> Option<(ListenBrainzClient, String)> {
        let (service, username) = entry_of(session);
        let kept = Keychain::system()
            .call(move |store| store.load_secret(&service, &username))
            .await;
        match kept {
            Ok(Some(kept)) => {
                let (user, token) = kept.split_once('\n')?;
                match ListenBrainzClient::with_base_url(
                    &self.settings.listenbrainz_url,
                    UserToken::new(token),
                ) {
                    Ok(client) => Some((client, user.to_owned())),
                    Err(error) => {
                        tracing::warn!(%error, "ListenBrainz cannot be reached");
                        None
                    }
                }
            }
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(%error, "the ListenBrainz token could not be read");
                None
            }
        }
    }

    /// Signed out, or the session ended: nothing is reported any more (the token stays kept
    /// for the account; listens not sent stay in its library).
    pub(super) fn stop_scrobbling(&self) {
        self.scrobbler
            .targets()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .end();
    }
}

/// The keychain entry of the `ListenBrainz` token connected to `session`'s account.
fn entry_of(session: &Session) -> (String, String) {
    (
        format!("listenbrainz:{}", session.service_url),
        session.username.clone(),
    )
}

/// A scrobble error as the window shows it.
fn from_scrobble(error: &ScrobbleError) -> AppError {
    let kind = match error.kind() {
        ScrobbleErrorKind::Offline => ErrorKind::Network,
        ScrobbleErrorKind::Auth | ScrobbleErrorKind::Rejected | ScrobbleErrorKind::InvalidInput => {
            ErrorKind::InvalidInput
        }
        ScrobbleErrorKind::Library => ErrorKind::Storage,
        _ => ErrorKind::Server,
    };
    AppError::new(kind, error.to_string())
}
