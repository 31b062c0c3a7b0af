-- 0014: how each play went (issue 18, "Playback quality"): how long until the first audio,
-- the stalls and how long they lasted, the bitrate switches, the error it ended on, and the
-- output device. Kept a month, for the Diagnostics screen (the last day's charts, the recent
-- errors) and, if the listener allows it, for the service's telemetry. Nothing personal: a
-- track id, times and counts.
CREATE TABLE play_metrics (
    id INTEGER PRIMARY KEY,
    track_id TEXT NOT NULL,
    -- When the play began (Unix seconds).
    started_at INTEGER NOT NULL,
    -- From the play asked for to its first audio; NULL when it never sounded.
    first_audio_ms INTEGER CHECK (first_audio_ms >= 0),
    stalls INTEGER NOT NULL DEFAULT 0 CHECK (stalls >= 0),
    stalled_ms INTEGER NOT NULL DEFAULT 0 CHECK (stalled_ms >= 0),
    bitrate_switches INTEGER NOT NULL DEFAULT 0 CHECK (bitrate_switches >= 0),
    -- The kind (an `ErrorKind`, snake_case) and the words of the error it ended on.
    error_kind TEXT,
    error_message TEXT,
    output_device TEXT,
    CHECK ((error_kind IS NULL) = (error_message IS NULL))
);
CREATE INDEX play_metrics_started ON play_metrics (started_at);
