//! The order lyrics are looked for, for one track, and what is kept of the answer.
//!
//! 1. The library's cache: an answer still fresh (lyrics found, an instrumental, or "none
//!    found" less than a week old: [`strato_library::KeptLyrics::is_fresh`]) is returned at
//!    once, without a network, so the panel works offline.
//! 2. A local file's own lyrics: a `.lrc` beside it, else its tags ([`crate::local`]). For a
//!    local file's key ([`LyricsKey::File`]) these come before the cache: reading them is
//!    cheap and needs no network, and a `.lrc` added or edited after an answer was kept must
//!    be seen. A kept answer that came from the file itself is then not taken once the file
//!    no longer has it.
//! 3. When the listener lets Strato look lyrics up online ([`Lookups::Online`]): the
//!    service's own lyrics ([`ServerLyrics`], `OpenSubsonic`'s `getLyricsBySongId`), then
//!    LRCLIB.
//!
//! What a source found is kept in the library. "None found" is kept only when every source
//! that could have lyrics answered; a source that could not be reached leaves nothing kept,
//! so the track is asked about again on the next play. With lookups off, only the cache and
//! the local file are read, and nothing found is not kept (turning lookups on must not find
//! a week-long "none" waiting).

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use strato_formats::lrc;
use strato_library::{KeptLyrics, Library, LyricsBody, LyricsKey, LyricsSource};

use crate::error::{LyricsError, LyricsErrorKind};
use crate::lrclib::LrclibClient;
use crate::{LyricsOutcome, TrackQuery, local};

/// Whether lyrics may be looked up over the network (a setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookups {
    /// The service's own lyrics and LRCLIB may be asked.
    Online,
    /// Only the library's cache and a local file's own lyrics.
    LocalOnly,
}

/// Where lyrics are kept between lookups: the library, reached however the app holds it.
pub trait LyricsCache: Send + Sync {
    /// The lyrics kept for `key`, fresh or not.
    fn kept(&self, key: &LyricsKey) -> Result<Option<KeptLyrics>, LyricsError>;
    /// Keeps `lyrics` for `key`.
    fn keep(&self, key: &LyricsKey, lyrics: &KeptLyrics) -> Result<(), LyricsError>;
}

impl LyricsCache for Mutex<Library> {
    fn kept(&self, key: &LyricsKey) -> Result<Option<KeptLyrics>, LyricsError> {
        let library = self.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(library.kept_lyrics(key)?)
    }

    fn keep(&self, key: &LyricsKey, lyrics: &KeptLyrics) -> Result<(), LyricsError> {
        let mut library = self.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(library.keep_lyrics(key, lyrics)?)
    }
}

/// The service's own lyrics for a track, asked before LRCLIB. `Ok(None)`: the service has
/// none (or offers no lyrics at all).
pub trait ServerLyrics: Send + Sync {
    fn lyrics(
        &self,
        track: &TrackQuery,
    ) -> impl Future<Output = Result<Option<LyricsOutcome>, LyricsError>> + Send;
}

/// A service without lyrics of its own (the Strato cloud, a local file).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoServerLyrics;

impl ServerLyrics for NoServerLyrics {
    async fn lyrics(&self, _track: &TrackQuery) -> Result<Option<LyricsOutcome>, LyricsError> {
        Ok(None)
    }
}

/// Looks lyrics up in order (see the module's doc) and keeps what was found.
#[derive(Debug)]
pub struct LyricsLookup<C> {
    cache: C,
    lrclib: LrclibClient,
}

impl<C: LyricsCache> LyricsLookup<C> {
    pub fn new(cache: C, lrclib: LrclibClient) -> Self {
        Self { cache, lrclib }
    }

    /// The cache, for a caller that also reads or forgets what is kept.
    pub fn cache(&self) -> &C {
        &self.cache
    }

