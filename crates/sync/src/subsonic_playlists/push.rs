//! Sending one pending edit: read the playlist, compare, then send, retire, take in or park
//! (see the module doc of `subsonic_playlists`).
//!
//! A create has no copy to compare with: the server's answer names the playlist made. When
//! that answer may have been lost (an attempt was recorded), the server's list is searched
//! first for a playlist the create made: of its name, the account's, empty, and not one
//! the library already knows. Found, it is taken as this create's (a same-named empty
//! playlist made meanwhile by another client would be taken too: nothing is lost, the two
//! are one).
//!
//! `createPlaylist` takes no comment, so a description given with the create is logged as
//! an edit of its own as the create is retired (in the same library call, so a pass cut
//! short loses neither), after the edits already waiting (unless one of them describes the
//! playlist anew). It then reaches a playlist that has its songs: Supysonic 0.7.9 fails on
//! any `updatePlaylist` of a playlist that never had one that adds none (its list is NULL,
//! and removing from it crashes). For the same reason a create is sent with the name of the
//! last rename waiting behind it, which leaves those renames nothing to send. A description
//! of a playlist that never gets a song, or a rename of one already made, still fails
//! there: Supysonic answers its crash with an envelope (code 0), a refusal parked at once,
//! with the likely cause in the record; a server answering a bare 500 has the edit parked
//! after [`super::MAX_SERVER_FAILURES`] passes.

use std::collections::HashSet;

use strato_library::{ErrorKind, Library, PendingOp, PlaylistOp};
use strato_model::api::Playlist;
use strato_subsonic::{SubsonicError, wire};

use super::content::{expected_after, named_after, same_content};
use super::plan::{self, Shape};
use super::{Failure, SubsonicPlaylistSync, SubsonicSyncError, classify};
use crate::SyncReport;

impl SubsonicPlaylistSync {
    /// Sends (or retires, or rebases) the oldest pending edit.
    pub(super) async fn push(
        &self,
        pending: &PendingOp,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        match &pending.op {
            PlaylistOp::Create { name, description } => {
                self.create(pending, name, description, report).await
            }
            _ => self.edit(pending, report).await,
        }
    }

    /// Any edit of a playlist the server has.
    async fn edit(
        &self,
        pending: &PendingOp,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        let id = pending.playlist_id.clone();
        let Some(seen) = self
            .library
            .call(move |lib| lib.last_seen_playlist(&id))
            .await?
        else {
            // Only a create is sent for a playlist the server has not seen, and the log keeps
            // a playlist's create before its other edits: this one's create was refused.
            let reason = "the playlist was never saved on the server".to_owned();
            return self.park(pending, reason, report).await;
        };
        let id = pending.playlist_id.as_str();
        let server = match self.client.playlist(id).await.map_err(classify) {
            Ok(server) => server,
            Err(Failure::NotFound(_)) => return self.gone(pending, report).await,
            Err(Failure::Refused(reason)) => return self.park(pending, reason, report).await,
            Err(Failure::Stop(error)) => return Err(self.stop(pending.seq, error).await),
        };
        let current = named_after(&server, &seen.items);
        if pending.op == PlaylistOp::Delete {
            return self.delete(pending, &seen, current, report).await;
        }
        let Some(expected) = expected_after(&seen, &pending.op) else {
            return self.no_longer_applies(pending, current, report).await;
        };
        let before = Shape::of(&seen);
        let requests = plan::requests(&before, &Shape::of(&expected));
        let start = if same_content(&current, &seen) {
            0
        } else if let Some(done) = plan::done_requests(
            &before,
            &requests,
            &Shape::of(&current),
            super::was_attempted(pending),
        ) {
            // Sent before, its answer lost (or the app stopped mid-way): not again.
            done
        } else {
            // Another client changed the playlist: rebase on their copy, then go on.
            self.take_in(current, report).await?;
            report.conflicts += 1;
            return Ok(());
        };
        if start < requests.len() {
            if requests.len() - start > 1 {
                self.note_sending(pending.seq).await?;
            }
            for request in &requests[start..] {
                if let Err(error) = self.client.update_playlist(id, request).await {
                    return self.refused_write(pending, error, report).await;
                }
            }
        }
        let server = if start == requests.len() {
            // Nothing sent now: what was read is the answer.
            server
        } else {
            match self.client.playlist(id).await {
                Ok(server) => server,
                // Applied; the next pass finds it so and retires it.
                Err(error) => return self.refused_write(pending, error, report).await,
            }
        };
        let answer = named_after(&server, &expected.items);
        let exact = same_content(&answer, &expected);
        self.retire(pending, answer, exact, report).await
    }

