-- Tracks the service says are no longer available to this listener (deleted or taken down
-- by their owner or a moderator, or made private by someone else), as playlists' snapshots
-- mark their items. A playlist shows such an item as "no longer available" instead of
-- failing; a track available again leaves the table.

CREATE TABLE unavailable_tracks (
    track_id TEXT PRIMARY KEY,
    since    INTEGER NOT NULL
);
