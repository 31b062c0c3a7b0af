-- 0003: playlists kept on this computer ("local playlists").
--
-- They live here, beside the files they list, because local files belong to the computer,
-- not to an account: they are there signed out, offline and under every account, and never
-- sync to a service.
--
-- An item names its file by path (as `files.path` keeps it), not by a row of `files`: a file
-- that leaves the index (moved, its folder removed, its disk unplugged) keeps its place in
-- every playlist, shown by the tags kept with the item, and is found again by its path when
-- it is back. The kept tags are those the index last had of the file.
--
-- `position` runs from 0 without gaps in each playlist; a move or a removal renumbers the
-- items in the same transaction (these playlists are small: thousands of items at most).
-- `revision` counts the listener's changes to a playlist (its name, its items and their
-- order), so a removal or a move naming positions read before another change is refused
-- rather than applied to other items. Times are Unix milliseconds.

CREATE TABLE playlists (
    -- `local-playlist:` and a UUID v4.
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE playlist_items (
    id INTEGER PRIMARY KEY,
    playlist_id TEXT NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    artist TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    artist_id TEXT NOT NULL,
    album_id TEXT NOT NULL,
    duration_ms INTEGER NOT NULL DEFAULT 0
);

-- Not unique: a renumbering moves positions one row at a time.
CREATE INDEX playlist_items_order ON playlist_items (playlist_id, position);
-- A file's items, to tell whether it is listed anywhere and to refresh its kept tags.
CREATE INDEX playlist_items_path ON playlist_items (path);

-- The kept tags follow the index: whenever a scan or the watcher writes a file's tags, and
-- just before its row goes (moved, deleted, its folder removed), every item naming it keeps
-- what the index has of it, so a file gone is shown as it was last seen. A file that cannot
-- be played leaves them as they were (its row then holds its file's name, not its tags).
-- Changes of the index are not the listener's: `revision` stays.

CREATE TRIGGER playlist_items_tags_insert AFTER INSERT ON files
WHEN new.error IS NULL
BEGIN
    UPDATE playlist_items SET title = new.title, artist = coalesce(new.artist, ''),
        album = new.album, artist_id = new.artist_id, album_id = new.album_id,
        duration_ms = new.duration_ms
    WHERE path = new.path;
END;

CREATE TRIGGER playlist_items_tags_update
AFTER UPDATE OF title, artist, album, artist_id, album_id, duration_ms, error ON files
WHEN new.error IS NULL
BEGIN
    UPDATE playlist_items SET title = new.title, artist = coalesce(new.artist, ''),
        album = new.album, artist_id = new.artist_id, album_id = new.album_id,
        duration_ms = new.duration_ms
    WHERE path = new.path
        AND (title IS NOT new.title OR artist IS NOT coalesce(new.artist, '')
            OR album IS NOT new.album OR artist_id IS NOT new.artist_id
            OR album_id IS NOT new.album_id OR duration_ms IS NOT new.duration_ms);
END;

CREATE TRIGGER playlist_items_tags_delete BEFORE DELETE ON files
WHEN old.error IS NULL
BEGIN
    UPDATE playlist_items SET title = old.title, artist = coalesce(old.artist, ''),
        album = old.album, artist_id = old.artist_id, album_id = old.album_id,
        duration_ms = old.duration_ms
    WHERE path = old.path
        AND (title IS NOT old.title OR artist IS NOT coalesce(old.artist, '')
            OR album IS NOT old.album OR artist_id IS NOT old.artist_id
            OR album_id IS NOT old.album_id OR duration_ms IS NOT old.duration_ms);
END;
