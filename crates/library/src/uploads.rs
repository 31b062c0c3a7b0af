//! Upload records: the files the listener asked to upload, how far each got, and every part
//! object storage acknowledged. The upload manager (elsewhere) does the sending; this keeps
//! its state across restarts, so a part is recorded only after storage answered for it and
//! an interrupted upload resumes from the parts recorded here.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension as _, Row, params};
use strato_model::api::{UploadDetails, UploadedPart, Visibility};

use crate::catalog::collect;
use crate::error::{Error, Result};
use crate::library::{Library, unix_now};

/// Where an upload stands, as this computer knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UploadState {
    /// Waiting for its turn (or for the network).
    Queued,
    /// Being announced or sent.
    Uploading,
    /// Paused by the listener; resumes from the parts recorded.
    Paused,
    /// Sent; the service is making it playable.
    Processing,
    /// Playable: it is a track now (`upload_id`).
    Ready,
    /// Stopped; `last_error` says why. Retrying is allowed.
    Failed,
}

impl UploadState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Uploading => "uploading",
            Self::Paused => "paused",
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "uploading" => Self::Uploading,
            "paused" => Self::Paused,
            "processing" => Self::Processing,
            "ready" => Self::Ready,
            "failed" => Self::Failed,
            _ => Self::Queued,
        }
    }

    /// Still the upload manager's to work on.
    #[must_use]
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::Uploading | Self::Processing)
    }
}

/// A file to upload, as the listener chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    pub path: PathBuf,
    pub size: u64,
    /// The file's modification time (Unix seconds) when it was hashed.
    pub modified_at: i64,
    /// Lower-case hex SHA-256 of the whole file.
    pub sha256: String,
    pub details: UploadDetails,
    pub visibility: Visibility,
}

/// One upload's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalUpload {
    pub local_id: String,
    pub path: PathBuf,
    pub file_name: String,
    pub size: u64,
    pub modified_at: i64,
    pub sha256: String,
    pub details: UploadDetails,
    pub visibility: Visibility,
    pub state: UploadState,
    /// The service's session, once announced: (upload id, part size, part count).
    pub session: Option<UploadSessionInfo>,
    pub last_error: Option<String>,
    pub queued_at: i64,
    pub finished_at: Option<i64>,
}

/// What the service fixed when the upload was announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSessionInfo {
    pub upload_id: String,
    pub part_size: u64,
    pub part_count: u32,
}

const UPLOAD_COLUMNS: &str = "local_id, path, file_name, size, modified_at, sha256, title, \
     artist, album, track_number, visibility, state, upload_id, part_size, part_count, \
     last_error, queued_at, finished_at";

fn upload_from_row(row: &Row<'_>) -> rusqlite::Result<LocalUpload> {
    let session = match (
        row.get::<_, Option<String>>(12)?,
        row.get::<_, Option<u64>>(13)?,
        row.get::<_, Option<u32>>(14)?,
    ) {
        (Some(upload_id), Some(part_size), Some(part_count)) => Some(UploadSessionInfo {
            upload_id,
            part_size,
            part_count,
        }),
        _ => None,
    };
    Ok(LocalUpload {
        local_id: row.get(0)?,
        path: PathBuf::from(row.get::<_, String>(1)?),
        file_name: row.get(2)?,
        size: row.get(3)?,
        modified_at: row.get(4)?,
        sha256: row.get(5)?,
        details: UploadDetails {
            title: row.get(6)?,
            artist: row.get(7)?,
            album: row.get(8)?,
            track_number: row.get(9)?,
        },
        visibility: if row.get::<_, String>(10)? == "public" {
            Visibility::Public
        } else {
            Visibility::Private
        },
        state: UploadState::parse(&row.get::<_, String>(11)?),
        session,
        last_error: row.get(15)?,
        queued_at: row.get(16)?,
        finished_at: row.get(17)?,
    })
}

