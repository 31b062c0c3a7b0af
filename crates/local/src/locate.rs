//! Finding the index's file that a path written elsewhere names (a playlist file's entry).
//!
//! The index keeps a file by its music folder's real path (links resolved, see
//! [`LocalIndex::add_folder`]) and the path below it as the walk found it, links inside the
//! music folder kept as they are. A path written elsewhere may go through a link to the
//! music folder, into a linked subfolder of it, through `..`, or (on Windows and macOS)
//! differ in case or Unicode form, and still name that file. The steps, cheapest first,
//! each only for the paths the one before missed:
//!
//! 1. [`PathResolver::written`]: `.` and `..` resolved as the system does: POSIX takes `..`
//!    after the links before it (the parent of a link's target, not of the link's folder),
//!    Windows by name. At most one look at the disk per `..`.
//! 2. [`LocalIndex::playable_at`]: the index asked for that path as it is.
//! 3. [`PathResolver::spellings`]: for each folder the path goes through, innermost first,
//!    whose real path lies in a music folder, that real path with the rest of the path
//!    below it. Each folder's real path is asked of the disk once per resolver.
//! 4. [`LocalIndex::playable_among`]: the index asked for each spelling, then for a file of
//!    the same folder whose name is the same as the system compares names ([`NameFolding`]).
//!
//! The disk's steps (1, 3) and the index's (2, 4) are apart so that a caller with many paths
//! can do the first on threads meant for blocking work and keep the index's own thread for
//! the index (the core's import does); [`LocalIndex::track_at`] does all four for one path.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use rusqlite::params;
use strato_model::api::Track;
use unicode_normalization::UnicodeNormalization as _;

use crate::error::{LocalErrorKind, Result};
use crate::ids;
use crate::index::{LocalIndex, folder_path, path_text};

/// What a resolver learnt of the disk, so that a long list of paths in a few folders asks
/// it about each folder once.
#[derive(Debug, Default)]
pub struct PathResolver {
    /// Whether each path asked about is a link (Windows never asks: see [`Self::written`]).
    #[cfg(not(windows))]
    links: HashMap<PathBuf, bool>,
    /// The real path of each folder asked about (`None`: not there, or not a folder).
    real: HashMap<PathBuf, Option<PathBuf>>,
}

impl PathResolver {
    /// `path` with `.` dropped and `..` resolved as the system does (see the module's doc);
    /// `None` for a path that is not absolute.
    pub fn written(&mut self, path: &Path) -> Option<PathBuf> {
        if !path.is_absolute() {
            return None;
        }
        let mut out = PathBuf::new();
        for part in path.components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir => self.up(&mut out),
                other => out.push(other),
            }
        }
        Some(out)
    }

    /// Windows resolves `..` by name, before any link is followed.
    #[cfg(windows)]
    #[expect(
        clippy::unused_self,
        reason = "the same call as POSIX's, which asks the disk"
    )]
    fn up(&mut self, out: &mut PathBuf) {
        out.pop();
    }

    /// POSIX: `..` is the parent of where the path so far leads. Only when its last part is
    /// a link does that differ from the path without it: a folder's parent is the folder it
    /// is in, whichever links led there.
    #[cfg(not(windows))]
    fn up(&mut self, out: &mut PathBuf) {
        if self.is_link(out)
            && let Some(real) = self.real_path(out)
        {
            *out = real;
        }
        out.pop();
    }

    #[cfg(not(windows))]
    fn is_link(&mut self, path: &Path) -> bool {
        *self
            .links
            .entry(path.to_owned())
            .or_insert_with_key(|path| {
                std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
            })
    }

    /// The real path of the folder at `path`, asked of the disk once.
    fn real_path(&mut self, path: &Path) -> Option<PathBuf> {
        self.real
            .entry(path.to_owned())
            .or_insert_with_key(|path| folder_path(path).ok())
            .clone()
    }

    /// The other ways the index may keep the file `written` names (a path as
    /// [`Self::written`] gives it), given the music folders' paths: for each folder
    /// `written` goes through, innermost first, whose real path is in a music folder, that
    /// real path joined with the rest of `written`. Each once, `written` itself left out.
    pub fn spellings(&mut self, written: &Path, music_folders: &[PathBuf]) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for folder in written.ancestors().skip(1) {
            let Some(real) = self.real_path(folder) else {
                continue;
            };
            if !music_folders.iter().any(|music| real.starts_with(music)) {
                continue;
            }
            let Ok(rest) = written.strip_prefix(folder) else {
                continue;
            };
            let spelling = real.join(rest);
            if spelling != written && !found.contains(&spelling) {
                found.push(spelling);
            }
        }
        found
    }
}

