//! Tracks the service no longer has for this listener (deleted or taken down, or made
//! private by their owner), as playlists' snapshots and the availability check of the
//! offline copies report them, when the check last asked about each track (so a service
//! asked one track at a time is asked about the longest unasked first), and the notice that
//! tells the listener their offline copies of such tracks are gone.

use std::collections::{HashMap, HashSet};

use rusqlite::params;

use crate::catalog::collect;
use crate::error::Result;
use crate::library::{Library, unix_now};
use crate::sync_records::{self, NewRecord, SyncRecordKind};

/// How many titles a notice names before it counts the rest.
const TITLES_NAMED: usize = 3;

impl Library {
    /// The tracks the service said are no longer available.
    pub fn unavailable_tracks(&self) -> Result<HashSet<String>> {
        Ok(collect(
            &self.conn,
            "SELECT track_id FROM unavailable_tracks",
            [],
            |row| row.get(0),
        )?
        .into_iter()
        .collect())
    }

    /// Takes in the service's answer about `asked`: the ids in `unavailable` are marked so,
    /// the rest are available (again); all of them were checked now.
    pub fn record_availability(&mut self, asked: &[String], unavailable: &[String]) -> Result<()> {
        let gone: HashSet<&str> = unavailable.iter().map(String::as_str).collect();
        self.write(|tx| {
            let mut mark = tx.prepare_cached(
                "INSERT INTO unavailable_tracks (track_id, since) VALUES (?1, ?2) \
                 ON CONFLICT (track_id) DO NOTHING",
            )?;
            let mut clear =
                tx.prepare_cached("DELETE FROM unavailable_tracks WHERE track_id = ?1")?;
            let mut checked = tx.prepare_cached(
                "INSERT INTO availability_checked (track_id, checked_at) VALUES (?1, ?2) \
                 ON CONFLICT (track_id) DO UPDATE SET checked_at = excluded.checked_at",
            )?;
            let now = unix_now();
            for id in asked {
                if gone.contains(id.as_str()) {
                    mark.execute(params![id, now])?;
                } else {
                    clear.execute([id])?;
                }
                checked.execute(params![id, now])?;
            }
            Ok(())
        })
    }

    /// At most `limit` of `track_ids`, those the availability check asked about longest ago
    /// first (never asked: first of all), in `track_ids`' order among equals. Forgets when it
    /// asked about tracks not among `track_ids` (kept nowhere any more).
    pub fn least_recently_checked(
        &mut self,
        track_ids: &[String],
        limit: usize,
    ) -> Result<Vec<String>> {
        let checked: HashMap<String, i64> = collect(
            &self.conn,
            "SELECT track_id, checked_at FROM availability_checked",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?
        .into_iter()
        .collect();
        let wanted: HashSet<&str> = track_ids.iter().map(String::as_str).collect();
        let forgotten: Vec<&String> = checked
            .keys()
            .filter(|id| !wanted.contains(id.as_str()))
            .collect();
        if !forgotten.is_empty() {
            self.write(|tx| {
                let mut forget =
                    tx.prepare_cached("DELETE FROM availability_checked WHERE track_id = ?1")?;
                for id in &forgotten {
                    forget.execute([id])?;
                }
                Ok(())
            })?;
        }
        let mut order: Vec<&String> = track_ids.iter().collect();
        // Stable: equals keep their order.
        order.sort_by_key(|id| checked.get(id.as_str()).copied().unwrap_or(i64::MIN));
        Ok(order.into_iter().take(limit).cloned().collect())
    }

    /// Tells the listener that the offline copies of `track_ids` were removed because the
    /// service no longer has them: one notice for the lot, naming the first few. Returns the
    /// notice's id (`None` when there is nothing to say).
    pub fn record_offline_removed(&mut self, track_ids: &[String]) -> Result<Option<i64>> {
        if track_ids.is_empty() {
            return Ok(None);
        }
        self.write(|tx| {
            let titles = track_ids
                .iter()
                .take(TITLES_NAMED)
                .map(|id| sync_records::track_label(tx, id))
                .collect::<Result<Vec<_>>>()?;
            let message = removed_message(&titles, track_ids.len());
            let id = sync_records::record(
                tx,
                &NewRecord {
                    op_seq: None,
                    kind: SyncRecordKind::OfflineRemoved,
                    playlist_id: None,
                    playlist_name: None,
                    message,
                    notify: true,
                },
            )?;
            Ok(Some(id))
        })
    }
}

/// "“A” was removed…", "“A” and “B” were removed…", "“A”, “B”, “C” and 2 more were…".
fn removed_message(titles: &[String], count: usize) -> String {
    let rest = count.saturating_sub(titles.len());
    let named = match (titles, rest) {
        ([one], 0) => one.clone(),
        ([first @ .., last], 0) => format!("{} and {last}", first.join(", ")),
        (all, 1) => format!("{} and 1 more track", all.join(", ")),
        (all, more) => format!("{} and {more} more tracks", all.join(", ")),
    };
    let verb = if count == 1 { "was" } else { "were" };
    // A track not cached reads "a track": the sentence starts with a capital all the same.
    let mut chars = named.chars();
    let named: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let pronoun = if count == 1 { "it is" } else { "they are" };
    format!("{named} {verb} removed from your offline music: {pronoun} no longer available.")
}

#[cfg(test)]
mod tests {
    use super::removed_message;
    use crate::Library;