impl Library {
    /// Queues a file. Its id is returned in the record.
    pub fn add_upload(&mut self, new: &NewUpload) -> Result<LocalUpload> {
        let path = path_text(&new.path)?;
        let file_name = new
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Invalid(format!("{path} is not a file")))?;
        let sha256 = new.sha256.to_ascii_lowercase();
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Invalid(format!(
                "{sha256:?} is not a SHA-256 in hex"
            )));
        }
        let local_id = format!("lu-{}", uuid::Uuid::new_v4().simple());
        let visibility = match new.visibility {
            Visibility::Private => "private",
            Visibility::Public => "public",
        };
        let details = &new.details;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO uploads (local_id, path, file_name, size, modified_at, sha256, \
                     title, artist, album, track_number, visibility, state, queued_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'queued', ?12)",
                params![
                    local_id,
                    path,
                    file_name,
                    new.size,
                    new.modified_at,
                    sha256,
                    details.title,
                    details.artist,
                    details.album,
                    details.track_number,
                    visibility,
                    unix_now(),
                ],
            )?;
            Ok(())
        })?;
        self.require_upload(&local_id)
    }

    pub fn upload(&self, local_id: &str) -> Result<Option<LocalUpload>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE local_id = ?1"
            ))?
            .query_row([local_id], upload_from_row)
            .optional()?)
    }

    fn require_upload(&self, local_id: &str) -> Result<LocalUpload> {
        self.upload(local_id)?
            .ok_or_else(|| Error::not_found("upload", local_id))
    }

    /// Every upload, in the order they were queued.
    pub fn uploads(&self) -> Result<Vec<LocalUpload>> {
        collect(
            &self.conn,
            &format!("SELECT {UPLOAD_COLUMNS} FROM uploads ORDER BY queued_at, rowid"),
            [],
            upload_from_row,
        )
    }

    /// The service announced the upload: its id and part layout, kept for resuming.
    pub fn set_upload_session(
        &mut self,
        local_id: &str,
        session: &UploadSessionInfo,
    ) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE uploads SET upload_id = ?2, part_size = ?3, part_count = ?4 \
                 WHERE local_id = ?1",
                params![
                    local_id,
                    session.upload_id,
                    session.part_size,
                    session.part_count
                ],
            )?;
            require_changed(changed, local_id)
        })
    }

    /// Forgets the service's session and every recorded part: the upload starts over (the
    /// service no longer holds it).
    pub fn reset_upload_session(&mut self, local_id: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM upload_parts WHERE local_id = ?1", [local_id])?;
            let changed = tx.execute(
                "UPDATE uploads SET upload_id = NULL, part_size = NULL, part_count = NULL \
                 WHERE local_id = ?1",
                [local_id],
            )?;
            require_changed(changed, local_id)
        })
    }

    /// Object storage acknowledged a part.
    pub fn record_upload_part(&mut self, local_id: &str, part: &UploadedPart) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO upload_parts (local_id, part_number, etag, size) \
                 VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (local_id, part_number) DO UPDATE SET etag = excluded.etag, \
                     size = excluded.size",
                params![local_id, part.part_number, part.etag, part.size],
            )?;
            Ok(())
        })
    }

    /// Drops recorded parts storage does not hold as recorded.
    pub fn forget_upload_parts(&mut self, local_id: &str, part_numbers: &[u32]) -> Result<()> {
        self.write(|tx| {
            for number in part_numbers {
                tx.execute(
                    "DELETE FROM upload_parts WHERE local_id = ?1 AND part_number = ?2",
                    params![local_id, number],
                )?;
            }
            Ok(())
        })
    }

    /// The parts recorded, ascending.
    pub fn upload_parts(&self, local_id: &str) -> Result<Vec<UploadedPart>> {
        collect(
            &self.conn,
            "SELECT part_number, etag, size FROM upload_parts WHERE local_id = ?1 \
             ORDER BY part_number",
            [local_id],
            |row| {
                Ok(UploadedPart {
                    part_number: row.get(0)?,
                    etag: row.get(1)?,
                    size: row.get(2)?,
                })
            },
        )
    }

    /// Moves an upload to `state`; `error` is kept for a failure and cleared otherwise.
    pub fn set_upload_state(
        &mut self,
        local_id: &str,
        state: UploadState,
        error: Option<&str>,
    ) -> Result<()> {
        let finished = matches!(state, UploadState::Ready | UploadState::Failed).then(unix_now);
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE uploads SET state = ?2, last_error = ?3, finished_at = ?4 \
                 WHERE local_id = ?1",
                params![local_id, state.as_str(), error, finished],
            )?;
            require_changed(changed, local_id)
        })
    }

    /// Forgets an upload and its parts.
    pub fn remove_upload(&mut self, local_id: &str) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute("DELETE FROM uploads WHERE local_id = ?1", [local_id])?;
            require_changed(changed, local_id)
        })
    }
}

