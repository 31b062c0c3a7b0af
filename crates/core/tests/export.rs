//! "Export diagnostics" against moto and devcloud: the zip holds the versions, the settings,
//! the devices, the day's diagnostics, every play and the newest logs, and nothing secret,
//! even where a log line had been handed one (a token, a signed URL, a signed cookie): the
//! zip is opened and every file in it searched.

mod app_support;

use std::io::Read as _;
use std::sync::Arc;

use app_support::eventually;
use strato_audio::{NullSink, Pacing};
use strato_core::{App, AppEvents, AppSettings, AudioOutput, SinkFactory};
use strato_model::ipc::{PlaybackState, PlayerStatus, Settings};
use strato_testkit::{DevCloud, Moto};

struct Quiet;

impl AppEvents for Quiet {
    fn player_status(&self, _status: &PlayerStatus) {}
}

const PASSWORD: &str = "Strato-demo-1";

async fn issued_signatures(cloud: &DevCloud) -> Vec<String> {
    cloud
        .http()
        .get(format!("{}/admin/cdn-signatures", cloud.api_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every file in the zip at `path`, by name.
fn unzipped(path: &std::path::Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            (entry.name().to_owned(), text)
        })
        .collect()
}

/// A log folder whose one file was handed secrets it should never have held: a token, a
/// signed URL, the signed cookies.
fn leaky_log(
    dir: &std::path::Path,
    cloud: &DevCloud,
    signatures: &[String],
    token: &str,
) -> std::path::PathBuf {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(
        logs.join("strato.log.2026-12-06"),
        format!(
            "INFO play started\nDEBUG GET {}/media/x.m3u8?Expires=1&Signature={}&Key-Pair-Id=KPAIRID2026 \
             bearer {token}\nDEBUG cookie CloudFront-Policy={}; CloudFront-Signature={}\n",
            cloud.cdn_url(),
            signatures[0],
            signatures[1],
            signatures[0],
        ),
    )
    .unwrap();
    logs
}

/// No file of the zip holds the password, `token`, anything shaped like a token, or any
/// of `signatures`.
fn assert_no_secret(files: &[(String, String)], token: &str, signatures: &[String]) {
    for (name, text) in files {
        assert!(!text.contains(PASSWORD), "the password in {name}");
        assert!(!text.contains(token), "the token in {name}");
        assert!(!text.contains("KPAIRID2026"), "the key pair's id in {name}");
        assert_eq!(
            strato_cloud::redact::tokens(text),
            *text,
            "something shaped like a token in {name}"
        );
        for signature in signatures {
            assert!(
                !text.contains(signature.as_str()),
                "a signature in {name}: {text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zip_holds_what_helps_and_no_secret() {
    let cloud = DevCloud::start(Moto::start()).await;
    let dir = tempfile::tempdir().unwrap();
    let output = AudioOutput::Custom(SinkFactory(Arc::new(|| {
        Ok(Box::new(NullSink::new(Pacing::Unpaced)) as Box<dyn strato_audio::Sink>)
    })));
    let mut settings = AppSettings::new(cloud.api_url(), output);
    settings.data_dir = Some(dir.path().join("data"));
    let app = App::start(settings, Arc::new(Quiet)).unwrap();
    app.sign_in(cloud.api_url(), "demo", PASSWORD.into())
        .await
        .unwrap();
    let track = app.search_catalog("a").await.unwrap().tracks[0].id.clone();
    app.play_queue(vec![track.clone()], 0).await.unwrap();
    eventually("the play kept", || async {
        let ended = matches!(
            app.player_status().state,
            PlaybackState::Ended | PlaybackState::Idle
        );
        let kept = app
            .diagnostics()
            .await
            .ok()?
            .hours
            .iter()
            .map(|h| h.plays)
            .sum::<u32>();
        (ended && kept == 1).then_some(())
    })
    .await;

    let signatures = issued_signatures(&cloud).await;
    assert!(
        signatures.len() >= 2,
        "the play was granted: {signatures:?}"
    );
    let token = cloud.demo_access_token().await;
    let logs = leaky_log(dir.path(), &cloud, &signatures, &token);

    let to = dir.path().join("strato-diagnostics.zip");
    let exported = app
        .export_diagnostics(to.clone(), Some(logs))
        .await
        .unwrap();
    assert_eq!(exported.path, to.display().to_string());
    assert!(exported.bytes > 0);
    let files = unzipped(&to);
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "README.txt",
            "versions.json",
            "settings.json",
            "devices.json",
            "diagnostics.json",
            "plays.json",
            "logs/strato.log.2026-12-06",
        ]
    );
    assert_eq!(exported.entries as usize, files.len());
    let file = |name: &str| &files.iter().find(|(n, _)| n == name).unwrap().1;
    let kept: Settings = serde_json::from_str(file("settings.json")).unwrap();
    assert_eq!(kept, app.settings().settings);
    let plays: serde_json::Value = serde_json::from_str(file("plays.json")).unwrap();
    assert_eq!(plays[0]["track_id"], track.as_str());
    assert!(file("logs/strato.log.2026-12-06").contains("play started"));

    assert_no_secret(&files, &token, &signatures);
    // Nothing half-written beside it.
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".strato-diagnostics"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");

    // Where it cannot be written: said in words, nothing left.
    let refused = app
        .export_diagnostics(dir.path().join("no-such-folder/x.zip"), None)
        .await
        .unwrap_err();
    assert!(refused.message.contains("diagnostics"), "{refused:?}");
}
