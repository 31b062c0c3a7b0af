//! A Subsonic server kept in step with the account's library: the sync loop running
//! `OpenSubsonic` passes of the playlists (`strato_sync::SubsonicPlaylistSync`), the download
//! manager fetching the server's original files (`downloads.rs`, with the `SubsonicClient` as
//! its source), and what the window is told of them (and of the stars, when the server
//! refused a toggle). The Strato cloud's sync, downloads, uploads and live channel are
//! [`AccountLibrary::go_online`]'s; with a Subsonic server, the playlists and the downloads
//! are what runs.

use std::sync::Arc;

use strato_subsonic::SubsonicClient;
use strato_sync::downloads::DownloadManager;
use strato_sync::{SubsonicPlaylistSync, SyncEvent, SyncLoop, SyncSchedule};
use tokio::task::JoinHandle;

use super::downloads::FollowUp;
use super::{AccountLibrary, lock};

/// What runs while a Subsonic server's client is at hand.
pub(super) struct ServerSync {
    client: Arc<SubsonicClient>,
    pub(super) sync: SyncLoop,
    /// `None` when the downloads folder could not be made (the playlists sync all the same).
    pub(super) downloads: Option<DownloadManager>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for ServerSync {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl AccountLibrary {
    /// Starts syncing the library's playlists with the Subsonic server of `client`, and
    /// downloading what is kept offline from it (again, if the client changed).
    pub(crate) fn go_online_subsonic(self: &Arc<Self>, client: &Arc<SubsonicClient>) {
        let mut current = lock(&self.server_sync);
        if current
            .as_ref()
            .is_some_and(|running| Arc::ptr_eq(&running.client, client))
        {
            return;
        }
        *current = None;
        let (downloads, mut tasks) = match self.start_downloads((**client).clone()) {
            Some((downloads, tasks)) => (Some(downloads), tasks),
            None => (None, Vec::new()),
        };
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let sync = SyncLoop::spawn_on(
            &self.runtime,
            SubsonicPlaylistSync::new((**client).clone(), self.handle.clone()),
            SyncSchedule::default(),
            move |event| drop(sender.send(event)),
        );
        tasks.push(self.runtime.spawn(Arc::clone(self).follow_server_sync(
            receiver,
            Arc::clone(client),
            downloads.clone(),
        )));
        tasks.push(self.runtime.spawn(Arc::clone(self).follow_star_refusals()));
        *current = Some(ServerSync {
            client: Arc::clone(client),
            sync,
            downloads,
            tasks,
        });
    }

    /// Tells the window of each pass (the sync indicator's state, the playlists when a pass
    /// changed them) and, after one that went through, does what it leads to for downloads.
    async fn follow_server_sync(
        self: Arc<Self>,
        mut events: tokio::sync::mpsc::UnboundedReceiver<SyncEvent>,
        client: Arc<SubsonicClient>,
        downloads: Option<DownloadManager>,
    ) {
        let mut follow_up = FollowUp::default();
        while let Some(event) = events.recv().await {
            let Some(pass) = self.take_in(&event).await else {
                continue;
            };
            match &downloads {
                Some(downloads) => {
                    self.after_good_pass(&*client, downloads, pass, &mut follow_up)
                        .await;
                }
                None if pass.changed => self.events.playlists_changed(),
                None => {}
            }
        }
    }

    /// Tells the window each time the server refused a star toggle for good (the star kept
    /// went back): a sync pass's is the answer to no click, and one sent along with a click
    /// may be another item's.
    async fn follow_star_refusals(self: Arc<Self>) {
        let mut refusals = self.handle.star_refusals();
        while refusals.changed().await.is_ok() {
            self.events.stars_changed();
        }
    }
}
