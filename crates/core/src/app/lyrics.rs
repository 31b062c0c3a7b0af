//! The lyrics panel's lookups: the track playing's lyrics through `strato-lyrics` (a file's
//! own, the library's cache, the listener's Subsonic server, LRCLIB), kept in the account's
//! library so they show offline, and turned into what the panel draws.
//!
//! The lookup reads and writes the library synchronously (`LyricsCache`), so it runs on
//! the blocking pool, never on the runtime's workers.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use strato_formats::lrc::{LyricLine, Lyrics};
use strato_library::{KeptLyrics, LyricsKey, LyricsSource};
use strato_lyrics::{
    Lookups, LrclibClient, LyricsCache, LyricsError, LyricsErrorKind, LyricsLookup, LyricsOutcome,
    ServerLyrics, TrackQuery,
};
use strato_model::ipc::{AppError, ErrorKind, LyricsLine, LyricsOrigin, LyricsView, TrackLyrics};
use strato_subsonic::SubsonicClient;
use strato_sync::LibraryHandle;

use super::App;
use crate::streaming::RoutingOpener;

/// The longest one source may take to answer: the panel says "looking" meanwhile.
pub(super) const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

impl App {
    /// `track_id`'s lyrics: synced when a source has the times, plain otherwise. With the
    /// "lyrics from this computer only" setting, nothing is asked over the network.
    ///
    /// # Errors
    /// When no source had lyrics and one could not answer (offline, a server failing): in
    /// words, so the panel can say it and offer to try again.
    pub async fn lyrics(&self, track_id: &str) -> Result<LyricsView, AppError> {
        let online = !self.preferences.current().lyrics_local_only && self.lrclib.is_some();
        let lookups = if online {
            Lookups::Online
        } else {
            Lookups::LocalOnly
        };
        let (query, lookups) = if strato_local::ids::is_local_track_id(track_id)
            && let Ok(track) = self.local_track(track_id).await
            && !track.artist_name.is_empty()
        {
            // A file with its tags: its own lyrics first, then by artist and title.
            (local_track_query(&track), lookups)
        } else if RoutingOpener::is_location(track_id) {
            // A file or a link names no artist or title to look up by: its own lyrics only.
            (file_query(track_id), Lookups::LocalOnly)
        } else {
            let service = self.online_service().await.ok();
            let track = self.track(service.as_deref(), track_id).await?;
            (TrackQuery::for_track(&track), lookups)
        };
        let server = AccountLyrics(self.connection().ok().and_then(|c| c.subsonic().cloned()));
        let lrclib = self.lrclib.clone().unwrap_or_else(offline_lrclib);
        let cache = self.library().map(|library| library.handle().clone());
        // The app's own runtime, whichever runtime the caller's command runs on.
        let runtime = self.own_runtime();
        let driver = runtime.clone();
        let looked = runtime
            .spawn_blocking(move || {
                driver.block_on(async move {
                    LyricsLookup::new(KeptIn(cache), lrclib)
                        .lookup(&query, lookups, &server)
                        .await
                })
            })
            .await
            .map_err(|_| AppError::new(ErrorKind::Internal, "The lyrics lookup stopped."))?;
        let outcome = looked.map_err(|e| from_lyrics(&e))?;
        Ok(LyricsView {
            track_id: track_id.to_owned(),
            lyrics: view(outcome, lookups == Lookups::Online),
        })
    }
}

/// The lyrics service the settings name; `None` (said in the log) when its address cannot
/// be used: lyrics are then looked up on this computer only.
pub(super) fn lyrics_service(settings: &crate::settings::AppSettings) -> Option<LrclibClient> {
    LrclibClient::with_base_url(&settings.lyrics_service_url, LOOKUP_TIMEOUT)
        .inspect_err(|error| tracing::warn!(%error, "lyrics are looked up on this computer only"))
        .ok()
}

