//! Where the signed-in account's plays are reported: `ListenBrainz` while the listener has
//! connected it, and a Subsonic account's own server. Each listen goes through the
//! library's queue first (one row per target), so a listen heard offline is sent later, in
//! order: the `ListenBrainz` rows by `strato-scrobble`'s [`Submitter`], the Subsonic rows
//! by [`SubsonicSender`]. "Playing now" is sent at once and never queued: late, it would
//! be wrong.
//!
//! Everything here is owned by the account: signing out or switching drops it, which stops
//! both senders (listens in flight stay in the library for the next run). A Subsonic account
//! started offline has no client yet: its listens are queued all the same, and sent by the
//! sender of the session that resumes it.
//!
//! A local file (a `file://` id) is told to `ListenBrainz`, which knows it by its tags, and
//! never to a Subsonic server, which would not know the id.

use std::sync::{Arc, Weak};

use strato_library::{Listen, ScrobbleTarget};
use strato_model::ipc::{ServiceKind, Session, Track};
use strato_scrobble::{ListenBrainzClient, SharedLibrary, Submitter, listen_of};
use strato_subsonic::SubsonicClient;

use super::subsonic::SubsonicSender;
use crate::offline::AccountLibrary;
use crate::streaming::RoutingOpener;

/// The targets of the account signed in, if any.
#[derive(Default)]
pub(crate) struct Targets {
    account: Option<AccountTargets>,
}

impl Targets {
    pub(crate) fn account(&self) -> Option<&AccountTargets> {
        self.account.as_ref()
    }

    pub(crate) fn account_mut(&mut self) -> Option<&mut AccountTargets> {
        self.account.as_mut()
    }

    /// `account` is signed in now: the previous account's senders stop.
    pub(crate) fn follow(&mut self, account: AccountTargets) {
        self.account = Some(account);
    }

    /// Signed out: nothing is reported any more.
    pub(crate) fn end(&mut self) {
        self.account = None;
    }
}

/// `ListenBrainz` while connected: the client, whose user it is, and its sender (while the
/// account's library is open).
pub(crate) struct ListenBrainzTarget {
    pub(crate) client: ListenBrainzClient,
    pub(crate) user: String,
    /// Shared with a listen being queued, which wakes it; the last one dropped stops it.
    pub(crate) submitter: Option<Arc<Submitter>>,
}

/// One account's targets.
pub(crate) struct AccountTargets {
    session: Session,
    runtime: tokio::runtime::Handle,
    /// The account's library (its queue of listens) while it is open: `None` without a data
    /// folder, or while the folder moves, when nothing is queued and only "playing now" is
    /// sent. Held only as long as the app's own slot holds it ([`Self::follow_library`]),
    /// so a move of the data folder can close it.
    library: Option<(Weak<AccountLibrary>, SharedLibrary)>,
    listenbrainz: Option<ListenBrainzTarget>,
    subsonic: ServerTarget,
}

/// A Subsonic account's own server, as a target.
enum ServerTarget {
    /// Not a Subsonic account.
    None,
    /// A Subsonic account started offline: listens are queued for it, nothing is sent.
    Waiting,
    /// Signed in: the server's client, and its sender while the library is open.
    Ready(Arc<SubsonicClient>, Option<SubsonicSender>),
}

impl AccountTargets {
    /// The targets of `session`'s account; `subsonic` is its server's client when it is a
    /// Subsonic account signed in (`None` after an offline start: listens wait for it).
    pub(crate) fn new(
        session: Session,
        runtime: tokio::runtime::Handle,
        subsonic: Option<Arc<SubsonicClient>>,
    ) -> Self {
        let subsonic = match subsonic {
            Some(client) => ServerTarget::Ready(client, None),
            None if session.kind == ServiceKind::OpenSubsonic => ServerTarget::Waiting,
            None => ServerTarget::None,
        };
        Self {
            session,
            runtime,
            library: None,
            listenbrainz: None,
            subsonic,
        }
    }

    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    pub(crate) fn library(&self) -> Option<&SharedLibrary> {
        self.library.as_ref().map(|(_, shared)| shared)
    }

    pub(crate) fn listenbrainz(&self) -> Option<&ListenBrainzTarget> {
        self.listenbrainz.as_ref()
    }

    pub(crate) fn subsonic_sender(&self) -> Option<&SubsonicSender> {
        match &self.subsonic {
            ServerTarget::Ready(_, sender) => sender.as_ref(),
            ServerTarget::None | ServerTarget::Waiting => None,
        }
    }

    /// Whether plays are reported to the account's own server (once it answers, after an
    /// offline start).
    pub(crate) fn reports_to_server(&self) -> bool {
        !matches!(self.subsonic, ServerTarget::None)
    }

