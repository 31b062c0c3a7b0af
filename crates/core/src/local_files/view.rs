//! What the window is told of local files ([`LocalFilesView`]): the folders with their
//! counts and whether each can be read now, the scan's progress, the files that cannot be
//! played; and the checks a folder passes before it is added, each refusal in words.
//!
//! A view is built up to four times a second while a scan runs, so building one is kept
//! cheap: the failed files come by a LIMIT query and a count, and the folders' states (which
//! look at the disk) are looked at only for a view that may show them changed, not for one
//! that only moves a scan's progress on ([`Look`]).

use std::collections::HashMap;
use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};

use strato_local::{FileProblem, FolderPresence, LocalIndex, ScanReport};
use strato_model::ipc::{
    AppError, ErrorKind, LocalFailedFile, LocalFileProblem, LocalFilesView, LocalFolder,
    LocalFolderState, LocalScanProgress,
};

use crate::error::from_local;

/// What the worker knows beside the index's rows.
pub(super) struct Status {
    pub(super) unavailable: Option<AppError>,
    pub(super) scanning: Option<ScanReport>,
    pub(super) scan_problem: Option<AppError>,
    pub(super) watch_problem: Option<AppError>,
    pub(super) revision: u32,
}

/// The folders' states as last looked at on disk, by path.
#[derive(Debug, Default)]
pub(super) struct FolderStates(HashMap<PathBuf, LocalFolderState>);

/// Where a view takes the folders' states from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Look {
    /// The disk, once per folder: for a view asked for, or after a change (a folder added
    /// or removed, a scan ended, the watcher's news), which may have changed them.
    Disk,
    /// As last looked at (a folder never looked at is): for a scan's progress, which moves
    /// nothing a folder's state depends on.
    Remembered,
}

/// The view of `index` (none yet, or none usable) with `status`, the folders' states as
/// `look` says (kept in `folder_states`). May read the disk: the worker's thread only.
pub(super) fn view_of(
    index: Option<&LocalIndex>,
    status: Status,
    folder_states: &mut FolderStates,
    look: Look,
) -> LocalFilesView {
    let mut view = LocalFilesView {
        unavailable: status.unavailable,
        scanning: status.scanning.map(|report| progress(&report)),
        scan_problem: status.scan_problem,
        watch_problem: status.watch_problem,
        revision: status.revision,
        ..LocalFilesView::default()
    };
    let Some(index) = index else {
        return view;
    };
    match index.folder_summaries() {
        Ok(summaries) => {
            let mut looked = HashMap::with_capacity(summaries.len());
            for summary in summaries {
                let path = &summary.folder.path;
                let state = match (look, folder_states.0.get(path)) {
                    (Look::Remembered, Some(state)) => *state,
                    _ => folder_state(summary.presence()),
                };
                looked.insert(path.clone(), state);
                view.tracks = view.tracks.saturating_add(count(summary.playable));
                view.folders.push(LocalFolder {
                    path: path.display().to_string(),
                    tracks: count(summary.playable),
                    failed: count(summary.failed),
                    state,
                });
            }
            // Only the folders there are now: a removed one is forgotten.
            folder_states.0 = looked;
        }
        Err(error) => view.unavailable = Some(from_local(&error)),
    }
    let failed = index
        .failed_files(LocalFilesView::FAILED_LISTED)
        .and_then(|failed| Ok((failed, index.failed_count()?)));
    match failed {
        Ok((failed, total)) => {
            view.failed_count = count(total);
            view.failed = failed
                .into_iter()
                .map(|file| LocalFailedFile {
                    path: file.path.display().to_string(),
                    problem: file_problem(file.problem),
                    reason: file.error,
                })
                .collect();
        }
        Err(error) => view.unavailable = Some(from_local(&error)),
    }
    view
}

/// The model's name for why a file cannot be played.
fn file_problem(problem: FileProblem) -> LocalFileProblem {
    match problem {
        FileProblem::NotAudio => LocalFileProblem::NotAudio,
        FileProblem::Damaged => LocalFileProblem::Damaged,
        FileProblem::CutShort => LocalFileProblem::CutShort,
        FileProblem::NoSound => LocalFileProblem::NoSound,
        FileProblem::Gone => LocalFileProblem::Gone,
        FileProblem::NotAllowed => LocalFileProblem::NotAllowed,
        FileProblem::Unreadable => LocalFileProblem::Unreadable,
    }
}

/// The model's name for whether a folder can be read now.
fn folder_state(presence: FolderPresence) -> LocalFolderState {
    match presence {
        FolderPresence::Ready => LocalFolderState::Ready,
        FolderPresence::Missing => LocalFolderState::Missing,
        FolderPresence::Unreadable => LocalFolderState::Unreadable,
    }
}

/// Refuses, in words, a folder that cannot be added: not there, a file, or not readable.
pub(super) fn check_folder(path: &Path) -> Result<(), AppError> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|error| {
        if error.kind() == IoKind::NotFound {
            AppError::new(
                ErrorKind::NotFound,
                format!("The folder {shown} cannot be found."),
            )
        } else {
            AppError::new(
                ErrorKind::InvalidInput,
                format!("Strato cannot look at {shown} ({error})."),
            )
        }
    })?;
    if !metadata.is_dir() {
        return Err(AppError::new(
            ErrorKind::InvalidInput,
            format!("{shown} is a file, not a folder: choose the folder that holds your music."),
        ));
    }
    std::fs::read_dir(path).map(drop).map_err(|error| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("Strato may not read the folder {shown} ({error})."),
        )
    })
}

fn progress(report: &ScanReport) -> LocalScanProgress {
    LocalScanProgress {
        found: count(report.seen),
        unchanged: count(report.unchanged),
        read: count(report.read),
        failed: count(report.failed),
        removed: count(report.removed),
    }
}

/// A count as the window takes it (more than four billion files is not a music folder).
fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> Status {
        Status {
            unavailable: None,
            scanning: None,
            scan_problem: None,
            watch_problem: None,
            revision: 0,
        }
    }

    #[test]
    fn a_progress_view_takes_the_folders_states_as_last_looked_at() {
        let dir = tempfile::tempdir().unwrap();
        let music = dir.path().join("Music");
        std::fs::create_dir(&music).unwrap();
        let mut index = LocalIndex::open_in_memory().unwrap();
        index.add_folder(&music).unwrap();
        let mut states = FolderStates::default();
        let state = |states: &mut FolderStates, look| {
            view_of(Some(&index), status(), states, look).folders[0].state
        };
        // Never looked at: looked at even for a progress view.
        assert_eq!(
            state(&mut states, Look::Remembered),
            LocalFolderState::Ready
        );
        std::fs::rename(&music, dir.path().join("Away")).unwrap();
        assert_eq!(
            state(&mut states, Look::Remembered),
            LocalFolderState::Ready,
            "a progress view does not look at the disk"
        );
        assert_eq!(state(&mut states, Look::Disk), LocalFolderState::Missing);
        assert_eq!(
            state(&mut states, Look::Remembered),
            LocalFolderState::Missing
        );
    }
}
