-- 0006: the ids a playlist or an item had before the service gave it its own. The UI may
-- still hold the old id for a moment after a sync re-keyed it (a menu opened before the sync,
-- a row being dragged); an edit naming it is applied to what it names now rather than
-- refused.

CREATE TABLE id_aliases (
    kind       TEXT NOT NULL CHECK (kind IN ('playlist', 'item')),
    local_id   TEXT NOT NULL,
    server_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, local_id)
) STRICT;
