-- 0007: album covers seen, kept so the library looks the same offline.
--
-- Covers are small images (tens of kilobytes): SQLite reads blobs of that size faster than
-- separate files do, and a cover lives and dies with its row, so no file is ever orphaned.
-- Keyed by album, not a foreign key: a cover is asked for by a track's album id, and the
-- album itself may never have been listed.

CREATE TABLE covers (
    album_id     TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    -- Kept beside the blob so that bounding the table never reads the images.
    size         INTEGER NOT NULL CHECK (size = length(bytes)),
    fetched_at   INTEGER NOT NULL,
    shown_at     INTEGER NOT NULL
) STRICT;

-- The least recently shown covers go first when the table outgrows its bound.
CREATE INDEX covers_by_shown_at ON covers (shown_at);
