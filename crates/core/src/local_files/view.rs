//! What the window is told of local files ([`LocalFilesView`]): the folders with their
//! counts and whether each can be read now, the scan's progress, the files that cannot be
//! played; and the checks a folder passes before it is added, each refusal in words.

use std::io::ErrorKind as IoKind;
use std::path::Path;

use strato_local::{FileProblem, LocalIndex, ScanReport};
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

/// The view of `index` (none yet, or none usable) with `status`. Reads the disk (whether
/// each folder is there): the worker's thread only.
pub(super) fn view_of(index: Option<&LocalIndex>, status: Status) -> LocalFilesView {
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
            for summary in summaries {
                let path = &summary.folder.path;
                view.tracks = view.tracks.saturating_add(count(summary.playable));
                view.folders.push(LocalFolder {
                    path: path.display().to_string(),
                    tracks: count(summary.playable),
                    failed: count(summary.failed),
                    state: folder_state(path, summary.playable + summary.failed),
                });
            }
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

/// Whether the folder at `path`, of which the index holds `indexed` files, can be read now.
fn folder_state(path: &Path, indexed: u64) -> LocalFolderState {
    match std::fs::read_dir(path) {
        // Empty while its files are indexed: a mount point without its disk (the scan keeps
        // the files, see strato-local's scan).
        Ok(mut entries) => {
            if indexed > 0 && entries.next().is_none() {
                LocalFolderState::Missing
            } else {
                LocalFolderState::Ready
            }
        }
        Err(error) if error.kind() == IoKind::NotFound => LocalFolderState::Missing,
        Err(_) => LocalFolderState::Unreadable,
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
