//! Playlists kept on this computer through the App, over real files ffmpeg makes in a
//! temporary music folder: signed out with no account at all, one made of local tracks,
//! listed, reordered, trimmed, renamed and deleted, the window told of each change and of no
//! refusal; a service's track and positions read before another change refused in words
//! with nothing written; a file that is nowhere kept by its name; the window told when a
//! scan or a folder's removal changes which files are missing; an index that cannot be used
//! answered as `Storage` in words, not as no playlists; written out as M3U8 and XSPF (each
//! file by its full path or `file://` URL, with its tags) and read back; a long M3U8 naming
//! local files by relative, absolute, linked (into a linked subfolder too) and `file://`
//! paths imported as a playlist on this computer. Against devcloud, signed in: a file naming
//! both catalog tracks and local files makes both playlists under one name, each holding
//! only its own.

mod app_support;
mod local_support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use local_support::{LATE_ARRIVAL, Music, add_and_scan, make, scanned, settings, track, url_of};
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, LocalPlaylistPage, PlayerStatus, PlaylistItemEdit, Track};
use strato_testkit::{DevCloud, Moto};

/// Counts what the window would be told of local playlists.
#[derive(Default)]
struct Events {
    local_playlists: AtomicUsize,
}

impl AppEvents for Events {
    fn player_status(&self, _status: &PlayerStatus) {}

    fn local_playlists_changed(&self) {
        self.local_playlists.fetch_add(1, Ordering::SeqCst);
    }
}

impl Events {
    fn told(&self) -> usize {
        self.local_playlists.load(Ordering::SeqCst)
    }
}

fn start(settings: AppSettings) -> (App, Arc<Events>) {
    let events = Arc::new(Events::default());
    let app = App::start(settings, events.clone()).unwrap();
    (app, events)
}

/// An App over `data` with no account and no service at hand.
fn signed_out(data: &Path) -> (App, Arc<Events>) {
    start(settings(
        Some(data),
        AudioOutput::Null,
        "http://127.0.0.1:9",
    ))
}

fn titles(page: &LocalPlaylistPage) -> Vec<&str> {
    page.items.iter().map(|i| i.track.title.as_str()).collect()
}

fn add(track_ids: Vec<String>) -> PlaylistItemEdit {
    PlaylistItemEdit::Add {
        track_ids,
        position: None,
    }
}

/// The removal of the item at `n` of `page`.
fn remove(page: &LocalPlaylistPage, n: usize) -> PlaylistItemEdit {
    PlaylistItemEdit::Remove {
        item_id: page.items[n].item_id.clone(),
    }
}

/// The item at `n` of `page` right after the one at `after` (`None`: first).
fn move_after(page: &LocalPlaylistPage, n: usize, after: Option<usize>) -> PlaylistItemEdit {
    PlaylistItemEdit::Move {
        item_id: page.items[n].item_id.clone(),
        after: after.map(|at| page.items[at].item_id.clone()),
    }
}

fn ids(tracks: &[&Track]) -> Vec<String> {
    tracks.iter().map(|t| t.id.clone()).collect()
}

/// A music folder scanned into an App with no account: its three tracks (First Light,
/// Second Wind, Harbour Song).
async fn scanned_signed_out(music: &Music, data: &Path) -> (App, Arc<Events>, Vec<Track>) {
    let (app, events) = signed_out(data);
    assert!(app.local_playlists().await.unwrap().is_empty());
    add_and_scan(&app, music).await;
    let tracks = app.local_tracks().await.unwrap();
    (app, events, tracks)
}

