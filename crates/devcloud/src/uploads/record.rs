//! An upload's record as stored: its row read from SQLite, and what it shows as (the
//! owner's `Upload`, everyone's `Track`). The functions that read and write it are
//! [`super::store`]'s.

use rusqlite::Row;
use sha2::{Digest as _, Sha256};
use strato_model::api::{
    FailureKind, Listener, ReplayGain, Takedown, Track, Upload, UploadDetails, UploadFailure,
    UploadStatus, Visibility,
};

use crate::catalog::TrackMedia;

/// What a listener who left a detail empty sees.
const UNKNOWN_ARTIST: &str = "Unknown artist";
const UNKNOWN_ALBUM: &str = "Unknown album";

/// Everything stored about an upload.
#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: String,
    pub owner: String,
    pub owner_name: String,
    pub file_name: String,
    pub size: u64,
    pub sha256: String,
    pub status: Status,
    pub progress: f32,
    pub visibility: Visibility,
    pub details: UploadDetails,
    pub album_id: String,
    pub artist_id: String,
    pub object_key: String,
    pub multipart_id: Option<String>,
    pub part_size: u64,
    pub part_count: u32,
    pub failure: Option<UploadFailure>,
    pub takedown: Option<Takedown>,
    pub media: Option<TrackMedia>,
    pub duration_ms: Option<u32>,
    pub replaygain: Option<ReplayGain>,
    pub cover_version: Option<u32>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An upload's status, with the tombstone the API never shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Live(UploadStatus),
    Deleted,
}

impl Status {
    fn parse(text: &str) -> Self {
        match text {
            "uploading" => Self::Live(UploadStatus::Uploading),
            "processing" => Self::Live(UploadStatus::Processing),
            "ready" => Self::Live(UploadStatus::Ready),
            "failed" => Self::Live(UploadStatus::Failed),
            _ => Self::Deleted,
        }
    }
}

pub(super) fn visibility_name(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Private => "private",
        Visibility::Public => "public",
    }
}

pub(super) fn failure_name(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::NotAudio => "not_audio",
        FailureKind::TooLong => "too_long",
        FailureKind::ChecksumMismatch => "checksum_mismatch",
        FailureKind::Internal => "internal",
    }
}

fn failure_kind(name: &str) -> FailureKind {
    match name {
        "not_audio" => FailureKind::NotAudio,
        "too_long" => FailureKind::TooLong,
        "checksum_mismatch" => FailureKind::ChecksumMismatch,
        _ => FailureKind::Internal,
    }
}

/// `ual-…` / `uar-…`: an owner's album or artist, by name (case-insensitive).
fn derived_id(prefix: &str, owner: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{owner}\0{}", name.to_lowercase()));
    format!("{prefix}-{}", hex::encode(&digest[..10]))
}

pub(super) fn album_id(owner: &str, album: Option<&str>) -> String {
    derived_id("ual", owner, album.unwrap_or(UNKNOWN_ALBUM))
}

pub(super) fn artist_id(owner: &str, artist: Option<&str>) -> String {
    derived_id("uar", owner, artist.unwrap_or(UNKNOWN_ARTIST))
}

pub(super) const COLUMNS: &str = "u.id, u.owner, u.owner_name, u.file_name, u.size, u.sha256, u.status, \
    u.progress, u.visibility, u.title, u.artist, u.album, u.track_number, u.album_id, \
    u.artist_id, u.object_key, u.multipart_id, u.part_size, u.part_count, u.failure_kind, \
    u.failure_message, u.takedown_reason, u.takedown_at, u.media, u.duration_ms, u.replaygain, \
    u.cover_version, u.created_at, u.updated_at";

pub(super) fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

