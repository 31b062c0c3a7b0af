//! The `cover://` scheme's answers, from a real core signed in to real moto and devcloud
//! processes: the album's image as devcloud's CDN serves it from the demo media, or an empty
//! 404 for anything that is not a known album's plain id. And a local album's cover, from a
//! real music folder: validated by its files' sizes and times, so a cover changed on disk
//! shows at once.

use std::sync::Arc;

use strato_app::cover_scheme::respond;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::ipc::PlayerStatus;
use strato_testkit::{DevCloud, Moto};
use tauri::http::{StatusCode, header};

struct NoEvents;

impl AppEvents for NoEvents {
    fn player_status(&self, _status: &PlayerStatus) {}
}

async fn signed_in(cloud: &DevCloud) -> App {
    let app = App::start(
        AppSettings::new(cloud.api_url(), AudioOutput::Null),
        Arc::new(NoEvents),
    )
    .expect("starting the core");
    let ready = cloud.config();
    app.sign_in(
        cloud.api_url(),
        ready.demo_username.as_deref().expect("the demo user"),
        ready.demo_password.clone().expect("the demo password"),
    )
    .await
    .expect("signing in");
    app
}

#[tokio::test]
async fn a_known_album_answers_its_cover_and_anything_else_404() {
    let cloud = DevCloud::start(Moto::start()).await;
    let core = signed_in(&cloud).await;

    let response = respond(&core, "/al-northern-drift", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("image/"),
        "content type {content_type}"
    );
    let expected = std::fs::read(cloud.media_dir().join("art/al-northern-drift.jpg")).unwrap();
    assert!(
        response.body() == &expected,
        "the body is not the album's cover ({} bytes, the file has {})",
        response.body().len(),
        expected.len()
    );

    for path in [
        "/al-no-such-album",
        "",
        "/",
        "/../al-northern-drift",
        "/al-northern-drift/../al-paper-satellites",
        "/..%2Fal-northern-drift",
        "/%2e%2e/catalog.json",
    ] {
        let response = respond(&core, path, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path:?}");
        assert!(response.body().is_empty(), "{path:?}");
    }
}

#[tokio::test]
async fn signed_out_there_is_no_cover() {
    let cloud = DevCloud::start(Moto::start()).await;
    let core = App::start(
        AppSettings::new(cloud.api_url(), AudioOutput::Null),
        Arc::new(NoEvents),
    )
    .expect("starting the core");
    let response = respond(&core, "/al-northern-drift", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// A local album's cover is not kept a day: it carries an `ETag` of its files and asks to be
/// revalidated, is `304` while the same, and a new cover.jpg answers with the new image.
#[tokio::test]
async fn a_local_albums_cover_is_revalidated_and_a_changed_one_shows() {
    let music = tempfile::tempdir().unwrap();
    let album = music.path().join("Album");
    std::fs::create_dir(&album).unwrap();
    let made = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("sine=frequency=330:duration=1")
        .args(["-c:a", "flac"])
        .arg(album.join("01 Song.flac"))
        .status()
        .expect("running ffmpeg (scripts/test installs it)");
    assert!(made.success());
    let cover = album.join("cover.jpg");
    std::fs::write(&cover, b"\xff\xd8 the first cover").unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut settings = AppSettings::new("http://127.0.0.1:9", AudioOutput::Null);
    settings.data_dir = Some(data.path().to_owned());
    let core = App::start(settings, Arc::new(NoEvents)).expect("starting the core");
    core.add_local_folder(music.path().display().to_string())
        .await
        .unwrap();
    let mut waits = 0;
    let album_id = loop {
        let view = core.local_files().await;
        if view.scanning.is_none() && view.tracks == 1 {
            break core.local_albums().await.unwrap()[0].id.clone();
        }
        waits += 1;
        assert!(waits < 1200, "the scan never ended: {view:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let path = format!("/{}", album_id.replace(':', "%3A"));

    let first = respond(&core, &path, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.body().as_slice(), b"\xff\xd8 the first cover");
    assert_eq!(first.headers()[header::CACHE_CONTROL], "no-cache");
    let tag = first.headers()[header::ETAG].to_str().unwrap().to_owned();

    let same = respond(&core, &path, Some(&tag)).await;
    assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
    assert!(same.body().is_empty());
    assert_eq!(same.headers()[header::ETAG].to_str().unwrap(), tag);
    assert_eq!(same.headers()[header::CACHE_CONTROL], "no-cache");

    std::fs::write(&cover, b"\xff\xd8 a new cover, longer than the first").unwrap();
    let changed = respond(&core, &path, Some(&tag)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        changed.body().as_slice(),
        b"\xff\xd8 a new cover, longer than the first"
    );
    assert_ne!(changed.headers()[header::ETAG].to_str().unwrap(), tag);
}