impl LocalIndex {
    /// The playable track of the file at `path` (absolute), when the index holds it by any
    /// of the ways `path` can name it (see the module's doc). `None` when none is a file
    /// that plays. Asks the disk: for many paths, see the steps apart in the module's doc.
    pub fn track_at(&self, path: &Path) -> Result<Option<Track>> {
        let mut resolver = PathResolver::default();
        let Some(written) = resolver.written(path) else {
            return Ok(None);
        };
        if let Some(track) = self.playable_at(&written)? {
            return Ok(Some(track));
        }
        let music: Vec<PathBuf> = self.folders()?.into_iter().map(|f| f.path).collect();
        let spellings = resolver.spellings(&written, &music);
        self.playable_among(&written, &spellings)
    }

    /// The playable track of the file the index keeps at exactly `path`; `None` when it
    /// keeps none there, or one that cannot be played. Never asks the disk.
    pub fn playable_at(&self, path: &Path) -> Result<Option<Track>> {
        let Ok(id) = ids::track_id(path) else {
            return Ok(None);
        };
        match self.track(&id) {
            Ok(track) => Ok(Some(track)),
            Err(error)
                if matches!(
                    error.kind(),
                    LocalErrorKind::NotFound | LocalErrorKind::Unreadable | LocalErrorKind::Invalid
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// Once `written` itself missed: the first of `spellings` the index keeps a playable
    /// file at, else a playable file in the folder of `written` or of a spelling whose name
    /// is the same as the system compares names. Never asks the disk.
    pub fn playable_among(&self, written: &Path, spellings: &[PathBuf]) -> Result<Option<Track>> {
        for spelling in spellings {
            if let Some(track) = self.playable_at(spelling)? {
                return Ok(Some(track));
            }
        }
        for path in std::iter::once(written).chain(spellings.iter().map(PathBuf::as_path)) {
            if let Some(track) = self.playable_named_like(path, NameFolding::SYSTEM)? {
                return Ok(Some(track));
            }
        }
        Ok(None)
    }

    /// The playable file the index keeps in `path`'s folder whose name is `path`'s as
    /// `folding` compares names (by the index of files by folder).
    fn playable_named_like(&self, path: &Path, folding: NameFolding) -> Result<Option<Track>> {
        if folding == NameFolding::Exact {
            // Nothing beyond the exact match, which was asked for already.
            return Ok(None);
        }
        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return Ok(None);
        };
        let (Ok(folder), Some(name)) = (path_text(folder), name.to_str()) else {
            return Ok(None);
        };
        let wanted = folding.key(name);
        let mut statement = self
            .conn
            .prepare_cached("SELECT path FROM files WHERE dir = ?1 AND error IS NULL")?;
        let paths = statement
            .query_map(params![folder], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for kept in paths {
            let kept = PathBuf::from(kept);
            let same = kept
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| folding.key(name) == wanted);
            if same {
                return self.playable_at(&kept);
            }
        }
        Ok(None)
    }
}

/// How a system's file names compare, as far as finding a file by a name written elsewhere
/// goes: two names with the same [`NameFolding::key`] are one file's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameFolding {
    /// Byte for byte (Linux and the other Unix file systems).
    Exact,
    /// Case aside (NTFS and FAT: Windows).
    Case,
    /// Case and Unicode normalisation aside (APFS and HFS+: macOS, where a name typed as
    /// `é` and one written as `e` and a combining accent are one file's).
    CaseAndNormalisation,
}

impl NameFolding {
    /// How this system's file names compare.
    pub(crate) const SYSTEM: Self = if cfg!(windows) {
        Self::Case
    } else if cfg!(target_os = "macos") {
        Self::CaseAndNormalisation
    } else {
        Self::Exact
    };

