//! Loudness normalisation for tracks without `ReplayGain` (issue 19): their loudness measured
//! once, kept in the account's library, and handed to the player with the track ever after.
//!
//! A track is measured when it is first played in full (on the player's decode thread; the
//! player reports it as [`PlayerEvent::Loudness`], and [`LoudnessKeeper`] keeps it) or when it
//! is downloaded ([`measure_downloads`]: the file decoded and measured on a blocking thread,
//! one at a time, after the download is complete, so it never slows a download down; a
//! failure is logged and the download stays as it is). Queued again, the track carries what
//! was measured, with its album's when every track of the album is measured
//! ([`strato_library::Library::known_loudness`]), and the player normalises it to the
//! listener's target like a tagged one (see [`strato_audio::gain`]).
//!
//! Only catalog tracks are kept: a file or URL the listener opened is measured by the player
//! all the same, but its name (a local path, a URL that may carry a signature) never goes
//! into the library.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use strato_audio::decode::TrackDecoder;
use strato_audio::{
    AudioError, FileMedia, Loudness, MeasuredLoudness, PlayerEvent, QueueItem, TrackMedia,
};
use strato_dsp::LoudnessMeter;
use strato_library::{KnownLoudness, Library, MeasuredFrom, TrackLoudness};
use strato_sync::LibraryHandle;
use strato_sync::downloads::{DownloadEvent, kept_file};
use tokio::sync::{broadcast, mpsc};

use crate::offline::AccountLibrary;
use crate::streaming::RoutingOpener;

/// Measurements waiting for the disk; past this (a disk that stopped answering), the newest
/// are dropped (the track is measured again the next time it plays).
const WAITING: usize = 64;

/// Keeps what the player measured in the library of the account signed in.
pub(crate) struct LoudnessKeeper {
    measured: mpsc::Sender<(String, Loudness)>,
}

/// The keeper, with its writer running on `runtime` into the signed-in account's `library`.
pub(crate) fn start(
    runtime: &tokio::runtime::Handle,
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
) -> LoudnessKeeper {
    let (measured, to_keep) = mpsc::channel(WAITING);
    runtime.spawn(keep(to_keep, library));
    LoudnessKeeper { measured }
}

impl LoudnessKeeper {
    /// Takes a measurement from the player's events. Runs on the player thread: never waits.
    pub(crate) fn observe(&self, event: &PlayerEvent) {
        if let PlayerEvent::Loudness { id, loudness } = event
            && !RoutingOpener::is_location(id)
            && self.measured.try_send((id.clone(), *loudness)).is_err()
        {
            tracing::debug!("a track's loudness was not kept: the library is behind");
        }
    }
}

/// Keeps each measurement in the library of the account signed in when it came (none: not
/// kept). Runs until the keeper is gone.
async fn keep(
    mut to_keep: mpsc::Receiver<(String, Loudness)>,
    library: Arc<Mutex<Option<Arc<AccountLibrary>>>>,
) {
    while let Some((id, loudness)) = to_keep.recv().await {
        let current = library
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let Some(library) = current else {
            continue;
        };
        let kept = library
            .handle()
            .call(move |lib| keep_for_catalog_track(lib, &id, &loudness, MeasuredFrom::Play))
            .await;
        if let Err(error) = kept {
            tracing::warn!(%error, "a track's loudness was not kept");
        }
    }
}

/// Keeps `loudness` for `track_id` if the track is one of the catalog's.
fn keep_for_catalog_track(
    lib: &mut Library,
    track_id: &str,
    loudness: &Loudness,
    from: MeasuredFrom,
) -> strato_library::Result<()> {
    if lib.track(track_id)?.is_none() {
        return Ok(());
    }
    lib.keep_loudness(track_id, &stored(loudness), from)
}

fn stored(loudness: &Loudness) -> TrackLoudness {
    TrackLoudness {
        integrated_lufs: loudness.integrated_lufs,
        true_peak: loudness.true_peak,
        seconds: loudness.seconds,
    }
}

fn measured(stored: &TrackLoudness) -> Loudness {
    Loudness {
        integrated_lufs: stored.integrated_lufs,
        true_peak: stored.true_peak,
        seconds: stored.seconds,
    }
}

