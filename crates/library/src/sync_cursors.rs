//! Sync cursors: where each server feed was last read up to (e.g. the playlist changes
//! feed's `cursor`), by name. Values are opaque to this crate.

use rusqlite::{OptionalExtension as _, params};

use crate::error::Result;
use crate::library::{Library, unix_now};

impl Library {
    /// The stored cursor called `name`.
    pub fn sync_cursor(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_cursors WHERE name = ?1")?
            .query_row([name], |row| row.get(0))
            .optional()?)
    }

    /// Stores (replaces) the cursor called `name`.
    pub fn set_sync_cursor(&mut self, name: &str, value: &str) -> Result<()> {
        let now = unix_now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_cursors (name, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
                     updated_at = excluded.updated_at",
                params![name, value, now],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_healthy;

    #[test]
    fn cursors_round_trip() {
        let mut library = Library::open_in_memory().unwrap();
        assert_eq!(library.sync_cursor("playlists").unwrap(), None);
        library.set_sync_cursor("playlists", "17").unwrap();
        library.set_sync_cursor("playlists", "42").unwrap();
        assert_eq!(
            library.sync_cursor("playlists").unwrap().as_deref(),
            Some("42")
        );
        assert_healthy(&library);
    }
}
