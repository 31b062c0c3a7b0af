-- 0002: the device a music folder's files were last found on.
--
-- A folder that is a mount point stays on disk, empty or with the parent disk's leftovers,
-- when its disk is unplugged; its device id then differs from the one its files were found
-- on, so a scan leaves the folder's rows as they were rather than take them for deleted.
-- NULL: not known yet (never scanned, or a system without device ids).

ALTER TABLE folders ADD COLUMN device INTEGER;