fn require_changed(changed: usize, local_id: &str) -> Result<()> {
    if changed > 0 {
        Ok(())
    } else {
        Err(Error::not_found("upload", local_id))
    }
}

fn path_text(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| Error::Invalid(format!("{} is not a UTF-8 path", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_upload() -> NewUpload {
        NewUpload {
            path: PathBuf::from("/music/Tape.flac"),
            size: 20_000_000,
            modified_at: 1_700_000_000,
            sha256: "AB".repeat(32),
            details: UploadDetails {
                title: Some("Tape".into()),
                ..UploadDetails::default()
            },
            visibility: Visibility::Private,
        }
    }

    #[test]
    fn an_upload_keeps_its_session_and_acknowledged_parts_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.db");
        let id = {
            let mut lib = Library::open(&path).unwrap();
            let queued = lib.add_upload(&new_upload()).unwrap();
            assert_eq!(
                (
                    queued.state,
                    queued.file_name.as_str(),
                    queued.sha256.as_str()
                ),
                (UploadState::Queued, "Tape.flac", "ab".repeat(32).as_str())
            );
            let session = UploadSessionInfo {
                upload_id: "up-1".into(),
                part_size: 8 << 20,
                part_count: 3,
            };
            lib.set_upload_session(&queued.local_id, &session).unwrap();
            for n in [3, 1] {
                let part = UploadedPart {
                    part_number: n,
                    etag: format!("\"e{n}\""),
                    size: 10,
                };
                lib.record_upload_part(&queued.local_id, &part).unwrap();
            }
            lib.set_upload_state(&queued.local_id, UploadState::Uploading, None)
                .unwrap();
            queued.local_id
        };
        let mut lib = Library::open(&path).unwrap();
        let again = lib.upload(&id).unwrap().unwrap();
        assert_eq!(again.state, UploadState::Uploading);
        assert_eq!(again.session.unwrap().upload_id, "up-1");
        let numbers: Vec<u32> = lib
            .upload_parts(&id)
            .unwrap()
            .iter()
            .map(|p| p.part_number)
            .collect();
        assert_eq!(numbers, [1, 3]);
        lib.forget_upload_parts(&id, &[3]).unwrap();
        assert_eq!(lib.upload_parts(&id).unwrap().len(), 1);
        lib.reset_upload_session(&id).unwrap();
        let reset = lib.upload(&id).unwrap().unwrap();
        assert!(reset.session.is_none());
        assert!(lib.upload_parts(&id).unwrap().is_empty());
        lib.set_upload_state(&id, UploadState::Failed, Some("gone"))
            .unwrap();
        let failed = lib.upload(&id).unwrap().unwrap();
        assert_eq!(failed.last_error.as_deref(), Some("gone"));
        assert!(failed.finished_at.is_some());
        lib.remove_upload(&id).unwrap();
        assert!(lib.uploads().unwrap().is_empty());
        assert!(matches!(
            lib.remove_upload(&id),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn a_malformed_checksum_is_refused() {
        let mut lib = Library::open_in_memory().unwrap();
        let bad = NewUpload {
            sha256: "xyz".into(),
            ..new_upload()
        };
        assert!(matches!(lib.add_upload(&bad), Err(Error::Invalid(_))));
    }
}
