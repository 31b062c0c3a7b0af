-- 0016: loudness measured here (issue 19, loudness normalisation), for tracks that come
-- without ReplayGain: EBU R 128's integrated loudness and the true peak, measured when a
-- track was first played in full or downloaded, so it plays normalised from then on. Keyed
-- by the catalog's track id (no foreign key: a measurement outlives the catalog cache's
-- rows, and a track cached again finds it). Nothing personal: figures about the audio.
CREATE TABLE track_loudness (
    track_id TEXT PRIMARY KEY NOT NULL,
    -- LUFS; above EBU R 128's absolute gate (silence is not kept).
    integrated_lufs REAL NOT NULL CHECK (integrated_lufs > -70.0 AND integrated_lufs < 30.0),
    -- Linear (1.0 = full scale), 4x oversampled.
    true_peak REAL NOT NULL CHECK (true_peak >= 0.0),
    -- Seconds of audio measured: what an album's loudness weights each track by.
    seconds REAL NOT NULL CHECK (seconds >= 0.0),
    -- When (Unix seconds), and how: 'play' or 'download'.
    measured_at INTEGER NOT NULL,
    measured_from TEXT NOT NULL CHECK (measured_from IN ('play', 'download'))
) STRICT;
