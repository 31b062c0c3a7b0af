use std::fs;
use std::path::Path;

use strato_model::ipc::ErrorKind;

use super::*;

/// A data folder as Strato leaves it, with a file of someone else's beside.
fn data_folder(dir: &Path) {
    fs::create_dir_all(dir.join("offline/library-a/tracks")).unwrap();
    fs::write(dir.join("library-a.sqlite3"), b"sqlite pages").unwrap();
    fs::write(dir.join("library-a.sqlite3-wal"), b"wal frames").unwrap();
    fs::write(dir.join("offline/library-a/tr-1.mp3"), vec![7u8; 600_000]).unwrap();
    fs::write(dir.join("offline/library-a/tracks/tr-2.mp3"), b"id3").unwrap();
    fs::write(dir.join("notes.txt"), b"not Strato's").unwrap();
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    fs::read(path).unwrap()
}

#[test]
fn copies_strato_files_verified_then_deletes_only_them() {
    let root = tempfile::tempdir().unwrap();
    let (old, new) = (root.path().join("old"), root.path().join("new"));
    data_folder(&old);

    let copied = copy_verified(&old, &new).unwrap();
    assert_eq!(copied.files, 4);
    assert_eq!(copied.bytes, 12 + 10 + 600_000 + 3);
    assert!(new.join(MARKER).exists(), "unfinished until the switch");
    assert_eq!(
        read(new.join("offline/library-a/tr-1.mp3")),
        vec![7u8; 600_000]
    );
    assert_eq!(read(new.join("library-a.sqlite3-wal")), b"wal frames");
    assert!(!new.join("notes.txt").exists(), "only Strato's files move");
    assert_eq!(
        read(old.join("library-a.sqlite3")),
        b"sqlite pages",
        "the originals stay"
    );

    finish(&new).unwrap();
    assert!(!new.join(MARKER).exists());
    remove_originals(&old).unwrap();
    assert!(!old.join("library-a.sqlite3").exists());
    assert!(!old.join("offline").exists());
    assert_eq!(
        read(old.join("notes.txt")),
        b"not Strato's",
        "another's file stays"
    );
}

#[test]
fn an_emptied_old_folder_goes_too() {
    let root = tempfile::tempdir().unwrap();
    let (old, new) = (root.path().join("old"), root.path().join("new"));
    fs::create_dir_all(&old).unwrap();
    fs::write(old.join("library-b.sqlite3"), b"pages").unwrap();
    copy_verified(&old, &new).unwrap();
    finish(&new).unwrap();
    remove_originals(&old).unwrap();
    assert!(!old.exists());
    assert_eq!(read(new.join("library-b.sqlite3")), b"pages");
}

#[test]
fn a_copy_that_fails_leaves_nothing_behind_and_the_originals_whole() {
    let root = tempfile::tempdir().unwrap();
    let (old, new) = (root.path().join("old"), root.path().join("new"));
    data_folder(&old);
    // An unfinished move's folder where a file of the copy is in the way: copying it fails
    // part way, after other files were written.
    fs::create_dir_all(new.join("library-a.sqlite3-wal")).unwrap();
    fs::write(new.join("library-a.sqlite3-wal/x"), b"in the way").unwrap();
    fs::write(new.join(MARKER), b"").unwrap();

    let error = copy_verified(&old, &new).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Storage, "{error:?}");
    assert!(
        error.message.contains("could not copy your music"),
        "{}",
        error.message
    );
    assert!(!new.exists(), "the partial copy is removed");
    assert_eq!(
        read(old.join("offline/library-a/tr-1.mp3")),
        vec![7u8; 600_000]
    );
    assert_eq!(read(old.join("library-a.sqlite3")), b"sqlite pages");
}

#[test]
fn the_destination_is_the_folder_chosen_or_a_strato_folder_inside_it() {
    let root = tempfile::tempdir().unwrap();
    let current = root.path().join("current");
    data_folder(&current);
    let empty = root.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    assert_eq!(destination(&empty, &current).unwrap(), empty);
    let missing = root.path().join("not/yet");
    assert_eq!(destination(&missing, &current).unwrap(), missing);

    let music = root.path().join("Music");
    fs::create_dir_all(&music).unwrap();
    fs::write(music.join("song.flac"), b"fLaC").unwrap();
    assert_eq!(destination(&music, &current).unwrap(), music.join("Strato"));
    fs::create_dir_all(music.join("Strato")).unwrap();
    fs::write(music.join("Strato/other.txt"), b"").unwrap();
    let error = destination(&music, &current).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(
        error.message.contains("Choose an empty folder"),
        "{}",
        error.message
    );

    // A move that stopped half way may be taken up again.
    let unfinished = root.path().join("unfinished");
    fs::create_dir_all(unfinished.join("offline")).unwrap();
    fs::write(unfinished.join(MARKER), b"").unwrap();
    assert_eq!(destination(&unfinished, &current).unwrap(), unfinished);
}

#[test]
fn refuses_in_words_what_cannot_be_a_destination() {
    let root = tempfile::tempdir().unwrap();
    let current = root.path().join("current");
    data_folder(&current);
    let cases = [
        (Path::new("relative/folder").to_owned(), "not a full path"),
        (current.clone(), "already kept in this folder"),
        (current.join("."), "already kept in this folder"),
        (
            current.join("inside"),
            "outside the one your music is kept in",
        ),
        (
            root.path().to_owned(),
            "outside the one your music is kept in",
        ),
    ];
    for (chosen, words) in cases {
        let error = destination(&chosen, &current).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{}", chosen.display());
        assert!(
            error.message.contains(words),
            "{}: {}",
            chosen.display(),
            error.message
        );
    }
}

#[test]
fn knows_its_own_files() {
    for name in [
        "offline",
        "library-x.sqlite3",
        "library-x.sqlite3-wal",
        "library-x.sqlite3-shm",
        "local-files.sqlite3",
        "local-files.sqlite3-wal",
    ] {
        assert!(is_ours(name), "{name}");
    }
    for name in ["notes.txt", "library.txt", "offline.bak", "settings.json"] {
        assert!(!is_ours(name), "{name}");
    }
}
