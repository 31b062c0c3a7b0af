-- devcloud uploads, schema version 2 (PRAGMA user_version).

-- One row per upload, from the announcement to its deletion; a ready upload is a track with
-- the same id. Deleted rows stay as tombstones (status 'deleted'): the collector removes what
-- they left in storage, and their ids are never reused.
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY,           -- 'up-…'
    owner           TEXT NOT NULL,              -- the Cognito `sub`
    owner_name      TEXT NOT NULL,              -- the username, as others see it
    file_name       TEXT NOT NULL,
    size            INTEGER NOT NULL,
    content_type    TEXT NOT NULL,
    sha256          TEXT NOT NULL,              -- lower-case hex, as announced
    status          TEXT NOT NULL
        CHECK (status IN ('uploading', 'processing', 'ready', 'failed', 'deleted')),
    progress        REAL NOT NULL DEFAULT 0,
    visibility      TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
    -- What listeners see: the owner's choices, else the file's tags (filled at processing).
    title           TEXT,
    artist          TEXT,
    album           TEXT,
    track_number    INTEGER,
    album_id        TEXT NOT NULL,              -- 'ual-…', from owner and album name
    artist_id       TEXT NOT NULL,              -- 'uar-…', from owner and artist name
    -- The original in the upload bucket, and its multipart upload while one is open.
    object_key      TEXT NOT NULL,
    multipart_id    TEXT,
    part_size       INTEGER NOT NULL,
    part_count      INTEGER NOT NULL,
    failure_kind    TEXT,
    failure_message TEXT,
    takedown_reason TEXT,
    takedown_at     INTEGER,
    -- Once ready: the published media (JSON), its length and loudness.
    media           TEXT,
    duration_ms     INTEGER,
    replaygain      TEXT,
    cover_version   INTEGER,                    -- NULL: no cover; else /art/<id>-<n>.jpg
    idempotency_key TEXT,                       -- the announcing request's, per owner
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    published_at    INTEGER
);
CREATE UNIQUE INDEX uploads_by_key ON uploads (owner, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX uploads_by_owner ON uploads (owner, created_at DESC, id);
CREATE INDEX uploads_by_album ON uploads (album_id);
CREATE INDEX uploads_by_artist ON uploads (artist_id);
CREATE INDEX uploads_public ON uploads (published_at DESC, id)
    WHERE status = 'ready' AND visibility = 'public' AND takedown_at IS NULL;

-- Listeners as others see them (profiles), recorded when they upload or write a playlist.
CREATE TABLE listeners (
    id   TEXT PRIMARY KEY,                      -- the Cognito `sub`
    name TEXT NOT NULL
);