/// What the player needs of a track's kept loudness.
pub(crate) fn for_player(known: &KnownLoudness) -> MeasuredLoudness {
    MeasuredLoudness {
        track: measured(&known.track),
        album: known.album.as_ref().map(measured),
    }
}

/// Gives `items` the loudness kept for them in `library` (those with `ReplayGain` need none).
pub(crate) async fn fill_in(library: &AccountLibrary, items: &mut [QueueItem]) {
    let ids: Vec<String> = items
        .iter()
        .filter(|item| item.replay_gain.is_none() && item.loudness.is_none())
        .map(|item| item.id.clone())
        .collect();
    if ids.is_empty() {
        return;
    }
    match library
        .handle()
        .call(move |lib| lib.known_loudness(&ids))
        .await
    {
        Ok(known) => fill_from(&known, items),
        Err(error) => tracing::warn!(%error, "the tracks' loudness could not be read"),
    }
}

/// Gives `items` their loudness from `known` (by track id).
pub(crate) fn fill_from(known: &HashMap<String, KnownLoudness>, items: &mut [QueueItem]) {
    for item in items.iter_mut().filter(|item| item.replay_gain.is_none()) {
        if let Some(known) = known.get(&item.id) {
            item.loudness = Some(for_player(known));
        }
    }
}

/// Measures each download as it completes, for tracks without `ReplayGain` not measured yet.
/// Runs until the download manager is gone.
pub(crate) async fn measure_downloads(
    mut events: broadcast::Receiver<DownloadEvent>,
    library: LibraryHandle,
    downloads_dir: PathBuf,
) {
    loop {
        let track_id = match events.recv().await {
            Ok(DownloadEvent::Completed { track_id }) => track_id,
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if let Err(error) = measure_download(&library, &downloads_dir, track_id).await {
            tracing::warn!(%error, "a download's loudness was not measured");
        }
    }
}

/// Why a download was not measured.
#[derive(Debug, thiserror::Error)]
enum MeasureError {
    #[error(transparent)]
    Library(#[from] strato_library::Error),
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error("the measuring stopped: {0}")]
    Stopped(String),
}

async fn measure_download(
    library: &LibraryHandle,
    downloads_dir: &Path,
    track_id: String,
) -> Result<(), MeasureError> {
    let id = track_id.clone();
    let file: Option<PathBuf> = library
        .call(move |lib| -> strato_library::Result<Option<PathBuf>> {
            let Some(track) = lib.track(&id)? else {
                return Ok(None);
            };
            if track.replaygain.is_some() || lib.track_loudness(&id)?.is_some() {
                return Ok(None);
            }
            Ok(lib.download(&id)?.and_then(|download| download.path))
        })
        .await?;
    // Where it is now, as the player finds it (see `AccountLibrary::downloaded_file`).
    let Some(file) = file.and_then(|recorded| kept_file(downloads_dir, &recorded)) else {
        return Ok(());
    };
    let loudness = tokio::task::spawn_blocking(move || measure_file(&file))
        .await
        .map_err(|e| MeasureError::Stopped(e.to_string()))??;
    let Some(loudness) = loudness else {
        return Ok(());
    };
    tracing::debug!(
        lufs = loudness.integrated_lufs,
        peak_dbtp = loudness.true_peak_dbtp(),
        "measured a download's loudness"
    );
    library
        .call(move |lib| keep_for_catalog_track(lib, &track_id, &loudness, MeasuredFrom::Download))
        .await?;
    Ok(())
}

/// Decodes the audio file at `path` whole and measures it; `None` for silence.
///
/// # Errors
/// The file cannot be read or decoded.
pub(crate) fn measure_file(path: &Path) -> Result<Option<Loudness>, AudioError> {
    let run = FileMedia::new(path).open_at(Duration::ZERO)?;
    let mut decoder = TrackDecoder::open(run.source, run.hint)?;
    // A file keeps one format from start to end.
    let format = decoder.pcm_format();
    let (rate, channels) = (format.sample_rate, format.channels);
    let unmeasurable = |e: strato_dsp::MeterError| AudioError::Unsupported(e.to_string());
    let mut meter = LoudnessMeter::new(rate, channels).map_err(unmeasurable)?;
    while let Some(block) = decoder.next_block()? {
        meter.add(block, rate, channels).map_err(unmeasurable)?;
    }
    Ok(meter.loudness())
}
