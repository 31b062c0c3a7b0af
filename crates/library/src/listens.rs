//! Listens waiting to be scrobbled (issue 20, migration 0017): the durable queue between the
//! player, which says a play counts as a listen, and a scrobble target (`ListenBrainz`, or an
//! `OpenSubsonic` server's `scrobble`), which may be out of reach for days.
//!
//! # Why the states
//!
//! A listen is written here, one row per target, before anything is sent. Sending a batch
//! first marks its rows `sending`, with the attempt's time, in the same transaction that
//! read them ([`Library::claim_listens`]); only the target's acknowledgement marks them
//! `sent`. So after a crash, or an answer lost on the way, a row still `sending` is exactly a
//! listen whose fate is unknown: the sender asks the target whether it landed before it
//! either marks it sent or puts it back in the queue ([`Library::requeue_listens`]). That is
//! what keeps a listen from being submitted twice. A listen the target refuses for good is
//! kept as `rejected`, with its reason, and never tried again, so it cannot block the ones
//! after it.
//!
//! The queue knows nothing of any target's protocol: the sending lives in `strato-scrobble`.

use rusqlite::{OptionalExtension, Row, params};

use crate::error::{Error, Result};
use crate::library::Library;

/// How long a sent listen is kept (for a look at what was scrobbled) before it is forgotten.
pub const SENT_LISTENS_KEPT_SECS: i64 = 7 * 24 * 3600;

/// Where a listen is scrobbled to. Each target has its own queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScrobbleTarget {
    /// `ListenBrainz` (`POST /1/submit-listens`).
    ListenBrainz,
    /// The `OpenSubsonic` server the track was heard from (its `scrobble` call).
    Subsonic,
}

impl ScrobbleTarget {
    fn as_str(self) -> &'static str {
        match self {
            Self::ListenBrainz => "listenbrainz",
            Self::Subsonic => "subsonic",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "listenbrainz" => Ok(Self::ListenBrainz),
            "subsonic" => Ok(Self::Subsonic),
            other => Err(Error::Corrupt(format!("unknown scrobble target {other}"))),
        }
    }
}

/// A listen as the player reports it: what was heard, from where, and when it began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// The kind of service the track was heard from (`strato`, `opensubsonic`, ...).
    pub service_kind: String,
    /// The account on that service.
    pub account: String,
    /// The catalog's id of the track.
    pub track_id: String,
    pub artist_name: String,
    pub track_name: String,
    pub release_name: Option<String>,
    pub duration_ms: Option<u32>,
    pub track_number: Option<u32>,
    /// When the listen began, in Unix seconds.
    pub listened_at: i64,
}

/// Where a queued listen stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenState {
    /// Waiting to be sent.
    Queued,
    /// Sent in an attempt begun at `since` (Unix seconds) whose answer has not been recorded.
    Sending { since: i64 },
    /// The target took it at `at` (Unix seconds).
    Sent { at: i64 },
    /// The target refused it for good, with these words; never sent again.
    Rejected { reason: String },
}

/// A listen in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedListen {
    /// The row's id, stable for the listen's life.
    pub id: i64,
    pub target: ScrobbleTarget,
    pub listen: Listen,
    pub state: ListenState,
}

const COLUMNS: &str = "id, target, service_kind, account, track_id, artist_name, track_name, \
     release_name, duration_ms, track_number, listened_at, state, sending_since, sent_at, \
     rejected_reason";

/// A row as stored; its target and state are checked when it becomes a [`QueuedListen`]
/// (a row-mapping closure can only fail with rusqlite's own errors).
struct StoredRow {
    id: i64,
    target: String,
    listen: Listen,
    state: String,
    sending_since: Option<i64>,
    sent_at: Option<i64>,
    rejected_reason: Option<String>,
}

fn stored_row(row: &Row<'_>) -> rusqlite::Result<StoredRow> {
    Ok(StoredRow {
        id: row.get(0)?,
        target: row.get(1)?,
        listen: Listen {
            service_kind: row.get(2)?,
            account: row.get(3)?,
            track_id: row.get(4)?,
            artist_name: row.get(5)?,
            track_name: row.get(6)?,
            release_name: row.get(7)?,
            duration_ms: row.get(8)?,
            track_number: row.get(9)?,
            listened_at: row.get(10)?,
        },
        state: row.get(11)?,
        sending_since: row.get(12)?,
        sent_at: row.get(13)?,
        rejected_reason: row.get(14)?,
    })
}

