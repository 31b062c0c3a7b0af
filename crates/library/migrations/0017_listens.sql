-- 0017: listens waiting to be scrobbled (issue 20, "Scrobbling"). A play that counts as a
-- listen is written here before anything is sent, one row per listen and scrobble target,
-- so a listen made offline, or interrupted by a crash mid-send, is neither lost nor sent
-- twice. A row goes queued -> sending (the attempt's time kept) -> sent, or back to queued
-- when the attempt surely did not land; a row the target refuses for good is kept as
-- rejected, with the target's reason, and never tried again. Sent rows are forgotten after
-- a week.
CREATE TABLE listens (
    id INTEGER PRIMARY KEY,
    -- Where it goes: 'listenbrainz', or the OpenSubsonic server's own 'scrobble'.
    target TEXT NOT NULL CHECK (target IN ('listenbrainz', 'subsonic')),
    -- The service kind and account the track was heard from.
    service_kind TEXT NOT NULL,
    account TEXT NOT NULL,
    -- The catalog's track id (what an OpenSubsonic scrobble names).
    track_id TEXT NOT NULL,
    artist_name TEXT NOT NULL CHECK (artist_name <> ''),
    track_name TEXT NOT NULL CHECK (track_name <> ''),
    release_name TEXT,
    duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms > 0),
    track_number INTEGER CHECK (track_number IS NULL OR track_number >= 0),
    -- When the listen began (Unix seconds), as ListenBrainz takes it.
    listened_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'rejected')),
    -- When the attempt in flight began: set exactly while sending.
    sending_since INTEGER,
    sent_at INTEGER,
    -- The target's words, for a rejected listen.
    rejected_reason TEXT,
    CHECK ((state = 'sending') = (sending_since IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CHECK ((state = 'rejected') = (rejected_reason IS NOT NULL)),
    -- The same play enqueued twice (a retried call) is one listen.
    UNIQUE (target, track_id, listened_at)
) STRICT;
-- The queue's reads: what waits or is in flight for a target, oldest first.
CREATE INDEX listens_waiting ON listens (target, state, listened_at, id)
    WHERE state IN ('queued', 'sending');