    /// A delete: sent once the playlist is as last seen (another client's edits are taken in
    /// first, and the delete applied again on top by the conflict policy).
    async fn delete(
        &self,
        pending: &PendingOp,
        seen: &Playlist,
        current: Playlist,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        if !same_content(&current, seen) {
            self.take_in(current, report).await?;
            report.conflicts += 1;
            return Ok(());
        }
        match self
            .client
            .delete_playlist(&pending.playlist_id)
            .await
            .map_err(classify)
        {
            Ok(()) | Err(Failure::NotFound(_)) => self.gone(pending, report).await,
            Err(Failure::Refused(reason)) => self.park(pending, reason, report).await,
            Err(Failure::Stop(error)) => self.write_failed(pending, error, report).await,
        }
    }

    /// The playlist is not on the server: a delete is done; any other edit goes the conflict
    /// policy's way for a playlist deleted elsewhere (kept in a restored copy).
    async fn gone(
        &self,
        pending: &PendingOp,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        let (seq, id) = (pending.seq, pending.playlist_id.clone());
        if pending.op == PlaylistOp::Delete {
            self.library
                .call(move |lib| lib.mark_op_done_seen(seq, None))
                .await?;
            report.sent += 1;
            return Ok(());
        }
        let resolved = self
            .library
            .call(move |lib| lib.apply_server_deletion(&id))
            .await?;
        report.resolved += super::count(resolved.len());
        Ok(())
    }

    /// The edit names an item the last copy seen lacks (never expected: the policy resolves
    /// such edits when a copy is taken in). Taking the server's copy in resolves it; one
    /// that survives that is parked rather than tried forever.
    async fn no_longer_applies(
        &self,
        pending: &PendingOp,
        current: Playlist,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        self.take_in(current, report).await?;
        let seq = pending.seq;
        let still_pending = self
            .library
            .call(move |lib| lib.next_pending_op())
            .await?
            .is_some_and(|next| next.seq == seq);
        if still_pending {
            let reason = "it names a track the playlist no longer has".to_owned();
            self.park(pending, reason, report).await?;
        }
        Ok(())
    }

    /// A request of the edit failed: stop, park, or (not found) tell a playlist gone from a
    /// song the server does not have.
    async fn refused_write(
        &self,
        pending: &PendingOp,
        error: SubsonicError,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        let hint = super::empty_playlist_hint(&pending.op, &error);
        match classify(error) {
            Failure::Stop(error) => self.write_failed(pending, error, report).await,
            Failure::Refused(reason) => self.park(pending, reason + hint, report).await,
            Failure::NotFound(reason) => {
                match self
                    .client
                    .playlist(&pending.playlist_id)
                    .await
                    .map_err(classify)
                {
                    Err(Failure::NotFound(_)) => self.gone(pending, report).await,
                    Ok(_) | Err(Failure::Refused(_)) => self.park(pending, reason, report).await,
                    Err(Failure::Stop(error)) => Err(self.stop(pending.seq, error).await),
                }
            }
        }
    }

