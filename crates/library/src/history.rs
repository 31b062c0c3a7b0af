//! Play history: what was played, when, for how long.

use rusqlite::{Row, params};
use strato_model::api::Track;

#[cfg(doc)]
use crate::catalog::TRACK_COLUMNS;
use crate::catalog::track_from_row;
use crate::error::Result;
use crate::library::Library;

/// One play.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayRecord {
    /// The play's row: with `played_at`, where a page of the history ends.
    pub id: i64,
    pub track_id: String,
    /// When playback started (Unix seconds).
    pub played_at: i64,
    /// How much of the track was heard.
    pub ms_played: u64,
    /// The track's catalog data, when cached.
    pub track: Option<Track>,
}

impl Library {
    /// Records a play. Also marks the track's download, if any, as recently played (a
    /// trigger does it), which keeps it from being evicted first.
    pub fn record_play(&mut self, track_id: &str, played_at: i64, ms_played: u64) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO play_history (track_id, played_at, ms_played) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![track_id, played_at, ms_played])?;
            Ok(())
        })
    }

    /// The latest `limit` plays, newest first.
    pub fn recent_plays(&self, limit: usize) -> Result<Vec<PlayRecord>> {
        self.plays_page(None, limit)
    }
}

/// Reads a play from `h.id, h.track_id, h.played_at, h.ms_played, t.id IS NOT NULL`, then
/// [`TRACK_COLUMNS`], starting at column `first`.
pub(crate) fn play_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<PlayRecord> {
    let cached: bool = row.get(first + 4)?;
    Ok(PlayRecord {
        id: row.get(first)?,
        track_id: row.get(first + 1)?,
        played_at: row.get(first + 2)?,
        ms_played: row.get(first + 3)?,
        track: if cached {
            Some(track_from_row(row, first + 5)?)
        } else {
            None
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_healthy, track};

    #[test]
    fn recent_plays_newest_first_with_tracks() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .upsert_tracks(&[track("t1", "Teardrop", "Massive Attack", "Mezzanine")])
            .unwrap();
        library.record_play("t1", 100, 30_000).unwrap();
        library.record_play("t2", 200, 180_000).unwrap();
        library.record_play("t1", 300, 5_000).unwrap();
        let plays = library.recent_plays(2).unwrap();
        assert_eq!(plays.len(), 2);
        assert_eq!(
            (plays[0].track_id.as_str(), plays[0].played_at),
            ("t1", 300)
        );
        assert_eq!(plays[0].track.as_ref().unwrap().title, "Teardrop");
        assert_eq!(
            (plays[1].track_id.as_str(), plays[1].track.is_none()),
            ("t2", true)
        );
        assert_healthy(&library);
    }
}
