//! Upload records in SQLite: plain functions over a connection, run on the database thread.
//! Who may see a track is decided here, in SQL ([`visible_to`]), so that every door (the
//! track, its grants, search, explore, profiles, playlists' availability) asks the same
//! question.

use rusqlite::{Connection, OptionalExtension as _, Row, params};
use sha2::{Digest as _, Sha256};
use strato_model::api::{
    FailureKind, Listener, ReplayGain, Takedown, Track, Upload, UploadDetails, UploadFailure,
    UploadPatch, UploadStatus, Visibility,
};

use crate::catalog::TrackMedia;

/// The condition "upload `u` is a track the listener bound to SQL parameter `viewer` may
/// see": ready, not taken down, and public or theirs.
#[must_use]
pub fn visible_to(viewer: &str) -> String {
    format!(
        "(u.status = 'ready' AND u.takedown_at IS NULL \
         AND (u.visibility = 'public' OR u.owner = {viewer}))"
    )
}

/// What a listener who left a detail empty sees.
const UNKNOWN_ARTIST: &str = "Unknown artist";
const UNKNOWN_ALBUM: &str = "Unknown album";

/// A new upload, as `POST /v1/uploads` records it.
#[derive(Debug, Clone)]
pub struct NewRow {
    pub id: String,
    pub owner: String,
    pub owner_name: String,
    pub file_name: String,
    pub size: u64,
    pub content_type: String,
    pub sha256: String,
    pub visibility: Visibility,
    pub details: UploadDetails,
    pub object_key: String,
    pub part_size: u64,
    pub part_count: u32,
    /// The announcing request's `Idempotency-Key`: a retry finds this upload.
    pub idempotency_key: Option<String>,
}

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

fn visibility_name(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Private => "private",
        Visibility::Public => "public",
    }
}

fn failure_name(kind: FailureKind) -> &'static str {
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

fn album_id(owner: &str, album: Option<&str>) -> String {
    derived_id("ual", owner, album.unwrap_or(UNKNOWN_ALBUM))
}

fn artist_id(owner: &str, artist: Option<&str>) -> String {
    derived_id("uar", owner, artist.unwrap_or(UNKNOWN_ARTIST))
}

const COLUMNS: &str = "u.id, u.owner, u.owner_name, u.file_name, u.size, u.sha256, u.status, \
    u.progress, u.visibility, u.title, u.artist, u.album, u.track_number, u.album_id, \
    u.artist_id, u.object_key, u.multipart_id, u.part_size, u.part_count, u.failure_kind, \
    u.failure_message, u.takedown_reason, u.takedown_at, u.media, u.duration_ms, u.replaygain, \
    u.cover_version, u.created_at, u.updated_at";

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<UploadRow> {
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

/// Records a listener's name for their profile.
pub fn remember_listener(conn: &Connection, id: &str, name: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO listeners (id, name) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name",
    )?
    .execute([id, name])?;
    Ok(())
}

pub fn listener(conn: &Connection, id: &str) -> rusqlite::Result<Option<Listener>> {
    conn.prepare_cached("SELECT id, name FROM listeners WHERE id = ?1")?
        .query_row([id], |row| {
            Ok(Listener {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        })
        .optional()
}

pub fn insert(conn: &Connection, new: &NewRow, now: i64) -> rusqlite::Result<()> {
    let details = &new.details;
    conn.prepare_cached(
        "INSERT INTO uploads (id, owner, owner_name, file_name, size, content_type, sha256,
             status, visibility, title, artist, album, track_number, album_id, artist_id,
             object_key, part_size, part_count, idempotency_key, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'uploading', ?8, ?9, ?10, ?11, ?12, ?13, ?14,
             ?15, ?16, ?17, ?18, ?19, ?19)",
    )?
    .execute(params![
        new.id,
        new.owner,
        new.owner_name,
        new.file_name,
        to_i64(new.size),
        new.content_type,
        new.sha256,
        visibility_name(new.visibility),
        details.title,
        details.artist,
        details.album,
        details.track_number,
        album_id(&new.owner, details.album.as_deref()),
        artist_id(&new.owner, details.artist.as_deref()),
        new.object_key,
        to_i64(new.part_size),
        new.part_count,
        new.idempotency_key,
        now,
    ])?;
    remember_listener(conn, &new.owner, &new.owner_name)
}

/// The multipart upload opened for a recorded upload.
pub fn set_multipart(conn: &Connection, id: &str, multipart_id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE uploads SET multipart_id = ?2 WHERE id = ?1 AND status = 'uploading'",
    )?
    .execute([id, multipart_id])?;
    Ok(())
}

/// Bytes the listener's storage holds: every upload not deleted, unfinished ones included.
pub fn used_bytes(conn: &Connection, owner: &str) -> rusqlite::Result<u64> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(size), 0) FROM uploads WHERE owner = ?1 AND status != 'deleted'",
    )?
    .query_row([owner], |row| row.get::<_, i64>(0))
    .map(to_u64)
}

/// Any upload, deleted ones included.
pub fn row(conn: &Connection, id: &str) -> rusqlite::Result<Option<UploadRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM uploads u WHERE u.id = ?1"))?
        .query_row([id], read_row)
        .optional()
}