/// A lyrics service client that is never asked (lookups are local when it is used).
fn offline_lrclib() -> LrclibClient {
    LrclibClient::with_base_url("http://127.0.0.1:9/", LOOKUP_TIMEOUT)
        .expect("a loopback address is always accepted")
}

/// The query for a local track, tagged: kept under its file, whose `.lrc` and tags are read
/// first.
fn local_track_query(track: &strato_model::ipc::Track) -> TrackQuery {
    let mut query = TrackQuery::for_track(track);
    if let Ok(path) = strato_local::ids::track_path(&track.id) {
        query.key = LyricsKey::File(path.clone());
        query.local_file = Some(path);
    }
    query
}

/// The query for a file or link played by its path or URL.
fn file_query(location: &str) -> TrackQuery {
    let path = url::Url::parse(location)
        .ok()
        .filter(|url| url.scheme() == "file")
        .and_then(|url| url.to_file_path().ok())
        .unwrap_or_else(|| PathBuf::from(location));
    let title = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    TrackQuery {
        key: LyricsKey::File(path.clone()),
        artist: String::new(),
        title,
        album: None,
        duration: None,
        local_file: path.is_absolute().then_some(path),
    }
}

/// The account's library as the lyrics' cache; without one (no data folder), nothing is kept.
struct KeptIn(Option<LibraryHandle>);

impl LyricsCache for KeptIn {
    fn kept(&self, key: &LyricsKey) -> Result<Option<KeptLyrics>, LyricsError> {
        match &self.0 {
            Some(handle) => Ok(handle.blocking(|library| library.kept_lyrics(key))?),
            None => Ok(None),
        }
    }

    fn keep(&self, key: &LyricsKey, lyrics: &KeptLyrics) -> Result<(), LyricsError> {
        match &self.0 {
            Some(handle) => Ok(handle.blocking(|library| library.keep_lyrics(key, lyrics))?),
            None => Ok(()),
        }
    }
}

/// The signed-in service's own lyrics: a Subsonic server's, when it offers the
/// `songLyrics` extension; none for the Strato cloud.
struct AccountLyrics(Option<Arc<SubsonicClient>>);

impl ServerLyrics for AccountLyrics {
    async fn lyrics(&self, track: &TrackQuery) -> Result<Option<LyricsOutcome>, LyricsError> {
        let (Some(client), LyricsKey::Track(id)) = (&self.0, &track.key) else {
            return Ok(None);
        };
        if !client.extensions().supports_lyrics() {
            return Ok(None);
        }
        // Bounded as LRCLIB is: the panel says "looking" meanwhile.
        let asked = tokio::time::timeout(LOOKUP_TIMEOUT, client.lyrics_by_song_id(id))
            .await
            .map_err(|_| {
                LyricsError::new(
                    LyricsErrorKind::Offline,
                    "your music server did not answer in time",
                )
            })?;
        let found = asked.map_err(|err| {
            let kind = if err.kind() == strato_subsonic::SubsonicErrorKind::Offline {
                LyricsErrorKind::Offline
            } else {
                LyricsErrorKind::Server
            };
            LyricsError::new(kind, err.to_string())
        })?;
        // Synced lyrics first; the first of each kind (a server lists one per language).
        let chosen = found
            .iter()
            .find(|l| l.synced && !l.line.is_empty())
            .or_else(|| found.iter().find(|l| !l.line.is_empty()));
        Ok(chosen.map(|structured| LyricsOutcome::Found {
            source: LyricsSource::Server,
            lyrics: server_lyrics(structured),
        }))
    }
}

