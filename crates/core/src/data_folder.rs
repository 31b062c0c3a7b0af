//! Moving the data folder (the accounts' libraries and their downloads) to another place,
//! so that nothing is lost whatever fails or whenever the app stops: **copy** every file of
//! Strato's into the new folder, **verify** each copy against its original byte for byte,
//! **switch** (the caller points the settings at the new folder), then **delete** the
//! originals. Until the switch the old folder is the one in use and whole; after it, the new
//! one is, and a failure to delete leaves only space to free, never a missing file.
//!
//! A folder holding a move that did not finish carries [`MARKER`]: such a folder may be
//! written over by the next attempt, while any other folder with files in it is refused (or,
//! when the listener picked a folder of their own, a `Strato` folder is made inside it).
//!
//! The functions here block on the disk: call them on a blocking thread. They copy only
//! what is Strato's ([`is_ours`]), so a data folder shared with other files keeps them.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use strato_model::ipc::{AppError, ErrorKind};

use crate::error::from_io;

/// The covers written for the OS's media session ([`crate::App::cover_file`]).
pub(crate) const COVERS: &str = "covers";
/// Written first into a folder being filled, removed at the switch.
pub(crate) const MARKER: &str = ".strato-move-unfinished";
/// Made inside a folder the listener chose that already holds files of their own.
const SUBFOLDER: &str = "Strato";
/// The read size when comparing a copy with its original.
const COMPARE_CHUNK: usize = 256 * 1024;

/// What a finished copy holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Copied {
    pub(crate) files: u64,
    pub(crate) bytes: u64,
}

/// Whether a data folder's entry (by its name, at the folder's top) is Strato's: the
/// libraries and the index of local files with the databases' side files, the downloads and
/// the covers on disk.
pub(crate) fn is_ours(name: &str) -> bool {
    name == "offline"
        || name == COVERS
        || (name.starts_with("library-") && name.contains(".sqlite3"))
        || name.starts_with(crate::local_files::INDEX_FILE)
}

/// Where the data goes when the listener picks `chosen`: the folder itself when it is empty,
/// missing or an unfinished move's; else a `Strato` folder inside it, under the same rule.
///
/// # Errors
/// `InvalidInput` in words: a relative path, the folder in use, a folder inside the one in
/// use (or holding it), or no usable place.
pub(crate) fn destination(chosen: &Path, current: &Path) -> Result<PathBuf, AppError> {
    let refuse = |words: String| Err(AppError::new(ErrorKind::InvalidInput, words));
    if !chosen.is_absolute() {
        return refuse(format!(
            "\"{}\" is not a full path: choose a folder starting from the top of a disk.",
            chosen.display()
        ));
    }
    let (chosen_real, current_real) = (resolved(chosen), resolved(current));
    if chosen_real == current_real {
        return refuse("Your music is already kept in this folder.".to_owned());
    }
    if chosen_real.starts_with(&current_real) || current_real.starts_with(&chosen_real) {
        return refuse(
            "Choose a folder outside the one your music is kept in now, and not one holding it."
                .to_owned(),
        );
    }
    if usable(chosen)? {
        return Ok(chosen.to_owned());
    }
    let inside = chosen.join(SUBFOLDER);
    if usable(&inside)? {
        return Ok(inside);
    }
    refuse(format!(
        "\"{}\" already holds other files. Choose an empty folder.",
        inside.display()
    ))
}

/// Copies Strato's files from `from` into `to` and verifies each copy. On failure the copy
/// made so far is removed (the originals were never touched).
///
/// # Errors
/// In words: the disk full, a file that could not be read or written, or a copy that
/// differs from its original.
pub(crate) fn copy_verified(from: &Path, to: &Path) -> Result<Copied, AppError> {
    let result = copy_all(from, to);
    if result.is_err() {
        discard(to);
    }
    result
}

/// The move is complete: the new folder is no longer an unfinished one.
///
/// # Errors
/// If the marker cannot be removed.
pub(crate) fn finish(to: &Path) -> Result<(), AppError> {
    match fs::remove_file(to.join(MARKER)) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(from_io(&error, "finish moving your music")),
    }
}

/// Deletes Strato's files from the old folder after the switch, and the folder itself when
/// nothing else is left in it. Best effort: what cannot be deleted is named.
///
/// # Errors
/// The first entry that could not be deleted (the rest were tried).
pub(crate) fn remove_originals(from: &Path) -> Result<(), AppError> {
    let mut first_failure = None;
    for entry in our_entries(from).map_err(|e| from_io(&e, "read the old folder"))? {
        let path = entry.path();
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        if let Err(error) = removed {
            tracing::warn!(%error, path = %path.display(), "an old file could not be deleted");
            first_failure.get_or_insert_with(|| {
                AppError::new(
                    ErrorKind::Storage,
                    format!(
                        "Your music was moved, but {} could not be deleted ({error}); you can \
                         delete it yourself.",
                        path.display()
                    ),
                )
            });
        }
    }
    // Only when empty: a folder shared with other files keeps them.
    let _ = fs::remove_dir(from);
    first_failure.map_or(Ok(()), Err)
}

