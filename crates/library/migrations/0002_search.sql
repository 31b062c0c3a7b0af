-- 0002: full-text search over the catalog cache (FTS5).
--
-- One index per result type, so a search returns typed tracks, albums and artists, each
-- ranked by bm25 against its own columns (a track matches on its title, artist and album).
--
-- External-content tables: the index stores only its inverted lists and reads the text from
-- the catalog table by `pk`, so the catalog text is not stored twice. The price is that the
-- index must be kept exactly in step with its table: the triggers below do that, and
-- `Library::integrity_check` runs FTS5's own 'integrity-check' to prove it.
--
-- Tokenizer: unicode61 with remove_diacritics 2, so "Bjork" finds "Björk" and "Sigur Ros"
-- finds "Sigur Rós" (folding applies to the text and the query alike). Case folds too.
-- prefix = '2 3': extra indexes of 2- and 3-character prefixes, because the search box runs
-- every token as a prefix query ("rad"*) while the listener types; longer prefixes are
-- cheap without them.

CREATE VIRTUAL TABLE tracks_search USING fts5 (
    title, artist_name, album_title,
    content = 'tracks', content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE VIRTUAL TABLE albums_search USING fts5 (
    title, artist_name,
    content = 'albums', content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE VIRTUAL TABLE artists_search USING fts5 (
    name,
    content = 'artists', content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Keeping the indexes in step. An external-content 'delete' must be given the OLD values
-- exactly, which is why deletes and updates pass old.*. Updates re-index only when an
-- indexed column really changed: re-caching an unchanged page (the common case) then costs
-- no index writes.

CREATE TRIGGER tracks_search_after_insert AFTER INSERT ON tracks BEGIN
    INSERT INTO tracks_search (rowid, title, artist_name, album_title)
    VALUES (new.pk, new.title, new.artist_name, new.album_title);
END;

CREATE TRIGGER tracks_search_after_delete AFTER DELETE ON tracks BEGIN
    INSERT INTO tracks_search (tracks_search, rowid, title, artist_name, album_title)
    VALUES ('delete', old.pk, old.title, old.artist_name, old.album_title);
END;

CREATE TRIGGER tracks_search_after_update AFTER UPDATE OF title, artist_name, album_title ON tracks
WHEN old.title IS NOT new.title
  OR old.artist_name IS NOT new.artist_name
  OR old.album_title IS NOT new.album_title
BEGIN
    INSERT INTO tracks_search (tracks_search, rowid, title, artist_name, album_title)
    VALUES ('delete', old.pk, old.title, old.artist_name, old.album_title);
    INSERT INTO tracks_search (rowid, title, artist_name, album_title)
    VALUES (new.pk, new.title, new.artist_name, new.album_title);
END;

CREATE TRIGGER albums_search_after_insert AFTER INSERT ON albums BEGIN
    INSERT INTO albums_search (rowid, title, artist_name) VALUES (new.pk, new.title, new.artist_name);
END;

CREATE TRIGGER albums_search_after_delete AFTER DELETE ON albums BEGIN
    INSERT INTO albums_search (albums_search, rowid, title, artist_name)
    VALUES ('delete', old.pk, old.title, old.artist_name);
END;

CREATE TRIGGER albums_search_after_update AFTER UPDATE OF title, artist_name ON albums
WHEN old.title IS NOT new.title OR old.artist_name IS NOT new.artist_name
BEGIN
    INSERT INTO albums_search (albums_search, rowid, title, artist_name)
    VALUES ('delete', old.pk, old.title, old.artist_name);
    INSERT INTO albums_search (rowid, title, artist_name) VALUES (new.pk, new.title, new.artist_name);
END;

CREATE TRIGGER artists_search_after_insert AFTER INSERT ON artists BEGIN
    INSERT INTO artists_search (rowid, name) VALUES (new.pk, new.name);
END;

CREATE TRIGGER artists_search_after_delete AFTER DELETE ON artists BEGIN
    INSERT INTO artists_search (artists_search, rowid, name) VALUES ('delete', old.pk, old.name);
END;

CREATE TRIGGER artists_search_after_update AFTER UPDATE OF name ON artists
WHEN old.name IS NOT new.name
BEGIN
    INSERT INTO artists_search (artists_search, rowid, name) VALUES ('delete', old.pk, old.name);
    INSERT INTO artists_search (rowid, name) VALUES (new.pk, new.name);
END;

-- A library cached before this migration gets indexed now.
INSERT INTO tracks_search (tracks_search) VALUES ('rebuild');
INSERT INTO albums_search (albums_search) VALUES ('rebuild');
INSERT INTO artists_search (artists_search) VALUES ('rebuild');