impl TryFrom<StoredRow> for QueuedListen {
    type Error = Error;

    fn try_from(row: StoredRow) -> Result<Self> {
        let corrupt = || Error::Corrupt(format!("listen {} in state {}", row.id, row.state));
        let state = match (row.state.as_str(), row.sending_since, row.sent_at) {
            ("queued", _, _) => ListenState::Queued,
            ("sending", Some(since), _) => ListenState::Sending { since },
            ("sent", _, Some(at)) => ListenState::Sent { at },
            ("rejected", _, _) => ListenState::Rejected {
                reason: row.rejected_reason.clone().ok_or_else(corrupt)?,
            },
            _ => return Err(corrupt()),
        };
        Ok(Self {
            id: row.id,
            target: ScrobbleTarget::parse(&row.target)?,
            listen: row.listen,
            state,
        })
    }
}

fn collect(rows: impl Iterator<Item = rusqlite::Result<StoredRow>>) -> Result<Vec<QueuedListen>> {
    rows.map(|row| QueuedListen::try_from(row?)).collect()
}

impl Library {
    /// Queues `listen` for `target`, before anything is sent; its row's id. The same play
    /// queued again (same target, track and start) is the one row already there.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a listen without an artist or a title (no target takes one).
    pub fn enqueue_listen(&mut self, target: ScrobbleTarget, listen: &Listen) -> Result<i64> {
        if listen.artist_name.trim().is_empty() || listen.track_name.trim().is_empty() {
            return Err(Error::Invalid(
                "a listen needs the track's artist and title".into(),
            ));
        }
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO listens (target, service_kind, account, track_id, artist_name, \
                 track_name, release_name, duration_ms, track_number, listened_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (target, track_id, listened_at) DO NOTHING",
            )?
            .execute(params![
                target.as_str(),
                listen.service_kind,
                listen.account,
                listen.track_id,
                listen.artist_name,
                listen.track_name,
                listen.release_name,
                listen.duration_ms,
                listen.track_number,
                listen.listened_at,
            ])?;
            Ok(tx
                .prepare_cached(
                    "SELECT id FROM listens \
                     WHERE target = ?1 AND track_id = ?2 AND listened_at = ?3",
                )?
                .query_row(
                    params![target.as_str(), listen.track_id, listen.listened_at],
                    |row| row.get(0),
                )?)
        })
    }

    /// The oldest `limit` listens waiting for `target`, without claiming them.
    pub fn due_listens(&self, target: ScrobbleTarget, limit: usize) -> Result<Vec<QueuedListen>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM listens WHERE target = ?1 AND state = 'queued' \
             ORDER BY listened_at, id LIMIT ?2"
        ))?;
        collect(statement.query_map(params![target.as_str(), limit], stored_row)?)
    }

    /// Claims the oldest `limit` listens waiting for `target` for an attempt begun at `now`
    /// (Unix seconds): they are read and marked sending in one transaction, so two senders
    /// never claim the same listen, and a crash after the send leaves them marked.
    pub fn claim_listens(
        &mut self,
        target: ScrobbleTarget,
        limit: usize,
        now: i64,
    ) -> Result<Vec<QueuedListen>> {
        self.write(|tx| {
            let mut statement = tx.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM listens WHERE target = ?1 AND state = 'queued' \
                 ORDER BY listened_at, id LIMIT ?2"
            ))?;
            let mut claimed =
                collect(statement.query_map(params![target.as_str(), limit], stored_row)?)?;
            let mut mark = tx.prepare_cached(
                "UPDATE listens SET state = 'sending', sending_since = ?2 WHERE id = ?1",
            )?;
            for queued in &mut claimed {
                mark.execute(params![queued.id, now])?;
                queued.state = ListenState::Sending { since: now };
            }
            Ok(claimed)
        })
    }

    /// The listens for `target` left sending (an attempt whose answer was never recorded),
    /// oldest first: what a sender checks with the target before anything else.
    pub fn listens_in_flight(&self, target: ScrobbleTarget) -> Result<Vec<QueuedListen>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM listens WHERE target = ?1 AND state = 'sending' \
             ORDER BY listened_at, id"
        ))?;
        collect(statement.query_map(params![target.as_str()], stored_row)?)
    }

    /// The target took the listens `ids` (at `now`, Unix seconds).
    pub fn mark_listens_sent(&mut self, ids: &[i64], now: i64) -> Result<()> {
        self.write(|tx| {
            let mut mark = tx.prepare_cached(
                "UPDATE listens SET state = 'sent', sent_at = ?2, sending_since = NULL \
                 WHERE id = ?1 AND state IN ('queued', 'sending')",
            )?;
            for id in ids {
                mark.execute(params![id, now])?;
            }
            Ok(())
        })
    }

    /// The listens `ids` surely did not reach the target: they wait again, in their place.
    pub fn requeue_listens(&mut self, ids: &[i64]) -> Result<()> {
        self.write(|tx| {
            let mut mark = tx.prepare_cached(
                "UPDATE listens SET state = 'queued', sending_since = NULL \
                 WHERE id = ?1 AND state = 'sending'",
            )?;
            for id in ids {
                mark.execute([id])?;
            }
            Ok(())
        })
    }

    /// The target refused listen `id` for good, saying `reason`: kept, never sent again.
    pub fn reject_listen(&mut self, id: i64, reason: &str) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "UPDATE listens SET state = 'rejected', rejected_reason = ?2, \
                 sending_since = NULL WHERE id = ?1 AND state IN ('queued', 'sending')",
            )?
            .execute(params![id, reason])?;
            Ok(())
        })
    }

    /// Forgets the listens sent more than [`SENT_LISTENS_KEPT_SECS`] before `now`; how many.
    pub fn forget_sent_listens(&mut self, now: i64) -> Result<usize> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached("DELETE FROM listens WHERE state = 'sent' AND sent_at < ?1")?
                .execute([now.saturating_sub(SENT_LISTENS_KEPT_SECS)])?)
        })
    }

    /// Listen `id` as it stands, if still kept.
    pub fn queued_listen(&self, id: i64) -> Result<Option<QueuedListen>> {
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM listens WHERE id = ?1"))?
            .query_row([id], stored_row)
            .optional()?;
        raw.map(QueuedListen::try_from).transpose()
    }

    /// Every listen kept for `target`, oldest first, whatever its state.
    pub fn listens_for(&self, target: ScrobbleTarget) -> Result<Vec<QueuedListen>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM listens WHERE target = ?1 ORDER BY listened_at, id"
        ))?;
        collect(statement.query_map(params![target.as_str()], stored_row)?)
    }

    /// How many listens for `target` wait or are in flight.
    pub fn pending_listen_count(&self, target: ScrobbleTarget) -> Result<usize> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM listens WHERE target = ?1 AND state IN ('queued', 'sending')",
            [target.as_str()],
            |row| row.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    fn listen(track_id: &str, at: i64) -> Listen {
        Listen {
            service_kind: "strato".into(),
            account: "ben".into(),
            track_id: track_id.into(),
            artist_name: "Artist".into(),
            track_name: format!("Title {track_id}"),
            release_name: Some("Album".into()),
            duration_ms: Some(200_000),
            track_number: Some(3),
            listened_at: at,
        }
    }

    fn open() -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path().join("library.sqlite")).unwrap();
        (dir, library)
    }

    fn ids(listens: &[QueuedListen]) -> Vec<i64> {
        listens.iter().map(|l| l.id).collect()
    }

    #[test]
    fn listens_are_claimed_oldest_first_per_target_and_once() {
        let (_dir, mut library) = open();
        let late = library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("b", 2_000))
            .unwrap();
        let early = library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("a", 1_000))
            .unwrap();
        let other = library
            .enqueue_listen(ScrobbleTarget::Subsonic, &listen("a", 1_000))
            .unwrap();
        // The same play again is the same row.
        assert_eq!(
            library
                .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("a", 1_000))
                .unwrap(),
            early
        );
        assert_eq!(
            ids(&library
                .due_listens(ScrobbleTarget::ListenBrainz, 10)
                .unwrap()),
            [early, late]
        );

        let claimed = library
            .claim_listens(ScrobbleTarget::ListenBrainz, 1, 5_000)
            .unwrap();
        assert_eq!(ids(&claimed), [early]);
        assert_eq!(claimed[0].state, ListenState::Sending { since: 5_000 });
        assert_eq!(claimed[0].listen, listen("a", 1_000));
        // Claimed is claimed: the next claim takes the next one.
        let next = library
            .claim_listens(ScrobbleTarget::ListenBrainz, 10, 5_001)
            .unwrap();
        assert_eq!(ids(&next), [late]);
        assert!(
            library
                .claim_listens(ScrobbleTarget::ListenBrainz, 10, 5_002)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            ids(&library
                .listens_in_flight(ScrobbleTarget::ListenBrainz)
                .unwrap()),
            [early, late]
        );
        // The other target's queue is untouched.
        assert_eq!(
            ids(&library.due_listens(ScrobbleTarget::Subsonic, 10).unwrap()),
            [other]
        );
        assert_eq!(
            library
                .pending_listen_count(ScrobbleTarget::ListenBrainz)
                .unwrap(),
            2
        );
        assert_healthy(&library);
    }

    #[test]
    fn a_claim_survives_reopening_and_only_an_answer_moves_it_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite");
        let (a, b, c) = {
            let mut library = Library::open(&path).unwrap();
            let a = library
                .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("a", 1_000))
                .unwrap();
            let b = library
                .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("b", 1_100))
                .unwrap();
            let c = library
                .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("c", 1_200))
                .unwrap();
            library
                .claim_listens(ScrobbleTarget::ListenBrainz, 3, 9_000)
                .unwrap();
            (a, b, c)
        };
        // As a crash would leave it: still in flight after reopening.
        let mut library = Library::open(&path).unwrap();
        assert_eq!(
            ids(&library
                .listens_in_flight(ScrobbleTarget::ListenBrainz)
                .unwrap()),
            [a, b, c]
        );
        library.mark_listens_sent(&[a], 9_100).unwrap();
        library.requeue_listens(&[b]).unwrap();
        library.reject_listen(c, "track_name is empty").unwrap();

        let state = |library: &Library, id| library.queued_listen(id).unwrap().unwrap().state;
        assert_eq!(state(&library, a), ListenState::Sent { at: 9_100 });
        assert_eq!(state(&library, b), ListenState::Queued);
        assert_eq!(
            state(&library, c),
            ListenState::Rejected {
                reason: "track_name is empty".into()
            }
        );
        // A late requeue or rejection cannot undo a sent listen.
        library.requeue_listens(&[a]).unwrap();
        library.reject_listen(a, "late").unwrap();
        assert_eq!(state(&library, a), ListenState::Sent { at: 9_100 });
        // The rejected one is never claimed again; the requeued one is.
        assert_eq!(
            ids(&library
                .claim_listens(ScrobbleTarget::ListenBrainz, 10, 9_200)
                .unwrap()),
            [b]
        );
        assert!(
            library
                .listens_in_flight(ScrobbleTarget::ListenBrainz)
                .unwrap()
                .len()
                == 1
        );
        assert_healthy(&library);
    }

    #[test]
    fn sent_listens_are_forgotten_after_a_week_and_nothing_else_is() {
        let (_dir, mut library) = open();
        let old = library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("old", 1_000))
            .unwrap();
        let recent = library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("recent", 1_100))
            .unwrap();
        let waiting = library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &listen("waiting", 1_200))
            .unwrap();
        library.mark_listens_sent(&[old], 10_000).unwrap();
        library.mark_listens_sent(&[recent], 20_000).unwrap();
        let now = 10_001 + SENT_LISTENS_KEPT_SECS;
        assert_eq!(library.forget_sent_listens(now).unwrap(), 1);
        assert_eq!(library.queued_listen(old).unwrap(), None);
        assert!(library.queued_listen(recent).unwrap().is_some());
        assert_eq!(
            library.queued_listen(waiting).unwrap().unwrap().state,
            ListenState::Queued
        );
        assert_healthy(&library);
    }

    #[test]
    fn a_listen_without_artist_or_title_is_refused_in_words() {
        let (_dir, mut library) = open();
        let mut untitled = listen("a", 1_000);
        untitled.track_name = "  ".into();
        let error = library
            .enqueue_listen(ScrobbleTarget::ListenBrainz, &untitled)
            .unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Invalid);
        assert!(error.to_string().contains("artist and title"), "{error}");
        assert!(
            library
                .listens_for(ScrobbleTarget::ListenBrainz)
                .unwrap()
                .is_empty()
        );
    }
}
