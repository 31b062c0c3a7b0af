//! The player's commands: what to play, and how.

use std::time::Duration;

use strato_audio::{EntryId, QueueItem, RepeatMode};
use strato_model::ipc::{
    AppError, ErrorKind, OutputDeviceView, OutputDevices, PlaybackState, Track,
};

use super::App;
use crate::account::Connection;
use crate::error;
use crate::offline::queue::QueueNote;
use crate::queue_view::queue_item;

impl App {
    /// Plays `track_id` alone. Returns at once; progress and failure arrive as status
    /// events, so the UI never waits on the network.
    pub async fn play_track(&self, track_id: &str) -> Result<(), AppError> {
        self.play_queue(vec![track_id.to_owned()], 0).await
    }

    /// Replaces the queue with `track_ids` and plays the one at `start`.
    pub async fn play_queue(&self, track_ids: Vec<String>, start: usize) -> Result<(), AppError> {
        self.play_queue_at(track_ids, start, 0).await
    }

    /// Like [`Self::play_queue`], starting `position_ms` into the first track (a restored
    /// session, a shared link to a moment).
    pub async fn play_queue_at(
        &self,
        track_ids: Vec<String>,
        start: usize,
        position_ms: u32,
    ) -> Result<(), AppError> {
        if start >= track_ids.len() {
            return Err(AppError::new(ErrorKind::InvalidInput, "Nothing to play."));
        }
        let tracks = self.queue_tracks(&track_ids).await?;
        self.start_queue(&tracks, start, position_ms).await;
        Ok(())
    }

    /// Hands the player `tracks` as its queue, playing the one at `start`, `position_ms` in.
    pub(super) async fn start_queue(&self, tracks: &[Track], start: usize, position_ms: u32) {
        let items = self.queue_items(tracks).await;
        self.status.starting(tracks.get(start).cloned());
        self.queue.know(tracks);
        self.player
            .set_queue(items, start, Duration::from_millis(position_ms.into()));
    }

    /// What the player needs of `tracks`: their catalog data, and the loudness measured
    /// here for those without `ReplayGain`.
    pub(super) async fn queue_items(&self, tracks: &[Track]) -> Vec<QueueItem> {
        let mut items: Vec<QueueItem> = tracks.iter().map(queue_item).collect();
        if let Some(library) = self.library() {
            crate::loudness::fill_in(&library, &mut items).await;
        }
        items
    }

    /// The catalog data of tracks about to be queued (offline, from the catalog cache and
    /// the downloads), with the opener ready to stream them.
    pub(super) async fn queue_tracks(&self, track_ids: &[String]) -> Result<Vec<Track>, AppError> {
        // Files on this computer need no session: a queue of only those does not wait for
        // one to be resumed.
        let connection = if track_ids
            .iter()
            .all(|id| strato_local::ids::is_local_track_id(id))
        {
            None
        } else {
            self.online_connection().await.ok()
        };
        let service = connection.as_ref().map(Connection::service);
        let mut tracks = Vec::with_capacity(track_ids.len());
        for id in track_ids {
            tracks.push(self.track(service.as_deref(), id).await?);
        }
        if connection.is_some() {
            self.opener.set_connection(connection.as_ref());
        }
        Ok(tracks)
    }

    /// Lets the opener stream with the session's credentials, before a command that may
    /// start a track the queue already holds (one restored from the last run).
    pub(super) fn arm_opener(&self) {
        if let Ok(connection) = self.connection() {
            self.opener.set_connection(Some(&connection));
        }
    }

    /// Before the app quits (the window closed, Quit in the tray or the app menu): playback
    /// paused, the queue and the position written to the library (the keeper otherwise saves
    /// the position every few seconds), and the settings file, so the next start resumes
    /// exactly here. Waits at most `limit` for the disk.
    pub async fn prepare_to_quit(&self, limit: Duration) {
        self.player.pause();
        let (done, written) = tokio::sync::oneshot::channel();
        if self.queue_notes.send(QueueNote::Flush(done)).is_ok()
            && tokio::time::timeout(limit, written).await.is_err()
        {
            tracing::warn!("the queue was not saved in time before quitting");
        }
        self.preferences.flush();
        tracing::info!("ready to quit");
    }

