-- 0009: the catalog as a list, read a page at a time from this computer.
--
-- A track's `catalog_rank` is its place in the service's catalog order (album artist, album
-- year and title, track number: docs/api.md, GET /v1/tracks) as the last walk of that
-- listing numbered it. The catalog screen pages by it (keyset: rank > the last one shown,
-- never OFFSET). NULL: the track is cached for another reason (a search, an album page, a
-- playlist) and is not listed until a walk ranks it; a track a complete walk did not see
-- loses its rank but stays cached for the playlists and downloads that name it.
--
-- Unique: one track per place. A walk that finds another track at a place clears that
-- track's rank (it is listed again when the walk reaches its new place).

ALTER TABLE tracks ADD COLUMN catalog_rank INTEGER CHECK (catalog_rank >= 0);

CREATE UNIQUE INDEX tracks_by_catalog_rank ON tracks (catalog_rank)
    WHERE catalog_rank IS NOT NULL;
