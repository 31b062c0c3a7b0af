//! Offline copies of tracks the service no longer has for this listener (deleted or taken
//! down, or made private by their owner) are removed at the next sync, and the listener is
//! told which ones in a sync notice. The service is asked through the manager's
//! [`DownloadSource`](super::DownloadSource) (the cloud: `POST /v1/tracks/availability`,
//! `docs/api.md`; a Subsonic server: each track's `getSong`, a bounded number per check).

use std::collections::HashSet;

use super::{DownloadError, DownloadManager};
use strato_library::DownloadState;

/// What [`DownloadManager::remove_unavailable`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnavailableRemoved {
    /// Every download record removed (offline copies, the streaming cache, and downloads
    /// that had not finished).
    pub track_ids: Vec<String>,
    /// The sync notice naming the offline copies the listener had asked for, if any were.
    pub notice: Option<i64>,
}

impl DownloadManager {
    /// Removes the downloads of tracks the service no longer has. With `ask_service`, it
    /// first asks the service about the tracks downloaded or waiting to be, and the tracks
    /// marked unavailable (in the source's batches, as many as the source's
    /// [`availability_per_check`](super::DownloadSource::availability_per_check), the
    /// longest unasked first), and records the answers, stopping at the first question not
    /// answered; without, it acts only on what the library already knows (playlists'
    /// snapshots mark unavailable items), with no request at all.
    ///
    /// Removing a track's download never unpins a collection: an offline playlist keeps the
    /// item, shown as no longer available, and downloads it again if it comes back.
    ///
    /// # Errors
    /// If the service cannot answer (nothing is removed then), or a file or the library
    /// refuses (the other removals and the notice of what went are made all the same).
    pub async fn remove_unavailable(
        &self,
        ask_service: bool,
    ) -> Result<UnavailableRemoved, DownloadError> {
        let library = &self.shared.library;
        let (downloads, marked) = library
            .call(|lib| {
                Ok::<_, strato_library::Error>((lib.downloads()?, lib.unavailable_tracks()?))
            })
            .await
            .map_err(DownloadError::library)?;
        if ask_service {
            // The marks too, so a track that came back loses its mark (a mark would otherwise
            // outlive the last download: nothing else asks about a track kept nowhere).
            let mut ids: Vec<String> = downloads.iter().map(|d| d.track_id.clone()).collect();
            let downloaded: HashSet<&String> = downloads.iter().map(|d| &d.track_id).collect();
            ids.extend(marked.into_iter().filter(|id| !downloaded.contains(id)));
            let source = &self.shared.source;
            let limit = source.availability_per_check().unwrap_or(usize::MAX);
            let ids = library
                .call(move |lib| lib.least_recently_checked(&ids, limit))
                .await
                .map_err(DownloadError::library)?;
            for asked in ids.chunks(source.availability_batch().max(1)) {
                let unavailable = source
                    .unavailable(asked)
                    .await
                    .map_err(DownloadError::from_service)?;
                let asked = asked.to_vec();
                library
                    .call(move |lib| lib.record_availability(&asked, &unavailable))
                    .await
                    .map_err(DownloadError::library)?;
            }
        }
        let unavailable: HashSet<String> = library
            .call(|lib| lib.unavailable_tracks())
            .await
            .map_err(DownloadError::library)?;
        let mut removed = UnavailableRemoved::default();
        let mut kept_offline = Vec::new();
        // Past a failure, the rest go all the same, and the notice names what did go: their
        // rows are gone, so no later pass could tell the listener.
        let mut failure = None;
        for download in downloads {
            if !unavailable.contains(&download.track_id) {
                continue;
            }
            if let Err(error) = self.remove(&download.track_id).await {
                failure.get_or_insert(error);
                continue;
            }
            if download.pinned && download.state == DownloadState::Complete {
                kept_offline.push(download.track_id.clone());
            }
            removed.track_ids.push(download.track_id);
        }
        if !removed.track_ids.is_empty() {
            tracing::info!(
                removed = removed.track_ids.len(),
                offline = kept_offline.len(),
                "removed the downloads of tracks no longer available"
            );
        }
        removed.notice = library
            .call(move |lib| lib.record_offline_removed(&kept_offline))
            .await
            .map_err(DownloadError::library)?;
        match failure {
            Some(error) => Err(error),
            None => Ok(removed),
        }
    }
}
