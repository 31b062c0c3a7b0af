-- The listener's uploads: what was queued, how far each got, and the parts object storage
-- acknowledged, so that an upload interrupted by a lost network, a sleep or a killed app
-- goes on from the last part and never sends a file twice.

CREATE TABLE uploads (
    local_id     TEXT PRIMARY KEY,          -- chosen here when queued
    path         TEXT NOT NULL,             -- the file on this computer
    file_name    TEXT NOT NULL,
    size         INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,          -- the file's mtime when queued: a changed file is not resumed
    sha256       TEXT NOT NULL,             -- lower-case hex, as announced
    title        TEXT,
    artist       TEXT,
    album        TEXT,
    track_number INTEGER,
    visibility   TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
    state        TEXT NOT NULL
        CHECK (state IN ('queued', 'uploading', 'paused', 'processing', 'ready', 'failed')),
    upload_id    TEXT,                      -- the service's id ('up-…') once announced
    part_size    INTEGER,
    part_count   INTEGER,
    last_error   TEXT,
    queued_at    INTEGER NOT NULL,
    finished_at  INTEGER,
    CHECK ((upload_id IS NULL) = (part_size IS NULL) AND (part_size IS NULL) = (part_count IS NULL))
);
CREATE INDEX uploads_by_state ON uploads (state, queued_at);

-- A part counts as sent only once object storage answered with its ETag.
CREATE TABLE upload_parts (
    local_id    TEXT NOT NULL REFERENCES uploads (local_id) ON DELETE CASCADE,
    part_number INTEGER NOT NULL CHECK (part_number >= 1),
    etag        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    PRIMARY KEY (local_id, part_number)
);
