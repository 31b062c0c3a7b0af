-- devcloud, schema version 4 (PRAGMA user_version): when each listener last signed out
-- everywhere. Access tokens issued before it are refused, though their signature still holds.

CREATE TABLE signed_out (
    sub TEXT PRIMARY KEY,
    signed_out_at INTEGER NOT NULL
);
