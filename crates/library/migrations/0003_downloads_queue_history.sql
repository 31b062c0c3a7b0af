-- 0003: what the listener keeps and did on this machine: offline downloads, the play queue,
-- play history. None of it is synced; all of it must survive a restart.

-- ---------------------------------------------------------------------------------------
-- Downloads: one row per track the listener wants offline. The download manager drives the
-- state; the database refuses to call a file complete unless its size and SHA-256 were
-- verified against what the service promised (see the CHECK and Library::complete_download).
-- ---------------------------------------------------------------------------------------

CREATE TABLE downloads (
    track_id        TEXT PRIMARY KEY NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'downloading', 'complete', 'failed')),
    -- Where the file is (or is being) written. Set when the download starts.
    path            TEXT,
    -- Promised by the download grant when the download starts; checked at completion.
    expected_size   INTEGER CHECK (expected_size >= 0),
    expected_sha256 TEXT,
    -- Set only by completion, to the verified values.
    size            INTEGER CHECK (size >= 0),
    sha256          TEXT,
    -- Progress, for the UI and for resuming with a Range request.
    bytes_done      INTEGER NOT NULL DEFAULT 0 CHECK (bytes_done >= 0),
    -- The listener asked to keep this offline: eviction never picks it.
    pinned          INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    requested_at    INTEGER NOT NULL,
    completed_at    INTEGER,
    -- Least recently played goes first when space runs out (kept up to date by a trigger on
    -- play_history below, so no caller can forget to).
    last_played_at  INTEGER,
    last_error      TEXT,
    CHECK (expected_sha256 IS NULL OR (length(expected_sha256) = 64 AND expected_sha256 NOT GLOB '*[^0-9a-f]*')),
    CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
    -- A complete download is a verified one: what was promised is what was written.
    CHECK (state <> 'complete' OR (
        path IS NOT NULL AND completed_at IS NOT NULL
        AND size IS NOT NULL AND size = expected_size AND bytes_done = size
        AND sha256 IS NOT NULL AND sha256 = expected_sha256))
) STRICT;

-- Eviction candidates in order: complete, unpinned, least recently played (never played
-- first), then oldest completed.
CREATE INDEX downloads_eviction_order ON downloads (coalesce(last_played_at, 0), completed_at)
    WHERE state = 'complete' AND pinned = 0;

-- ---------------------------------------------------------------------------------------
-- The play queue: saved whole whenever it changes (it is small and owned by the player),
-- while the play position, which changes every few seconds, lives in its own one-row table
-- so saving it rewrites one row, not the queue.
-- ---------------------------------------------------------------------------------------

CREATE TABLE play_queue_entries (
    position INTEGER PRIMARY KEY CHECK (position >= 0),
    track_id TEXT NOT NULL
) STRICT;

CREATE TABLE play_queue_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    -- NULL: nothing is current (an empty queue, or playback ran off its end).
    current_index INTEGER CHECK (current_index >= 0),
    position_ms   INTEGER NOT NULL DEFAULT 0 CHECK (position_ms >= 0),
    updated_at    INTEGER NOT NULL
) STRICT;

-- ---------------------------------------------------------------------------------------
-- Play history: one row per play, append-only.
-- ---------------------------------------------------------------------------------------

CREATE TABLE play_history (
    id        INTEGER PRIMARY KEY,
    track_id  TEXT NOT NULL,
    played_at INTEGER NOT NULL,
    ms_played INTEGER NOT NULL CHECK (ms_played >= 0)
) STRICT;

CREATE INDEX play_history_by_time ON play_history (played_at);
CREATE INDEX play_history_by_track ON play_history (track_id, played_at);

CREATE TRIGGER play_history_touches_download AFTER INSERT ON play_history BEGIN
    UPDATE downloads SET last_played_at = max(coalesce(last_played_at, 0), new.played_at)
    WHERE track_id = new.track_id;
END;
