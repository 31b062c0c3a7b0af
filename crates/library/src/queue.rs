//! The play queue and the play position, so a restart resumes where the listener was.
//!
//! The queue's entries keep their ids (the same track may be queued twice; the window names
//! entries by id), whether the listener queued them, and with shuffle on the listed order to
//! return to. Saving the queue rewrites it whole (an edit at a time, not a tick at a time);
//! the position, which changes every few seconds, lives in a one-row table of its own.

use rusqlite::{OptionalExtension as _, params};

use crate::catalog::collect;
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};

/// What happens at the end of the queue or of a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueRepeat {
    #[default]
    Off,
    All,
    One,
}

impl QueueRepeat {
    fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::All => "all",
            Self::One => "one",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "all" => Self::All,
            "one" => Self::One,
            _ => Self::Off,
        }
    }
}

/// One saved entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntryRow {
    /// Unique in the queue, greater than 0.
    pub entry_id: u64,
    pub track_id: String,
    /// Added with "play next" or "add to queue".
    pub queued: bool,
}

/// The saved queue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlayQueue {
    /// In play order; a track may appear more than once, each time with its own entry id.
    pub entries: Vec<QueueEntryRow>,
    /// Index into `entries` of the current one; `None` when nothing is current.
    pub current_index: Option<usize>,
    /// How far into the current track playback was.
    pub position_ms: u64,
    /// With shuffle on, the entries' ids in the listed order (shuffle off returns to it);
    /// `None` with shuffle off.
    pub listed: Option<Vec<u64>>,
    pub repeat: QueueRepeat,
}

impl PlayQueue {
    /// The tracks in play order.
    #[must_use]
    pub fn track_ids(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.track_id.as_str()).collect()
    }
}