/// The upload an earlier request with this `Idempotency-Key` made, if any.
pub fn by_key(conn: &Connection, owner: &str, key: &str) -> rusqlite::Result<Option<UploadRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM uploads u WHERE u.owner = ?1 AND u.idempotency_key = ?2"
    ))?
    .query_row([owner, key], read_row)
    .optional()
}

/// The owner's upload, not deleted.
pub fn owned(conn: &Connection, owner: &str, id: &str) -> rusqlite::Result<Option<UploadRow>> {
    Ok(row(conn, id)?.filter(|r| r.owner == owner && r.status != Status::Deleted))
}

/// A ready track `viewer` may see, with its media.
pub fn visible(conn: &Connection, viewer: &str, id: &str) -> rusqlite::Result<Option<UploadRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM uploads u WHERE u.id = ?1 AND {}",
        visible_to("?2")
    ))?
    .query_row([id, viewer], read_row)
    .optional()
}

/// The owner's uploads, newest first, from `offset`.
pub fn list_owned(
    conn: &Connection,
    owner: &str,
    offset: usize,
    limit: usize,
) -> rusqlite::Result<Vec<UploadRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM uploads u WHERE u.owner = ?1 AND u.status != 'deleted'
         ORDER BY u.created_at DESC, u.id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = statement.query_map(
        params![owner, to_i64(limit as u64), to_i64(offset as u64)],
        read_row,
    )?;
    rows.collect()
}

/// Public, ready tracks of everyone (or of one owner), newest first, from `offset`.
pub fn list_public(
    conn: &Connection,
    owner: Option<&str>,
    offset: usize,
    limit: usize,
) -> rusqlite::Result<Vec<UploadRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM uploads u
         WHERE u.status = 'ready' AND u.visibility = 'public' AND u.takedown_at IS NULL
           AND (?1 IS NULL OR u.owner = ?1)
         ORDER BY u.published_at DESC, u.id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = statement.query_map(
        params![owner, to_i64(limit as u64), to_i64(offset as u64)],
        read_row,
    )?;
    rows.collect()
}

/// Every track `viewer` may see (search ranks them with the catalog), or those of one album
/// or artist id.
pub fn list_visible(
    conn: &Connection,
    viewer: &str,
    album_id: Option<&str>,
    artist_id: Option<&str>,
) -> rusqlite::Result<Vec<UploadRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM uploads u WHERE {}
           AND (?2 IS NULL OR u.album_id = ?2) AND (?3 IS NULL OR u.artist_id = ?3)
         ORDER BY u.album_id, u.track_number, u.published_at, u.id",
        visible_to("?1")
    ))?;
    let rows = statement.query_map(params![viewer, album_id, artist_id], read_row)?;
    rows.collect()
}

/// `uploading` → `processing`: the multipart upload is complete. False if it was not
/// uploading (a second complete).
pub fn start_processing(conn: &Connection, id: &str, now: i64) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE uploads SET status = 'processing', multipart_id = NULL, progress = 0,
                 updated_at = ?2
             WHERE id = ?1 AND status = 'uploading'",
        )?
        .execute(params![id, now])?;
    Ok(changed == 1)
}

/// Uploads left `processing` (devcloud stopped mid-way): processed again at start.
pub fn processing_ids(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT id FROM uploads WHERE status = 'processing' ORDER BY id")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

pub fn set_progress(conn: &Connection, id: &str, progress: f32) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE uploads SET progress = ?2 WHERE id = ?1 AND status = 'processing'",
    )?
    .execute(params![id, f64::from(progress)])?;
    Ok(())
}

/// What processing found and made.
#[derive(Debug, Clone)]
pub struct Published {
    /// From the file's tags: used where the listener left a detail out.
    pub tags: UploadDetails,
    pub media: TrackMedia,
    pub duration_ms: u32,
    pub replaygain: Option<ReplayGain>,
    pub has_cover: bool,
}

/// `processing` → `ready`. False if the upload was deleted meanwhile (what was published
/// is then the collector's).
pub fn mark_ready(
    conn: &mut Connection,
    id: &str,
    published: &Published,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let Some(current) = row(&tx, id)? else {
        return Ok(false);
    };
    if current.status != Status::Live(UploadStatus::Processing) {
        return Ok(false);
    }
    let tags = &published.tags;
    let title = current.details.title.clone().or_else(|| tags.title.clone());
    let artist = current
        .details
        .artist
        .clone()
        .or_else(|| tags.artist.clone());
    let album = current.details.album.clone().or_else(|| tags.album.clone());
    let number = current.details.track_number.or(tags.track_number);
    tx.prepare_cached(
        "UPDATE uploads SET status = 'ready', progress = 1, title = ?2, artist = ?3, album = ?4,
             track_number = ?5, album_id = ?6, artist_id = ?7, media = ?8, duration_ms = ?9,
             replaygain = ?10, cover_version = ?11, updated_at = ?12, published_at = ?12
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        title,
        artist,
        album,
        number,
        album_id(&current.owner, album.as_deref()),
        artist_id(&current.owner, artist.as_deref()),
        serde_json::to_string(&published.media).unwrap_or_default(),
        published.duration_ms,
        published
            .replaygain
            .and_then(|gain| serde_json::to_string(&gain).ok()),
        published.has_cover.then_some(1),
        now,
    ])?;
    tx.commit()?;
    Ok(true)
}

