-- 0005: albums and playlists the listener keeps for offline listening. The download manager
-- works per track; these rows say which tracks a collection stands for now, so a track
-- added to an offline playlist (here or on another device) is downloaded too.

CREATE TABLE offline_collections (
    kind         TEXT NOT NULL CHECK (kind IN ('album', 'playlist')),
    -- Not a foreign key: a playlist re-keyed after its create was acknowledged is followed
    -- by the trigger below; an album is a catalog id.
    id           TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT;

-- A playlist created offline takes the server's id when its create is acknowledged; its
-- offline mark follows.
CREATE TRIGGER offline_playlist_rekeyed AFTER UPDATE OF id ON playlists
BEGIN
    UPDATE offline_collections SET id = NEW.id WHERE kind = 'playlist' AND id = OLD.id;
END;

-- A playlist gone for good takes its mark with it.
CREATE TRIGGER offline_playlist_deleted AFTER DELETE ON playlists
BEGIN
    DELETE FROM offline_collections WHERE kind = 'playlist' AND id = OLD.id;
END;