pub(super) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(super) fn read_row(row: &Row<'_>) -> rusqlite::Result<UploadRow> {
    let json = |index: usize| -> rusqlite::Result<Option<String>> { row.get(index) };
    let failure = match (
        row.get::<_, Option<String>>(19)?,
        row.get::<_, Option<String>>(20)?,
    ) {
        (Some(kind), message) => Some(UploadFailure {
            kind: failure_kind(&kind),
            message: message.unwrap_or_default(),
        }),
        _ => None,
    };
    let takedown = match (
        row.get::<_, Option<String>>(21)?,
        row.get::<_, Option<i64>>(22)?,
    ) {
        (Some(reason), Some(at)) => Some(Takedown { reason, at }),
        _ => None,
    };
    Ok(UploadRow {
        id: row.get(0)?,
        owner: row.get(1)?,
        owner_name: row.get(2)?,
        file_name: row.get(3)?,
        size: to_u64(row.get(4)?),
        sha256: row.get(5)?,
        status: Status::parse(&row.get::<_, String>(6)?),
        #[allow(clippy::cast_possible_truncation)] // a fraction from 0 to 1
        progress: row.get::<_, f64>(7)? as f32,
        visibility: if row.get::<_, String>(8)? == "public" {
            Visibility::Public
        } else {
            Visibility::Private
        },
        details: UploadDetails {
            title: row.get(9)?,
            artist: row.get(10)?,
            album: row.get(11)?,
            track_number: row.get(12)?,
        },
        album_id: row.get(13)?,
        artist_id: row.get(14)?,
        object_key: row.get(15)?,
        multipart_id: row.get(16)?,
        part_size: to_u64(row.get(17)?),
        part_count: row.get(18)?,
        failure,
        takedown,
        media: json(23)?.and_then(|text| serde_json::from_str(&text).ok()),
        duration_ms: row.get(24)?,
        replaygain: json(25)?.and_then(|text| serde_json::from_str(&text).ok()),
        cover_version: row.get(26)?,
        created_at: row.get(27)?,
        updated_at: row.get(28)?,
    })
}

impl UploadRow {
    /// The track listeners see, once the upload is ready.
    #[must_use]
    pub fn track(&self) -> Option<Track> {
        if self.status != Status::Live(UploadStatus::Ready) {
            return None;
        }
        let stem = std::path::Path::new(&self.file_name)
            .file_stem()
            .map_or_else(
                || self.file_name.clone(),
                |s| s.to_string_lossy().into_owned(),
            );
        Some(Track {
            id: self.id.clone(),
            title: self.details.title.clone().unwrap_or(stem),
            artist_id: self.artist_id.clone(),
            artist_name: self
                .details
                .artist
                .clone()
                .unwrap_or_else(|| UNKNOWN_ARTIST.to_owned()),
            album_id: self.album_id.clone(),
            album_title: self
                .details
                .album
                .clone()
                .unwrap_or_else(|| UNKNOWN_ALBUM.to_owned()),
            track_number: self.details.track_number.unwrap_or(0),
            duration_ms: self.duration_ms.unwrap_or(0),
            cover_path: self.cover_path(),
            replaygain: self.replaygain,
            owner: Some(Listener {
                id: self.owner.clone(),
                name: self.owner_name.clone(),
            }),
        })
    }

    /// `/art/<id>-<version>.jpg`, when it has a cover.
    #[must_use]
    pub fn cover_path(&self) -> Option<String> {
        self.cover_version
            .map(|version| format!("/{}", cover_file(&self.id, version)))
    }

    /// The record its owner sees. `None` for a deleted upload.
    #[must_use]
    pub fn upload(&self) -> Option<Upload> {
        let Status::Live(status) = self.status else {
            return None;
        };
        Some(Upload {
            id: self.id.clone(),
            file_name: self.file_name.clone(),
            size: self.size,
            status,
            progress: self.progress,
            visibility: self.visibility,
            details: self.details.clone(),
            failure: self.failure.clone(),
            takedown: self.takedown.clone(),
            track: self.track(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// `art/<id>-<version>.jpg`, relative to the CDN's root.
#[must_use]
pub fn cover_file(id: &str, version: u32) -> String {
    format!("art/{id}-{version}.jpg")
}
