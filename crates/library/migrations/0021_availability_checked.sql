-- When the service was last asked whether each track is still available for this listener
-- (the availability check of the offline copies). A service asked one track per request (a
-- Subsonic server's getSong) is asked about a bounded number each pass, the longest unasked
-- first, so thousands of downloads cost a steady trickle of requests rather than thousands
-- every pass.

CREATE TABLE availability_checked (
    track_id   TEXT PRIMARY KEY NOT NULL,
    checked_at INTEGER NOT NULL
) STRICT;