impl Library {
    /// Saves the whole queue, replacing the saved one.
    pub fn save_queue(&mut self, queue: &PlayQueue) -> Result<()> {
        validate_index(queue.current_index, queue.entries.len())?;
        let listed_positions = listed_positions(queue)?;
        let now = unix_now();
        self.write(|tx| {
            tx.execute("DELETE FROM play_queue_entries", [])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO play_queue_entries \
                     (position, track_id, entry_id, queued, listed_position) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (position, entry) in queue.entries.iter().enumerate() {
                insert.execute(params![
                    position,
                    entry.track_id,
                    i64::try_from(entry.entry_id).unwrap_or(i64::MAX),
                    entry.queued,
                    listed_positions.as_ref().map(|p| p[position]),
                ])?;
            }
            save_state(tx, queue.current_index, queue.position_ms, now)?;
            tx.execute(
                "UPDATE play_queue_state SET shuffle = ?1, repeat = ?2 WHERE id = 1",
                params![queue.listed.is_some(), queue.repeat.as_str()],
            )?;
            Ok(())
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

    /// The saved queue, or `None` if none was ever saved. Entries saved without an id (by
    /// an older Strato) get fresh ones.
    pub fn restore_queue(&self) -> Result<Option<PlayQueue>> {
        self.read(|conn| {
            let state: Option<(Option<usize>, u64, bool, String)> = conn
                .query_row(
                    "SELECT current_index, position_ms, shuffle, repeat \
                     FROM play_queue_state WHERE id = 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let Some((current_index, position_ms, shuffle, repeat)) = state else {
                return Ok(None);
            };
            let rows: Vec<(Option<i64>, String, bool, Option<i64>)> = collect(
                conn,
                "SELECT entry_id, track_id, queued, listed_position \
                 FROM play_queue_entries ORDER BY position",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )?;
            let mut next_id = rows.iter().filter_map(|r| r.0).max().unwrap_or(0).max(0);
            let mut entries = Vec::with_capacity(rows.len());
            let mut listed: Vec<(i64, u64)> = Vec::new();
            for (entry_id, track_id, queued, listed_position) in rows {
                let entry_id = entry_id.filter(|&id| id > 0).unwrap_or_else(|| {
                    next_id += 1;
                    next_id
                });
                let entry_id = u64::try_from(entry_id).unwrap_or(0);
                if let Some(at) = listed_position {
                    listed.push((at, entry_id));
                }
                entries.push(QueueEntryRow {
                    entry_id,
                    track_id,
                    queued,
                });
            }
            // The listed order counts only when every entry has its place in it.
            let listed = (shuffle && listed.len() == entries.len()).then(|| {
                listed.sort_unstable();
                listed.into_iter().map(|(_, id)| id).collect()
            });
            Ok(Some(PlayQueue {
                entries,
                current_index,
                position_ms,
                listed,
                repeat: QueueRepeat::parse(&repeat),
            }))
        })
    }
}

/// Each entry's place in the listed order, by play-order index; `None` with shuffle off.
fn listed_positions(queue: &PlayQueue) -> Result<Option<Vec<usize>>> {
    let Some(listed) = &queue.listed else {
        return Ok(None);
    };
    let by_id: std::collections::HashMap<u64, usize> = listed
        .iter()
        .enumerate()
        .map(|(at, &id)| (id, at))
        .collect();
    if by_id.len() != queue.entries.len() {
        return Err(Error::Invalid(
            "the queue's listed order does not name each entry once".into(),
        ));
    }
    queue
        .entries
        .iter()
        .map(|e| {
            by_id.get(&e.entry_id).copied().ok_or_else(|| {
                Error::Invalid(format!(
                    "entry {} is not in the queue's listed order",
                    e.entry_id
                ))
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
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

    fn entry(entry_id: u64, track_id: &str, queued: bool) -> QueueEntryRow {
        QueueEntryRow {
            entry_id,
            track_id: track_id.into(),
            queued,
        }
    }

    #[test]
    fn position_update_keeps_the_queue() {
        let mut library = Library::open_in_memory().unwrap();
        assert_eq!(library.restore_queue().unwrap(), None);
        let queue = PlayQueue {
            entries: vec![
                entry(1, "a", false),
                entry(2, "b", false),
                entry(7, "a", true),
            ],
            current_index: Some(1),
            position_ms: 1_000,
            listed: None,
            repeat: QueueRepeat::All,
        };
        library.save_queue(&queue).unwrap();
        library.save_queue_position(Some(2), 42_500).unwrap();
        let restored = library.restore_queue().unwrap().unwrap();
        assert_eq!(
            restored.entries, queue.entries,
            "ids and the queued mark kept"
        );
        assert_eq!(restored.track_ids(), ["a", "b", "a"]);
        assert_eq!(restored.current_index, Some(2));
        assert_eq!(restored.position_ms, 42_500);
        assert_eq!(restored.repeat, QueueRepeat::All);
        assert_eq!(restored.listed, None);
        assert!(library.save_queue_position(Some(3), 0).is_err());
        assert_healthy(&library);
    }

    #[test]
    fn a_shuffled_queue_keeps_its_listed_order() {
        let mut library = Library::open_in_memory().unwrap();
        let queue = PlayQueue {
            entries: vec![
                entry(3, "c", false),
                entry(1, "a", false),
                entry(2, "b", true),
            ],
            current_index: Some(0),
            position_ms: 0,
            listed: Some(vec![1, 2, 3]),
            repeat: QueueRepeat::Off,
        };
        library.save_queue(&queue).unwrap();
        assert_eq!(library.restore_queue().unwrap().unwrap(), queue);

        let mut wrong = queue;
        wrong.listed = Some(vec![1, 2]);
        assert!(library.save_queue(&wrong).is_err(), "an entry left out");
        wrong.listed = Some(vec![1, 2, 9]);
        assert!(library.save_queue(&wrong).is_err(), "an entry not there");
    }

    #[test]
    fn entries_saved_without_ids_are_given_fresh_ones() {
        let library = Library::open_in_memory().unwrap();
        library
            .conn
            .execute_batch(
                "INSERT INTO play_queue_entries (position, track_id, entry_id) \
                     VALUES (0, 'a', NULL), (1, 'b', 5), (2, 'c', NULL);
                 INSERT INTO play_queue_state (id, current_index, position_ms, updated_at) \
                     VALUES (1, 0, 0, 1);",
            )
            .unwrap();
        let restored = library.restore_queue().unwrap().unwrap();
        let ids: Vec<u64> = restored.entries.iter().map(|e| e.entry_id).collect();
        assert_eq!(ids, [6, 5, 7]);
    }
}