    /// `track`'s lyrics.
    ///
    /// # Errors
    /// The error of a source that could not answer, when no source had lyrics (nothing is
    /// kept then); a library error.
    pub async fn lookup(
        &self,
        track: &TrackQuery,
        lookups: Lookups,
        server: &impl ServerLyrics,
    ) -> Result<LyricsOutcome, LyricsError> {
        let local_first = matches!(track.key, LyricsKey::File(_));
        if local_first && let Some(outcome) = self.local(track).await? {
            return Ok(outcome);
        }
        if let Some(kept) = self.cache.kept(&track.key)?
            && kept.is_fresh(unix_now())
            // The file was just read and has no lyrics: what it once had is gone.
            && !(local_first && from_the_file(&kept.body))
        {
            return Ok(from_kept(kept.body));
        }
        if !local_first && let Some(outcome) = self.local(track).await? {
            return Ok(outcome);
        }
        if lookups == Lookups::LocalOnly {
            return Ok(LyricsOutcome::NoneFound);
        }
        let mut unanswered = None;
        match server.lyrics(track).await {
            Ok(Some(LyricsOutcome::NoneFound) | None) => {}
            Ok(Some(outcome)) => {
                self.keep(track, &outcome)?;
                return Ok(outcome);
            }
            Err(error) => {
                tracing::info!("the service's lyrics could not be had: {error}");
                unanswered = Some(error);
            }
        }
        let outcome = match self.lrclib.get(track).await {
            Ok(outcome) => outcome,
            // The first failure said is the one the listener can act on.
            Err(error) => return Err(unanswered.unwrap_or(error)),
        };
        if matches!(outcome, LyricsOutcome::NoneFound) && unanswered.is_some() {
            return Ok(outcome);
        }
        self.keep(track, &outcome)?;
        Ok(outcome)
    }

    /// The lyrics of `track`'s local file (a `.lrc` beside it, else its tags), kept when
    /// they differ from what the cache holds; `None` when it has none or is not a file.
    async fn local(&self, track: &TrackQuery) -> Result<Option<LyricsOutcome>, LyricsError> {
        let Some(path) = track.local_file.clone() else {
            return Ok(None);
        };
        let found = tokio::task::spawn_blocking(move || local::local_lyrics(&path))
            .await
            .map_err(|_| {
                LyricsError::new(
                    LyricsErrorKind::Server,
                    "Strato stopped while reading the file's lyrics",
                )
            })?;
        let Some((source, lyrics)) = found else {
            return Ok(None);
        };
        let outcome = LyricsOutcome::Found { source, lyrics };
        // Read on every play of a file: written only when changed.
        let unchanged = self
            .cache
            .kept(&track.key)?
            .is_some_and(|kept| kept.body == body_of(&outcome));
        if !unchanged {
            self.keep(track, &outcome)?;
        }
        Ok(Some(outcome))
    }

    fn keep(&self, track: &TrackQuery, outcome: &LyricsOutcome) -> Result<(), LyricsError> {
        self.cache.keep(
            &track.key,
            &KeptLyrics {
                body: body_of(outcome),
                fetched_at: unix_now(),
            },
        )
    }
}

/// What is kept of `outcome`.
fn body_of(outcome: &LyricsOutcome) -> LyricsBody {
    match outcome {
        LyricsOutcome::Found { source, lyrics } if lyrics.synced.is_some() => LyricsBody::Synced {
            source: *source,
            lrc: lrc::to_lrc(lyrics),
        },
        LyricsOutcome::Found { source, lyrics } => LyricsBody::Plain {
            source: *source,
            text: lyrics.plain.clone(),
        },
        LyricsOutcome::Instrumental { source } => LyricsBody::Instrumental { source: *source },
        LyricsOutcome::NoneFound => LyricsBody::NoneFound,
    }
}

/// Whether a kept answer came from the local file itself (its `.lrc` or its tags).
fn from_the_file(body: &LyricsBody) -> bool {
    matches!(
        body,
        LyricsBody::Synced { source, .. } | LyricsBody::Plain { source, .. }
            if matches!(source, LyricsSource::File | LyricsSource::Tags)
    )
}

/// What was kept, as an answer. Kept text that no longer reads (it did when kept) is
/// shown as plain text rather than lost.
fn from_kept(body: LyricsBody) -> LyricsOutcome {
    match body {
        LyricsBody::Synced { source, lrc: text } => {
            let lyrics = lrc::parse_text(&text).unwrap_or_else(|_| plain(text));
            LyricsOutcome::Found { source, lyrics }
        }
        // Kept as it came: not read again as LRC, so a "[Chorus]" stays a line of text.
        LyricsBody::Plain { source, text } => LyricsOutcome::Found {
            source,
            lyrics: plain(text),
        },
        LyricsBody::Instrumental { source } => LyricsOutcome::Instrumental { source },
        LyricsBody::NoneFound => LyricsOutcome::NoneFound,
    }
}

fn plain(text: String) -> lrc::Lyrics {
    lrc::Lyrics {
        plain: text,
        ..lrc::Lyrics::default()
    }
}

/// Now, in Unix seconds.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
