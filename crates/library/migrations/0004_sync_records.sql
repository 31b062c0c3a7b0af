-- 0004: what the sync engine needs to apply the conflict policy and never lose an edit
-- silently.

-- The name the server last gave the playlist, apart from `name` (which shows pending renames
-- applied on top). A snapshot whose name differs from it while a rename of ours is pending
-- means two devices renamed concurrently: ours is written later and wins, theirs is recorded.
ALTER TABLE playlists ADD COLUMN server_name TEXT;

-- Sync records: every pending edit the conflict policy resolved other than by sending it
-- (a move of an item removed elsewhere, edits to a playlist deleted elsewhere kept in a
-- copy, a rename that replaced another device's), and every edit the server refused for
-- good. The listener sees them until dismissed; nothing an edit meant disappears unseen.
CREATE TABLE sync_records (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The operation log entry this record accounts for (NULL: a record about the
    -- playlist as a whole, e.g. another device's rename that ours replaced).
    op_seq        INTEGER,
    kind          TEXT NOT NULL CHECK (kind IN ('move_dropped', 'already_removed',
                                                'restored_copy', 'rename_replaced',
                                                'refused')),
    -- Not a foreign key: records outlive the playlists they talk about.
    playlist_id   TEXT NOT NULL,
    -- The playlist's name when the record was made, so the message still reads once the
    -- playlist is gone or renamed.
    playlist_name TEXT NOT NULL,
    message       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    -- Worth telling the listener (0 for records that only complete the accounting, such as
    -- a remove that another device had already made).
    notify        INTEGER NOT NULL CHECK (notify IN (0, 1)),
    dismissed     INTEGER NOT NULL DEFAULT 0 CHECK (dismissed IN (0, 1))
) STRICT;

CREATE INDEX sync_records_unseen ON sync_records (dismissed, id);
