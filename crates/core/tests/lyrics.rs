//! The lyrics panel's lookups through the app: a Subsonic server's own lyrics first
//! (devcloud's `songLyrics` extension), LRCLIB for what the server lacks (the test kit's
//! validating LRCLIB peer), both kept in the library and read from it the next time; the
//! setting that keeps lookups on this computer; and a lyrics service that cannot be reached,
//! said in words.

use std::sync::Arc;

use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::{ErrorKind, LyricsOrigin, PlayerStatus, TrackLyrics};
use strato_testkit::{DevCloud, LrclibEndpoint, LrclibRecord, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _: &PlayerStatus) {}
}

fn start_app(url: &str, lyrics_service: &str, data_dir: &std::path::Path) -> App {
    let mut settings = AppSettings::new(url, AudioOutput::Null);
    settings.data_dir = Some(data_dir.to_owned());
    lyrics_service.clone_into(&mut settings.lyrics_service_url);
    App::start(settings, Arc::new(Quiet)).unwrap()
}

/// A demo catalog track: id, title, artist, album, length in ms.
struct CatalogTrack {
    id: String,
    title: String,
    artist: String,
    album: String,
    duration_ms: u64,
}

/// The demo catalog's tracks in catalog order (devcloud's Subsonic lyrics skip every fifth).
fn catalog() -> Vec<CatalogTrack> {
    let catalog: serde_json::Value = serde_json::from_slice(
        &std::fs::read(strato_testkit::media_dir().join("catalog.json")).unwrap(),
    )
    .unwrap();
    let name = |kind: &str, id: &str| {
        catalog[kind]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| {
                e[if kind == "albums" { "title" } else { "name" }]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .unwrap()
    };
    catalog["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| CatalogTrack {
            id: t["id"].as_str().unwrap().to_owned(),
            title: t["title"].as_str().unwrap().to_owned(),
            artist: name("artists", t["artist_id"].as_str().unwrap()),
            album: name("albums", t["album_id"].as_str().unwrap()),
            duration_ms: t["duration_ms"].as_u64().unwrap(),
        })
        .collect()
}

fn record_for(track: &CatalogTrack, lrc: &str) -> LrclibRecord {
    #[allow(clippy::cast_precision_loss)]
    let seconds = track.duration_ms as f64 / 1000.0;
    LrclibRecord::synced(&track.title, &track.artist, &track.album, seconds, lrc)
}

const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "alice's Subsonic password";

#[tokio::test]
async fn a_servers_own_lyrics_come_first_lrclib_fills_in_and_both_are_kept() {
    let lrclib = LrclibEndpoint::start().await;
    let cloud = DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .start()
        .await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), &lrclib.url(), data.path());
    app.sign_in(&cloud.subsonic_url(), ALICE, ALICE_PASSWORD.into())
        .await
        .unwrap();
    let tracks = catalog();
    // Which tracks the server has lyrics for, as a plain client of it sees.
    let client = strato_subsonic::SubsonicClient::connect(
        &cloud.subsonic_url(),
        strato_subsonic::Credentials::password(ALICE, ALICE_PASSWORD),
    )
    .await
    .unwrap();
    let mut has_lyrics = Vec::new();
    for track in &tracks {
        has_lyrics.push(
            !client
                .lyrics_by_song_id(&track.id)
                .await
                .unwrap()
                .is_empty(),
        );
    }
    let with = &tracks[has_lyrics.iter().position(|&has| has).unwrap()];
    let without = &tracks[has_lyrics.iter().position(|&has| !has).unwrap()];
    lrclib.add(record_for(without, "[00:01.00]Hello\n[00:03.50]World"));

    // devcloud's stand-in: a synced line every 4 s, from the server, LRCLIB not asked.
    let view = app.lyrics(&with.id).await.unwrap();
    assert_eq!(view.track_id, with.id);
    let TrackLyrics::Synced { lines, source } = view.lyrics else {
        panic!("not synced: {view:?}");
    };
    assert_eq!(source, LyricsOrigin::Server);
    assert_eq!(lines[0].at_ms, 0);
    assert!(
        lines[0]
            .text
            .starts_with(&format!("{}, line 1 of", with.title))
    );
    assert_eq!(lines[1].at_ms, 4_000);
    assert_eq!(lrclib.request_count(), 0);

    // The fifth track has none on the server: LRCLIB's, matched by title, artist, album and
    // length.
    let view = app.lyrics(&without.id).await.unwrap();
    let TrackLyrics::Synced { lines, source } = &view.lyrics else {
        panic!("not synced: {view:?}");
    };
    assert_eq!(*source, LyricsOrigin::Lrclib);
    let shown: Vec<(u32, &str)> = lines.iter().map(|l| (l.at_ms, l.text.as_str())).collect();
    assert_eq!(shown, [(1_000, "Hello"), (3_500, "World")]);
    let asked = lrclib.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].query["track_name"], without.title);
    assert_eq!(asked[0].query["artist_name"], without.artist);

    // Kept in the library: asked again, nothing is sent anywhere.
    assert_eq!(app.lyrics(&without.id).await.unwrap(), view);
    assert_eq!(lrclib.request_count(), 1);
}

#[tokio::test]
async fn lookups_kept_on_this_computer_ask_nothing_and_an_unreachable_service_is_said() {
    let lrclib = LrclibEndpoint::start().await;
    let cloud = DevCloud::start(Moto::start()).await;
    let data = tempfile::tempdir().unwrap();
    let app = start_app(cloud.api_url(), &lrclib.url(), data.path());
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let tracks = catalog();
    let (first, second) = (&tracks[1], &tracks[2]);
    lrclib.add(record_for(first, "[00:02.00]Only line"));

    let mut settings = app.settings().settings;
    settings.lyrics_local_only = true;
    app.update_settings(settings.clone()).unwrap();
    let view = app.lyrics(&first.id).await.unwrap();
    assert_eq!(
        view.lyrics,
        TrackLyrics::NotFound {
            looked_online: false
        }
    );
    assert_eq!(lrclib.request_count(), 0, "nothing asked with lookups off");

    settings.lyrics_local_only = false;
    app.update_settings(settings).unwrap();
    let view = app.lyrics(&first.id).await.unwrap();
    assert!(
        matches!(&view.lyrics, TrackLyrics::Synced { source: LyricsOrigin::Lrclib, lines } if lines.len() == 1),
        "{view:?}"
    );
    // Not in LRCLIB either: said as looked for online.
    assert_eq!(
        app.lyrics(&second.id).await.unwrap().lyrics,
        TrackLyrics::NotFound {
            looked_online: true
        }
    );

    // A lyrics service that does not answer: an error in words, nothing kept.
    let elsewhere = tempfile::tempdir().unwrap();
    let unreachable = start_app(cloud.api_url(), "http://127.0.0.1:9/", elsewhere.path());
    unreachable
        .sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();
    let error = unreachable.lyrics(&second.id).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Network, "{error:?}");
    assert!(
        error
            .message
            .starts_with("The lyrics could not be looked up"),
        "{error:?}"
    );
}
