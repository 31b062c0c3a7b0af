//! How each play went: the numbers the Diagnostics screen charts and telemetry reports.

use rusqlite::{Row, params};

use crate::error::Result;
use crate::library::Library;

/// Plays are kept this long (a month), then dropped as new ones are written.
pub const METRICS_KEPT_SECS: i64 = 30 * 24 * 3600;

/// One play's quality.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlayMetrics {
    pub track_id: String,
    /// When the play began (Unix seconds).
    pub started_at: i64,
    /// From the play asked for to its first audio; `None` when it never sounded.
    pub first_audio_ms: Option<u32>,
    /// Times the audio stopped for want of data once it had started, and for how long.
    pub stalls: u32,
    pub stalled_ms: u32,
    /// Times the stream moved to another bitrate.
    pub bitrate_switches: u32,
    /// The error the play ended on: its kind (an `ErrorKind` by its wire name) and words.
    pub error: Option<(String, String)>,
    pub output_device: Option<String>,
}

pub(crate) const COLUMNS: &str = "track_id, started_at, first_audio_ms, stalls, stalled_ms, \
                       bitrate_switches, error_kind, error_message, output_device";

impl Library {
    /// Keeps one play's metrics (`to_report`: measured while the listener lets playback be
    /// reported, so it waits for the next batch), and forgets plays and unsent batches older
    /// than [`METRICS_KEPT_SECS`].
    pub fn record_play_metrics(&mut self, play: &PlayMetrics, to_report: bool) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(&format!(
                "INSERT INTO play_metrics ({COLUMNS}, to_report) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))?
            .execute(params![
                play.track_id,
                play.started_at,
                play.first_audio_ms,
                play.stalls,
                play.stalled_ms,
                play.bitrate_switches,
                play.error.as_ref().map(|(kind, _)| kind),
                play.error.as_ref().map(|(_, message)| message),
                play.output_device,
                to_report,
            ])?;
            let too_old = play.started_at - METRICS_KEPT_SECS;
            tx.prepare_cached("DELETE FROM play_metrics WHERE started_at < ?1")?
                .execute([too_old])?;
            tx.prepare_cached("DELETE FROM telemetry_batches WHERE made_at < ?1")?
                .execute([too_old])?;
            Ok(())
        })
    }

    /// The plays begun at or after `since` (Unix seconds), oldest first.
    pub fn play_metrics_since(&self, since: i64) -> Result<Vec<PlayMetrics>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM play_metrics WHERE started_at >= ?1 ORDER BY started_at, id"
        ))?;
        let rows = statement.query_map([since], metrics_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest `limit` plays that ended on an error, newest first.
    pub fn recent_play_errors(&self, limit: usize) -> Result<Vec<PlayMetrics>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM play_metrics WHERE error_kind IS NOT NULL \
             ORDER BY started_at DESC, id DESC LIMIT ?1"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map([limit], metrics_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(crate) fn metrics_from_row(row: &Row<'_>) -> rusqlite::Result<PlayMetrics> {
    let kind: Option<String> = row.get(6)?;
    let message: Option<String> = row.get(7)?;
    Ok(PlayMetrics {
        track_id: row.get(0)?,
        started_at: row.get(1)?,
        first_audio_ms: row.get(2)?,
        stalls: row.get(3)?,
        stalled_ms: row.get(4)?,
        bitrate_switches: row.get(5)?,
        error: kind.zip(message),
        output_device: row.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    fn play(track_id: &str, started_at: i64) -> PlayMetrics {
        PlayMetrics {
            track_id: track_id.into(),
            started_at,
            first_audio_ms: Some(180),
            ..PlayMetrics::default()
        }
    }

    #[test]
    fn plays_are_kept_a_month_and_errors_read_newest_first() {
        let mut library = Library::open_in_memory().unwrap();
        let now = 100 * 24 * 3600;
        library
            .record_play_metrics(&play("old", now - METRICS_KEPT_SECS - 1), false)
            .unwrap();
        let failed = PlayMetrics {
            first_audio_ms: None,
            error: Some(("network".into(), "The service could not be reached.".into())),
            output_device: Some("Speakers".into()),
            ..play("t2", now - 60)
        };
        library.record_play_metrics(&failed, false).unwrap();
        let stalled = PlayMetrics {
            stalls: 2,
            stalled_ms: 3_400,
            bitrate_switches: 1,
            ..play("t3", now)
        };
        library.record_play_metrics(&stalled, false).unwrap();

        let since = library.play_metrics_since(0).unwrap();
        assert_eq!(since, vec![failed.clone(), stalled]);
        assert_eq!(library.play_metrics_since(now - 30).unwrap().len(), 1);
        assert_eq!(library.recent_play_errors(10).unwrap(), vec![failed]);
        assert_healthy(&library);
    }
}