    /// The form of `name` that every name of the same file shares. Case is folded one
    /// character to one, as the file systems' own tables do (`ß` stays `ß`).
    pub(crate) fn key(self, name: &str) -> String {
        match self {
            Self::Exact => name.to_owned(),
            Self::Case => upper(name.chars()),
            Self::CaseAndNormalisation => upper(name.nfc()),
        }
    }
}

/// Each character in upper case where that is one character, else as it is.
fn upper(chars: impl Iterator<Item = char>) -> String {
    chars
        .map(|c| {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(one), None) => one,
                _ => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_as_each_system_compares_them() {
        let composed = "Bj\u{f6}rk - J\u{f3}ga.flac";
        let decomposed = "Bjo\u{308}rk - Jo\u{301}ga.flac";
        let shouted = "BJ\u{d6}RK - J\u{d3}GA.FLAC";
        let same = |folding: NameFolding, a: &str, b: &str| folding.key(a) == folding.key(b);

        assert!(same(NameFolding::Exact, composed, composed));
        assert!(!same(NameFolding::Exact, composed, shouted));
        assert!(!same(NameFolding::Exact, composed, decomposed));

        assert!(same(NameFolding::Case, composed, shouted));
        assert!(!same(NameFolding::Case, composed, decomposed));
        assert!(!same(NameFolding::Case, "a.flac", "b.flac"));

        assert!(same(
            NameFolding::CaseAndNormalisation,
            composed,
            decomposed
        ));
        assert!(same(NameFolding::CaseAndNormalisation, decomposed, shouted));
        assert!(!same(NameFolding::CaseAndNormalisation, "a.flac", "b.flac"));
        // One character to one: `ß` is not `SS`.
        assert!(!same(NameFolding::Case, "stra\u{df}e.mp3", "STRASSE.MP3"));
    }

    #[test]
    fn this_system_compares_names_as_its_file_systems_do() {
        let expected = if cfg!(windows) {
            NameFolding::Case
        } else if cfg!(target_os = "macos") {
            NameFolding::CaseAndNormalisation
        } else {
            NameFolding::Exact
        };
        assert_eq!(NameFolding::SYSTEM, expected);
    }

    /// An index on disk holding one playable file's row at `file` (not read from disk).
    fn index_holding(file: &Path) -> (tempfile::TempDir, LocalIndex) {
        let dir = tempfile::tempdir().unwrap();
        let mut index = LocalIndex::open(dir.path().join("index.sqlite3")).unwrap();
        let folder = index.add_folder(dir.path()).unwrap();
        index
            .conn
            .execute(
                "INSERT INTO files (path, folder_id, dir, size, mtime_ns, title, album,
                     artist_id, album_artist_id, album_id, format, scanned_at)
                 VALUES (?1, ?2, ?3, 1, 1, 'Joga', 'Homogenic', 'a', 'a', 'b', 'flac', 1)",
                params![
                    path_text(file).unwrap(),
                    folder.id,
                    path_text(file.parent().unwrap()).unwrap()
                ],
            )
            .unwrap();
        (dir, index)
    }

    #[test]
    fn a_file_is_found_in_its_folder_by_a_name_the_system_takes_for_its_own() {
        let music = std::env::temp_dir().join("Music");
        let kept = music.join("Bj\u{f6}rk").join("J\u{f3}ga.flac");
        let (_dir, index) = index_holding(&kept);
        let shouted = music.join("Bj\u{f6}rk").join("J\u{d3}GA.FLAC");
        let decomposed = music.join("Bj\u{f6}rk").join("Jo\u{301}ga.flac");

        let found = |path: &Path, folding| {
            index
                .playable_named_like(path, folding)
                .unwrap()
                .map(|track| track.title)
        };
        assert_eq!(found(&shouted, NameFolding::Exact), None);
        assert_eq!(found(&shouted, NameFolding::Case).as_deref(), Some("Joga"));
        assert_eq!(found(&decomposed, NameFolding::Case), None);
        assert_eq!(
            found(&decomposed, NameFolding::CaseAndNormalisation).as_deref(),
            Some("Joga")
        );
        // Only in the same folder.
        let elsewhere = music.join("Other").join("J\u{d3}GA.FLAC");
        assert_eq!(found(&elsewhere, NameFolding::Case), None);
        // As written, exactly, on every system.
        assert_eq!(index.playable_at(&kept).unwrap().unwrap().title, "Joga");
        let among = index.playable_among(&shouted, &[]).unwrap();
        assert_eq!(among.is_some(), NameFolding::SYSTEM != NameFolding::Exact);
    }

    #[cfg(unix)]
    #[test]
    fn dots_are_resolved_by_name_where_no_link_is_left() {
        let mut resolver = PathResolver::default();
        // Nothing of it on disk: no link to follow.
        assert_eq!(
            resolver.written(Path::new("/nowhere-strato/lists/../Music/./a.flac")),
            Some(PathBuf::from("/nowhere-strato/Music/a.flac"))
        );
        assert_eq!(
            resolver.written(Path::new("/../a")),
            Some(PathBuf::from("/a"))
        );
        assert_eq!(resolver.written(Path::new("Music/a.flac")), None);
    }

    #[cfg(windows)]
    #[test]
    fn dots_are_resolved_by_name_where_no_link_is_left() {
        let mut resolver = PathResolver::default();
        assert_eq!(
            resolver.written(Path::new(r"C:\nowhere-strato\lists\..\Music\.\a.flac")),
            Some(PathBuf::from(r"C:\nowhere-strato\Music\a.flac"))
        );
        assert_eq!(
            resolver.written(Path::new(r"C:\..\a")),
            Some(PathBuf::from(r"C:\a"))
        );
        assert_eq!(resolver.written(Path::new(r"Music\a.flac")), None);
    }

    /// POSIX: `link/..` is the folder the link's target is in.
    #[cfg(unix)]
    #[test]
    fn a_link_before_dots_is_followed_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let target = root.join("elsewhere/album");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::create_dir_all(root.join("music")).unwrap();
        std::os::unix::fs::symlink(&target, root.join("music/linked")).unwrap();
        let mut resolver = PathResolver::default();
        assert_eq!(
            resolver.written(&root.join("music/linked/../a.flac")),
            Some(root.join("elsewhere/a.flac"))
        );
        // A real folder's `..` is its parent, whatever links led to it.
        std::fs::create_dir_all(target.join("lists")).unwrap();
        assert_eq!(
            resolver.written(&root.join("music/linked/lists/../a.flac")),
            Some(root.join("music/linked/a.flac"))
        );
    }
}