#[tokio::test]
async fn a_local_playlist_is_kept_and_edited_signed_out_refusing_service_tracks() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let (app, events, tracks) = scanned_signed_out(&music, data.path()).await;
    let (first, second, harbour) = (
        track(&tracks, "First Light"),
        track(&tracks, "Second Wind"),
        track(&tracks, "Harbour Song"),
    );

    // The scan that found the files told the window once, at its end.
    assert_eq!(events.told(), 1);
    let created = app
        .create_local_playlist(" Evening ", ids(&[first, second, harbour]))
        .await
        .unwrap();
    assert_eq!(events.told(), 2);
    assert_eq!(created.name, "Evening");
    assert!(created.id.starts_with("local-playlist:"), "{}", created.id);
    let listed = app.local_playlists().await.unwrap();
    assert_eq!(listed, std::slice::from_ref(&created));
    assert_eq!((created.items, created.missing), (3, 0));
    let expected_ms: u64 = [first, second, harbour]
        .iter()
        .map(|t| u64::from(t.duration_ms))
        .sum();
    assert_eq!(created.duration_ms, expected_ms);

    let id = created.id.clone();
    let page = app.local_playlist(&id).await.unwrap();
    app.edit_local_playlist(&id, vec![move_after(&page, 2, None)], None)
        .await
        .unwrap();
    let page = app.local_playlist(&id).await.unwrap();
    assert_eq!(
        titles(&page),
        ["Harbour Song", "First Light", "Second Wind"]
    );
    assert_eq!(page.items[0].track, *harbour, "as the index has it");
    app.edit_local_playlist(&id, vec![remove(&page, 1)], None)
        .await
        .unwrap();
    let renamed = app
        .rename_local_playlist(&id, "Evening walk")
        .await
        .unwrap();
    assert_eq!((renamed.name.as_str(), renamed.items), ("Evening walk", 2));
    assert_eq!(events.told(), 5, "each change told once");

    // The item removed, named again from the page read before, is refused, not another
    // removed (edits by revision: strato-local's tests).
    let again = app
        .edit_local_playlist(&id, vec![remove(&page, 1)], None)
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::InvalidInput);
    assert!(again.message.contains("changed meanwhile"), "{again:?}");

    // A service's track is refused, the whole call, nothing written nor told.
    let before = app.local_playlist(&id).await.unwrap();
    let refused = app
        .edit_local_playlist(
            &id,
            vec![add(vec![first.id.clone(), "tr-kelp-forest".into()])],
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert_eq!(
        refused.message,
        "A playlist on this computer holds files on this computer only."
    );
    let refused = app
        .create_local_playlist("Mixed", vec!["tr-kelp-forest".into()])
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    let empty_name = app.create_local_playlist("  ", Vec::new()).await;
    assert_eq!(empty_name.unwrap_err().kind, ErrorKind::InvalidInput);
    assert_eq!(app.local_playlist(&id).await.unwrap(), before);
    assert_eq!(app.local_playlists().await.unwrap().len(), 1);
    assert_eq!(events.told(), 5);

    // A file that is nowhere is kept by its name, missing: never a refusal.
    let nowhere = url_of(&music.file("Gone/Lost Song.flac"));
    let kept = app
        .edit_local_playlist(&id, vec![add(vec![nowhere])], None)
        .await
        .unwrap();
    assert_eq!((kept.playlist.items, kept.playlist.missing), (3, 1));
    assert_eq!(kept.added_item_ids.len(), 1);
    let page = app.local_playlist(&id).await.unwrap();
    assert_eq!(titles(&page)[2], "Lost Song");
    assert!(page.items[2].missing);
    assert_eq!(events.told(), 6);

    app.delete_local_playlist(&id).await.unwrap();
    assert!(app.local_playlists().await.unwrap().is_empty());
    let gone = app.local_playlist(&id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
    assert_eq!(events.told(), 7);
    // Before any index, nothing to change (and no index made for it).
    let fresh = tempfile::tempdir().unwrap();
    let (bare, _) = signed_out(fresh.path());
    let nothing = bare.rename_local_playlist(&id, "x").await.unwrap_err();
    assert_eq!(nothing.kind, ErrorKind::NotFound);
    assert!(!fresh.path().join("local-files.sqlite3").exists());
}

#[tokio::test]
async fn the_window_is_told_when_a_scan_or_a_removed_folder_changes_what_is_missing() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let (app, _, tracks) = scanned_signed_out(&music, data.path()).await;
    let id = app
        .create_local_playlist(
            "Evening",
            ids(&[
                track(&tracks, "First Light"),
                track(&tracks, "Harbour Song"),
            ]),
        )
        .await
        .unwrap()
        .id;
    drop(app);

    // While Strato was closed, a file of the playlist went away: the start's scan finds it
    // gone and tells the window once, at its end (not at each step).
    let aside = data.path().join("Harbour Song.ogg");
    std::fs::rename(
        music.file("Other Artist/Quiet Harbour/Harbour Song.ogg"),
        &aside,
    )
    .unwrap();
    let (app, events) = signed_out(data.path());
    scanned(&app, 2).await;
    assert_eq!(events.told(), 1);
    let summary = app.local_playlists().await.unwrap().remove(0);
    assert_eq!((summary.id.as_str(), summary.missing), (id.as_str(), 1));

    // The music folder removed: told once more.
    app.remove_local_folder(music.path().display().to_string())
        .await
        .unwrap();
    assert_eq!(events.told(), 2);
    let page = app.local_playlist(&id).await.unwrap();
    // First Light is still there on disk and plays from there; Harbour Song is nowhere.
    let missing: Vec<bool> = page.items.iter().map(|i| i.missing).collect();
    assert_eq!(missing, [false, true]);
}

