//! Keeps the play queue, the current track and the position in the library, so a restart
//! resumes where the listener was, and records each play in the local history.
//!
//! The player thread only sends small notes down a channel; the writes happen on tokio,
//! through the library's blocking pool, so playback never waits on the disk.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strato_audio::PlayerEvent;
use strato_library::PlayQueue;
use strato_model::ipc::{PlaybackState, Track};
use tokio::sync::mpsc::UnboundedReceiver;

use super::AccountLibrary;
use crate::playback::StatusKeeper;

/// The position is saved this often while playing (and on every pause and track change).
const POSITION_SAVE_INTERVAL: Duration = Duration::from_secs(5);
/// A play shorter than this is a skip, not a listen: not recorded.
const MIN_PLAY_MS: u32 = 1_000;
/// A track heard this long, or for half its length if shorter, goes into the streaming cache
/// (an unpinned download, evicted first when the storage quota needs room), so hearing it
/// again costs no streaming and works offline. The rule scrobblers use for "listened".
const CACHE_AFTER_MS: u32 = 30_000;

/// What the player thread tells the keeper.
#[derive(Debug, Clone, Copy)]
pub(crate) enum QueueNote {
    TrackChanged,
    Position(u32),
    State(PlaybackState),
}

impl QueueNote {
    pub(crate) fn from_event(event: &PlayerEvent) -> Option<Self> {
        match event {
            PlayerEvent::TrackChanged { .. } => Some(Self::TrackChanged),
            PlayerEvent::Position { position_ms, .. } => Some(Self::Position(*position_ms)),
            PlayerEvent::State(state) => Some(Self::State(*state)),
            _ => None,
        }
    }
}

/// A queue restored from the library, shown paused until the listener resumes it.
#[derive(Debug, Clone)]
pub(crate) struct RestoredQueue {
    pub(crate) tracks: Vec<Track>,
    pub(crate) index: usize,
    pub(crate) position_ms: u32,
}

/// Reads the saved queue; tracks the catalog cache no longer knows are left out.
pub(crate) fn restore(library: &AccountLibrary) -> Option<RestoredQueue> {
    library.handle().blocking(|lib| {
        let saved = lib.restore_queue().ok()??;
        let current = saved.current_index?;
        let mut tracks = Vec::with_capacity(saved.track_ids.len());
        let mut index = 0;
        for (i, id) in saved.track_ids.iter().enumerate() {
            if let Ok(Some(track)) = lib.track(id) {
                if i == current {
                    index = tracks.len();
                }
                tracks.push(track);
            } else if i == current {
                return None;
            }
        }
        Some(RestoredQueue {
            tracks,
            index,
            position_ms: u32::try_from(saved.position_ms).unwrap_or(0),
        })
    })
}

/// Follows the player until the channel closes.
pub(crate) async fn keep(
    mut notes: UnboundedReceiver<QueueNote>,
    status: StatusKeeper,
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
) {
    let mut saved_ids: Vec<String> = Vec::new();
    let mut last_save = Instant::now();
    // The track heard, since when (Unix seconds), how far it got, and its length.
    let mut heard: Option<(String, i64, u32, u32)> = None;
    while let Some(note) = notes.recv().await {
        let Some(library) = library
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
        else {
            continue;
        };
        let now = status.snapshot();
        let index = now.queue_index.and_then(|i| usize::try_from(i).ok());
        match note {
            QueueNote::TrackChanged => {
                if let Some((track_id, since, ms, length)) =
                    heard.take().filter(|h| h.2 >= MIN_PLAY_MS)
                {
                    let track_id_for_cache = track_id.clone();
                    let recorded = library
                        .handle()
                        .call(move |lib| lib.record_play(&track_id, since, ms.into()))
                        .await;
                    if let Err(error) = recorded {
                        tracing::warn!(%error, "could not record a play");
                    }
                    if ms >= CACHE_AFTER_MS.min(length / 2) {
                        cache(&library, track_id_for_cache).await;
                    }
                }
                heard = now
                    .track
                    .as_ref()
                    .map(|t| (t.id.clone(), unix_now(), 0, t.duration_ms));
                let ids: Vec<String> = now.queue.iter().map(|t| t.id.clone()).collect();
                let queue = PlayQueue {
                    track_ids: ids.clone(),
                    current_index: index.filter(|i| *i < ids.len()),
                    position_ms: 0,
                };
                let whole = ids != saved_ids;
                let saved = library
                    .handle()
                    .call(move |lib| {
                        if whole {
                            lib.save_queue(&queue)
                        } else {
                            lib.save_queue_position(queue.current_index, 0)
                        }
                    })
                    .await;
                match saved {
                    Ok(()) => saved_ids = ids,
                    Err(error) => tracing::warn!(%error, "could not save the queue"),
                }
                last_save = Instant::now();
            }
            QueueNote::Position(ms) => {
                if let Some((_, _, heard_ms, _)) = heard.as_mut() {
                    *heard_ms = (*heard_ms).max(ms);
                }
                if last_save.elapsed() >= POSITION_SAVE_INTERVAL {
                    save_position(&library, index, ms).await;
                    last_save = Instant::now();
                }
            }
            QueueNote::State(PlaybackState::Paused | PlaybackState::Ended) => {
                save_position(&library, index, now.position_ms).await;
                last_save = Instant::now();
            }
            QueueNote::State(_) => {}
        }
    }
}

/// Keeps a track heard at length in the streaming cache. The MP3 is fetched again rather
/// than kept from the stream: the stream was HLS (AAC segments of several bitrates), while
/// offline files are the verified MP3 the service offers for download.
async fn cache(library: &AccountLibrary, track_id: String) {
    let Some(downloads) = library.downloads() else {
        return;
    };
    if let Err(error) = downloads.enqueue(&[track_id], false).await {
        tracing::debug!(%error, "could not cache a played track");
    }
}

async fn save_position(library: &AccountLibrary, index: Option<usize>, position_ms: u32) {
    let saved = library
        .handle()
        .call(move |lib| lib.save_queue_position(index, position_ms.into()))
        .await;
    if let Err(error) = saved {
        // The queue saved may be shorter than the one playing (a save failed): harmless,
        // the next track change saves it whole.
        tracing::debug!(%error, "could not save the play position");
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
