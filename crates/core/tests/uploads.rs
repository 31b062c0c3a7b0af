//! The listener's own music through the app core, against moto's S3, devcloud and ffmpeg:
//! files over the service's limits refused in words before anything is sent; an upload,
//! once "Your uploads" has shown it, found by the library's search offline as last edited;
//! a new cover shown at once instead of the one kept; a deleted upload no longer found.

mod app_support;

use std::sync::Arc;

use app_support::eventually;
use strato_core::{App, AppEvents, AppSettings, AudioOutput};
use strato_model::api::{UploadDetails, UploadPatch, UploadStatus, Visibility};
use strato_model::ipc::{PlayerStatus, UploadRequest};
use strato_testkit::ffmpeg::{make_audio_file, make_image};
use strato_testkit::{DevCloud, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _status: &PlayerStatus) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_is_searchable_offline_as_edited_with_its_new_cover() {
    let cloud = DevCloud::builder(Moto::start())
        .arg("upload-max-duration-secs", 10)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = AppSettings::new(cloud.api_url(), AudioOutput::Null);
    settings.data_dir = Some(dir.path().join("data"));
    let app = App::start(settings, Arc::new(Quiet)).unwrap();
    app.sign_in(cloud.api_url(), "demo", "Strato-demo-1".into())
        .await
        .unwrap();

    // The limits are checked on this computer before anything is sent.
    let short = make_audio_file(dir.path(), "porch-session.flac", 3.0);
    let long = make_audio_file(dir.path(), "long-jam.flac", 12.0);
    let path = |p: &std::path::Path| p.display().to_string();
    let chosen = app
        .upload_candidates(vec![path(&short), path(&long)])
        .await
        .unwrap();
    assert_eq!(chosen.candidates[0].refusal, None, "{chosen:?}");
    assert_eq!(
        chosen.candidates[1].refusal.as_deref(),
        Some("This track is longer than the service takes (10 seconds).")
    );

    app.upload_files(vec![UploadRequest {
        path: path(&short),
        details: UploadDetails {
            title: Some("Porch Session".into()),
            ..UploadDetails::default()
        },
        visibility: Visibility::Private,
    }])
    .await
    .unwrap();
    let upload = eventually("the upload ready in Your uploads", || async {
        let page = app.my_uploads(None).await.ok()?;
        page.items
            .into_iter()
            .find(|u| u.status == UploadStatus::Ready)
    })
    .await;
    let track = upload.track.clone().expect("a ready upload is a track");

    app.update_upload(
        upload.id.clone(),
        UploadPatch {
            title: Some("Porch Session, Take Two".into()),
            ..UploadPatch::default()
        },
    )
    .await
    .unwrap();
    // The library's own search: no network asked.
    let found = app.search_library("take two").await.unwrap();
    assert_eq!(
        found
            .tracks
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        [upload.id.as_str()]
    );

    // A new cover shows at once, though the old one was kept here.
    let mut shown = Vec::new();
    for colour in ["red", "blue"] {
        let image = make_image(dir.path(), &format!("{colour}.png"), colour);
        let covered = app
            .set_upload_cover(upload.id.clone(), path(&image))
            .await
            .unwrap();
        let album = covered.track.unwrap().album_id;
        assert_eq!(album, track.album_id);
        let (bytes, content_type) = app.cover(&album).await.unwrap();
        assert_eq!(content_type, "image/jpeg");
        shown.push(bytes);
    }
    assert_ne!(shown[0], shown[1], "the blue cover, not the red one kept");

    app.delete_upload(upload.id.clone()).await.unwrap();
    assert!(app.search_library("porch").await.unwrap().tracks.is_empty());
}
