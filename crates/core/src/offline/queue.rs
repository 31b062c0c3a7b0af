//! Keeps the play queue (its entries with their ids, shuffle and repeat), the current entry
//! and the position in the library, so a restart resumes where the listener was, and
//! records each play in the local history.
//!
//! The player thread only sends small notes down a channel (a queue snapshot shares the
//! player's entries, it copies nothing); the writes happen on tokio, through the library's
//! blocking pool, so playback never waits on the disk. Notes that arrive while a write is
//! under way are folded into the next one: a burst of edits (a track moved down ten places
//! by keyboard) saves the queue once or twice, not ten times.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strato_audio::{Entry, EntryId, PlayerEvent, QueueSnapshot, QueueState, RepeatMode};
use strato_library::{PlayQueue, QueueEntryRow, QueueRepeat};
use strato_model::ipc::{PlaybackState, Track};
use tokio::sync::mpsc::UnboundedReceiver;

use super::AccountLibrary;
use crate::playback::StatusKeeper;
use crate::queue_view::queue_item;

/// The position is saved this often while playing (and on every pause and track change).
const POSITION_SAVE_INTERVAL: Duration = Duration::from_secs(5);
/// A play shorter than this is a skip, not a listen: not recorded.
const MIN_PLAY_MS: u32 = 1_000;
/// A track heard this long, or for half its length if shorter, goes into the streaming cache
/// (an unpinned download, evicted first when the storage quota needs room), so hearing it
/// again costs no streaming and works offline. The rule scrobblers use for "listened".
const CACHE_AFTER_MS: u32 = 30_000;

/// What the player thread tells the keeper (and the app, before it quits).
#[derive(Debug)]
pub(crate) enum QueueNote {
    TrackChanged,
    Position(u32),
    State(PlaybackState),
    Queue(QueueSnapshot),
    /// Save the position now, then drop the sender: everything noted before is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

impl QueueNote {
    pub(crate) fn from_event(event: &PlayerEvent) -> Option<Self> {
        match event {
            PlayerEvent::TrackChanged { .. } => Some(Self::TrackChanged),
            PlayerEvent::Position { position_ms, .. } => Some(Self::Position(*position_ms)),
            PlayerEvent::State(state) => Some(Self::State(*state)),
            PlayerEvent::Queue(snapshot) => Some(Self::Queue(snapshot.clone())),
            _ => None,
        }
    }
}

/// A queue restored from the library, shown paused until the listener resumes it.
#[derive(Debug, Clone)]
pub(crate) struct RestoredQueue {
    pub(crate) state: QueueState,
    /// The queued tracks' catalog data.
    pub(crate) tracks: Vec<Track>,
    /// The current entry's track.
    pub(crate) current: Option<Track>,
    pub(crate) position_ms: u32,
}

/// Reads the saved queue; entries whose track the catalog cache no longer knows are left
/// out (and the whole queue, if that is the current one's fate).
pub(crate) fn restore(library: &AccountLibrary) -> Option<RestoredQueue> {
    library.handle().blocking(|lib| {
        let saved = lib.restore_queue().ok()??;
        let current = saved.current_index?;
        let mut tracks: Vec<Track> = Vec::with_capacity(saved.entries.len());
        let mut entries = Vec::with_capacity(saved.entries.len());
        let mut index = None;
        for (i, row) in saved.entries.iter().enumerate() {
            let Ok(Some(track)) = lib.track(&row.track_id) else {
                if i == current {
                    return None;
                }
                continue;
            };
            if i == current {
                index = Some(entries.len());
            }
            entries.push(Entry {
                id: EntryId(row.entry_id),
                item: queue_item(&track),
                queued: row.queued,
            });
            tracks.push(track);
        }
        let ids: Vec<String> = tracks.iter().map(|t| t.id.clone()).collect();
        if let Ok(known) = lib.known_loudness(&ids) {
            for entry in &mut entries {
                crate::loudness::fill_from(&known, std::slice::from_mut(&mut entry.item));
            }
        }
        let kept: std::collections::HashSet<u64> = entries.iter().map(|e| e.id.0).collect();
        let listed = saved.listed.map(|ids| {
            ids.into_iter()
                .filter(|id| kept.contains(id))
                .map(EntryId)
                .collect()
        });
        let current_track = index.and_then(|i| tracks.get(i).cloned());
        Some(RestoredQueue {
            state: QueueState {
                entries,
                current: index,
                listed,
                repeat: match saved.repeat {
                    QueueRepeat::Off => RepeatMode::Off,
                    QueueRepeat::All => RepeatMode::All,
                    QueueRepeat::One => RepeatMode::One,
                },
            },
            tracks,
            current: current_track,
            position_ms: u32::try_from(saved.position_ms).unwrap_or(0),
        })
    })
}

/// What the library holds of the queue, to tell a change that needs the queue rewritten
/// from one that only moves the place in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Saved {
    revision: u64,
    shuffle: bool,
    repeat: RepeatMode,
    current: Option<usize>,
}

