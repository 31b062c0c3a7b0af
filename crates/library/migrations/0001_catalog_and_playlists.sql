-- 0001: the catalog cache, the listener's playlists, their pending edits, sync cursors.
--
-- Conventions for every migration:
-- - Tables are STRICT, so a column typed INTEGER can never quietly hold text.
-- - Timestamps are Unix seconds (UTC), durations milliseconds, as in strato-model.
-- - Booleans are INTEGER 0/1 with a CHECK.
-- - A migration runs in one transaction; a released migration is never edited, only
--   followed by a new one (the migration tests seed databases at every old version).

-- ---------------------------------------------------------------------------------------
-- Catalog cache: a partial mirror of the service's read-only catalog, filled from whatever
-- pages the app fetched (search results, albums, home feed). Rows arrive in any order, so
-- there are deliberately NO foreign keys between tracks, albums and artists, nor from
-- playlists/downloads/history to tracks: a playlist snapshot names track ids we may not have
-- cached yet, and the cache may be trimmed without touching the listener's own data.
-- Names stay denormalised on tracks and albums exactly as the API sends them; that is also
-- what full-text search indexes.
--
-- Each catalog table has an explicit INTEGER PRIMARY KEY `pk` besides the service's `id`:
-- the full-text index (migration 0002) points at rows by that integer, and an implicit rowid
-- could be renumbered by VACUUM, which would silently detach the index from its rows.
-- ---------------------------------------------------------------------------------------

CREATE TABLE artists (
    pk        INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    cached_at INTEGER NOT NULL
) STRICT;

CREATE TABLE albums (
    pk          INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    artist_id   TEXT NOT NULL,
    artist_name TEXT NOT NULL,
    year        INTEGER NOT NULL CHECK (year BETWEEN 0 AND 65535),
    track_count INTEGER NOT NULL CHECK (track_count >= 0),
    gapless     INTEGER NOT NULL CHECK (gapless IN (0, 1)),
    cover_path  TEXT,
    cached_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX albums_by_artist ON albums (artist_id, year);

CREATE TABLE tracks (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    artist_id    TEXT NOT NULL,
    artist_name  TEXT NOT NULL,
    album_id     TEXT NOT NULL,
    album_title  TEXT NOT NULL,
    track_number INTEGER NOT NULL CHECK (track_number >= 0),
    duration_ms  INTEGER NOT NULL CHECK (duration_ms >= 0),
    cover_path   TEXT,
    -- ReplayGain 2.0 values come as a group or not at all.
    rg_track_gain_db REAL,
    rg_track_peak    REAL,
    rg_album_gain_db REAL,
    rg_album_peak    REAL,
    cached_at    INTEGER NOT NULL,
    CHECK ((rg_track_gain_db IS NULL) = (rg_track_peak IS NULL)
       AND (rg_track_gain_db IS NULL) = (rg_album_gain_db IS NULL)
       AND (rg_track_gain_db IS NULL) = (rg_album_peak IS NULL))
) STRICT;

-- Album pages list their tracks in order.
CREATE INDEX tracks_by_album ON tracks (album_id, track_number);

-- ---------------------------------------------------------------------------------------
-- Playlists: the local copy, which the listener edits offline. It is always
-- "the last server snapshot + the pending operations applied on top".
-- ---------------------------------------------------------------------------------------

CREATE TABLE playlists (
    -- The server's id, or a client UUID for a playlist created offline. Once the server
    -- acknowledges the create, the sync engine re-keys the row to the server's id
    -- (items follow through ON UPDATE CASCADE, pending operations are re-pointed).
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    -- The revision of the last server snapshot applied; NULL = the server has never seen
    -- this playlist. Writes send it as If-Match.
    server_revision INTEGER CHECK (server_revision >= 1),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- Tombstone: deleted here, the delete is still in the operation log. The row stays so
    -- the operation has something to name; lists hide it.
    -- "Has pending edits" is NOT a column: it is derived from pending_ops, so it can never
    -- disagree with the log.
    deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;

CREATE TABLE playlist_items (
    playlist_id TEXT NOT NULL REFERENCES playlists (id) ON DELETE CASCADE ON UPDATE CASCADE,
    -- Stable across moves, so the same track may appear twice and each copy be moved or
    -- removed on its own. The server's id, or a client UUID (v4) for an offline add.
    item_id     TEXT NOT NULL,
    track_id    TEXT NOT NULL,
    -- Fractional index (see src/order_key.rs): the list order is ORDER BY order_key, and a
    -- move or insert writes only the row that moves, never renumbers the list. Keys are
    -- base-62 ASCII, so SQLite's BINARY collation sorts them exactly as Rust's str does.
    order_key   TEXT NOT NULL,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (playlist_id, item_id),
    -- A total order: two items can never share a place. This index also serves the
    -- ordered read of a playlist and the neighbour look-ups of an insert or move (which
    -- skip rows by OFFSET inside the index, reading no table row until the ones returned).
    UNIQUE (playlist_id, order_key)
) STRICT;

-- ---------------------------------------------------------------------------------------
-- The pending operation log: every local playlist edit, in the order it was made, written
-- in the same transaction as the edit itself. The sync engine replays it against the
-- server; on 412 it rebases the remaining operations on the new snapshot and retries.
-- An operation leaves the log only when the server accepted it (done) - or stays, marked
-- 'rejected' with its reason, when it can never apply, so no edit is dropped silently.
-- ---------------------------------------------------------------------------------------

CREATE TABLE pending_ops (
    -- AUTOINCREMENT: sequence numbers are never reused, even after the log drains, so a
    -- seq names one operation forever (logs, UI, idempotency bookkeeping).
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('create', 'rename', 'describe', 'delete',
                                                  'add_tracks', 'remove_item', 'move_item')),
    -- Not a foreign key: the log must outlive a playlist the server deleted meanwhile.
    playlist_id     TEXT NOT NULL,
    -- The whole operation as JSON (the serde form of PlaylistOp), including the anchors
    -- (neighbouring item ids) a rebase needs besides the plain positions the API takes.
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    -- Sent as Idempotency-Key, so a retry after a lost response is not applied twice.
    idempotency_key TEXT NOT NULL UNIQUE,
    -- The server revision the listener was looking at when editing (NULL: not on the
    -- server yet). A rebase compares it with the revision that answered 412.
    base_revision   INTEGER,
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    last_attempt_at INTEGER
) STRICT;

-- A playlist's pending operations in order (re-applied on every snapshot), and their count
-- (shown as "not synced yet"), without reading the rows.
CREATE INDEX pending_ops_by_playlist ON pending_ops (playlist_id, state, seq);

-- ---------------------------------------------------------------------------------------
-- Sync cursors: opaque positions in server feeds (e.g. the playlist changes feed), by name.
-- ---------------------------------------------------------------------------------------

CREATE TABLE sync_cursors (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
