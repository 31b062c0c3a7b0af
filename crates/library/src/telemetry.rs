//! Playback reports waiting to be sent, for a listener who opted in (migration 0015). Plays
//! measured while reporting was on wait to be sealed into a batch; sealing and marking them
//! is one transaction, so a play goes into exactly one batch. A batch keeps its id until the
//! service has taken it: sent again after a crash or a lost answer, the service counts it
//! once. What a batch holds is the caller's (`strato-sync` makes it): here it is text.

use rusqlite::params;

use crate::error::Result;
use crate::library::Library;
use crate::play_metrics::{COLUMNS, PlayMetrics, metrics_from_row};

/// A batch made and not yet taken by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryBatchRecord {
    pub batch_id: String,
    /// The body to send, as made.
    pub body: String,
}

impl Library {
    /// Seals the plays waiting to be reported into one batch: `make` is handed them (oldest
    /// first) and answers the batch's id and body, or `None` to leave them waiting. Nothing
    /// waiting: nothing made. Whether a batch was made.
    pub fn seal_telemetry_batch(
        &mut self,
        made_at: i64,
        make: impl FnOnce(&[PlayMetrics]) -> Option<TelemetryBatchRecord>,
    ) -> Result<bool> {
        self.write(|tx| {
            let mut statement = tx.prepare_cached(&format!(
                "SELECT {COLUMNS}, id FROM play_metrics WHERE to_report = 1 ORDER BY started_at, id"
            ))?;
            let rows = statement
                .query_map([], |row| {
                    Ok((metrics_from_row(row)?, row.get::<_, i64>(9)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if rows.is_empty() {
                return Ok(false);
            }
            let (plays, ids): (Vec<PlayMetrics>, Vec<i64>) = rows.into_iter().unzip();
            let Some(batch) = make(&plays) else {
                return Ok(false);
            };
            tx.prepare_cached(
                "INSERT INTO telemetry_batches (batch_id, made_at, body) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![batch.batch_id, made_at, batch.body])?;
            let mut reported =
                tx.prepare_cached("UPDATE play_metrics SET to_report = 0 WHERE id = ?1")?;
            for id in ids {
                reported.execute([id])?;
            }
            Ok(true)
        })
    }

    /// The batches not yet taken by the service, oldest first.
    pub fn unsent_telemetry_batches(&self) -> Result<Vec<TelemetryBatchRecord>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT batch_id, body FROM telemetry_batches ORDER BY made_at, rowid",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(TelemetryBatchRecord {
                batch_id: row.get(0)?,
                body: row.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The service took the batch `batch_id` (or refused it for good): it is forgotten.
    pub fn forget_telemetry_batch(&mut self, batch_id: &str) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached("DELETE FROM telemetry_batches WHERE batch_id = ?1")?
                .execute([batch_id])?;
            Ok(())
        })
    }

    /// The listener turned reporting off: nothing waiting is sent, ever.
    pub fn stop_reporting(&mut self) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM telemetry_batches", [])?;
            tx.execute(
                "UPDATE play_metrics SET to_report = 0 WHERE to_report = 1",
                [],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    fn play(track_id: &str, started_at: i64) -> PlayMetrics {
        PlayMetrics {
            track_id: track_id.into(),
            started_at,
            first_audio_ms: Some(120),
            ..PlayMetrics::default()
        }
    }

    fn batch_of(id: &str) -> impl FnOnce(&[PlayMetrics]) -> Option<TelemetryBatchRecord> {
        move |plays| {
            Some(TelemetryBatchRecord {
                batch_id: id.into(),
                body: plays.len().to_string(),
            })
        }
    }

    #[test]
    fn only_plays_allowed_are_sealed_each_into_one_batch_kept_until_taken() {
        let mut library = Library::open_in_memory().unwrap();
        library
            .record_play_metrics(&play("quiet", 100), false)
            .unwrap();
        library.record_play_metrics(&play("a", 200), true).unwrap();
        library.record_play_metrics(&play("b", 300), true).unwrap();

        let mut seen = Vec::new();
        let made = library
            .seal_telemetry_batch(400, |plays| {
                seen = plays.iter().map(|p| p.track_id.clone()).collect();
                batch_of("one")(plays)
            })
            .unwrap();
        assert!(made);
        assert_eq!(seen, ["a", "b"]);
        // Sealed plays wait no more: a second seal makes nothing.
        assert!(!library.seal_telemetry_batch(500, batch_of("two")).unwrap());
        library.record_play_metrics(&play("c", 600), true).unwrap();
        // A batch declined leaves its plays waiting.
        assert!(!library.seal_telemetry_batch(700, |_| None).unwrap());
        assert!(
            library
                .seal_telemetry_batch(800, batch_of("three"))
                .unwrap()
        );
        let unsent = library.unsent_telemetry_batches().unwrap();
        assert_eq!(
            unsent,
            [
                TelemetryBatchRecord {
                    batch_id: "one".into(),
                    body: "2".into()
                },
                TelemetryBatchRecord {
                    batch_id: "three".into(),
                    body: "1".into()
                },
            ]
        );

        library.forget_telemetry_batch("one").unwrap();
        assert_eq!(library.unsent_telemetry_batches().unwrap().len(), 1);
        // The Diagnostics screen still has every play.
        assert_eq!(library.play_metrics_since(0).unwrap().len(), 4);
        assert_healthy(&library);
    }

    #[test]
    fn turning_reporting_off_drops_what_waits_and_old_batches_go_unsent() {
        let mut library = Library::open_in_memory().unwrap();
        library.record_play_metrics(&play("a", 100), true).unwrap();
        assert!(library.seal_telemetry_batch(100, batch_of("old")).unwrap());
        library.record_play_metrics(&play("b", 200), true).unwrap();
        library.stop_reporting().unwrap();
        assert!(library.unsent_telemetry_batches().unwrap().is_empty());
        assert!(!library.seal_telemetry_batch(300, batch_of("x")).unwrap());

        library.record_play_metrics(&play("c", 400), true).unwrap();
        assert!(library.seal_telemetry_batch(400, batch_of("kept")).unwrap());
        // A month on, the unsent batch goes with the plays of its time.
        let later = 400 + crate::METRICS_KEPT_SECS + 1;
        library
            .record_play_metrics(&play("d", later), false)
            .unwrap();
        assert!(library.unsent_telemetry_batches().unwrap().is_empty());
        assert_healthy(&library);
    }
}
