//! Writing the files table: one file's row from what its walk and its tags said, the rows
//! under a folder as they were, deleting the rows of files gone, folder covers, and the
//! device a music folder's files were found on.
//!
//! What a row shows is decided here, once: a file without a title is called by its name, a
//! file without an album by its folder's, and the album and artist ids follow from those.

use std::collections::HashMap;
use std::path::{MAIN_SEPARATOR, Path};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::ids;
use crate::index::path_text;
use crate::problem::Unplayable;
use crate::tags::FileTags;
use crate::walk::FoundFile;

/// One file's row, about to be written.
#[derive(Debug)]
pub(crate) struct FileRecord {
    pub found: FoundFile,
    pub folder_id: i64,
    /// Its facts, or why it cannot be played.
    pub tags: Result<FileTags, Unplayable>,
    pub folder_cover: Option<String>,
    pub scanned_at: i64,
}

/// Inserts the file's row, or replaces what an earlier scan wrote (keeping its id).
pub(crate) fn upsert(conn: &Connection, record: &FileRecord) -> Result<()> {
    let path = &record.found.path;
    let dir = path.parent().unwrap_or(path);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let dir_name = dir.file_name().and_then(|s| s.to_str()).unwrap_or_default();
    let empty = FileTags::default();
    let (tags, error, problem) = match &record.tags {
        Ok(tags) => (tags, None, None),
        Err(why) => (&empty, Some(why.words.as_str()), Some(why.problem.code())),
    };
    let title = tags.title.as_deref().unwrap_or(stem);
    let album = tags.album.as_deref().unwrap_or(dir_name);
    let album_artist = tags
        .album_artist
        .as_deref()
        .or(tags.artist.as_deref())
        .unwrap_or_default();
    let mut statement = conn.prepare_cached(
        "INSERT INTO files (path, folder_id, dir, size, mtime_ns, title, artist, album,
             album_artist, artist_id, album_artist_id, album_id, track_no, disc_no, year,
             duration_ms, format, codec, sample_rate, channels, has_embedded_cover,
             folder_cover, error, problem, scanned_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)
         ON CONFLICT (path) DO UPDATE SET folder_id = excluded.folder_id,
             dir = excluded.dir, size = excluded.size, mtime_ns = excluded.mtime_ns,
             title = excluded.title, artist = excluded.artist, album = excluded.album,
             album_artist = excluded.album_artist, artist_id = excluded.artist_id,
             album_artist_id = excluded.album_artist_id, album_id = excluded.album_id,
             track_no = excluded.track_no, disc_no = excluded.disc_no, year = excluded.year,
             duration_ms = excluded.duration_ms, format = excluded.format,
             codec = excluded.codec, sample_rate = excluded.sample_rate,
             channels = excluded.channels, has_embedded_cover = excluded.has_embedded_cover,
             folder_cover = excluded.folder_cover, error = excluded.error,
             problem = excluded.problem, scanned_at = excluded.scanned_at",
    )?;
    statement.execute(params![
        path_text(path)?,
        record.folder_id,
        path_text(dir)?,
        record.found.size,
        record.found.mtime_ns,
        title,
        tags.artist,
        album,
        tags.album_artist,
        ids::artist_id(tags.artist.as_deref().unwrap_or_default()),
        ids::artist_id(album_artist),
        ids::album_id(album_artist, album),
        tags.track_no,
        tags.disc_no,
        tags.year,
        tags.duration_ms,
        record.found.format.as_str(),
        tags.codec,
        tags.sample_rate,
        tags.channels,
        tags.has_embedded_cover,
        record.folder_cover,
        error,
        problem,
        record.scanned_at,
    ])?;
    Ok(())
}

/// Size and modification time of every file indexed under the folder `root`, by path.
pub(crate) fn existing_under(
    conn: &Connection,
    root: &Path,
) -> Result<HashMap<String, (i64, i64)>> {
    let (low, high) = prefix_range(root)?;
    let mut statement = conn
        .prepare_cached("SELECT path, size, mtime_ns FROM files WHERE path >= ?1 AND path < ?2")?;
    let rows = statement.query_map([low, high], |row| {
        Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes the row of the file at `path` (a path kept as text); how many went (0 or 1).
pub(crate) fn delete_file(conn: &Connection, path: &str) -> Result<usize> {
    let mut statement = conn.prepare_cached("DELETE FROM files WHERE path = ?1")?;
    Ok(statement.execute([path])?)
}

/// Removes the rows of every file under the folder `root`; how many went.
pub(crate) fn delete_under(conn: &Connection, root: &Path) -> Result<usize> {
    let (low, high) = prefix_range(root)?;
    let mut statement = conn.prepare_cached("DELETE FROM files WHERE path >= ?1 AND path < ?2")?;
    Ok(statement.execute([low, high])?)
}

/// The device the music folder `folder_id`'s files were last found on, if known.
pub(crate) fn folder_device(conn: &Connection, folder_id: i64) -> Result<Option<i64>> {
    let mut statement = conn.prepare_cached("SELECT device FROM folders WHERE id = ?1")?;
    Ok(statement
        .query_row([folder_id], |row| row.get(0))
        .optional()?
        .flatten())
}

/// Records the device the music folder `folder_id`'s files are found on.
pub(crate) fn set_folder_device(
    conn: &Connection,
    folder_id: i64,
    device: Option<i64>,
) -> Result<()> {
    let mut statement = conn.prepare_cached("UPDATE folders SET device = ?2 WHERE id = ?1")?;
    statement.execute(params![folder_id, device])?;
    Ok(())
}

/// Gives every file directly in `dir` the folder cover `cover` (or none).
pub(crate) fn set_folder_cover(conn: &Connection, dir: &Path, cover: Option<&Path>) -> Result<()> {
    let cover = cover.map(path_text).transpose()?;
    let mut statement = conn.prepare_cached(
        "UPDATE files SET folder_cover = ?2 WHERE dir = ?1 AND folder_cover IS NOT ?2",
    )?;
    statement.execute(params![path_text(dir)?, cover])?;
    Ok(())
}

/// The range of texts of paths under `root`: from `root/` up to (not including) `root` and
/// the character after the separator, which an index answers without a scan (LIKE would
/// not, and would need its `%` and `_` escaped).
fn prefix_range(root: &Path) -> Result<(String, String)> {
    let mut low = path_text(root)?.to_owned();
    if !low.ends_with(MAIN_SEPARATOR) {
        low.push(MAIN_SEPARATOR);
    }
    let mut high = low.clone();
    high.pop();
    high.push(char::from(u8::try_from(MAIN_SEPARATOR).unwrap_or(b'/') + 1));
    Ok((low, high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_prefix_range_holds_the_folder_s_files_only() {
        let (low, high) = prefix_range(Path::new("/music/a")).unwrap();
        let inside = |path: &str| low.as_str() <= path && path < high.as_str();
        assert!(inside("/music/a/x.mp3"));
        assert!(inside("/music/a/b/c/x.mp3"));
        assert!(!inside("/music/a"));
        assert!(!inside("/music/a b/x.mp3"));
        assert!(!inside("/music/ab/x.mp3"));
        assert!(!inside("/music/a0/x.mp3"));
        let (low, _) = prefix_range(Path::new("/")).unwrap();
        assert_eq!(low, "/");
    }
}