#[tokio::test]
async fn an_index_that_cannot_be_read_is_said_so_rather_than_shown_as_no_playlists() {
    let data = tempfile::tempdir().unwrap();
    // Damaged: not a database at all.
    std::fs::write(
        data.path().join("local-files.sqlite3"),
        "not a database ".repeat(512),
    )
    .unwrap();
    let (app, events) = signed_out(data.path());
    let id = "local-playlist:0b7f7d1c-2c8e-4b0e-9a55-0c5a4c8e2f11";
    let answers = [
        app.local_playlists().await.map(drop),
        app.local_playlist(id).await.map(drop),
        app.rename_local_playlist(id, "Renamed").await.map(drop),
        app.edit_local_playlist(id, Vec::new(), None)
            .await
            .map(drop),
        app.export_playlist(id, data.path().join("out.m3u8"))
            .await
            .map(drop),
    ];
    for answer in answers {
        let error = answer.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Storage, "{error:?}");
        assert!(
            error.message.contains("goes on without your local files"),
            "{}",
            error.message
        );
    }
    assert_eq!(events.told(), 0);
}

#[tokio::test]
async fn a_local_playlist_is_written_as_m3u8_and_xspf_and_read_back_by_path() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    let (app, _events, tracks) = scanned_signed_out(&music, data.path()).await;
    let (second, harbour) = (
        track(&tracks, "Second Wind"),
        track(&tracks, "Harbour Song"),
    );
    let id = app
        .create_local_playlist("Evening walk", ids(&[harbour, second]))
        .await
        .unwrap()
        .id;

    let harbour_path = music.file("Other Artist/Quiet Harbour/Harbour Song.ogg");
    let second_path = music.file("Aurora Test/Northern Lights/02 Second Wind.flac");
    let m3u8 = app
        .export_playlist(&id, data.path().join("evening"))
        .await
        .unwrap();
    assert_eq!(m3u8, data.path().join("evening.m3u8"));
    let written = std::fs::read_to_string(&m3u8).unwrap();
    assert!(
        written.starts_with("#EXTM3U\n#PLAYLIST:Evening walk\n#EXTINF:"),
        "{written}"
    );
    let lines: Vec<&str> = written.lines().collect();
    for (tags, path, track) in [
        ("Other Artist - Harbour Song", &harbour_path, harbour),
        ("Aurora Test - Second Wind", &second_path, second),
    ] {
        // `#EXTINF:<seconds>,<artist> - <title>`, the album, then the file's full path.
        let at = lines
            .iter()
            .position(|l| l.starts_with("#EXTINF:") && l.ends_with(&format!(",{tags}")))
            .unwrap_or_else(|| panic!("{tags} in {written}"));
        let seconds: f64 = lines[at]["#EXTINF:".len()..lines[at].find(',').unwrap()]
            .parse()
            .unwrap();
        assert!(
            (seconds * 1000.0 - f64::from(track.duration_ms)).abs() < 1.0,
            "{}",
            lines[at]
        );
        let location = lines[at + 1..]
            .iter()
            .find(|l| !l.starts_with('#'))
            .unwrap();
        assert_eq!(*location, path.display().to_string(), "{written}");
    }

    let xspf = data.path().join("evening.xspf");
    app.export_playlist(&id, xspf.clone()).await.unwrap();
    let written = std::fs::read_to_string(&xspf).unwrap();
    for part in [
        "<title>Evening walk</title>".to_owned(),
        format!("<location>{}</location>", url_of(&harbour_path)),
        "<creator>Other Artist</creator>".to_owned(),
        "<title>Harbour Song</title>".to_owned(),
        "<album>Quiet Harbour</album>".to_owned(),
        format!("<duration>{}</duration>", harbour.duration_ms),
    ] {
        assert!(written.contains(&part), "{part} in {written}");
    }

    // Read back, each file matched by its path, exactly.
    for exported in [&m3u8, &xspf] {
        let again = app.read_playlist_file(exported.clone()).await.unwrap();
        assert_eq!(again.matched, [harbour.clone(), second.clone()]);
        assert_eq!(again.local_matched, 2);
        assert!(again.unmatched.is_empty(), "{:?}", again.unmatched);
    }
}

