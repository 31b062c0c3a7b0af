//! A Subsonic server's playlists kept in step with the account's library: the sync loop
//! running `OpenSubsonic` passes (`strato_sync::SubsonicPlaylistSync`), and what the window is
//! told of them. The Strato cloud's sync, downloads, uploads and live channel are
//! [`AccountLibrary::go_online`]'s; with a Subsonic server, the playlists are what syncs.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use strato_subsonic::SubsonicClient;
use strato_sync::{SubsonicPlaylistSync, SyncEvent, SyncLoop, SyncSchedule};
use tokio::task::JoinHandle;

use super::{AccountLibrary, lock};

/// What runs while a Subsonic server's client is at hand.
pub(super) struct ServerSync {
    client: Arc<SubsonicClient>,
    pub(super) sync: SyncLoop,
    follower: JoinHandle<()>,
}

impl Drop for ServerSync {
    fn drop(&mut self) {
        self.follower.abort();
    }
}

impl AccountLibrary {
    /// Starts syncing the library's playlists with the Subsonic server of `client` (again,
    /// if the client changed).
    pub(crate) fn go_online_subsonic(self: &Arc<Self>, client: &Arc<SubsonicClient>) {
        let mut current = lock(&self.server_sync);
        if current
            .as_ref()
            .is_some_and(|running| Arc::ptr_eq(&running.client, client))
        {
            return;
        }
        *current = None;
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let sync = SyncLoop::spawn_on(
            &self.runtime,
            SubsonicPlaylistSync::new((**client).clone(), self.handle.clone()),
            SyncSchedule::default(),
            move |event| drop(sender.send(event)),
        );
        let follower = self
            .runtime
            .spawn(Arc::clone(self).follow_server_sync(receiver));
        *current = Some(ServerSync {
            client: Arc::clone(client),
            sync,
            follower,
        });
    }

    /// Tells the window of each pass: the sync indicator's state, and the playlists when a
    /// pass changed them.
    async fn follow_server_sync(
        self: Arc<Self>,
        mut events: tokio::sync::mpsc::UnboundedReceiver<SyncEvent>,
    ) {
        while let Some(event) = events.recv().await {
            let changed = matches!(
                &event,
                SyncEvent::Finished(report)
                    if report.sent + report.resolved + report.refused + report.pulled > 0
            );
            match &event {
                SyncEvent::Finished(_) => self.reachable.store(true, Ordering::Relaxed),
                SyncEvent::Failed(error) => self
                    .reachable
                    .store(!error.is_transient(), Ordering::Relaxed),
                SyncEvent::Started => {}
            }
            lock(&self.progress).apply(&event);
            self.emit_sync_status().await;
            if changed {
                self.events.playlists_changed();
            }
        }
    }
}
