//! Tracks the service no longer has for this listener (deleted or taken down, or made
//! private by their owner), as playlists' snapshots and the availability check of the
//! offline copies report them, and the notice that tells the listener their offline copies
//! of such tracks are gone.

use std::collections::HashSet;

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
    /// the rest are available (again).
    pub fn record_availability(&mut self, asked: &[String], unavailable: &[String]) -> Result<()> {
        let gone: HashSet<&str> = unavailable.iter().map(String::as_str).collect();
        self.write(|tx| {
            let mut mark = tx.prepare_cached(
                "INSERT INTO unavailable_tracks (track_id, since) VALUES (?1, ?2) \
                 ON CONFLICT (track_id) DO NOTHING",
            )?;
            let mut clear =
                tx.prepare_cached("DELETE FROM unavailable_tracks WHERE track_id = ?1")?;
            let now = unix_now();
            for id in asked {
                if gone.contains(id.as_str()) {
                    mark.execute(params![id, now])?;
                } else {
                    clear.execute([id])?;
                }
            }
            Ok(())
        })
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
