//! The play queue and the play position, so a restart resumes where the listener was.

use rusqlite::{OptionalExtension as _, params};

use crate::catalog::collect;
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};

/// The saved queue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlayQueue {
    /// In play order; a track may appear more than once.
    pub track_ids: Vec<String>,
    /// Index into `track_ids` of the current track; `None` when nothing is current.
    pub current_index: Option<usize>,
    /// How far into the current track playback was.
    pub position_ms: u64,
}

impl Library {
    /// Saves the whole queue, replacing the saved one.
    pub fn save_queue(&mut self, queue: &PlayQueue) -> Result<()> {
        validate_index(queue.current_index, queue.track_ids.len())?;
        let now = unix_now();
        self.write(|tx| {
            tx.execute("DELETE FROM play_queue_entries", [])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO play_queue_entries (position, track_id) VALUES (?1, ?2)",
            )?;
            for (position, track_id) in queue.track_ids.iter().enumerate() {
                insert.execute(params![position, track_id])?;
            }
            save_state(tx, queue.current_index, queue.position_ms, now)
        })
    }

    /// Saves only the current index and position: the frequent update during playback,
    /// one row whatever the queue's length.
    pub fn save_queue_position(
        &mut self,
        current_index: Option<usize>,
        position_ms: u64,
    ) -> Result<()> {
        let now = unix_now();
        self.write(|tx| {
            let len: usize =
                tx.query_row("SELECT count(*) FROM play_queue_entries", [], |row| {
                    row.get(0)
                })?;
            validate_index(current_index, len)?;
            save_state(tx, current_index, position_ms, now)
        })
    }

    /// The saved queue, or `None` if none was ever saved.
    pub fn restore_queue(&self) -> Result<Option<PlayQueue>> {
        self.read(|conn| {
            let state: Option<(Option<usize>, u64)> = conn
                .query_row(
                    "SELECT current_index, position_ms FROM play_queue_state WHERE id = 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((current_index, position_ms)) = state else {
                return Ok(None);
            };
            let track_ids = collect(
                conn,
                "SELECT track_id FROM play_queue_entries ORDER BY position",
                [],
                |row| row.get(0),
            )?;
            Ok(Some(PlayQueue {
                track_ids,
                current_index,
                position_ms,
            }))
        })
    }
}

fn save_state(
    tx: &rusqlite::Transaction<'_>,
    current_index: Option<usize>,
    position_ms: u64,
    now: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO play_queue_state (id, current_index, position_ms, updated_at) \
         VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET \
             current_index = excluded.current_index, position_ms = excluded.position_ms, \
             updated_at = excluded.updated_at",
        params![current_index, position_ms, now],
    )?;
    Ok(())
}

fn validate_index(current_index: Option<usize>, len: usize) -> Result<()> {
    match current_index {
        Some(index) if index >= len => Err(Error::Invalid(format!(
            "queue position {index} is past the end of a {len}-track queue"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    #[test]
    fn position_update_keeps_the_queue() {
        let mut library = Library::open_in_memory().unwrap();
        assert_eq!(library.restore_queue().unwrap(), None);
        let queue = PlayQueue {
            track_ids: vec!["a".into(), "b".into(), "a".into()],
            current_index: Some(1),
            position_ms: 1_000,
        };
        library.save_queue(&queue).unwrap();
        library.save_queue_position(Some(2), 42_500).unwrap();
        let restored = library.restore_queue().unwrap().unwrap();
        assert_eq!(restored.track_ids, queue.track_ids);
        assert_eq!(restored.current_index, Some(2));
        assert_eq!(restored.position_ms, 42_500);
        assert!(library.save_queue_position(Some(3), 0).is_err());
        assert_healthy(&library);
    }
}