#[tokio::test]
async fn an_m3u8_of_local_files_is_imported_as_a_playlist_on_this_computer() {
    let music = Music::new();
    let data = tempfile::tempdir().unwrap();
    // A subfolder of the music that is a link to a folder elsewhere, where links are made.
    let elsewhere = tempfile::tempdir().unwrap();
    let late = elsewhere.path().join("Album/03 Late Arrival.mp3");
    make(&late, &LATE_ARRIVAL);
    let linked_subfolder = linked(late.parent().unwrap(), &music.path().join("Linked"));
    let (app, events) = signed_out(data.path());
    app.add_local_folder(music.path().display().to_string())
        .await
        .unwrap();
    scanned(&app, 3 + u32::from(linked_subfolder)).await;
    let told = events.told();
    let tracks = app.local_tracks().await.unwrap();
    let (first, second, harbour) = (
        track(&tracks, "First Light"),
        track(&tracks, "Second Wind"),
        track(&tracks, "Harbour Song"),
    );

    // Beside the music: one file from the playlist's folder, one by its full path, one by
    // its URL, and one the computer does not have (its tags matched by nothing, signed out).
    let lists = music.path().join("Lists");
    std::fs::create_dir_all(&lists).unwrap();
    let mut text = format!(
        "#EXTM3U\n#EXTINF:4,Aurora Test - First Light\n\
         ../Aurora Test/Northern Lights/01 First Light.mp3\n\
         #EXTINF:4,Other Artist - Harbour Song\n{}\n\
         {}\n\
         #EXTINF:180,Nobody - Nowhere\n/nowhere/at all.mp3\n",
        music
            .file("Other Artist/Quiet Harbour/Harbour Song.ogg")
            .display(),
        url_of(&music.file("Aurora Test/Northern Lights/02 Second Wind.flac")),
    );
    let mut expected = vec![first.clone(), harbour.clone(), second.clone()];
    // And through a link to the music folder: the index keeps its real path; into its
    // linked subfolder too, which the index keeps through its link.
    let link = data.path().join("music-link");
    if linked(&music.path(), &link) {
        let through = link.join("Other Artist/Quiet Harbour/Harbour Song.ogg");
        let into_linked = link.join("Linked/03 Late Arrival.mp3");
        text = format!("{text}{}\n{}\n", through.display(), into_linked.display());
        expected.push(harbour.clone());
        expected.push(track(&tracks, "Late Arrival").clone());
    }
    // Long: the worker is asked a few hundred entries at a time.
    let again = "../Aurora Test/Northern Lights/02 Second Wind.flac\n".repeat(250);
    text = format!("{text}{again}");
    expected.extend(std::iter::repeat_n(second.clone(), 250));
    let file = lists.join("evening.m3u8");
    std::fs::write(&file, text).unwrap();

    let found = app.read_playlist_file(file).await.unwrap();
    assert_eq!(found.matched, expected);
    assert_eq!(found.local_matched as usize, expected.len());
    let unmatched: Vec<(u32, &str)> = found
        .unmatched
        .iter()
        .map(|u| (u.position, u.label.as_str()))
        .collect();
    assert_eq!(unmatched, [(4, "Nobody – Nowhere")]);

    let ids: Vec<String> = found.matched.iter().map(|t| t.id.clone()).collect();
    let imported = app.import_playlist("evening", ids).await.unwrap();
    assert_eq!(imported.library, None, "no account, none needed");
    let local = imported.local.expect("a playlist on this computer");
    assert_eq!(local.name, "evening");
    assert_eq!(local.items as usize, expected.len());
    let page = app.local_playlist(&local.id).await.unwrap();
    let tracks: Vec<Track> = page.items.into_iter().map(|i| i.track).collect();
    assert_eq!(tracks, expected);
    assert_eq!(events.told(), told + 1);

    // The service's tracks need an account: nothing is made without one.
    let refused = app
        .import_playlist("mixed", vec![first.id.clone(), "tr-kelp-forest".into()])
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::NotSignedIn);
    assert_eq!(app.local_playlists().await.unwrap().len(), 1);
}

