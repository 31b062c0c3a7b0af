-- 0001: the index of the listener's music folders.
--
-- `folders` are the folders the listener added; `files` every audio file found under them,
-- readable or not. A file that could not be read keeps its row with `error` in words, so a
-- rescan does not read it again until it changes, and the listener can be told why it is
-- missing; such a row is never listed or played.
--
-- Times: `added_at` and `scanned_at` are Unix milliseconds; `mtime_ns` is the file's
-- modification time in nanoseconds as the file system gives it, compared (with `size`) to
-- tell an unchanged file from a changed one, never shown.

CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    added_at INTEGER NOT NULL
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    -- The file's own folder, to give every file of it the folder's cover at once.
    dir TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    -- The title tag, else the file's name without its extension: never empty.
    title TEXT NOT NULL,
    artist TEXT,
    -- The album tag, else the name of the file's folder (a folder of files is an album).
    album TEXT NOT NULL,
    album_artist TEXT,
    -- Ids derived from the names (see track.rs): `artist_id` of the track's artist,
    -- `album_artist_id` of the album's (its album artist, else its artist), `album_id` of
    -- the album artist and album title together.
    artist_id TEXT NOT NULL,
    album_artist_id TEXT NOT NULL,
    album_id TEXT NOT NULL,
    track_no INTEGER,
    disc_no INTEGER,
    year INTEGER,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    -- The container, by extension: mp3, flac, m4a, ogg, opus, wav.
    format TEXT NOT NULL,
    -- The codec where the container has several (m4a: AAC or ALAC), else as the format.
    codec TEXT,
    sample_rate INTEGER,
    channels INTEGER,
    has_embedded_cover INTEGER NOT NULL DEFAULT 0,
    -- cover.jpg and the like beside the file, or NULL.
    folder_cover TEXT,
    -- Why the file cannot be played, in the listener's words; NULL when it can.
    error TEXT,
    scanned_at INTEGER NOT NULL
);

CREATE INDEX files_folder ON files (folder_id);
CREATE INDEX files_dir ON files (dir);
CREATE INDEX files_album ON files (album_id);
CREATE INDEX files_artist ON files (artist_id);
CREATE INDEX files_album_artist ON files (album_artist_id);

-- Search by words over title, artist, album and album artist. External content: the index
-- reads its text from `files`, kept in step by the triggers below. unicode61 with
-- remove_diacritics 2 folds case and accents alike in the text and the query ("bjork" finds
-- "Björk"); prefix indexes because every word is searched as a prefix while typing.
CREATE VIRTUAL TABLE files_search USING fts5 (
    title, artist, album, album_artist,
    content = 'files', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER files_search_insert AFTER INSERT ON files BEGIN
    INSERT INTO files_search (rowid, title, artist, album, album_artist)
    VALUES (new.id, new.title, new.artist, new.album, new.album_artist);
END;

CREATE TRIGGER files_search_delete AFTER DELETE ON files BEGIN
    INSERT INTO files_search (files_search, rowid, title, artist, album, album_artist)
    VALUES ('delete', old.id, old.title, old.artist, old.album, old.album_artist);
END;

-- Only when an indexed column changed: a rescan that rewrites a row with the same tags
-- (its modification time changed) leaves the index alone.
CREATE TRIGGER files_search_update AFTER UPDATE OF title, artist, album, album_artist ON files
WHEN old.title IS NOT new.title OR old.artist IS NOT new.artist
    OR old.album IS NOT new.album OR old.album_artist IS NOT new.album_artist
BEGIN
    INSERT INTO files_search (files_search, rowid, title, artist, album, album_artist)
    VALUES ('delete', old.id, old.title, old.artist, old.album, old.album_artist);
    INSERT INTO files_search (rowid, title, artist, album, album_artist)
    VALUES (new.id, new.title, new.artist, new.album, new.album_artist);
END;
