-- 0004: why a file cannot be played, kept by its code as well as in words.
--
-- `problem` is the reason's code (`FileProblem::code`: "damaged", "cut_short", ...), written
-- with `error` (its sentence) by every scan from this version on, so a sentence reworded in
-- a later version never changes the reason a file is said to have. Rows written before keep
-- NULL here; their reason is read back from their sentence until a scan reads them again.
--
-- Failed files are few among many: a partial index finds them (their count, their first
-- page by path) without reading every row of a large library.

ALTER TABLE files ADD COLUMN problem TEXT;

CREATE INDEX files_failed ON files (path) WHERE error IS NOT NULL;
