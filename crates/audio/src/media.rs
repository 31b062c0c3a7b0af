//! The seam between the network and the decoder: one track's encoded audio.
//!
//! The engine never fetches. It asks a [`MediaOpener`] for a track's [`TrackMedia`] (which
//! starts fetching in the background and returns at once), then, on a decoder thread, asks
//! the media for a [`MediaRun`] at a position: a byte source the decoder reads, blocking
//! only on bytes that have not arrived.

use std::sync::Arc;
use std::time::Duration;

use crate::gain::{MeasuredLoudness, ReplayGain};
use crate::{AudioError, MediaSource};

/// One track in the player's queue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueItem {
    /// The catalog id, handed back to the opener.
    pub id: String,
    /// From the catalog, until the decoder knows better; used to decide when to prefetch.
    pub duration: Option<Duration>,
    /// Loudness normalisation data, when the catalog has it.
    pub replay_gain: Option<ReplayGain>,
    /// The track's loudness as measured here before, for a track without `ReplayGain`.
    /// With neither, the player measures the track as it plays it from the start (see
    /// [`crate::PlayerEvent::Loudness`]).
    pub loudness: Option<MeasuredLoudness>,
    /// Where the track sits on its album, when the catalog says.
    pub album: Option<AlbumPlace>,
}

/// A track's place on its album. Crossfade never blends a track into the one after it on
/// the same album played in order: a live album or a continuous mix flows from one track
/// into the next as recorded, and is heard gaplessly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbumPlace {
    pub album_id: String,
    pub track_number: u32,
}

impl AlbumPlace {
    /// Whether `next` is the track after this one on the same album.
    #[must_use]
    pub fn followed_by(&self, next: &AlbumPlace) -> bool {
        self.album_id == next.album_id
            && Some(next.track_number) == self.track_number.checked_add(1)
    }
}

/// Encoded bytes for the decoder, from a position on.
pub struct MediaRun {
    pub source: Box<dyn MediaSource>,
    /// A file extension that helps the probe ("mp3", "aac", "mp4").
    pub hint: Option<&'static str>,
    /// Decoded frames to drop before the first one heard: encoder delay, and the distance
    /// from where the run starts to where the listener asked to be.
    pub skip_frames: u64,
    /// Ask the decoder to seek to this position itself (a seekable file such as the MP3).
    pub seek_to: Option<Duration>,
    /// Whether that seek must be sample-exact (the bytes before it are at hand) or may be
    /// estimated from the file's size (they are not, and fetching them all would be slow).
    pub accurate_seek: bool,
}

impl std::fmt::Debug for MediaRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaRun")
            .field("hint", &self.hint)
            .field("skip_frames", &self.skip_frames)
            .field("seek_to", &self.seek_to)
            .finish_non_exhaustive()
    }
}

/// A track's encoded audio. Shared between the player and the decoder threads.
pub trait TrackMedia: Send + Sync {
    /// Opens the track at `position`. Blocks until the first bytes can be read: call it on a
    /// decoder thread. Readers of earlier runs stop (they see the end of their input).
    fn open_at(&self, position: Duration) -> Result<MediaRun, AudioError>;

    /// After a run's source ended: the next run (a discontinuity), or `None` at the end.
    fn next_run(&self) -> Result<Option<MediaRun>, AudioError>;

    /// Frames of encoder padding at the end of the decoded audio, to drop.
    fn padding_frames(&self) -> u64 {
        0
    }

    /// How far ahead of the start the audio has been fetched, when known.
    fn buffered_until(&self) -> Option<Duration> {
        None
    }

    /// Stops every fetch for this track; blocked readers see the end of their input.
    fn close(&self);
}

/// Makes a [`TrackMedia`] for a queue item. Must not block: start fetching, return.
pub trait MediaOpener: Send + Sync {
    fn open(&self, item: &QueueItem) -> Result<Arc<dyn TrackMedia>, AudioError>;
}

/// A local file (a download, or a file the listener opened) as [`TrackMedia`].
#[derive(Debug)]
pub struct FileMedia {
    path: std::path::PathBuf,
}

impl FileMedia {
    #[must_use]
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl TrackMedia for FileMedia {
    fn open_at(&self, position: Duration) -> Result<MediaRun, AudioError> {
        let path = self.path.display();
        if self.path.is_dir() {
            // Opening a folder succeeds on some systems; reading it is what fails.
            return Err(AudioError::NotAudio(format!("{path} is a folder")));
        }
        let file = std::fs::File::open(&self.path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => {
                AudioError::NotFound(format!("The file {path} does not exist."))
            }
            std::io::ErrorKind::PermissionDenied => {
                AudioError::Forbidden(format!("Strato may not read the file {path}."))
            }
            _ => AudioError::Io(err),
        })?;
        let extension = self.path.extension().and_then(|e| e.to_str());
        let hint = extension.and_then(|e| hint_for_extension(&e.to_ascii_lowercase()));
        Ok(MediaRun {
            source: Box::new(file),
            hint,
            skip_frames: 0,
            seek_to: (!position.is_zero()).then_some(position),
            accurate_seek: true,
        })
    }

    fn next_run(&self) -> Result<Option<MediaRun>, AudioError> {
        Ok(None)
    }

    fn close(&self) {}
}

/// The probe's hint for a file named with `extension` (lower case): the formats a listener's
/// files come in. The probe reads the bytes either way; the hint only tells it where to look
/// first, and decides for headerless MPEG audio and ADTS.
#[must_use]
pub fn hint_for_extension(extension: &str) -> Option<&'static str> {
    Some(match extension {
        "mp3" | "mpga" => "mp3",
        "mp2" | "mpa" => "mp2",
        "mp1" => "mp1",
        "aac" | "adts" => "aac",
        "m4a" | "m4b" | "mp4" | "alac" => "mp4",
        "flac" => "flac",
        "wav" | "wave" => "wav",
        "aif" | "aiff" | "aifc" => "aiff",
        "ogg" | "oga" => "ogg",
        "opus" => "opus",
        _ => return None,
    })
}
