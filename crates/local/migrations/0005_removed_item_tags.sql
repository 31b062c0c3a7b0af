-- 0005: the tags a playlist item kept, remembered after the item is removed.
--
-- An item of a file the index does not hold keeps the tags last known of it (migration 0003).
-- Taken out of its playlist, and put back by an Undo (or its playlist deleted and made again),
-- it would be named by its file's name alone. So each item removed leaves its tags here, by
-- path, and an item added for a file the index does not hold takes them back. Kept 30 days
-- (an Undo comes within seconds); the oldest go as items are removed.

CREATE TABLE removed_item_tags (
    path TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    artist TEXT NOT NULL,
    album TEXT NOT NULL,
    artist_id TEXT NOT NULL,
    album_id TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    -- Unix milliseconds.
    removed_at INTEGER NOT NULL
);

-- Fires for items deleted with their playlist too (ON DELETE CASCADE).
CREATE TRIGGER playlist_items_remember_tags AFTER DELETE ON playlist_items
BEGIN
    DELETE FROM removed_item_tags WHERE removed_at < (unixepoch() - 30 * 86400) * 1000;
    INSERT INTO removed_item_tags (path, title, artist, album, artist_id, album_id,
        duration_ms, removed_at)
    VALUES (old.path, old.title, old.artist, old.album, old.artist_id, old.album_id,
        old.duration_ms, unixepoch() * 1000)
    ON CONFLICT (path) DO UPDATE SET title = excluded.title, artist = excluded.artist,
        album = excluded.album, artist_id = excluded.artist_id, album_id = excluded.album_id,
        duration_ms = excluded.duration_ms, removed_at = excluded.removed_at;
END;
