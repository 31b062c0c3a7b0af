//! An upload's record as stored: its row read from SQLite, what it shows as (the owner's
//! `Upload`, everyone's `Track`), and the changes every store makes the same way (an owner's
//! edit, what processing found). The SQL that reads and writes it is [`super::store`]'s.

use rusqlite::Row;
use sha2::{Digest as _, Sha256};
use strato_model::api::{
    FailureKind, Listener, ReplayGain, Takedown, Track, Upload, UploadDetails, UploadFailure,
    UploadPatch, UploadStatus, Visibility,
};

use super::store::{NewRow, Published};
use crate::catalog::TrackMedia;

/// What a listener who left a detail empty sees.
const UNKNOWN_ARTIST: &str = "Unknown artist";
const UNKNOWN_ALBUM: &str = "Unknown album";

/// The longest title, artist or album an upload has, in characters: an owner's edit longer
/// is refused, a file's tag longer is cut.
pub const MAX_DETAIL_CHARS: usize = 200;

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
    /// When it became ready.
    pub published_at: Option<i64>,
}

/// An upload's status, with the tombstone the API never shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Live(UploadStatus),
    Deleted,
}

impl Status {
    /// As stored.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Live(UploadStatus::Uploading) => "uploading",
            Self::Live(UploadStatus::Processing) => "processing",
            Self::Live(UploadStatus::Ready) => "ready",
            Self::Live(UploadStatus::Failed) => "failed",
            Self::Deleted => "deleted",
        }
    }

    /// From its stored name (anything unknown is a tombstone: never shown).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match text {
            "uploading" => Self::Live(UploadStatus::Uploading),
            "processing" => Self::Live(UploadStatus::Processing),
            "ready" => Self::Live(UploadStatus::Ready),
            "failed" => Self::Live(UploadStatus::Failed),
            _ => Self::Deleted,
        }
    }
}

#[must_use]
pub fn visibility_name(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Private => "private",
        Visibility::Public => "public",
    }
}

#[must_use]
pub fn failure_name(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::NotAudio => "not_audio",
        FailureKind::TooLong => "too_long",
        FailureKind::ChecksumMismatch => "checksum_mismatch",
        FailureKind::Internal => "internal",
    }
}

#[must_use]
pub fn failure_kind(name: &str) -> FailureKind {
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

#[must_use]
pub fn album_id(owner: &str, album: Option<&str>) -> String {
    derived_id("ual", owner, album.unwrap_or(UNKNOWN_ALBUM))
}

#[must_use]
pub fn artist_id(owner: &str, artist: Option<&str>) -> String {
    derived_id("uar", owner, artist.unwrap_or(UNKNOWN_ARTIST))
}

pub(super) const COLUMNS: &str = "u.id, u.owner, u.owner_name, u.file_name, u.size, u.sha256, u.status, \
    u.progress, u.visibility, u.title, u.artist, u.album, u.track_number, u.album_id, \
    u.artist_id, u.object_key, u.multipart_id, u.part_size, u.part_count, u.failure_kind, \
    u.failure_message, u.takedown_reason, u.takedown_at, u.media, u.duration_ms, u.replaygain, \
    u.cover_version, u.created_at, u.updated_at, u.published_at";

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
        published_at: row.get(29)?,
    })
}

/// Why an owner's edit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    Invalid(String),
    TakenDown,
}

impl UploadRow {
    /// Whether `viewer` may see it: ready, not taken down, and public or theirs.
    #[must_use]
    pub fn visible_to(&self, viewer: &str) -> bool {
        self.status == Status::Live(UploadStatus::Ready)
            && self.takedown.is_none()
            && (self.visibility == Visibility::Public || self.owner == viewer)
    }

    /// The record a new upload starts as: `uploading`.
    #[must_use]
    pub fn new(new: &NewRow, now: i64) -> Self {
        Self {
            id: new.id.clone(),
            owner: new.owner.clone(),
            owner_name: new.owner_name.clone(),
            file_name: new.file_name.clone(),
            size: new.size,
            sha256: new.sha256.clone(),
            status: Status::Live(UploadStatus::Uploading),
            progress: 0.0,
            visibility: new.visibility,
            details: new.details.clone(),
            album_id: album_id(&new.owner, new.details.album.as_deref()),
            artist_id: artist_id(&new.owner, new.details.artist.as_deref()),
            object_key: new.object_key.clone(),
            multipart_id: None,
            part_size: new.part_size,
            part_count: new.part_count,
            failure: None,
            takedown: None,
            media: None,
            duration_ms: None,
            replaygain: None,
            cover_version: None,
            created_at: now,
            updated_at: now,
            published_at: None,
        }
    }

    /// Ready with what processing found and made: the details the listener left out come
    /// from the file's tags.
    #[must_use]
    pub fn made_ready(&self, published: &Published, now: i64) -> Self {
        let (mine, tags) = (&self.details, &published.tags);
        let details = UploadDetails {
            title: mine.title.clone().or_else(|| tags.title.clone()),
            artist: mine.artist.clone().or_else(|| tags.artist.clone()),
            album: mine.album.clone().or_else(|| tags.album.clone()),
            track_number: mine.track_number.or(tags.track_number),
        };
        Self {
            status: Status::Live(UploadStatus::Ready),
            progress: 1.0,
            album_id: album_id(&self.owner, details.album.as_deref()),
            artist_id: artist_id(&self.owner, details.artist.as_deref()),
            details,
            media: Some(published.media.clone()),
            duration_ms: Some(published.duration_ms),
            replaygain: published.replaygain,
            // A cover the listener sent while processing ran stays theirs.
            cover_version: self.cover_version.or(published.has_cover.then_some(1)),
            updated_at: now,
            published_at: Some(now),
            ..self.clone()
        }
    }

    /// An owner's edit: absent fields stay, an empty string clears a detail (the title then
    /// falls back to the file's name), a track taken down cannot be made public.
    ///
    /// # Errors
    /// When a detail is too long, or the edit would publish a track taken down.
    pub fn patched(&self, patch: &UploadPatch, now: i64) -> Result<Self, PatchError> {
        let clean = |value: &Option<String>, old: &Option<String>, what: &str| match value {
            None => Ok(old.clone()),
            Some(text) if text.chars().count() > MAX_DETAIL_CHARS => Err(PatchError::Invalid(
                format!("the {what} is longer than {MAX_DETAIL_CHARS} characters"),
            )),
            Some(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
        };
        let old = &self.details;
        let details = UploadDetails {
            title: clean(&patch.title, &old.title, "title")?,
            artist: clean(&patch.artist, &old.artist, "artist")?,
            album: clean(&patch.album, &old.album, "album")?,
            track_number: match patch.track_number {
                Some(0) => None,
                Some(n) => Some(n),
                None => old.track_number,
            },
        };
        let visibility = patch.visibility.unwrap_or(self.visibility);
        if visibility == Visibility::Public && self.takedown.is_some() {
            return Err(PatchError::TakenDown);
        }
        Ok(Self {
            album_id: album_id(&self.owner, details.album.as_deref()),
            artist_id: artist_id(&self.owner, details.artist.as_deref()),
            details,
            visibility,
            updated_at: now,
            ..self.clone()
        })
    }
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
