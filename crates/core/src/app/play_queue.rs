//! The queue's commands: tracks to play next or later, edits of the queue while it plays,
//! saving it as a playlist, and the queue as the window reads it.
//!
//! Entries are named by their ids ([`QueueEntry::entry_id`]), never by position: the same
//! track may be queued twice, and a position read a moment ago may have moved since (the
//! player moves on by itself). Edits return at once; the change reaches the window as one
//! `queue-changed` event.
//!
//! [`QueueEntry::entry_id`]: strato_model::ipc::QueueEntry::entry_id

use strato_audio::{EntryId, Placement};
use strato_model::ipc::{AppError, ErrorKind, LibraryPlaylist, QueuePage, QueueView};

use super::App;

impl App {
    /// Puts tracks right after the one playing, before anything queued earlier. Into an
    /// empty queue, they play.
    pub async fn play_next(&self, track_ids: Vec<String>) -> Result<(), AppError> {
        self.queue_up(track_ids, Placement::Next).await
    }

    /// Puts tracks after the one playing and what was queued before them, ahead of the rest
    /// of the list (Spotify's "Add to queue"). Into an empty queue, they play.
    pub async fn add_to_queue(&self, track_ids: Vec<String>) -> Result<(), AppError> {
        self.queue_up(track_ids, Placement::Queue).await
    }

    async fn queue_up(&self, track_ids: Vec<String>, placement: Placement) -> Result<(), AppError> {
        if track_ids.is_empty() {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "Choose at least one track to add to the queue.",
            ));
        }
        let tracks = self.queue_tracks(&track_ids).await?;
        self.queue.know(&tracks);
        if self.queue.snapshot().entries.is_empty() {
            // Nothing was queued: what is added plays.
            self.status.starting(tracks.first().cloned());
        }
        let items = self.queue_items(&tracks).await;
        self.player.insert(items, placement);
        Ok(())
    }

    /// Moves entries together, in their queue order, so the first lands at `position` in
    /// the queue counted without them (clamped to its end).
    pub fn move_in_queue(&self, entry_ids: Vec<u64>, position: u32) {
        let position = usize::try_from(position).unwrap_or(usize::MAX);
        self.player.move_entries(to_entries(entry_ids), position);
    }

    /// Takes entries out of the queue. The one playing stays: "next" skips it.
    pub fn remove_from_queue(&self, entry_ids: Vec<u64>) {
        self.player.remove(to_entries(entry_ids));
    }

    /// Empties "next up". What played, and what plays now, stay.
    pub fn clear_queue(&self) {
        self.player.clear_upcoming();
    }

    /// A new playlist named `name` with the queue's tracks, in the order they play; files on
    /// this computer are left out (the account's playlists are its server's too).
    pub async fn save_queue_as_playlist(&self, name: &str) -> Result<LibraryPlaylist, AppError> {
        let queued: Vec<String> = self
            .queue
            .snapshot()
            .entries
            .iter()
            .map(|e| e.item.id.clone())
            .collect();
        if queued.is_empty() {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "The queue is empty: there is nothing to save.",
            ));
        }
        let track_ids: Vec<String> = queued
            .into_iter()
            .filter(|id| !strato_local::ids::is_local_track_id(id))
            .collect();
        if track_ids.is_empty() {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                "The queue holds only files on this computer, which cannot go into your \
                 account's playlists.",
            ));
        }
        let limit = strato_library::MAX_PLAYLIST_ITEMS;
        if track_ids.len() > limit {
            return Err(AppError::new(
                ErrorKind::InvalidInput,
                format!(
                    "A playlist holds at most {limit} tracks, and the queue has {}.",
                    track_ids.len()
                ),
            ));
        }
        let created = self.create_playlist(name, "").await?;
        let added = self.add_to_playlist(&created.id, track_ids, None).await?;
        Ok(added.playlist)
    }

    /// The queue now, with the entries around the one playing (the rest by
    /// [`Self::queue_page`]). The same as the last `queue-changed` event said.
    #[must_use]
    pub fn queue_view(&self) -> QueueView {
        self.queue.view()
    }

    /// Up to `limit` of the queue's entries (at most 500) from `offset`, in play order.
    #[must_use]
    pub fn queue_page(&self, offset: u32, limit: u32) -> QueuePage {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        self.queue.page(offset, limit)
    }
}

fn to_entries(ids: Vec<u64>) -> Vec<EntryId> {
    ids.into_iter().map(EntryId).collect()
}
