//! Upload records in SQLite: plain functions over a connection, run on the database thread
//! for [`SqliteUploads`](super::sqlite::SqliteUploads). Who may see a track is decided in SQL
//! here ([`visible_to`]), the rule of [`UploadRow::visible_to`], so that every door (the track,
//! its grants, search, explore, profiles, playlists' availability) asks the same question.

use rusqlite::{Connection, OptionalExtension as _, params};
use strato_model::api::{
    Listener, ReplayGain, UploadDetails, UploadFailure, UploadPatch, UploadStatus, Visibility,
};

use super::record::{COLUMNS, read_row, to_i64, to_u64};
pub use super::record::{
    MAX_DETAIL_CHARS, PatchError, Status, UploadRow, album_id, artist_id, cover_file, failure_kind,
    failure_name, visibility_name,
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

/// Which of `ids` (uploads) `viewer` may see, as [`visible`] decides.
pub fn visible_ids<'a>(
    conn: &Connection,
    viewer: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> rusqlite::Result<std::collections::HashSet<String>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT 1 FROM uploads u WHERE u.id = ?1 AND {}",
        visible_to("?2")
    ))?;
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if statement.exists([id, viewer])? {
            seen.insert(id.to_owned());
        }
    }
    Ok(seen)
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
    let ready = current.made_ready(published, now);
    let details = &ready.details;
    tx.prepare_cached(
        "UPDATE uploads SET status = 'ready', progress = 1, title = ?2, artist = ?3, album = ?4,
             track_number = ?5, album_id = ?6, artist_id = ?7, media = ?8, duration_ms = ?9,
             replaygain = ?10, cover_version = ?11, updated_at = ?12, published_at = ?12
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        details.title,
        details.artist,
        details.album,
        details.track_number,
        ready.album_id,
        ready.artist_id,
        serde_json::to_string(&published.media).unwrap_or_default(),
        published.duration_ms,
        published
            .replaygain
            .and_then(|gain| serde_json::to_string(&gain).ok()),
        ready.cover_version,
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

/// Applies an owner's edit ([`UploadRow::patched`]) to the record as stored now, not as the
/// route read it: processing may have filled details in meanwhile.
pub fn patch(
    conn: &mut Connection,
    current: &UploadRow,
    patch: &UploadPatch,
    now: i64,
) -> rusqlite::Result<Result<(), PatchError>> {
    let tx = conn.transaction()?;
    let stored = row(&tx, &current.id)?.unwrap_or_else(|| current.clone());
    let edited = match stored.patched(patch, now) {
        Ok(edited) => edited,
        Err(refused) => return Ok(Err(refused)),
    };
    let details = &edited.details;
    tx.prepare_cached(
        "UPDATE uploads SET title = ?2, artist = ?3, album = ?4, track_number = ?5,
             album_id = ?6, artist_id = ?7, visibility = ?8, updated_at = ?9
         WHERE id = ?1",
    )?
    .execute(params![
        current.id,
        details.title,
        details.artist,
        details.album,
        details.track_number,
        edited.album_id,
        edited.artist_id,
        visibility_name(edited.visibility),
        now,
    ])?;
    tx.commit()?;
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
