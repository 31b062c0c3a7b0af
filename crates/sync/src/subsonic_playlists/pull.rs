//! Taking in the server's playlists once no edit is pending: new ones added, changed ones
//! taken in (matched against the last copy seen, so their entries keep their ids), those
//! gone removed through the conflict policy.
//!
//! `getPlaylists` says of each playlist its name, comment, visibility, size and `changed`;
//! one that says the same as the last copy seen is not read again. A server that does not
//! say `changed` (Supysonic) has every playlist read, since a reorder changes none of the
//! rest.

use std::collections::{HashMap, HashSet};

use strato_model::api::PlaylistSummary;
use strato_subsonic::convert;

use super::content::{named_after, same_content};
use super::{Failure, SubsonicPlaylistSync, SubsonicSyncError, classify, count, owned_by};
use crate::SyncReport;

impl SubsonicPlaylistSync {
    /// Takes in what changed on the server since the last copies seen.
    pub(super) async fn pull(&self, report: &mut SyncReport) -> Result<(), SubsonicSyncError> {
        let user = self.client.username();
        let listed: Vec<_> = self
            .client
            .playlists()
            .await?
            .into_iter()
            .filter(|playlist| owned_by(playlist, user))
            .collect();
        let seen: HashMap<String, PlaylistSummary> = self
            .library
            .call(|lib| lib.last_seen_playlists())
            .await?
            .into_iter()
            .map(|summary| (summary.id.clone(), summary))
            .collect();
        for playlist in &listed {
            let says_when = playlist.changed.is_some();
            let listed_as = convert::playlist_summary(playlist);
            let known = seen.get(&playlist.id);
            if says_when && known.is_some_and(|seen| same_summary(seen, &listed_as)) {
                continue;
            }
            self.pull_one(&playlist.id, report).await?;
        }
        let on_server: HashSet<&str> = listed.iter().map(|p| p.id.as_str()).collect();
        for id in seen
            .into_keys()
            .filter(|id| !on_server.contains(id.as_str()))
        {
            let resolved = self
                .library
                .call(move |lib| lib.apply_server_deletion(&id))
                .await?;
            report.resolved += count(resolved.len());
            report.pulled += 1;
        }
        Ok(())
    }

    /// Reads one playlist and takes it in, unless it is as last seen.
    async fn pull_one(&self, id: &str, report: &mut SyncReport) -> Result<(), SubsonicSyncError> {
        let server = match self.client.playlist(id).await.map_err(classify) {
            Ok(server) => server,
            Err(Failure::Stop(error)) => return Err(error.into()),
            // Deleted (or made unreadable) since it was listed: the next pull sees it so.
            Err(Failure::NotFound(_) | Failure::Refused(_)) => return Ok(()),
        };
        let key = id.to_owned();
        let previous = self
            .library
            .call(move |lib| lib.last_seen_playlist(&key))
            .await?;
        let copy = named_after(
            &server,
            previous.as_ref().map_or(&[][..], |seen| &seen.items),
        );
        if previous
            .as_ref()
            .is_some_and(|seen| same_content(seen, &copy) && seen.updated_at == copy.updated_at)
        {
            return Ok(());
        }
        self.take_in(copy, report).await?;
        report.pulled += 1;
        Ok(())
    }
}

/// Whether the server's list says of a playlist what the last copy seen says.
fn same_summary(seen: &PlaylistSummary, listed: &PlaylistSummary) -> bool {
    seen.name == listed.name
        && seen.description == listed.description
        && seen.public == listed.public
        && seen.item_count == listed.item_count
        && seen.updated_at == listed.updated_at
}