/// A server's structured lyrics as the LRC model: its offset applied to every line as
/// `OpenSubsonic` says (a positive offset shows the lines sooner, as LRC's `[offset:]` does).
fn server_lyrics(structured: &strato_subsonic::wire::StructuredLyrics) -> Lyrics {
    let plain = structured
        .line
        .iter()
        .map(|line| line.value.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let synced = structured.synced.then(|| {
        let mut lines: Vec<LyricLine> = structured
            .line
            .iter()
            .map(|line| {
                let start = line.start.unwrap_or(0).saturating_sub(structured.offset);
                LyricLine {
                    at: Duration::from_millis(u64::try_from(start).unwrap_or(0)),
                    text: line.value.clone(),
                }
            })
            .collect();
        lines.sort_by_key(|line| line.at);
        lines
    });
    Lyrics {
        synced,
        plain,
        meta: strato_formats::lrc::LyricsMeta::default(),
    }
}

/// What the panel draws for `outcome`.
fn view(outcome: LyricsOutcome, looked_online: bool) -> TrackLyrics {
    match outcome {
        LyricsOutcome::Found { source, lyrics } => match lyrics.synced {
            Some(lines) => TrackLyrics::Synced {
                lines: lines
                    .into_iter()
                    .map(|line| LyricsLine {
                        at_ms: u32::try_from(line.at.as_millis()).unwrap_or(u32::MAX),
                        text: line.text,
                    })
                    .collect(),
                source: origin(source),
            },
            None => TrackLyrics::Plain {
                text: lyrics.plain,
                source: origin(source),
            },
        },
        LyricsOutcome::Instrumental { source } => TrackLyrics::Instrumental {
            source: origin(source),
        },
        LyricsOutcome::NoneFound => TrackLyrics::NotFound { looked_online },
    }
}

fn origin(source: LyricsSource) -> LyricsOrigin {
    match source {
        LyricsSource::LrcLib => LyricsOrigin::Lrclib,
        LyricsSource::Server => LyricsOrigin::Server,
        LyricsSource::File => LyricsOrigin::File,
        LyricsSource::Tags => LyricsOrigin::Tags,
    }
}

#[expect(
    clippy::match_same_arms,
    reason = "today's kinds are each mapped on purpose; the wildcard is for kinds added later"
)]
fn from_lyrics(err: &LyricsError) -> AppError {
    let kind = match err.kind() {
        LyricsErrorKind::Offline => ErrorKind::Network,
        LyricsErrorKind::Server => ErrorKind::Server,
        LyricsErrorKind::Rejected => ErrorKind::InvalidInput,
        LyricsErrorKind::Library => ErrorKind::Storage,
        // A kind added later: a source that failed.
        _ => ErrorKind::Server,
    };
    AppError::new(
        kind,
        format!(
            "The lyrics could not be looked up: {}.",
            err.message().trim_end_matches('.')
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_servers_lyrics_take_its_offset_and_keep_their_order() {
        let structured = strato_subsonic::wire::StructuredLyrics {
            synced: true,
            offset: -500,
            line: vec![
                strato_subsonic::wire::LyricsLine {
                    start: Some(2_000),
                    value: "second".into(),
                },
                strato_subsonic::wire::LyricsLine {
                    start: Some(1_000),
                    value: "first".into(),
                },
            ],
            ..Default::default()
        };
        let lyrics = server_lyrics(&structured);
        let lines = lyrics.synced.unwrap();
        // A negative offset: every line later.
        assert_eq!(lines[0].at, Duration::from_millis(1_500));
        assert_eq!(lines[0].text, "first");
        assert_eq!(lines[1].at, Duration::from_millis(2_500));
        assert_eq!(lyrics.plain, "second\nfirst");
        // A positive one: sooner, never before the start.
        let sooner = strato_subsonic::wire::StructuredLyrics {
            offset: 1_200,
            ..structured
        };
        let lines = server_lyrics(&sooner).synced.unwrap();
        assert_eq!(lines[0].at, Duration::ZERO);
        assert_eq!(lines[1].at, Duration::from_millis(800));
    }

    #[test]
    fn every_lyrics_error_kind_is_said_with_a_kind_of_the_app() {
        for kind in LyricsErrorKind::ALL {
            let error = from_lyrics(&LyricsError::new(kind, "LRCLIB answered 500."));
            assert_ne!(error.kind, ErrorKind::Internal);
            assert_eq!(
                error.message,
                "The lyrics could not be looked up: LRCLIB answered 500."
            );
        }
    }
}
