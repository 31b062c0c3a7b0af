//! Finding the index's file that a path written elsewhere names, on a real index on disk
//! over real files ffmpeg made and real links: a file under a linked subfolder of the music
//! folder, reached through a link to the music folder too; `..` taken after the links before
//! it, as the system takes it; a link to a folder inside the music folder; and (on Windows and
//! macOS) a name written in another case.

mod support;

use std::path::{Path, PathBuf};

use strato_local::{LocalIndex, PathResolver, Scanner};
use support::{TAGGED, copy_media};

/// A music folder of one file by its tags, scanned into an index kept on disk, beside
/// `Elsewhere/Album` (outside the music folder).
struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    index: LocalIndex,
}

impl Setup {
    fn new(link_in: impl FnOnce(&Path)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        copy_media(TAGGED[0].name, &root.join("Music/Formats/joga.mp3"));
        copy_media(TAGGED[1].name, &root.join("Elsewhere/Album/hunter.flac"));
        link_in(&root);
        let mut index = LocalIndex::open(root.join("local-files.sqlite3")).unwrap();
        index.add_folder(root.join("Music")).unwrap();
        Scanner::new(&mut index).scan_all().unwrap();
        Self {
            _dir: dir,
            root,
            index,
        }
    }

    fn title_at(&self, path: &Path) -> Option<String> {
        self.index
            .track_at(&self.root.join(path))
            .unwrap()
            .map(|track| track.title)
    }
}

#[cfg(unix)]
#[test]
fn a_file_under_a_linked_subfolder_is_found_through_a_link_to_the_music_folder() {
    use std::os::unix::fs::symlink;
    let setup = Setup::new(|root| {
        // A subfolder of the music that is a link to a folder outside it, and a link to the
        // music folder itself.
        symlink(root.join("Elsewhere/Album"), root.join("Music/Linked")).unwrap();
        symlink(root.join("Music"), root.join("music-link")).unwrap();
        symlink(root.join("Music/Formats"), root.join("favourites")).unwrap();
        std::fs::create_dir(root.join("Elsewhere/Album/Lists")).unwrap();
    });
    let linked = setup.root.join("Music/Linked/hunter.flac");
    assert!(
        setup.index.contains_file(&linked).unwrap(),
        "kept through its link"
    );

    // As the index keeps it, and through the link to the music folder (it was not found:
    // the link's folder was resolved all the way, out of the music folder).
    assert_eq!(
        setup
            .title_at(Path::new("Music/Linked/hunter.flac"))
            .as_deref(),
        Some("Hunter FLAC")
    );
    assert_eq!(
        setup
            .title_at(Path::new("music-link/Linked/hunter.flac"))
            .as_deref(),
        Some("Hunter FLAC")
    );
    // A playlist in the linked folder naming it from its own folder.
    assert_eq!(
        setup
            .title_at(Path::new("music-link/Linked/Lists/../hunter.flac"))
            .as_deref(),
        Some("Hunter FLAC")
    );
    // `Linked/..` is `Elsewhere`, as the system has it: no file of the music is there, though
    // by name alone it would be the music folder's.
    assert_eq!(
        setup.title_at(Path::new("Music/Linked/../Formats/joga.mp3")),
        None
    );
    assert_eq!(
        setup
            .title_at(Path::new("Music/Linked/../../Music/Formats/joga.mp3"))
            .as_deref(),
        Some("Jóga MP3")
    );
    // A link to a folder inside the music folder.
    assert_eq!(
        setup.title_at(Path::new("favourites/joga.mp3")).as_deref(),
        Some("Jóga MP3")
    );
    // The real place of the linked folder is outside the music folders: not the index's.
    assert_eq!(
        setup.title_at(Path::new("Elsewhere/Album/hunter.flac")),
        None
    );

    // The steps apart: one resolver for many paths, its spellings innermost first.
    let mut resolver = PathResolver::default();
    let written = resolver
        .written(&setup.root.join("music-link/Linked/hunter.flac"))
        .unwrap();
    let music = [setup.root.join("Music")];
    assert_eq!(
        resolver.spellings(&written, &music),
        [setup.root.join("Music/Linked/hunter.flac")]
    );
}

#[test]
fn a_name_in_another_case_is_found_where_the_system_ignores_case() {
    let setup = Setup::new(|_| {});
    let found = setup.title_at(Path::new("Music/Formats/JOGA.MP3"));
    if cfg!(any(windows, target_os = "macos")) {
        assert_eq!(found.as_deref(), Some("Jóga MP3"));
    } else {
        // Another file's name on Linux.
        assert_eq!(found, None);
    }
    assert_eq!(
        setup
            .title_at(Path::new("Music/Formats/joga.mp3"))
            .as_deref(),
        Some("Jóga MP3")
    );
}