/// Follows the player until the channel closes.
pub(crate) async fn keep(
    mut notes: UnboundedReceiver<QueueNote>,
    status: StatusKeeper,
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
) {
    let mut saved: Option<Saved> = None;
    // Whose library `saved` describes: another account's starts from nothing saved.
    let mut saved_in: std::sync::Weak<AccountLibrary> = std::sync::Weak::new();
    let mut queue: Option<QueueSnapshot> = None;
    let mut position_ms: u32 = 0;
    let mut last_save = Instant::now();
    // The track heard, since when (Unix seconds), how far it got, and its length.
    let mut heard: Option<(String, i64, u32, u32)> = None;
    while let Some(first) = notes.recv().await {
        let mut batch = vec![first];
        while let Ok(note) = notes.try_recv() {
            batch.push(note);
        }
        let Some(library) = library
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
        else {
            continue;
        };
        if !std::ptr::eq(saved_in.as_ptr(), Arc::as_ptr(&library)) {
            saved = None;
            saved_in = Arc::downgrade(&library);
        }
        let mut save_position = false;
        // Dropped at the end of this round, once its writes are done: the flush's answer.
        let mut flushed = Vec::new();
        for note in batch {
            match note {
                QueueNote::Queue(snapshot) => queue = Some(snapshot),
                QueueNote::TrackChanged => {
                    if let Some((track_id, since, ms, length)) =
                        heard.take().filter(|h| h.2 >= MIN_PLAY_MS)
                    {
                        record_play(&library, track_id, since, ms, length).await;
                    }
                    heard = status
                        .snapshot()
                        .track
                        .map(|t| (t.id, crate::unix_now(), 0, t.duration_ms));
                    position_ms = 0;
                    save_position = true;
                }
                QueueNote::Position(ms) => {
                    position_ms = ms;
                    if let Some((_, _, heard_ms, _)) = heard.as_mut() {
                        *heard_ms = (*heard_ms).max(ms);
                    }
                    save_position |= last_save.elapsed() >= POSITION_SAVE_INTERVAL;
                }
                QueueNote::State(PlaybackState::Paused | PlaybackState::Ended) => {
                    save_position = true;
                }
                QueueNote::State(_) => {}
                QueueNote::Flush(done) => {
                    flushed.push(done);
                    save_position = true;
                }
            }
        }
        let Some(snapshot) = queue.as_ref() else {
            continue;
        };
        // An empty queue is the one a leaving account leaves behind: the library keeps
        // the account's last real one.
        if snapshot.entries.is_empty() {
            continue;
        }
        let now = Saved {
            revision: snapshot.revision,
            shuffle: snapshot.shuffle(),
            repeat: snapshot.repeat,
            current: snapshot.current,
        };
        let whole = saved.is_none_or(|s| {
            (s.revision, s.shuffle, s.repeat) != (now.revision, now.shuffle, now.repeat)
        });
        if whole {
            let rows = to_rows(snapshot, position_ms);
            let result = library
                .handle()
                .call(move |lib| lib.save_queue(&rows))
                .await;
            match result {
                Ok(()) => saved = Some(now),
                Err(error) => tracing::warn!(%error, "could not save the queue"),
            }
            last_save = Instant::now();
        } else if save_position || saved.is_some_and(|s| s.current != now.current) {
            let (index, ms) = (now.current, position_ms);
            let result = library
                .handle()
                .call(move |lib| lib.save_queue_position(index, ms.into()))
                .await;
            match result {
                Ok(()) => saved = Some(now),
                // The queue saved may be shorter than the one playing (a save failed):
                // harmless, the next change saves it whole.
                Err(error) => tracing::debug!(%error, "could not save the play position"),
            }
            last_save = Instant::now();
        }
    }
}

fn to_rows(snapshot: &QueueSnapshot, position_ms: u32) -> PlayQueue {
    PlayQueue {
        entries: snapshot
            .entries
            .iter()
            .map(|e| QueueEntryRow {
                entry_id: e.id.0,
                track_id: e.item.id.clone(),
                queued: e.queued,
            })
            .collect(),
        current_index: snapshot.current,
        position_ms: position_ms.into(),
        listed: snapshot
            .listed
            .as_ref()
            .map(|ids| ids.iter().map(|id| id.0).collect()),
        repeat: match snapshot.repeat {
            RepeatMode::Off => QueueRepeat::Off,
            RepeatMode::All => QueueRepeat::All,
            RepeatMode::One => QueueRepeat::One,
        },
    }
}

/// Records a play in the history, and keeps a track heard at length in the streaming
/// cache.
async fn record_play(library: &AccountLibrary, track_id: String, since: i64, ms: u32, length: u32) {
    let for_cache = track_id.clone();
    let recorded = library
        .handle()
        .call(move |lib| lib.record_play(&track_id, since, ms.into()))
        .await;
    if let Err(error) = recorded {
        tracing::warn!(%error, "could not record a play");
    }
    // A file on this computer is there already, and the service does not know it.
    if ms >= CACHE_AFTER_MS.min(length / 2) && !strato_local::ids::is_local_track_id(&for_cache) {
        cache(library, for_cache).await;
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
