-- 0020: stars (favourites) on an OpenSubsonic server (issue 20, "stars"). The server's
-- star and unstar calls have no revisions and are idempotent, so what is kept here is
-- simple: the stars as last known, and the toggles not yet acknowledged by the server, in
-- the order they were made. A toggle made offline is written before anything is sent, so
-- it is never lost; sent again after a crash it does no harm (starring a starred track
-- changes nothing).

-- The stars as last known: the server's list (getStarred2) with the edits below applied.
CREATE TABLE stars (
    kind TEXT NOT NULL CHECK (kind IN ('track', 'album', 'artist')),
    item_id TEXT NOT NULL CHECK (item_id <> ''),
    PRIMARY KEY (kind, item_id)
) STRICT, WITHOUT ROWID;

-- Toggles waiting for the server, oldest first. One row per item at most: a newer toggle
-- of the same item replaces the one waiting (only the last one counts on the server).
CREATE TABLE star_edits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('track', 'album', 'artist')),
    item_id TEXT NOT NULL CHECK (item_id <> ''),
    starred INTEGER NOT NULL CHECK (starred IN (0, 1)),
    -- When the listener toggled it (Unix seconds).
    made_at INTEGER NOT NULL,
    UNIQUE (kind, item_id)
) STRICT;