    /// A create: made on the server (or found there, made by an attempt whose answer was
    /// lost), read back and retired with the server's id, its description logged as an edit
    /// of its own in the same library call.
    async fn create(
        &self,
        pending: &PendingOp,
        name: &str,
        description: &str,
        report: &mut SyncReport,
    ) -> Result<(), SubsonicSyncError> {
        let names = self.names_of_new(pending, name).await?;
        let name = names.last().map_or(name, String::as_str);
        let found = if super::was_attempted(pending) {
            self.made_by_lost_create(&names).await?
        } else {
            None
        };
        let made = if let Some(made) = found {
            made
        } else {
            self.note_sending(pending.seq).await?;
            match self
                .client
                .create_playlist(name, &[])
                .await
                .map_err(classify)
            {
                Ok(made) => made,
                Err(Failure::Stop(error)) => {
                    return self.write_failed(pending, error, report).await;
                }
                Err(Failure::Refused(reason) | Failure::NotFound(reason)) => {
                    return self.park(pending, reason, report).await;
                }
            }
        };
        let server = match self.client.playlist(&made.id).await {
            Ok(server) => server,
            Err(error) => return Err(self.stop(pending.seq, error).await),
        };
        let answer = named_after(&server, &[]);
        // What createPlaylist makes: the name, no comment, no songs.
        let expected = Playlist {
            name: name.to_owned(),
            description: String::new(),
            items: Vec::new(),
            ..answer.clone()
        };
        let exact = same_content(&answer, &expected);
        let (id, description) = (pending.playlist_id.clone(), description.to_owned());
        // Logged before the create is retired (in the same call, nothing awaited between):
        // cut short after it, the next pass finds the create's playlist and the Describe
        // already logged; the other way round, the answer's empty comment would be the only
        // copy of the playlist's description until the Describe is logged.
        self.retire_with(pending, answer, exact, report, move |lib| {
            if description.is_empty() {
                Ok(())
            } else {
                describe_later(lib, &id, &description)
            }
        })
        .await
    }

    /// The names the playlist of create `pending` (named `name`) has had while waiting: its
    /// own, then those of the renames waiting behind it, oldest first. The last is sent with
    /// the create, so those renames are done by it: Supysonic 0.7.9 fails on any
    /// `updatePlaylist` of a playlist that never had a song, and a playlist renamed before
    /// its first song would hold every later edit back until parked.
    async fn names_of_new(
        &self,
        pending: &PendingOp,
        name: &str,
    ) -> Result<Vec<String>, SubsonicSyncError> {
        let id = pending.playlist_id.clone();
        let pending_ops = self.library.call(|lib| lib.pending_ops()).await?;
        let mut names = vec![name.to_owned()];
        names.extend(pending_ops.into_iter().filter_map(|op| match op.op {
            PlaylistOp::Rename { name } if op.playlist_id == id => Some(name),
            _ => None,
        }));
        Ok(names)
    }

    /// The playlist an earlier attempt of a create made, if the server lists one: named
    /// one of `names` (a rename logged since that attempt changes the name sent), the
    /// account's, empty, unknown to the library; the newest of several.
    async fn made_by_lost_create(
        &self,
        names: &[String],
    ) -> Result<Option<wire::Playlist>, SubsonicSyncError> {
        let listed = self.client.playlists().await?;
        let known: HashSet<String> = self
            .library
            .call(|lib| lib.last_seen_playlists())
            .await?
            .into_iter()
            .map(|seen| seen.id)
            .collect();
        let user = self.client.username();
        Ok(listed
            .into_iter()
            .filter(|playlist| {
                names.contains(&playlist.name)
                    && playlist.song_count == 0
                    && !known.contains(&playlist.id)
                    && super::owned_by(playlist, user)
            })
            .max_by(|a, b| a.created.cmp(&b.created)))
    }
}

/// Logs `description` for playlist `id` as an edit of its own, unless a pending edit
/// describes it already or it is deleted here meanwhile.
fn describe_later(
    lib: &mut Library,
    id: &str,
    description: &str,
) -> Result<(), strato_library::Error> {
    let described = lib.pending_ops()?.iter().any(|pending| {
        pending.playlist_id == id && matches!(pending.op, PlaylistOp::Describe { .. })
    });
    if described {
        return Ok(());
    }
    match lib.describe_playlist(id, description) {
        Err(error) if error.kind() != ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}
