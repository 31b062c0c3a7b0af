//! Playlist files in the real window: an M3U8 from another player imported through GTK's own
//! open dialog ("3 of 5 matched", the two others listed with why), created as a playlist of
//! the tracks matched in the file's order; then that playlist exported as XSPF through the
//! save dialog, the file checked, and imported again whole.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result};
use strato_e2e::dialogs::{open_file, save_as};
use strato_e2e::ui::{playlist_order, screenshots, text, wait_for_order};
use strato_e2e::{AppUnderTest, Audio};

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "Strato-demo-1";
/// The dialogs' titles (the window's English).
const IMPORT_TITLE: &str = "Import a playlist";
const EXPORT_TITLE: &str = "Export the playlist";

/// A catalog track as the file names it.
struct Listed {
    id: String,
    artist: String,
    title: String,
    seconds: u32,
}

/// Three tracks of the demo catalog, with their artists' names.
fn catalog_tracks() -> Result<Vec<Listed>> {
    let catalog: serde_json::Value = serde_json::from_slice(&std::fs::read(
        strato_testkit::media_dir().join("catalog.json"),
    )?)?;
    let artists: HashMap<&str, &str> = catalog["artists"]
        .as_array()
        .context("artists")?
        .iter()
        .filter_map(|a| Some((a["id"].as_str()?, a["name"].as_str()?)))
        .collect();
    let tracks = catalog["tracks"].as_array().context("tracks")?;
    // From three albums, in an order no album page has.
    [7, 0, 4]
        .iter()
        .map(|&at| {
            let track = &tracks[at];
            Ok(Listed {
                id: track["id"].as_str().context("id")?.to_owned(),
                artist: (*artists
                    .get(track["artist_id"].as_str().context("artist")?)
                    .context("the track's artist")?)
                .to_owned(),
                title: track["title"].as_str().context("title")?.to_owned(),
                seconds: u32::try_from(track["duration_ms"].as_u64().context("length")? / 1000)?,
            })
        })
        .collect()
}

/// Imports `file`: the sheet's summary once it has read and matched it.
async fn import(app: &AppUnderTest, file: &Path) -> Result<String> {
    app.wait_for("import-playlist").await?.click().await?;
    open_file(app, IMPORT_TITLE, file).await?;
    app.wait_for_text("import-summary", Duration::from_secs(30), |t| {
        t.contains(" matched")
    })
    .await
}

#[tokio::test]
async fn a_playlist_file_is_imported_matched_and_exported_again() -> Result<()> {
    let listed = catalog_tracks()?;
    let folder = PathBuf::from(format!("/tmp/strato-e2e-playlists-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    // Another player's M3U8: three catalog tracks among two it does not have (one unknown,
    // one of a catalog title but twice its length).
    let mut m3u = String::from("#EXTM3U\n#PLAYLIST:Road Trip\n");
    for (n, track) in listed.iter().enumerate() {
        writeln!(
            m3u,
            "#EXTINF:{},{} - {}\n/music/{n}.flac",
            track.seconds, track.artist, track.title
        )?;
        if n == 0 {
            m3u.push_str("#EXTINF:201,Nobody Here - Not A Song\n/music/missing.mp3\n");
        }
    }
    let stretched = &listed[1];
    writeln!(
        m3u,
        "#EXTINF:{},{} - {}\n/music/long.flac",
        stretched.seconds * 2 + 10,
        stretched.artist,
        stretched.title
    )?;
    let file = folder.join("road-trip.m3u8");
    std::fs::write(&file, m3u)?;

    let mut app = AppUnderTest::launch(Audio::Silent).await?;
    app.sign_in_and_stay(DEMO_USER, DEMO_PASSWORD).await?;
    app.wait_for("home-screen").await?;

    let summary = import(&app, &file).await?;
    assert_eq!(summary, "3 of 5 matched");
    let unmatched = app.all("import-unmatched-row").await?;
    assert_eq!(unmatched.len(), 2);
    let first = text(&unmatched[0]).await?;
    assert!(first.contains("Nobody Here – Not A Song"), "{first}");
    assert!(first.contains("No track with this title"), "{first}");
    let second = text(&unmatched[1]).await?;
    assert!(second.contains(&stretched.title), "{second}");
    assert!(second.contains("long, not"), "the length differs: {second}");
    let name = app.wait_for("import-name").await?;
    assert_eq!(name.prop("value").await?.as_deref(), Some("Road Trip"));
    app.screenshot(&screenshots()?.join("playlist-import.png"))
        .await?;

    app.wait_for("confirm-import").await?.click().await?;
    app.wait_for_text("playlist-name", Duration::from_secs(20), |t| {
        t == "Road Trip"
    })
    .await?;
    let expected: Vec<String> = listed.iter().map(|t| t.id.clone()).collect();
    wait_for_order(&app, "the imported playlist", &expected).await?;

    // Out again as XSPF (by the name's ending), every track named by its link and its tags.
    let exported = folder.join("road-trip.xspf");
    app.wait_for("export-playlist").await?.click().await?;
    save_as(&app, EXPORT_TITLE, &exported).await?;
    app.wait_for_text("playlist-exported", Duration::from_secs(20), |t| {
        t.contains("road-trip.xspf")
    })
    .await?;
    app.screenshot(&screenshots()?.join("playlist-exported.png"))
        .await?;
    let xspf = std::fs::read_to_string(&exported)?;
    assert!(xspf.contains("<title>Road Trip</title>"), "{xspf}");
    let mut at = 0;
    for track in &listed {
        let link = format!("<location>strato://track/{}</location>", track.id);
        let found = xspf[at..]
            .find(&link)
            .with_context(|| format!("{link} in order in {xspf}"))?;
        at += found + link.len();
        assert!(xspf.contains(&track.title), "{xspf}");
    }

    // And back: every entry matched, by its link.
    let again = import(&app, &exported).await?;
    assert_eq!(again, "3 of 3 matched");
    assert!(app.all("import-unmatched-row").await?.is_empty());
    app.wait_for("cancel-import").await?.click().await?;
    assert_eq!(playlist_order(&app).await?, expected);
    let _ = std::fs::remove_dir_all(&folder);
    app.quit().await
}
