-- devcloud, schema version 5 (PRAGMA user_version): the playback reports listeners who opted
-- in sent (docs/api.md, "Telemetry"). Kept as sent, without the sender: only the batch's own
-- id, so a resend is known and counted once.

CREATE TABLE telemetry_batches (
    batch_id TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL,
    -- The batch as JSON (a TelemetryBatch): counts by the hour, nothing personal.
    body TEXT NOT NULL
);
