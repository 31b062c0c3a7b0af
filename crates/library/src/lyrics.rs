//! Lyrics kept for offline use (issue 20, migration 0018): what a lookup found for a track,
//! so the lyrics panel works without a network and a track is not looked up on every play.
//!
//! A track is a catalog track of this library's account, by its id, or a local audio file,
//! by its path ([`LyricsKey`]). What is kept ([`KeptLyrics`]) is the text as found (synced
//! lyrics as LRC, plain lyrics as they came), or that the track is instrumental, or that no
//! source had any: a negative result, kept with its time so it is asked again once
//! [`NONE_FOUND_KEPT_SECS`] have passed ([`KeptLyrics::is_fresh`]), not on every play.
//!
//! This module only stores; parsing LRC and asking the sources live in `strato-lyrics`.

use std::path::PathBuf;

use rusqlite::{OptionalExtension, params};

use crate::error::{Error, Result};
use crate::library::Library;

/// How long "no lyrics found" stands before the track is asked about again: a week, so
/// lyrics added to a source meanwhile are found, without a request on every play.
pub const NONE_FOUND_KEPT_SECS: i64 = 7 * 24 * 3600;

/// The track lyrics are kept for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LyricsKey {
    /// A track of the service's catalog, by its id (the library is already the account's).
    Track(String),
    /// A local audio file, by its path.
    File(PathBuf),
}

impl LyricsKey {
    fn columns(&self) -> (&'static str, String) {
        match self {
            Self::Track(id) => ("track", id.clone()),
            // Lossy only for a path that is not Unicode, which then keys on its readable form.
            Self::File(path) => ("file", path.to_string_lossy().into_owned()),
        }
    }
}

/// Where lyrics came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LyricsSource {
    /// LRCLIB (`/api/get`).
    LrcLib,
    /// The service's own lyrics (`OpenSubsonic`'s `getLyricsBySongId`).
    Server,
    /// A `.lrc` file beside the audio file.
    File,
    /// The audio file's own tags.
    Tags,
}

impl LyricsSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::LrcLib => "lrclib",
            Self::Server => "server",
            Self::File => "file",
            Self::Tags => "tags",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "lrclib" => Ok(Self::LrcLib),
            "server" => Ok(Self::Server),
            "file" => Ok(Self::File),
            "tags" => Ok(Self::Tags),
            other => Err(Error::Corrupt(format!("unknown lyrics source {other}"))),
        }
    }
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LyricsBody {
    /// Synced lyrics, as LRC text.
    Synced { source: LyricsSource, lrc: String },
    /// Plain lyrics, without times.
    Plain { source: LyricsSource, text: String },
    /// The source says the track has no words.
    Instrumental { source: LyricsSource },
    /// No source asked had lyrics for the track.
    NoneFound,
}

/// Lyrics kept for a track, and when they were looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptLyrics {
    pub body: LyricsBody,
    /// When the lookup was made (Unix seconds).
    pub fetched_at: i64,
}

impl KeptLyrics {
    /// Whether the kept answer still stands at `now` (Unix seconds): lyrics found, or an
    /// instrumental, always; "none found" for [`NONE_FOUND_KEPT_SECS`]. A "none found" dated
    /// after `now` (kept while the clock was wrong) is stale: otherwise it could stand for
    /// years.
    #[must_use]
    pub fn is_fresh(&self, now: i64) -> bool {
        match self.body {
            LyricsBody::NoneFound => {
                let age = now.saturating_sub(self.fetched_at);
                (0..NONE_FOUND_KEPT_SECS).contains(&age)
            }
            _ => true,
        }
    }
}

impl Library {
    /// The lyrics kept for `key`, fresh or not.
    pub fn kept_lyrics(&self, key: &LyricsKey) -> Result<Option<KeptLyrics>> {
        let (kind, id) = key.columns();
        let row = self
            .conn
            .prepare_cached(
                "SELECT source, kind, body, fetched_at FROM lyrics \
                 WHERE key_kind = ?1 AND track_key = ?2",
            )?
            .query_row(params![kind, id], |row| {
                Ok((
                    row.get::<_, Option<String>>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            })
            .optional()?;
        let Some((source, kind, body, fetched_at)) = row else {
            return Ok(None);
        };
        let corrupt = || Error::Corrupt(format!("lyrics of {id} stored as {kind}"));
        let source = source.as_deref().map(LyricsSource::parse).transpose()?;
        let body = match (kind.as_str(), source, body) {
            ("synced", Some(source), Some(lrc)) => LyricsBody::Synced { source, lrc },
            ("plain", Some(source), Some(text)) => LyricsBody::Plain { source, text },
            ("instrumental", Some(source), None) => LyricsBody::Instrumental { source },
            ("none", None, None) => LyricsBody::NoneFound,
            _ => return Err(corrupt()),
        };
        Ok(Some(KeptLyrics { body, fetched_at }))
    }

    /// Keeps `lyrics` for `key`, replacing what was kept.
    ///
    /// # Errors
    /// [`Error::Invalid`] for empty lyrics text (an empty answer is [`LyricsBody::NoneFound`]).
    pub fn keep_lyrics(&mut self, key: &LyricsKey, lyrics: &KeptLyrics) -> Result<()> {
        let (key_kind, id) = key.columns();
        if id.is_empty() {
            return Err(Error::Invalid("lyrics need a track to be kept for".into()));
        }
        let (source, kind, body) = match &lyrics.body {
            LyricsBody::Synced { source, lrc } => (Some(*source), "synced", Some(lrc.as_str())),
            LyricsBody::Plain { source, text } => (Some(*source), "plain", Some(text.as_str())),
            LyricsBody::Instrumental { source } => (Some(*source), "instrumental", None),
            LyricsBody::NoneFound => (None, "none", None),
        };
        if body.is_some_and(|text| text.trim().is_empty()) {
            return Err(Error::Invalid(format!(
                "empty lyrics cannot be kept for {id}"
            )));
        }
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO lyrics (key_kind, track_key, source, kind, body, fetched_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (key_kind, track_key) DO UPDATE SET source = excluded.source, \
                 kind = excluded.kind, body = excluded.body, fetched_at = excluded.fetched_at",
            )?
            .execute(params![
                key_kind,
                id,
                source.map(LyricsSource::as_str),
                kind,
                body,
                lyrics.fetched_at,
            ])?;
            Ok(())
        })
    }

