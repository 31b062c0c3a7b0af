-- 0012: sync records that are not about a playlist. Offline copies of tracks the service no
-- longer has (deleted or taken down, or made private by their owner) are removed at the next
-- sync, and the listener is told in the same list as the conflict policy's records.
--
-- SQLite cannot change a CHECK or a NOT NULL in place: the table is rebuilt, as its
-- documentation's twelve steps say (foreign keys do not matter here: nothing refers to it).

CREATE TABLE sync_records_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    op_seq        INTEGER,
    kind          TEXT NOT NULL CHECK (kind IN ('move_dropped', 'already_removed',
                                                'restored_copy', 'rename_replaced',
                                                'refused', 'offline_removed')),
    -- NULL for records about no playlist ('offline_removed').
    playlist_id   TEXT,
    playlist_name TEXT,
    message       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    notify        INTEGER NOT NULL CHECK (notify IN (0, 1)),
    dismissed     INTEGER NOT NULL DEFAULT 0 CHECK (dismissed IN (0, 1)),
    CHECK ((playlist_id IS NULL) = (kind = 'offline_removed')),
    CHECK ((playlist_name IS NULL) = (playlist_id IS NULL))
) STRICT;

INSERT INTO sync_records_new (id, op_seq, kind, playlist_id, playlist_name, message,
                              created_at, notify, dismissed)
    SELECT id, op_seq, kind, playlist_id, playlist_name, message, created_at, notify, dismissed
    FROM sync_records;

-- Ids are never reused (AUTOINCREMENT): the new table continues the old one's sequence, which
-- may be past the largest id left.
DELETE FROM sqlite_sequence WHERE name = 'sync_records_new';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'sync_records_new', seq FROM sqlite_sequence WHERE name = 'sync_records';

DROP TABLE sync_records;
ALTER TABLE sync_records_new RENAME TO sync_records;
CREATE INDEX sync_records_unseen ON sync_records (dismissed, id);