/// Makes `link` a link to the folder `target`, where links are made without privileges;
/// whether it did.
#[cfg(unix)]
fn linked(target: &Path, link: &Path) -> bool {
    std::os::unix::fs::symlink(target, link).unwrap();
    true
}

#[cfg(not(unix))]
fn linked(_target: &Path, _link: &Path) -> bool {
    false
}

/// Another player's playlist naming a catalog track by its tags and two files on this
/// computer by their paths.
fn mixed_playlist(music: &Music) -> String {
    format!(
        "#EXTM3U\n#PLAYLIST:Both\n\
         #EXTINF:14,Velvet Orchard - Kelp Forest\n/music/Velvet Orchard/Kelp Forest.flac\n\
         #EXTINF:4,Aurora Test - Second Wind\n{}\n\
         #EXTINF:4,Other Artist - Harbour Song\n{}\n",
        music
            .file("Aurora Test/Northern Lights/02 Second Wind.flac")
            .display(),
        music
            .file("Other Artist/Quiet Harbour/Harbour Song.ogg")
            .display(),
    )
}

#[tokio::test]
async fn an_import_naming_catalog_tracks_and_local_files_makes_both_playlists() {
    let music = Music::new();
    let cloud = DevCloud::start(Moto::start()).await;
    let url = cloud.api_url().to_owned();
    let data = tempfile::tempdir().unwrap();
    let mut settings = AppSettings::new(&url, AudioOutput::Null);
    settings.data_dir = Some(data.path().to_owned());
    let (app, events) = start(settings);
    app.sign_in(&url, "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    add_and_scan(&app, &music).await;
    let tracks = app.local_tracks().await.unwrap();
    let (second, harbour) = (
        track(&tracks, "Second Wind"),
        track(&tracks, "Harbour Song"),
    );

    let file = data.path().join("both.m3u8");
    std::fs::write(&file, mixed_playlist(&music)).unwrap();
    let found = app.read_playlist_file(file).await.unwrap();
    let matched: Vec<&str> = found.matched.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        matched,
        ["tr-kelp-forest", second.id.as_str(), harbour.id.as_str()]
    );
    assert_eq!(found.local_matched, 2);
    assert!(found.unmatched.is_empty(), "{:?}", found.unmatched);

    let ids: Vec<String> = found.matched.iter().map(|t| t.id.clone()).collect();
    let imported = app.import_playlist("Both", ids).await.unwrap();
    let library = imported.library.expect("the account's playlist");
    let local = imported.local.expect("the playlist on this computer");
    assert_eq!((library.name.as_str(), library.item_count), ("Both", 1));
    assert_eq!((local.name.as_str(), local.items), ("Both", 2));
    let view = app.playlist(&library.id).await.unwrap();
    let in_account: Vec<&str> = view.items.iter().map(|i| i.track_id.as_str()).collect();
    assert_eq!(in_account, ["tr-kelp-forest"]);
    let page = app.local_playlist(&local.id).await.unwrap();
    assert_eq!(titles(&page), ["Second Wind", "Harbour Song"]);
    assert_eq!(events.told(), 2, "the scan's end, then the import");

    // Each kind stays out of the other's playlists, said in words.
    let refused = app
        .edit_local_playlist(&local.id, vec![add(vec!["tr-kelp-forest".into()])], None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    let refused = app
        .add_to_playlist(&library.id, vec![second.id.clone()], None)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(
        refused.message.contains("a playlist on this computer"),
        "{}",
        refused.message
    );

    // The playlist on this computer stays when the account goes.
    app.sign_out().await;
    let kept = app.local_playlists().await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, local.id);
}
