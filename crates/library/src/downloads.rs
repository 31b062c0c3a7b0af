//! Download records: which tracks the listener wants offline and how far each download got.
//! The download manager (elsewhere) does the fetching; this keeps its state across restarts.
//!
//! A download becomes `Complete` only through [`Library::complete_download`], which takes the
//! size and SHA-256 measured on the written file and checks them against what the service
//! promised when the download started. The table's CHECK enforces the same, so no other code
//! path can mark an unverified file complete.
//!
//! A service may promise the size alone: a Subsonic server lists a song's size but no
//! checksum. The measured SHA-256 is recorded all the same; the CHECK's `sha256 =
//! expected_sha256` is NULL then, which SQL counts as met, while the size must still match.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension as _, Row, params};

use crate::catalog::collect;
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};

/// Where a download stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadState {
    /// Wanted, not started.
    Queued,
    /// Started; `bytes_done` says how far.
    Downloading,
    /// Written and verified.
    Complete,
    /// Gave up for now; `last_error` says why. Starting it again is allowed.
    Failed,
}

impl DownloadState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Downloading => "downloading",
            Self::Complete => "complete",
            Self::Failed => "failed",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Downloading,
            Self::Complete,
            Self::Failed,
        ]
        .into_iter()
        .find(|state| state.as_str() == value)
    }
}

/// One track's download record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub track_id: String,
    pub state: DownloadState,
    pub path: Option<PathBuf>,
    pub expected_size: Option<u64>,
    /// Lowercase hex.
    pub expected_sha256: Option<String>,
    /// The verified size; set when complete.
    pub size: Option<u64>,
    /// The verified SHA-256 (lowercase hex); set when complete.
    pub sha256: Option<String>,
    pub bytes_done: u64,
    /// Kept offline whatever the space pressure.
    pub pinned: bool,
    pub requested_at: i64,
    pub completed_at: Option<i64>,
    pub last_played_at: Option<i64>,
    pub last_error: Option<String>,
}

/// What the download manager measured on the finished file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFile {
    pub size: u64,
    /// Hex SHA-256 of the whole file (any case).
    pub sha256: String,
}

const DOWNLOAD_COLUMNS: &str = "track_id, state, path, expected_size, expected_sha256, size, \
     sha256, bytes_done, pinned, requested_at, completed_at, last_played_at, last_error";

impl Library {
    /// Asks for a track offline (queued). Asking again keeps its progress; `pinned` only ever
    /// turns pinning on here (see [`Self::set_download_pinned`]).
    ///
    /// A mark of the track as unavailable is dropped: the listener (or playback) wants it, so
    /// the service's grant decides now, and a later pass that trusts the marks without asking
    /// the service must not remove a download that a track back from private just got.
    pub fn request_download(&mut self, track_id: &str, pinned: bool) -> Result<Download> {
        let now = unix_now();
        self.write(|tx| {
            tx.execute(
                "DELETE FROM unavailable_tracks WHERE track_id = ?1",
                [track_id],
            )?;
            tx.execute(
                "INSERT INTO downloads (track_id, state, pinned, requested_at) \
                 VALUES (?1, 'queued', ?2, ?3) \
                 ON CONFLICT (track_id) DO UPDATE SET pinned = max(pinned, excluded.pinned)",
                params![track_id, pinned, now],
            )?;
            Ok(())
        })?;
        self.require_download(track_id)
    }

