//! The watcher against real changes in a temporary folder: a file added appears, its tags
//! rewritten show, renamed it moves, deleted it goes; a folder moved in is scanned; a cover
//! dropped beside files becomes theirs. Each waits for the index (read through a connection
//! of its own, as the app's) with a generous deadline.

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use strato_local::{FolderWatcher, LocalIndex, ScanReport, Scanner};
use support::{copy_media, eventually, set_title};

/// Long enough for a loaded machine; the debounce itself is a second.
const DEADLINE: Duration = Duration::from_secs(30);

struct Watched {
    _dir: tempfile::TempDir,
    music: PathBuf,
    index: LocalIndex,
    reports: Arc<Mutex<Vec<ScanReport>>>,
    watcher: FolderWatcher,
}

/// A music folder with one file, scanned, and a watcher on it.
fn watched() -> Watched {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("Music");
    copy_media("tagged.flac", &music.join("Album/first.flac"));
    let database = dir.path().join("local-files.sqlite3");
    let mut index = LocalIndex::open(&database).unwrap();
    index.add_folder(&music).unwrap();
    Scanner::new(&mut index).scan_all().unwrap();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let told = Arc::clone(&reports);
    let watcher = FolderWatcher::start(&database, move |report| {
        told.lock().unwrap().push(*report);
    })
    .unwrap();
    Watched {
        music: std::fs::canonicalize(&music).unwrap(),
        _dir: dir,
        index,
        reports,
        watcher,
    }
}

fn title_of(index: &LocalIndex, path: &Path) -> Option<String> {
    index.file_info(path).ok().map(|file| file.title)
}

#[test]
fn added_retagged_renamed_and_deleted_files_follow_the_disk() {
    let w = watched();
    let added = w.music.join("Album/second.mp3");
    copy_media("tagged.mp3", &added);
    eventually("the added file appears", DEADLINE, || {
        title_of(&w.index, &added).as_deref() == Some("Jóga MP3")
    });
    assert!(w.reports.lock().unwrap().iter().any(|r| r.read > 0));

    set_title(&added, "Jóga, as retagged");
    eventually("the new title shows", DEADLINE, || {
        title_of(&w.index, &added).as_deref() == Some("Jóga, as retagged")
    });
    assert_eq!(w.index.search("retagged", 5).unwrap().len(), 1);

    let renamed = w.music.join("Album/renamed.mp3");
    std::fs::rename(&added, &renamed).unwrap();
    eventually("the file moves", DEADLINE, || {
        title_of(&w.index, &renamed).as_deref() == Some("Jóga, as retagged")
            && !w.index.contains_file(&added).unwrap()
    });

    std::fs::remove_file(&renamed).unwrap();
    eventually("the deleted file goes", DEADLINE, || {
        !w.index.contains_file(&renamed).unwrap()
    });
    assert!(w.reports.lock().unwrap().iter().any(|r| r.removed > 0));
    // The file that was never touched is still there.
    assert!(
        w.index
            .contains_file(&w.music.join("Album/first.flac"))
            .unwrap()
    );
    w.watcher.stop();
}

#[test]
fn a_folder_moved_in_is_scanned_and_one_moved_out_forgotten() {
    let w = watched();
    // Made outside the music folder, then moved in whole, as a file manager does.
    let outside = w.music.parent().unwrap().join("Incoming");
    copy_media("tagged.ogg", &outside.join("Disc 1/a.ogg"));
    copy_media("tagged.opus", &outside.join("Disc 1/b.opus"));
    let moved_in = w.music.join("New Album");
    std::fs::rename(&outside, &moved_in).unwrap();
    let a = moved_in.join("Disc 1/a.ogg");
    let b = moved_in.join("Disc 1/b.opus");
    eventually("the moved-in folder's files appear", DEADLINE, || {
        w.index.contains_file(&a).unwrap() && w.index.contains_file(&b).unwrap()
    });
    assert_eq!(title_of(&w.index, &b).as_deref(), Some("Pluto Opus"));

    std::fs::rename(&moved_in, &outside).unwrap();
    eventually("the moved-out folder's files go", DEADLINE, || {
        !w.index.contains_file(&a).unwrap() && !w.index.contains_file(&b).unwrap()
    });
    assert!(
        w.index
            .contains_file(&w.music.join("Album/first.flac"))
            .unwrap()
    );
}

#[test]
fn a_cover_dropped_beside_files_becomes_theirs() {
    let w = watched();
    let first = w.music.join("Album/first.flac");
    assert_eq!(w.index.file_info(&first).unwrap().folder_cover, None);
    let cover = copy_media("cover.jpg", &w.music.join("Album/folder.jpg"));
    eventually("the cover is the file's", DEADLINE, || {
        w.index.file_info(&first).unwrap().folder_cover.as_deref() == Some(cover.as_path())
    });
    std::fs::remove_file(&cover).unwrap();
    eventually("the cover is gone", DEADLINE, || {
        w.index.file_info(&first).unwrap().folder_cover.is_none()
    });
}
