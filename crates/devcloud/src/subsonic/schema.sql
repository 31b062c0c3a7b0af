-- devcloud's OpenSubsonic state (/rest/), per Subsonic user name (--subsonic-user).

CREATE TABLE subsonic_stars (
    username    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('song', 'album', 'artist')),
    item_id     TEXT NOT NULL,
    starred_at  INTEGER NOT NULL,       -- Unix seconds
    PRIMARY KEY (username, kind, item_id)
);

CREATE TABLE subsonic_playlists (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner       TEXT NOT NULL,
    name        TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    public      INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL,       -- Unix seconds
    changed     INTEGER NOT NULL
);
CREATE INDEX subsonic_playlists_by_owner ON subsonic_playlists (owner, id);

CREATE TABLE subsonic_playlist_songs (
    playlist_id INTEGER NOT NULL REFERENCES subsonic_playlists (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,       -- dense, 0-based
    song_id     TEXT NOT NULL,
    PRIMARY KEY (playlist_id, position)
);

-- Every scrobble and now-playing report, as sent, for tests to read (/admin/subsonic/scrobbles).
CREATE TABLE subsonic_scrobbles (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    username    TEXT NOT NULL,
    song_id     TEXT NOT NULL,
    time_ms     INTEGER,                -- when the client says it was played
    submission  INTEGER NOT NULL,       -- 1: a play; 0: now playing
    client      TEXT NOT NULL,
    received_at INTEGER NOT NULL        -- Unix seconds
);
