//! Playlist files through the App facade, against moto and devcloud: an M3U8 of another
//! player's read and matched to the catalog (what matched, what did not and why), created as
//! a playlist in the file's order; exported as M3U8 and XSPF and read back whole; files that
//! are not playlists refused in words; and an import made offline from what the library saw.
//! With files on this computer too: those matched by path leave the service's searches to
//! the rest of the file, and a file naming both kinds whose library playlist is refused
//! leaves no playlist on this computer behind, so trying again makes one of each.

mod app_support;
mod local_support;

use std::sync::Arc;

use app_support::eventually;
use local_support::{Music, add_and_scan};
use strato_core::{App, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, PlaylistFileFormat, UnmatchedReason};
use strato_testkit::{DevCloud, Moto};

struct NoEvents;
impl strato_core::AppEvents for NoEvents {
    fn player_status(&self, _status: &strato_model::ipc::PlayerStatus) {}
}

fn start_app(url: &str, data_dir: &std::path::Path) -> App {
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    App::start(settings, Arc::new(NoEvents)).unwrap()
}

/// Another player's playlist: three catalog tracks (one without its artist), one the catalog
/// lacks, one of a catalog title at another length, a stream's address.
const ROAD_TRIP: &str = "#EXTM3U
#PLAYLIST:Road Trip
#EXTINF:14,Velvet Orchard - Kelp Forest
/music/Velvet Orchard/Kelp Forest.flac
#EXTINF:201,Nobody Here - Not A Song
/music/missing.mp3
#EXTINF:17,Aurora Lane - Polar Morning
C:\\Music\\Polar Morning.mp3
#EXTINF:-1,Static Bloom
../elsewhere/static-bloom.ogg
#EXTINF:95,Aurora Lane - Polar Morning
/music/polar-morning-extended.flac
http://radio.example/stream
";

#[tokio::test]
async fn a_playlist_file_is_matched_created_exported_and_read_back() {
    let mut cloud = DevCloud::start(Moto::start()).await;
    let url = cloud.api_url().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let app = start_app(&url, dir.path());
    app.sign_in(&url, "demo", "Strato-demo-1".into())
        .await
        .unwrap();

    let file = dir.path().join("road trip.m3u8");
    std::fs::write(&file, ROAD_TRIP).unwrap();
    let found = app.read_playlist_file(file.clone()).await.unwrap();
    assert_eq!(found.name, "Road Trip");
    assert_eq!(found.format, PlaylistFileFormat::M3u);
    assert_eq!(found.entries, 6);
    let matched: Vec<&str> = found.matched.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        matched,
        ["tr-kelp-forest", "tr-polar-morning", "tr-static-bloom"],
        "in the file's order"
    );
    let unmatched: Vec<(u32, &str, &UnmatchedReason)> = found
        .unmatched
        .iter()
        .map(|u| (u.position, u.label.as_str(), &u.reason))
        .collect();
    assert_eq!(
        unmatched,
        [
            (2, "Nobody Here – Not A Song", &UnmatchedReason::NotFound),
            (
                5,
                "Aurora Lane – Polar Morning",
                &UnmatchedReason::LengthDiffers {
                    expected_ms: 95_000,
                    closest_ms: 17_281
                }
            ),
            (6, "stream", &UnmatchedReason::NothingToLookFor),
        ]
    );

    // Created as confirmed, in order: a library playlist like any other.
    let ids: Vec<String> = found.matched.iter().map(|t| t.id.clone()).collect();
    let imported = app.import_playlist("Road Trip", ids.clone()).await.unwrap();
    let created = imported.library.expect("a library playlist");
    assert_eq!(created.name, "Road Trip");
    assert_eq!(created.item_count, 3);
    let view = app.playlist(&created.id).await.unwrap();
    let order: Vec<String> = view.items.iter().map(|i| i.track_id.clone()).collect();
    assert_eq!(order, ids);

    // Out as M3U8 and XSPF: each track by its tags and its link, read back whole.
    let m3u8 = app
        .export_playlist(&created.id, dir.path().join("out"))
        .await
        .unwrap();
    assert_eq!(m3u8, dir.path().join("out.m3u8"), "the extension added");
    let written = std::fs::read_to_string(&m3u8).unwrap();
    assert!(written.starts_with("#EXTM3U"), "{written}");
    assert!(
        written.contains("#EXTINF:17.281,Aurora Lane - Polar Morning"),
        "{written}"
    );
    assert!(
        written.contains("strato://track/tr-polar-morning"),
        "{written}"
    );
    let xspf = dir.path().join("out.XSPF");
    app.export_playlist(&created.id, xspf.clone())
        .await
        .unwrap();
    assert!(
        std::fs::read_to_string(&xspf)
            .unwrap()
            .contains("<playlist")
    );
    for exported in [&m3u8, &xspf] {
        let again = app.read_playlist_file(exported.clone()).await.unwrap();
        let back: Vec<String> = again.matched.iter().map(|t| t.id.clone()).collect();
        assert_eq!(back, ids, "{}", exported.display());
        assert!(again.unmatched.is_empty(), "{:?}", again.unmatched);
        assert_eq!(again.name, "Road Trip");
    }

    // A plain list of files, named as rippers name them, one of them twice: looked up by
    // their names, in order, the duplicate kept.
    let plain = dir.path().join("plain.m3u");
    std::fs::write(
        &plain,
        "/music/03 - Aurora Lane - Polar Morning.mp3\n/music/Kelp Forest.flac\n\
         /music/Kelp Forest.flac\n",
    )
    .unwrap();
    let listed = app.read_playlist_file(plain).await.unwrap();
    let matched: Vec<&str> = listed.matched.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        matched,
        ["tr-polar-morning", "tr-kelp-forest", "tr-kelp-forest"]
    );
    assert_eq!(listed.name, "plain");

    // Offline, the tracks the library has seen still match.
    cloud.stop();
    let offline = app.read_playlist_file(file).await.unwrap();
    let matched: Vec<&str> = offline.matched.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        matched,
        ["tr-kelp-forest", "tr-polar-morning", "tr-static-bloom"]
    );
}

