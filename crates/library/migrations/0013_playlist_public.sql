-- 0013: whether the service shows a playlist on its owner's page (`docs/api.md`, "Explore
-- and profiles"), as its snapshots say. Sharing is asked of the service directly (it needs
-- the network by nature); the flag here follows the snapshots, so the window shows it
-- offline too.
ALTER TABLE playlists ADD COLUMN public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1));
