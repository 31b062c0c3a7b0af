-- devcloud playlists, schema version 1 (PRAGMA user_version).

CREATE TABLE playlists (
    id          TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,          -- the Cognito `sub`
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX playlists_by_owner ON playlists (owner, created_at, id);

CREATE TABLE playlist_items (
    item_id     TEXT PRIMARY KEY,
    playlist_id TEXT NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,       -- dense, 0-based
    track_id    TEXT NOT NULL,
    added_at    INTEGER NOT NULL
);
CREATE INDEX items_by_playlist ON playlist_items (playlist_id, position);

-- The per-user changes feed. Rows outlive their playlists (a deletion is a change).
CREATE TABLE changes (
    owner       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    playlist_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
    revision    INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (owner, seq)
);

-- Responses to POSTs with an Idempotency-Key, replayed for retries.
CREATE TABLE idempotency_keys (
    owner       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,          -- sha256 of method, path and body
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    location    TEXT,
    etag        TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_by_age ON idempotency_keys (created_at);