/// What is not a playlist is refused in words before the service is asked.
#[tokio::test]
async fn files_that_are_not_playlists_are_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let app = start_app("http://127.0.0.1:9", dir.path());
    let binary = dir.path().join("cover.m3u");
    std::fs::write(&binary, [0xff_u8, 0xd8, 0xff, 0, 0, 1, 2, 0]).unwrap();
    let refused = app.read_playlist_file(binary).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(
        refused
            .message
            .contains("“cover.m3u” could not be read as a playlist"),
        "{}",
        refused.message
    );
    let broken = dir.path().join("broken.xspf");
    std::fs::write(
        &broken,
        "<playlist><trackList><track><title>x</title></track>",
    )
    .unwrap();
    let refused = app.read_playlist_file(broken).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(refused.message.contains("XSPF"), "{}", refused.message);
    let gone = app
        .read_playlist_file(dir.path().join("gone.m3u8"))
        .await
        .unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
}

/// Signed in to devcloud, with `music` scanned.
async fn signed_in_with_music(cloud: &DevCloud, dir: &std::path::Path, music: &Music) -> App {
    let app = start_app(cloud.api_url(), dir);
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    add_and_scan(&app, music).await;
    app
}

#[tokio::test]
async fn files_on_this_computer_leave_the_service_searches_to_the_rest() {
    let music = Music::new();
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = signed_in_with_music(&cloud, dir.path(), &music).await;

    // As many entries naming a file on this computer as the service is ever asked about
    // for one file, then a catalog track by its tags: it is still searched for.
    let second = music.file("Aurora Test/Northern Lights/02 Second Wind.flac");
    let text = format!(
        "#EXTM3U\n{}#EXTINF:14,Velvet Orchard - Kelp Forest\n/music/Kelp Forest.flac\n",
        format!("{}\n", second.display()).repeat(500)
    );
    let file = dir.path().join("long.m3u8");
    std::fs::write(&file, text).unwrap();
    let searches = || {
        let log = std::fs::read_to_string(cloud.log_path()).unwrap_or_default();
        log.lines()
            .filter(|line| line.contains("devcloud::access") && line.contains("/v1/search"))
            .count()
    };
    let before = searches();
    let found = app.read_playlist_file(file).await.unwrap();
    assert_eq!(found.local_matched, 500);
    assert!(found.unmatched.is_empty(), "{:?}", found.unmatched);
    assert_eq!(found.matched.len(), 501);
    assert_eq!(found.matched[500].id, "tr-kelp-forest");
    // The service was asked (its access log is written as each answer ends).
    eventually("the service's search in its log", || async {
        (searches() > before).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_refused_library_half_takes_the_local_half_back_so_a_retry_makes_one_of_each() {
    let music = Music::new();
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = signed_in_with_music(&cloud, dir.path(), &music).await;
    let local: Vec<String> = app
        .local_tracks()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();

    // More of the service's tracks than a library playlist holds.
    let mut too_many = local.clone();
    too_many.extend(std::iter::repeat_n(
        "tr-kelp-forest".to_owned(),
        strato_library::MAX_PLAYLIST_ITEMS + 1,
    ));
    let refused = app.import_playlist("Both", too_many).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(
        refused.message.starts_with(
            "The playlist in your library could not be made, so the one on this computer \
             was not kept either: "
        ),
        "{}",
        refused.message
    );
    assert!(app.local_playlists().await.unwrap().is_empty());

    let mut fitting = local.clone();
    fitting.push("tr-kelp-forest".to_owned());
    let imported = app.import_playlist("Both", fitting).await.unwrap();
    assert_eq!(imported.library.expect("the library's").item_count, 1);
    let kept = app.local_playlists().await.unwrap();
    assert_eq!(kept.len(), 1, "one playlist on this computer, not two");
    assert_eq!((kept[0].name.as_str(), kept[0].items), ("Both", 3));
}
