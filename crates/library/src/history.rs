//! Play history: what was played, when, for how long.

use rusqlite::params;
use strato_model::api::Track;

use crate::catalog::{TRACK_COLUMNS, collect, track_from_row};
use crate::error::Result;
use crate::library::Library;

/// One play.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayRecord {
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
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        collect(
            &self.conn,
            &format!(
                "SELECT h.track_id, h.played_at, h.ms_played, t.id IS NOT NULL, {TRACK_COLUMNS} \
                 FROM play_history h LEFT JOIN tracks t ON t.id = h.track_id \
                 ORDER BY h.played_at DESC, h.id DESC LIMIT ?1"
            ),
            [limit],
            |row| {
                let cached: bool = row.get(3)?;
                Ok(PlayRecord {
                    track_id: row.get(0)?,
                    played_at: row.get(1)?,
                    ms_played: row.get(2)?,
                    track: if cached {
                        Some(track_from_row(row, 4)?)
                    } else {
                        None
                    },
                })
            },
        )
    }
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
