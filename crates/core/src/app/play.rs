//! The player's commands: what to play, and how.

use std::time::Duration;

use strato_audio::{QueueItem, RepeatMode, ReplayGain};
use strato_model::ipc::{AppError, ErrorKind, Track};

use super::{App, lock, sink_opener};
use crate::error;
use crate::offline::queue::RestoredQueue;
use crate::settings::AudioOutput;

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
        // Offline, the queue plays from the catalog cache and the downloads.
        let api = self.online_api().await;
        let mut tracks = Vec::with_capacity(track_ids.len());
        for id in &track_ids {
            tracks.push(self.track(api.as_ref().ok(), id).await?);
        }
        if let Ok(api) = api {
            self.opener.set_api(Some(api));
        }
        lock(&self.restored).take();
        let items = tracks.iter().map(queue_item).collect();
        self.status.queue_set(tracks, start);
        self.player
            .set_queue(items, start, Duration::from_millis(position_ms.into()));
        Ok(())
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
            })
            .collect();
        self.player
            .set_queue(items, start, Duration::from_millis(position_ms.into()));
        Ok(())
    }

    /// The audio output devices this machine has.
    pub fn output_devices(&self) -> Result<Vec<strato_audio::OutputDevice>, AppError> {
        strato_audio::output_devices()
            .map_err(|e| error::from_audio(&strato_audio::AudioError::Output(e)))
    }

    /// Plays through the device named `device` (`None`: the system's default) from now on.
    pub fn set_output_device(&self, device: Option<String>) {
        self.player
            .set_output(sink_opener(AudioOutput::Device, device));
    }

    /// Plays the queue's track at `index`.
    pub fn jump(&self, index: usize) {
        if let Some(mut restored) = lock(&self.restored).take() {
            restored.position_ms = 0;
            restored.index = index.min(restored.tracks.len().saturating_sub(1));
            self.play_restored(restored);
        } else {
            self.player.jump(index);
        }
    }

    pub fn pause(&self) {
        self.player.pause();
    }

    /// Resumes, or starts the queue restored from the last run where it was.
    pub fn resume(&self) {
        if let Some(restored) = lock(&self.restored).take() {
            self.play_restored(restored);
        } else {
            self.player.resume();
        }
    }

    fn play_restored(&self, restored: RestoredQueue) {
        if let Ok(api) = self.api() {
            self.opener.set_api(Some(api));
        }
        let items = restored.tracks.iter().map(queue_item).collect();
        self.status.queue_set(restored.tracks, restored.index);
        self.player.set_queue(
            items,
            restored.index,
            Duration::from_millis(restored.position_ms.into()),
        );
    }

    pub fn stop(&self) {
        self.player.stop();
    }

    pub fn next(&self) {
        self.player.next();
    }

    pub fn previous(&self) {
        self.player.previous();
    }

    pub fn seek(&self, position_ms: u32) {
        self.player.seek(Duration::from_millis(position_ms.into()));
    }

    pub fn set_volume(&self, volume: f32) {
        self.player.set_volume(volume);
    }

    pub fn set_shuffle(&self, shuffle: bool) {
        self.player.set_shuffle(shuffle);
    }

    pub fn set_repeat(&self, repeat: strato_model::ipc::RepeatMode) {
        self.player.set_repeat(match repeat {
            strato_model::ipc::RepeatMode::Off => RepeatMode::Off,
            strato_model::ipc::RepeatMode::All => RepeatMode::All,
            strato_model::ipc::RepeatMode::One => RepeatMode::One,
        });
    }
}

fn queue_item(track: &Track) -> QueueItem {
    QueueItem {
        id: track.id.clone(),
        duration: Some(Duration::from_millis(track.duration_ms.into())),
        replay_gain: track.replaygain.as_ref().map(|rg| ReplayGain {
            track_gain_db: Some(rg.track_gain_db),
            track_peak: Some(rg.track_peak),
            album_gain_db: Some(rg.album_gain_db),
            album_peak: Some(rg.album_peak),
        }),
    }
}
