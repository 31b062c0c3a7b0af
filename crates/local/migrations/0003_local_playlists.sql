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
-- Times are Unix milliseconds.

CREATE TABLE playlists (
    -- `local-playlist:` and a UUID v4.
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
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