    /// The download manager starts (or restarts) fetching, with the grant's promise: a size,
    /// and a SHA-256 when the service gives one. Progress is kept when resuming the same file
    /// with the same promise, reset otherwise.
    pub fn start_download(
        &mut self,
        track_id: &str,
        path: &Path,
        expected_size: u64,
        expected_sha256: Option<&str>,
    ) -> Result<Download> {
        let path = path.to_str().ok_or_else(|| {
            Error::Invalid(format!("download path {} is not UTF-8", path.display()))
        })?;
        let sha256 = expected_sha256.map(valid_sha256).transpose()?;
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE downloads SET state = 'downloading', last_error = NULL, \
                     completed_at = NULL, size = NULL, sha256 = NULL, \
                     bytes_done = CASE WHEN path IS ?2 AND expected_size IS ?3 \
                         AND expected_sha256 IS ?4 AND state <> 'complete' \
                         THEN min(bytes_done, ?3) ELSE 0 END, \
                     path = ?2, expected_size = ?3, expected_sha256 = ?4 \
                 WHERE track_id = ?1",
                params![track_id, path, expected_size, sha256],
            )?;
            require_changed(tx, changed, track_id, "")
        })?;
        self.require_download(track_id)
    }

    /// Progress, for the UI and for resuming with a Range request.
    pub fn record_download_progress(&mut self, track_id: &str, bytes_done: u64) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE downloads SET bytes_done = ?2 WHERE track_id = ?1 AND state = 'downloading'",
                params![track_id, bytes_done],
            )?;
            require_changed(tx, changed, track_id, "is not running")
        })
    }

    /// Marks a download complete if the measured file is exactly what was promised (its size,
    /// and its SHA-256 when one was). On a mismatch the download is marked failed (saying why)
    /// and [`Error::DownloadMismatch`] is returned.
    pub fn complete_download(&mut self, track_id: &str, file: &VerifiedFile) -> Result<Download> {
        let sha256 = valid_sha256(&file.sha256)?;
        let now = unix_now();
        let verdict = self.write(|tx| {
            let promise: Option<(String, Option<u64>, Option<String>)> = tx
                .query_row(
                    "SELECT state, expected_size, expected_sha256 FROM downloads WHERE track_id = ?1",
                    [track_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let (state, expected_size, expected_sha256) =
                promise.ok_or_else(|| Error::not_found("download", track_id))?;
            let problem = match (expected_size, expected_sha256) {
                _ if state != "downloading" => Some(format!("the download is {state}, not running")),
                (Some(size), _) if size != file.size => {
                    Some(format!("{} bytes instead of {size}", file.size))
                }
                (Some(_), Some(expected)) if expected != sha256 => {
                    Some("its SHA-256 differs".to_owned())
                }
                (Some(_), _) => None,
                (None, _) => Some("no size was promised".to_owned()),
            };
            if let Some(detail) = problem {
                tx.execute(
                    "UPDATE downloads SET state = 'failed', last_error = ?2 \
                     WHERE track_id = ?1 AND state = 'downloading'",
                    params![track_id, format!("verification failed: {detail}")],
                )?;
                return Ok(Err(Error::DownloadMismatch {
                    track_id: track_id.to_owned(),
                    detail,
                }));
            }
            tx.execute(
                "UPDATE downloads SET state = 'complete', size = ?2, sha256 = ?3, \
                     bytes_done = ?2, completed_at = ?4, last_error = NULL WHERE track_id = ?1",
                params![track_id, file.size, sha256, now],
            )?;
            Ok(Ok(()))
        })?;
        verdict?;
        self.require_download(track_id)
    }

    /// Records a failed attempt.
    pub fn fail_download(&mut self, track_id: &str, error: &str) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE downloads SET state = 'failed', last_error = ?2 \
                 WHERE track_id = ?1 AND state <> 'complete'",
                params![track_id, error],
            )?;
            require_changed(tx, changed, track_id, "is already complete")
        })
    }

    /// Pins (keep whatever happens) or unpins a download.
    pub fn set_download_pinned(&mut self, track_id: &str, pinned: bool) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE downloads SET pinned = ?2 WHERE track_id = ?1",
                params![track_id, pinned],
            )?;
            require_changed(tx, changed, track_id, "")
        })
    }

    /// Forgets a download (after its file was deleted, or the listener removed it).
    pub fn remove_download(&mut self, track_id: &str) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute("DELETE FROM downloads WHERE track_id = ?1", [track_id])?;
            require_changed(tx, changed, track_id, "")
        })
    }

    /// One track's download record.
    pub fn download(&self, track_id: &str) -> Result<Option<Download>> {
        let sql = format!("SELECT {DOWNLOAD_COLUMNS} FROM downloads WHERE track_id = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([track_id], download_from_row)
            .optional()?
            .transpose()
    }

    /// Every download record, oldest request first.
    pub fn downloads(&self) -> Result<Vec<Download>> {
        let sql =
            format!("SELECT {DOWNLOAD_COLUMNS} FROM downloads ORDER BY requested_at, track_id");
        collect(&self.conn, &sql, [], download_from_row)?
            .into_iter()
            .collect()
    }

    /// Complete, unpinned downloads to delete first when space runs out: never played
    /// first, then least recently played, then oldest.
    pub fn eviction_candidates(&self, limit: usize) -> Result<Vec<Download>> {
        let sql = format!(
            "SELECT {DOWNLOAD_COLUMNS} FROM downloads WHERE state = 'complete' AND pinned = 0 \
             ORDER BY coalesce(last_played_at, 0), completed_at LIMIT ?1"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        collect(&self.conn, &sql, [limit], download_from_row)?
            .into_iter()
            .collect()
    }

    /// Bytes taken by complete downloads that are pinned (`true`) or not (`false`): what the
    /// storage quota counts.
    pub fn downloaded_bytes(&self, pinned: bool) -> Result<u64> {
        let bytes: i64 = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(size), 0) FROM downloads \
                 WHERE state = 'complete' AND pinned = ?1",
            )?
            .query_row([pinned], |row| row.get(0))?;
        // The table's CHECK keeps sizes non-negative.
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    fn require_download(&self, track_id: &str) -> Result<Download> {
        self.download(track_id)?
            .ok_or_else(|| Error::not_found("download", track_id))
    }
}

/// Turns "no row changed" into the right error: no such download, or (when `refusal` is
/// not empty) one whose state does not allow the change.
fn require_changed(
    tx: &rusqlite::Transaction<'_>,
    changed: usize,
    track_id: &str,
    refusal: &str,
) -> Result<()> {
    if changed > 0 {
        return Ok(());
    }
    let exists = tx
        .prepare_cached("SELECT 1 FROM downloads WHERE track_id = ?1")?
        .exists([track_id])?;
    if exists && !refusal.is_empty() {
        Err(Error::Invalid(format!(
            "the download of track {track_id} {refusal}"
        )))
    } else {
        Err(Error::not_found("download", track_id))
    }
}

fn valid_sha256(hex: &str) -> Result<String> {
    let hex = hex.to_ascii_lowercase();
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(Error::Invalid(format!("{hex:?} is not a SHA-256 in hex")))
    }
}

fn download_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Download>> {
    let state: String = row.get(1)?;
    let download = Download {
        track_id: row.get(0)?,
        state: DownloadState::Queued,
        path: row.get::<_, Option<String>>(2)?.map(PathBuf::from),
        expected_size: row.get(3)?,
        expected_sha256: row.get(4)?,
        size: row.get(5)?,
        sha256: row.get(6)?,
        bytes_done: row.get(7)?,
        pinned: row.get(8)?,
        requested_at: row.get(9)?,
        completed_at: row.get(10)?,
        last_played_at: row.get(11)?,
        last_error: row.get(12)?,
    };
    Ok(match DownloadState::parse(&state) {
        Some(state) => Ok(Download { state, ..download }),
        None => Err(Error::Corrupt(format!("download state {state}"))),
    })
}
