-- 0019: the last copy of each playlist seen on a server whose API has no revisions
-- (OpenSubsonic: getPlaylist has neither a revision nor item ids). Without revisions, the
-- sync engine finds another client's edit by comparing the server's playlist with this
-- copy, and a write whose answer was lost by comparing it with this copy plus the write.
-- The item ids are the library's own (the API has none): kept here so that the items of the
-- next copy, matched against these, keep theirs, and the pending edits naming them still
-- find them. The revision is counted by the sync engine (one more per server state taken
-- in), as the playlists table needs one.
--
-- Follows its playlist: re-keyed with it (a create's answer), gone with it (a delete, a
-- deletion elsewhere). A playlist of the Strato cloud never has a row here.
CREATE TABLE playlist_last_seen (
    playlist_id TEXT PRIMARY KEY NOT NULL
        REFERENCES playlists (id) ON DELETE CASCADE ON UPDATE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    public      INTEGER NOT NULL CHECK (public IN (0, 1)),
    revision    INTEGER NOT NULL CHECK (revision >= 1),
    created_at  INTEGER NOT NULL,
    -- The server's own "changed" (else "created"), to tell from its list which playlists
    -- changed without reading each.
    updated_at  INTEGER NOT NULL,
    -- The entries in order, as a JSON array of strato-model's PlaylistItem.
    items       TEXT NOT NULL CHECK (json_valid(items) AND json_type(items) = 'array'),
    seen_at     INTEGER NOT NULL
) STRICT;
