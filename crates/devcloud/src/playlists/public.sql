-- devcloud playlists, schema version 3 (PRAGMA user_version): public playlists, shown on their
-- owner's profile and readable by every listener.

ALTER TABLE playlists ADD COLUMN public INTEGER NOT NULL DEFAULT 0;
