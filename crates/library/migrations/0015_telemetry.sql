-- 0015: playback reports (issue 18, "Telemetry"), for a listener who opted in. A play
-- measured while reporting was on waits to go into a batch; a batch waits here, under the
-- random id the service counts it once by, until the service has taken it. Turning reporting
-- off clears both. Nothing personal goes into a batch: counts by the hour.
ALTER TABLE play_metrics ADD COLUMN to_report INTEGER NOT NULL DEFAULT 0
    CHECK (to_report IN (0, 1));
CREATE INDEX play_metrics_to_report ON play_metrics (to_report) WHERE to_report = 1;

CREATE TABLE telemetry_batches (
    batch_id TEXT PRIMARY KEY,
    -- When it was made (Unix seconds): batches a month old are dropped unsent.
    made_at INTEGER NOT NULL,
    -- The batch as the service takes it (JSON).
    body TEXT NOT NULL
);