    fn ids(names: &[&str]) -> Vec<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }

    #[test]
    fn the_longest_unasked_come_first_and_tracks_kept_nowhere_are_forgotten() {
        let mut lib = Library::open_in_memory().unwrap();
        let all = ids(&["a", "b", "c", "d", "e"]);
        assert_eq!(
            lib.least_recently_checked(&all, 2).unwrap(),
            ids(&["a", "b"])
        );
        lib.record_availability(&ids(&["a", "b"]), &ids(&["b"]))
            .unwrap();
        // Never asked before those asked just now, then those in order.
        assert_eq!(
            lib.least_recently_checked(&all, 4).unwrap(),
            ids(&["c", "d", "e", "a"])
        );
        lib.conn
            .execute(
                "UPDATE availability_checked SET checked_at = 1 WHERE track_id = 'b'",
                [],
            )
            .unwrap();
        lib.record_availability(&ids(&["c", "d", "e"]), &[])
            .unwrap();
        assert_eq!(
            lib.least_recently_checked(&all, 2).unwrap(),
            ids(&["b", "a"])
        );
        // "a", "d" and "e" are kept nowhere any more: when they were asked about goes.
        assert_eq!(
            lib.least_recently_checked(&ids(&["b", "c"]), 10).unwrap(),
            ids(&["b", "c"])
        );
        let left: i64 = lib
            .conn
            .query_row("SELECT count(*) FROM availability_checked", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(left, 2, "only b and c are remembered");
    }

    fn titles(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| format!("“{n}”")).collect()
    }

    #[test]
    fn names_one_track() {
        assert!(removed_message(&titles(&["A"]), 1).starts_with("“A” was removed"));
    }

    #[test]
    fn a_track_not_cached_starts_the_sentence_with_a_capital() {
        let message = removed_message(&["a track".to_owned()], 1);
        assert!(message.starts_with("A track was removed"), "{message}");
    }

    #[test]
    fn names_a_few_and_counts_the_rest() {
        assert!(removed_message(&titles(&["A", "B"]), 2).starts_with("“A” and “B” were removed"));
        assert!(
            removed_message(&titles(&["A", "B", "C"]), 4)
                .starts_with("“A”, “B”, “C” and 1 more track were removed")
        );
        assert!(
            removed_message(&titles(&["A", "B", "C"]), 9)
                .starts_with("“A”, “B”, “C” and 6 more tracks were removed")
        );
    }
}