    /// The app's slot now holds `library`: the senders follow it. Another library than the
    /// one followed (closed for a move, or reopened after it) stops them, and they start
    /// again on the new one if it is this account's.
    pub(crate) fn follow_library(&mut self, library: Option<&Arc<AccountLibrary>>) {
        let followed = self.library.as_ref().map(|(weak, _)| weak);
        let same = match (followed, library) {
            (Some(weak), Some(library)) => std::ptr::eq(weak.as_ptr(), Arc::as_ptr(library)),
            (None, None) => true,
            _ => false,
        };
        if same {
            return;
        }
        self.library = library
            .filter(|l| l.is_for(&self.session.service_url, &self.session.username))
            .map(|l| (Arc::downgrade(l), l.handle().shared()));
        self.start_senders();
    }

    /// (Re)starts the senders on the library followed; none without one.
    fn start_senders(&mut self) {
        let library = self.library().cloned();
        if let ServerTarget::Ready(client, sender) = &mut self.subsonic {
            *sender = library.as_ref().map(|library| {
                SubsonicSender::spawn(&self.runtime, Arc::clone(client), Arc::clone(library))
            });
        }
        if let Some(listenbrainz) = &mut self.listenbrainz {
            listenbrainz.submitter = library.map(|library| {
                let _on_runtime = self.runtime.enter();
                Arc::new(Submitter::spawn(
                    listenbrainz.client.clone(),
                    library,
                    strato_scrobble::SubmitterConfig::default(),
                ))
            });
        }
    }

    /// Connects `ListenBrainz` as `user`, with a sender of its own on the app's runtime.
    pub(crate) fn connect_listenbrainz(&mut self, client: ListenBrainzClient, user: String) {
        self.listenbrainz = Some(ListenBrainzTarget {
            client,
            user,
            submitter: None,
        });
        self.start_senders();
    }

    /// Stops sending to `ListenBrainz` (listens queued stay in the library).
    pub(crate) fn disconnect_listenbrainz(&mut self) {
        self.listenbrainz = None;
    }

    /// `track` started: each target is told at once, in the background.
    pub(crate) fn playing_now(&self, track: &Track) {
        if let Some(listenbrainz) = &self.listenbrainz {
            let client = listenbrainz.client.clone();
            let listen = listen_of(
                track,
                service_kind(&self.session),
                &self.session.username,
                crate::unix_now(),
            );
            self.runtime.spawn(async move {
                if let Err(error) = client.submit_playing_now(&listen).await {
                    tracing::info!(%error, "ListenBrainz was not told what is playing");
                }
            });
        }
        if let ServerTarget::Ready(client, _) = &self.subsonic
            && !RoutingOpener::is_location(&track.id)
        {
            let (client, id) = (Arc::clone(client), track.id.clone());
            self.runtime.spawn(async move {
                if let Err(error) = client.scrobble(&id, None, false).await {
                    tracing::info!(%error, "the server was not told what is playing");
                }
            });
        }
    }

    /// A play counts as `listen`: queued for each target, whose sender is woken.
    pub(crate) fn listened(&self, listen: Listen) {
        let Some(library) = self.library().cloned() else {
            return;
        };
        let mut targets = Vec::new();
        let mut wake: Vec<Box<dyn Fn() + Send>> = Vec::new();
        if let Some(submitter) = self
            .listenbrainz
            .as_ref()
            .and_then(|lb| lb.submitter.as_ref())
        {
            targets.push(ScrobbleTarget::ListenBrainz);
            let submitter = Arc::clone(submitter);
            wake.push(Box::new(move || submitter.wake()));
        }
        if !RoutingOpener::is_location(&listen.track_id) {
            match &self.subsonic {
                ServerTarget::Ready(_, Some(sender)) => {
                    targets.push(ScrobbleTarget::Subsonic);
                    let notify = sender.waker();
                    wake.push(Box::new(move || notify.notify_one()));
                }
                // Sent by the sender of the session that resumes this account.
                ServerTarget::Waiting => targets.push(ScrobbleTarget::Subsonic),
                ServerTarget::Ready(_, None) | ServerTarget::None => {}
            }
        }
        if targets.is_empty() {
            return;
        }
        self.runtime.spawn(async move {
            let queued = tokio::task::spawn_blocking(move || {
                let mut library = library
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                targets
                    .iter()
                    .try_for_each(|target| library.enqueue_listen(*target, &listen).map(drop))
            })
            .await;
            match queued {
                Ok(Ok(())) => wake.iter().for_each(|wake| wake()),
                Ok(Err(error)) => tracing::warn!(%error, "a listen could not be queued"),
                Err(error) => tracing::warn!(%error, "queueing a listen stopped"),
            }
        });
    }
}

/// The kind of service, as the queue keeps it.
pub(crate) fn service_kind(session: &Session) -> &'static str {
    match session.kind {
        ServiceKind::Strato => "strato",
        ServiceKind::OpenSubsonic => "opensubsonic",
    }
}
