-- 0008: the play queue's entries keep ids of their own (the same track may be queued twice,
-- and an edit names one copy), whether the listener queued them ("play next", "add to
-- queue": they play before the rest of the list), and, with shuffle on, the listed order to
-- return to. Shuffle and repeat come back after a restart too.

CREATE TABLE play_queue_entries_v8 (
    position        INTEGER PRIMARY KEY CHECK (position >= 0),
    track_id        TEXT NOT NULL,
    -- The entry's id in the queue. NULL only for rows written without one (by a Strato
    -- before this step): they are given fresh ids when the queue is read.
    entry_id        INTEGER UNIQUE CHECK (entry_id > 0),
    queued          INTEGER NOT NULL DEFAULT 0 CHECK (queued IN (0, 1)),
    -- With shuffle on: the entry's place in the listed order. NULL otherwise.
    listed_position INTEGER UNIQUE CHECK (listed_position >= 0)
) STRICT;

-- The queue saved before: its entries numbered in play order.
INSERT INTO play_queue_entries_v8 (position, track_id, entry_id)
    SELECT position, track_id, position + 1 FROM play_queue_entries;
DROP TABLE play_queue_entries;
ALTER TABLE play_queue_entries_v8 RENAME TO play_queue_entries;

ALTER TABLE play_queue_state ADD COLUMN shuffle INTEGER NOT NULL DEFAULT 0
    CHECK (shuffle IN (0, 1));
ALTER TABLE play_queue_state ADD COLUMN repeat TEXT NOT NULL DEFAULT 'off'
    CHECK (repeat IN ('off', 'all', 'one'));
