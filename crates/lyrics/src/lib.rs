//! Lyrics for the track playing: synced when any source has them, plain otherwise.
//!
//! Where they come from, in order ([`LyricsLookup`]): for a local file, its `.lrc` or tags
//! first ([`local`]: cheap, and an edited `.lrc` wins); then what the library kept from an
//! earlier lookup (so they show offline); the service's own lyrics ([`ServerLyrics`], `OpenSubsonic`'s, plugged in by the app); and LRCLIB
//! ([`lrclib`]), the open lyrics database. A setting turns the network sources off
//! ([`Lookups`]). What was found, or that nothing was, is kept in the library
//! (`strato_library::KeptLyrics`); a "none found" is asked again after a week.
//!
//! The crate knows lyrics and their sources, nothing of the service's client or the app: it
//! depends on the formats (LRC), the library and the model only.

mod error;
pub mod local;
mod lookup;
pub mod lrclib;

use std::path::PathBuf;
use std::time::Duration;

use strato_formats::lrc::Lyrics;
use strato_library::{LyricsKey, LyricsSource};
use strato_model::api::Track;

pub use error::{LyricsError, LyricsErrorKind};
pub use lookup::{Lookups, LyricsCache, LyricsLookup, NoServerLyrics, ServerLyrics};
pub use lrclib::LrclibClient;

/// The track lyrics are wanted for: what the sources match it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackQuery {
    /// What the lyrics are kept under in the library.
    pub key: LyricsKey,
    pub artist: String,
    pub title: String,
    pub album: Option<String>,
    /// LRCLIB matches the duration within 2 s.
    pub duration: Option<Duration>,
    /// The audio file, for a local track or a downloaded one: its `.lrc` and tags are read.
    pub local_file: Option<PathBuf>,
}

impl TrackQuery {
    /// A catalog track of the service.
    #[must_use]
    pub fn for_track(track: &Track) -> Self {
        Self {
            key: LyricsKey::Track(track.id.clone()),
            artist: track.artist_name.clone(),
            title: track.title.clone(),
            album: Some(track.album_title.clone()).filter(|album| !album.is_empty()),
            duration: (track.duration_ms > 0)
                .then(|| Duration::from_millis(u64::from(track.duration_ms))),
            local_file: None,
        }
    }
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LyricsOutcome {
    /// Lyrics: synced when [`Lyrics::synced`] is there, plain otherwise.
    Found {
        source: LyricsSource,
        lyrics: Lyrics,
    },
    /// The track has no words.
    Instrumental { source: LyricsSource },
    /// No source had lyrics for the track.
    NoneFound,
}
