-- 0018: lyrics kept for offline use (issue 20, "Synced lyrics"). One row per track: a
-- catalog track of this library's account ('track', its id) or a local audio file ('file',
-- its path). What was found is kept as text: synced lyrics as LRC, plain lyrics as they
-- came; an instrumental track and a lookup that found nothing are kept too (no text), so
-- a track is not asked about on every play. A 'none' row is asked again once it is a week
-- old (the reader decides, from fetched_at). No foreign key: lyrics outlive the catalog
-- cache's rows, like loudness. Nothing personal: words of published songs.
CREATE TABLE lyrics (
    key_kind TEXT NOT NULL CHECK (key_kind IN ('track', 'file')),
    track_key TEXT NOT NULL CHECK (track_key <> ''),
    -- Where they came from; none for a lookup that found nothing.
    source TEXT CHECK (source IS NULL OR source IN ('lrclib', 'server', 'file', 'tags')),
    kind TEXT NOT NULL CHECK (kind IN ('synced', 'plain', 'instrumental', 'none')),
    body TEXT,
    -- When they were looked up (Unix seconds).
    fetched_at INTEGER NOT NULL,
    CHECK ((kind IN ('synced', 'plain')) = (body IS NOT NULL)),
    CHECK ((kind = 'none') = (source IS NULL)),
    PRIMARY KEY (key_kind, track_key)
) STRICT, WITHOUT ROWID;