    /// Forgets the lyrics kept for `key` (a local file changed, the listener asked for a new
    /// lookup). Whether any were kept.
    pub fn forget_lyrics(&mut self, key: &LyricsKey) -> Result<bool> {
        let (kind, id) = key.columns();
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM lyrics WHERE key_kind = ?1 AND track_key = ?2")?
                .execute(params![kind, id])?;
            Ok(removed > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    const LRC: &str = "[00:01.00]One\n[00:02.50]Two\n";

    fn kept(body: LyricsBody, fetched_at: i64) -> KeptLyrics {
        KeptLyrics { body, fetched_at }
    }

    #[test]
    fn each_kind_is_kept_read_back_replaced_and_forgotten_in_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite3");
        let mut library = Library::open(&path).unwrap();
        let track = LyricsKey::Track("tr-1".into());
        // A file key and a track id spelled the same are two tracks.
        let file = LyricsKey::File(PathBuf::from("tr-1"));
        assert_eq!(library.kept_lyrics(&track).unwrap(), None);

        let bodies = [
            LyricsBody::Synced {
                source: LyricsSource::LrcLib,
                lrc: LRC.into(),
            },
            LyricsBody::Plain {
                source: LyricsSource::Server,
                text: "One\nTwo".into(),
            },
            LyricsBody::Instrumental {
                source: LyricsSource::LrcLib,
            },
            LyricsBody::NoneFound,
            LyricsBody::Plain {
                source: LyricsSource::Tags,
                text: "Tagged".into(),
            },
        ];
        for (at, body) in (1_000_i64..).zip(bodies) {
            library
                .keep_lyrics(&track, &kept(body.clone(), at))
                .unwrap();
            assert_eq!(library.kept_lyrics(&track).unwrap(), Some(kept(body, at)));
        }
        let from_file = kept(
            LyricsBody::Synced {
                source: LyricsSource::File,
                lrc: LRC.into(),
            },
            7,
        );
        library.keep_lyrics(&file, &from_file).unwrap();
        drop(library);

        // Kept across a reopen: that is what makes them work offline.
        let mut library = Library::open(&path).unwrap();
        assert_eq!(library.kept_lyrics(&file).unwrap(), Some(from_file));
        assert!(matches!(
            library.kept_lyrics(&track).unwrap().unwrap().body,
            LyricsBody::Plain {
                source: LyricsSource::Tags,
                ..
            }
        ));
        assert!(library.forget_lyrics(&track).unwrap());
        assert!(!library.forget_lyrics(&track).unwrap());
        assert_eq!(library.kept_lyrics(&track).unwrap(), None);
        assert!(library.kept_lyrics(&file).unwrap().is_some());
        assert_healthy(&library);
    }

    #[test]
    fn empty_text_is_refused_and_changes_nothing() {
        let mut library = Library::open_in_memory().unwrap();
        let key = LyricsKey::Track("tr-1".into());
        let first = kept(LyricsBody::NoneFound, 5);
        library.keep_lyrics(&key, &first).unwrap();
        let empty = kept(
            LyricsBody::Plain {
                source: LyricsSource::LrcLib,
                text: " \n".into(),
            },
            6,
        );
        assert!(matches!(
            library.keep_lyrics(&key, &empty),
            Err(Error::Invalid(_))
        ));
        assert!(
            library
                .keep_lyrics(&LyricsKey::Track(String::new()), &first)
                .is_err()
        );
        assert_eq!(library.kept_lyrics(&key).unwrap(), Some(first));
        assert_healthy(&library);
    }

    #[test]
    fn none_found_stands_for_a_week_and_found_lyrics_for_good() {
        let none = kept(LyricsBody::NoneFound, 1_000_000);
        assert!(none.is_fresh(1_000_000));
        assert!(none.is_fresh(1_000_000 + NONE_FOUND_KEPT_SECS - 1));
        assert!(!none.is_fresh(1_000_000 + NONE_FOUND_KEPT_SECS));
        let found = kept(
            LyricsBody::Instrumental {
                source: LyricsSource::LrcLib,
            },
            0,
        );
        assert!(found.is_fresh(i64::MAX));
    }

    #[test]
    fn none_found_dated_in_the_future_is_stale() {
        let none = kept(LyricsBody::NoneFound, 1_000_000);
        assert!(!none.is_fresh(1_000_000 - 1), "kept a second ahead of now");
        assert!(!none.is_fresh(0), "kept while the clock was years ahead");
        // Found lyrics do not age, whatever their date.
        let found = kept(
            LyricsBody::Instrumental {
                source: LyricsSource::LrcLib,
            },
            1_000_000,
        );
        assert!(found.is_fresh(0));
    }
}
