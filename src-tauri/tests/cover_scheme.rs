//! The `cover://` scheme's answers, from a real core signed in to real moto and devcloud
//! processes: the album's image as devcloud's CDN serves it from the demo media, or an empty
//! 404 for anything that is not a known album's plain id.

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

    let response = respond(&core, "/al-northern-drift").await;
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
        let response = respond(&core, path).await;
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
    let response = respond(&core, "/al-northern-drift").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