    /// Empties the queue and stops: the account it belonged to is leaving.
    pub(super) fn end_queue(&self) {
        self.player.set_queue(Vec::new(), 0, Duration::ZERO);
        self.player.stop();
        self.queue.forget();
    }

    /// Plays files or URLs (MP3, AAC, M4A, HLS playlists), no account needed.
    pub fn play_locations(
        &self,
        locations: Vec<String>,
        start: usize,
        position_ms: u32,
    ) -> Result<(), AppError> {
        if start >= locations.len() {
            return Err(AppError::new(ErrorKind::InvalidInput, "Nothing to play."));
        }
        let items = locations
            .into_iter()
            .map(|id| QueueItem {
                id,
                duration: None,
                replay_gain: None,
                loudness: None,
                album: None,
            })
            .collect();
        self.player
            .set_queue(items, start, Duration::from_millis(position_ms.into()));
        Ok(())
    }

    /// The audio output devices a listener can choose from now (none when the app plays
    /// to a file or nowhere). Listed on a blocking thread: a backend may probe each device.
    pub async fn output_devices(&self) -> Result<OutputDevices, AppError> {
        let Some(list) = self.settings.audio_output.device_list() else {
            return Ok(OutputDevices {
                devices: Vec::new(),
                choosable: false,
            });
        };
        let devices = tokio::task::spawn_blocking(move || list.devices())
            .await
            .map_err(|e| {
                AppError::new(
                    ErrorKind::Internal,
                    format!("listing the devices failed: {e}"),
                )
            })?
            .map_err(|e| error::from_audio(&strato_audio::AudioError::Output(e)))?;
        Ok(OutputDevices {
            devices: devices
                .into_iter()
                .map(|d| OutputDeviceView {
                    name: d.name,
                    is_default: d.is_default,
                })
                .collect(),
            choosable: true,
        })
    }

    /// Plays the queue's entry `entry_id` (see [`Self::queue_view`]).
    pub fn jump(&self, entry_id: u64) {
        self.arm_opener();
        self.player.jump(EntryId(entry_id));
    }

    pub fn pause(&self) {
        self.player.pause();
    }

    /// Resumes, or starts the queue restored from the last run where it was.
    pub fn resume(&self) {
        self.arm_opener();
        self.player.resume();
    }

    pub fn stop(&self) {
        self.player.stop();
    }

    /// Pauses what plays (or is on its way: loading, buffering), or resumes: the one button
    /// of the tray, the media keys and the desktop's media panel.
    pub fn play_pause(&self) {
        if matches!(
            self.player_status().state,
            PlaybackState::Playing | PlaybackState::Loading | PlaybackState::Buffering
        ) {
            self.pause();
        } else {
            self.resume();
        }
    }

    pub fn next(&self) {
        self.arm_opener();
        self.player.next();
    }

    pub fn previous(&self) {
        self.arm_opener();
        self.player.previous();
    }

    pub fn seek(&self, position_ms: u32) {
        self.meter.seeking();
        // A user action of its own: the requests it causes carry a trace of their own.
        if let Some(track) = self.status.snapshot().track
            && let Some(root) = self.opener.trace_seek(&track.id)
        {
            tracing::info!(trace = root, "seek");
        }
        self.player.seek(Duration::from_millis(position_ms.into()));
    }

    /// Shuffles the queue, or plays it in order again; kept across restarts.
    pub fn set_shuffle(&self, shuffle: bool) {
        self.player.set_shuffle(shuffle);
        self.preferences.update(|s| s.playback.shuffle = shuffle);
    }

    /// Kept across restarts.
    pub fn set_repeat(&self, repeat: strato_model::ipc::RepeatMode) {
        self.player.set_repeat(engine_repeat(repeat));
        self.preferences.update(|s| s.playback.repeat = repeat);
    }
}

/// The engine's name for a repeat mode.
pub(super) fn engine_repeat(repeat: strato_model::ipc::RepeatMode) -> RepeatMode {
    match repeat {
        strato_model::ipc::RepeatMode::Off => RepeatMode::Off,
        strato_model::ipc::RepeatMode::All => RepeatMode::All,
        strato_model::ipc::RepeatMode::One => RepeatMode::One,
    }
}