pub fn mark_failed(
    conn: &Connection,
    id: &str,
    failure: &UploadFailure,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE uploads SET status = 'failed', failure_kind = ?2, failure_message = ?3,
             updated_at = ?4
         WHERE id = ?1 AND status = 'processing'",
    )?
    .execute(params![
        id,
        failure_name(failure.kind),
        failure.message,
        now
    ])?;
    Ok(())
}

/// Why a patch was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    Invalid(String),
    TakenDown,
}

/// Applies an owner's edit. An empty string clears a detail (the title falls back to the
/// file's name).
pub fn patch(
    conn: &Connection,
    current: &UploadRow,
    patch: &UploadPatch,
    now: i64,
) -> rusqlite::Result<Result<(), PatchError>> {
    let clean = |value: &Option<String>, old: &Option<String>, what: &str| match value {
        None => Ok(old.clone()),
        Some(text) if text.chars().count() > 200 => Err(PatchError::Invalid(format!(
            "the {what} is longer than 200 characters"
        ))),
        Some(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
    };
    let details = &current.details;
    let fields = (
        clean(&patch.title, &details.title, "title"),
        clean(&patch.artist, &details.artist, "artist"),
        clean(&patch.album, &details.album, "album"),
    );
    let (title, artist, album) = match fields {
        (Ok(t), Ok(ar), Ok(al)) => (t, ar, al),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Ok(Err(e)),
    };
    let track_number = match patch.track_number {
        Some(0) => None,
        Some(n) => Some(n),
        None => details.track_number,
    };
    let visibility = patch.visibility.unwrap_or(current.visibility);
    if visibility == Visibility::Public && current.takedown.is_some() {
        return Ok(Err(PatchError::TakenDown));
    }
    conn.prepare_cached(
        "UPDATE uploads SET title = ?2, artist = ?3, album = ?4, track_number = ?5,
             album_id = ?6, artist_id = ?7, visibility = ?8, updated_at = ?9
         WHERE id = ?1",
    )?
    .execute(params![
        current.id,
        title,
        artist,
        album,
        track_number,
        album_id(&current.owner, album.as_deref()),
        artist_id(&current.owner, artist.as_deref()),
        visibility_name(visibility),
        now,
    ])?;
    Ok(Ok(()))
}

/// A new cover version; the previous file becomes the collector's.
pub fn next_cover_version(conn: &Connection, id: &str, now: i64) -> rusqlite::Result<u32> {
    conn.prepare_cached(
        "UPDATE uploads SET cover_version = COALESCE(cover_version, 0) + 1, updated_at = ?2
         WHERE id = ?1 RETURNING cover_version",
    )?
    .query_row(params![id, now], |row| row.get(0))
}

/// Back to the previous cover when the new one could not be read.
pub fn undo_cover_version(conn: &Connection, id: &str, version: u32) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE uploads SET cover_version = NULLIF(?2 - 1, 0) WHERE id = ?1 AND cover_version = ?2",
    )?
    .execute(params![id, version])?;
    Ok(())
}

/// Deletes for the listener at once (one write); storage is the collector's.
pub fn delete(conn: &Connection, id: &str, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE uploads SET status = 'deleted', visibility = 'private', updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Takes a track down (`Some(reason)`) or restores it (`None`).
pub fn set_takedown(
    conn: &Connection,
    id: &str,
    reason: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE uploads SET takedown_reason = ?2, takedown_at = CASE WHEN ?2 IS NULL THEN NULL
             ELSE ?3 END, updated_at = ?3
         WHERE id = ?1",
    )?
    .execute(params![id, reason, now])?;
    Ok(())
}

/// What storage may keep: the objects, media folders and covers of uploads not deleted.
#[derive(Debug, Default)]
pub struct LiveSet {
    /// Originals, and the keys of multipart uploads still open.
    pub object_keys: std::collections::HashSet<String>,
    /// Upload ids whose `media/<id>/` folder stays (every one not deleted: a folder being
    /// published belongs to an upload still processing).
    pub media_ids: std::collections::HashSet<String>,
    /// `art/<id>-<n>.jpg` files in use.
    pub covers: std::collections::HashSet<String>,
}

pub fn live_set(conn: &Connection) -> rusqlite::Result<LiveSet> {
    let mut live = LiveSet::default();
    let mut statement = conn.prepare_cached(
        "SELECT id, object_key, cover_version, status FROM uploads
         WHERE status != 'deleted'",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        live.object_keys.insert(row.get(1)?);
        if let Some(version) = row.get::<_, Option<u32>>(2)? {
            live.covers.insert(cover_file(&id, version));
        }
        // Processing publishes the first cover before the row names it.
        if row.get::<_, String>(3)? == "processing" {
            live.covers.insert(cover_file(&id, 1));
        }
        live.media_ids.insert(id);
    }
    Ok(live)
}