/// Removes what a failed copy left in `to`.
pub(crate) fn discard(to: &Path) {
    if let Ok(entries) = our_entries(to) {
        for entry in entries {
            let path = entry.path();
            let _ = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    }
    let _ = fs::remove_file(to.join(MARKER));
    let _ = fs::remove_dir(to);
}

fn copy_all(from: &Path, to: &Path) -> Result<Copied, AppError> {
    fs::create_dir_all(to).map_err(|e| from_io(&e, "make the new folder"))?;
    File::create(to.join(MARKER)).map_err(|e| from_io(&e, "write in the new folder"))?;
    let mut copied = Copied::default();
    let entries = match our_entries(from) {
        Ok(entries) => entries,
        // Nothing kept yet: an empty move.
        Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(from_io(&error, "read the folder your music is in")),
    };
    for entry in entries {
        copy_tree(&entry.path(), &to.join(entry.file_name()), &mut copied)?;
    }
    sync_dir(to);
    Ok(copied)
}

fn copy_tree(from: &Path, to: &Path, copied: &mut Copied) -> Result<(), AppError> {
    let kind = fs::symlink_metadata(from).map_err(|e| from_io(&e, "read your music"))?;
    if kind.is_dir() {
        fs::create_dir_all(to).map_err(|e| from_io(&e, "make a folder for your music"))?;
        let entries = fs::read_dir(from).map_err(|e| from_io(&e, "read your music"))?;
        for entry in entries {
            let entry = entry.map_err(|e| from_io(&e, "read your music"))?;
            copy_tree(&entry.path(), &to.join(entry.file_name()), copied)?;
        }
        sync_dir(to);
        return Ok(());
    }
    if !kind.is_file() {
        // Strato writes no links or devices; something else put it there.
        return Ok(());
    }
    fs::copy(from, to).map_err(|e| from_io(&e, "copy your music"))?;
    File::open(to)
        .and_then(|file| file.sync_all())
        .map_err(|e| from_io(&e, "copy your music"))?;
    if !same_contents(from, to).map_err(|e| from_io(&e, "check the copy of your music"))? {
        return Err(AppError::new(
            ErrorKind::Storage,
            format!(
                "The copy of {} differs from the original, so nothing was moved. The new disk \
                 may be failing.",
                from.display()
            ),
        ));
    }
    copied.files += 1;
    copied.bytes += kind.len();
    Ok(())
}

/// Reads both files back and compares them: the copy is what the disk returns, not what was
/// handed to it.
fn same_contents(a: &Path, b: &Path) -> io::Result<bool> {
    let (mut a, mut b) = (File::open(a)?, File::open(b)?);
    if a.metadata()?.len() != b.metadata()?.len() {
        return Ok(false);
    }
    let (mut left, mut right) = (vec![0; COMPARE_CHUNK], vec![0; COMPARE_CHUNK]);
    loop {
        let read = read_full(&mut a, &mut left)?;
        if read_full(&mut b, &mut right)? != read || left[..read] != right[..read] {
            return Ok(false);
        }
        if read == 0 {
            return Ok(true);
        }
    }
}

fn read_full(file: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Whether the data can go straight into `dir`: missing, empty, or an unfinished move's.
fn usable(dir: &Path) -> Result<bool, AppError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(error) if error.kind() == io::ErrorKind::NotADirectory => return Ok(false),
        Err(error) => return Err(from_io(&error, "look into the folder you chose")),
    };
    let names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let unfinished = names.iter().any(|name| name == MARKER);
    Ok(names.is_empty() || (unfinished && names.iter().all(|n| n == MARKER || is_ours(n))))
}

fn our_entries(dir: &Path) -> io::Result<Vec<fs::DirEntry>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if is_ours(&entry.file_name().to_string_lossy()) {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// The path with links and `..` resolved as far as it exists, so two names of one folder
/// compare equal.
fn resolved(path: &Path) -> PathBuf {
    let mut existing = path.to_owned();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(name) = existing.file_name().map(ToOwned::to_owned) else {
            break;
        };
        rest.push(name);
        if !existing.pop() {
            break;
        }
    }
    let mut real = fs::canonicalize(&existing).unwrap_or(existing);
    real.extend(rest.iter().rev());
    real
}

/// Makes a folder's new entries durable. Windows has no handle to sync a folder through;
/// its file system commits the names itself.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
#[path = "data_folder_tests.rs"]
mod tests;
